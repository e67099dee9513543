"""The main job on the chunked engine: ``siting.run`` for inputs of any size.

The chunk pass is the one of :func:`siting.scale.screen` (same :func:`chunk_result`,
same global ranking, same GeoParquet writer), so a site gets bit-identical numbers
from ``run`` and ``screen``. The other future (:mod:`siting.decide.futures`) is a second
model call on the same distinct model-input rows of each chunk; both futures are ranked
globally after the pass. Only a small decision table per site stays in memory; the
report gets the top sites (read back from the GeoParquet with a filter) and a few
columns of every site for its distributions and map.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from siting.scale.chunked import OTHER, DesignsWriter, chunk_pass
from siting.scale.common import DEFAULT_CLIMATE_CELL_DEG, ROW, rank_rows
from siting.scale.store import pass1_store, ranked_batches, write_ranked

#: Sites shown in full in the HTML/PDF report and the XLSX workbook of a large run.
DEFAULT_REPORT_TOP = 200

#: Columns of every site kept for the report's distributions and map.
POINT_COLUMNS = (
    "site_id",
    "lon",
    "lat",
    "score",
    "rank",
    "excluded",
    "co2_scope2_t",
    "water_onsite_m3",
    "water_scarcity_weighted_m3",
    "energy_cost_usd",
    "pue_annual",
)


@dataclass
class LargeRun:
    """What a run on the chunked engine keeps besides the top sites.

    Attributes
    ----------
    n_sites : int
        Sites in the run (every one is in ``path``).
    path : Path
        The GeoParquet file with every site.
    report_top : int
        Sites the report and workbook list in full (the best by rank).
    points : DataFrame
        :data:`POINT_COLUMNS` of every site, for distributions and the map.
    timings : dict
        Wall time per stage [s].
    climate_cells : int
        Distinct climate cells evaluated.
    designs_path : Path or None
        With a cooling choice: the trade-off rows site x design of every site
        (``designs.parquet``; the top sites' rows are ``assessment.designs``).
    cooling_choice : siting.model.CoolingChoice or None
        The per-site design choice of the run (re-applied by batch outputs).
    writes : siting.scale.background.PendingWrites or None
        The writes of ``path`` (and the every-site GeoPackage) until :meth:`finish`.
    """

    n_sites: int
    path: Path
    report_top: int
    points: pd.DataFrame
    timings: dict = field(default_factory=dict)
    climate_cells: int = 0
    designs_path: Path | None = None
    cooling_choice: object = None
    writes: object = None

    def finish(self) -> dict[str, Path]:
        """Wait for ``sites.parquet`` (and the GeoPackage) to be complete; their paths
        (``sites.parquet``, ``gpkg``). Raises the first error of the writes."""
        if self.writes is None:
            return {"sites.parquet": self.path}
        paths = self.writes.finish()
        self.timings.update({f"write {k}": v for k, v in self.writes.seconds.items()})
        return paths

    def abort(self) -> None:
        """Stop the writes still running and wait for them (no partial file stays)."""
        if self.writes is not None:
            self.writes.abort()


def _in_thread(fn, *args):
    """``fn(*args)`` in a thread of its own (its future): the two futures' rankings
    overlap where NumPy sorts and reduces without the GIL."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix="siting-futures")
    try:
        return pool.submit(fn, *args)
    finally:
        pool.shutdown(wait=False)  # the thread ends with ``fn``


def _future_tables(decision: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The decision table (row order) as the summaries of this run's future and of the
    other one, sharing its columns (no copy of either)."""
    main_cols = [c for c in decision.columns if not c.endswith(OTHER) and c != ROW]
    this = pd.DataFrame({c: decision[c] for c in main_cols}, copy=False)
    other = pd.DataFrame(
        {
            c: decision[c + OTHER] if c + OTHER in decision.columns else decision[c]
            for c in main_cols
        },
        copy=False,
    )
    for c in decision.columns:  # an other-future column without a counterpart
        if c.endswith(OTHER) and c[: -len(OTHER)] not in other.columns:
            other[c[: -len(OTHER)]] = decision[c]
    return this, other


def _futures_extra(
    this, other, ranked_this, ranked_other, scenario, shut_down, job, carbon
) -> pd.DataFrame:
    """:func:`compare_futures` of the two futures' summaries (row order), each already
    ranked (:func:`rank_rows`, row order: not ranked again)."""
    from siting.decide.futures import compare_futures

    alive = scenario.product_years is None  # this run's future is the one that survives
    survives, shut = (this, other) if alive else (other, this)
    r_surv, r_shut = (ranked_this, ranked_other) if alive else (ranked_other, ranked_this)
    return compare_futures(
        survives,
        shut,
        shut_down,
        weights=job["weights"],
        exclusions=job["exclusions"],
        force_include=job["force_include"],
        carbon_price_usd_per_t=carbon,
        ranked_survives=r_surv,
        ranked_shut_down=r_shut,
    )


def run_large(
    sites,
    fleet,
    scenario,
    facility,
    *,
    out_dir: str | os.PathLike,
    data_dir=None,
    weights=None,
    exclusions=None,
    force_include=None,
    join_options=None,
    futures: bool = True,
    carbon_price_usd_per_t: float | None = None,
    chunk_size: int | None = None,
    climate_cell_deg: float | None = DEFAULT_CLIMATE_CELL_DEG,
    report_top: int = DEFAULT_REPORT_TOP,
    progress: bool = True,
    inputs: list[str] | None = None,
    cooling_choice=None,
    workers: int | None = None,
    gpkg: str | os.PathLike | None = None,
    wait: bool = True,
):
    """Join, model (both futures), rank and write ``sites.parquet`` in chunks.

    Returns a :class:`siting.pipeline.RunResult` whose ``ranked``, ``joined`` and
    ``assessment`` hold the top ``report_top`` sites and whose ``large`` is a
    :class:`LargeRun` (every site is in ``out_dir/sites.parquet``).

    With ``cooling_choice`` the design is chosen per site in each chunk, as in
    :func:`siting.scale.screen` (both futures choose independently, as the in-memory
    path does); the trade-off rows of every site stream to ``out_dir/designs.parquet``
    and ``assessment.designs`` holds those of the top sites.

    ``chunk_size`` and ``workers`` as in :func:`siting.scale.screen` (chunks computed
    by forked worker processes, consumed in chunk order: the same results).

    ``gpkg``: also write every site (:func:`siting.scale.large_outputs.gpkg_columns`)
    to this GeoPackage. ``wait`` False: return as soon as the top sites are known, with
    ``sites.parquet`` (and the GeoPackage) still being written
    (:mod:`siting.scale.background`); the caller renders its reports meanwhile, then
    calls ``result.large.finish()`` (or ``result.large.abort()`` on its own error).
    """
    from siting.decide import DEFAULT_WEIGHTS
    from siting.decide.futures import futures_scenarios
    from siting.pipeline import RunResult
    from siting.scale.common import prepare_sites

    t0 = time.perf_counter()
    # a one-element list hands the table over: it is released after the chunk pass
    sites = prepare_sites(sites.pop() if isinstance(sites, list) else sites)
    n = len(sites)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "sites.parquet"
    w = dict(weights) if weights else dict(DEFAULT_WEIGHTS)
    survives, shut_down, is_example = futures_scenarios(scenario)
    job = dict(
        fleet=fleet,
        scenario=scenario,
        facility=facility,
        data_dir=data_dir,
        climate_cell_deg=climate_cell_deg,
        join_options=dict(join_options or {}),
        weights=w,
        exclusions=list(exclusions or []),
        force_include=force_include,
        cooling_choice=cooling_choice,
    )
    designs = None if cooling_choice is None else DesignsWriter(out / "designs.parquet")
    if futures:
        job["other_scenario"] = shut_down if scenario.product_years is None else survives
    timings = {"read": time.perf_counter() - t0}
    store = pass1_store(path, 1_500_000_000)
    t1 = time.perf_counter()
    first = chunk_pass(
        sites, job, store, chunk_size=chunk_size, workers=workers, progress=progress,
        designs=designs,
    )  # fmt: skip
    timings["join_model"] = time.perf_counter() - t1
    del sites
    t2 = time.perf_counter()
    try:
        decision = pd.concat(first.decisions, ignore_index=True)
        first.decisions.clear()
        main = decision[[c for c in decision.columns if not c.endswith(OTHER)]]
        rank_args = (w, job["exclusions"], force_include)
        extra, table = {}, None
        if futures:
            if not np.array_equal(decision[ROW].to_numpy(), np.arange(n)):
                raise RuntimeError("internal: decision rows out of order")
            this, other = _future_tables(decision)
            pending = _in_thread(rank_rows, other, *rank_args)  # overlaps the main one
            ranked = rank_rows(main, *rank_args)  # row order
            table = _futures_extra(
                this, other, ranked, pending.result(), scenario, shut_down, job,
                carbon_price_usd_per_t,
            )  # fmt: skip
            extra = {
                c: table[c].to_numpy()
                for c in table.columns
                if c != "site_id" and c not in store.schema.names
            }
        else:
            ranked = rank_rows(main, *rank_args)  # row order
        timings["rank"] = time.perf_counter() - t2
        keep = _Keep(_top_rows(ranked, report_top))
        writes = _start_writes(store, path, ranked, extra, keep, gpkg, n)
    finally:
        store.cleanup()
    del decision, main, ranked
    try:
        top, points, datasets = keep.result(data_dir)
        assessment = _assess_top(top, fleet, scenario, facility, cooling_choice)
        if table is not None:
            # the top rows first (row order = stored order), then the top's order
            table = table.iloc[keep.rows].set_index("site_id").loc[top["site_id"]]
            table = table.reset_index()
        large = LargeRun(
            n, path, int(report_top), points, timings, first.climate_cells,
            designs_path=None if designs is None else designs.path,
            cooling_choice=cooling_choice, writes=writes,
        )  # fmt: skip
        if wait:
            large.finish()
    except BaseException:
        if writes is not None:  # no orphaned write (its part file is removed)
            writes.abort()
        raise
    return RunResult(
        sites=top,
        joined=top,
        assessment=assessment,
        ranked=top,
        coverage=first.coverage,
        weights=w,
        exclusions=list(exclusions or []),
        datasets=datasets,
        inputs=list(inputs or []),
        futures=table,
        shutdown_scenario=shut_down if futures else None,
        shutdown_is_example=is_example,
        carbon_price_usd_per_t=carbon_price_usd_per_t,
        large=large,
    )


def _start_writes(store, path, ranked, extra, keep, gpkg, n: int):
    """Start writing ``sites.parquet`` (and ``gpkg``) from the ranked tables, ``keep``
    seeing each table first: from memory, in the background, when every table is in
    memory; otherwise ``sites.parquet`` streamed here from the spill file and only the
    GeoPackage in the background (read back from it)."""
    from siting.scale.background import PendingWrites
    from siting.scale.large_outputs import gpkg_description

    note = None if gpkg is None else gpkg_description(n)
    if store.writer is None:  # every table in memory
        schema, batches = ranked_batches(store, ranked, extra)
        tables = []
        for t, offset in batches:
            keep(t, offset)
            tables.append(t)
        return PendingWrites(path, schema, tables, gpkg=gpkg, note=note)
    write_ranked(store, path, ranked, extra, on_batch=keep)
    return None if gpkg is None else PendingWrites(path, gpkg=gpkg, note=note)


def _top_rows(ranked: pd.DataFrame, top_n: int) -> np.ndarray:
    """Stored rows (``ROW``, sorted) of the sites ranked ``top_n`` or better."""
    r = ranked["rank"].astype("Int64")
    ok = (r <= int(top_n)).fillna(False).to_numpy(bool)
    return np.sort(ranked[ROW].to_numpy(np.int64)[ok])


class _Keep:
    """What the report needs, kept while ``sites.parquet`` is written (no read-back):
    every column of the top rows, :data:`POINT_COLUMNS` of every site, the layers used
    (``*_layer`` values)."""

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows
        self.top: list[pa.Table] = []
        self.points: list[pa.Table] = []
        self.layers: dict[str, set] = {}

    def __call__(self, t: pa.Table, offset: int) -> None:
        lo, hi = np.searchsorted(self.rows, [offset, offset + t.num_rows])
        self.top.append(t.take(pa.array(self.rows[lo:hi] - offset)))
        self.points.append(t.select([c for c in POINT_COLUMNS if c in t.column_names]))
        for c in t.column_names:
            if c.endswith("_layer"):
                col = t.column(c)
                if pa.types.is_dictionary(col.type):
                    col = col.unique().cast(col.type.value_type)
                self.layers.setdefault(c, set()).update(
                    v for v in col.unique().to_pylist() if v is not None
                )

    def result(self, data_dir):
        """``(top, points, datasets)``: the top sites (every column, sorted by rank then
        site id) as read from the GeoParquet, the points, the catalog rows used."""
        from siting.pipeline import used_datasets

        top = _to_geopandas(pa.concat_tables(self.top))
        top = top.sort_values(["rank", "site_id"]).reset_index(drop=True)
        points = _plain(pa.concat_tables(self.points)).to_pandas()
        used = pd.DataFrame({c: pd.Series(sorted(v), dtype=object) for c, v in self.layers.items()})
        return top, points, used_datasets(used, data_dir)


def _plain(t: pa.Table) -> pa.Table:
    """Dictionary-encoded text as plain text (as Parquet readers return it)."""
    fields = [
        pa.field(f.name, f.type.value_type) if pa.types.is_dictionary(f.type) else f
        for f in t.schema
    ]
    return t.cast(pa.schema(fields, metadata=t.schema.metadata))


def _to_geopandas(t: pa.Table) -> gpd.GeoDataFrame:
    """A written table as ``geopandas.read_parquet`` returns its rows."""
    t = _plain(t.replace_schema_metadata(None))
    df = t.drop_columns(["geometry"]).to_pandas()
    geom = shapely.from_wkb(t.column("geometry").to_numpy(zero_copy_only=False))
    df.insert(t.column_names.index("geometry"), "geometry", geom)
    return gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")


def _assess_top(top: gpd.GeoDataFrame, fleet, scenario, facility, cooling_choice=None):
    """The model on the top sites' joined inputs (for the per-year tables and charts):
    the same numbers as the chunk pass, every output being a function of the input row
    (with ``cooling_choice``, the design choice too)."""
    from siting.model import assess
    from siting.scale.chunk import _MODEL_INPUTS

    geom = top.geometry.name
    keep = [
        c
        for c in top.columns
        if c == geom or c in _MODEL_INPUTS or c.startswith(("dry_bulb_c_m", "wet_bulb_c_m", "mix_"))
    ]
    return assess(
        gpd.GeoDataFrame(top[keep], geometry=geom, crs=top.crs),
        fleet,
        scenario,
        facility,
        cooling_choice=cooling_choice,
    )
