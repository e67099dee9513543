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

Layout
    :mod:`siting.scale.common` (defaults, :class:`ScreenResult`, checks, decision
    columns), :mod:`siting.scale.climate_cells` (climate per cell and its cache),
    :mod:`siting.scale.chunk` (one chunk: join and model), :mod:`siting.scale.store`
    (Arrow tables, pass-1 store, GeoParquet writer), :mod:`siting.scale.chunked` (one
    machine), :mod:`siting.scale.parallel` (chunks on forked workers after a warm-up)
    and :mod:`siting.scale.dask_screen` (Dask).
"""

from __future__ import annotations

from siting.scale.chunk import screen_chunk
from siting.scale.chunked import screen
from siting.scale.climate_cells import clear_climate_cache, climate_cell_keys
from siting.scale.common import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_CLIMATE_CELL_DEG,
    DEFAULT_MEMORY_BYTES,
    RANK_COLUMNS,
    ScreenResult,
    decision_columns,
)
from siting.scale.dask_screen import screen_dask

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_CLIMATE_CELL_DEG",
    "DEFAULT_MEMORY_BYTES",
    "RANK_COLUMNS",
    "ScreenResult",
    "clear_climate_cache",
    "climate_cell_keys",
    "decision_columns",
    "screen",
    "screen_chunk",
    "screen_dask",
]
