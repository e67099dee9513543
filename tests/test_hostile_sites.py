"""Hostile and broken site files: each ends in a valid result or a clear SiteInputError.

Property tests generate CSV text and raw bytes; hand-made cases cover zips with path
traversal or bomb-like ratios, mixed geometry types and huge declared sizes.
"""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon

from siting.errors import SiteInputError
from siting.sites import from_frame, read_sites

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

cell = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**6), 10**6).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
    st.sampled_from(["", "NaN", "inf", "-", "1e400", "=cmd|' /C calc'!A0", "N/A", " 12.5 "]),
)


def _check_result(s, n_rows):
    assert len(s) == n_rows  # nothing dropped silently
    assert s["site_id"].is_unique
    assert np.all(np.abs(s["lat"]) <= 90) and np.all(np.abs(s["lon"]) <= 180)
    assert s.crs.to_epsg() == 4326


@SETTINGS
@given(rows=st.lists(st.tuples(cell, cell, cell), min_size=1, max_size=6))
def test_generated_csv_is_valid_or_clear_error(tmp_path, rows):
    buf = io.StringIO()
    pd.DataFrame(rows, columns=["lat", "lon", "name"]).to_csv(buf, index=False)
    p = tmp_path / "gen.csv"
    p.write_text(buf.getvalue())
    try:
        s = read_sites(p)
    except SiteInputError as e:
        assert "gen.csv" in str(e)
        return
    _check_result(s, len(rows))


@SETTINGS
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(tmp_path, data):
    for name in ("b.csv", "b.geojson", "b.gpkg", "b.parquet", "b.zip"):
        p = tmp_path / name
        p.write_bytes(data)
        try:
            s = read_sites(p)
        except SiteInputError:
            continue
        assert len(s) >= 1


@SETTINGS
@given(
    lat=st.lists(st.floats(-90, 90), min_size=1, max_size=20),
    shift=st.integers(0, 1),
)
def test_valid_coordinates_always_accepted(lat, shift):
    lon = [((x * 7) % 360) - 180 + shift * 0.0 for x in range(len(lat))]
    s = from_frame(pd.DataFrame({"lat": lat, "lon": lon}))
    _check_result(s, len(lat))
    np.testing.assert_allclose(s["lat"], lat)


def _zip(tmp_path, members: dict[str, bytes], name="s.zip", compression=zipfile.ZIP_DEFLATED):
    p = tmp_path / name
    with zipfile.ZipFile(p, "w", compression=compression) as z:
        for k, v in members.items():
            z.writestr(k, v)
    return p


def test_zip_path_traversal_refused(tmp_path):
    p = _zip(tmp_path, {"../../evil.shp": b"x"})
    with pytest.raises(SiteInputError, match="unsafe path"):
        read_sites(p)


def test_zip_bomb_ratio_refused(tmp_path):
    p = _zip(tmp_path, {"big.csv": b"0" * 5_000_000})
    with pytest.raises(SiteInputError, match="zip bomb"):
        read_sites(p)


def test_zipped_shapefile_reads(tmp_path):
    gdf = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[Point(10, 50)], crs=4326)
    d = tmp_path / "shp"
    d.mkdir()
    gdf.to_file(d / "sites.shp")
    p = tmp_path / "sites.zip"
    with zipfile.ZipFile(p, "w") as z:
        for f in d.iterdir():
            z.write(f, f.name)
    s = read_sites(p)
    assert s.loc[0, "site_id"] == "a" and s.loc[0, "lat"] == 50


def test_size_limit(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("lat,lon\n" + "1,1\n" * 100)
    with pytest.raises(SiteInputError, match="limit"):
        read_sites(p, max_bytes=100)


def test_mixed_geometries(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"site_id": ["pt", "poly", "line"]},
        geometry=[
            Point(0, 0),
            Polygon([(1, 1), (2, 1), (2, 2), (1, 2)]),
            LineString([(3, 3), (4, 4)]),
        ],
        crs=4326,
    )
    with pytest.warns(UserWarning):
        s = from_frame(gdf)
    assert len(s) == 3
    assert s.geom_type.eq("Point").all()


def test_empty_geometry_named(tmp_path):
    gdf = gpd.GeoDataFrame({"site_id": ["a", "b"]}, geometry=[Point(0, 0), None], crs=4326)
    with pytest.raises(SiteInputError, match="row 2.*geometry"):
        from_frame(gdf)


@pytest.mark.parametrize("bad", ["inf", "-inf", "nan", ""])
def test_non_finite_coordinates(tmp_path, bad):
    p = tmp_path / "s.csv"
    p.write_text(f"lat,lon\n1,1\n{bad},2\n")
    with pytest.raises(SiteInputError, match="row 2"):
        read_sites(p)
