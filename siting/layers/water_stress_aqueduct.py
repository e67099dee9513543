"""Water stress, WRI Aqueduct 4.0 baseline water stress (family ``bws``): readers and join.

**WRI Aqueduct 4.0 baseline water stress** (family ``bws``): ratio of gross water
withdrawal to available renewable supply per HydroBASINS level-6 sub-basin
(``pfaf_id``), with its 0-5 score, category and label [3]_ [4]_. Not redistributable
offline: read from the official download (File Geodatabase, GeoPackage, the zip itself,
the baseline CSV with HydroBASINS polygons, or the compact GeoParquet that
:func:`build_aqueduct` makes from any of them) and, as the country fallback, the
country-rankings workbook. Missing: NaN plus the reason
``"Aqueduct 4.0 not in any data directory; run `siting data fetch aqueduct40`"``.

Aqueduct special values are decoded per the WRI data dictionary, FAQ and production
code [3]_ [4]_ [7]_ (see :func:`decode_bws`): ``-9999`` no data; category ``-1`` "Arid and
Low Water Use" (the raw value 1 is a placeholder, not a ratio; WRI advises treating the
category as a top priority); raw ``9999`` supply nearly exhausted (score 5, Extremely
High); negative raw values are not a ratio of a withdrawal to a supply and are not used.

References
----------
.. [3] Kuzma, S., Bierkens, M.F.P., Lakshman, S., et al. (2023). Aqueduct 4.0: Updated
   decision-relevant global water risk indicators. Technical Note. WRI.
   doi:10.46830/writn.23.00061
.. [4] WRI (2023). Aqueduct 4.0 data dictionary (water risk atlas, country rankings) and
   FAQ. https://github.com/wri/Aqueduct40
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
from siting.layers._water_tables import object_column

#: compact GeoParquet written by :func:`build_aqueduct` (path inside a data directory)
AQUEDUCT_COMPACT = "aqueduct40/aqueduct40_bws_baseline_annual.parquet"
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


# ============================================================================ readers
# 88 lines, 43 of them the docstring's decoding table (kept whole, next to the code)
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


# =============================================================================== join
def join_bws(lon, lat, iso3, idx, ctx) -> pd.DataFrame:
    """Aqueduct columns and provenance: sub-basin value, else the country ranking."""
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
            "bws_label": object_column(label, idx),
            "bws_pfaf_id": pd.array(np.where(pfaf > 0, pfaf, 0), dtype="Int64"),
            "bws_note": object_column(note, idx),
        },
        index=idx,
    )
    out.loc[pfaf <= 0, "bws_pfaf_id"] = pd.NA
    return pd.concat([out, prov], axis=1)
