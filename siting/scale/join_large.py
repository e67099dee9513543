"""``siting join`` on the chunked engine: every layer family joined chunk by chunk
(climate once per climate cell, cached across chunks) and streamed to GeoParquet; the
chunks computed in this process or by forked worker processes, written in order."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from siting.scale.common import DEFAULT_CLIMATE_CELL_DEG, coverage_table


def _join_chunk(state: dict, task: tuple[int, int]) -> tuple[pa.Table, pd.DataFrame]:
    """One chunk joined: its Arrow table (:func:`siting.scale.store.to_arrow`, cast
    to the file's schema by the writer) and its coverage counts."""
    from siting.join import coverage, join_layers
    from siting.scale.store import to_arrow

    start, stop = task
    joined = join_layers(
        state["sites"].iloc[start:stop], data_dir=state["data_dir"], snap_km=state["snap"],
        catalog=state["catalog"], climate_cell_deg=state["cell"],
    )  # fmt: skip
    return to_arrow(pd.DataFrame(joined)), coverage(joined)


def _warm_up(state: dict, workers: int) -> None:
    """What every chunk reads, loaded here before the chunk workers are forked: the
    layers (a small spread sample joined), their label indexes, the climate of every
    climate cell of the sites (as :func:`siting.scale.chunked.warm_up`)."""
    from siting.scale.parallel import build_label_indexes, warm_climate

    sites = state["sites"]
    take = np.unique(np.linspace(0, len(sites) - 1, min(len(sites), 256)).astype(np.int64))
    _join_chunk(dict(state, sites=sites.iloc[take]), (0, len(take)))
    build_label_indexes(len(sites))
    if state["cell"] is not None:
        warm_climate(
            sites["lat"], sites["lon"], cell_deg=state["cell"], data_dir=state["data_dir"],
            join_options={}, workers=workers,
        )  # fmt: skip


def _chunk_tables(state: dict, slices: list[slice], workers: int):
    """``_join_chunk`` of every slice, in order (forked workers when ``workers`` > 1)."""
    tasks = [(sl.start, sl.stop) for sl in slices]
    if workers <= 1 or len(tasks) <= 1:
        for t in tasks:
            yield _join_chunk(state, t)
        return
    from siting.scale.parallel import ordered_map

    _warm_up(state, workers)
    yield from ordered_map(_join_chunk, tasks, state, workers)


def join_to_parquet(
    sites: gpd.GeoDataFrame,
    out: str | os.PathLike,
    *,
    data_dir=None,
    snap_km: float | None = None,
    chunk_size: int | None = None,
    climate_cell_deg: float | None = DEFAULT_CLIMATE_CELL_DEG,
    progress: bool = True,
    workers: int | None = None,
) -> tuple[Path, pd.DataFrame, int]:
    """Join ``sites`` to every layer in chunks and write one GeoParquet file (input
    order, atomic). Returns ``(path, coverage, columns)``.

    ``chunk_size`` and ``workers`` as in :func:`siting.scale.screen` (the same file for
    any number of workers)."""
    from tqdm.auto import tqdm

    from siting.join import DEFAULT_SNAP_KM
    from siting.layers.catalog import load_catalog
    from siting.scale.chunked import chunk_plan
    from siting.scale.store import _STATS_COLUMNS, _geo_metadata

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.part")
    snap = DEFAULT_SNAP_KM if snap_km is None else snap_km
    cell = None if climate_cell_deg is None else float(climate_cell_deg)
    state = dict(sites=sites, data_dir=data_dir, snap=snap, catalog=load_catalog(), cell=cell)
    bbox = [float(sites["lon"].min()), float(sites["lat"].min())]
    bbox += [float(sites["lon"].max()), float(sites["lat"].max())]
    slices, w = chunk_plan(len(sites), chunk_size, workers)
    writer, schema, cover = None, None, []
    desc = "join" if w == 1 else f"join ({w} workers)"
    bar = tqdm(total=len(sites), unit="site", disable=not progress, desc=desc)
    try:
        for table, cov in _chunk_tables(state, slices, w):
            cover.append(cov)
            if writer is None:
                schema = table.schema
                meta = {k: v for k, v in (schema.metadata or {}).items() if k != b"pandas"}
                meta[b"geo"] = _geo_metadata(bbox)
                schema = schema.with_metadata(meta)
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
            elif table.schema.names != schema.names:
                table = table.select(schema.names)
            table = table.cast(schema)
            writer.write_table(table, row_group_size=max(table.num_rows, 1))
            bar.update(table.num_rows)
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
