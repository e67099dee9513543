"""Benchmark of the climate join (not a timed test).

Usage::

    python benchmarks/bench_climate.py             # 100,000 random land/sea sites
    python benchmarks/bench_climate.py --n 1000000

Prints the wall time of the first join (file loading included) and of a second join
(layers cached), and the peak resident set size of the process.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd


def peak_rss_mb() -> float:
    """Peak resident set size of this process [MB] (ru_maxrss is KiB on Linux)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024.0 if sys.platform != "darwin" else r / 1024.0 / 1024.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    args = ap.parse_args(argv)

    from siting.join import join_layers
    from siting.sites import from_frame

    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in range(args.n)],
            "lat": rng.uniform(-60, 75, args.n),
            "lon": rng.uniform(-180, 180, args.n),
        }
    )
    sites = from_frame(df)
    for label in ("first join (loads layers)", "second join (cached)"):
        t0 = time.perf_counter()
        j = join_layers(sites, families=("climate",))
        dt = time.perf_counter() - t0
        n_est = int((j["climate_level"] == "estimate_monthly").sum())
        print(f"{label}: {args.n:,} sites in {dt:.2f} s ({n_est:,} with a wet-bulb estimate)")
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
