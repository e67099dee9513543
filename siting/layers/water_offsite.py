"""Off-site water-scarcity factor per grid region (where the power plants draw water).

On-site cooling water is consumed in the site's own watershed, so it is weighted by the
site's AWARE factor. Off-site water (power-plant cooling, reservoir evaporation) is
consumed where the electricity is generated: the basins of the grid region whose fuel
mix gave the site its EWIF. Siddik et al. (2021) weight both footprints this way [1]_.

Method (``docs/method_water_stress.md``): the off-site factor of a region is the
consumption-weighted mean of the AWARE 1.2 non-agricultural basin factors over the
region's polygon, the WULCA aggregation principle [2]_::

    CF_region = sum_b w_b CF_b / sum_b w_b,     w_b = consumption_b x A(b & region) / A(b)

(:func:`siting.layers.water_stress_aware.aware_region_factors`, areas on an equal-area
projection). The region is the one of the site's fuel mix (``mix_layer``):

* ``egrid2023_subregions``: the eGRID subregion polygon (``grid_zone``), computed at join
  time from the eGRID layer (public domain),
* ``canada_provinces_mix`` (and a U.S. state): the province/state polygon of the embedded
  boundaries (``region_code``), computed at join time,
* otherwise (a country mix, or no mix): the country's factor, precomputed in the starter
  pack (``aware12_regions_nonagri.csv``),
* else the global factor (20.30).

Generation weighting by plant location is not done: no power-plant database with a
licence that allows shipping is in the data directories (see the method notes). The
method of every value is in ``water_scarcity_factor_offsite_level``.

References
----------
.. [1] Siddik, M. A. B., Shehabi, A., Marston, L. (2021). The environmental footprint of
   data centers in the United States. Environ. Res. Lett. 16, 064017.
.. [2] Boulay, A.-M. et al. (2018). Int J Life Cycle Assess 23:368-378,
   doi:10.1007/s11367-017-1333-8.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.layers._water_tables import one_file
from siting.layers.water_stress_aware import (
    GLOBAL_CODE,
    _aware,
    _aware_regions,
    aware_region_factors,
)

__all__ = [
    "OFFSITE_COLUMNS",
    "country_offsite_factors",
    "join_offsite",
    "region_offsite_factors",
]

OFFSITE_COLUMNS = (
    "water_scarcity_factor_offsite",
    "water_scarcity_factor_offsite_level",
    "water_scarcity_factor_offsite_region",
)
#: level labels written in ``water_scarcity_factor_offsite_level``
LEVEL_EGRID = "egrid_subregion_consumption_weighted"
LEVEL_ADMIN1 = "state_province_consumption_weighted"
LEVEL_COUNTRY = "country_consumption_weighted"
LEVEL_GLOBAL = "global"


def region_offsite_factors(
    basins: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, key: str, level: str
) -> pd.Series:
    """Consumption-weighted AWARE factor per region [m3 world-eq / m3], indexed by ``key``.

    ``basins`` needs ``annual_non_agriculture``, ``consumption`` [m3/yr] and polygons;
    ``regions`` a ``key`` column and polygons (any CRS). Vectorized: one overlay of all
    basins with all regions.
    """
    tab = aware_region_factors(basins, regions, key=key, level=level, include_global=False)
    return pd.Series(tab["aware_cf"].to_numpy(float), index=tab["region"].to_numpy(object))


@lru_cache(maxsize=16)
def _polygon_factors(basins_path: str, poly_path: str, kind: str, codes: tuple) -> pd.Series:
    basins = _aware(basins_path)[0]
    if kind == "egrid":
        from siting.layers.grid_carbon import _egrid

        polys = _egrid(poly_path)[0]
        key = "zone"
    else:
        polys = gpd.read_parquet(poly_path)
        key = "region_code"
    polys = polys[polys[key].isin(codes)]
    if polys.empty:
        return pd.Series(dtype=float)
    level = LEVEL_EGRID if kind == "egrid" else LEVEL_ADMIN1
    return region_offsite_factors(basins, polys, key, level)


#: Factors per region code already computed, per (basins, polygons, kind): a region's
#: factor is its own (its basins' overlay), so a chunk whose set of codes differs from
#: the last one computes only the codes not seen yet.
_FACTORS: dict[tuple, pd.Series] = {}
#: Codes without a factor (no polygon, or no basin weight), per key: not asked again.
_NO_FACTOR: dict[tuple, set] = {}
_FACTORS_LOCK = threading.Lock()


def _factors_for(basins_path: str, poly_path: str, kind: str, codes) -> pd.Series:
    """:func:`_polygon_factors` of ``codes``, each code's factor computed once."""
    key = (basins_path, poly_path, kind)
    with _FACTORS_LOCK:
        known = _FACTORS.get(key, pd.Series(dtype=float))
    seen = set(known.index) | set(_NO_FACTOR.get(key, ()))
    new = tuple(sorted(c for c in set(codes) if c not in seen))
    if new:
        got = _polygon_factors(basins_path, poly_path, kind, new)
        with _FACTORS_LOCK:
            known = pd.concat([_FACTORS.get(key, pd.Series(dtype=float)), got])
            known = known[~known.index.duplicated()]
            _FACTORS[key] = known
            _NO_FACTOR.setdefault(key, set()).update(set(new) - set(got.index))
    return known


def _locate(ctx, family: str, level: str | None = None) -> dict | None:
    for lyr in ctx.catalog.family(family):
        if level is not None and lyr.level != level:
            continue
        files = ctx.locate(lyr)
        if files:
            return files
    return None


def _col(sites: pd.DataFrame, name: str) -> np.ndarray:
    if name not in sites.columns:
        return np.full(len(sites), None, dtype=object)
    s = sites[name].astype(object)
    return s.where(s.notna(), None).to_numpy(object)


def join_offsite(sites: pd.DataFrame, ctx) -> pd.DataFrame:
    """``water_scarcity_factor_offsite`` (+ ``_level``, ``_region``) for each site.

    Reads the grid family's ``mix_layer``, ``grid_layer``, ``grid_zone``, ``region_code``
    and the boundary family's ``country_iso3`` from ``sites`` (joined before water).
    """
    n = len(sites)
    cf = np.full(n, np.nan)
    level = np.full(n, "", dtype=object)
    region = np.full(n, None, dtype=object)
    basin_files = _locate(ctx, "aware", "basin")
    mix_layer, grid_layer = _col(sites, "mix_layer"), _col(sites, "grid_layer")
    zone, admin1, iso3 = (
        _col(sites, "grid_zone"),
        _col(sites, "region_code"),
        _col(sites, "country_iso3"),
    )
    if basin_files:
        bpath = str(one_file(basin_files, ".parquet"))
        egrid = (mix_layer == "egrid2023_subregions") & (grid_layer == "egrid2023_subregions")
        egrid &= zone != None  # noqa: E711 (object array)
        egrid_files = _locate(ctx, "grid", "egrid_subregion")
        if egrid.any() and egrid_files:
            path = str(one_file(egrid_files, "subregion.json"))
            _take(
                cf,
                level,
                region,
                egrid,
                zone,
                _factors_for(bpath, path, "egrid", zone[egrid]),
                LEVEL_EGRID,
            )
        sub = np.isnan(cf) & (mix_layer == "canada_provinces_mix") & (admin1 != None)  # noqa: E711
        adm_files = _locate(ctx, "boundary", "admin1")
        if sub.any() and adm_files:
            path = str(one_file(adm_files, ".parquet"))
            _take(
                cf,
                level,
                region,
                sub,
                admin1,
                _factors_for(bpath, path, "admin1", admin1[sub]),
                LEVEL_ADMIN1,
            )
    reg_files = _locate(ctx, "aware", "country")
    if reg_files:
        tab = _aware_regions(str(one_file(reg_files, ".csv")))
        ctry = tab[tab["level"] == "country"]
        factors = pd.Series(ctry["aware_cf"].to_numpy(float), index=ctry["region"].to_numpy())
        todo = np.isnan(cf) & (iso3 != None)  # noqa: E711
        _take(cf, level, region, todo, iso3, factors, LEVEL_COUNTRY)
        glo = tab.loc[tab["region"] == GLOBAL_CODE, "aware_cf"].to_numpy(float)
        rest = np.isnan(cf)
        if glo.size and rest.any():
            cf[rest], level[rest], region[rest] = glo[0], LEVEL_GLOBAL, GLOBAL_CODE
    return pd.DataFrame(
        {
            "water_scarcity_factor_offsite": cf,
            "water_scarcity_factor_offsite_level": level,
            "water_scarcity_factor_offsite_region": region,
        },
        index=sites.index,
    )


def country_offsite_factors(iso3) -> tuple[np.ndarray, np.ndarray]:
    """Off-site factor and level from the embedded country table, for a site table that
    was not joined (``assess`` on a hand-built table with ``country_iso3``).

    NaN and level ``""`` where the code is unknown (no global default is assumed here:
    the site is then ranked with a note naming the missing value).
    """
    from siting.layers.water_stress_aware import AWARE_REGIONS
    from siting.paths import embedded_data_dir

    codes = pd.Series(iso3, dtype=object)
    codes = codes.where(codes.notna(), None).to_numpy(object)
    cf = np.full(len(codes), np.nan)
    level = np.full(len(codes), "", dtype=object)
    region = np.full(len(codes), None, dtype=object)
    path = embedded_data_dir() / AWARE_REGIONS
    if path.is_file():
        tab = _aware_regions(str(path))
        ctry = tab[tab["level"] == "country"]
        factors = pd.Series(ctry["aware_cf"].to_numpy(float), index=ctry["region"].to_numpy())
        _take(cf, level, region, codes != None, codes, factors, LEVEL_COUNTRY)  # noqa: E711
    return cf, level


def _take(cf, level, region, mask, codes, factors: pd.Series, label: str) -> None:
    """Fill ``cf`` where ``mask`` and the code has a factor (in place)."""
    if not mask.any() or factors.empty:
        return
    pos = pd.Index(factors.index).get_indexer(pd.Index(codes))
    take = mask & (pos >= 0)
    cf[take] = factors.to_numpy(float)[pos[take]]
    level[take] = label
    region[take] = codes[take]
