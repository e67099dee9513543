"""Benchmark of the portfolio solve on generated candidate cells (not a timed test).

Target: 10,000 generated candidate cells solve within 60 s on the 2-core machine.

Usage::

    python benchmarks/bench_portfolio.py                      # 10,000 cells over the USA
    python benchmarks/bench_portfolio.py --cells 2000 --region FRA --spacing-km 8

Stages, each timed on its own: generate the grid (``siting.generate_grid``), join and
assess it (``siting.run``, embedded data), then solve three portfolios: (1) the target
under a cap per state and per grid zone; (2) the same with a full plant (fixed loads
on the build decision) and a minimum block, so that the binaries matter; (3) the least
on-site water under the caps; (4) (1) plus a water budget halfway between the water of (3)
and (1), so that the budget binds; (5) an infeasible budget (90 % of (3)'s water) with the
binding constraint diagnosed. Prints
wall time per stage, status, gap and the 1-minute load average at the start.
"""

from __future__ import annotations

import argparse
import os
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cells", type=int, default=10_000)
    ap.add_argument("--region", default="USA")
    ap.add_argument("--spacing-km", type=float, default=30.0)
    ap.add_argument("--target-mw", type=float, default=10_000.0)
    ap.add_argument("--cap-region-mw", type=float, default=1_000.0)
    ap.add_argument("--cap-zone-mw", type=float, default=2_000.0)
    ap.add_argument("--min-block-mw", type=float, default=20.0)
    args = ap.parse_args(argv)

    import siting
    from siting.decide.portfolio import portfolio

    load = os.getloadavg()[0]
    print(f"load average (1 min) at start: {load:.2f} on {os.cpu_count()} cores")
    t0 = time.perf_counter()
    grid = siting.generate_grid(args.region, kind="regular", spacing_km=args.spacing_km)
    grid = grid.iloc[: args.cells].reset_index(drop=True)
    t1 = time.perf_counter()
    print(f"grid: {len(grid):,} cells over {args.region} in {t1 - t0:.1f} s")
    res = siting.run(grid)
    t2 = time.perf_counter()
    print(f"join + assess + rank: {t2 - t1:.1f} s")
    caps = {"region_code": args.cap_region_mw, "grid_zone": args.cap_zone_mw}
    cases = {
        "caps": dict(constraints={"caps_mw": caps}),
        "caps, full plant, block": dict(
            constraints={"caps_mw": caps}, plant="full", min_block_mw=args.min_block_mw
        ),
    }
    first = None
    for name, kw in cases.items():
        ts = time.perf_counter()
        p = portfolio(res, args.target_mw, **kw)
        te = time.perf_counter()
        first = first or p
        print(
            f"portfolio [{name}]: {te - ts:.2f} s wall (solve {p.solve_seconds:.2f} s), "
            f"status {p.status}, gap {p.mip_gap:.2g}, {int(p.sites['chosen'].sum())} sites, "
            f"{p.built_mw:,.0f} MW, co2_scope2_t {p.objective_value:,.4g}"
        )
    ts = time.perf_counter()
    pw = portfolio(res, args.target_mw, objective="water_onsite", constraints={"caps_mw": caps})
    print(f"portfolio [caps, least water]: {time.perf_counter() - ts:.2f} s wall, {pw.status}")
    # a water budget halfway between the least-water and the least-carbon portfolio's water
    lo, hi = pw.totals["water_onsite_m3"], first.totals["water_onsite_m3"]
    budget = lo + 0.5 * (hi - lo)
    ts = time.perf_counter()
    p = portfolio(
        res,
        args.target_mw,
        constraints={"caps_mw": caps, "budgets": {"water_onsite_m3": budget}},
    )
    te = time.perf_counter()
    print(
        f"portfolio [caps + water budget {budget:,.4g} m3]: {te - ts:.2f} s wall (solve "
        f"{p.solve_seconds:.2f} s), status {p.status}, gap {p.mip_gap:.2g}, "
        f"co2_scope2_t {p.objective_value:,.4g}, binding "
        f"{', '.join(b for b in p.binding if not b.startswith('cap ')) or '-'}"
    )
    ts = time.perf_counter()
    p = portfolio(
        res,
        args.target_mw,
        constraints={"caps_mw": caps, "budgets": {"water_onsite_m3": 0.9 * lo}},
    )
    print(
        f"portfolio [infeasible: water budget 90 % of the least]: "
        f"{time.perf_counter() - ts:.2f} s wall, {p.status}, binding {', '.join(p.binding)}"
    )
    print(f"total: {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
