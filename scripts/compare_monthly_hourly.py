"""How close the monthly path gets to 8760 hours: annual PUE and on-site WUE per design.

Usage::

    python scripts/compare_monthly_hourly.py [/path/to/data/raw]

For each hourly typical-year file available offline (Greensboro NC and Sand Point AK
TMY3 in ``<raw>/pvlib-tmy``, Miami FL TMY2 ``12839.tm2`` inside the installed pvlib
package; the Greensboro TMYx EPW fixture of the tests holds only 48 hours, not a year)
and every registered cooling
design at its default hyperscale preset, the annual PUE and on-site WUE of the first
commitment year are computed three ways, all through the library's kernel
(:func:`siting.model.footprint_arrays`, default fleet of 10,000 H100 and scenario):

(a) the 8760 hours of the file as an hourly climate (``period_hours`` of 1 h each;
    :func:`siting.layers.climate.weather_periods`) -- the reference;
(b) the file's 12 monthly means (:func:`siting.layers.climate.monthly_from_hourly`, as
    the weather-file path of the climate layer gives them) with ``MONTHLY_HOURS``: what
    the kernel does for a monthly input, i.e. within-month hourly samples for the
    designs with economizer or evaporative-assist hours (``design.hourly``);
(c) the same 12 monthly means held constant through each month, given to the kernel as
    8760 hourly periods (each hour its month's mean): plain monthly means with no
    within-month spread. For the designs without ``design.hourly`` (b) and (c) are the
    same evaluation (the kernel uses monthly means as given).
(d) diagnostic, not a kernel path for monthly inputs: the kernel's sampler with each
    file's own monthly diurnal range and day-to-day spread in place of the global
    defaults (10 K, 3 K), the samples given to the kernel as weighted periods. It
    separates the error of the default spread from that of the method.

Prints a markdown table of (a) and the errors (b) - (a), (c) - (a) and (d) - (a). Method and the
figures: docs/method_model.md, section 5a, "Hourly samples from monthly means".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from siting.layers.climate import monthly_from_hourly, read_weather_file, weather_periods
from siting.model import (
    COOLING_DESIGNS,
    COOLING_TECHNOLOGIES,
    MONTH_DAYS,
    MONTHLY_HOURS,
    Facility,
    Fleet,
    Scenario,
    footprint_arrays,
)
from siting.model.cooling_table import HOURLY_DAY_NODES
from siting.physics.hourly import hourly_samples

FLEET_GPUS = 10_000  # any size: PUE and WUE per IT kWh do not depend on it


def weather_files(raw: Path | None) -> dict[str, Path]:
    """``{label: path}`` of the hourly files found offline (missing ones are left out)."""
    files: dict[str, Path] = {}
    if raw is not None:
        tmy = Path(raw) / "pvlib-tmy"
        for label, name in (
            ("Greensboro NC TMY3", "723170TYA.CSV"),
            ("Sand Point AK TMY3", "703165TY.csv"),
        ):
            if (tmy / name).is_file():
                files[label] = tmy / name
    try:
        import pvlib

        tm2 = Path(os.path.dirname(pvlib.__file__)) / "data" / "12839.tm2"
        if tm2.is_file():
            files["Miami FL TMY2"] = tm2
    except ImportError:  # pragma: no cover - pvlib is a dependency of the climate layer
        pass
    return files


def climates(files: dict[str, Path]) -> dict[str, np.ndarray]:
    """Hourly (site, 8760) and monthly (site, 12) dry- and wet-bulb of the files [C]."""
    hourly = weather_periods({k: str(v) for k, v in files.items()})
    month = np.repeat(np.arange(12), MONTHLY_HOURS.astype(int))
    tdb_m, twb_m = [], []
    for path in files.values():
        data, meta = read_weather_file(path)
        mon = monthly_from_hourly(data, meta["elevation_m"])
        tdb_m.append(mon["dry_bulb_c"].to_numpy(float))
        twb_m.append(mon["wet_bulb_c"].to_numpy(float))
    tdb_m, twb_m = np.asarray(tdb_m), np.asarray(twb_m)
    return {
        "tdb_h": hourly["dry_bulb_c"].to_numpy(),
        "twb_h": hourly["wet_bulb_c"].to_numpy(),
        "tdb_m": tdb_m,
        "twb_m": twb_m,
        # (c): each hour its month's mean, non-leap calendar (Feb 672 h)
        "tdb_c": tdb_m[:, month],
        "twb_c": twb_m[:, month],
    }


def file_spread(tdb_h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per site and month: mean diurnal range [K] (daily max - min) and the standard
    deviation of the daily means [K] of an hourly (site, 8760) dry-bulb series."""
    days = tdb_h.reshape(tdb_h.shape[0], 365, 24)
    dtr = days.max(axis=2) - days.min(axis=2)
    mean = days.mean(axis=2)
    dm = np.repeat(np.arange(12), MONTH_DAYS.astype(int))
    dtr_m = np.stack([dtr[:, dm == m].mean(axis=1) for m in range(12)], axis=1)
    sd_m = np.stack([mean[:, dm == m].std(axis=1) for m in range(12)], axis=1)
    return dtr_m, sd_m


def samples_with_file_spread(c: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """(d): the kernel's sampler (5 day nodes, quadratic wet-bulb, 101,325 Pa) with each
    file's own monthly diurnal range and day-to-day spread instead of the defaults,
    flattened to (site, 12 x 120) periods with their hours (given to the kernel as is)."""
    dtr, sd = file_spread(c["tdb_h"])
    s = hourly_samples(
        c["tdb_m"],
        c["twb_m"],
        diurnal_range_c=dtr,
        day_sd_c=sd,
        n_days=HOURLY_DAY_NODES,
        wet_bulb="quadratic",
    )
    n = c["tdb_m"].shape[0]
    return (
        s["dry_bulb_c"].reshape(n, -1),
        s["wet_bulb_c"].reshape(n, -1),
        s["hours"][0].reshape(-1),
    )


def annual_pue_wue(tdb, twb, period_hours, cooling: str) -> tuple[np.ndarray, np.ndarray]:
    """PUE [-] and on-site WUE [L/kWh IT] of the first commitment year per site (kernel)."""
    n = tdb.shape[0]
    out = footprint_arrays(
        tdb,
        twb,
        period_hours,
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        Fleet(gpus=FLEET_GPUS),
        Facility(cooling=cooling, preset="hyperscale"),
        Scenario(),
        dtype=np.float64,
    )
    return out["pue"][:, 0], out["wue_onsite_l_per_kwh"][:, 0]


def compare(files: dict[str, Path]) -> pd.DataFrame:
    """One row per (site, design): (a), (b), (c) and the errors of (b) and (c)."""
    c = climates(files)
    spread = samples_with_file_spread(c)
    rows = []
    for cooling in COOLING_TECHNOLOGIES:
        pa, wa = annual_pue_wue(c["tdb_h"], c["twb_h"], np.ones(8760), cooling)
        pb, wb = annual_pue_wue(c["tdb_m"], c["twb_m"], MONTHLY_HOURS, cooling)
        pc, wc = annual_pue_wue(c["tdb_c"], c["twb_c"], np.ones(8760), cooling)
        pd_, wd = annual_pue_wue(*spread, cooling)
        for i, site in enumerate(files):
            rows.append(
                {
                    "site": site,
                    "design": cooling,
                    "hourly_design": bool(COOLING_DESIGNS[cooling].hourly),
                    "pue_a": pa[i],
                    "pue_b": pb[i],
                    "pue_c": pc[i],
                    "wue_a": wa[i],
                    "wue_b": wb[i],
                    "wue_c": wc[i],
                    "pue_d": pd_[i],
                    "wue_d": wd[i],
                }
            )
    df = pd.DataFrame(rows)
    for q in ("pue", "wue"):
        for x in "bcd":
            df[f"{q}_err_{x}"] = df[f"{q}_{x}"] - df[f"{q}_a"]
    return df


def markdown(df: pd.DataFrame) -> str:
    """The comparison as a markdown table (WUE in L/kWh of IT energy)."""
    lines = [
        "| design | site | PUE (a) 8760 h | (b)-(a) | (c)-(a) | (d)-(a) "
        "| WUE (a) L/kWh | (b)-(a) | (c)-(a) | (d)-(a) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in df.itertuples():
        name = f"{r.design}{'' if r.hourly_design else ' (monthly)'}"
        lines.append(
            f"| {name} | {r.site} | {r.pue_a:.4f} | {r.pue_err_b:+.4f} | {r.pue_err_c:+.4f} "
            f"| {r.pue_err_d:+.4f} | {r.wue_a:.3f} | {r.wue_err_b:+.3f} | {r.wue_err_c:+.3f} "
            f"| {r.wue_err_d:+.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    raw = Path(argv[1]) if len(argv) > 1 else None
    if raw is None:
        from siting.paths import raw_data_dir

        raw = raw_data_dir()
    files = weather_files(raw)
    if not files:
        print("no hourly weather file found", file=sys.stderr)
        return 1
    df = compare(files)
    print(markdown(df.sort_values(["design", "site"], kind="stable")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
