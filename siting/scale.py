"""Screen millions of candidate sites: chunked on one machine, or on a Dask cluster.

Both paths run the *same* per-chunk function, :func:`screen_chunk` (join every layer
family with :func:`siting.join.join_layers`, then :func:`siting.model.assess`), and the
same global ranking (:func:`siting.decide.rank`), so they give identical results.

One machine (:func:`screen`)
    Sites are processed in chunks of ``chunk_size`` rows. Each chunk's full result
    (every joined column and model total) is streamed to a temporary Parquet file with
    ``pyarrow.parquet.ParquetWriter``; only a small decision table (site id, the
    weighted criteria, the columns the exclusion rules read) stays in memory. Ranking
    needs global min-max normalisation, so it runs once after the chunk pass on that
    small table; a second streaming pass copies the temporary file row group by row
    group into the final GeoParquet, adding ``score``, ``rank``, ``excluded``,
    ``exclusion_reason``, ``rank_note`` and ``norm_*``. Peak memory is bounded by one
    chunk plus the decision table.

Climate once per climate cell (``climate_cell_deg``, default 0.25 degree: the ERA5 grid)
    The climate family (and its monthly wet-bulb estimate, by far the most expensive
    layer) is evaluated once per cell of the climate grid, at the cell centre, where
    the ERA5 bilinear sample equals the grid value, and gathered to every site in the
    cell; the model then finds identical climate rows and computes the PUE/WUE profile
    once per cell (:func:`siting.model.cooling_profile` deduplicates). Cells whose
    centre has no complete climate (a coastal cell whose centre is at sea) fall back to
    per-site climate for their sites. A cache carries computed cells across chunks.
    ``climate_cell_deg=None`` computes climate per site, exactly as
    :func:`siting.join.join_layers`. The column ``climate_at`` says which
    (``cell_centre`` or ``site``).

Model once per distinct input row
    :func:`siting.model.assess` gets only the columns it reads and one row per distinct
    combination of them; its outputs are gathered back to the sites (identical to
    ``assess`` on the whole table: every output is a function of the input row).

Beyond one machine (:func:`screen_dask`)
    The site table becomes a ``dask_geopandas`` GeoDataFrame, spatially partitioned by
    Hilbert distance (sorted in the client, cut into equal runs, scattered), and
    ``map_partitions`` runs
    :func:`screen_chunk` on the workers (each worker process keeps its own layer
    indexes and climate-cell cache). The decision table is gathered and ranked on the
    client; partitions are then streamed to the same GeoParquet writer. The cluster is
    the one at ``scheduler_address`` or ``SITING_DASK_SCHEDULER``, else a
    ``LocalCluster``.
"""

from __future__ import annotations

import json
import os
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from siting.errors import ConfigError, OutputError

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_CLIMATE_CELL_DEG",
    "DEFAULT_MEMORY_BYTES",
    "ScreenResult",
    "clear_climate_cache",
    "climate_cell_keys",
    "decision_columns",
    "screen",
    "screen_chunk",
    "screen_dask",
]

#: Sites per chunk on one machine (about 1 GB of intermediate tables per 250k sites).
DEFAULT_CHUNK_SIZE = 250_000
#: Pass-1 results kept in memory before spilling to a temporary file [bytes] (a memory
#: bound, not a physical constant).
DEFAULT_MEMORY_BYTES = 1_500_000_000
#: Climate cell [degrees]: the ERA5 0.25-degree grid of the embedded climate layer
#: (cell centres at multiples of 0.25 degree; Hersbach et al. 2020, QJRMS 146:1999).
DEFAULT_CLIMATE_CELL_DEG = 0.25
RANK_COLUMNS = ("score", "rank", "excluded", "exclusion_reason", "rank_note")
_ROW = "_screen_row"
#: Columns with min/max statistics in the output file (filters such as rank <= 100).
_STATS_COLUMNS = ("site_id", "lat", "lon", "country_iso3", "region_code", "score", "rank")


@dataclass
class ScreenResult:
    """What a screening run produced.

    Attributes
    ----------
    path : Path
        The GeoParquet file: one row per site, every joined column, the model totals,
        ``score``, ``rank``, ``excluded``, ``exclusion_reason``, ``rank_note``,
        ``norm_*``.
    ranked : DataFrame
        The decision table sorted by rank (``site_id``, criteria, rank columns).
    coverage : DataFrame
        Sites per layer family and level (from the ``{family}_level`` columns).
    assumptions : DataFrame
        The model's parameter table (parameter, value, unit, source).
    timings : dict
        Wall time per stage [s].
    n_sites : int
    climate_cells : int
        Climate cells evaluated (0 with per-site climate).
    """

    path: Path
    ranked: pd.DataFrame
    coverage: pd.DataFrame
    assumptions: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    n_sites: int = 0
    climate_cells: int = 0


# ----------------------------------------------------------------------------- climate
class _ClimateCache:
    """Climate columns per climate cell, computed once per process (thread-safe)."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []
        self.keys = np.zeros(0, dtype=np.int64)
        self.table: pd.DataFrame | None = None
        self.lock = threading.Lock()

    def get(self, keys: np.ndarray) -> tuple[np.ndarray, pd.DataFrame | None]:
        """Positions of ``keys`` in the table (-1 missing) and the table."""
        with self.lock:
            known, table = self.keys, self.table
        if table is None:
            return np.full(keys.size, -1, dtype=np.int64), None
        pos = pd.Index(known).get_indexer(keys)
        return pos.astype(np.int64), table

    def add(self, keys: np.ndarray, frame: pd.DataFrame) -> None:
        with self.lock:
            known = np.isin(keys, self.keys)
            if known.all():
                return
            frame = frame.loc[~known]
            self.keys = np.concatenate([self.keys, keys[~known]])
            self.frames.append(frame.reset_index(drop=True))
            self.table = pd.concat(self.frames, ignore_index=True)
            self.frames = [self.table]


_CACHES: dict[tuple, _ClimateCache] = {}
_CACHES_LOCK = threading.Lock()


def _cache_for(key: tuple) -> _ClimateCache:
    with _CACHES_LOCK:
        if key not in _CACHES:
            _CACHES[key] = _ClimateCache()
        return _CACHES[key]


def clear_climate_cache() -> None:
    """Forget the climate computed per cell in this process (e.g. after data changed)."""
    with _CACHES_LOCK:
        _CACHES.clear()


def climate_cell_keys(lat: np.ndarray, lon: np.ndarray, cell_deg: float) -> np.ndarray:
    """Integer key of the climate cell nearest to each point.

    Cell centres lie at multiples of ``cell_deg`` (the ERA5 grid for 0.25); the key is
    ``row * ncol + col`` with ``row = round((90 - lat) / cell_deg)`` and ``col =
    round((lon + 180) / cell_deg) mod ncol``.
    """
    ncol = int(round(360.0 / cell_deg))
    row = np.rint((90.0 - np.asarray(lat, dtype=float)) / cell_deg).astype(np.int64)
    col = np.rint((np.asarray(lon, dtype=float) + 180.0) / cell_deg).astype(np.int64) % ncol
    return row * ncol + col


def _cell_centres(keys: np.ndarray, cell_deg: float) -> tuple[np.ndarray, np.ndarray]:
    ncol = int(round(360.0 / cell_deg))
    row, col = np.divmod(keys, ncol)
    lat = 90.0 - row * cell_deg
    lon = col * cell_deg - 180.0
    return lat, lon


def _climate_complete(frame: pd.DataFrame) -> np.ndarray:
    cols = [c for c in frame.columns if c.startswith(("dry_bulb_c_m", "wet_bulb_c_m"))]
    if not cols:
        return np.zeros(len(frame), dtype=bool)
    return np.isfinite(frame[cols].to_numpy(dtype=float, na_value=np.nan)).all(axis=1)


def _join_climate_by_cell(
    joined: gpd.GeoDataFrame,
    *,
    cell_deg: float,
    data_dir,
    catalog,
    join_options: Mapping[str, Any],
) -> pd.DataFrame:
    """Climate columns for ``joined`` computed at climate-cell centres (see module doc)."""
    from siting.join import join_layers

    lat = joined["lat"].to_numpy(float)
    lon = joined["lon"].to_numpy(float)
    keys = climate_cell_keys(lat, lon, cell_deg)
    from siting.paths import data_dirs

    where = tuple(str(d) for d in data_dirs(data_dir))  # explicit, env, cache, embedded
    cache = _cache_for((where, float(cell_deg), repr(sorted(join_options.items()))))
    pos, table = cache.get(keys)
    need = np.unique(keys[pos < 0])
    if need.size:
        clat, clon = _cell_centres(need, cell_deg)
        centres = gpd.GeoDataFrame(
            {"site_id": need.astype(str), "lat": clat, "lon": clon},
            geometry=shapely.points(clon, clat),
            crs="EPSG:4326",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cj = join_layers(
                centres,
                data_dir=data_dir,
                families=("climate",),
                catalog=catalog,
                **dict(join_options),
            )
        cols = [c for c in cj.columns if c not in centres.columns]
        cache.add(need, pd.DataFrame(cj[cols]))
        pos, table = cache.get(keys)
    clim = table.iloc[pos].reset_index(drop=True)
    clim.index = joined.index
    clim["climate_at"] = "cell_centre"
    # cells without a complete climate at their centre (e.g. centre at sea): per site
    bad = ~_climate_complete(clim)
    if bad.any():
        sub = joined.loc[bad, ["site_id", "lat", "lon", joined.geometry.name]]
        sub = gpd.GeoDataFrame(sub, geometry=joined.geometry.name, crs=joined.crs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sj = join_layers(
                sub, data_dir=data_dir, families=("climate",), catalog=catalog, **join_options
            )
        for c in clim.columns:
            if c in sj.columns:
                clim.loc[bad, c] = sj[c].to_numpy()
        clim.loc[bad, "climate_at"] = "site"
    return clim


# ----------------------------------------------------------------------------- one chunk
def screen_chunk(
    sites: gpd.GeoDataFrame,
    fleet=None,
    scenario=None,
    facility=None,
    *,
    data_dir: str | os.PathLike | None = None,
    climate_cell_deg: float | None = DEFAULT_CLIMATE_CELL_DEG,
    join_options: Mapping[str, Any] | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Join every layer and assess the fleet for one chunk of sites.

    Parameters
    ----------
    sites
        Sites (``site_id``, ``lat``, ``lon``, Point geometry in EPSG:4326).
    fleet, scenario, facility
        Model configuration (defaults as in :func:`siting.pipeline.run`).
    data_dir
        Extra data directory.
    climate_cell_deg
        Climate computed once per cell of this size [degrees] (None: per site).
    join_options
        Options passed to :func:`siting.join.join_layers`.

    Returns
    -------
    summary, assumptions
        ``Assessment.summary`` (same rows and order as ``sites``; with ``climate_at``)
        and ``Assessment.assumptions``.
    """
    base, block, assumptions = _screen_parts(
        sites,
        fleet,
        scenario,
        facility,
        data_dir=data_dir,
        climate_cell_deg=climate_cell_deg,
        join_options=join_options,
    )
    geom = base.geometry.name
    wide = pd.concat([pd.DataFrame(base), block], axis=1)
    return gpd.GeoDataFrame(wide, geometry=geom, crs=base.crs), assumptions


def _other_families() -> tuple[str, ...]:
    """Every family of :data:`siting.join.JOINERS` but climate, in their order (a family
    added there is joined here too)."""
    from siting.join import JOINERS

    return tuple(fam for fam, _ in JOINERS if fam != "climate")


def _screen_parts(
    sites: gpd.GeoDataFrame,
    fleet,
    scenario,
    facility,
    *,
    data_dir,
    climate_cell_deg,
    join_options,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`screen_chunk` as (layer columns, model columns, assumptions), unjoined:
    the summary is ``base`` followed by ``block`` (no copy of the wide table)."""
    from siting.join import join_layers
    from siting.layers.catalog import load_catalog
    from siting.model import Facility, Fleet, Scenario, assess

    fleet = fleet if fleet is not None else Fleet(gpus=50_000)
    scenario = scenario if scenario is not None else Scenario()
    facility = facility if facility is not None else Facility()
    opts = dict(join_options or {})
    catalog = load_catalog()
    per_site = (
        climate_cell_deg is None or "weather_file" in sites.columns or "weather_files" in opts
    )
    if per_site:
        joined = join_layers(sites, data_dir=data_dir, catalog=catalog, **opts)
        joined["climate_at"] = "site"
    else:
        # one join of the other families on the narrow input (join_layers copies its
        # input: joining the wide table again would copy every column), then the
        # climate columns computed per cell are appended
        joined = join_layers(
            sites,
            data_dir=data_dir,
            families=_other_families(),
            catalog=catalog,
            **opts,
        )
        clim = _join_climate_by_cell(
            joined,
            cell_deg=float(climate_cell_deg),
            data_dir=data_dir,
            catalog=catalog,
            join_options=opts,
        )
        joined = gpd.GeoDataFrame(
            pd.concat([joined, clim], axis=1), geometry=sites.geometry.name, crs=sites.crs
        )
    return _assess_parts(joined, fleet, scenario, facility, assess)


#: Columns :func:`siting.model.assess` reads from a site table (besides the
#: ``dry_bulb_c_m*``, ``wet_bulb_c_m*`` and ``mix_*`` families and the geometry).
_MODEL_INPUTS = (
    "site_id",
    "lat",
    "lon",
    "grid_co2_g_per_kwh",
    "ewif_l_per_kwh",
    "price_usd_per_mwh",
    "price_level",
    "water_scarcity_factor",
    "climate_reason",
    "grid_reason",
)


def _assess_parts(joined: gpd.GeoDataFrame, fleet, scenario, facility, assess):
    """``assess(joined)`` without copying the ~100 layer columns the model does not read.

    The model gets the columns it reads. Its summary is the input columns followed by
    a block of new columns (input columns it recomputes, such as ``price_level``, are
    moved into that block). Returns ``(base, block, assumptions)`` with ``base`` the
    joined table minus the block's columns: ``base`` then ``block`` has the columns,
    order and values of ``assess(joined).summary`` (tested).
    """
    geom = joined.geometry.name
    keep = [
        c
        for c in joined.columns
        if c == geom or c in _MODEL_INPUTS or c.startswith(("dry_bulb_c_m", "wet_bulb_c_m", "mix_"))
    ]
    narrow = gpd.GeoDataFrame(joined[keep], geometry=geom, crs=joined.crs)
    # sites with identical model inputs (same climate cell, grid zone, price, water
    # factor...) get identical outputs: assess each distinct input row once, gather
    first, inv = _distinct_rows(
        narrow[[c for c in keep if c not in (geom, "site_id", "lat", "lon")]]
    )
    unique = narrow if first.size == len(narrow) else narrow.iloc[first]
    result = assess(unique, fleet, scenario, facility)
    summary = result.summary
    cols, ncols = list(summary.columns), list(narrow.columns)
    i = j = 0
    while i < len(cols) and j < len(ncols):
        if cols[i] == ncols[j]:
            i += 1
        j += 1
    block_cols = cols[i:]
    block = pd.DataFrame(summary[block_cols])
    if first.size != len(narrow):
        block = block.iloc[inv]
    block.index = joined.index
    base = joined.drop(columns=[c for c in block_cols if c in joined.columns])
    return base, block, result.assumptions


def _distinct_rows(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """First row of each distinct row of ``df`` (NaN equal to NaN) and the inverse map.

    Rows are hashed (``pandas.util.hash_pandas_object``, 64-bit); the result is then
    checked value by value, and any hash collision falls back to every row distinct.
    """
    n = len(df)
    if n == 0 or df.shape[1] == 0:
        return np.arange(n), np.arange(n)
    h = pd.util.hash_pandas_object(df, index=False).to_numpy()
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    if first.size == n:
        return first, inv
    rep = df.iloc[first[inv]]
    for c in df.columns:
        a = df[c].to_numpy()
        b = rep[c].to_numpy()
        same = (a == b) | (pd.isna(a) & pd.isna(b))
        if not np.all(same):
            return np.arange(n), np.arange(n)
    return first, inv


# ----------------------------------------------------------------------------- decisions
def decision_columns(
    columns: Sequence[str], weights=None, exclusions=None, criteria=None
) -> list[str]:
    """Columns of the summary that :func:`siting.decide.rank` needs.

    ``site_id``, each weighted criterion's column (or the columns it is derived
    from), the columns read by the exclusion rules and ``reason``.
    """
    from siting.decide.exclude import ExclusionSpec
    from siting.decide.rank import CRITERIA, DEFAULT_WEIGHTS, normalize_weights, resolve_criteria

    crit = CRITERIA if criteria is None else criteria
    w = normalize_weights(DEFAULT_WEIGHTS if weights is None else weights, crit)
    want = ["site_id"]
    for c in resolve_criteria(w, crit):
        want.extend([c.column] if c.column in columns else list(c.requires) or [c.column])
    want.extend(ExclusionSpec.from_any(exclusions).columns)
    want.append("reason")
    cols = set(columns)
    return [c for c in dict.fromkeys(want) if c in cols]


def _rank_table(decision: pd.DataFrame, weights, exclusions, force_include) -> pd.DataFrame:
    from siting.decide import rank

    return rank(decision, weights, exclusions, force_include=force_include)


# ----------------------------------------------------------------------------- arrow io
def _point_wkb(geoms: np.ndarray) -> pa.Array:
    """WKB of 2-D points built with numpy (byte-identical to ``shapely.to_wkb``)."""
    n = geoms.size
    if n == 0 or not (shapely.get_type_id(geoms) == 0).all() or shapely.is_empty(geoms).any():
        return pa.array(shapely.to_wkb(geoms), type=pa.binary())
    xy = shapely.get_coordinates(geoms).astype("<f8")
    buf = np.empty((n, 21), dtype=np.uint8)
    buf[:, 0] = 1  # little-endian
    buf[:, 1:5] = np.frombuffer(np.array(1, dtype="<u4").tobytes(), dtype=np.uint8)  # Point
    buf[:, 5:21] = xy.view(np.uint8).reshape(n, 16)
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(buf.reshape(-1))]
    )


def _is_text(t: pa.DataType) -> bool:
    """String, large string, or a dictionary of (large) strings."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t)


_DICT = pa.dictionary(pa.int32(), pa.string())


def _text_column(s: pd.Series) -> pa.Array | None:
    """A text column as a dictionary array (factorized in pandas: one hash pass, no
    per-value string copy), or None when its values are not text (numbers or booleans
    stored as objects keep their type)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = np.asarray(s.cat.codes, dtype=np.int64)
        uniques = np.asarray(s.cat.categories, dtype=object)
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
    if uniques.size == 0:
        return pa.nulls(len(s), _DICT)
    try:
        u = pa.array(uniques, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        u = None  # mixed types: stored as their text
    if u is not None and not (_is_text(u.type) or pa.types.is_null(u.type)):
        return None
    if u is None or not pa.types.is_string(u.type):
        u = pa.array([v if isinstance(v, str) else str(v) for v in uniques], type=pa.string())
    idx = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(idx, u)


def _to_arrow(df: pd.DataFrame, schema: pa.Schema | None = None) -> pa.Table:
    """A summary chunk as an Arrow table: text columns dictionary-encoded (except
    ``site_id``), geometry last as WKB (GeoParquet encoding)."""
    data = pd.DataFrame(df)
    arrays, names = [], []
    for c in data.columns:
        if c == "geometry":
            continue
        s = data[c]
        arr = None
        texty = s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype)
        texty = texty or pd.api.types.is_string_dtype(s.dtype)
        if texty and c not in ("site_id", _ROW):
            arr = _text_column(s)
        if arr is None:
            try:
                arr = pa.Array.from_pandas(s)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                arr = pa.Array.from_pandas(s.where(s.isna(), s.astype(str)))  # mixed: text
            if pa.types.is_null(arr.type):
                arr = pa.nulls(len(s), _DICT if c not in ("site_id", _ROW) else pa.string())
        arrays.append(arr)
        names.append(c)
    if "geometry" in data.columns:
        g = data["geometry"]
        if len(g) and isinstance(g.iloc[0], bytes | bytearray):
            arrays.append(pa.array(g.to_numpy(object), type=pa.binary()))
        else:
            arrays.append(_point_wkb(np.asarray(g.values, dtype=object)))
        names.append("geometry")
    table = pa.Table.from_arrays(arrays, names=names)
    # remaining plain text (e.g. a text column stored as objects mixed with numbers)
    fields = [
        pa.field(f.name, _DICT) if f.name not in ("site_id", _ROW) and _is_text(f.type) else f
        for f in table.schema
    ]
    table = table.cast(pa.schema(fields))
    if schema is not None:
        if table.schema.names != schema.names:
            table = table.select(schema.names)
        table = table.cast(schema)
    return table


def _geo_metadata(bbox: list[float]) -> bytes:
    from pyproj import CRS

    meta = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": ["Point"],
                "crs": CRS.from_epsg(4326).to_json_dict(),
                "bbox": bbox,
            }
        },
    }
    return json.dumps(meta).encode()


class _Store:
    """Pass-1 results: Arrow tables (text dictionary-encoded) in memory up to
    ``memory_bytes``, then spilled to a temporary Parquet file, in row order."""

    def __init__(self, path: Path, memory_bytes: int) -> None:
        self.path = path
        self.memory_bytes = int(memory_bytes)
        self.tables: list[pa.Table] = []
        self.nbytes = 0
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None
        self.bbox = [np.inf, np.inf, -np.inf, -np.inf]
        self.rows = 0

    def write(self, summary: pd.DataFrame) -> None:
        self.append(_to_arrow(summary, self.schema))

    def append(self, table: pa.Table) -> None:
        """Store a chunk table (cast to the first chunk's schema)."""
        if self.schema is None:
            self.schema = table.schema
        elif table.schema != self.schema:
            table = table.select(self.schema.names).cast(self.schema)
        lon = table.column("lon").to_numpy()
        lat = table.column("lat").to_numpy()
        if lon.size and np.isfinite(lon).any():
            self.bbox = [
                min(self.bbox[0], float(np.nanmin(lon))),
                min(self.bbox[1], float(np.nanmin(lat))),
                max(self.bbox[2], float(np.nanmax(lon))),
                max(self.bbox[3], float(np.nanmax(lat))),
            ]
        self.rows += table.num_rows
        if self.writer is None and self.nbytes + table.nbytes <= self.memory_bytes:
            self.tables.append(table)
            self.nbytes += table.nbytes
            return
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="none")
            for t in self.tables:
                self.writer.write_table(t, row_group_size=max(t.num_rows, 1))
            self.tables, self.nbytes = [], 0
        self.writer.write_table(table, row_group_size=max(table.num_rows, 1))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def batches(self) -> Iterator[pa.Table]:
        """The stored tables in row order (memory, or row groups of the spill file)."""
        if self.writer is None:
            yield from self.tables
            return
        pf = pq.ParquetFile(self.path)
        for i in range(pf.num_row_groups):
            yield pf.read_row_group(i)

    def cleanup(self) -> None:
        self.close()
        self.tables = []
        self.path.unlink(missing_ok=True)


def _rank_arrays(ranked: pd.DataFrame, n: int) -> dict[str, pa.Array]:
    """Rank columns in the original row order (``_ROW``), as Arrow arrays."""
    order = np.argsort(ranked[_ROW].to_numpy(np.int64), kind="stable")
    r = ranked.iloc[order]
    if len(r) != n:
        raise OutputError(f"internal: ranked {len(r)} of {n} sites")
    cols = list(RANK_COLUMNS) + [c for c in r.columns if c.startswith("norm_")]
    out = {}
    for c in cols:
        s = r[c]
        if c == "rank":
            vals = s.astype("Int64")
            out[c] = pa.array(
                vals.to_numpy("int64", na_value=0), pa.int64(), mask=vals.isna().to_numpy()
            )
        elif c == "excluded":
            out[c] = pa.array(s.to_numpy(bool), pa.bool_())
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[c] = pa.array(s.astype(object).where(s.notna(), None).to_numpy(), pa.string())
        else:
            out[c] = pa.array(s.to_numpy("float64"), pa.float64())
    return out


def _finish(store: _Store, out: Path, ranked: pd.DataFrame) -> None:
    """Second pass: stream the stored tables adding the rank columns; GeoParquet, atomic."""
    arrays = _rank_arrays(ranked, store.rows)
    base = store.schema
    fields = [f for f in base if f.name != _ROW]
    fields += [pa.field(k, v.type) for k, v in arrays.items()]
    meta = {k: v for k, v in (base.metadata or {}).items() if k != b"pandas"}
    meta[b"geo"] = _geo_metadata(store.bbox)
    schema = pa.schema(fields, metadata=meta)
    part = out.with_name(f".{out.name}.part")
    offset = 0
    try:
        # dictionary pages only for the dictionary (text) columns: trying it on a
        # million distinct floats costs time and grows the file; min/max statistics
        # for the columns a reader filters on
        text = [f.name for f in fields if pa.types.is_dictionary(f.type)]
        stats = [c for c in _STATS_COLUMNS if c in schema.names]
        with pq.ParquetWriter(
            part,
            schema,
            compression="zstd",
            compression_level=1,
            store_schema=False,
            use_dictionary=text,
            write_statistics=stats,
        ) as w:
            for t in store.batches():
                k = t.num_rows
                if _ROW in t.column_names:
                    t = t.drop_columns([_ROW])
                for name, arr in arrays.items():
                    t = t.append_column(name, arr.slice(offset, k))
                offset += k
                w.write_table(t.cast(schema), row_group_size=max(k, 1))
            # without the stored Arrow schema the file-level metadata is set explicitly
            w.add_key_value_metadata({"geo": meta[b"geo"].decode()})
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- driver
def _check_out(out) -> Path:
    if out is None:
        raise ConfigError("give the output GeoParquet path (out=...)", field="out")
    p = Path(out)
    if p.suffix.lower() not in (".parquet", ".geoparquet", ".pq"):
        raise ConfigError(f"output must be a .parquet file, got '{p.name}'", field="out")
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def _chunks(n: int, size: int) -> Iterator[slice]:
    for s in range(0, n, size):
        yield slice(s, min(s + size, n))


def _coverage(counts: list[pd.DataFrame], n: int) -> pd.DataFrame:
    if not counts:
        return pd.DataFrame(columns=["family", "level", "sites", "share"])
    df = pd.concat(counts).groupby(["family", "level"], as_index=False)["sites"].sum()
    df["share"] = df["sites"] / max(n, 1)
    return df


def _prepare_sites(sites) -> gpd.GeoDataFrame:
    from siting.sites import from_frame, read_sites

    if isinstance(sites, str | os.PathLike):
        return read_sites(sites)
    if not isinstance(sites, pd.DataFrame):
        raise ConfigError("sites must be a path or a (Geo)DataFrame", field="sites")
    if isinstance(sites, gpd.GeoDataFrame) and {"site_id", "lat", "lon"} <= set(sites.columns):
        if not sites["site_id"].is_unique:
            raise ConfigError("site_id values must be unique", field="site_id")
        if not isinstance(sites.index, pd.RangeIndex) or not sites.index.is_unique:
            sites = sites.reset_index(drop=True)  # chunks align columns on the index
        return sites
    return from_frame(sites)


def _chunk_job(chunk: gpd.GeoDataFrame, start: int, job: dict) -> tuple:
    """One chunk, start to finish: summary -> Arrow table, decision table, coverage,
    climate-cell keys, assumptions (runs in the parent or in a pool worker)."""
    from siting.join import coverage

    base, block, assumptions = _screen_parts(
        chunk,
        job["fleet"],
        job["scenario"],
        job["facility"],
        data_dir=job["data_dir"],
        climate_cell_deg=job["climate_cell_deg"],
        join_options=job["join_options"],
    )
    block[_ROW] = np.arange(start, start + len(block), dtype=np.int64)
    names = list(base.columns) + list(block.columns)

    def col(c: str) -> pd.Series:
        return block[c] if c in block.columns else base[c]

    dcols = decision_columns(names, job["weights"], job["exclusions"])
    decision = pd.DataFrame({c: col(c) for c in [*dcols, _ROW]})
    levels = [
        c
        for c in names
        if (c.endswith("_level") and f"{c[:-6]}_layer" in names)
        or (c.endswith("_layer") and f"{c[:-6]}_level" in names)
    ]
    cov = coverage(pd.DataFrame({c: col(c) for c in levels}))
    keys = np.zeros(0, dtype=np.int64)
    if job["climate_cell_deg"] is not None:
        keys = np.unique(
            climate_cell_keys(
                base["lat"].to_numpy(float),
                base["lon"].to_numpy(float),
                float(job["climate_cell_deg"]),
            )
        )
    # the summary's layout (base columns, model block, geometry last) without building
    # the wide pandas table: Arrow tables are joined column-wise without copying
    t_base = _to_arrow(base)
    t_block = _to_arrow(block)
    cols = [c for c in t_base.column_names if c != "geometry"]
    arrays = [t_base.column(c) for c in cols] + list(t_block.columns)
    names_out = cols + t_block.column_names
    if "geometry" in t_base.column_names:
        arrays.append(t_base.column("geometry"))
        names_out.append("geometry")
    table = pa.Table.from_arrays(arrays, names=names_out)
    return table, decision, cov, keys, assumptions


def _run_chunks(sites: gpd.GeoDataFrame, chunk_size: int, workers: int, job: dict):
    """Chunk results in row order: in this process, or in a pool of ``workers``
    spawned processes with at most ``workers + 1`` chunks in flight."""
    slices = list(_chunks(len(sites), int(chunk_size)))
    if workers <= 1 or len(slices) <= 1:
        for sl in slices:
            yield _chunk_job(sites.iloc[sl], sl.start, job)
        return
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        pending: deque = deque()
        it = iter(slices)
        for sl in it:
            pending.append(pool.submit(_chunk_job, sites.iloc[sl], sl.start, job))
            if len(pending) > workers:
                break
        while pending:
            yield pending.popleft().result()
            sl = next(it, None)
            if sl is not None:
                pending.append(pool.submit(_chunk_job, sites.iloc[sl], sl.start, job))


def screen(
    sites,
    fleet=None,
    scenario=None,
    *,
    facility=None,
    out: str | os.PathLike | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    data_dir: str | os.PathLike | None = None,
    weights: Mapping[str, float] | str | None = None,
    exclusions=None,
    force_include: Sequence[str] | None = None,
    climate_cell_deg: float | None = DEFAULT_CLIMATE_CELL_DEG,
    join_options: Mapping[str, Any] | None = None,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    workers: int = 1,
    progress: bool = True,
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
        Sites per chunk (bounds memory).
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
        Processes computing chunks in parallel (spawned; each loads the layers once).
        Results are identical for any number; with more than one, each worker holds
        one chunk, so lower ``chunk_size`` to keep memory bounded.
    progress
        Show a progress bar (tqdm) on stderr.

    Returns
    -------
    ScreenResult
    """
    from tqdm.auto import tqdm

    out_path = _check_out(out)
    if not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise ConfigError(f"chunk_size must be a positive integer, got {chunk_size}")
    if not isinstance(workers, int | np.integer) or workers < 1:
        raise ConfigError(f"workers must be a positive integer, got {workers}", field="workers")
    t0 = time.perf_counter()
    sites = _prepare_sites(sites)
    n = len(sites)
    timings = {"read": time.perf_counter() - t0}
    tmp = out_path.with_name(f".{out_path.name}.pass1")
    writer = _Store(tmp, memory_bytes)
    decisions: list[pd.DataFrame] = []
    cover: list[pd.DataFrame] = []
    assumptions = pd.DataFrame()
    cells: set[int] = set()
    t1 = time.perf_counter()
    bar = tqdm(total=n, unit="site", disable=not progress, desc="screen")
    job = dict(
        fleet=fleet,
        scenario=scenario,
        facility=facility,
        data_dir=data_dir,
        climate_cell_deg=climate_cell_deg,
        join_options=join_options,
        weights=weights,
        exclusions=exclusions,
    )
    try:
        for table, decision, cov, keys, assum in _run_chunks(sites, chunk_size, workers, job):
            assumptions = assum
            writer.append(table)
            decisions.append(decision)
            cover.append(cov)
            cells.update(keys.tolist())
            bar.update(table.num_rows)
    except BaseException:
        writer.cleanup()
        raise
    finally:
        bar.close()
    writer.close()
    timings["join_model"] = time.perf_counter() - t1
    return _rank_and_write(
        decisions,
        writer,
        out_path,
        weights,
        exclusions,
        force_include,
        _coverage(cover, n),
        assumptions,
        timings,
        n,
        len(cells),
    )


def _rank_and_write(
    decisions, writer, out_path, weights, exclusions, force_include, cover, assumptions,
    timings, n, n_cells,
) -> ScreenResult:  # fmt: skip
    t2 = time.perf_counter()
    try:
        decision = pd.concat(decisions, ignore_index=True) if decisions else pd.DataFrame()
        ranked = _rank_table(decision, weights, exclusions, force_include)
        timings["rank"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        _finish(writer, out_path, ranked)
        timings["write"] = time.perf_counter() - t3
    finally:
        writer.cleanup()
    ranked = ranked.drop(columns=[_ROW]).reset_index(drop=True)
    timings["total"] = sum(timings.values())
    return ScreenResult(
        path=out_path,
        ranked=ranked,
        coverage=cover,
        assumptions=assumptions,
        timings=timings,
        n_sites=n,
        climate_cells=n_cells,
    )


# ----------------------------------------------------------------------------- dask
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
    gdf = gpd.GeoDataFrame(pd.DataFrame(part), geometry="geometry", crs="EPSG:4326")
    summary, _ = screen_chunk(
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
    return df


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
    out_path = _check_out(out)
    t0 = time.perf_counter()
    sites = _prepare_sites(sites)
    n = len(sites)
    own = None
    if client is None:
        client, own = _client(scheduler_address, n_workers, processes)
        own = (client, own)
    timings = {"read": time.perf_counter() - t0}
    tmp = out_path.with_name(f".{out_path.name}.pass1")
    writer = _Store(tmp, memory_bytes)
    try:
        t1 = time.perf_counter()
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        nparts = npartitions or max(workers, int(np.ceil(n / 50_000)))
        base = sites.copy()
        base[_ROW] = np.arange(n, dtype=np.int64)
        base = base.reset_index(drop=True)
        ddf = _hilbert_partitions(client, base, max(1, min(nparts, n)))
        args = (fleet, scenario, facility, data_dir, climate_cell_deg, join_options)
        # meta from a two-site sample (column names and dtypes of the summary)
        sample = base.iloc[: min(2, n)]
        summary0, assumptions = screen_chunk(
            sample,
            fleet,
            scenario,
            facility,
            data_dir=data_dir,
            climate_cell_deg=climate_cell_deg,
            join_options=join_options,
        )
        meta = _dask_partition(sample, *args).iloc[:0]
        _EMPTY_META["meta"] = meta
        res = ddf.map_partitions(_dask_partition, *args, meta=meta, enforce_metadata=False)
        # partitions are computed concurrently and fetched in order; each result is
        # released on the workers as soon as the client has stored it (bounded memory)
        futures = client.compute(res.to_delayed())
        if progress:
            from dask.distributed import progress as dask_progress

            dask_progress(futures)
        dcols = decision_columns(list(meta.columns), weights, exclusions)
        cover_cols = [
            c
            for c in meta.columns
            if (c.endswith("_level") and f"{c[:-6]}_layer" in meta.columns)
            or (c.endswith("_layer") and f"{c[:-6]}_level" in meta.columns)
        ]
        from siting.join import coverage

        decisions, covers, written, keys = [], [], [], []
        for i in range(len(futures)):
            df = futures[i].result()
            futures[i].release()
            futures[i] = None
            if not len(df):
                continue
            df = df.sort_values(_ROW, kind="stable")
            d = pd.DataFrame(df[[*dcols, _ROW]])
            cats = [c for c in d.columns if isinstance(d[c].dtype, pd.CategoricalDtype)]
            decisions.append(d.astype({c: object for c in cats}))
            covers.append(coverage(pd.DataFrame(df[cover_cols]).astype(object)))
            if climate_cell_deg is not None:
                keys.append(
                    np.unique(
                        climate_cell_keys(
                            df["lat"].to_numpy(float), df["lon"].to_numpy(float), climate_cell_deg
                        )
                    )
                )
            written.append(df[_ROW].to_numpy(np.int64))
            writer.write(df)
            del df
        decision = pd.concat(decisions, ignore_index=True)
        cov = _coverage(covers, n)
        cells = int(np.unique(np.concatenate(keys)).size) if keys else 0
        writer.close()
        timings["join_model"] = time.perf_counter() - t1
        # rank rows follow the written order: map _ROW (input position) to output row
        order = np.concatenate(written) if written else np.zeros(0, dtype=np.int64)
        filerow = np.empty(n, dtype=np.int64)
        filerow[order] = np.arange(n)
        decision[_ROW] = filerow[decision[_ROW].to_numpy(np.int64)]
        return _rank_and_write(
            [decision.reset_index(drop=True)],
            writer,
            out_path,
            weights,
            exclusions,
            force_include,
            cov,
            assumptions,
            timings,
            n,
            cells,
        )
    finally:
        writer.cleanup()
        if own is not None:
            own[0].close()
            if own[1] is not None:
                own[1].close()
