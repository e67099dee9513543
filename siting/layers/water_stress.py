"""Water stress per site: three indicators, kept apart, each with its provenance.

1. **WULCA AWARE 1.2** (family ``aware``, :mod:`siting.layers.water_stress_aware`):
   water-scarcity characterisation factor of the watershed, annual non-agricultural
   aggregation, in m3 world-eq per m3 consumed; else the country value, else the global
   default. ``water_scarcity_factor`` = ``aware_cf``.
2. **WRI Aqueduct 4.0 baseline water stress** (family ``bws``,
   :mod:`siting.layers.water_stress_aqueduct`): withdrawal over available supply per
   HydroBASINS level-6 sub-basin with its score, category and label, else the country
   rankings; read from the official download, with WRI's special values decoded.
3. **UN SDG 6.4.2 level of water stress** (family ``sdg642``,
   :mod:`siting.layers.water_stress_sdg642`): national freshwater withdrawal as a share of
   available freshwater after environmental flows, latest year per country.

This module joins the three (:func:`join`) and keeps every public name of the three
modules importable from here. Method and references: ``docs/method_water_stress.md`` and
the docstring of each module.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.layers.water_offsite import join_offsite
from siting.layers.water_stress_aqueduct import (
    AQ_ARID_CAT,
    AQ_CATS,
    AQ_GDB_LAYER,
    AQ_KEEP,
    AQ_MISSING_REASON,
    AQ_NO_DATA,
    AQ_REQUIRED,
    AQ_SCORE_MAX,
    AQ_SCORE_MIN,
    AQ_SUPPLY_EXHAUSTED,
    AQUEDUCT_COMPACT,
    build_aqueduct,
    decode_bws,
    join_bws,
    read_aqueduct,
    read_aqueduct_layer,
    read_aqueduct_rankings,
    read_aqueduct_rankings_layer,
)
from siting.layers.water_stress_aware import (
    AWARE_BASINS,
    AWARE_CF_MAX,
    AWARE_CF_MIN,
    AWARE_GLOBAL_NONAGRI_CF,
    AWARE_MONTH_COLUMNS,
    AWARE_REGIONS,
    EQUAL_AREA_CRS,
    GLOBAL_CODE,
    STARTER_DIR,
    aware_region_factors,
    join_aware,
    read_aware_regions,
    read_aware_watersheds,
)
from siting.layers.water_stress_aware import build_aware_starter as build_starter
from siting.layers.water_stress_sdg642 import (
    SDG642_CATEGORIES,
    SDG642_THRESHOLDS_PCT,
    SDG642_VALUE_COLUMN,
    join_sdg642,
    read_sdg642,
    sdg642_category,
)

__all__ = [
    "AQUEDUCT_COMPACT",
    "AQ_ARID_CAT",
    "AQ_CATS",
    "AQ_GDB_LAYER",
    "AQ_KEEP",
    "AQ_MISSING_REASON",
    "AQ_NO_DATA",
    "AQ_REQUIRED",
    "AQ_SCORE_MAX",
    "AQ_SCORE_MIN",
    "AQ_SUPPLY_EXHAUSTED",
    "AWARE_BASINS",
    "AWARE_CF_MAX",
    "AWARE_CF_MIN",
    "AWARE_GLOBAL_NONAGRI_CF",
    "AWARE_MONTH_COLUMNS",
    "AWARE_REGIONS",
    "EQUAL_AREA_CRS",
    "GLOBAL_CODE",
    "SDG642_CATEGORIES",
    "SDG642_THRESHOLDS_PCT",
    "SDG642_VALUE_COLUMN",
    "STARTER_DIR",
    "STARTER_SOURCES",
    "aware_region_factors",
    "build_aqueduct",
    "build_starter",
    "decode_bws",
    "join",
    "read_aqueduct",
    "read_aqueduct_layer",
    "read_aqueduct_rankings",
    "read_aqueduct_rankings_layer",
    "read_aware_regions",
    "read_aware_watersheds",
    "read_sdg642",
    "sdg642_category",
]

#: registry packages that :func:`build_starter` (the AWARE files) is built from
STARTER_SOURCES = ("bw2_aware",)


def join(sites: gpd.GeoDataFrame, ctx) -> pd.DataFrame:
    """Water-stress indicators for each site (families ``aware``, ``bws``, ``sdg642``).

    Parameters
    ----------
    sites
        Sites with ``lat``, ``lon`` and, from the boundary family, ``country_iso3``.
    ctx
        :class:`siting.join.JoinContext`. Option ``bws_rankings_weight`` (default
        ``"Tot"``) picks the weighting of the Aqueduct country rankings.

    Returns
    -------
    DataFrame
        Indexed like ``sites``: ``aware_cf``, ``water_scarcity_factor``,
        ``aware_basin_id``, ``aware_snap_km``, ``aware_cf_m01``..``aware_cf_m12``;
        ``bws_raw``, ``bws_score``, ``bws_cat``, ``bws_label``, ``bws_pfaf_id``,
        ``bws_note``; ``sdg642_water_stress_pct``, ``sdg642_year``,
        ``sdg642_category``; ``water_scarcity_factor_offsite`` (+ ``_level``,
        ``_region``, the grid region's factor, :mod:`siting.layers.water_offsite`); and
        the provenance columns of the three families.
    """
    lon = sites["lon"].to_numpy(float)
    lat = sites["lat"].to_numpy(float)
    iso3 = _country_codes(sites)
    return pd.concat(
        [
            join_aware(lon, lat, iso3, sites.index, ctx),
            join_bws(lon, lat, iso3, sites.index, ctx),
            join_sdg642(iso3, sites.index, ctx),
            join_offsite(sites, ctx),
        ],
        axis=1,
    )


def _country_codes(sites: pd.DataFrame) -> np.ndarray:
    """ISO3 code per site from the boundary family (None where none was found)."""
    if "country_iso3" not in sites:
        return np.full(len(sites), None, dtype=object)
    iso3 = sites["country_iso3"].astype(object).where(sites["country_iso3"].notna(), None)
    return iso3.to_numpy(object)
