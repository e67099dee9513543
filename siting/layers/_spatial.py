"""Vectorized point-in-polygon with snapping, shared by every polygon layer.

Points are matched to polygons with a shapely STRtree (one bulk query, no
per-site loop). Points that fall in no polygon (a site in the sea or just off a
coast, or outside a layer's coverage) may be snapped to the nearest polygon
within ``max_snap_km``. Distances are geodesic on the WGS84 ellipsoid
(``pyproj.Geod``) between the site and the nearest polygon point; they are never
measured in degrees or on Web Mercator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod
from shapely import STRtree

_GEOD = Geod(ellps="WGS84")
#: Length of one degree of latitude [km] (WGS84 mean, ~111.32 km; used only to size a
#: search box, never for a reported distance). Ref: NIMA TR8350.2 (WGS84), 3rd ed.
_KM_PER_DEG = 111.32


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


class PolygonIndex:
    """An STRtree over a polygon layer, built once and reused."""

    def __init__(self, geometries) -> None:
        self.geoms = np.asarray(geometries, dtype=object)
        self.tree = STRtree(self.geoms)

    def match(self, lon: np.ndarray, lat: np.ndarray, max_snap_km: float = 0.0) -> Match:
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        n = lon.size
        idx = np.full(n, -1, dtype=np.int64)
        snapped = np.zeros(n, dtype=bool)
        dist = np.full(n, np.nan)
        ok = np.isfinite(lon) & np.isfinite(lat)
        pts = shapely.points(lon[ok], lat[ok])
        if pts.size:
            q_in, q_tree = self.tree.query(pts, predicate="intersects")
            # several polygons (shared border): keep the lowest polygon row, deterministic
            order = np.lexsort((q_tree, q_in))
            q_in, q_tree = q_in[order], q_tree[order]
            first = np.ones(q_in.size, dtype=bool)
            first[1:] = q_in[1:] != q_in[:-1]
            sub = np.full(pts.size, -1, dtype=np.int64)
            sub[q_in[first]] = q_tree[first]
            okpos = np.flatnonzero(ok)
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
        pts = shapely.points(lon[miss], lat[miss])
        boxes = shapely.buffer(pts, radius_deg, quad_segs=2)
        q_in, q_tree = self.tree.query(boxes, predicate="intersects")
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
