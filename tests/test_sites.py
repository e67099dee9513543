"""Reading and validating candidate sites."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from siting.errors import SiteInputError
from siting.sites import SiteWarning, from_frame, read_sites
from tests.conftest import EXAMPLES


def write(tmp_path, name, text, mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_examples_are_20_to_30_real_campuses_with_sources():
    s = read_sites(EXAMPLES)
    assert 20 <= len(s) <= 30
    assert s["site_id"].is_unique
    assert s["source"].str.len().min() > 5
    assert s.crs.to_epsg() == 4326
    # every user column kept
    for c in ("name", "operator", "status", "country", "source", "notes"):
        assert c in s.columns
    # world-wide spread: US, Europe, Nordics, Middle East, Asia, Latin America
    assert {"USA", "IRL", "SWE", "ARE", "SGP", "BRA"} <= set(s["country"])


@pytest.mark.parametrize(
    "header",
    [("lat", "lon"), ("Latitude", "Longitude"), ("Y", "X"), ("lat", "lng"), ("LAT", "long")],
)
def test_csv_column_names_detected(tmp_path, header):
    p = write(tmp_path, "s.csv", f"{header[0]},{header[1]},name\n48.85,2.35,Paris\n")
    s = read_sites(p)
    assert s.loc[0, "lat"] == pytest.approx(48.85)
    assert s.loc[0, "lon"] == pytest.approx(2.35)
    assert s.loc[0, "site_id"] == "site-0001"
    assert s.loc[0, "name"] == "Paris"


def test_explicit_columns_and_id(tmp_path):
    p = write(tmp_path, "s.csv", "code,northing,easting\nA,10,20\nB,11,21\n")
    s = read_sites(p, lat="northing", lon="easting", id_column="code")
    assert list(s["site_id"]) == ["A", "B"]
    assert list(s.geometry.x) == [20.0, 21.0]


def test_projected_csv_is_reprojected(tmp_path):
    # Web Mercator of (lon 2.35, lat 48.85), computed independently:
    # x = R*lon_rad, y = R*ln(tan(pi/4+lat_rad/2)), R = 6378137 m
    r = 6378137.0
    x = r * np.radians(2.35)
    y = r * np.log(np.tan(np.pi / 4 + np.radians(48.85) / 2))
    p = write(tmp_path, "s.csv", f"x,y\n{x},{y}\n")
    s = read_sites(p, crs="EPSG:3857")
    assert s.loc[0, "lat"] == pytest.approx(48.85, abs=1e-6)
    assert s.loc[0, "lon"] == pytest.approx(2.35, abs=1e-6)


def test_geojson_gpkg_parquet_roundtrip(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"site_id": ["a", "b"], "mw": [100, 200]},
        geometry=[Point(2.35, 48.85), Point(-77.5, 39.0)],
        crs=4326,
    )
    for name, writer in (
        ("s.geojson", lambda p: gdf.to_file(p, driver="GeoJSON")),
        ("s.gpkg", lambda p: gdf.to_file(p, driver="GPKG")),
        ("s.parquet", lambda p: gdf.to_parquet(p)),
    ):
        p = tmp_path / name
        writer(p)
        s = read_sites(p)
        assert list(s["site_id"]) == ["a", "b"]
        assert list(s["mw"]) == [100, 200]
        assert s.loc[1, "lat"] == pytest.approx(39.0)


def test_other_crs_reprojected_to_4326(tmp_path):
    gdf = gpd.GeoDataFrame(geometry=[Point(2.35, 48.85)], crs=4326).to_crs(2154)
    p = tmp_path / "lambert93.gpkg"
    gdf.to_file(p, driver="GPKG")
    s = read_sites(p)
    assert s.crs.to_epsg() == 4326
    assert s.loc[0, "lon"] == pytest.approx(2.35, abs=1e-7)


def test_polygon_sites_use_centroid_with_warning():
    poly = Polygon([(0, 0), (2, 0), (2, 2), (0, 2)])
    gdf = gpd.GeoDataFrame({"site_id": ["sq"]}, geometry=[poly], crs=4326)
    with pytest.warns(SiteWarning, match="centroid"):
        s = from_frame(gdf)
    assert s.loc[0, "lon"] == pytest.approx(1.0, abs=1e-3)
    assert s.loc[0, "lat"] == pytest.approx(1.0, abs=0.01)


def test_missing_coordinate_names_row_and_field(tmp_path):
    p = write(tmp_path, "s.csv", "lat,lon\n1,2\n,3\n")
    with pytest.raises(SiteInputError) as e:
        read_sites(p)
    msg = str(e.value)
    assert "s.csv" in msg and "row 2" in msg and "'lat'" in msg


def test_out_of_range_latitude(tmp_path):
    p = write(tmp_path, "s.csv", "lat,lon\n1,2\n95,3\n")
    with pytest.raises(SiteInputError, match=r"row 2.*'lat'.*outside \[-90, 90\]"):
        read_sites(p)


def test_swapped_columns_hinted(tmp_path):
    p = write(tmp_path, "s.csv", "lat,lon\n-77.5,39.0\n120.0,30.0\n")
    with pytest.raises(SiteInputError, match="swapped"):
        read_sites(p)


def test_projected_values_in_degree_columns_hinted(tmp_path):
    p = write(tmp_path, "s.csv", "lat,lon\n6250000,261600\n")
    with pytest.raises(SiteInputError, match="projected"):
        read_sites(p)


def test_longitude_0_360_wrapped_with_warning(tmp_path):
    p = write(tmp_path, "s.csv", "lat,lon\n40,282.5\n")
    with pytest.warns(SiteWarning, match="0-360"):
        s = read_sites(p)
    assert s.loc[0, "lon"] == pytest.approx(-77.5)


def test_non_numeric_coordinate(tmp_path):
    p = write(tmp_path, "s.csv", "lat,lon\n40N,2\n")
    with pytest.raises(SiteInputError, match=r"row 1.*'lat'.*'40N' is not a number"):
        read_sites(p)


def test_duplicate_ids_listed(tmp_path):
    p = write(tmp_path, "s.csv", "site_id,lat,lon\na,1,1\nb,2,2\na,3,3\n")
    with pytest.raises(SiteInputError, match=r"duplicate site id 'a' in rows \[1, 3\]"):
        read_sites(p)


@pytest.mark.parametrize(
    "content,match",
    [(b"", "empty"), (b"lat,lon\n", "no rows"), (b"\x00\x01\x02garbage", None)],
)
def test_unreadable_or_empty_files(tmp_path, content, match):
    p = write(tmp_path, "s.csv", content, mode="wb")
    with pytest.raises(SiteInputError, match=match):
        read_sites(p)


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(SiteInputError, match="not found"):
        read_sites(tmp_path / "nope.csv")
    p = write(tmp_path, "s.xyz", "lat,lon\n1,1\n")
    with pytest.raises(SiteInputError, match="unsupported file type"):
        read_sites(p)


def test_broken_geojson(tmp_path):
    p = write(tmp_path, "s.geojson", '{"type": "FeatureCollection", "features": [')
    with pytest.raises(SiteInputError, match="s.geojson"):
        read_sites(p)


def test_bom_and_latin1(tmp_path):
    p = write(tmp_path, "bom.csv", "\ufefflat,lon,name\n1,2,x\n".encode(), mode="wb")
    assert read_sites(p).loc[0, "name"] == "x"
    p = write(tmp_path, "l1.csv", "lat,lon,name\n1,2,S\xe3o Paulo\n".encode("latin-1"), mode="wb")
    with pytest.warns(SiteWarning, match="UTF-8"):
        s = read_sites(p)
    assert s.loc[0, "name"] == "São Paulo"


def test_no_site_dropped_and_order_kept():
    df = pd.DataFrame({"lat": np.linspace(-60, 60, 50), "lon": np.linspace(-170, 170, 50)})
    s = from_frame(df)
    assert len(s) == 50
    np.testing.assert_allclose(s["lat"], df["lat"])


def test_geojson_without_crs_assumed_wgs84(tmp_path):
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "x"},
                "geometry": {"type": "Point", "coordinates": [5, 50]},
            }
        ],
    }
    p = write(tmp_path, "s.geojson", json.dumps(fc))
    s = read_sites(p)
    assert s.loc[0, "site_id"] == "x"
    assert s.loc[0, "lat"] == 50


def test_duplicate_header_names(tmp_path):
    # found by the fuzzer: a header whose names repeat once whitespace is stripped
    p = write(tmp_path, "s.csv", "lat,lon,\tlat,lon\n1,2,3,4\n")
    with pytest.raises(SiteInputError, match="column 'lat' appears more than once"):
        read_sites(p)


def test_repeated_latitude_header_is_an_error(tmp_path):
    # pandas would rename the second 'lat' to 'lat.1' and silently use the first one
    p = write(tmp_path, "s.csv", "name,lat,lat,lon\na,1,2,3\n")
    with pytest.raises(SiteInputError, match="column 'lat' appears more than once") as e:
        read_sites(p)
    assert e.value.field == "lat"


def test_two_columns_reading_as_latitude_name_both(tmp_path):
    p = write(tmp_path, "s.csv", "name,lat,Latitude,lon\na,1,2,3\n")
    with pytest.raises(SiteInputError, match="'lat', 'Latitude' all read as the latitude"):
        read_sites(p)
    # naming the column to use resolves it
    s = read_sites(p, lat="Latitude")
    assert s.loc[0, "lat"] == 2.0
