"""Outputs of a run on the chunked engine that hold every site, written in batches
from its GeoParquet file so that memory stays bounded: the GeoPackage, and the
per-site-year ``footprint.nc`` (only on request)."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
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


def write_gpkg_all(parquet: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Every site of ``parquet`` into the ``sites`` layer of a GeoPackage (input order),
    appended batch by batch; atomic."""
    import pyogrio

    from siting.safe_io import atomic_write

    def _write(tmp: Path) -> None:
        for i, gdf in enumerate(_batches(Path(parquet))):
            pyogrio.write_dataframe(gdf, tmp, layer="sites", driver="GPKG", append=i > 0)

    return atomic_write(Path(path), _write)


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
