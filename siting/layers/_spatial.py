"""Vectorized point-in-polygon with snapping, shared by every polygon layer.

Points are matched to polygons by the ``intersects`` predicate (a point on a
polygon's boundary belongs to it; where several polygons match, the lowest
polygon row wins). Two exact paths give identical results:

* **STRtree** (small queries): one bulk ``shapely.STRtree.query``, no per-site loop.
* **Rasterized label index** (large queries, built lazily once per index): the
  layer's extent is cut into square cells of ``cell_deg`` degrees. Every cell that
  any polygon boundary comes near (every vertex of the boundaries, densified to
  half a cell, marks its cell and the 8 cells around it), every cell covered by
  more than one polygon, and every cell in the envelope of an invalid polygon is a
  *boundary cell*. Any other cell lies wholly inside exactly one polygon or wholly
  outside all of them, so the polygon under its centre (``rasterio.features.
  rasterize``) is the answer for every point in it. A point is located by an affine
  index and a numpy gather; points in boundary cells fall back to the exact STRtree
  query. Why it is exact: boundary vertices are at most ``cell_deg / 2`` apart, so a
  boundary segment touching a cell has both end points in that cell's 3 x 3
  neighbourhood, which is therefore marked.

Points that fall in no polygon (a site in the sea or just off a coast, or outside a
layer's coverage) may be snapped to the nearest polygon within ``max_snap_km``.
Distances are geodesic on the WGS84 ellipsoid (``pyproj.Geod``) between the site and
the nearest polygon point; they are never measured in degrees or on Web Mercator.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod
from shapely import STRtree

_GEOD = Geod(ellps="WGS84")
#: Length of one degree of latitude [km] (WGS84 mean, ~111.32 km; used only to size a
#: search box, never for a reported distance). Ref: NIMA TR8350.2 (WGS84), 3rd ed.
_KM_PER_DEG = 111.32
#: The rasterized label index is built once an index has been asked about this many
#: points in total (its build, 0.5-1 s for a global layer, then saves ~0.4 s per
#: 250,000 points over the prepared STRtree); a tuning choice, results are identical.
RASTER_MIN_POINTS = 200_000
#: Snapping this many points at once builds the label raster to skip points with no
#: polygon near their search box (snapping costs far more per point than a lookup).
SNAP_RASTER_MIN_POINTS = 50_000
#: Largest number of cells of the label raster (int32: 4 bytes per cell, 64 MiB). A
#: memory bound, not a physical constant.
RASTER_MAX_CELLS = 1 << 24
#: Side [cells] of the blocks whose occupancy the snapping pre-filter sums
#: (:meth:`LabelRaster.any_polygon_in_box`; a speed choice, no physics: the test stays
#: conservative, exact matches decide). 4: a table 16 times smaller than the raster,
#: 3 rasters of ~15M cells 1.0 s -> see CHANGELOG (fresh memory is slow to touch here).
SAT_BLOCK_CELLS = 4
#: Finest label-raster cell [degrees] (a bound for tiny layers).
RASTER_MIN_CELL_DEG = 1e-4
_OUTSIDE = -1
_BOUNDARY = -2


@dataclass
class Match:
    """Result of matching N points to polygons.

    Attributes
    ----------
    index : ndarray[int]
        Row of the matched polygon, -1 where none.
    snapped : ndarray[bool]
        True where the match is a snap to the nearest polygon.
    snap_km : ndarray[float]
        Geodesic distance to the snapped polygon [km]; 0 inside, NaN unmatched.
    """

    index: np.ndarray
    snapped: np.ndarray
    snap_km: np.ndarray


@dataclass
class LabelRaster:
    """Rasterized polygon labels with boundary cells marked for exact fallback.

    Attributes
    ----------
    x0, y1 : float
        Longitude of the west edge and latitude of the north edge [degrees].
    cell_deg : float
        Cell size [degrees], the same in longitude and latitude.
    labels : ndarray[int32], shape (rows, cols)
        Polygon row for cells wholly inside one polygon, -1 for cells outside every
        polygon, -2 for boundary cells (exact fallback).
    """

    x0: float
    y1: float
    cell_deg: float
    labels: np.ndarray

    _occupied_sat: np.ndarray | None = None

    @property
    def boundary_share(self) -> float:
        """Share of cells that need the exact fallback."""
        return float(np.mean(self.labels == _BOUNDARY))

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Label of the cell of each point (-1 outside the raster, -2 boundary)."""
        h, w = self.labels.shape
        col = np.floor((lon - self.x0) / self.cell_deg)
        row = np.floor((self.y1 - lat) / self.cell_deg)
        inside = (col >= 0) & (col < w) & (row >= 0) & (row < h)
        out = np.full(lon.shape, _OUTSIDE, dtype=np.int64)
        out[inside] = self.labels[row[inside].astype(np.intp), col[inside].astype(np.intp)]
        return out

    def any_polygon_in_box(
        self, lon: np.ndarray, lat: np.ndarray, radius_deg: np.ndarray
    ) -> np.ndarray:
        """Whether any polygon may lie in the box ``lon/lat +- radius_deg`` (conservative).

        False only where every cell the box touches (plus one cell of margin) lies
        wholly outside every polygon, so a ``False`` point certainly has no polygon
        within the box. Uses a summed-area table of occupied blocks of
        :data:`SAT_BLOCK_CELLS` x :data:`SAT_BLOCK_CELLS` cells (a block is occupied
        when any of its cells is; the box is widened to whole blocks): O(1) per point.
        """
        h, w = self.labels.shape
        b = SAT_BLOCK_CELLS
        if self._occupied_sat is None:
            occupied = self.labels != _OUTSIDE
            rows = np.logical_or.reduceat(occupied, np.arange(0, h, b), axis=0)
            blocks = np.logical_or.reduceat(rows, np.arange(0, w, b), axis=1)
            hb, wb = blocks.shape
            sat = np.zeros((hb + 1, wb + 1), dtype=np.int32)
            np.cumsum(blocks, axis=1, dtype=np.int32, out=sat[1:, 1:])
            for r in range(2, hb + 1):  # row-wise accumulation: contiguous, ~10x np.cumsum
                sat[r] += sat[r - 1]
            self._occupied_sat = sat
        sat = self._occupied_sat
        d = self.cell_deg
        c0 = np.floor((lon - radius_deg - self.x0) / d) - 1
        c1 = np.floor((lon + radius_deg - self.x0) / d) + 2
        r0 = np.floor((self.y1 - lat - radius_deg) / d) - 1
        r1 = np.floor((self.y1 - lat + radius_deg) / d) + 2
        c0, c1 = np.clip(c0, 0, w).astype(np.intp), np.clip(c1, 0, w).astype(np.intp)
        r0, r1 = np.clip(r0, 0, h).astype(np.intp), np.clip(r1, 0, h).astype(np.intp)
        # the blocks holding cells [r0, r1) x [c0, c1)
        b0, b1 = c0 // b, -(-c1 // b)
        a0, a1 = r0 // b, -(-r1 // b)
        total = sat[a1, b1] - sat[a0, b1] - sat[a1, b0] + sat[a0, b0]
        return (total > 0) & (c1 > c0) & (r1 > r0)


def _dilate3(mask: np.ndarray) -> np.ndarray:
    """3 x 3 binary dilation (a cell and its 8 neighbours), numpy only."""
    m = mask.copy()
    m[1:, :] |= mask[:-1, :]
    m[:-1, :] |= mask[1:, :]
    out = m.copy()
    out[:, 1:] |= m[:, :-1]
    out[:, :-1] |= m[:, 1:]
    return out


def build_label_raster(geoms: np.ndarray, cell_deg: float | None = None) -> LabelRaster:
    """Rasterize polygons into a :class:`LabelRaster` (see the module docstring).

    Parameters
    ----------
    geoms
        Array of shapely geometries (None and empty allowed; they match nothing).
    cell_deg
        Cell size [degrees]; default: the finest size that keeps the raster within
        :data:`RASTER_MAX_CELLS` cells over the layer's extent.
    """
    from affine import Affine
    from rasterio.enums import MergeAlg
    from rasterio.features import rasterize

    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rows = np.flatnonzero(present)
    if rows.size == 0:
        return LabelRaster(0.0, 0.0, 1.0, np.full((1, 1), _OUTSIDE, dtype=np.int32))
    g = geoms[rows]
    bounds = shapely.bounds(g)
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    if cell_deg is None:
        area = max((maxx - minx) * (maxy - miny), 0.0)
        cell_deg = max(float(np.sqrt(area / RASTER_MAX_CELLS)) * 1.05, RASTER_MIN_CELL_DEG)
    d = float(cell_deg)
    # one cell of margin on each side so that every polygon point has a cell
    x0 = np.floor(minx / d) * d - d
    y0 = np.floor(miny / d) * d - d
    x1 = np.ceil(maxx / d) * d + d
    y1 = np.ceil(maxy / d) * d + d
    w = int(round((x1 - x0) / d))
    h = int(round((y1 - y0) / d))
    transform = Affine(d, 0.0, x0, 0.0, -d, y1)
    # Polygon (3), MultiPolygon (6), GeometryCollection (7)
    polys = np.isin(shapely.get_type_id(g), (3, 6, 7))
    shapes = [(geom, int(r)) for geom, r in zip(g[polys], rows[polys], strict=True)]
    labels = np.full((h, w), _OUTSIDE, dtype=np.int32)
    count = np.zeros((h, w), dtype=np.uint8)
    if shapes:
        labels = rasterize(
            shapes, out_shape=(h, w), transform=transform, fill=_OUTSIDE, dtype="int32"
        )
        count = rasterize(
            ((geom, 1) for geom, _ in shapes),
            out_shape=(h, w),
            transform=transform,
            fill=0,
            dtype="uint8",
            merge_alg=MergeAlg.add,
        )
    # every boundary vertex, densified to at most half a cell apart, marks its cell
    xy = shapely.get_coordinates(shapely.segmentize(g, d / 2.0))
    mark = np.zeros((h, w), dtype=bool)
    if xy.size:
        col = np.clip(np.floor((xy[:, 0] - x0) / d).astype(np.intp), 0, w - 1)
        row = np.clip(np.floor((y1 - xy[:, 1]) / d).astype(np.intp), 0, h - 1)
        mark[row, col] = True
    mark = _dilate3(mark)
    mark |= count > 1  # overlapping polygons
    # invalid polygons: ring parity rules of GDAL and GEOS may differ; exact everywhere
    invalid = ~shapely.is_valid(g)
    for b in bounds[invalid]:
        c0 = max(int(np.floor((b[0] - x0) / d)) - 1, 0)
        c1 = min(int(np.floor((b[2] - x0) / d)) + 2, w)
        r0 = max(int(np.floor((y1 - b[3]) / d)) - 1, 0)
        r1 = min(int(np.floor((y1 - b[1]) / d)) + 2, h)
        mark[r0:r1, c0:c1] = True
    labels[mark] = _BOUNDARY
    if geoms.size < np.iinfo(np.int16).max:
        labels = labels.astype(np.int16)  # half the memory for layers under 32,767 polygons
    return LabelRaster(float(x0), float(y1), d, labels)


_CACHE_VERSION = b"siting-label-raster-v1"


def _cache_key(geoms: np.ndarray, cell_deg: float | None) -> str:
    """sha256 of the polygons' WKB (in row order), the cell size and the format version."""
    import hashlib

    h = hashlib.sha256(_CACHE_VERSION)
    h.update(repr(cell_deg).encode())
    present = ~shapely.is_missing(geoms)
    h.update(present.tobytes())
    for wkb in shapely.to_wkb(geoms[present]):
        h.update(wkb)
    return h.hexdigest()


def cached_label_raster(geoms: np.ndarray, cell_deg: float | None = None) -> LabelRaster:
    """:func:`build_label_raster`, kept on disk in the user cache between processes.

    The file is named by the sha256 of the polygons' WKB and the cell size, so a
    different or changed layer never reuses it. ``SITING_LABEL_CACHE=0`` disables the
    disk cache; an unreadable or unwritable cache only costs the rebuild.
    """
    import os

    if os.environ.get("SITING_LABEL_CACHE", "1") in ("0", "false", "no"):
        return build_label_raster(geoms, cell_deg)
    try:
        from siting.paths import user_cache_dir

        folder = user_cache_dir() / "label_index"
        path = folder / f"{_cache_key(geoms, cell_deg)}.npz"
    except Exception:  # noqa: BLE001 - no cache directory: build in memory
        return build_label_raster(geoms, cell_deg)
    if path.is_file():
        try:
            with np.load(path) as z:
                x0, y1, d = (float(v) for v in z["origin"])
                return LabelRaster(x0, y1, d, z["labels"])
        except Exception:  # noqa: BLE001 - corrupt file: rebuild and overwrite
            pass
    lr = build_label_raster(geoms, cell_deg)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.savez(f, origin=np.array([lr.x0, lr.y1, lr.cell_deg]), labels=lr.labels)
        os.replace(tmp, path)
    except OSError:
        pass
    return lr


#: Every :class:`PolygonIndex` alive (weakly held), for :func:`live_indexes`.
_LIVE: weakref.WeakSet = weakref.WeakSet()


def live_indexes() -> list:
    """The :class:`PolygonIndex` objects alive in this process (layers hold theirs in
    caches), in no particular order."""
    return list(_LIVE)


class PolygonIndex:
    """An index over a polygon layer, built once and reused.

    Parameters
    ----------
    geometries
        Polygons (shapely geometries in lon/lat degrees, EPSG:4326).
    raster
        ``True``: always use the rasterized label index; ``False``: always the
        STRtree; ``None`` (default): the label index once the index has matched
        :data:`RASTER_MIN_POINTS` points in total. Results are identical.
    cell_deg
        Label-raster cell size [degrees] (default: see :func:`build_label_raster`).
    """

    def __init__(
        self, geometries, *, raster: bool | None = None, cell_deg: float | None = None
    ) -> None:
        self.geoms = np.asarray(geometries, dtype=object)
        self.tree = STRtree(self.geoms)
        self.raster_mode = raster
        self.cell_deg = cell_deg
        self._raster: LabelRaster | None = None
        self._lock = threading.Lock()
        # invalid polygons are left unprepared (GEOS prepared predicates assume validity)
        present = ~shapely.is_missing(self.geoms)
        self._valid = np.flatnonzero(present & shapely.is_valid(self.geoms))
        self._prepared = False
        self._queried = 0
        _LIVE.add(self)

    @property
    def label_raster(self) -> LabelRaster:
        """The rasterized label index (built on first use, thread-safe; kept on disk
        by :func:`cached_label_raster`)."""
        if self._raster is None:
            with self._lock:
                if self._raster is None:
                    self._raster = cached_label_raster(self.geoms, self.cell_deg)
        return self._raster

    def _query_intersects(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (input row, polygon row) whose geometries intersect.

        Same pairs as ``STRtree.query(geoms, predicate="intersects")``, but the
        predicate is evaluated with the *polygons* prepared (GEOS prepared geometry,
        an indexed point-in-area / segment-intersection test) instead of the small
        input geometries, which is about 10 times faster on detailed polygons.
        """
        q_in, q_tree = self.tree.query(geoms)
        if q_in.size:
            if not self._prepared:
                shapely.prepare(self.geoms[self._valid])
                self._prepared = True
            hit = shapely.intersects(self.geoms[q_tree], geoms[q_in])
            q_in, q_tree = q_in[hit], q_tree[hit]
        return q_in, q_tree

    def _tree_index(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Exact STRtree match: lowest intersecting polygon row, -1 for none."""
        out = np.full(lon.size, -1, dtype=np.int64)
        if lon.size == 0:
            return out
        pts = shapely.points(lon, lat)
        q_in, q_tree = self._query_intersects(pts)
        # several polygons (shared border): keep the lowest polygon row, deterministic
        order = np.lexsort((q_tree, q_in))
        q_in, q_tree = q_in[order], q_tree[order]
        first = np.ones(q_in.size, dtype=bool)
        first[1:] = q_in[1:] != q_in[:-1]
        out[q_in[first]] = q_tree[first]
        return out

    def point_index(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Row of the polygon each (finite) point intersects, -1 where none.

        Parameters
        ----------
        lon, lat
            Finite coordinates [degrees].
        """
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        use_raster = self.raster_mode
        self._queried += lon.size
        if use_raster is None:
            use_raster = self._raster is not None or self._queried >= RASTER_MIN_POINTS
        if not use_raster:
            return self._tree_index(lon, lat)
        out = self.label_raster.lookup(lon, lat)
        fb = np.flatnonzero(out == _BOUNDARY)
        if fb.size:
            out[fb] = self._tree_index(lon[fb], lat[fb])
        return out

    def match(self, lon: np.ndarray, lat: np.ndarray, max_snap_km: float = 0.0) -> Match:
        """Match points to polygons, snapping misses within ``max_snap_km``.

        Parameters
        ----------
        lon, lat
            Coordinates [degrees]; non-finite ones match nothing.
        max_snap_km
            Largest geodesic distance [km] at which a point outside every polygon is
            snapped to the nearest one (0: no snapping).

        Returns
        -------
        Match
        """
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        n = lon.size
        idx = np.full(n, -1, dtype=np.int64)
        snapped = np.zeros(n, dtype=bool)
        dist = np.full(n, np.nan)
        ok = np.isfinite(lon) & np.isfinite(lat)
        okpos = np.flatnonzero(ok)
        if okpos.size:
            sub = self.point_index(lon[okpos], lat[okpos])
            idx[okpos] = sub
            dist[okpos[sub >= 0]] = 0.0
        if max_snap_km > 0:
            miss = np.flatnonzero(ok & (idx < 0))
            if miss.size:
                self._snap(lon, lat, miss, max_snap_km, idx, snapped, dist)
        return Match(idx, snapped, dist)

    def _snap(self, lon, lat, miss, max_km, idx, snapped, dist) -> None:
        # search box in degrees, widened by 1/cos(lat) for longitude (conservative)
        coslat = np.maximum(np.cos(np.radians(np.abs(lat[miss]))), 0.05)
        radius_deg = max_km / _KM_PER_DEG / coslat
        if self._raster is not None or miss.size >= SNAP_RASTER_MIN_POINTS:
            # drop points with no polygon cell anywhere near their search box (exact:
            # the STRtree query below would find nothing for them)
            near = self.label_raster.any_polygon_in_box(lon[miss], lat[miss], radius_deg)
            miss, radius_deg = miss[near], radius_deg[near]
            if miss.size == 0:
                return
        pts = shapely.points(lon[miss], lat[miss])
        boxes = shapely.buffer(pts, radius_deg, quad_segs=2)
        q_in, q_tree = self._query_intersects(boxes)
        if q_in.size == 0:
            return
        line = shapely.shortest_line(pts[q_in], self.geoms[q_tree])
        coords = shapely.get_coordinates(line).reshape(-1, 2, 2)
        _, _, d_m = _GEOD.inv(coords[:, 0, 0], coords[:, 0, 1], coords[:, 1, 0], coords[:, 1, 1])
        d_km = np.asarray(d_m) / 1000.0
        order = np.lexsort((q_tree, d_km, q_in))
        q_in, q_tree, d_km = q_in[order], q_tree[order], d_km[order]
        first = np.ones(q_in.size, dtype=bool)
        first[1:] = q_in[1:] != q_in[:-1]
        q_in, q_tree, d_km = q_in[first], q_tree[first], d_km[first]
        keep = d_km <= max_km
        target = miss[q_in[keep]]
        idx[target] = q_tree[keep]
        snapped[target] = True
        dist[target] = d_km[keep]
