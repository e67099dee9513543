"""Footprint-kernel climate terms per cooling design: exact samples vs response table.

For each design, :func:`siting.model.footprint.cooling_profile` on N sites (12 monthly
means each) is timed on the table path and on the exact path (``exact=True``, every
month on its 120 within-month samples; timed on a subsample and scaled), with the
table's build time (cold, no disk cache), the share of days (5 per month) the table
sends to the exact path, and the largest difference between the two paths. Times are CPU seconds of
this process (the machine is shared; wall time is printed too).

Climates: random monthly means (dry-bulb -45..45 C, RH 5-100 %, seasonal cycle), or
the ``dry_bulb_c_mMM`` / ``wet_bulb_c_mMM`` columns of a GeoParquet written by
``siting screen`` (``--climate FILE``; distinct rows only, as the kernel sees them).

    python benchmarks/bench_cooling_kernel.py --n 20000 --exact-sub 2000
    python benchmarks/bench_cooling_kernel.py --climate out.parquet --designs tower_economizer
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def _climates(args) -> tuple[np.ndarray, np.ndarray]:
    if args.climate:
        import pyarrow.parquet as pq

        from siting.model.footprint import _unique_rows

        names = [f"{v}_c_m{m:02d}" for v in ("dry_bulb", "wet_bulb") for m in range(1, 13)]
        x = pq.read_table(args.climate, columns=names).to_pandas().to_numpy(np.float32)
        x = x[np.isfinite(x).all(axis=1)]
        x = x[_unique_rows(x)[0]][: args.n]
        return x[:, :12], x[:, 12:]
    from siting.physics.psychrometrics import wet_bulb_from_rh

    rng = np.random.default_rng(0)
    mean = rng.uniform(-30.0, 32.0, (args.n, 1))
    amp = rng.uniform(0.0, 15.0, (args.n, 1))
    tdb = np.clip(mean - amp * np.cos(2 * np.pi * (np.arange(12) + 0.5) / 12), -45, 45)
    rh = rng.uniform(5.0, 100.0, (args.n, 1))
    return tdb.astype(np.float32), wet_bulb_from_rh(tdb, rh).astype(np.float32)


def _exact_share(tdb, twb, fac) -> float:
    """Share of the (site, month, day) nodes the response table sends to the exact path."""
    from siting.model import cooling_table as ct

    a, b = tdb.astype(float), twb.astype(float)
    dew = ct.month_dew_point(a, b)
    k = ct.site_dew_slope(a, b, dew)
    anomaly, _ = ct.day_anomalies()
    t_day = (a[..., None] + anomaly).ravel()
    dew_day = (dew[..., None] + k[:, None, None] * anomaly).ravel()
    return 1.0 - ct.response_table(fac).lookup(t_day, t_day - dew_day)[2].mean()


def _timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="sites (distinct climate rows)")
    ap.add_argument("--exact-sub", type=int, default=2_000, help="sites timed exactly")
    ap.add_argument("--climate", help="GeoParquet from `siting screen` (monthly columns)")
    ap.add_argument(
        "--designs",
        default="evaporative,tower_economizer,air_economizer,hybrid,direct_to_chip",
    )
    args = ap.parse_args()
    os.environ["SITING_TABLE_CACHE"] = "0"  # cold build, timed
    from siting.model import cooling_table
    from siting.model.facility import Facility
    from siting.model.footprint import MONTHLY_HOURS, cooling_profile

    tdb, twb = _climates(args)
    n, sub = tdb.shape[0], min(args.exact_sub, tdb.shape[0])
    print(f"{n:,} sites x 12 months; exact path timed on {sub:,} sites and scaled")
    hdr = "design | table build cpu s | table cpu s | table sites/s | exact cpu s (scaled)"
    print(hdr + " | exact sites/s | speed-up | days to exact | max |d(1+c)| | max |dw| L/kWh")
    for name in args.designs.split(","):
        fac = Facility(cooling=name)
        build = 0.0
        if fac.design.hourly:
            _, build, _ = _timed(lambda f=fac: cooling_table.response_table(f))
        (k, w), t_tab, _ = _timed(lambda f=fac: cooling_profile(tdb, twb, MONTHLY_HOURS, f))
        (ke, we), t_ex, _ = _timed(
            lambda f=fac: cooling_profile(tdb[:sub], twb[:sub], MONTHLY_HOURS, f, exact=True)
        )
        t_ex_n = t_ex * n / sub
        share = 0.0
        if fac.design.hourly:
            share = _exact_share(tdb, twb, fac)
        dk = float(np.nanmax(np.abs(k[:sub] - ke)))
        dw = float(np.nanmax(np.abs(w[:sub] - we)))
        print(
            f"{name} | {build:.1f} | {t_tab:.2f} | {n / t_tab:,.0f} | {t_ex_n:.1f} | "
            f"{n / t_ex_n:,.0f} | {t_ex_n / t_tab:.0f}x | {100 * share:.1f} % | "
            f"{dk:.1e} | {dw:.1e}"
        )


if __name__ == "__main__":
    main()
