"""Results on their way to the GeoParquet file: summary chunks as Arrow tables (text
dictionary-encoded, points as WKB), the pass-1 store (memory, then a spill file), and
the second pass that adds the rank columns and writes the GeoParquet atomically."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from siting.errors import OutputError
from siting.scale.common import RANK_COLUMNS, ROW, PassOne, ScreenResult, rank_table

#: Columns with min/max statistics in the output file (filters such as rank <= 100).
_STATS_COLUMNS = ("site_id", "lat", "lon", "country_iso3", "region_code", "score", "rank")


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


def to_arrow(df: pd.DataFrame, schema: pa.Schema | None = None) -> pa.Table:
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
        if texty and c not in ("site_id", ROW):
            arr = _text_column(s)
        if arr is None:
            try:
                arr = pa.Array.from_pandas(s)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                arr = pa.Array.from_pandas(s.where(s.isna(), s.astype(str)))  # mixed: text
            if pa.types.is_null(arr.type):
                arr = pa.nulls(len(s), _DICT if c not in ("site_id", ROW) else pa.string())
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
        pa.field(f.name, _DICT) if f.name not in ("site_id", ROW) and _is_text(f.type) else f
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


class SummaryStore:
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
        self.append(to_arrow(summary, self.schema))

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


def pass1_store(out: Path, memory_bytes: int) -> SummaryStore:
    """The pass-1 store of a run writing ``out`` (its spill file is a hidden file next
    to ``out``)."""
    return SummaryStore(out.with_name(f".{out.name}.pass1"), memory_bytes)


def _rank_arrays(ranked: pd.DataFrame, n: int) -> dict[str, pa.Array]:
    """Rank columns in the original row order (``ROW``), as Arrow arrays."""
    if len(ranked) != n:
        raise OutputError(f"internal: ranked {len(ranked)} of {n} sites")
    order = np.argsort(ranked[ROW].to_numpy(np.int64), kind="stable")
    cols = list(RANK_COLUMNS) + [c for c in ranked.columns if c.startswith("norm_")]
    r = ranked[cols]
    if not np.array_equal(order, np.arange(n)):  # a table sorted by rank: row order
        r = r.iloc[order]  # only the columns written: the others are not moved
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


def ranked_schema(store: SummaryStore, arrays: dict[str, pa.Array]) -> pa.Schema:
    """The output file's schema: the stored columns (without ``ROW``), then ``arrays``
    (the rank columns and extras), GeoParquet metadata with the stored bounding box."""
    base = store.schema
    fields = [f for f in base if f.name != ROW]
    fields += [pa.field(k, v.type) for k, v in arrays.items()]
    meta = {k: v for k, v in (base.metadata or {}).items() if k != b"pandas"}
    meta[b"geo"] = _geo_metadata(store.bbox)
    return pa.schema(fields, metadata=meta)


def ranked_batches(
    store: SummaryStore, ranked: pd.DataFrame, extra: dict | None = None
) -> tuple[pa.Schema, Iterator[tuple[pa.Table, int]]]:
    """The output schema and ``(table, first row)`` of every stored table with the rank
    columns (and ``extra``: name -> array in row order) appended, in row order (the
    stored buffers are shared, not copied)."""
    arrays = _rank_arrays(ranked, store.rows)
    for name, values in (extra or {}).items():
        arrays[name] = values if isinstance(values, pa.Array) else pa.array(values)
    schema = ranked_schema(store, arrays)

    def batches() -> Iterator[tuple[pa.Table, int]]:
        offset = 0
        for t in store.batches():
            k = t.num_rows
            if ROW in t.column_names:
                t = t.drop_columns([ROW])
            for name, arr in arrays.items():
                t = t.append_column(name, arr.slice(offset, k))
            yield t.cast(schema), offset
            offset += k

    return schema, batches()


def write_parquet_tables(
    out: Path,
    schema: pa.Schema,
    tables: Iterable[pa.Table],
    stop: Callable[[], bool] | None = None,
) -> Path:
    """The tables (one row group each) into the GeoParquet file ``out``, atomically: a
    hidden part file moved into place when complete. ``stop()`` true before a table
    abandons the write (the part file is removed)."""
    part = out.with_name(f".{out.name}.part")
    try:
        # dictionary pages only for the dictionary (text) columns: trying it on a
        # million distinct floats costs time and grows the file; min/max statistics
        # for the columns a reader filters on
        text = [f.name for f in schema if pa.types.is_dictionary(f.type)]
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
            for t in tables:
                if stop is not None and stop():
                    raise OutputError(f"{out}: write abandoned")
                w.write_table(t, row_group_size=max(t.num_rows, 1))
            # without the stored Arrow schema the file-level metadata is set explicitly
            w.add_key_value_metadata({"geo": schema.metadata[b"geo"].decode()})
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return out


def write_ranked(
    store: SummaryStore,
    out: Path,
    ranked: pd.DataFrame,
    extra: dict | None = None,
    on_batch: Callable[[pa.Table, int], None] | None = None,
) -> None:
    """Second pass: stream the stored tables adding the rank columns (and ``extra``:
    name -> array in row order); GeoParquet, atomic. ``on_batch(table, offset)`` sees
    each table as written (first row ``offset``), so that a caller can keep rows or
    columns without reading the file back."""
    schema, batches = ranked_batches(store, ranked, extra)

    def tables() -> Iterator[pa.Table]:
        for t, offset in batches:
            yield t
            if on_batch is not None:
                on_batch(t, offset)

    write_parquet_tables(out, schema, tables())


def rank_and_write(
    first: PassOne,
    writer: SummaryStore,
    out_path: Path,
    ranking: tuple,
    timings: dict[str, float],
    n: int,
) -> ScreenResult:
    """Rank the decision tables of pass 1 globally, then write the GeoParquet (second
    pass over ``writer``, which is cleaned up); ``ranking`` is ``(weights, exclusions,
    force_include)`` as in :func:`siting.decide.rank`."""
    weights, exclusions, force_include = ranking
    t2 = time.perf_counter()
    try:
        decisions = first.decisions
        decision = pd.concat(decisions, ignore_index=True) if decisions else pd.DataFrame()
        ranked = rank_table(decision, weights, exclusions, force_include)
        timings["rank"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        write_ranked(writer, out_path, ranked)
        timings["write"] = time.perf_counter() - t3
    finally:
        writer.cleanup()
    ranked = ranked.drop(columns=[ROW]).reset_index(drop=True)
    timings["total"] = sum(timings.values())
    return ScreenResult(
        path=out_path,
        ranked=ranked,
        coverage=first.coverage,
        assumptions=first.assumptions,
        timings=timings,
        n_sites=n,
        climate_cells=first.climate_cells,
    )
