"""Water stress, WULCA AWARE 1.2 (family ``aware``): basin, country and global factors.

**WULCA AWARE 1.2** (family ``aware``): water-scarcity characterisation factor of
the watershed, annual non-agricultural aggregation (the one for industrial and
municipal use, hence data centres), in m3 world-eq per m3 consumed, 0.1-100, 1 = world
average [1]_. Embedded: the 11,050 watersheds of ``bw2_aware/data/aware.gpkg`` shipped
in the sdist of the pip package ``bw2_aware`` 0.3 (BSD-3) [2]_. Per site the basin
value where the basin has one (2,425 basins have a NULL non-agricultural CF), else the
country value, else the global default; the level is in ``aware_level``.
``water_scarcity_factor`` = ``aware_cf`` is the multiplier that turns consumed m3
into scarcity-weighted m3 world-eq.

:func:`aware_region_factors` builds the country table, :func:`build_aware_starter` the
embedded files and :func:`join_aware` the columns of a site table.

References
----------
.. [1] Boulay, A.-M., Bare, J., Benini, L., et al. (2018). The WULCA consensus
   characterization model for water scarcity footprints: assessing impacts of water
   consumption based on available water remaining (AWARE). Int J Life Cycle Assess
   23:368-378. doi:10.1007/s11367-017-1333-8
.. [2] Mutel, C. (2018). bw2_aware 0.3: AWARE regionalized LCIA method for Brightway
   (BSD-3-Clause). https://pypi.org/project/bw2_aware/0.3/
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import provenance
from siting.errors import LayerError
from siting.layers._spatial import PolygonIndex
from siting.layers._water_tables import known_codes, one_file

STARTER_DIR = "starter/water"
AWARE_BASINS = f"{STARTER_DIR}/aware12_watersheds.parquet"
AWARE_REGIONS = f"{STARTER_DIR}/aware12_regions_nonagri.csv"

#: Global default AWARE 1.2 CF for non-agricultural use [m3 world-eq / m3], used where
#: neither the watershed nor the country has a value. Ref: bw2_aware 0.3,
#: ``bw2_aware/aware.py``, ``AnnualNonagricultural.global_cf = 20.30`` (WULCA AWARE
#: 1.2 global non-agricultural factor) [2]_.
AWARE_GLOBAL_NONAGRI_CF = 20.30
#: Range of AWARE CFs [m3 world-eq / m3]: the indicator is limited to 0.1-100.
#: Ref: Boulay et al. (2018) [1]_, Sect. 2; WULCA "What is AWARE?" page.
AWARE_CF_MIN, AWARE_CF_MAX = 0.1, 100.0
#: Region code of the global row of the regions table ("GLO", the code bw2_aware uses
#: for its global CFs, ``AWARE.global_cfs``) [2]_.
GLOBAL_CODE = "GLO"
#: Equal-area CRS for basin/country overlap shares: WGS 84 / NSIDC EASE-Grid 2.0 Global
#: (EPSG:6933, Lambert cylindrical equal-area, valid to +-86 deg; AWARE spans -56..84).
EQUAL_AREA_CRS = "EPSG:6933"
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
AWARE_MONTH_COLUMNS = tuple(f"aware_cf_m{m:02d}" for m in range(1, 13))


# =============================================================================== build
def aware_region_factors(
    basins: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    *,
    cf_column: str = "annual_non_agriculture",
    key: str = "country_iso3",
    level: str = "country",
    include_global: bool = True,
) -> pd.DataFrame:
    """Country AWARE factors as consumption-weighted means of the basin factors.

    WULCA aggregates the native (watershed, month) factors to countries as averages
    weighted by water consumption [1]_ (and the WULCA FAQ: "the difference between agri
    and non-agri only lies in the way they are aggregated"). Here the weight of basin
    ``b`` in country ``c`` is ``consumption_b * A(b & c) / A(b)`` (areas on an
    equal-area projection): the basin's modelled consumption, shared by area where the
    basin straddles a border. Basins whose factor is NULL carry no weight.

    Parameters
    ----------
    basins
        AWARE watersheds with ``cf_column``, ``consumption`` [m3/yr] and polygons (EPSG:4326).
    countries
        Country polygons with ``country_iso3`` (EPSG:4326).
    cf_column
        Basin factor to aggregate.
    key, level
        Column of ``countries`` naming each region (any polygon layer: countries, states,
        grid zones) and the ``level`` label written in the result.
    include_global
        Append the global row.

    Returns
    -------
    DataFrame
        One row per country with a positive total weight, plus the global row
        (``GLOBAL_CODE``, :data:`AWARE_GLOBAL_NONAGRI_CF`): ``region``, ``level``
        (``country``/``global``), ``aware_cf`` [m3 world-eq/m3], ``n_basins``,
        ``weight_m3_per_yr``, ``source``.

    Notes
    -----
    WULCA weights each (basin, month) factor by the non-agricultural consumption of
    that month; the package file carries only annual basin factors and total annual
    consumption, so this is the closest reproducible approximation (documented in
    ``docs/method_water_stress.md``).

    References
    ----------
    .. [1] Boulay et al. (2018), Int J LCA 23:368, doi:10.1007/s11367-017-1333-8.
    """
    b = basins[np.isfinite(basins[cf_column].to_numpy(float))]
    b = gpd.GeoDataFrame(
        {"bid": np.arange(len(b)), "cf": b[cf_column].to_numpy(float), "cons": b["consumption"]},
        geometry=b.geometry.values,
        crs=basins.crs,
    ).to_crs(EQUAL_AREA_CRS)
    c = countries.loc[countries[key].notna(), [key, countries.geometry.name]]
    c = gpd.GeoDataFrame({"region_key": c[key].to_numpy()}, geometry=c.geometry.values)
    c = c.set_crs(countries.crs).to_crs(EQUAL_AREA_CRS)
    ov = gpd.overlay(b, c, how="intersection", keep_geom_type=True)
    share = ov.geometry.area.to_numpy() / b.geometry.area.to_numpy()[ov["bid"].to_numpy()]
    ov["w"] = ov["cons"].to_numpy(float) * share
    ov["wcf"] = ov["w"] * ov["cf"]
    g = ov.groupby("region_key").agg(
        w=("w", "sum"), wcf=("wcf", "sum"), n_basins=("bid", "nunique")
    )
    g = g[g["w"] > 0]
    out = pd.DataFrame(
        {
            "region": g.index.to_numpy(),
            "level": level,
            "aware_cf": (g["wcf"] / g["w"]).to_numpy(),
            "n_basins": g["n_basins"].to_numpy(),
            "weight_m3_per_yr": g["w"].to_numpy(),
            "source": "consumption-weighted mean of AWARE 1.2 basin factors (this package)",
        }
    )
    if not include_global:
        return out.sort_values("region").reset_index(drop=True)
    glo = pd.DataFrame(
        {
            "region": [GLOBAL_CODE],
            "level": ["global"],
            "aware_cf": [AWARE_GLOBAL_NONAGRI_CF],
            "n_basins": [int(np.isfinite(basins[cf_column].to_numpy(float)).sum())],
            "weight_m3_per_yr": [np.nan],
            "source": ["bw2_aware 0.3 AnnualNonagricultural.global_cf (WULCA AWARE 1.2)"],
        }
    )
    return pd.concat([out.sort_values("region"), glo], ignore_index=True)


def build_aware_starter(sources: dict[str, Path], out_dir: Path) -> list[Path]:
    """Build the embedded AWARE files from the ``bw2_aware`` 0.3 sdist.

    Writes ``starter/water/aware12_watersheds.parquet`` (all 11,050 watersheds: ``id``,
    ``consumption`` [m3/yr], ``area`` [m2], ``annual_non_agriculture``,
    ``annual_agriculture``, ``january``..``december`` [m3 world-eq/m3], 2-D polygons) and
    ``starter/water/aware12_regions_nonagri.csv`` (country and global non-agricultural
    factors, :func:`aware_region_factors`, with the embedded Natural Earth countries).

    Polygons are not generalised: the watersheds follow WaterGAP's 0.5 degree grid, so
    only collinear vertices are removed (``shapely.simplify`` with tolerance 0, which
    cannot move a boundary), Z is dropped and the five invalid rings are repaired
    (``make_valid``).
    """
    import shapely

    from siting.layers.boundaries import ADMIN0

    src = next(Path(sources["bw2_aware"]).glob("bw2_aware-*/bw2_aware/data/aware.gpkg"))
    raw = gpd.read_file(src)
    if len(raw) != 11050 or raw.crs is None or raw.crs.to_epsg() != 4326:
        raise LayerError(f"unexpected AWARE file: {len(raw)} watersheds, CRS {raw.crs}", file=src)
    geom = shapely.simplify(shapely.make_valid(shapely.force_2d(raw.geometry.values)), 0.0)
    cols = {
        "id": raw["id"].astype("int32"),
        "consumption": raw["consumption"].astype(float),
        "area": raw["area"].astype(float),
        "annual_non_agriculture": raw["annual_non_agriculture"].astype(float),
        "annual_agriculture": raw["annual_agriculture"].astype(float),
    }
    cols.update({m: raw[m].astype(float) for m in _MONTHS})
    basins = gpd.GeoDataFrame(cols, geometry=geom, crs=4326)
    annual = basins[["annual_non_agriculture", "annual_agriculture"]].to_numpy(float)
    monthly = basins[list(_MONTHS)].to_numpy(float)
    fin_a, fin_m = annual[np.isfinite(annual)], monthly[np.isfinite(monthly)]
    # annual CFs respect the published 0.1-100 range; monthly values of the package file
    # include 0.0 (published as such, passed through unchanged)
    if fin_a.min() < AWARE_CF_MIN or fin_a.max() > AWARE_CF_MAX or fin_m.max() > AWARE_CF_MAX:
        raise LayerError(f"AWARE CFs outside [{AWARE_CF_MIN}, {AWARE_CF_MAX}]", file=src)
    if fin_m.min() < 0:
        raise LayerError("negative monthly AWARE CF", file=src)
    admin0 = Path(out_dir) / ADMIN0
    if not admin0.is_file():
        raise LayerError(
            "the country factors need the embedded boundaries; run "
            "`python scripts/build_starter_pack.py boundaries` first",
            file=admin0,
        )
    regions = aware_region_factors(basins, gpd.read_parquet(admin0))
    out_b = Path(out_dir) / AWARE_BASINS
    out_b.parent.mkdir(parents=True, exist_ok=True)
    basins.to_parquet(out_b, compression="zstd", schema_version="1.0.0")
    out_r = Path(out_dir) / AWARE_REGIONS
    regions.to_csv(out_r, index=False, float_format="%.6g", lineterminator="\n")
    return [out_b, out_r]


# ============================================================================ readers
@lru_cache(maxsize=4)
def _aware(path: str) -> tuple[gpd.GeoDataFrame, PolygonIndex]:
    gdf = gpd.read_parquet(path)
    return gdf, PolygonIndex(gdf.geometry.values)


def read_aware_watersheds(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Catalog reader: the embedded AWARE 1.2 watersheds (GeoParquet)."""
    return _aware(str(one_file(files, ".parquet")))[0]


@lru_cache(maxsize=4)
def _aware_regions(path: str) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def read_aware_regions(files: dict[str, Path]) -> pd.DataFrame:
    """Catalog reader: country and global AWARE 1.2 non-agricultural factors (CSV)."""
    return _aware_regions(str(one_file(files, ".csv")))


# =============================================================================== join
def join_aware(lon, lat, iso3, idx, ctx) -> pd.DataFrame:
    """AWARE columns and provenance: basin value, else country, else global."""
    n = lon.size
    cf = np.full(n, np.nan)
    monthly = np.full((n, 12), np.nan)
    basin_id = np.full(n, -1, dtype=np.int64)
    snap_km = np.full(n, np.nan)
    prov = provenance.empty(idx, "aware", "no AWARE 1.2 layer in any data directory")
    in_basin = np.zeros(n, dtype=bool)
    basin_seen = False
    layers = ctx.catalog.family("aware")
    for lyr in (x for x in layers if x.level == "basin"):
        files = ctx.locate(lyr)
        if not files:
            continue
        basin_seen = True
        gdf, pindex = _aware(str(one_file(files, ".parquet")))
        m = pindex.match(lon, lat, max_snap_km=ctx.snap_km)
        hit = m.index >= 0
        row = np.where(hit, m.index, 0)
        in_basin = hit
        basin_id[hit] = gdf["id"].to_numpy(np.int64)[row[hit]]
        snap_km[hit] = m.snap_km[hit]
        v = np.where(hit, gdf["annual_non_agriculture"].to_numpy(float)[row], np.nan)
        ok = hit & np.isfinite(v)
        cf[ok] = v[ok]
        monthly[ok] = gdf[list(_MONTHS)].to_numpy(float)[row[ok]]
        provenance.set_source(prov, "aware", ok, lyr.name, "basin", lyr.vintage)
        ctx.count("aware", "basin", lyr.name, int(ok.sum()))
        ids = pd.Series(basin_id).astype(str).to_numpy(object)
        null = hit & ~ok
        prov.loc[null, "aware_reason"] = (
            "AWARE basin " + ids[null] + " has no annual non-agricultural CF and no "
            "country/global table is available"
        )
        prov.loc[~hit, "aware_reason"] = (
            f"not within {ctx.snap_km:g} km of any AWARE 1.2 watershed ({lyr.name}) and "
            "no country known (open sea or outside coverage)"
        )
        break
    has_country = known_codes(iso3)
    for lyr in (x for x in layers if x.level == "country"):
        todo = np.isnan(cf)
        if not todo.any():
            break
        files = ctx.locate(lyr)
        if not files:
            continue
        tab = _aware_regions(str(one_file(files, ".csv")))
        ctry = tab[tab["level"] == "country"]
        pos = pd.Index(ctry["region"]).get_indexer(pd.Index(iso3))
        take = todo & has_country & (pos >= 0)
        cf[take] = ctry["aware_cf"].to_numpy(float)[pos[take]]
        provenance.set_source(prov, "aware", take, lyr.name, "country", lyr.vintage)
        ctx.count("aware", "country", lyr.name, int(take.sum()))
        glo = tab.loc[tab["region"] == GLOBAL_CODE, "aware_cf"].to_numpy(float)
        on_land = in_basin | has_country
        take = np.isnan(cf) & on_land & (glo.size > 0)
        if take.any():
            cf[take] = glo[0]
            provenance.set_source(prov, "aware", take, lyr.name, "global", lyr.vintage)
            ctx.count("aware", "global", lyr.name, int(take.sum()))
        if not basin_seen:
            prov.loc[np.isnan(cf), "aware_reason"] = (
                "no AWARE watershed layer available and no country known"
            )
    out = pd.DataFrame(
        {
            "aware_cf": cf,
            "water_scarcity_factor": cf.copy(),
            "aware_basin_id": pd.array(np.where(basin_id >= 0, basin_id, 0), dtype="Int64"),
            "aware_snap_km": snap_km,
        },
        index=idx,
    )
    out.loc[basin_id < 0, "aware_basin_id"] = pd.NA
    for j, c in enumerate(AWARE_MONTH_COLUMNS):
        out[c] = monthly[:, j]
    return pd.concat([out, prov], axis=1)
