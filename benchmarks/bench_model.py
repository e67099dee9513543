"""Benchmark of the committed-footprint core (not a timed test).

Target (issue 4): 1,000,000 sites x 20 years at monthly resolution in <= 10 s and
<= 4 GB peak memory on a 2-core machine.

Usage::

    python benchmarks/bench_model.py                  # 1e6 sites, all climates unique
    python benchmarks/bench_model.py --unique 50000   # sites share 50k climate cells
    python benchmarks/bench_model.py --assess         # also time assess() on a DataFrame

Prints wall time per stage and the peak resident set size of the process.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np


def peak_rss_mb() -> float:
    """Peak resident set size of this process [MB] (ru_maxrss is KiB on Linux)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024.0 if sys.platform != "darwin" else r / 1024.0 / 1024.0


def synthetic_climate(n_sites: int, n_unique: int | None, seed: int = 0):
    """Monthly dry/wet-bulb for n_sites drawn from n_unique climate rows (float32)."""
    from siting.physics.psychrometrics import wet_bulb_stull

    rng = np.random.default_rng(seed)
    m = np.arange(12)
    k = n_sites if n_unique is None else n_unique
    mean = rng.uniform(-5, 30, k)
    amp = rng.uniform(1, 15, k)
    rh = rng.uniform(20, 90, k)
    tdb = mean[:, None] - amp[:, None] * np.cos(2 * np.pi * (m + 0.5) / 12 - np.pi / 12)
    twb = np.empty_like(tdb)
    step = 200_000
    for s in range(0, k, step):
        twb[s : s + step] = wet_bulb_stull(tdb[s : s + step], rh[s : s + step, None])
    tdb = np.round(tdb, 1).astype(np.float32)
    twb = np.round(twb, 1).astype(np.float32)
    if n_unique is not None:
        idx = rng.integers(0, n_unique, n_sites)
        tdb, twb = tdb[idx], twb[idx]
    return tdb, twb


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=1_000_000)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--unique", type=int, default=None, help="number of distinct climates")
    ap.add_argument("--cooling", default="evaporative")
    ap.add_argument("--warming", type=float, default=0.0, help="C per decade")
    ap.add_argument("--assess", action="store_true", help="also run assess() on a DataFrame")
    args = ap.parse_args(argv)

    from siting.model import MONTHLY_HOURS, Facility, Fleet, Scenario, footprint_arrays

    n = args.sites
    t0 = time.perf_counter()
    tdb, twb = synthetic_climate(n, args.unique)
    rng = np.random.default_rng(1)
    grid = rng.uniform(20, 900, n)
    ewif = rng.uniform(0.5, 5, n)
    price = rng.uniform(30, 150, n)
    t_in = time.perf_counter() - t0
    rss_in = peak_rss_mb()

    fleet = Fleet(gpu="H100-SXM", gpus=50_000, utilization=0.7)
    scenario = Scenario(
        commitment_years=args.years,
        product_years=2.0,
        after="idle",
        grid_decarbonization_per_yr=0.03,
        warming_c_per_decade=args.warming,
    )
    facility = Facility(cooling=args.cooling)
    t1 = time.perf_counter()
    res = footprint_arrays(tdb, twb, MONTHLY_HOURS, grid, ewif, price, fleet, facility, scenario)
    t_core = time.perf_counter() - t1
    t2 = time.perf_counter()
    totals = {
        k: res[k].sum(axis=1, dtype=np.float64)
        for k in ("facility_energy_mwh", "water_onsite_m3", "co2_scope2_t", "energy_cost_usd")
    }
    after = (
        res["facility_energy_mwh"].astype(np.float64) @ res["after_share"]["facility_energy_mwh"]
    )
    t_sum = time.perf_counter() - t2
    print(
        f"sites={n:,} years={args.years} periods=12 unique_climates="
        f"{'all' if args.unique is None else f'{args.unique:,}'} cooling={args.cooling} "
        f"warming={args.warming} C/decade"
    )
    print(f"input generation      {t_in:7.2f} s  (peak RSS so far {rss_in:,.0f} MB)")
    print(f"footprint_arrays      {t_core:7.2f} s")
    print(f"lifetime totals       {t_sum:7.2f} s")
    print(f"core + totals         {t_core + t_sum:7.2f} s")
    print(f"peak RSS              {peak_rss_mb():,.0f} MB")
    assert np.isfinite(totals["facility_energy_mwh"]).all() and np.isfinite(after).all()

    if args.assess:
        import pandas as pd

        from siting.model import assess

        cols = {f"dry_bulb_c_m{m + 1:02d}": tdb[:, m] for m in range(12)}
        cols.update({f"wet_bulb_c_m{m + 1:02d}": twb[:, m] for m in range(12)})
        df = pd.DataFrame(cols)
        df["site_id"] = np.char.add("s", np.arange(n).astype(str))
        df["grid_co2_g_per_kwh"] = grid
        df["ewif_l_per_kwh"] = ewif
        df["price_usd_per_mwh"] = price
        del res
        t3 = time.perf_counter()
        a = assess(df, fleet, scenario, facility)
        t_assess = time.perf_counter() - t3
        print(f"assess (DataFrame in, Dataset + summary out) {t_assess:7.2f} s")
        print(f"peak RSS              {peak_rss_mb():,.0f} MB")
        assert len(a.summary) == n
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
