"""Water stress per site: three indicators, kept apart, each with its provenance.

1. **WULCA AWARE 1.2** (families ``aware``): water-scarcity characterisation factor of
   the watershed, annual non-agricultural aggregation (the one for industrial and
   municipal use, hence data centres), in m3 world-eq per m3 consumed, 0.1-100, 1 = world
   average [1]_. Embedded: the 11,050 watersheds of ``bw2_aware/data/aware.gpkg`` shipped
   in the sdist of the pip package ``bw2_aware`` 0.3 (BSD-3) [2]_. Per site the basin
   value where the basin has one (2,425 basins have a NULL non-agricultural CF), else the
   country value, else the global default; the level is in ``aware_level``.
   ``water_scarcity_factor`` = ``aware_cf`` is the multiplier that turns consumed m3
   into scarcity-weighted m3 world-eq.
2. **WRI Aqueduct 4.0 baseline water stress** (family ``bws``): ratio of gross water
   withdrawal to available renewable supply per HydroBASINS level-6 sub-basin
   (``pfaf_id``), with its 0-5 score, category and label [3]_ [4]_. Not redistributable
   offline: read from the official download (File Geodatabase, GeoPackage, the zip itself,
   the baseline CSV with HydroBASINS polygons, or the compact GeoParquet that
   :func:`build_aqueduct` makes from any of them) and, as the country fallback, the
   country-rankings workbook. Missing: NaN plus the reason
   ``"Aqueduct 4.0 not in any data directory; run `siting data fetch aqueduct40`"``.
3. **UN SDG 6.4.2 level of water stress** (family ``sdg642``): national freshwater
   withdrawal as a share of available freshwater resources after environmental flow
   requirements, % (FAO AQUASTAT via Our World in Data) [5]_ [6]_, latest year per
   country, with the FAO category.

Aqueduct special values are decoded per the WRI data dictionary, FAQ and production
code [3]_ [4]_ [7]_ (see :func:`decode_bws`): ``-9999`` no data; category ``-1`` "Arid and
Low Water Use" (the raw value 1 is a placeholder, not a ratio; WRI advises treating the
category as a top priority); raw ``9999`` supply nearly exhausted (score 5, Extremely
High); negative raw values are not a ratio of a withdrawal to a supply and are not used.

References
----------
.. [1] Boulay, A.-M., Bare, J., Benini, L., et al. (2018). The WULCA consensus
   characterization model for water scarcity footprints: assessing impacts of water
   consumption based on available water remaining (AWARE). Int J Life Cycle Assess
   23:368-378. doi:10.1007/s11367-017-1333-8
.. [2] Mutel, C. (2018). bw2_aware 0.3: AWARE regionalized LCIA method for Brightway
   (BSD-3-Clause). https://pypi.org/project/bw2_aware/0.3/
.. [3] Kuzma, S., Bierkens, M.F.P., Lakshman, S., et al. (2023). Aqueduct 4.0: Updated
   decision-relevant global water risk indicators. Technical Note. WRI.
   doi:10.46830/writn.23.00061
.. [4] WRI (2023). Aqueduct 4.0 data dictionary (water risk atlas, country rankings) and
   FAQ. https://github.com/wri/Aqueduct40
.. [5] FAO and UN-Water (2021). Progress on Level of Water Stress. Global status and
   acceleration needs for SDG Indicator 6.4.2. Rome. doi:10.4060/cb6241en
.. [6] Our World in Data (2023), grapher "water-use-stress" (FAO AQUASTAT, ER_H2O_STRESS).
.. [7] WRI (2023). Aqueduct40 production scripts, step3_calculate-indicators.ipynb and
   step4_finalize-data-download.ipynb. https://github.com/wri/Aqueduct40
"""

from __future__ import annotations

import zipfile
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import provenance
from siting.errors import LayerError
from siting.layers._spatial import PolygonIndex

STARTER_SOURCES = ("bw2_aware",)
STARTER_DIR = "starter/water"
AWARE_BASINS = f"{STARTER_DIR}/aware12_watersheds.parquet"
AWARE_REGIONS = f"{STARTER_DIR}/aware12_regions_nonagri.csv"
#: compact GeoParquet written by :func:`build_aqueduct` (path inside a data directory)
AQUEDUCT_COMPACT = "aqueduct40/aqueduct40_bws_baseline_annual.parquet"

# --------------------------------------------------------------------------- AWARE
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

# ------------------------------------------------------------------------- Aqueduct
#: Aqueduct no-data sentinel for raw, score and category values. Ref: WRI Aqueduct 4.0
#: FAQ, "What does a raw value of 9999 mean? What about -9999?" [4]_.
AQ_NO_DATA = -9999.0
#: Aqueduct raw water-stress value assigned where available supply stays below half the
#: monthly arid threshold (0.001 m/month) for at least six months: supply nearly
#: exhausted, scored 5 / Extremely High. Ref: WRI Aqueduct 4.0 FAQ [4]_; production
#: script step3 (``ws_r.mask(flx2-ba == 1, 9999)``) [7]_.
AQ_SUPPLY_EXHAUSTED = 9999.0
#: Aqueduct category "Arid and Low Water Use" (raw set to 1, score 5, cat -1 by
#: convention). Ref: data dictionary, ``_cat`` in [-1, 4] [4]_; step3 [7]_.
AQ_ARID_CAT = -1
#: Aqueduct score range (``_score``: "each indicator is mapped to a [0-5] scale") and
#: ordinary categories 0-4. Ref: data dictionary [4]_.
AQ_SCORE_MIN, AQ_SCORE_MAX = 0.0, 5.0
AQ_CATS = (-1, 0, 1, 2, 3, 4)
#: Official baseline-annual columns the loader needs [4]_.
AQ_REQUIRED = ("pfaf_id", "bws_raw", "bws_score", "bws_cat", "bws_label")
AQ_KEEP = ("string_id", "aq30_id", "pfaf_id", "gid_0", "gid_1", "aqid") + AQ_REQUIRED[1:]
#: Official download: layer of the File Geodatabase with the annual baseline.
AQ_GDB_LAYER = "baseline_annual"
AQ_MISSING_REASON = "Aqueduct 4.0 not in any data directory; run `siting data fetch aqueduct40`"

# --------------------------------------------------------------------------- SDG 6.4.2
#: FAO severity thresholds of SDG 6.4.2 [% of available freshwater withdrawn]:
#: <25 no stress, 25-50 low, 50-75 medium, 75-100 high, >100 critical.
#: Ref: FAO and UN-Water (2021), Progress on Level of Water Stress, doi:10.4060/cb6241en [5]_.
SDG642_THRESHOLDS_PCT = (25.0, 50.0, 75.0, 100.0)
SDG642_CATEGORIES = ("no stress", "low", "medium", "high", "critical")
SDG642_VALUE_COLUMN = (
    "6.4.2 - Level of water stress: freshwater withdrawal as a proportion of available "
    "freshwater resources (%) - ER_H2O_STRESS - No breakdown"
)


# =============================================================================== build
def aware_region_factors(
    basins: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    *,
    cf_column: str = "annual_non_agriculture",
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
    c = countries.loc[countries["country_iso3"].notna(), ["country_iso3", "geometry"]]
    c = c.to_crs(EQUAL_AREA_CRS)
    ov = gpd.overlay(b, c, how="intersection", keep_geom_type=True)
    share = ov.geometry.area.to_numpy() / b.geometry.area.to_numpy()[ov["bid"].to_numpy()]
    ov["w"] = ov["cons"].to_numpy(float) * share
    ov["wcf"] = ov["w"] * ov["cf"]
    g = ov.groupby("country_iso3").agg(
        w=("w", "sum"), wcf=("wcf", "sum"), n_basins=("bid", "nunique")
    )
    g = g[g["w"] > 0]
    out = pd.DataFrame(
        {
            "region": g.index.to_numpy(),
            "level": "country",
            "aware_cf": (g["wcf"] / g["w"]).to_numpy(),
            "n_basins": g["n_basins"].to_numpy(),
            "weight_m3_per_yr": g["w"].to_numpy(),
            "source": "consumption-weighted mean of AWARE 1.2 basin factors (this package)",
        }
    )
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


def build_starter(sources: dict[str, Path], out_dir: Path) -> list[Path]:
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
def _one(files: dict[str, Path], suffix: str) -> Path:
    for k, p in files.items():
        if k.endswith(suffix):
            return Path(p)
    raise LayerError(f"layer files hold no '*{suffix}' (got {sorted(files)})")


@lru_cache(maxsize=4)
def _aware(path: str) -> tuple[gpd.GeoDataFrame, PolygonIndex]:
    gdf = gpd.read_parquet(path)
    return gdf, PolygonIndex(gdf.geometry.values)


def read_aware_watersheds(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Catalog reader: the embedded AWARE 1.2 watersheds (GeoParquet)."""
    return _aware(str(_one(files, ".parquet")))[0]


@lru_cache(maxsize=4)
def _aware_regions(path: str) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def read_aware_regions(files: dict[str, Path]) -> pd.DataFrame:
    """Catalog reader: country and global AWARE 1.2 non-agricultural factors (CSV)."""
    return _aware_regions(str(_one(files, ".csv")))


def decode_bws(table: pd.DataFrame) -> pd.DataFrame:
    """Decode Aqueduct 4.0 baseline-water-stress values per WRI's conventions.

    Parameters
    ----------
    table
        Rows of the official schema with ``bws_raw``, ``bws_score``, ``bws_cat``,
        ``bws_label`` (values as published, sentinels included).

    Returns
    -------
    DataFrame
        Same index: ``bws_raw`` (ratio of withdrawal to available supply, NaN where the
        published raw value is a sentinel or a placeholder), ``bws_score`` (0-5),
        ``bws_cat`` (-1..4, float), ``bws_label``, ``bws_note`` (why a raw value was not
        kept, empty otherwise) and ``present`` (a category is known).

    Notes
    -----
    ========================  =============================================================
    published                 decoded
    ========================  =============================================================
    -9999 / "No Data"         everything NaN, note "no data (-9999)" [FAQ]
    cat -1 (raw 1, score 5)   raw NaN (1 is a placeholder), score 5, cat -1, label kept,
                              note "arid and low water use" [dictionary; step3]
    raw 9999                  raw NaN, score 5, cat 4, label kept, note "supply nearly
                              exhausted (9999)" [FAQ]
    raw < 0 (not -9999)       raw NaN; score/cat kept only if valid; note "negative raw"
    score outside [0, 5] or   NaN (not a published value)
    cat outside {-1..4}
    ========================  =============================================================

    A negative raw value cannot be a ratio of a non-negative withdrawal to a positive
    supply. In WRI's production code the monthly supply and demand are bias-corrected
    additively (``*-additive.csv``), which can make a modelled supply negative, and the
    score of a negative ratio is undefined (``log``), so such rows end as no data
    (score -9999) [7]_. Values such as -4055 are therefore not stress levels.

    References
    ----------
    .. [4] WRI (2023). Aqueduct 4.0 data dictionary and FAQ, github.com/wri/Aqueduct40.
    .. [7] WRI (2023). Aqueduct40 production scripts, step3 and step4 notebooks.
    """
    raw = pd.to_numeric(table["bws_raw"], errors="coerce").to_numpy(float)
    score = pd.to_numeric(table["bws_score"], errors="coerce").to_numpy(float)
    cat = pd.to_numeric(table["bws_cat"], errors="coerce").to_numpy(float)
    label = table["bws_label"].astype(object).where(table["bws_label"].notna(), None)
    label = label.to_numpy(object)
    lab_low = pd.Series(label, dtype=object).fillna("").astype(str).str.strip().str.lower()
    n = raw.size
    note = np.full(n, "", dtype=object)

    nodata = (raw == AQ_NO_DATA) | (cat == AQ_NO_DATA) | (lab_low.to_numpy() == "no data")
    nodata |= np.isnan(raw) & np.isnan(score) & np.isnan(cat)
    arid = ~nodata & (cat == AQ_ARID_CAT)
    exhausted = ~nodata & ~arid & (raw == AQ_SUPPLY_EXHAUSTED)
    negative = ~arid & (raw < 0) & (raw != AQ_NO_DATA)

    out_raw = raw.copy()
    out_raw[nodata | arid | exhausted | negative] = np.nan
    bad_score = ~((score >= AQ_SCORE_MIN) & (score <= AQ_SCORE_MAX))
    out_score = np.where(nodata | bad_score, np.nan, score)
    bad_cat = ~np.isin(cat, AQ_CATS)
    out_cat = np.where(nodata | bad_cat, np.nan, cat)
    out_label = np.where(nodata | np.isnan(out_cat), None, label)

    note[nodata] = "no data (-9999)"
    note[arid] = (
        "arid and low water use (category -1): the raw value 1 is a placeholder, not a "
        "ratio; WRI advises treating it as a top priority with High/Extremely High"
    )
    note[exhausted] = "supply nearly exhausted (raw sentinel 9999): scored 5, Extremely High"
    neg_txt = pd.Series(raw[negative]).map("{:g}".format).to_numpy(object)
    note[negative] = "negative raw value " + neg_txt + " is not a stress ratio (not used)"
    neg_nocat = negative & np.isnan(out_cat)
    note[neg_nocat] = note[neg_nocat] + "; no score or category (-9999): no data"
    present = ~np.isnan(out_cat)
    return pd.DataFrame(
        {
            "bws_raw": out_raw,
            "bws_score": out_score,
            "bws_cat": out_cat,
            "bws_label": pd.Series(out_label, index=table.index, dtype=object),
            "bws_note": pd.Series(note, index=table.index, dtype=object),
            "present": present,
        },
        index=table.index,
    )


def _check_columns(columns, path, need=AQ_REQUIRED) -> None:
    missing = [c for c in need if c not in columns]
    if missing:
        raise LayerError(
            f"not an Aqueduct 4.0 baseline-annual table: missing column(s) {missing} "
            "(see the WRI data dictionary, data_dictionary_water-risk-atlas.md)",
            file=path,
        )


def _gdb_in_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except zipfile.BadZipFile:
        raise LayerError("not a readable zip file", file=path) from None
    gdbs = sorted({n.split(".gdb/")[0] + ".gdb" for n in names if ".gdb/" in n})
    gpkgs = sorted(n for n in names if n.lower().endswith(".gpkg"))
    inner = gdbs or gpkgs
    if not inner:
        raise LayerError("zip holds no File Geodatabase (.gdb) or GeoPackage", file=path)
    return f"/vsizip/{path}/{inner[0]}"


def _read_vector(target: str, path: Path, layer: str | None) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        layers = [str(x) for x in pyogrio.list_layers(target)[:, 0]]
    except Exception as e:  # noqa: BLE001 - GDAL raises many types; all mean "unreadable"
        raise LayerError(f"not a readable vector dataset: {e}", file=path) from None
    if layer is None:
        layer = AQ_GDB_LAYER if AQ_GDB_LAYER in layers else None
        if layer is None:
            for lyr in layers:
                fields = pyogrio.read_info(target, layer=lyr)["fields"]
                if all(c in fields for c in AQ_REQUIRED):
                    layer = lyr
                    break
        if layer is None:
            raise LayerError(
                f"no layer with the Aqueduct baseline columns {list(AQ_REQUIRED)}; "
                f"layers are {layers}",
                file=path,
            )
    fields = list(pyogrio.read_info(target, layer=layer)["fields"])
    _check_columns(fields, path)
    cols = [c for c in AQ_KEEP if c in fields]
    gdf = gpd.read_file(target, layer=layer, columns=cols)
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


def _read_csv_with_polygons(path: Path, polygons: Path | None) -> gpd.GeoDataFrame:
    if polygons is None:
        raise LayerError(
            "the Aqueduct CSV has no geometry: give the HydroBASINS level-6 polygons "
            "(hybas_*_lev06_v1c, field PFAF_ID) as `polygons=`, or use the File "
            "Geodatabase of the same download",
            file=path,
        )
    head = pd.read_csv(path, nrows=0).columns
    _check_columns(head, path)
    cols = [c for c in AQ_KEEP if c in head]
    tab = pd.read_csv(path, usecols=cols, dtype={"pfaf_id": "Int64"}, low_memory=False)
    tab = tab[tab["pfaf_id"].notna() & (tab["pfaf_id"] != int(AQ_NO_DATA))]
    bws = ["pfaf_id", *AQ_REQUIRED[1:]]
    uniq = tab.drop_duplicates(subset=bws)
    dup = uniq["pfaf_id"].duplicated(keep=False)
    if dup.any():
        bad = uniq.loc[dup, "pfaf_id"].iloc[0]
        raise LayerError(
            f"basin pfaf_id {bad} carries different bws values in different rows; the "
            "CSV cannot be joined by basin polygon (use the Geodatabase)",
            file=path,
        )
    poly = gpd.read_file(polygons)
    key = next((c for c in poly.columns if str(c).lower() == "pfaf_id"), None)
    if key is None:
        raise LayerError("polygon file has no PFAF_ID field (HydroBASINS level 6)", file=polygons)
    if poly.crs is not None and poly.crs.to_epsg() != 4326:
        poly = poly.to_crs(4326)
    poly = gpd.GeoDataFrame(
        {"pfaf_id": pd.to_numeric(poly[key], errors="coerce").astype("Int64")},
        geometry=poly.geometry.values,
        crs=4326,
    )
    merged = poly.merge(uniq[bws], on="pfaf_id", how="left")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)


def read_aqueduct(
    source: str | Path, *, polygons: str | Path | None = None, layer: str | None = None
) -> gpd.GeoDataFrame:
    """Read the Aqueduct 4.0 annual baseline from any official format.

    Parameters
    ----------
    source
        One of: the File Geodatabase ``Aq40_Y2023D07M05.gdb`` (directory, or any file in
        it), a GeoPackage, the download zip ``aqueduct-4-0-water-risk-data.zip`` (read
        in place), the baseline CSV ``Aqueduct40_baseline_annual_y2023m07d05.csv`` (then
        ``polygons`` is required) or the compact GeoParquet of :func:`build_aqueduct`.
    polygons
        HydroBASINS level-6 polygons with ``PFAF_ID`` (for the CSV, which has no
        geometry; Aqueduct's sub-basins are HydroBASINS level 6).
    layer
        Layer name (default ``baseline_annual``, else the first layer with the columns).

    Returns
    -------
    GeoDataFrame
        EPSG:4326 polygons with the identifier and ``bws_*`` columns present in the
        source (values as published; decode them with :func:`decode_bws`).

    Raises
    ------
    LayerError
        Unreadable file, missing columns (named), or a CSV without polygons.

    References
    ----------
    .. [4] WRI (2023). Aqueduct 4.0 data dictionary and FAQ, github.com/wri/Aqueduct40.
    """
    path = Path(source)
    if path.name == "gdb" or (path.is_file() and path.parent.suffix.lower() == ".gdb"):
        path = path.parent
    suffix = path.suffix.lower()
    if not path.exists():
        raise LayerError("Aqueduct source not found", file=path)
    if suffix == ".gdb" or suffix == ".gpkg":
        return _read_vector(str(path), path, layer)
    if suffix == ".zip":
        return _read_vector(_gdb_in_zip(path), path, layer)
    if suffix in (".parquet", ".geoparquet"):
        gdf = gpd.read_parquet(path)
        _check_columns(gdf.columns, path)
        return gdf
    if suffix == ".csv":
        return _read_csv_with_polygons(path, None if polygons is None else Path(polygons))
    raise LayerError(
        "unknown Aqueduct format; expected .gdb, .gpkg, .zip, .csv (+ polygons) or .parquet",
        file=path,
    )


def build_aqueduct(
    source: str | Path, out_dir: str | Path, *, polygons: str | Path | None = None
) -> list[Path]:
    """Convert an official Aqueduct 4.0 download to the compact GeoParquet.

    The output (``aqueduct40/aqueduct40_bws_baseline_annual.parquet`` under
    ``out_dir``) keeps the identifiers and the four ``bws`` columns exactly as published
    (sentinels included) with the polygons, so one reader serves every source format.
    ``siting data build`` calls this after ``siting data fetch aqueduct40``.

    Parameters
    ----------
    source, polygons
        As in :func:`read_aqueduct`.
    out_dir
        Data directory to write into.

    Returns
    -------
    list of Path
        The file written.
    """
    gdf = read_aqueduct(source, polygons=polygons)
    out = Path(out_dir) / AQUEDUCT_COMPACT
    out.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_parquet(out, compression="zstd", schema_version="1.0.0")
    return [out]


@lru_cache(maxsize=4)
def _aqueduct(path: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame, PolygonIndex]:
    gdf = read_aqueduct(path)
    return gdf, decode_bws(gdf), PolygonIndex(gdf.geometry.values)


def read_aqueduct_layer(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Catalog reader for the Aqueduct basin layers (compact, GDB, zip)."""
    return _aqueduct(str(next(iter(files.values()))))[0]


def _rankings_xlsx(path: Path):
    if path.suffix.lower() == ".zip":
        z = zipfile.ZipFile(path)
        name = next((n for n in z.namelist() if n.lower().endswith(".xlsx")), None)
        if name is None:
            raise LayerError("zip holds no .xlsx rankings workbook", file=path)
        return z.open(name)
    return path


def read_aqueduct_rankings(
    source: str | Path, *, sheet: str = "country_baseline", weight: str = "Tot"
) -> pd.DataFrame:
    """Baseline water stress by country (or province) from the rankings workbook.

    Parameters
    ----------
    source
        ``Aqueduct40_rankings_download_Y2023M07D05.xlsx`` or the zip it comes in.
    sheet
        ``country_baseline`` (key ``gid_0``) or ``province_baseline`` (key ``gid_1``).
    weight
        Weighting of the sub-basin scores (``Tot`` total gross withdrawal, ``Dom``,
        ``Ind``, ``Irr``, ``Liv``, ``One``; case-insensitive) [4]_.

    Returns
    -------
    DataFrame
        ``gid_0`` (and ``gid_1``, ``name_1`` for provinces), ``name_0``, ``weight``,
        ``score_ranked``, and the decoded ``bws_score``, ``bws_cat``, ``bws_label``,
        ``bws_note``, ``present`` (``bws_raw`` is NaN: the rankings publish no ratio).

    References
    ----------
    .. [4] WRI (2023). Aqueduct 4.0 country rankings data dictionary.
    """
    path = Path(source)
    try:
        frame = pd.read_excel(_rankings_xlsx(path), sheet_name=sheet)
    except (ValueError, KeyError, zipfile.BadZipFile) as e:
        raise LayerError(
            f"cannot read sheet '{sheet}' of the rankings workbook: {e}", file=path
        ) from None
    need = ("gid_0", "indicator_name", "weight", "score", "cat", "label")
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise LayerError(f"rankings sheet '{sheet}' misses column(s) {missing}", file=path)
    sel = (frame["indicator_name"].astype(str).str.lower() == "bws") & (
        frame["weight"].astype(str).str.lower() == weight.lower()
    )
    f = frame[sel].reset_index(drop=True)
    dec = decode_bws(
        pd.DataFrame(
            {
                "bws_raw": np.nan,
                "bws_score": f["score"],
                "bws_cat": f["cat"],
                "bws_label": f["label"],
            }
        )
    )
    keep = [c for c in ("gid_0", "gid_1", "name_0", "name_1", "weight", "score_ranked") if c in f]
    return pd.concat([f[keep], dec], axis=1)


@lru_cache(maxsize=8)
def _rankings(path: str, weight: str) -> pd.DataFrame:
    return read_aqueduct_rankings(path, weight=weight)


def read_aqueduct_rankings_layer(files: dict[str, Path]) -> pd.DataFrame:
    """Catalog reader: country rankings, total-withdrawal weighting."""
    return _rankings(str(next(iter(files.values()))), "Tot")


@lru_cache(maxsize=4)
def _sdg642(path: str) -> pd.DataFrame:
    d = pd.read_csv(path)
    value = SDG642_VALUE_COLUMN if SDG642_VALUE_COLUMN in d.columns else None
    if value is None:
        cand = [c for c in d.columns if "ER_H2O_STRESS" in str(c) or "6.4.2" in str(c)]
        if not cand or not {"Code", "Year"} <= set(d.columns):
            raise LayerError(
                "not the OWID SDG 6.4.2 export (columns Entity, Code, Year, 6.4.2 ...)",
                file=path,
            )
        value = cand[0]
    d = d[d["Code"].notna() & ~d["Code"].astype(str).str.startswith("OWID_")]
    d = d[np.isfinite(pd.to_numeric(d[value], errors="coerce"))]
    d = d.sort_values(["Code", "Year"]).groupby("Code", sort=True).tail(1)
    return pd.DataFrame(
        {
            "country_iso3": d["Code"].astype(str).to_numpy(),
            "country_name": d["Entity"].astype(str).to_numpy() if "Entity" in d else None,
            "sdg642_water_stress_pct": pd.to_numeric(d[value]).to_numpy(float),
            "sdg642_year": d["Year"].astype(int).to_numpy(),
        }
    ).reset_index(drop=True)


def read_sdg642(files: dict[str, Path]) -> pd.DataFrame:
    """Catalog reader: latest SDG 6.4.2 value per ISO3 country (UN regions dropped)."""
    return _sdg642(str(_one(files, ".csv")))


def sdg642_category(pct) -> np.ndarray:
    """FAO severity category of SDG 6.4.2 values [%].

    ``<25`` no stress, ``25-<50`` low, ``50-<75`` medium, ``75-100`` high, ``>100``
    critical; NaN gives None. Ref: FAO and UN-Water (2021), doi:10.4060/cb6241en.
    """
    p = np.asarray(pct, dtype=float)
    t25, t50, t75, t100 = SDG642_THRESHOLDS_PCT
    bins = np.select([p < t25, p < t50, p < t75, p <= t100, p > t100], [0, 1, 2, 3, 4], default=-1)
    cats = np.array(SDG642_CATEGORIES + (None,), dtype=object)
    return cats[bins]


# =============================================================================== join
def _str_col(values: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(values, index=index, dtype=object)


def _known(codes: np.ndarray) -> np.ndarray:
    s = pd.Series(codes, dtype=object)
    return (s.notna() & (s.astype(str).str.strip() != "")).to_numpy(bool)


def _join_aware(lon, lat, iso3, idx, ctx) -> pd.DataFrame:
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
        gdf, pindex = _aware(str(_one(files, ".parquet")))
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
    has_country = _known(iso3)
    for lyr in (x for x in layers if x.level == "country"):
        todo = np.isnan(cf)
        if not todo.any():
            break
        files = ctx.locate(lyr)
        if not files:
            continue
        tab = _aware_regions(str(_one(files, ".csv")))
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


def _join_bws(lon, lat, iso3, idx, ctx) -> pd.DataFrame:
    n = lon.size
    raw = np.full(n, np.nan)
    score = np.full(n, np.nan)
    cat = np.full(n, np.nan)
    label = np.full(n, None, dtype=object)
    note = np.full(n, "", dtype=object)
    pfaf = np.full(n, -1, dtype=np.int64)
    prov = provenance.empty(idx, "bws", AQ_MISSING_REASON)
    basin_done = False
    weight = str(ctx.options.get("bws_rankings_weight", "Tot"))
    for lyr in ctx.catalog.family("bws"):
        todo = np.isnan(cat)
        if not todo.any():
            break
        if lyr.level == "basin":
            if basin_done:
                continue
            files = ctx.locate(lyr)
            if not files:
                continue
            basin_done = True
            gdf, dec, pindex = _aqueduct(str(next(iter(files.values()))))
            m = pindex.match(lon, lat, max_snap_km=ctx.snap_km)
            hit = m.index >= 0
            row = np.where(hit, m.index, 0)
            pf = pd.to_numeric(gdf["pfaf_id"], errors="coerce").fillna(-1).to_numpy(np.int64)
            pf[pf < 0] = int(AQ_NO_DATA)
            pfaf[hit] = pf[row[hit]]
            ok = todo & hit & dec["present"].to_numpy()[row]
            raw[ok] = dec["bws_raw"].to_numpy(float)[row[ok]]
            score[ok] = dec["bws_score"].to_numpy(float)[row[ok]]
            cat[ok] = dec["bws_cat"].to_numpy(float)[row[ok]]
            label[ok] = dec["bws_label"].to_numpy(object)[row[ok]]
            note[hit] = dec["bws_note"].to_numpy(object)[row[hit]]
            provenance.set_source(prov, "bws", ok, lyr.name, "basin", lyr.vintage)
            ctx.count("bws", "basin", lyr.name, int(ok.sum()))
            miss = hit & ~ok
            pf_txt = pd.Series(pfaf).astype(str).to_numpy(object)
            where = np.where(
                pfaf == int(AQ_NO_DATA),
                "Aqueduct 4.0 polygon without a sub-basin (pfaf_id -9999)",
                "Aqueduct 4.0 basin pfaf_id " + pf_txt,
            )
            prov.loc[miss, "bws_reason"] = where[miss] + ": " + note[miss]
            prov.loc[~hit, "bws_reason"] = (
                f"not within {ctx.snap_km:g} km of any Aqueduct 4.0 polygon ({lyr.name})"
            )
        elif lyr.level == "country":
            files = ctx.locate(lyr)
            if not files:
                continue
            tab = _rankings(str(next(iter(files.values()))), weight)
            pos = pd.Index(tab["gid_0"].astype(str)).get_indexer(pd.Index(iso3))
            has = pos >= 0
            p = np.where(has, pos, 0)
            ok = todo & has & tab["present"].to_numpy()[p]
            score[ok] = tab["bws_score"].to_numpy(float)[p[ok]]
            cat[ok] = tab["bws_cat"].to_numpy(float)[p[ok]]
            label[ok] = tab["bws_label"].to_numpy(object)[p[ok]]
            note[ok] = (
                f"country aggregate of sub-basin scores (Aqueduct rankings, weight {weight}); "
                "no raw ratio published"
            )
            provenance.set_source(prov, "bws", ok, lyr.name, "country", lyr.vintage)
            ctx.count("bws", "country", lyr.name, int(ok.sum()))
    out = pd.DataFrame(
        {
            "bws_raw": raw,
            "bws_score": score,
            "bws_cat": cat,
            "bws_label": _str_col(label, idx),
            "bws_pfaf_id": pd.array(np.where(pfaf > 0, pfaf, 0), dtype="Int64"),
            "bws_note": _str_col(note, idx),
        },
        index=idx,
    )
    out.loc[pfaf <= 0, "bws_pfaf_id"] = pd.NA
    return pd.concat([out, prov], axis=1)


def _join_sdg642(iso3, idx, ctx) -> pd.DataFrame:
    n = len(iso3)
    val = np.full(n, np.nan)
    year = np.full(n, -1, dtype=np.int64)
    prov = provenance.empty(
        idx,
        "sdg642",
        "SDG 6.4.2 table not in any data directory "
        "(owid-sdg642-water-stress/water_stress_sdg642_owid_2000_2019.csv)",
    )
    for lyr in ctx.catalog.family("sdg642"):
        todo = np.isnan(val)
        if not todo.any():
            break
        files = ctx.locate(lyr)
        if not files:
            continue
        tab = lyr.reader_func()(files)
        pos = pd.Index(tab["country_iso3"]).get_indexer(pd.Index(iso3))
        take = todo & (pos >= 0)
        val[take] = tab["sdg642_water_stress_pct"].to_numpy(float)[pos[take]]
        year[take] = tab["sdg642_year"].to_numpy(np.int64)[pos[take]]
        provenance.set_source(prov, "sdg642", take, lyr.name, "country", lyr.vintage)
        prov.loc[take, "sdg642_vintage"] = year[take].astype(str)
        ctx.count("sdg642", "country", lyr.name, int(take.sum()))
        no_ctry = todo & ~take
        prov.loc[no_ctry, "sdg642_reason"] = np.where(
            _known(iso3)[no_ctry],
            f"country not in the SDG 6.4.2 table ({lyr.name})",
            "no country for this site (boundary family found none)",
        )
    out = pd.DataFrame(
        {
            "sdg642_water_stress_pct": val,
            "sdg642_year": pd.array(np.where(year >= 0, year, 0), dtype="Int64"),
            "sdg642_category": _str_col(sdg642_category(val), idx),
        },
        index=idx,
    )
    out.loc[year < 0, "sdg642_year"] = pd.NA
    return pd.concat([out, prov], axis=1)


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
        ``sdg642_category``; and the provenance columns of the three families.
    """
    idx = sites.index
    n = len(sites)
    lon = sites["lon"].to_numpy(float)
    lat = sites["lat"].to_numpy(float)
    if "country_iso3" in sites:
        iso3 = sites["country_iso3"].astype(object).where(sites["country_iso3"].notna(), None)
        iso3 = iso3.to_numpy(object)
    else:
        iso3 = np.full(n, None, dtype=object)
    return pd.concat(
        [
            _join_aware(lon, lat, iso3, idx, ctx),
            _join_bws(lon, lat, iso3, idx, ctx),
            _join_sdg642(iso3, idx, ctx),
        ],
        axis=1,
    )
