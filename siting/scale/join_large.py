"""``siting join`` on the chunked engine: every layer family joined chunk by chunk
(climate once per climate cell, cached across chunks) and streamed to GeoParquet."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from siting.scale.common import DEFAULT_CHUNK_SIZE, DEFAULT_CLIMATE_CELL_DEG, coverage_table


def join_to_parquet(
    sites: gpd.GeoDataFrame,
    out: str | os.PathLike,
    *,
    data_dir=None,
    snap_km: float | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    climate_cell_deg: float | None = DEFAULT_CLIMATE_CELL_DEG,
    progress: bool = True,
) -> tuple[Path, pd.DataFrame, int]:
    """Join ``sites`` to every layer in chunks and write one GeoParquet file (input
    order, atomic). Returns ``(path, coverage, columns)``."""
    from tqdm.auto import tqdm

    from siting.join import DEFAULT_SNAP_KM, coverage, join_layers
    from siting.layers.catalog import load_catalog
    from siting.scale.store import _STATS_COLUMNS, _geo_metadata, to_arrow

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.part")
    catalog = load_catalog()
    snap = DEFAULT_SNAP_KM if snap_km is None else snap_km
    bbox = [float(sites["lon"].min()), float(sites["lat"].min())]
    bbox += [float(sites["lon"].max()), float(sites["lat"].max())]
    writer, schema, cover = None, None, []
    bar = tqdm(total=len(sites), unit="site", disable=not progress, desc="join")
    try:
        for s in range(0, len(sites), int(chunk_size)):
            chunk = sites.iloc[s : s + int(chunk_size)]
            joined = join_layers(
                chunk, data_dir=data_dir, snap_km=snap, catalog=catalog,
                climate_cell_deg=climate_cell_deg,
            )  # fmt: skip
            cover.append(coverage(joined))
            table = to_arrow(pd.DataFrame(joined), schema)
            if writer is None:
                schema = table.schema
                meta = {k: v for k, v in (schema.metadata or {}).items() if k != b"pandas"}
                meta[b"geo"] = _geo_metadata(bbox)
                schema = schema.with_metadata(meta)
                table = table.cast(schema)
                # as the run's writer: dictionary pages for the text columns only,
                # statistics for the columns a reader filters on
                writer = pq.ParquetWriter(
                    part,
                    schema,
                    compression="zstd",
                    compression_level=1,
                    use_dictionary=[f.name for f in schema if pa.types.is_dictionary(f.type)],
                    write_statistics=[c for c in _STATS_COLUMNS if c in schema.names],
                )
            writer.write_table(table, row_group_size=max(table.num_rows, 1))
            bar.update(len(chunk))
        if writer is not None:
            writer.close()
            writer = None
            os.replace(part, out)
    finally:
        bar.close()
        if writer is not None:
            writer.close()
        part.unlink(missing_ok=True)
    cov = coverage_table([c.drop(columns="share") for c in cover], len(sites))
    return out, cov, len(schema.names) if schema is not None else 0
