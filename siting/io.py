"""Writers for result tables: atomic, never over an input file."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from siting.safe_io import atomic_write, refuse_input


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Columns that Parquet/GPKG can store: object columns of mixed types to str."""
    out = df.copy()
    geom = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    for c in out.columns:
        if c == geom:
            continue
        if out[c].dtype == object:
            vals = out[c].dropna()
            if len(vals) and not all(isinstance(v, str) for v in vals):
                if not all(isinstance(v, bool) for v in vals):
                    out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


def write_geoparquet(gdf: gpd.GeoDataFrame, path: str | os.PathLike, inputs=()) -> Path:
    """Write a GeoDataFrame as GeoParquet atomically."""
    path = Path(path)
    refuse_input(path, inputs)
    data = _plain(gdf)
    data.attrs = {}
    return atomic_write(path, lambda tmp: data.to_parquet(tmp, index=False))


def write_csv(df: pd.DataFrame, path: str | os.PathLike, inputs=()) -> Path:
    """Write a table as CSV atomically, geometry as WKT, formula-like cells neutralised."""
    from siting.safe_io import neutralize_formulas

    path = Path(path)
    refuse_input(path, inputs)
    data = pd.DataFrame(df).copy()
    if isinstance(df, gpd.GeoDataFrame):
        data[df.geometry.name] = df.geometry.to_wkt()
    data = neutralize_formulas(data)
    return atomic_write(path, lambda tmp: data.to_csv(tmp, index=False))
