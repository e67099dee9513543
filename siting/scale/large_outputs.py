"""Outputs of a run on the chunked engine that hold every site, written in batches
from its GeoParquet file so that memory stays bounded: the GeoPackage, and the
per-site-year ``footprint.nc`` (only on request)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

#: Rows per batch read back from the GeoParquet (bounds memory, not physics).
BATCH_ROWS = 100_000


def _batches(parquet: Path, columns=None):
    pf = pq.ParquetFile(parquet)
    for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=columns):
        df = batch.to_pandas()
        for c in df.columns:
            if isinstance(df[c].dtype, pd.CategoricalDtype):
                df[c] = df[c].astype(object)
        geom = shapely.from_wkb(df.pop("geometry").to_numpy()) if "geometry" in df else None
        yield gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")


#: Columns of the GeoPackage of a run on the chunked engine (those present, in this
#: order, plus every ``norm_*`` column after ``score``): where the site is, its rank and
#: why, the lifetime totals the ranking weighs, the inputs behind them and both futures.
#: Every column of every site is in the GeoParquet ``sites.parquet``; a GeoPackage
#: stores one SQLite row per feature: all ~190 columns of a million sites took 3.4 GB
#: and most of the ~100 s the reports took after ``sites.parquet`` (this subset:
#: 0.53 GB and ~8 s of CPU, measured on 1M random CONUS points).
GPKG_COLUMNS = (
    "site_id",
    "lat",
    "lon",
    "country_iso3",
    "country_name",
    "region_code",
    "region_name",
    "rank",
    "score",
    "excluded",
    "exclusion_reason",
    "rank_note",
    "status",
    "reason",
    "co2_scope2_t",
    "co2_scope2_marginal_t",
    "co2_embodied_t",
    "water_onsite_m3",
    "water_offsite_m3",
    "water_scarcity_weighted_m3",
    "energy_cost_usd",
    "facility_energy_mwh",
    "it_energy_mwh",
    "pue_annual",
    "wue_onsite_l_per_kwh",
    "water_l_per_gpu_hour",
    "co2_kg_per_gpu_hour",
    "grid_co2_g_per_kwh",
    "marginal_co2_g_per_kwh",
    "water_scarcity_factor",
    "aware_cf",
    "bws_label",
    "price_usd_per_mwh",
    "koppen_zone",
    "elevation_m",
    "climate_at",
    "rank_survives",
    "rank_shut_down",
    "after_shutdown_years",
    "after_shutdown_energy_cost_usd_per_yr",
    "after_shutdown_co2_t_per_yr",
    "after_shutdown_water_m3_per_yr",
    "after_shutdown_carbon_cost_usd_per_yr",
)


def gpkg_description(n_sites: int) -> str:
    """The layer description of the every-site GeoPackage of a run of ``n_sites``."""
    return (
        f"{n_sites:,} sites of a siting run, one point each (EPSG:4326), input "
        "order, the ranking and summary columns only; every column of every site is in "
        "sites.parquet (GeoParquet) next to this file."
    )


def gpkg_columns(names) -> list[str]:
    """The :data:`GPKG_COLUMNS` among ``names`` (the ``norm_*`` ones after ``score``)."""
    have = set(names)
    norms = [c for c in names if c.startswith("norm_")]
    out = []
    for c in GPKG_COLUMNS:
        if c in have:
            out.append(c)
        if c == "score":
            out.extend(norms)
    return out


def write_gpkg_all(
    parquet: str | os.PathLike, path: str | os.PathLike, *, note: str | None = None
) -> Path:
    """Every site of ``parquet`` into the ``sites`` layer of a GeoPackage (input order,
    :func:`gpkg_columns`, spatial index), streamed batch by batch
    (:func:`write_gpkg_tables`). Atomic."""
    pf = pq.ParquetFile(parquet)
    cols = gpkg_columns(pf.schema_arrow.names) + ["geometry"]
    tables = (pa.Table.from_batches([b]) for b in pf.iter_batches(BATCH_ROWS, columns=cols))
    return write_gpkg_tables(tables, pf.schema_arrow, path, note=note)


#: GDAL's SQLite ``PRAGMA synchronous`` setting (GeoPackage driver).
_SQLITE_SYNC = "OGR_SQLITE_SYNCHRONOUS"


def write_gpkg_tables(
    tables: Iterable[pa.Table],
    schema: pa.Schema,
    path: str | os.PathLike,
    *,
    note: str | None = None,
    stop: Callable[[], bool] | None = None,
) -> Path:
    """Tables of the run's output ``schema`` (every column, row order) into the
    ``sites`` layer of a GeoPackage: :func:`gpkg_columns`, points, spatial index,
    ``note`` as the layer's description; streamed to GDAL in batches of at most
    :data:`BATCH_ROWS` through its Arrow interface (``pyogrio.write_arrow``). Atomic;
    ``stop()`` true before a batch abandons the write. GDAL holds the GIL while it
    writes: run it in another process to render reports meanwhile."""
    import pyogrio

    from siting.errors import OutputError
    from siting.safe_io import atomic_write

    cols = gpkg_columns(schema.names) + ["geometry"]
    plain = pa.schema([_plain_field(schema.field(c)) for c in cols])

    def batches():
        for t in tables:
            for b in t.select(cols).cast(plain).to_batches(max_chunksize=BATCH_ROWS):
                if stop is not None and stop():
                    raise OutputError(f"{path}: write abandoned")
                yield b

    def _write(tmp: Path) -> None:
        tmp.unlink(missing_ok=True)  # the GeoPackage driver creates the file itself
        meta = {"DESCRIPTION": note} if note else None
        before = pyogrio.get_gdal_config_option(_SQLITE_SYNC)
        # no fsync per transaction: the file is a temporary name, moved into place only
        # once complete (as every output here); 1M rows 10.5 s -> 8.4 s
        pyogrio.set_gdal_config_options({_SQLITE_SYNC: "OFF"})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # extension is not .gpkg
                pyogrio.write_arrow(
                    pa.RecordBatchReader.from_batches(plain, batches()),
                    tmp,
                    layer="sites",
                    driver="GPKG",
                    geometry_name="geometry",
                    geometry_type="Point",
                    crs="EPSG:4326",
                    layer_metadata=meta,
                )
        finally:
            pyogrio.set_gdal_config_options({_SQLITE_SYNC: before})

    return atomic_write(Path(path), _write)


def _plain_field(f: pa.Field) -> pa.Field:
    """Dictionary-encoded text as plain text (the GeoPackage stores values)."""
    if pa.types.is_dictionary(f.type):
        return pa.field(f.name, f.type.value_type)
    return f


def write_footprint_chunked(
    parquet: str | os.PathLike,
    path: str | os.PathLike,
    fleet,
    scenario,
    facility,
    *,
    cooling_choice=None,
) -> Path:
    """``footprint.nc`` (site x year) for every site of ``parquet``: the model re-run
    batch by batch on the stored inputs and each batch written into preallocated
    netCDF variables, never the whole array in memory; atomic. With ``cooling_choice``
    the design is chosen again per site (the same choice: a function of the row)."""
    import h5netcdf

    from siting.safe_io import atomic_write
    from siting.scale.run_large import _assess_top

    names = pq.read_schema(parquet).names
    n = pq.ParquetFile(parquet).metadata.num_rows

    def _write(tmp: Path) -> None:
        start = 0
        with h5netcdf.File(tmp, "w") as f:
            made = False
            for gdf in _batches(Path(parquet), columns=names):
                ds = _assess_top(gdf, fleet, scenario, facility, cooling_choice).annual
                k = gdf.shape[0]
                if not made:
                    _layout(f, ds, n)
                    made = True
                for v in ds.data_vars:
                    a = ds[v]
                    if a.dims and a.dims[0] == "site":
                        f.variables[v][start : start + k, ...] = a.to_numpy()
                f.variables["site"][start : start + k] = (
                    np.asarray(ds["site"].values, dtype=object).astype(str).astype(object)
                )
                start += k

    return atomic_write(Path(path), _write)


def _layout(f, ds, n: int) -> None:
    """Dimensions and variables of ``ds`` with ``n`` sites (site coordinate as text)."""
    import h5py

    f.dimensions = {"site": n, **{d: ds.sizes[d] for d in ds.dims if d != "site"}}
    for d in ds.dims:
        if d == "site":
            f.create_variable("site", ("site",), dtype=h5py.string_dtype())
        else:
            f.create_variable(d, (d,), data=ds[d].to_numpy())
    for v in ds.data_vars:
        a = ds[v]
        if a.dims and a.dims[0] == "site":
            var = f.create_variable(v, a.dims, dtype=a.dtype, chunks=True)
        else:
            var = f.create_variable(v, a.dims, data=a.to_numpy())
        var.attrs.update({k: str(x) for k, x in a.attrs.items()})
