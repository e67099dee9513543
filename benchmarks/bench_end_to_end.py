"""End to end: sites -> every layer joined -> 20-year monthly model -> ranking -> GeoParquet.

One case per process (``run_all.py`` spawns them)::

    python benchmarks/bench_end_to_end.py --case e2e_ours --n 1000000
    python benchmarks/bench_end_to_end.py --case e2e_loop --n 10000 --sub 100
    python benchmarks/bench_end_to_end.py --case e2e_dask --n 1000000

Sites: a regular equal-area grid over the United States (Natural Earth admin-0 polygon,
land only) whose spacing gives about N cells (``spacing = sqrt(area / N)``), built
before the timed section. Model: 50,000 H100-SXM GPUs, 20-year commitment at monthly
resolution, product shut down after 2 years, fleet idling afterwards; hyperscale
evaporative facility. Embedded data only (no SITING_DATA_DIR).

* ``e2e_ours``: :func:`siting.scale.screen` (default chunk size, climate once per
  0.25-degree cell), writing GeoParquet.
* ``e2e_ours_w2``: the same with ``workers=2`` (two spawned processes, chunks of
  100,000), start-up included.
* ``e2e_loop``: the straightforward per-site loop a user would write: for each site,
  ``join_layers`` on a one-row table and ``assess`` on it; then ``decide.rank`` on the
  concatenated summaries. Timed on a random subsample and extrapolated.
* ``e2e_dask``: :func:`siting.scale.screen_dask` on a ``LocalCluster`` of 2
  single-threaded process workers, cluster start-up included.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_all import emit, measure  # noqa: E402

REGION = "USA"


def config():
    from siting.model import Facility, Fleet, Scenario

    return (
        Fleet(gpu="H100-SXM", gpus=50_000),
        Scenario(commitment_years=20, product_years=2.0, after="idle"),
        Facility(),
    )


def sites_for(n: int):
    """A land-only regular grid over the region with about n cells."""
    import time

    from siting.grid import _geodesic_area_km2, generate_grid, region_geometry

    t0 = time.perf_counter()
    geom, _, _ = region_geometry(REGION)
    spacing = float(np.sqrt(_geodesic_area_km2(geom) / n))
    g = generate_grid(REGION, kind="regular", spacing_km=spacing, max_cells=max(2 * n, 10))
    return g, spacing, time.perf_counter() - t0


def e2e_ours(n: int, sub: int | None, workers: int = 1) -> dict:
    from siting.scale import DEFAULT_CHUNK_SIZE, screen

    sites, spacing, t_grid = sites_for(n)
    fleet, scenario, facility = config()
    out = Path(tempfile.mkdtemp()) / "screen.parquet"
    chunk = DEFAULT_CHUNK_SIZE if workers == 1 else 100_000

    def run():
        run.res = screen(
            sites,
            fleet,
            scenario,
            facility=facility,
            out=out,
            progress=False,
            workers=workers,
            chunk_size=chunk,
        )

    rec = measure(run, n=len(sites))
    rec["stages_s"] = {k: round(v, 3) for k, v in run.res.timings.items()}
    rec["climate_cells"] = run.res.climate_cells
    rec["file_mb"] = out.stat().st_size / 2**20
    rec["note"] = (
        (f"workers={workers}, chunk {chunk:,}; " if workers > 1 else "")
        + f"{len(sites):,} sites, {REGION} grid {spacing:.2f} km (grid built in {t_grid:.1f} s, "
        f"not timed); {run.res.climate_cells:,} climate cells; stages "
        + ", ".join(f"{k} {v:.1f} s" for k, v in run.res.timings.items() if k != "total")
    )
    out.unlink(missing_ok=True)
    return rec


def e2e_ours_w2(n: int, sub: int | None) -> dict:
    return e2e_ours(n, sub, workers=2)


def e2e_loop(n: int, sub: int | None) -> dict:
    import geopandas as gpd
    import pandas as pd

    from siting.decide import rank
    from siting.join import join_layers
    from siting.model import assess

    sites, spacing, _ = sites_for(n)
    fleet, scenario, facility = config()
    m = min(sub or len(sites), len(sites))
    pick = np.sort(np.random.default_rng(0).choice(len(sites), m, replace=False))
    subset = sites.iloc[pick]
    join_layers(subset.iloc[:1])  # warm the layer caches (file reads) before timing

    def run():
        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(m):
                one = subset.iloc[i : i + 1]
                joined = join_layers(one)
                rows.append(assess(joined, fleet, scenario, facility).summary)
        summary = gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), crs=4326)
        run.ranked = rank(summary)

    rec = measure(run, n=len(sites), n_timed=m)
    rec["note"] = f"{len(sites):,} sites, {REGION} grid {spacing:.2f} km"
    return rec


def e2e_dask(n: int, sub: int | None) -> dict:
    from siting.scale import screen_dask

    sites, spacing, _ = sites_for(n)
    fleet, scenario, facility = config()
    out = Path(tempfile.mkdtemp()) / "screen_dask.parquet"

    def run():
        run.res = screen_dask(
            sites, fleet, scenario, facility=facility, out=out, n_workers=2, processes=True
        )

    rec = measure(run, n=len(sites))
    rec["note"] = (
        f"{len(sites):,} sites; 2 process workers, cluster start-up included; memory is "
        "client + workers"
    )
    out.unlink(missing_ok=True)
    return rec


CASES = {f.__name__: f for f in (e2e_ours, e2e_ours_w2, e2e_loop, e2e_dask)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--sub", type=int, default=None, help="time on this many sites, extrapolate")
    args = ap.parse_args(argv)
    os.environ.pop("SITING_DATA_DIR", None)
    emit(CASES[args.case](args.n, args.sub))
    return 0


if __name__ == "__main__":
    sys.exit(main())
