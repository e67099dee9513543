"""PolygonIndex: the rasterized label index and the STRtree path give the exact matches
of a brute-force shapely ``intersects`` check, boundary points included."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from siting.layers._spatial import PolygonIndex, build_label_raster


def brute_force(geoms, lon, lat) -> np.ndarray:
    """Lowest row of a polygon that intersects each point (-1 for none), per point."""
    out = np.full(lon.size, -1, dtype=np.int64)
    for i, (x, y) in enumerate(zip(lon, lat, strict=True)):
        p = shapely.Point(x, y)
        for j, g in enumerate(geoms):
            if g is not None and g.intersects(p):
                out[i] = j
                break
    return out


def layer() -> list:
    """Adjacent squares sharing edges, a polygon with a hole, an island inside the hole,
    overlapping polygons, a multipolygon, a thin sliver and a tiny triangle."""
    return [
        box(0, 0, 1, 1),
        box(1, 0, 2, 1),  # shares the edge x=1 with row 0
        Polygon(
            [(0, 1), (2, 1), (2, 3), (0, 3)], [[(0.5, 1.5), (1.5, 1.5), (1.5, 2.5), (0.5, 2.5)]]
        ),
        box(0.8, 1.8, 1.2, 2.2),  # island in the hole of row 2
        box(1.5, 0.5, 2.5, 1.5),  # overlaps rows 1 and 2
        MultiPolygon([box(3, 0, 3.5, 0.5), box(3.6, 0.6, 4.0, 1.0)]),
        Polygon([(2.6, 0), (2.61, 0), (2.61, 3), (2.6, 3)]),  # sliver narrower than a cell
        Polygon([(3.1, 2.0), (3.101, 2.0), (3.1005, 2.001)]),  # tiny triangle
        None,
    ]


def boundary_points(geoms, n_per=40, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and points on edges of every polygon (exactly on the boundary)."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for g in geoms:
        if g is None:
            continue
        b = shapely.boundary(g)
        xy = shapely.get_coordinates(g)
        xs.append(xy[:, 0])
        ys.append(xy[:, 1])
        d = rng.uniform(0, shapely.length(b), n_per)
        pts = shapely.line_interpolate_point(b, d)
        xs.append(shapely.get_x(pts))
        ys.append(shapely.get_y(pts))
    return np.concatenate(xs), np.concatenate(ys)


@pytest.mark.parametrize("cell_deg", [0.05, 0.1, 0.37])
def test_raster_index_equals_brute_force_on_edges_and_random_points(cell_deg):
    geoms = np.array(layer(), dtype=object)
    rng = np.random.default_rng(1)
    lon = rng.uniform(-0.5, 4.5, 3000)
    lat = rng.uniform(-0.5, 3.5, 3000)
    bx, by = boundary_points(geoms)
    lon, lat = np.r_[lon, bx], np.r_[lat, by]
    ref = brute_force(geoms, lon, lat)
    raster = PolygonIndex(geoms, raster=True, cell_deg=cell_deg).match(lon, lat).index
    tree = PolygonIndex(geoms, raster=False).match(lon, lat).index
    np.testing.assert_array_equal(tree, ref)
    np.testing.assert_array_equal(raster, ref)


@settings(max_examples=60, deadline=None)
@given(
    pts=st.lists(
        st.tuples(st.floats(-0.5, 4.5, allow_nan=False), st.floats(-0.5, 3.5, allow_nan=False)),
        min_size=1,
        max_size=60,
    ),
    cell=st.sampled_from([0.01, 0.07, 0.25, 1.0]),
)
def test_raster_index_matches_brute_force_hypothesis(pts, cell):
    geoms = np.array(layer(), dtype=object)
    lon = np.array([p[0] for p in pts])
    lat = np.array([p[1] for p in pts])
    # also snap some points onto the 0.5-degree lattice, where many vertices and edges lie
    lon = np.r_[lon, np.round(lon * 2) / 2]
    lat = np.r_[lat, np.round(lat * 2) / 2]
    ref = brute_force(geoms, lon, lat)
    got = PolygonIndex(geoms, raster=True, cell_deg=cell).match(lon, lat).index
    np.testing.assert_array_equal(got, ref)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 6),
    cell=st.sampled_from([0.03, 0.2, 0.9]),
)
def test_random_polygons_random_points_hypothesis(seed, n, cell):
    """Random (possibly overlapping, possibly invalid) star polygons."""
    rng = np.random.default_rng(seed)
    geoms = []
    for _ in range(n):
        cx, cy = rng.uniform(0, 5, 2)
        k = int(rng.integers(3, 12))
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = rng.uniform(0.05, 2.0, k)
        geoms.append(Polygon(np.c_[cx + r * np.cos(ang), cy + r * np.sin(ang)]))
    geoms = np.array(geoms, dtype=object)
    lon = rng.uniform(-2, 7, 400)
    lat = rng.uniform(-2, 7, 400)
    bx, by = boundary_points(geoms, n_per=10, seed=seed)
    lon, lat = np.r_[lon, bx], np.r_[lat, by]
    ref = PolygonIndex(geoms, raster=False).match(lon, lat).index
    got = PolygonIndex(geoms, raster=True, cell_deg=cell).match(lon, lat).index
    np.testing.assert_array_equal(got, ref)
    valid = np.array([g.is_valid for g in geoms])
    if valid.all():
        np.testing.assert_array_equal(ref, brute_force(geoms, lon, lat))


def test_snapping_identical_with_and_without_raster():
    geoms = np.array(layer(), dtype=object)
    rng = np.random.default_rng(3)
    lon = rng.uniform(-1.5, 5.5, 4000)
    lat = rng.uniform(-1.5, 4.5, 4000)
    a = PolygonIndex(geoms, raster=False).match(lon, lat, max_snap_km=40)
    b = PolygonIndex(geoms, raster=True, cell_deg=0.05).match(lon, lat, max_snap_km=40)
    np.testing.assert_array_equal(a.index, b.index)
    np.testing.assert_array_equal(a.snapped, b.snapped)
    np.testing.assert_array_equal(a.snap_km, b.snap_km)
    assert a.snapped.any() and (~a.snapped & (a.index < 0)).any()


def test_nonfinite_points_match_nothing():
    idx = PolygonIndex([box(0, 0, 1, 1)], raster=True)
    m = idx.match(np.array([np.nan, 0.5, np.inf]), np.array([0.5, np.nan, 0.5]), max_snap_km=5)
    assert m.index.tolist() == [-1, -1, -1]
    assert not m.snapped.any()


def test_label_raster_marks_boundary_cells_and_labels_interiors():
    lr = build_label_raster(np.array([box(0, 0, 1, 1)], dtype=object), cell_deg=0.1)
    # centre of the square: interior label 0; far corner of the raster: outside (-1)
    assert lr.lookup(np.array([0.5]), np.array([0.5]))[0] == 0
    assert lr.lookup(np.array([-0.15]), np.array([-0.15]))[0] == -1
    # the edge x=0 is a boundary cell (-2, exact fallback)
    assert lr.lookup(np.array([0.0]), np.array([0.5]))[0] == -2
    assert 0 < lr.boundary_share < 1


def test_empty_layer():
    idx = PolygonIndex(np.array([None], dtype=object), raster=True)
    assert idx.match(np.array([0.0]), np.array([0.0])).index.tolist() == [-1]


@pytest.mark.raw
def test_aware_watersheds_raster_equals_strtree(raw_dir):
    import geopandas as gpd

    path = raw_dir / "wulca-aware-bw2" / "aware.gpkg"
    if not path.is_file():
        pytest.skip("aware.gpkg not in the shared raw directory")
    geoms = gpd.read_file(path).geometry.values
    rng = np.random.default_rng(7)
    lon = rng.uniform(-180, 180, 60_000)
    lat = rng.uniform(-60, 85, 60_000)
    a = PolygonIndex(geoms, raster=False).match(lon, lat, max_snap_km=20)
    b = PolygonIndex(geoms, raster=True).match(lon, lat, max_snap_km=20)
    np.testing.assert_array_equal(a.index, b.index)
    np.testing.assert_array_equal(a.snap_km, b.snap_km)


# ----------------------------------------------------------------------------- rasters
def test_sample_grid_nearest_equals_rasterio_sample_gen(tmp_path):
    import rasterio
    from rasterio.sample import sample_gen
    from rasterio.transform import from_origin

    from siting.layers._raster import sample_grid

    rng = np.random.default_rng(0)
    arr = rng.normal(size=(2, 40, 70)).astype("float32")
    arr[0, 5, 7] = -9999.0
    tr = from_origin(-10.0, 60.0, 0.5, 0.25)
    path = tmp_path / "r.tif"
    with rasterio.open(
        path, "w", driver="GTiff", height=40, width=70, count=2, dtype="float32",
        crs="EPSG:4326", transform=tr, nodata=-9999.0,
    ) as dst:  # fmt: skip
        dst.write(arr)
    x = np.r_[rng.uniform(-10, 25, 500), -10 + 7.25 * 0.5, 24.99, -10.0]
    y = np.r_[rng.uniform(50, 60, 500), 60 - 5.5 * 0.25, 50.01, 60.0]
    got = sample_grid(arr, tr, x, y, nodata=-9999.0)
    with rasterio.open(path) as ds:
        ref = np.array([s for s in sample_gen(ds, zip(x, y, strict=True))], dtype=float)
    ref[ref == -9999.0] = np.nan
    np.testing.assert_array_equal(got, ref)
    assert np.isnan(got[500, 0])  # the no-data pixel
    # outside the raster and non-finite points give NaN
    out = sample_grid(arr[0], tr, np.array([-11.0, 0.0, np.nan]), np.array([55.0, 61.0, 55.0]))
    assert np.isnan(out).all()


def test_sample_grid_bilinear_and_wrap():
    from siting.layers._raster import sample_grid

    grid = np.array([[0.0, 10.0, 20.0, 30.0], [40.0, 50.0, 60.0, 70.0]])
    t = (90.0, 0.0, -180.0, 0.0, -90.0, 90.0)  # 4 x 2 global cells of 90 degrees
    # halfway between the centres (-135, 45) and (-45, 45): 5; and the 4-centre mean
    v = sample_grid(grid, t, np.array([-90.0, -90.0]), np.array([45.0, 0.0]), method="bilinear")
    np.testing.assert_allclose(v, [5.0, 25.0])
    # across the antimeridian with wrap: between 30 (135 E) and 0 (-135 W) -> 15
    w = sample_grid(grid, t, np.array([180.0]), np.array([45.0]), method="bilinear", wrap_x=True)
    np.testing.assert_allclose(w, [15.0])
    assert sample_grid(grid, t, np.array([190.0]), np.array([45.0]), wrap_x=True)[0] == 0.0
    with pytest.raises(ValueError, match="method"):
        sample_grid(grid, t, np.array([0.0]), np.array([0.0]), method="cubic")


def test_label_raster_disk_cache(tmp_path, monkeypatch):
    import siting.layers._spatial as sp

    monkeypatch.setenv("SITING_CACHE_DIR", str(tmp_path))
    geoms = np.array(layer(), dtype=object)
    first = sp.PolygonIndex(geoms, raster=True, cell_deg=0.05).label_raster
    assert len(list((tmp_path / "label_index").glob("*.npz"))) == 1

    def fail(*a, **k):
        raise AssertionError("rebuilt instead of loaded")

    monkeypatch.setattr(sp, "build_label_raster", fail)
    again = sp.PolygonIndex(geoms, raster=True, cell_deg=0.05).label_raster
    np.testing.assert_array_equal(again.labels, first.labels)
    assert (again.x0, again.y1, again.cell_deg) == (first.x0, first.y1, first.cell_deg)
    # a different layer (one polygon moved) gets its own entry
    monkeypatch.undo()
    monkeypatch.setenv("SITING_CACHE_DIR", str(tmp_path))
    moved = geoms.copy()
    moved[0] = box(0, 0, 1.01, 1)
    sp.PolygonIndex(moved, raster=True, cell_deg=0.05).label_raster  # noqa: B018
    assert len(list((tmp_path / "label_index").glob("*.npz"))) == 2


def test_any_polygon_in_box_is_conservative_and_exact_far_away():
    """The snapping pre-filter (a summed-area table of occupied 4 x 4-cell blocks) says
    True wherever an occupied cell lies in the box plus one cell (brute force over the
    cells, by hand), and False for a box whose widened block range holds no occupied
    cell: one occupied cell at row 10, column 20 of a 40 x 60 raster of 1-degree cells."""
    from siting.layers._spatial import SAT_BLOCK_CELLS, LabelRaster

    labels = np.full((40, 60), -1, dtype=np.int32)
    labels[10, 20] = 0
    lr = LabelRaster(x0=0.0, y1=40.0, cell_deg=1.0, labels=labels)
    # cell (10, 20) spans lon 20..21, lat 29..30
    lon = np.array([20.5, 23.5, 40.0, 20.5, 5.0])
    lat = np.array([29.5, 29.5, 29.5, 5.0, 35.0])
    rad = np.array([0.1, 0.1, 1.0, 2.0, 0.5])
    got = lr.any_polygon_in_box(lon, lat, rad)
    # brute force: cells touched by the box, plus one cell of margin on each side
    want = []
    for x, y, r in zip(lon, lat, rad, strict=True):
        c0, c1 = int(np.floor(x - r)) - 1, int(np.floor(x + r)) + 2
        r0, r1 = int(np.floor(40 - y - r)) - 1, int(np.floor(40 - y + r)) + 2
        want.append(bool((labels[max(r0, 0) : r1, max(c0, 0) : c1] != -1).any()))
    assert want == [True, False, False, False, False]
    assert np.all(got[np.array(want)])  # never a false "no polygon"
    assert got[0]
    # lon 23.5 +- 0.1: cells 22..25, blocks 5..6 (cells 20..27) hold the occupied cell
    assert SAT_BLOCK_CELLS == 4 and got[1]
    assert not got[2] and not got[3] and not got[4]  # blocks far from row 10, column 20
