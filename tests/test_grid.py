"""Candidate grids: cell counts by hand, H3 counts vs H3 area statistics, land-only,
stable unique ids, size guard, and that a grid feeds the join and the exclusions."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from siting.errors import SitingError
from siting.grid import estimate_cells, generate_grid, h3_int_to_str, region_geometry

h3 = pytest.importorskip("h3")
GEOD = Geod(ellps="WGS84")


def test_regular_grid_count_by_hand_equator():
    # 1 x 1 degree at the equator: 110.574 km (one degree of latitude on WGS84 at the
    # equator) x 111.320 km (2 pi 6378.137 km / 360, one degree of longitude) = 12,309 km^2;
    # at 10 km spacing: 12,309 / 100 = 123 cells. The brief's (111.32 / 10)^2 = 123.9.
    g = generate_grid((0.0, 0.0, 1.0, 1.0), kind="regular", spacing_km=10, land_only=False)
    assert 123 * 0.95 <= len(g) <= 124 * 1.05
    assert (g["cell_area_km2"] == 100.0).all()
    assert g.crs.to_epsg() == 4326
    assert g["lat"].between(0, 1).all() and g["lon"].between(0, 1).all()
    # geometry is the cell centre
    np.testing.assert_allclose(g.geometry.x, g["lon"])
    np.testing.assert_allclose(g.geometry.y, g["lat"])


def test_regular_grid_spacing_is_in_km_on_the_ground():
    g = generate_grid((10.0, 45.0, 11.0, 46.0), kind="regular", spacing_km=5, land_only=False)
    r0 = g[g["site_id"].str.startswith("r5c")].copy()
    r0["col"] = r0["site_id"].str.split("c").str[1].astype(int)
    r0 = r0.sort_values("col")
    _, _, d = GEOD.inv(
        r0["lon"].to_numpy()[:-1], r0["lat"].to_numpy()[:-1], r0["lon"].to_numpy()[1:],
        r0["lat"].to_numpy()[1:],
    )  # fmt: skip
    # neighbours 5 km apart within 0.5 % near the projection centre (LAEA scale error
    # is ~ (r / 2R)^2, i.e. < 0.01 % within 100 km)
    np.testing.assert_allclose(np.asarray(d) / 1000.0, 5.0, rtol=5e-3)
    # 1 x 1 degree at 45.5 N: about 111.1 x 78.0 km = 8,666 km^2 -> 347 cells of 25 km^2
    area = abs(GEOD.geometry_area_perimeter(shapely.box(10, 45, 11, 46).segmentize(0.01))[0])
    assert abs(len(g) - area / 1e6 / 25.0) / (area / 1e6 / 25.0) < 0.05


def test_h3_counts_match_h3_area_statistics():
    res = 5
    g = generate_grid((0.0, 0.0, 5.0, 5.0), kind="h3", resolution=res, land_only=False)
    area_km2 = abs(GEOD.geometry_area_perimeter(shapely.box(0, 0, 5, 5).segmentize(0.01))[0]) / 1e6
    cells = g["site_id"].tolist()
    summed = sum(h3.cell_area(c, unit="km^2") for c in cells)
    # the cells whose centres lie in the box tile it up to a boundary strip
    assert abs(summed - area_km2) / area_km2 < 0.03
    # H3 cell areas vary over the globe (cells here average ~193 km^2, the resolution's
    # global average is 252.9 km^2): the count lies within the area over the largest and
    # smallest mean areas at this resolution, i.e. within a factor 1.6 of area / average
    avg = h3.average_hexagon_area(res, unit="km^2")
    assert area_km2 / avg / 1.6 < len(g) < area_km2 / avg * 1.6
    assert len(g) == pytest.approx(area_km2 / (summed / len(g)), rel=0.03)
    est = estimate_cells((0.0, 0.0, 5.0, 5.0), resolution=res, land_only=False)
    assert est == pytest.approx(area_km2 / avg, rel=0.01)
    # every id is a valid H3 cell at that resolution, and the centre is the cell's
    assert all(h3.is_valid_cell(c) and h3.get_resolution(c) == res for c in cells[:50])
    lat, lon = h3.cell_to_latlng(cells[0])
    assert g["lat"].iloc[0] == pytest.approx(lat) and g["lon"].iloc[0] == pytest.approx(lon)


def test_h3_grid_equals_h3_polygon_fill():
    geom, _, _ = region_geometry("US-VA")
    ref = set()
    for p in shapely.get_parts(geom):
        ref |= set(h3.geo_to_cells(p.__geo_interface__, 6))
    g = generate_grid("US-VA", kind="h3", resolution=6)
    assert set(g["site_id"]) == ref


def test_h3_int_to_str_vectorized():
    cells = [h3.latlng_to_cell(48.85, 2.35, r) for r in range(0, 16)]
    ints = np.array([h3.str_to_int(c) for c in cells], dtype=np.uint64)
    assert h3_int_to_str(ints).tolist() == cells


def test_land_only_drops_sea_cells():
    # Lisbon coast: the western part of the box is the Atlantic
    bbox = (-10.5, 38.0, -8.5, 39.5)
    full = generate_grid(bbox, kind="regular", spacing_km=10, land_only=False)
    land = generate_grid(bbox, kind="regular", spacing_km=10, land_only=True)
    assert 0 < len(land) < len(full)
    # land ids are a subset of the full grid's (same projection, same cells)
    assert set(land["site_id"]) <= set(full["site_id"])
    # a point 60 km off the coast at 38.7 N, 10.2 W is sea: its cell is dropped
    sea = full.iloc[((full["lon"] + 10.2) ** 2 + (full["lat"] - 38.7) ** 2).argmin()]
    assert sea["site_id"] not in set(land["site_id"])
    # every kept cell is inside a country polygon
    from siting.grid import _land_index

    assert (
        _land_index(None).point_index(land["lon"].to_numpy(), land["lat"].to_numpy()) >= 0
    ).all()
    h_full = generate_grid(bbox, kind="h3", resolution=5, land_only=False)
    h_land = generate_grid(bbox, kind="h3", resolution=5)
    assert 0 < len(h_land) < len(h_full)


def test_named_region_is_inside_its_polygon():
    g = generate_grid("CA-QC", kind="h3", resolution=4)
    geom, _, _ = region_geometry("CA-QC")
    assert shapely.intersects_xy(geom, g["lon"].to_numpy(), g["lat"].to_numpy()).all()
    full = generate_grid("CA-QC", kind="h3", resolution=4, land_only=False)
    assert len(full) > len(g)


def test_ids_unique_and_stable():
    a = generate_grid("LUX", kind="regular", spacing_km=2)
    b = generate_grid("LUX", kind="regular", spacing_km=2)
    assert a["site_id"].is_unique
    assert a["site_id"].tolist() == b["site_id"].tolist()
    np.testing.assert_array_equal(a["lat"], b["lat"])
    assert a["site_id"].str.fullmatch(r"r\d+c\d+").all()
    h = generate_grid("LUX", kind="h3", resolution=7)
    assert h["site_id"].is_unique
    assert h["site_id"].tolist() == sorted(h["site_id"])


def test_region_inputs():
    poly = shapely.box(5.0, 45.0, 6.0, 46.0)
    a = generate_grid(poly, kind="h3", resolution=5, land_only=False)
    b = generate_grid((5.0, 45.0, 6.0, 46.0), kind="h3", resolution=5, land_only=False)
    assert a["site_id"].tolist() == b["site_id"].tolist()
    gdf = gpd.GeoDataFrame(geometry=[poly], crs=4326).to_crs(3035)
    c = generate_grid(gdf, kind="h3", resolution=5, land_only=False)
    assert abs(len(c) - len(a)) <= 2  # reprojection round trip moves the edges slightly
    assert generate_grid("fra", kind="h3", resolution=3)["site_id"].is_unique


@pytest.mark.parametrize(
    "region, match",
    [
        ("XXX", "unknown country code"),
        ("US-XX", "unknown region code"),
        ("France", "not an ISO3"),
        ((1.0, 1.0, 0.0, 2.0), "minlon < maxlon"),
        ((0.0, 0.0, 1.0), "unsupported region"),
        (shapely.LineString([(0, 0), (1, 1)]), "Polygon or MultiPolygon"),
    ],
)
def test_bad_regions(region, match):
    with pytest.raises(SitingError, match=match):
        generate_grid(region, kind="h3", resolution=3)


def test_bad_kind_and_size_guard():
    with pytest.raises(SitingError, match="kind must be"):
        generate_grid("LUX", kind="hex")
    with pytest.raises(SitingError, match="resolution must be an integer 0-15"):
        generate_grid("LUX", kind="h3", resolution=16)
    with pytest.raises(SitingError, match="spacing_km must be > 0"):
        generate_grid("LUX", kind="regular", spacing_km=0)
    with pytest.raises(SitingError, match="coarsen the grid"):
        generate_grid("USA", kind="h3", resolution=10)
    with pytest.raises(SitingError, match="coarsen"):
        generate_grid("LUX", kind="regular", spacing_km=1, max_cells=100)
    assert len(generate_grid("LUX", kind="regular", spacing_km=1, max_cells=10_000)) > 100


def test_grid_feeds_join_and_exclusions():
    from siting.decide import exclude
    from siting.join import join_layers

    g = generate_grid("US-VA", kind="h3", resolution=4)
    joined = join_layers(g, families=("boundary", "grid"))
    assert (joined["country_iso3"] == "USA").all()
    assert (joined["region_code"] == "US-VA").mean() > 0.9  # border cells may sit outside
    out = exclude(joined, ["grid_co2_g_per_kwh > 1000"])
    assert len(out) == len(g) and "excluded" in out


def test_antimeridian_country():
    """Fiji straddles 180 degrees: its polygon is cut there (parts at +179 and -179)."""
    geom, _, _ = region_geometry("FJI")
    ref = set()
    for p in shapely.get_parts(geom):
        ref |= set(h3.geo_to_cells(p.__geo_interface__, 6))
    g = generate_grid("FJI", kind="h3", resolution=6)
    assert set(g["site_id"]) == ref
    assert (g["lon"] > 0).any() and (g["lon"] < 0).any()
    r = generate_grid("FJI", kind="regular", spacing_km=5)
    assert r["lon"].between(-180, 180).all() and len(r) > 100
    assert shapely.intersects_xy(geom, r["lon"].to_numpy(), r["lat"].to_numpy()).all()


def test_estimate_cells_uses_the_default_resolution():
    from siting.grid import DEFAULT_H3_RESOLUTION, estimate_cells

    a = estimate_cells("LUX", kind="h3")
    b = estimate_cells("LUX", kind="h3", resolution=DEFAULT_H3_RESOLUTION)
    assert a == b > 0
