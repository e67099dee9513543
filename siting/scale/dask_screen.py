"""Screening on a Dask cluster: the site table as Hilbert-ordered partitions,
:func:`siting.scale.chunk.screen_chunk` on the workers, the decision table ranked on the
client and the partitions streamed to the same GeoParquet writer.

(Named ``dask_screen`` so that it never shadows the ``dask`` library.)"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.scale.chunk import screen_chunk
from siting.scale.climate_cells import distinct_cells
from siting.scale.common import (
    DEFAULT_CLIMATE_CELL_DEG,
    DEFAULT_MEMORY_BYTES,
    ROW,
    PassOne,
    ScreenResult,
    check_out,
    coverage_table,
    decision_columns,
    level_columns,
    prepare_sites,
)
from siting.scale.store import SummaryStore, pass1_store, rank_and_write


def _dask_partition(
    part: pd.DataFrame,
    fleet,
    scenario,
    facility,
    data_dir,
    climate_cell_deg,
    join_options,
) -> pd.DataFrame:
    """``map_partitions`` body: :func:`screen_chunk` with geometry as WKB bytes."""
    if len(part) == 0:
        return _EMPTY_META.get("meta", pd.DataFrame())
    args = (fleet, scenario, facility, data_dir, climate_cell_deg, join_options)
    return _screen_partition(part, args)[0]


def _screen_partition(part: pd.DataFrame, args: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`screen_chunk` of a partition: the summary as a plain DataFrame (geometry
    as WKB bytes, repeated text as categoricals) and the assumptions table. ``args``:
    ``(fleet, scenario, facility, data_dir, climate_cell_deg, join_options)``."""
    fleet, scenario, facility, data_dir, climate_cell_deg, join_options = args
    gdf = gpd.GeoDataFrame(pd.DataFrame(part), geometry="geometry", crs="EPSG:4326")
    summary, assumptions = screen_chunk(
        gdf,
        fleet,
        scenario,
        facility,
        data_dir=data_dir,
        climate_cell_deg=climate_cell_deg,
        join_options=join_options,
    )
    df = pd.DataFrame(summary)
    df["geometry"] = shapely.to_wkb(np.asarray(summary.geometry.values, dtype=object))
    # repeated text as categoricals: ~10x smaller on the workers and on the wire, and
    # they arrive in Arrow as the dictionary columns the writer wants
    for c in df.columns:
        if c != "site_id" and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c])):
            if c != "geometry" and df[c].notna().any():
                df[c] = df[c].astype("category")
    return df, assumptions


_EMPTY_META: dict[str, pd.DataFrame] = {}


def _hilbert_partitions(client, base: gpd.GeoDataFrame, nparts: int):
    """A dask-geopandas GeoDataFrame of ``base`` cut into ``nparts`` spatially coherent
    partitions: rows sorted by Hilbert distance (level 16 over the sites' bounds, as
    ``dask_geopandas``' ``spatial_shuffle(by="hilbert")``), cut into equal runs, and
    scattered to the workers. Sorting the in-memory table here is a numpy argsort; a
    Dask shuffle of a table already in the client would cost more (7.6 s vs 0.1 s for
    100,000 sites) and embed the data in the task graph."""
    import dask.dataframe as dd
    import dask_geopandas

    n = len(base)
    if n > 1 and nparts > 1:
        h = base.geometry.hilbert_distance(total_bounds=base.total_bounds, level=16)
        order = np.argsort(h.to_numpy(), kind="stable")
    else:
        order = np.arange(n)
    cuts = np.linspace(0, n, nparts + 1).round().astype(int)
    parts = [base.iloc[order[a:b]] for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
    futures = client.scatter(parts)
    ddf = dd.from_delayed(futures, meta=base.iloc[:0], verify_meta=False)
    if not isinstance(ddf, dask_geopandas.GeoDataFrame):
        ddf = dask_geopandas.from_dask_dataframe(ddf, geometry=base.geometry.name)
    return ddf


def _client(scheduler_address: str | None, n_workers: int, processes: bool):
    import logging

    from dask.distributed import Client, LocalCluster

    # the P2P shuffle of spatial_shuffle logs every (normal) shuffle restart as a warning
    logging.getLogger("distributed.shuffle._scheduler_plugin").setLevel(logging.ERROR)
    address = scheduler_address or os.environ.get("SITING_DASK_SCHEDULER") or None
    if address:
        return Client(address), None
    import dask

    # Dask's default MALLOC_TRIM_THRESHOLD_=65536 for worker processes disables glibc's
    # dynamic mmap threshold: every numpy temporary above 128 KiB is then mmapped and
    # unmapped, and the vectorized climate/model code ran 2-3x slower in workers than
    # in the client. The thread limits are kept (one thread per worker).
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",
        )
    return Client(cluster), cluster


# Long only by its 18 parameters and their documentation: the body is 42 lines.
def screen_dask(
    sites,
    fleet=None,
    scenario=None,
    *,
    facility=None,
    out: str | os.PathLike | None = None,
    npartitions: int | None = None,
    data_dir: str | os.PathLike | None = None,
    weights: Mapping[str, float] | str | None = None,
    exclusions=None,
    force_include: Sequence[str] | None = None,
    climate_cell_deg: float | None = DEFAULT_CLIMATE_CELL_DEG,
    join_options: Mapping[str, Any] | None = None,
    scheduler_address: str | None = None,
    n_workers: int = 2,
    processes: bool = True,
    client=None,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    progress: bool = False,
) -> ScreenResult:
    """:func:`screen` on a Dask cluster (same per-chunk function, same results).

    Parameters
    ----------
    sites, fleet, scenario, facility, out, data_dir, weights, exclusions, force_include,
    climate_cell_deg, join_options, memory_bytes
        As in :func:`screen`. Rows are written in the Hilbert (spatial) order of the
        partitions, not the input order; sort by ``site_id`` to compare.
    npartitions
        Partitions of the site table (default: one per 50,000 sites, at least one per
        worker).
    scheduler_address
        ``tcp://host:8786`` of a running ``dask.distributed`` scheduler; default the
        ``SITING_DASK_SCHEDULER`` environment variable, else a ``LocalCluster`` of
        ``n_workers`` single-threaded workers (process workers unless
        ``processes=False``). Workers need ``siting`` installed and the data
        directories at the same paths.
    client
        An existing ``dask.distributed.Client`` (overrides the above).
    progress
        Show Dask's progress bar while partitions are computed.

    Returns
    -------
    ScreenResult
    """
    out_path = check_out(out)
    t0 = time.perf_counter()
    sites = prepare_sites(sites)
    n = len(sites)
    own = None
    if client is None:
        client, own = _client(scheduler_address, n_workers, processes)
        own = (client, own)
    timings = {"read": time.perf_counter() - t0}
    store = pass1_store(out_path, memory_bytes)
    try:
        t1 = time.perf_counter()
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        nparts = npartitions or max(workers, int(np.ceil(n / 50_000)))
        base = sites.copy()
        base[ROW] = np.arange(n, dtype=np.int64)
        base = base.reset_index(drop=True)
        ddf = _hilbert_partitions(client, base, max(1, min(nparts, n)))
        args = (fleet, scenario, facility, data_dir, climate_cell_deg, join_options)
        # meta from a two-site sample (column names and dtypes of the summary)
        meta, assumptions = _screen_partition(base.iloc[: min(2, n)], args)
        meta = meta.iloc[:0]
        _EMPTY_META["meta"] = meta
        res = ddf.map_partitions(_dask_partition, *args, meta=meta, enforce_metadata=False)
        # partitions are computed concurrently and fetched in order; each result is
        # released on the workers as soon as the client has stored it (bounded memory)
        futures = client.compute(res.to_delayed())
        if progress:
            from dask.distributed import progress as dask_progress

            dask_progress(futures)
        first = _gather_partitions(futures, store, meta, weights, exclusions, climate_cell_deg, n)
        first.assumptions = assumptions
        timings["join_model"] = time.perf_counter() - t1
        ranking = (weights, exclusions, force_include)
        return rank_and_write(first, store, out_path, ranking, timings, n)
    finally:
        store.cleanup()
        if own is not None:
            own[0].close()
            if own[1] is not None:
                own[1].close()


def _gather_partitions(
    futures: list,
    store: SummaryStore,
    meta: pd.DataFrame,
    weights,
    exclusions,
    climate_cell_deg,
    n: int,
) -> PassOne:
    """Fetch the partition results in order, each stored and released at once (bounded
    memory); one decision table (``ROW`` = row in the written file), the coverage and
    the number of distinct climate cells (assumptions left empty). Closes ``store``."""
    from siting.join import coverage

    dcols = decision_columns(list(meta.columns), weights, exclusions)
    cover_cols = level_columns(list(meta.columns))
    decisions, covers, written, keys = [], [], [], []
    for i in range(len(futures)):
        df = futures[i].result()
        futures[i].release()
        futures[i] = None
        if not len(df):
            continue
        df = df.sort_values(ROW, kind="stable")
        d = pd.DataFrame(df[[*dcols, ROW]])
        cats = [c for c in d.columns if isinstance(d[c].dtype, pd.CategoricalDtype)]
        decisions.append(d.astype({c: object for c in cats}))
        covers.append(coverage(pd.DataFrame(df[cover_cols]).astype(object)))
        if climate_cell_deg is not None:
            keys.append(distinct_cells(df["lat"], df["lon"], climate_cell_deg))
        written.append(df[ROW].to_numpy(np.int64))
        store.write(df)
        del df
    decision = pd.concat(decisions, ignore_index=True)
    cov = coverage_table(covers, n)
    cells = int(np.unique(np.concatenate(keys)).size) if keys else 0
    store.close()
    # rank rows follow the written order: map ROW (input position) to output row
    order = np.concatenate(written) if written else np.zeros(0, dtype=np.int64)
    filerow = np.empty(n, dtype=np.int64)
    filerow[order] = np.arange(n)
    decision[ROW] = filerow[decision[ROW].to_numpy(np.int64)]
    return PassOne([decision.reset_index(drop=True)], cov, pd.DataFrame(), cells)
