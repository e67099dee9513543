"""GeoPackage and GeoParquet outputs for desktop GIS: every result column of every site.

Both hold ``RunResult.ranked`` (the joined layers, the model's totals, the ranking and the
exclusions), one point per site in EPSG:4326, in report order (rank, then unranked, then
excluded). Object columns that mix types (e.g. the assumptions' values) are stored as text;
nullable integers and booleans are kept. The GeoPackage has a second, non-spatial layer
``annual`` with the site x year series in long format.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from siting.report import annual_table, site_order

__all__ = ["SITES_LAYER", "ANNUAL_LAYER", "gis_table", "write_gpkg", "write_parquet"]

#: Layer names in the GeoPackage.
SITES_LAYER = "sites"
ANNUAL_LAYER = "annual"


def gis_table(result: Any) -> gpd.GeoDataFrame:
    """The ranked table ready for GIS formats (report order, plain column types, no attrs).

    Parameters
    ----------
    result
        :class:`siting.pipeline.RunResult`.
    """
    ranked = site_order(result.ranked)
    gdf = ranked if isinstance(ranked, gpd.GeoDataFrame) else gpd.GeoDataFrame(ranked)
    out = gdf.copy()
    out.attrs = {}
    geom = out.geometry.name
    for c in out.columns:
        if c == geom:
            continue
        s = out[c]
        if s.dtype == object:
            vals = s.dropna()
            if len(vals) and all(isinstance(v, bool) for v in vals):
                out[c] = s.astype("boolean")
            elif len(vals) and not all(isinstance(v, str) for v in vals):
                out[c] = s.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    if out.crs is None:
        out = out.set_crs("EPSG:4326")
    return out.reset_index(drop=True)


def write_parquet(result: Any, path: str | os.PathLike) -> Path:
    """Write the sites as GeoParquet, atomically, never over an input file."""
    from siting.io import write_geoparquet

    return write_geoparquet(gis_table(result), path, inputs=getattr(result, "inputs", ()))


def write_gpkg(result: Any, path: str | os.PathLike, *, portfolio: Any = None) -> Path:
    """Write the sites (layer ``sites``) and the annual series (layer ``annual``, no
    geometry) as one GeoPackage, atomically; with a portfolio, also its sites (layer
    ``portfolio``: size or reason per site)."""
    from siting.safe_io import atomic_write

    sites = gis_table(result)
    annual = getattr(result.assessment, "annual", None)
    table = None
    if annual is not None:
        table = annual_table(annual, [str(s) for s in sites["site_id"]])

    def _write(tmp: Path) -> None:
        tmp.unlink(missing_ok=True)  # the GeoPackage driver creates the file itself
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # extension is not .gpkg
            sites.to_file(tmp, driver="GPKG", layer=SITES_LAYER)
            if portfolio is not None and "geometry" in portfolio.sites.columns:
                from siting.io import _plain

                _plain(portfolio.sites).to_file(tmp, driver="GPKG", layer="portfolio")
            if table is not None:
                import pyogrio

                pyogrio.write_dataframe(
                    pd.DataFrame(table), tmp, driver="GPKG", layer=ANNUAL_LAYER, append=False
                )

    return atomic_write(Path(path), _write)
