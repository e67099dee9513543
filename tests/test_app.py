"""The Streamlit app (``app.py``) in :class:`streamlit.testing.v1.AppTest`, and its glue.

The app tests set widgets, rerun the script and check the ranking against the library
(:func:`siting.pipeline.run` and :func:`siting.decide.rank` on the same inputs), the
messages shown for bad input, and that no exception escapes. The tests of the glue
package ``siting.app`` run without Streamlit.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
import urllib.parse
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from siting import app as sup
from siting.errors import ConfigError, SiteInputError, SitingError

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app.py"
EXAMPLE = REPO / "data" / "examples" / "campuses.csv"

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest


# ----------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def reference():
    """The library's own result on the bundled example (the CLI's defaults)."""
    import siting.pipeline as p

    return p.run(EXAMPLE)


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _ranking(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if H("score") in d.value.columns)


def _futures(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Rank if the product survives" in d.value.columns)


H = sup.table_header


def _ranked_ids(df: pd.DataFrame) -> list[str]:
    return df.loc[df[H("rank")].notna(), H("site_id")].astype(str).tolist()


def _name(ranked: pd.DataFrame, site_id: str) -> str:
    return str(ranked.loc[ranked["site_id"] == site_id, "name"].iloc[0])


def _lib_ids(ranked: pd.DataFrame) -> list[str]:
    return ranked.loc[ranked["rank"].notna(), "site_id"].astype(str).tolist()


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.radio(key="sites_source").set_value("Upload a file")
    at.run()
    at.file_uploader(key="upload").set_value((name, content, "application/octet-stream"))
    at.run()
    return at


# ----------------------------------------------------------------------------- app
def test_default_run_matches_pipeline(reference):
    at = _app()
    _ok(at)
    df = _ranking(at)
    assert len(df) == len(reference.ranked)
    lib = _lib_ids(reference.ranked)
    assert _ranked_ids(df)[0] == lib[0]
    assert _ranked_ids(df) == lib
    np.testing.assert_allclose(
        df[H("score")].to_numpy(float),
        reference.ranked["score"].to_numpy(float),
        rtol=1e-12,
        equal_nan=True,
    )
    # the best site as the user named it (the file's name column)
    assert at.metric[0].value == _name(reference.ranked, lib[0])
    # units in the headers, map drawn, no internet map style
    assert "On-site water, lifetime [m3]" in df.columns
    assert "Energy cost [USD]" in df.columns


def test_weight_change_reranks_like_the_library(reference):
    from siting import decide

    at = _app()
    before = _ranked_ids(_ranking(at))
    for k in decide.DEFAULT_WEIGHTS:
        at.slider(key=f"w_{k}").set_value(0.0)
    at.slider(key="w_energy_cost").set_value(1.0)
    at.run()
    _ok(at)
    after = _ranked_ids(_ranking(at))
    lib = _lib_ids(decide.rank(reference.assessment.summary, {"energy_cost": 1.0}))
    assert after == lib
    assert after != before


def test_cooling_change_changes_the_ranking(reference):
    from siting import decide
    from siting.model import Facility, assess

    at = _app()
    before = _ranking(at)
    at.selectbox(key="cooling").set_value("dry")
    at.run()
    _ok(at)
    after = _ranking(at)
    a = assess(reference.joined, reference.fleet, reference.scenario, Facility(cooling="dry"))
    lib = decide.rank(a.summary, decide.DEFAULT_WEIGHTS)
    assert _ranked_ids(after) == _lib_ids(lib)
    assert _ranked_ids(after) != _ranked_ids(before) or not np.allclose(
        after[H("score")].to_numpy(float),
        before[H("score")].to_numpy(float),
        equal_nan=True,
    )
    # dry cooling consumes no on-site water anywhere
    assert np.nansum(after[H("water_onsite_m3")].to_numpy(float)) == 0.0


def test_all_weights_zero_is_a_message_not_a_crash():
    from siting import decide

    at = _app()
    for k in decide.DEFAULT_WEIGHTS:
        at.slider(key=f"w_{k}").set_value(0.0)
    at.run()
    assert not at.exception
    assert any("weight" in e.value for e in at.error)


def test_product_shutdown_splits_the_totals(reference):
    at = _app()
    at.checkbox(key="product_dies").check()
    at.run()
    at.selectbox(key="after").set_value("power_down")
    at.run()
    _ok(at)
    split = next(d.value for d in at.dataframe if "share after" in d.value.columns)
    water = split.set_index("quantity").loc["water_onsite_m3"]
    assert water["after the product was shut down"] >= 0
    assert water["while the product ran"] > 0
    # shown to 3 significant figures: the parts add up to the total within 1 %
    assert water["lifetime total"] == pytest.approx(
        water["while the product ran"] + water["after the product was shut down"], rel=1e-2
    )
    assert "product shut down after 2 years" in at.caption[0].value


def test_exclusion_rule_and_bad_rule(reference):
    from siting import decide

    at = _app()
    at.text_area(key="exclusions").set_value("country_iso3 in USA")
    at.run()
    _ok(at)
    df = _ranking(at)
    n_usa = int((reference.ranked["country_iso3"] == "USA").sum())
    assert int(df[H("excluded")].sum()) == n_usa
    lib = decide.rank(reference.assessment.summary, decide.DEFAULT_WEIGHTS, ["country_iso3 in USA"])
    assert _ranked_ids(df) == _lib_ids(lib)

    at.text_area(key="exclusions").set_value("not a rule at all !!")
    at.run()
    assert not at.exception
    assert any("line 1" in e.value for e in at.error)

    at.text_area(key="exclusions").set_value("no_such_column > 5")
    at.run()
    assert not at.exception
    assert any("no_such_column" in e.value for e in at.error)


def test_map_layers_and_colour_by():
    at = _app()
    for key in ("water", "grid", "price", "climate", "none"):
        at.radio(key="map_layer").set_value(key)
        at.run()
        _ok(at)
    at.selectbox(key="colour_by").set_value("co2_scope2_t")
    at.run()
    _ok(at)


def test_map_data_is_served_from_static_files():
    at = _app()
    _ok(at)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    data = [lyr["data"] for lyr in spec["layers"]]
    if not all(d.startswith("/app/static/") for d in data):
        # static serving is read from .streamlit/config.toml in the working directory
        assert Path.cwd() != REPO, data
        pytest.skip("not run from the repository: Streamlit's static serving is off")
    # the spec holds short same-origin URLs; the files are next to the app, content-named
    assert len(at.get("deck_gl_json_chart")[0].proto.json) < 5_000
    for url in data:
        name = url.rsplit("/", 1)[1]
        assert re.fullmatch(r"map-(base|sites)-[0-9a-f]{24}\.json", name)
        assert json.loads((REPO / "static" / name).read_bytes())
    # a weight change writes a new sites file; the base map keeps its file
    at.slider(key="w_co2_scope2").set_value(0.0)
    at.run()
    _ok(at)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    again = [lyr["data"] for lyr in spec["layers"]]
    assert again[0] == data[0] and again[-1] != data[-1]


def test_site_detail_any_site(reference):
    at = _app()
    last = str(reference.ranked["site_id"].iloc[-1])
    at.text_input(key="site_typed").set_value(last)
    at.run()
    _ok(at)
    at.text_input(key="site_typed").set_value("no-such-site")
    at.run()
    assert not at.exception
    assert any("no-such-site" in e.value for e in at.error)


def test_generated_grid():
    from siting.grid import generate_grid

    at = _app()
    at.radio(key="sites_source").set_value("Generated grid")
    at.run()
    at.text_input(key="grid_region").set_value("LUX")
    at.slider(key="grid_res").set_value(6)
    at.run()
    _ok(at)
    assert len(_ranking(at)) == len(generate_grid("LUX", resolution=6))

    at.text_input(key="grid_region").set_value("XXX")
    at.run()
    assert not at.exception
    assert any("XXX" in e.value for e in at.error)


def test_missing_data_dir_is_a_message():
    at = _app()
    at.text_input(key="data_dir").set_value("/no/such/dir/for/siting")
    at.run()
    assert not at.exception
    assert any("/no/such/dir/for/siting" in e.value for e in at.error)


def test_good_upload_matches_example(reference):
    at = _upload(_app(), "my sites.csv", EXAMPLE.read_bytes())
    _ok(at)
    assert _ranked_ids(_ranking(at)) == _lib_ids(reference.ranked)


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "no shapefile in here")
    return buf.getvalue()


BAD_UPLOADS = {
    "missing columns": ("sites.csv", b"site_id,name\na,b\n", "no latitude column"),
    "lat/lon swapped": ("sites.csv", b"lat,lon\n-77.5,39.0\n-120.8,44.3\n", "swapped"),
    "out of range": ("sites.csv", b"lat,lon\n95.0,10.0\n", "outside [-90, 90]"),
    "projected": ("sites.csv", b"lat,lon\n4500000,600000\n", "projected"),
    "empty": ("sites.csv", b"", "empty"),
    "header only": ("sites.csv", b"lat,lon\n", "no rows"),
    "unreadable zip": ("sites.zip", b"PK\x03\x04 this is not a zip", "zip"),
    "zip without layer": ("sites.zip", None, "sites.zip"),
    "garbage geopackage": ("sites.gpkg", b"\x00\x01garbage" * 10, "sites.gpkg"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_upload_shows_error_no_exception(case):
    name, content, expect = BAD_UPLOADS[case]
    if content is None:
        content = _zip_bytes()
    at = _upload(_app(), name, content)
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors, f"no error shown for {case}"
    assert expect.lower() in errors[0].lower(), errors[0]
    # the user's file name is named, the server's temporary path never is
    assert "siting-upload-" not in errors[0]
    assert "Traceback" not in errors[0]


def test_upload_over_the_limit():
    limit = sup.MAX_UPLOAD_MB * 1_000_000
    content = b"lat,lon\n" + b"1.0,2.0\n" * (limit // 8 + 2)
    at = _upload(_app(), "big.csv", content)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "limit" in errors[0] and "big.csv" in errors[0]


# ----------------------------------------------------------------------------- config
def test_streamlit_config_upload_limit_and_xsrf():
    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["maxUploadSize"] == sup.MAX_UPLOAD_MB
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"].get("enableCORS", True) is True
    # the map's data files (siting.app.MapFiles) are served from static/
    assert cfg["server"]["enableStaticServing"] is True
    assert (REPO / "static" / ".gitignore").read_text().splitlines()[-2:] == ["*", "!.gitignore"]


def test_no_eval_pickle_or_shell_in_the_app():
    glue = sorted((REPO / "siting" / "app").glob("*.py"))
    assert len(glue) > 1
    for path in (APP, REPO / "siting" / "appsupport.py", *glue):
        text = path.read_text()
        for word in ("eval(", "exec(", "pickle", "subprocess", "os.system", "shell=True"):
            assert word not in text, f"{path.name} uses {word}"


# ----------------------------------------------------------------------------- glue package
#: The public names of the former single module ``siting.appsupport``.
_OLD_NAMES = """APP_MAX_GRID_CELLS REPORT_FORMATS DATA_LAYERS DEFAULT_GPUS LAND_TONES MAP_FILES_KEEP
MAX_UPLOAD_MB SITE_SQUARES_ABOVE UPLOAD_TYPES BoundaryData ColourScale DataLayer MapFiles
annual_table assess_sites base_boundaries before_after boundary_values colour_scale config_key
data_url deck example_files explain_site grid_sites join_sites json_bytes legend_image
make_result numeric_columns outputs_zip parse_exclusions parse_ids parse_region rank_sites
ranking_table read_upload report_bytes shaded_boundaries shutdown_year site_points
table_header view_state""".split()


def test_old_module_still_exports_its_names():
    import siting.appsupport as old

    assert len(_OLD_NAMES) == 43
    for name in _OLD_NAMES:
        assert getattr(old, name) is getattr(sup, name), name
        assert name in old.__all__
    # the page's former private helper keeps working for code that used it
    assert old._capture is sup.capture_warnings


def test_read_upload_names_the_upload_not_the_temp_file():
    with pytest.raises(SiteInputError) as e:
        sup.read_upload("../../etc/passwd.csv", b"a,b\n1,2\n")
    msg = str(e.value)
    assert "passwd.csv" in msg and "/etc" not in msg and "siting-upload-" not in msg
    with pytest.raises(SiteInputError, match="limit"):
        sup.read_upload("x.csv", b"lat,lon\n1,2\n", max_bytes=4)
    # the uploader's own type filter refuses other suffixes; read_upload does too
    with pytest.raises(SiteInputError, match="unsupported file type"):
        sup.read_upload("x.exe", b"MZ")
    sites, msgs = sup.read_upload("x.csv", b"lat,lon\n10,190\n")
    assert sites["lon"].iloc[0] == pytest.approx(-170.0)
    assert msgs and "x.csv" in msgs[0] and "0-360" in msgs[0]


def test_parse_region_and_rules():
    assert sup.parse_region(" fra ") == "FRA"
    assert sup.parse_region("us-va") == "US-VA"
    assert sup.parse_region("-10, 35, 5.5, 44") == (-10.0, 35.0, 5.5, 44.0)
    with pytest.raises(SitingError):
        sup.parse_region("1, 2, 3")
    with pytest.raises(SitingError):
        sup.parse_region("")
    rules = sup.parse_exclusions("# comment\ngrid_co2_g_per_kwh > 600\n\nbws_cat >= high  # x\n")
    assert [r.column for r in rules] == ["grid_co2_g_per_kwh", "bws_cat"]
    with pytest.raises(ConfigError, match="line 2"):
        sup.parse_exclusions("aware_cf > 1\nnot a rule at all !!")
    assert sup.parse_ids("a, b\nc;;") == ["a", "b", "c"]


def test_colour_scale_linear_log_and_missing():
    rgb, sc = sup.colour_scale(np.array([1.0, 2.0, np.nan, 3.0]), label="x", unit="m3")
    assert rgb.shape == (4, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[2]) == sup.NO_VALUE_RGB
    assert not sc.log and sc.vmin == 1.0 and sc.vmax == 3.0
    assert tuple(rgb[0]) != tuple(rgb[3])
    _, sc = sup.colour_scale(np.array([0.1, 1.0, 100.0]))
    assert not sc.log
    rgb, sc = sup.colour_scale(np.array([0.1, 1.0, 100.0]), log=True)
    assert sc.log and "log scale" in sc.describe()
    # on a log scale the geometric mean of the ends gets the middle colour
    mid, _ = sup.colour_scale(np.array([0.1, np.sqrt(0.1 * 100.0), 100.0]), log=True)
    half = sup.colour_scale(np.array([0.0, 0.5, 1.0]))[0][1]
    assert tuple(mid[1]) == tuple(half)
    rgb, sc = sup.colour_scale(np.array([np.nan, np.nan]))
    assert (rgb == np.array(sup.NO_VALUE_RGB, dtype=np.uint8)).all()
    assert "no values" in sc.describe()
    # extra values widen the range (boundaries drawn on the same scale)
    _, sc = sup.colour_scale(np.array([5.0, 6.0]), extra=[1.0, 9.0])
    assert (sc.vmin, sc.vmax) == (1.0, 9.0)
    img = sup.legend_image()
    assert img.shape[2] == 3 and img.dtype == np.uint8


def test_boundary_values_come_from_catalog_tables():
    from siting.layers.catalog import load_catalog

    cat = load_catalog()
    grid = sup.boundary_values("grid", "grid_co2_g_per_kwh", cat)
    assert "FRA" in grid.country and "US-VA" in grid.region and "CA-QC" in grid.region
    assert any("owid_country_mix" in s for s in grid.sources)
    water = sup.boundary_values("aware", "aware_cf", cat)
    assert 0.1 <= water.country["FRA"] <= 100
    assert sup.boundary_values(None, "x", cat).country == {}


def test_shaded_boundaries_and_deck_json():
    import geopandas as gpd
    import pydeck as pdk

    from siting.layers.boundaries import read_admin
    from siting.layers.catalog import load_catalog

    cat = load_catalog()
    a0 = read_admin(cat.locate("ne_admin0_50m"))
    a1 = read_admin(cat.locate("us_ca_admin1"))
    base = sup.base_boundaries(a0, a1)
    assert len(base["admin0"]["features"]) >= 200 and len(base["admin1"]["features"]) >= 60
    _, sc = sup.colour_scale(np.array([100.0, 500.0]), label="Grid", unit="g CO2e/kWh")
    sh = sup.shaded_boundaries(base["admin0"], {"FRA": 50.0, "POL": 600.0}, sc)
    assert {f["properties"]["code"] for f in sh["features"]} == {"FRA", "POL"}
    fill = sh["features"][0]["properties"]["fill"]
    assert len(fill) == 4 and all(0 <= c <= 255 for c in fill)
    assert "g CO2e/kWh" in sh["features"][0]["properties"]["tip"]

    ranked = pd.DataFrame(
        {
            "site_id": ["a", "<img src=x onerror=alert(1)>"],
            "lat": [45.0, 50.0],
            "lon": [5.0, 10.0],
            "score": [0.0, 1.0],
            "rank": pd.array([1, 2], dtype="Int64"),
            "excluded": [False, False],
            "water_onsite_m3": [1.5e6, np.nan],
            "price_usd_per_mwh": [80.0, 80.0],
            "price_level": ["assumption", "layer"],
        }
    )
    pts = sup.site_points(ranked, ranked["score"].to_numpy(), sc, commitment_years=15)
    assert list(pts.columns) == ["lon", "lat", "r", "g", "b", "rank", "tip"]
    assert "1,500,000 m3" in pts["tip"][0] and "over 15 years" in pts["tip"][0]
    assert "(assumption)" in pts["tip"][0] and "n/a" in pts["tip"][1]
    short = sup.site_points(ranked, ranked["score"].to_numpy(), sc, full_tips_max=1)
    assert "rank 1, score 0.000" in short["tip"][0] and "m3" not in short["tip"][0]
    d = sup.deck(pts, base, [sh])
    spec = json.loads(d.to_json())
    # same spec as pydeck's own serializer, only compact
    assert spec == json.loads(pdk.Deck.to_json(d))
    # no internet basemap: an inline, source-less style (Streamlit would add Carto's
    # tiles to a deck without any map style)
    assert spec["mapStyle"].startswith("data:application/json,")
    style = json.loads(urllib.parse.unquote(spec["mapStyle"].split(",", 1)[1]))
    assert style["sources"] == {} and [x["type"] for x in style["layers"]] == ["background"]
    assert [lyr["@@type"] for lyr in spec["layers"]] == [
        "GeoJsonLayer",
        "GeoJsonLayer",
        "ScatterplotLayer",
    ]
    assert not re.search(r"https?://", d.to_json())
    # tooltips are text, never HTML (site ids come from user files)
    assert d._tooltip == {"text": "{tip}"}
    assert isinstance(a0, gpd.GeoDataFrame)


def test_base_map_neighbours_differ_and_polygons_only():
    from siting.layers.boundaries import read_admin
    from siting.layers.catalog import load_catalog

    cat = load_catalog()
    base = sup.base_boundaries(read_admin(cat.locate("ne_admin0_50m")))
    feats = {f["properties"]["code"]: f for f in base["admin0"]["features"]}
    fill = {k: tuple(f["properties"]["fill"]) for k, f in feats.items()}
    for a, b in (("FRA", "DEU"), ("FRA", "ESP"), ("DEU", "POL"), ("USA", "CAN"), ("BRA", "ARG")):
        assert fill[a] != fill[b], (a, b)
    assert {f[:3] for f in fill.values()} <= set(sup.LAND_TONES)
    # rounding collapses tiny islands to lines: only polygons reach the map
    assert {f["geometry"]["type"] for f in feats.values()} <= {"Polygon", "MultiPolygon"}


def test_many_sites_are_squares_one_draw_call():
    n = sup.SITE_SQUARES_ABOVE + 1
    ranked = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in range(n)],
            "lat": np.linspace(44.0, 48.0, n),
            "lon": np.linspace(0.0, 5.0, n),
            "score": np.linspace(0.0, 1.0, n),
            "rank": pd.array(np.arange(1, n + 1), dtype="Int64"),
            "excluded": False,
        }
    )
    _, sc = sup.colour_scale(ranked["score"].to_numpy())
    pts = sup.site_points(ranked, ranked["score"].to_numpy(), sc)
    base = {"admin0": {"type": "FeatureCollection", "features": []}}
    spec = json.loads(sup.deck(pts, base, inline_data=False).to_json())
    sites = spec["layers"][-1]
    assert sites["@@type"] == "SolidPolygonLayer" and sites["id"] == "sites-squares"
    assert sites["positionFormat"] == "XY" and sites["_normalize"] is False
    ring = re.findall(r"(lon|lat) ([+-]) ([0-9.e-]+)", sites["getPolygon"])
    assert len(ring) == 10 and ring[:2] == ring[-2:]  # closed
    corners = [(ring[i][1], ring[i + 1][1]) for i in range(0, 8, 2)]
    assert corners == [("-", "-"), ("+", "-"), ("+", "+"), ("-", "+")]  # counter-clockwise
    # fewer sites: circles of a fixed screen size
    few = sup.deck(pts.head(10), base, inline_data=False)
    assert json.loads(few.to_json())["layers"][-1]["@@type"] == "ScatterplotLayer"


def test_map_files_content_named_atomic_and_bounded(tmp_path, monkeypatch):
    import time

    files = sup.MapFiles(tmp_path / "static", "/base/app/static/", keep=3)
    (tmp_path / "static" / "notes.txt").write_text("not ours")
    pts = pd.DataFrame({"lon": [1.0, 2.0], "lat": [3.0, np.nan], "tip": ["a", "b"]})
    url = files.url(pts, "sites")
    assert re.fullmatch(r"/base/app/static/map-sites-[0-9a-f]{24}\.json", url)
    path = tmp_path / "static" / url.rsplit("/", 1)[1]
    assert json.loads(path.read_bytes()) == [
        {"lon": 1.0, "lat": 3.0, "tip": "a"},
        {"lon": 2.0, "lat": None, "tip": "b"},
    ]
    assert path.read_bytes() == sup.json_bytes(pts)
    assert files.url(pts.copy(), "sites") == url  # same content, same name
    with pytest.raises(ValueError):
        files.url(pts, "../../etc")

    # only the `keep` most recently used files stay; a reuse counts as a use
    urls = [url]
    for i in range(2):
        time.sleep(0.02)
        urls.append(files.url({"type": "FeatureCollection", "features": [], "i": i}, "shaded"))
    time.sleep(0.02)
    files.url(pts, "sites")  # touch the oldest
    time.sleep(0.02)
    urls.append(files.url([{"x": float("nan")}], "sites"))
    names = sorted(p.name for p in (tmp_path / "static").iterdir())
    kept = sorted(u.rsplit("/", 1)[1] for u in (urls[0], urls[2], urls[3]))
    assert names == sorted([*kept, "notes.txt"])  # no temporary files, foreign file kept

    # an unchanging object (the cached base map) is serialized once
    calls = []
    real = sup.json_bytes
    # patched where MapFiles looks it up (its module)
    monkeypatch.setattr(sup.mapfiles, "json_bytes", lambda o: calls.append(1) or real(o))
    base = {"type": "FeatureCollection", "features": [], "name": "base"}
    first = files.url(base, "base", stable=True)
    assert files.url(base, "base", stable=True) == first and len(calls) == 1
    (tmp_path / "static" / first.rsplit("/", 1)[1]).unlink()  # pruned meanwhile
    assert files.url(base, "base", stable=True) == first and len(calls) == 2
    assert (tmp_path / "static" / first.rsplit("/", 1)[1]).exists()

    # a folder that cannot be written: the data travels inline instead
    monkeypatch.setattr(sup.mapfiles, "json_bytes", real)
    broken = sup.MapFiles(tmp_path / "gone")
    (tmp_path / "gone").rmdir()
    (tmp_path / "gone").write_text("a file, not a folder")
    assert broken.url(pts, "sites").startswith("data:application/json;base64,")


def test_view_state_frames_sites():
    v = sup.view_state(np.array([-10.0, 10.0]), np.array([40.0, 50.0]))
    assert v["longitude"] == 0.0 and v["latitude"] == 45.0 and 1 < v["zoom"] < 6
    assert sup.view_state(np.array([np.nan]), np.array([np.nan]))["zoom"] == 1.0


def test_tables_and_series(reference):
    table = sup.ranking_table(reference.ranked)
    assert table[H("site_id")].iloc[0] == _lib_ids(reference.ranked)[0]
    for header in (
        "Scope-2 CO2e (location) [t CO2e]",
        "Grid intensity [g CO2e/kWh]",
        "Electricity price [USD/MWh]",
        "PUE [-]",
        "Scope-2 CO2e after the product [t CO2e]",
    ):
        assert header in table.columns
    assert "score" in sup.numeric_columns(reference.ranked)[:1]
    row = reference.ranked.iloc[0]
    split = sup.before_after(row)
    assert (split["lifetime total"] == split["while the product ran"]
            + split["after the product was shut down"]).all()  # fmt: skip
    s = sup.annual_table(reference.assessment.annual, row["site_id"], "co2_scope2_t")
    assert len(s) == reference.scenario.commitment_years
    assert (s["phase"] == "product running").all() and s["unit"].iloc[0] == "tCO2e"
    with pytest.raises(ConfigError):
        sup.annual_table(reference.assessment.annual, "nope", "co2_scope2_t")
    assert sup.shutdown_year(reference.scenario) is None
    why = sup.explain_site(reference.ranked, row["site_id"], reference.assessment)
    assert {"total", "layer", "assumption", "decision"} <= set(why["section"])
    assert why["source"].astype(str).str.len().gt(0).all()


def test_derived_weighted_criterion_gets_a_column(reference):
    ranked = sup.rank_sites(reference.assessment.summary, {"co2_total": 1.0, "pue": 0.0})
    table = sup.ranking_table(ranked)
    assert any(c.startswith("Lifetime scope-2 + embodied CO2e") for c in table.columns)
    with pytest.raises(ConfigError):
        sup.rank_sites(reference.assessment.summary, {"co2_total": 0.0})


def test_stages_equal_pipeline(reference):
    joined, _ = sup.join_sites(reference.sites)
    a = sup.assess_sites(joined, reference.fleet, reference.scenario, reference.facility)
    ranked = sup.rank_sites(a.summary, reference.weights)
    assert _lib_ids(ranked) == _lib_ids(reference.ranked)
    res = sup.make_result(reference.sites, joined, a, ranked, reference.weights)
    assert len(res.datasets) == len(reference.datasets)
    assert sup.config_key(reference.fleet) == repr(reference.fleet)


@pytest.mark.skipif(not sup.REPORT_FORMATS, reason="siting.report is not installed")
def test_downloads_come_from_the_library(reference, tmp_path):
    data = sup.outputs_zip(reference)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["footprint.nc", "sites.csv", "sites.parquet"]
    xlsx = sup.report_bytes(reference, "xlsx")
    assert xlsx[:2] == b"PK"
    assert sup.report_bytes(reference, "parquet")[:4] == b"PAR1"
    at = _app()
    labels = [b.label for b in at.get("download_button")]
    assert any("Results" in lbl for lbl in labels)
    assert sum(lbl.startswith("Report ") for lbl in labels) == len(sup.REPORT_FORMATS)


# ----------------------------------------------------------------------------- two futures,
# names, formatting, privacy
def test_both_futures_by_default(reference):
    at = _app()
    _ok(at)
    fut = _futures(at)
    ref = reference.futures.set_index("site_id")
    ids = fut["Site"].astype(str)
    assert set(ids) == set(ref.index)
    np.testing.assert_array_equal(
        fut["Rank if the product survives"].to_numpy(float),
        ref.loc[ids, "rank_survives"].to_numpy(float),
    )
    np.testing.assert_array_equal(
        fut["Rank if shut down after 2 years"].to_numpy(float),
        ref.loc[ids, "rank_shut_down"].to_numpy(float),
    )
    # shares are percentages between 0 and 100; the idle years after a 2-year product in a
    # 15-year commitment carry a real share of the lifetime footprint
    share = fut["After shutdown: share of lifetime CO2e [%]"].to_numpy(float)
    assert np.all((share > 0) & (share < 100))
    # one line for the best site: 15 - 2 = 13 years after the shutdown (hand count)
    best = _ranked_ids(_ranking(at))[0]
    lines = [t.value for t in at.text if "after shutdown: $" in t.value]
    assert lines and all("for 13 years" in t for t in lines)
    assert any(t.startswith("Stargate") or f"({best})" in t for t in lines)
    # the page says the shut-down year is an example
    assert any("an example, not a forecast" in c.value for c in at.caption)


def test_upload_keeps_the_users_ids_and_names():
    csv = b"site_id,name,lat,lon\nmy-a,Secret Alpha,59.3,18.1\nmy-b,Secret Beta,45.5,-73.6\n"
    at = _upload(_app(), "mine.csv", csv)
    _ok(at)
    df = _ranking(at)
    assert set(df[H("site_id")].astype(str)) == {"my-a", "my-b"}
    assert set(df["Name"].astype(str)) == {"Secret Alpha", "Secret Beta"}
    # only names: ids are generated, the names are what the page shows
    at = _upload(
        _app(), "names.csv", b"name,lat,lon\nSecret Alpha,59.3,18.1\nSecret Beta,45.5,-73.6\n"
    )
    _ok(at)
    assert at.metric[0].value.startswith("Secret ")
    assert any(t.value.startswith("Top sites: 1. Secret ") for t in at.text)


def test_upload_map_data_stays_in_the_session():
    csv = b"site_id,name,lat,lon\nmy-a,Secret Alpha,59.3,18.1\nmy-b,Secret Beta,45.5,-73.6\n"
    at = _upload(_app(), "mine.csv", csv)
    _ok(at)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    sites = spec["layers"][-1]["data"]
    assert sites.startswith("data:application/json;base64,")
    static = REPO / "static"
    if static.is_dir():
        for f in static.glob("map-*.json"):
            assert b"Secret Alpha" not in f.read_bytes(), f


def test_weight_change_updates_best_site_map_and_table(reference):
    from siting import decide

    at = _app()
    best0 = at.metric[0].value
    spec0 = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    # a weight set to 0 that, by the library, changes the best site
    summary = reference.assessment.summary
    best = _lib_ids(decide.rank(summary, decide.DEFAULT_WEIGHTS))[0]
    for k in decide.DEFAULT_WEIGHTS:
        w = {c: v for c, v in decide.DEFAULT_WEIGHTS.items() if c != k}
        lib = _lib_ids(decide.rank(summary, w))
        if lib[0] != best:
            break
    else:
        pytest.skip("no single weight changes the best site on this data")
    at.slider(key=f"w_{k}").set_value(0.0)
    at.run()
    _ok(at)
    assert at.metric[0].value == _name(reference.ranked, lib[0]) != best0
    assert _ranked_ids(_ranking(at)) == lib
    spec1 = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert spec1["layers"][-1]["data"] != spec0["layers"][-1]["data"]


def test_missing_values_and_significant_figures():
    at = _app()
    _ok(at)
    df = _ranking(at)
    for c in df.columns:
        if df[c].dtype == object:
            assert not df[c].astype(str).isin(["None", "nan", "<NA>"]).any(), c
    assert (df[H("region_code")].astype(str) == "–").any()
    water = df[H("water_onsite_m3")].to_numpy(float)
    water = water[np.isfinite(water) & (water != 0)]
    # three significant figures: the value printed with %.3g reads back as the same number
    assert np.array_equal(water, np.array([float(f"{w:.3g}") for w in water]))
    assert all("11,425,454" not in m.value for m in at.metric)
    # the headline water as "<3 significant figures> M m3" (e.g. 11,425,454 m3 -> 11.4 M m3)
    digits = at.metric[1].value.removesuffix(" M m3").replace(".", "").lstrip("0")
    assert at.metric[1].value.endswith(" M m3") and len(digits) <= 3


def test_legend_states_the_reports_colour_convention_once():
    from siting.report.charts import COLOUR_CONVENTION

    at = _app()
    _ok(at)
    texts = [c.value for c in at.caption]
    assert sum(t.count(COLOUR_CONVENTION) for t in texts) == 1
    _, scale = sup.colour_scale(np.array([1.0, 2.0]), label="x")
    assert scale.cmap == "viridis_r"  # lowest (best) value yellow, as in the report
    assert sup.legend_image(scale.cmap)[0, 0].tolist() == [253, 231, 37]  # viridis yellow


def test_portfolio_panel_meets_the_target_under_a_country_cap():
    at = _app()
    at.number_input(key="portfolio_target").set_value(1000.0)
    at.number_input(key="portfolio_cap").set_value(300.0)
    at.run()
    _ok(at)
    frames = [d.value for d in at.dataframe]
    sites = next(f for f in frames if "built [MW]" in f.columns)
    cons = next(f for f in frames if "binding" in f.columns)
    built = sites["built [MW]"].astype(float)
    assert abs(built.sum() - 1000.0) < 1.0  # 3 significant figures on the page
    per_country = built.groupby(sites["country_iso3"]).sum()
    assert (per_country <= 300.0 + 1.0).all()
    assert "target" in cons["constraint"].tolist()


# ----------------------------------------------------------------------------- cooling
def _charts(at: AppTest) -> list[tuple[dict, pd.DataFrame]]:
    """(Vega-Lite spec, data) of every Altair chart on the page."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    out = []
    for c in at.get("vega_lite_chart"):
        spec = json.loads(c.proto.spec)
        data = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in c.proto.datasets]
        out.append((spec, data[0] if data else pd.DataFrame()))
    return out


def _trade_off(at: AppTest) -> tuple[dict, pd.DataFrame]:
    """The site detail's PUE-against-WUE chart (x: on-site WUE, y: PUE)."""
    return next((s, d) for s, d in _charts(at) if {"pue", "wue", "design"} <= set(d.columns))


def _design_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "PUE vs taken [-]" in d.value.columns)


def test_auto_cooling_picks_the_lowest_water_design_per_site(reference):
    from siting import decide
    from siting.model import CoolingChoice, assess

    at = _app()
    labels = at.selectbox(key="cooling").options
    assert "auto (per site)" in labels and "dry" in labels and "direct_to_chip" in labels
    at.selectbox(key="cooling").set_value("auto")
    at.run()
    at.selectbox(key="cooling_objective").set_value("water")
    at.run()
    _ok(at)
    df = _ranking(at)
    lib = assess(
        reference.joined,
        reference.fleet,
        reference.scenario,
        reference.assessment.facility,
        cooling_choice=CoolingChoice(objective="water"),
    )
    ranked = decide.rank(lib.summary, decide.DEFAULT_WEIGHTS)
    assert _ranked_ids(df) == _lib_ids(ranked)
    page = dict(zip(df[H("site_id")], df[H("cooling_design")], strict=True))
    assert page == dict(zip(ranked["site_id"], ranked["cooling_design"], strict=True))
    # by definition of the objective: no design has less on-site water at that site
    d = lib.designs
    least = d.loc[d.groupby("site_id")["water_onsite_m3"].idxmin()]
    for sid, water in zip(least["site_id"], least["water_onsite_m3"], strict=True):
        mine = d.loc[(d["site_id"] == sid) & (d["cooling_design"] == page[sid]), "water_onsite_m3"]
        assert float(mine.iloc[0]) <= float(water) + 1e-9
    assert df[H("cooling_reason")].str.contains("lowest on-site water").all()
    # the site detail marks the design taken at the best site, one point per design
    _, data = _trade_off(at)
    best = _ranked_ids(df)[0]
    assert len(data) == int((d["site_id"] == best).sum())
    assert data.loc[data["mark"] == "taken", "design"].tolist() == [page[best]]


def test_auto_cooling_water_cap_in_scarce_basins():
    at = _app()
    at.selectbox(key="cooling").set_value("auto")
    at.run()
    at.checkbox(key="wue_cap_on").check()
    at.run()
    at.number_input(key="max_wue").set_value(0.05)
    at.number_input(key="max_wue_aware").set_value(0.0)  # the cap everywhere
    at.run()
    _ok(at)
    df = _ranking(at)
    wue = df[H("wue_onsite_l_per_kwh")].to_numpy(float)
    fallback = df[H("cooling_reason")].str.contains("every design exceeds").to_numpy()
    assert (wue[~fallback] <= 0.05 + 1e-9).all()
    assert df[H("cooling_reason")].str.contains("WUE cap 0.05").all()


def test_liquid_cooled_gpu_gets_no_air_only_design():
    from siting.model import COOLING_DESIGNS, Fleet

    at = _app()
    at.selectbox(key="gpu").set_value("GB200-NVL72")
    at.run()
    _ok(at)
    air_only = [n for n, d in COOLING_DESIGNS.items() if d.air_only]
    assert air_only  # the registry has air-only designs to refuse
    labels = at.selectbox(key="cooling").options
    for n in air_only:
        assert f"{n} (cannot cool GB200-NVL72)" in labels
    # an air-only design: the library's message, no traceback
    at.selectbox(key="cooling").set_value(air_only[0])
    at.run()
    assert not at.exception
    msg = COOLING_DESIGNS[air_only[0]].infeasibility(Fleet(gpu="GB200-NVL72", gpus=1))
    assert msg and any(msg in e.value for e in at.error)
    # auto: chosen among the designs that can cool it, none air-only anywhere
    at.selectbox(key="cooling").set_value("auto")
    at.run()
    _ok(at)
    assert any("liquid-cooled" in c.value for c in at.sidebar.caption)
    assert not set(_ranking(at)[H("cooling_design")]) & set(air_only)
    _, data = _trade_off(at)
    assert len(data) >= 2 and not set(data["design"]) & set(air_only)


def test_site_detail_answers_what_dry_cooling_costs_in_pue(reference):
    from siting.model import Facility, assess

    at = _app()  # one design (the default, tower_economizer) for every site
    _ok(at)
    site = at.selectbox(key="site").value
    spec, data = _trade_off(at)
    assert spec["layer"][0]["encoding"]["x"]["field"] == "wue"
    assert data.loc[data["mark"] == "taken", "design"].tolist() == ["tower_economizer"]
    table = _design_table(at).set_index("design")
    # independent: the whole-run assessment with dry cooling fixed at every site
    dry = assess(reference.joined, reference.fleet, reference.scenario, Facility(cooling="dry"))
    s = dry.summary.set_index("site_id").loc[site]
    np.testing.assert_allclose(table.loc["dry", "PUE [-]"], s["pue_annual"], rtol=1e-9)
    assert table.loc["dry", "On-site WUE [L/kWh IT]"] == 0.0  # dry coolers evaporate nothing
    ref = reference.assessment.summary.set_index("site_id").loc[site]
    np.testing.assert_allclose(
        table.loc["dry", "PUE vs taken [-]"], s["pue_annual"] - ref["pue_annual"], atol=1e-9
    )
    assert any(t.value.startswith("dry cooling here: PUE") for t in at.text)


def test_auto_downloads_carry_the_designs(reference, tmp_path):
    choice = sup.cooling_choice("energy")
    a = sup.assess_sites(
        reference.joined, reference.fleet, reference.scenario, reference.assessment.facility, choice
    )
    ranked = sup.rank_sites(a.summary, reference.weights)
    res = sup.make_result(reference.sites, reference.joined, a, ranked, reference.weights)
    with zipfile.ZipFile(io.BytesIO(sup.outputs_zip(res))) as z:
        designs = pd.read_csv(z.open("designs.csv"), comment="#")
    # one row per site and design, exactly one design taken per site
    assert designs.groupby("site_id")["chosen"].sum().eq(1).all()
    assert designs["site_id"].nunique() == len(reference.ranked)
    html = sup.report_bytes(res, "html").decode("utf-8")
    assert 'id="cooling"' in html and "design taken" in html
