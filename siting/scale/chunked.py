"""Screening on one machine: chunks in row order (in this process or a pool of forked
worker processes), each streamed to the pass-1 store, then ranked and written once."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from siting.errors import ConfigError
from siting.scale.chunk import screen_parts
from siting.scale.climate_cells import distinct_cells
from siting.scale.common import (
    DEFAULT_CHUNK_SIZE,
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
from siting.scale.store import SummaryStore, pass1_store, rank_and_write, to_arrow


def _chunks(n: int, size: int) -> Iterator[slice]:
    for s in range(0, n, size):
        yield slice(s, min(s + size, n))


def chunk_result(chunk: gpd.GeoDataFrame, start: int, job: dict) -> tuple:
    """One chunk, start to finish: summary -> Arrow table, decision table, coverage,
    climate-cell keys, assumptions (runs in the parent or in a pool worker)."""
    from siting.join import coverage

    other = job.get("other_scenario")
    choice = job.get("cooling_choice")
    parts = screen_parts(
        chunk,
        job["fleet"],
        job["scenario"],
        job["facility"],
        data_dir=job["data_dir"],
        climate_cell_deg=job["climate_cell_deg"],
        join_options=job["join_options"],
        other_scenario=other,
        cooling_choice=choice,
    )
    base, block, assumptions = parts[:3]
    block[ROW] = np.arange(start, start + len(block), dtype=np.int64)
    names = list(base.columns) + list(block.columns)

    def col(c: str) -> pd.Series:
        return block[c] if c in block.columns else base[c]

    dcols = decision_columns(names, job["weights"], job["exclusions"])
    decision = pd.DataFrame({c: col(c) for c in [*dcols, ROW]})
    if other is not None:
        decision = _with_other_future(decision, parts.other, dcols, col, names)
    cov = coverage(pd.DataFrame({c: col(c) for c in level_columns(names)}))
    keys = distinct_cells(base["lat"], base["lon"], job["climate_cell_deg"])
    # the summary's layout (base columns, model block, geometry last) without building
    # the wide pandas table: Arrow tables are joined column-wise without copying
    t_base = to_arrow(base)
    t_block = to_arrow(block)
    cols = [c for c in t_base.column_names if c != "geometry"]
    arrays = [t_base.column(c) for c in cols] + list(t_block.columns)
    names_out = cols + t_block.column_names
    if "geometry" in t_base.column_names:
        arrays.append(t_base.column("geometry"))
        names_out.append("geometry")
    table = pa.Table.from_arrays(arrays, names=names_out)
    designs = None if parts.designs is None else to_arrow(parts.designs)
    return table, decision, cov, keys, assumptions, designs


#: Columns of the model summary that :func:`siting.decide.futures.compare_futures`
#: reads besides the ranking's (lifetime totals and their after-product part).
FUTURE_COLUMNS = (
    "co2_scope2_t",
    "water_onsite_m3",
    "water_offsite_m3",
    "energy_cost_usd",
    "facility_energy_mwh",
    "co2_scope2_t_after_product",
    "water_onsite_m3_after_product",
    "water_offsite_m3_after_product",
    "facility_energy_mwh_after_product",
    "energy_cost_usd_after_product",
)

#: Suffix of the other future's columns in a decision table.
OTHER = "@other"


def _with_other_future(decision, block2, dcols, col, names) -> pd.DataFrame:
    """The decision table plus what comparing the two futures needs: this future's
    :data:`FUTURE_COLUMNS`, and the other future's model columns suffixed ``@other``."""
    extra = {c: col(c) for c in FUTURE_COLUMNS if c in names and c not in decision.columns}
    for c in dict.fromkeys([*dcols, *FUTURE_COLUMNS]):
        if c in block2.columns:
            extra[c + OTHER] = block2[c]
    return decision.assign(**extra)


class DesignsWriter:
    """The trade-off rows site x cooling design of every chunk streamed to ``path``
    (Parquet, written to a hidden part file and moved into place on :meth:`close`)."""

    def __init__(self, path: str | os.PathLike) -> None:
        from pathlib import Path

        self.path = Path(path)
        self.part = self.path.with_name(f".{self.path.name}.part")
        self.writer = None
        self.rows = 0

    def append(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(
                self.part, table.schema, compression="zstd", compression_level=1
            )
        elif table.schema != self.writer.schema:
            table = table.select(self.writer.schema.names).cast(self.writer.schema)
        self.writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self.rows += table.num_rows

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            os.replace(self.part, self.path)

    def cleanup(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.part.unlink(missing_ok=True)


def designs_path(out: str | os.PathLike):
    """Where :func:`screen` streams the trade-off rows next to its output
    (``x.parquet`` -> ``x.designs.parquet``)."""
    from pathlib import Path

    out = Path(out)
    return out.with_name(f"{out.stem}.designs.parquet")


def warm_up(sites: gpd.GeoDataFrame, job: dict, workers: int) -> None:
    """Load, in this process, what every chunk reads, before the chunk workers are
    forked: the layers and the model's tables (a small spread sample of the sites
    through :func:`chunk_result`), the polygon layers' label indexes, and the climate of
    every distinct climate cell of ``sites`` (the cells are known from the coordinates;
    computed by ``workers`` forked processes, cached here)."""
    from siting.scale.parallel import build_label_indexes, warm_climate

    take = np.unique(np.linspace(0, len(sites) - 1, min(len(sites), 256)).astype(np.int64))
    chunk_result(sites.iloc[take], 0, job)
    build_label_indexes(len(sites))
    opts = dict(job.get("join_options") or {})
    cell = job.get("climate_cell_deg")
    if not (cell is None or "weather_file" in sites.columns or "weather_files" in opts):
        warm_climate(
            sites["lat"], sites["lon"], cell_deg=float(cell), data_dir=job.get("data_dir"),
            join_options=opts, workers=workers,
        )  # fmt: skip


def _chunk_task(state: dict, task: tuple[int, int]) -> tuple:
    """One chunk in a forked worker (:func:`siting.scale.parallel.ordered_map`)."""
    start, stop = task
    return chunk_result(state["sites"].iloc[start:stop], start, state["job"])


def chunk_plan(n: int, chunk_size: int | None, workers: int | None) -> tuple[list[slice], int]:
    """The chunks (row slices) and the worker processes that compute them.

    ``chunk_size`` None: :data:`DEFAULT_CHUNK_SIZE` divided by the workers, so that
    the chunks being computed at once hold about the memory of one default chunk."""
    from siting.scale.parallel import resolve_workers

    w = resolve_workers(workers)
    size = int(chunk_size) if chunk_size else max(1, DEFAULT_CHUNK_SIZE // w)
    slices = list(_chunks(n, size))
    return slices, min(w, max(len(slices), 1))


def run_chunks(sites: gpd.GeoDataFrame, slices: list[slice], workers: int, job: dict):
    """Chunk results in row order: in this process (``workers`` 1), or computed by
    ``workers`` forked processes after :func:`warm_up` (the same results)."""
    if workers <= 1 or len(slices) <= 1:
        for sl in slices:
            yield chunk_result(sites.iloc[sl], sl.start, job)
        return
    from siting.scale.parallel import ordered_map

    warm_up(sites, job, workers)
    tasks = [(sl.start, sl.stop) for sl in slices]
    yield from ordered_map(_chunk_task, tasks, {"sites": sites, "job": job}, workers)


# Long only by its 15 parameters and their documentation: the body is 24 lines.
def screen(
    sites,
    fleet=None,
    scenario=None,
    *,
    facility=None,
    out: str | os.PathLike | None = None,
    chunk_size: int | None = None,
    data_dir: str | os.PathLike | None = None,
    weights: Mapping[str, float] | str | None = None,
    exclusions=None,
    force_include: Sequence[str] | None = None,
    climate_cell_deg: float | None = DEFAULT_CLIMATE_CELL_DEG,
    join_options: Mapping[str, Any] | None = None,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    workers: int | None = None,
    progress: bool = True,
    cooling_choice=None,
) -> ScreenResult:
    """Join, model and rank any number of sites in chunks, writing GeoParquet.

    Parameters
    ----------
    sites
        Sites file or table (e.g. :func:`siting.grid.generate_grid`).
    fleet, scenario, facility
        Model configuration (defaults: 50,000 H100-SXM, the default scenario,
        hyperscale evaporative facility).
    out
        Output ``.parquet`` path (GeoParquet 1.0, WKB points, EPSG:4326), one row per
        site in input order.
    chunk_size
        Sites per chunk (bounds memory; default :data:`DEFAULT_CHUNK_SIZE` divided by
        the workers).
    data_dir
        Extra data directory.
    weights, exclusions, force_include
        As in :func:`siting.decide.rank`.
    climate_cell_deg
        Climate computed once per cell of this size [degrees] (default: the ERA5 0.25
        degree grid); ``None`` computes it per site (slower, as ``join_layers``).
    join_options
        Passed to :func:`siting.join.join_layers`.
    memory_bytes
        Chunk results are kept in memory (Arrow, text dictionary-encoded, ~1 GB per
        million sites) up to this many bytes, then spilled to a temporary Parquet file
        next to ``out``.
    workers
        Processes computing chunks in parallel (default ``min(2, os.cpu_count())``; 1:
        every chunk in this process). With more than one, the layers, their indexes
        and the climate of every climate cell of the sites are prepared here, then the
        workers are forked and share them (:mod:`siting.scale.parallel`; where the
        platform cannot fork, 1 with a warning). Results are identical for any number
        (same rows, order and values).
    progress
        Show a progress bar (tqdm) on stderr.
    cooling_choice
        A :class:`siting.model.CoolingChoice` (``--cooling auto``): the design chosen
        per site, in each chunk, by the same :func:`siting.model.assess` call as the
        in-memory path (so the same design and totals per site); ``cooling_design`` and
        ``cooling_reason`` are columns of ``out`` and the trade-off rows of every site x
        feasible design are streamed to ``x.designs.parquet`` next to ``out``
        (``ScreenResult.designs_path``; no CSV at this size). The ``weights`` objective
        needs no global pass: it normalises each criterion by the best design at the
        same site (:mod:`siting.model.auto`), so a site's choice does not depend on the
        other sites or on the chunking.

    Returns
    -------
    ScreenResult
    """
    out_path = check_out(out)
    if chunk_size is not None and (not isinstance(chunk_size, int | np.integer) or chunk_size < 1):
        raise ConfigError(f"chunk_size must be a positive integer, got {chunk_size}")
    t0 = time.perf_counter()
    sites = prepare_sites(sites)
    n = len(sites)
    timings = {"read": time.perf_counter() - t0}
    store = pass1_store(out_path, memory_bytes)
    job = dict(
        fleet=fleet,
        scenario=scenario,
        facility=facility,
        data_dir=data_dir,
        climate_cell_deg=climate_cell_deg,
        join_options=join_options,
        weights=weights,
        exclusions=exclusions,
        cooling_choice=cooling_choice,
    )
    designs = None if cooling_choice is None else DesignsWriter(designs_path(out_path))
    t1 = time.perf_counter()
    first = chunk_pass(
        sites, job, store, chunk_size=chunk_size, workers=workers, progress=progress,
        designs=designs,
    )  # fmt: skip
    timings["join_model"] = time.perf_counter() - t1
    res = rank_and_write(first, store, out_path, (weights, exclusions, force_include), timings, n)
    if designs is not None:
        res.designs_path = designs.path
    return res


def chunk_pass(
    sites: gpd.GeoDataFrame,
    job: dict,
    store: SummaryStore,
    *,
    chunk_size: int | None = None,
    workers: int | None = None,
    progress: bool = True,
    designs: DesignsWriter | None = None,
) -> PassOne:
    """Pass 1 of :func:`screen`: every chunk's summary appended to ``store`` (closed at
    the end; cleaned up on error), the small tables kept in memory.

    ``job`` holds the keyword arguments of :func:`chunk_result` (``fleet``,
    ``scenario``, ``facility``, ``data_dir``, ``climate_cell_deg``, ``join_options``,
    ``weights``, ``exclusions``, optionally ``other_scenario`` and ``cooling_choice``).
    With a cooling choice each chunk's trade-off rows are appended to ``designs``
    (moved into place at the end; removed on error). ``chunk_size`` and ``workers``:
    :func:`chunk_plan`; the results are consumed in chunk order whatever the workers.
    """
    from tqdm.auto import tqdm

    decisions: list[pd.DataFrame] = []
    cover: list[pd.DataFrame] = []
    assumptions = pd.DataFrame()
    cells: set[int] = set()
    slices, w = chunk_plan(len(sites), chunk_size, workers)
    desc = "screen" if w == 1 else f"screen ({w} workers)"
    bar = tqdm(total=len(sites), unit="site", disable=not progress, desc=desc)
    try:
        for table, decision, cov, keys, assum, dtab in run_chunks(sites, slices, w, job):
            assumptions = assum
            store.append(table)
            if designs is not None and dtab is not None:
                designs.append(dtab)
            decisions.append(decision)
            cover.append(cov)
            cells.update(keys.tolist())
            bar.update(table.num_rows)
    except BaseException:
        store.cleanup()
        if designs is not None:
            designs.cleanup()
        raise
    finally:
        bar.close()
    store.close()
    if designs is not None:
        designs.close()
    return PassOne(decisions, coverage_table(cover, len(sites)), assumptions, len(cells))
