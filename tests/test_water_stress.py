"""Water stress (AWARE 1.2, Aqueduct 4.0, SDG 6.4.2): known answers written in the test.

AWARE spot values are from ../shared/data/raw/wulca-aware-bw2/SOURCE.md (point in polygon of
bw2_aware's aware.gpkg, annual_non_agriculture): Phoenix 100, London 1.8, Dublin 0.9,
Ashburn 1.0, Frankfurt 0.7. SDG 6.4.2 values are from the OWID file's SOURCE.md spot check
(2019): USA 28.16, Ireland 20.04, Saudi Arabia 974.17. Aqueduct values come from the
synthetic fixture in tests/fixtures/aqueduct (official schema; see its README).
"""

from __future__ import annotations

import math
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from siting.errors import LayerError
from siting.join import join_layers
from siting.layers import water_stress as ws
from siting.layers.catalog import load_catalog
from siting.sites import from_frame

FIX = Path(__file__).parent / "fixtures" / "aqueduct"
DL = FIX / "aqueduct-4-0-water-risk-data" / "Aqueduct40_waterrisk_download_Y2023M07D05"
GDB = DL / "GDB" / "Aq40_Y2023D07M05.gdb"
CSV = DL / "CVS" / "Aqueduct40_baseline_annual_y2023m07d05.csv"
HYBAS = FIX / "hydrobasins" / "hybas_xx_lev06_v1c.shp"
RANKINGS = (
    FIX
    / "aqueduct-4-0-country-rankings"
    / "Aqueduct40_rankings_download_Y2023M07D05"
    / "Aqueduct40_rankings_download_Y2023M07D05.xlsx"
)

POINTS = [
    ("phoenix", 33.45, -112.07),
    ("dublin", 53.35, -6.26),
    ("london", 51.5074, -0.1278),
    ("frankfurt", 50.11, 8.68),
    ("ashburn", 39.04, -77.49),
    ("riyadh", 24.71, 46.68),
    ("abu-dhabi", 24.45, 54.60),
    ("singapore", 1.33, 103.70),
    ("cairo", 30.04, 31.24),
    # AWARE watershed 3925 (northern Quebec) has a NULL annual non-agricultural CF
    ("nunavik", 60.25, -73.25),
    ("mid-atlantic", 0.0, -30.0),
    # inside the fixture's Aqueduct polygon that has no sub-basin (pfaf_id -9999)
    ("dublin-east", 53.35, -6.10),
]
WATER_VALUES = {
    "aware": ("aware_cf", "water_scarcity_factor"),
    "bws": ("bws_score", "bws_cat", "bws_label"),
    "sdg642": ("sdg642_water_stress_pct",),
}


def joined(data_dir=None, points=POINTS, **kw) -> pd.DataFrame:
    df = pd.DataFrame(points, columns=["site_id", "lat", "lon"])
    out = join_layers(from_frame(df), families=("boundary", "water"), data_dir=data_dir, **kw)
    return out.set_index("site_id")


def data_dirs(*dirs) -> str:
    import os

    return os.pathsep.join(str(d) for d in dirs)


# ----------------------------------------------------------------------------- AWARE
def test_aware_known_basin_values():
    j = joined()
    expect = {"phoenix": 100.0, "london": 1.8, "dublin": 0.9, "ashburn": 1.0, "frankfurt": 0.7}
    for site, cf in expect.items():
        assert j.loc[site, "aware_cf"] == pytest.approx(cf), site
        assert j.loc[site, "aware_level"] == "basin"
        assert j.loc[site, "aware_layer"] == "aware12_watersheds"
    assert j.loc["phoenix", "aware_cf"] > 50 * j.loc["dublin", "aware_cf"]
    assert (j["water_scarcity_factor"].dropna() == j["aware_cf"].dropna()).all()
    # basin ids from the package file (point in polygon)
    assert j.loc["phoenix", "aware_basin_id"] == 6826
    assert j.loc["dublin", "aware_basin_id"] == 4698


def test_aware_null_basin_gets_country_value():
    j = joined()
    regions = pd.read_csv(Path(ws.__file__).parents[2] / "data" / ws.AWARE_REGIONS)
    can = regions.set_index("region").loc["CAN", "aware_cf"]
    assert j.loc["nunavik", "aware_basin_id"] == 3925  # the site is in a basin ...
    assert j.loc["nunavik", "aware_level"] == "country"  # ... whose CF is NULL
    assert j.loc["nunavik", "aware_layer"] == "aware12_regions"
    assert j.loc["nunavik", "aware_cf"] == pytest.approx(can)
    assert j.loc["nunavik", "aware_reason"] == ""
    assert np.isnan(j.loc["nunavik", "aware_cf_m07"])  # monthly only at basin level
    assert j.loc["phoenix", "aware_cf_m07"] == pytest.approx(100.0)


def test_aware_region_table():
    regions = pd.read_csv(Path(ws.__file__).parents[2] / "data" / ws.AWARE_REGIONS)
    glo = regions[regions["region"] == ws.GLOBAL_CODE]
    assert glo["level"].item() == "global"
    assert glo["aware_cf"].item() == pytest.approx(20.30)  # bw2_aware AnnualNonagricultural
    ctry = regions[regions["level"] == "country"]
    assert ctry["region"].is_unique and len(ctry) > 150
    assert ctry["aware_cf"].between(ws.AWARE_CF_MIN, ws.AWARE_CF_MAX).all()
    # Singapore lies in one watershed (8838, CF 0.9): its country value is that CF
    assert ctry.set_index("region").loc["SGP", "aware_cf"] == pytest.approx(0.9)


def test_aware_region_factor_by_hand():
    # two basins: A (CF 2, 100 m3/yr) fully in country X; B (CF 10, 300 m3/yr) half in X,
    # half in Y. X = (2*100 + 10*150) / (100 + 150) = 6.8; Y = 10.
    basins = gpd.GeoDataFrame(
        {"annual_non_agriculture": [2.0, 10.0, np.nan], "consumption": [100.0, 300.0, 50.0]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1), box(0, 1, 1, 2)],
        crs=4326,
    )
    countries = gpd.GeoDataFrame(
        {"country_iso3": ["XXX", "YYY"]},
        geometry=[box(0, 0, 2, 2), box(2, 0, 3, 2)],
        crs=4326,
    )
    r = ws.aware_region_factors(basins, countries).set_index("region")
    assert r.loc["XXX", "aware_cf"] == pytest.approx(6.8, rel=1e-6)
    assert r.loc["YYY", "aware_cf"] == pytest.approx(10.0)
    assert r.loc["XXX", "n_basins"] == 2
    assert r.loc["GLO", "aware_cf"] == pytest.approx(ws.AWARE_GLOBAL_NONAGRI_CF)


def test_aware_global_default_when_country_unknown(tmp_path, monkeypatch):
    # a regions table without the country of a NULL-CF basin -> global row
    src = Path(ws.__file__).parents[2] / "data"
    d = tmp_path / "data"
    (d / "starter" / "water").mkdir(parents=True)
    shutil.copy(src / ws.AWARE_BASINS, d / ws.AWARE_BASINS)
    reg = pd.read_csv(src / ws.AWARE_REGIONS)
    reg[reg["region"] != "CAN"].to_csv(d / ws.AWARE_REGIONS, index=False)
    # the edited table no longer matches the catalog checksum: the test opts out
    monkeypatch.setenv("SITING_VERIFY_CHECKSUMS", "0")
    j = joined(data_dir=d, points=[("nunavik", 60.25, -73.25)])
    assert j.loc["nunavik", "aware_level"] == "global"
    assert j.loc["nunavik", "aware_cf"] == pytest.approx(20.30)


def test_open_ocean_nan_with_reason_never_dropped():
    j = joined(data_dir=FIX)
    assert list(j.index) == [p[0] for p in POINTS]
    row = j.loc["mid-atlantic"]
    for col in ("aware_cf", "water_scarcity_factor", "bws_score", "sdg642_water_stress_pct"):
        assert np.isnan(row[col]), col
    assert "not within 20 km" in row["aware_reason"]
    assert "not within 20 km" in row["bws_reason"]
    assert row["sdg642_reason"]


# -------------------------------------------------------------------------- Aqueduct
def test_aqueduct_absent_reason():
    j = joined()
    assert j["bws_score"].isna().all()
    assert (j["bws_reason"] == ws.AQ_MISSING_REASON).all()
    assert ws.AQ_MISSING_REASON == (
        "Aqueduct 4.0 not in any data directory; run `siting data fetch aqueduct40`"
    )


def test_fixture_has_the_official_columns():
    head = pd.read_csv(CSV, nrows=0).columns.tolist()
    assert len(head) == 9 + 13 * 4 + 10 * 4 * 5
    assert head[:13] == [
        "string_id", "aq30_id", "pfaf_id", "gid_1", "aqid", "gid_0", "name_0", "name_1",
        "area_km2", "bws_raw", "bws_score", "bws_cat", "bws_label",
    ]  # fmt: skip
    assert head[-1] == "w_awr_tex_tot_weight_fraction"
    import pyogrio

    assert "baseline_annual" in pyogrio.list_layers(GDB)[:, 0]
    assert set(head) <= set(pyogrio.read_info(GDB, layer="baseline_annual")["fields"])


def test_read_aqueduct_gdb_and_decode_sentinels():
    gdf = ws.read_aqueduct(GDB)
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == 9
    dec = ws.decode_bws(gdf).set_index(gdf["pfaf_id"].astype(int).to_numpy())
    # ordinary value: raw ratio kept, score = 1 + log2(0.3 / 0.1)
    assert dec.loc[777777, "bws_raw"] == pytest.approx(0.3)
    assert dec.loc[777777, "bws_score"] == pytest.approx(1 + math.log2(3.0))
    assert dec.loc[777777, "bws_cat"] == 2
    # arid and low water use: raw placeholder 1 dropped, score 5, cat -1 kept
    arid = dec.loc[333333]
    assert np.isnan(arid["bws_raw"]) and arid["bws_score"] == 5 and arid["bws_cat"] == -1
    assert arid["bws_label"] == "Arid and Low Water Use" and "arid" in arid["bws_note"]
    # 9999: supply nearly exhausted -> no ratio, Extremely High
    ex = dec.loc[444444]
    assert np.isnan(ex["bws_raw"]) and ex["bws_score"] == 5 and ex["bws_cat"] == 4
    assert "9999" in ex["bws_note"]
    # -9999: no data
    nd = dec.loc[555555]
    assert not nd["present"] and np.isnan(nd["bws_score"]) and nd["bws_label"] is None
    # negative raw (-4055) with no score: not a ratio, no data
    neg = dec.loc[666666]
    assert not neg["present"] and np.isnan(neg["bws_raw"]) and "-4055" in neg["bws_note"]
    # no decoded value is a sentinel
    assert not (dec["bws_raw"].abs() >= 9999).any()
    assert dec["bws_score"].dropna().between(0, 5).all()


def test_decode_negative_raw_keeps_valid_category():
    t = pd.DataFrame(
        {"bws_raw": [-3.2], "bws_score": [0.0], "bws_cat": [0], "bws_label": ["Low (<10%)"]}
    )
    d = ws.decode_bws(t).iloc[0]
    assert np.isnan(d["bws_raw"]) and d["bws_cat"] == 0 and d["present"]
    assert "negative" in d["bws_note"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.floats(allow_nan=True), st.sampled_from([-9999.0, 9999.0, 1.0])),
            st.one_of(st.floats(allow_nan=True), st.sampled_from([-9999.0, 5.0, 0.0])),
            st.one_of(st.floats(allow_nan=True), st.sampled_from([-9999.0, -1.0, 4.0])),
            st.sampled_from(["No Data", "Low (<10%)", "Arid and Low Water Use", None]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_decode_never_leaks_sentinels(rows):
    t = pd.DataFrame(rows, columns=["bws_raw", "bws_score", "bws_cat", "bws_label"])
    d = ws.decode_bws(t)
    raw = d["bws_raw"].dropna()
    assert (raw >= 0).all() and (raw != 9999).all()
    assert d["bws_score"].dropna().between(0, 5).all()
    assert d["bws_cat"].dropna().isin([-1, 0, 1, 2, 3, 4]).all()
    assert (d["present"] == d["bws_cat"].notna()).all()


def test_read_aqueduct_csv_needs_polygons_then_matches_gdb():
    with pytest.raises(LayerError, match="polygons"):
        ws.read_aqueduct(CSV)
    csv = ws.read_aqueduct(CSV, polygons=HYBAS)
    gdb = ws.read_aqueduct(GDB)
    a = csv.drop_duplicates("pfaf_id").set_index("pfaf_id")[["bws_raw", "bws_cat"]]
    b = gdb[gdb["pfaf_id"] > 0].drop_duplicates("pfaf_id").set_index("pfaf_id")
    b = b[["bws_raw", "bws_cat"]]
    a.index, b.index = a.index.astype("int64"), b.index.astype("int64")
    pd.testing.assert_frame_equal(
        a.sort_index().astype(float), b.sort_index().astype(float), check_names=False
    )


def test_read_aqueduct_bad_schema(tmp_path):
    bad = tmp_path / "x.csv"
    pd.DataFrame({"pfaf_id": [1], "bws_raw": [0.1]}).to_csv(bad, index=False)
    with pytest.raises(LayerError, match="bws_score"):
        ws.read_aqueduct(bad, polygons=HYBAS)


def test_join_on_official_gdb_fixture():
    j = joined(data_dir=FIX)
    ph = j.loc["phoenix"]
    assert ph["bws_layer"] == "aqueduct40_gdb" and ph["bws_level"] == "basin"
    assert ph[["bws_raw", "bws_score", "bws_cat"]].tolist() == [1.6, 5.0, 4.0]
    assert ph["bws_label"] == "Extremely High (>80%)" and ph["bws_pfaf_id"] == 711111
    assert j.loc["dublin", "bws_cat"] == 0 and j.loc["dublin", "bws_raw"] == 0.05
    assert j.loc["riyadh", "bws_cat"] == -1 and np.isnan(j.loc["riyadh", "bws_raw"])
    assert j.loc["abu-dhabi", "bws_score"] == 5 and np.isnan(j.loc["abu-dhabi", "bws_raw"])
    # no data in the basin and in the country rankings (SGP -9999): NaN with the reason
    assert np.isnan(j.loc["singapore", "bws_score"])
    assert "555555" in j.loc["singapore", "bws_reason"]
    assert "-4055" in j.loc["cairo", "bws_reason"]
    assert "without a sub-basin" in j.loc["dublin-east", "bws_reason"]
    # outside every fixture basin, in the USA: country rankings (weight Tot) at level country
    ash = j.loc["ashburn"]
    assert ash["bws_level"] == "country" and ash["bws_layer"] == "aqueduct40_rankings"
    assert ash["bws_score"] == pytest.approx(2.32) and np.isnan(ash["bws_raw"])


def test_rankings_weight_option():
    j = joined(data_dir=FIX, points=[("ashburn", 39.04, -77.49)], bws_rankings_weight="Ind")
    assert j.loc["ashburn", "bws_score"] == pytest.approx(1.5)
    r = ws.read_aqueduct_rankings(RANKINGS)
    assert set(r["gid_0"]) == {"USA", "SGP", "SAU"}  # bws/Tot rows only
    assert not r.set_index("gid_0").loc["SGP", "present"]
    prov = ws.read_aqueduct_rankings(RANKINGS, sheet="province_baseline")
    assert prov.loc[0, "gid_1"] == "USA.3_1" and prov.loc[0, "bws_cat"] == 4


def test_build_compact_and_zip_read_in_place(tmp_path):
    out = ws.build_aqueduct(GDB, tmp_path)
    assert out == [tmp_path / ws.AQUEDUCT_COMPACT]
    j = joined(data_dir=tmp_path, points=POINTS[:1])
    assert j.loc["phoenix", "bws_layer"] == "aqueduct40"
    assert j.loc["phoenix", "bws_cat"] == 4
    # the download zip itself (GDB inside), as WRI serves it
    z = tmp_path / "zipdir" / "aqueduct-4-0-water-risk-data.zip"
    z.parent.mkdir()
    with zipfile.ZipFile(z, "w") as zf:
        for f in GDB.iterdir():
            zf.write(f, f"Aqueduct40_waterrisk_download_Y2023M07D05/GDB/{GDB.name}/{f.name}")
    gz = ws.read_aqueduct(z)
    assert len(gz) == 9
    j = joined(data_dir=z.parent, points=POINTS[:1])
    assert j.loc["phoenix", "bws_layer"] == "aqueduct40_zip"


# --------------------------------------------------------------------------- SDG 6.4.2
def test_sdg642_category_thresholds():
    cats = ws.sdg642_category([0, 24.99, 25, 49.9, 50, 75, 100, 100.01, np.nan]).tolist()
    assert cats == [
        "no stress", "no stress", "low", "low", "medium", "high", "high", "critical", None,
    ]  # fmt: skip


@pytest.mark.raw
def test_sdg642_known_values(raw_dir):
    j = joined(data_dir=raw_dir)
    assert j.loc["phoenix", "sdg642_water_stress_pct"] == pytest.approx(28.16)
    assert j.loc["phoenix", "sdg642_year"] == 2019
    assert j.loc["phoenix", "sdg642_category"] == "low"
    assert j.loc["riyadh", "sdg642_water_stress_pct"] == pytest.approx(974.17)
    assert j.loc["riyadh", "sdg642_category"] == "critical"
    assert j.loc["dublin", "sdg642_water_stress_pct"] == pytest.approx(20.04)
    assert j.loc["dublin", "sdg642_category"] == "no stress"
    assert j.loc["phoenix", "sdg642_layer"] == "sdg642_owid"
    assert j.loc["phoenix", "sdg642_vintage"] == "2019"
    tab = ws.read_sdg642({"x.csv": raw_dir / "owid-sdg642-water-stress" / (
        "water_stress_sdg642_owid_2000_2019.csv")})  # fmt: skip
    assert tab["country_iso3"].is_unique
    assert not tab["country_iso3"].str.startswith("OWID").any()


def test_sdg642_absent_reason():
    j = joined()
    assert j["sdg642_water_stress_pct"].isna().all()
    assert j["sdg642_reason"].str.contains("not in any data directory").all()


# -------------------------------------------------------------------------- provenance
@pytest.mark.parametrize("with_raw", [False, True])
def test_every_value_has_provenance(with_raw, request):
    dirs = [FIX]
    if with_raw:
        dirs.append(request.getfixturevalue("raw_dir"))
    j = joined(data_dir=data_dirs(*dirs))
    for fam, cols in WATER_VALUES.items():
        for col in cols:
            present = j[col].notna()
            assert (j.loc[present, f"{fam}_layer"] != "").all(), col
            assert (j.loc[present, f"{fam}_level"] != "").all(), col
            assert (j.loc[present, f"{fam}_vintage"] != "").all(), col
            assert (j.loc[present, f"{fam}_reason"] == "").all(), col
            assert (j.loc[~present, f"{fam}_reason"] != "").all(), col
    from siting.provenance import source_of

    assert source_of(j.loc["phoenix"], "aware_cf").startswith("aware12_watersheds (basin")
    assert source_of(j.loc["phoenix"], "bws_score").startswith("aqueduct40_gdb (basin")


def test_catalog_entries():
    cat = load_catalog()
    fams = {lyr.name: lyr.family for lyr in cat}
    assert fams["aware12_watersheds"] == "aware" and fams["aqueduct40"] == "bws"
    assert fams["sdg642_owid"] == "sdg642"
    for name in ("aware12_watersheds", "aware12_regions"):
        lyr = cat[name]
        assert lyr.embedded and all(f.sha256 and len(f.sha256) == 64 for f in lyr.files)
        assert cat.locate(lyr) is not None
    aq = cat["aqueduct40"]
    assert aq.fetch["url"] == "https://files.wri.org/aqueduct/aqueduct-4-0-water-risk-data.zip"
    assert aq.fetch["build"] == "siting.layers.water_stress:build_aqueduct"
    assert cat["aqueduct40_rankings"].fetch["url"].endswith("aqueduct-4-0-country-rankings.zip")
    # every indicator column is described in the catalog
    described = {v.name for lyr in cat for v in lyr.variables if v.description}
    for col in ("aware_cf", "water_scarcity_factor", "bws_raw", "sdg642_water_stress_pct"):
        assert col in described


# ------------------------------------------------------------------ fetch + build (local)
def test_fetch_aqueduct40_from_local_server_builds_compact(tmp_path, monkeypatch):
    """`siting data fetch aqueduct40` against a local server serving the fixture as WRI's zip."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from siting.fetch import fetch

    srv = tmp_path / "srv" / "aqueduct"
    srv.mkdir(parents=True)
    with zipfile.ZipFile(srv / "aqueduct-4-0-water-risk-data.zip", "w") as zf:
        for f in GDB.iterdir():
            zf.write(f, f"Aqueduct40_waterrisk_download_Y2023M07D05/GDB/{GDB.name}/{f.name}")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(srv.parent))
    handler.log_message = lambda *a, **k: None
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    cache = tmp_path / "cache"
    monkeypatch.setenv("SITING_CACHE_DIR", str(cache))
    try:
        got = fetch("aqueduct40", progress=False, base_url=f"http://127.0.0.1:{httpd.server_port}")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert ws.AQUEDUCT_COMPACT in got
    j = joined(points=POINTS[:2])
    assert j.loc["phoenix", "bws_layer"] == "aqueduct40"
    assert j.loc["phoenix", "bws_cat"] == 4 and j.loc["dublin", "bws_cat"] == 0
