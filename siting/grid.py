"""Candidate grids: every cell of a country, state, bounding box or polygon as a site.

Two kinds of grid:

* ``kind="h3"``: the cells of Uber's H3 hierarchical hexagonal grid at ``resolution``
  (0-15; e.g. 6 ~ 36 km^2, 7 ~ 5.2 km^2 on average, ``h3.average_hexagon_area``). A cell
  belongs to the region when its centre does (H3's own ``polygon_to_cells`` centroid
  containment). ``site_id`` is the H3 index string (e.g. ``'8744caa61ffffff'``), the
  same for the same cell in every run and every region.
* ``kind="regular"``: square cells of ``spacing_km`` x ``spacing_km`` on a Lambert
  azimuthal equal-area projection (``+proj=laea``, WGS84) centred on the region's
  centroid (rounded to 0.01 degree). Equal-area means every cell stands for the same
  ground area, ``spacing_km**2`` km^2; distances and shapes are exact at the centre and
  distorted away from it (about 1 % at 1,000 km, 4 % at 2,000 km from the centre), which
  is why the grid is centred on each region. Web Mercator, whose cell areas grow as
  ``1/cos(lat)**2``, is never used. ``site_id`` is ``r<row>c<col>``, the row counted
  southward and the column eastward from the north-west corner of the region's
  bounding box on that projection (the first cell's corner is that corner): stable for
  the same region and spacing.

Site points are the cell centres (``lat``, ``lon``, EPSG:4326), so the output feeds
:func:`siting.join.join_layers` and the decide exclusions directly. With
``land_only=True`` a cell is kept when its centre lies inside the region polygon (a
country or state polygon is land already); for a bounding box or a user polygon the
centre must also lie on land (inside a Natural Earth admin-0 polygon). Points on a
polygon's boundary count as inside.

References
----------
.. [1] Snyder, J. P. (1987). Map Projections: A Working Manual. USGS Professional Paper
   1395, pp. 182-190 (Lambert azimuthal equal-area).
.. [2] Uber Technologies (2018-2024). H3: a hexagonal hierarchical geospatial indexing
   system, https://h3geo.org (cell areas: ``h3.average_hexagon_area``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Transformer

from siting.errors import SitingError

__all__ = ["DEFAULT_MAX_CELLS", "estimate_cells", "generate_grid", "region_geometry"]

#: Largest estimated number of cells generated without an explicit ``max_cells`` (a
#: safety bound, not a physical constant: ~5 million sites take a few minutes to screen
#: and ~2 GB of memory).
DEFAULT_MAX_CELLS = 5_000_000
#: Default H3 resolution (average cell 36.13 km^2, ``h3.average_hexagon_area(6)``).
DEFAULT_H3_RESOLUTION = 6
#: Default regular-grid spacing [km].
DEFAULT_SPACING_KM = 10.0
#: Rows of a regular grid generated at once (bounds memory for large regions).
_BAND_CELLS = 2_000_000
_GEOD = Geod(ellps="WGS84")
_ISO3 = re.compile(r"^[A-Za-z]{3}$")
_ISO2_SUB = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")


# ----------------------------------------------------------------------------- regions
@lru_cache(maxsize=4)
def _admin(layer: str, data_dir: str | None) -> gpd.GeoDataFrame:
    from siting.layers.catalog import load_catalog

    files = load_catalog().locate(layer, data_dir)
    if not files:
        raise SitingError(
            f"boundary layer '{layer}' is not available; it ships with the package "
            "(data/starter/boundaries): reinstall siting or pass data_dir"
        )
    return gpd.read_parquet(next(iter(files.values())))


@lru_cache(maxsize=2)
def _land_index(data_dir: str | None):
    from siting.layers._spatial import PolygonIndex

    return PolygonIndex(_admin("ne_admin0_50m", data_dir).geometry.values)


def region_geometry(region: Any, data_dir: str | None = None) -> tuple[Any, str, bool]:
    """Resolve a region to a (Multi)Polygon in EPSG:4326.

    Parameters
    ----------
    region
        ISO 3166-1 alpha-3 country code (``"FRA"``), ISO 3166-2 code of a U.S. state or
        Canadian province (``"US-VA"``, ``"CA-QC"``), a bounding box
        ``(minlon, minlat, maxlon, maxlat)`` in degrees, a shapely (Multi)Polygon in
        EPSG:4326, or a GeoDataFrame/GeoSeries (any CRS; its union is used).
    data_dir
        Extra data directory searched for the boundary layers.

    Returns
    -------
    geometry, label, is_land
        The region polygon, a label for messages, and whether the polygon is land by
        construction (country and state polygons) rather than an arbitrary area.
    """
    if isinstance(region, str):
        code = region.strip().upper()
        if _ISO3.match(code):
            a0 = _admin("ne_admin0_50m", data_dir)
            sel = a0[a0["country_iso3"] == code]
            if sel.empty:
                raise SitingError(
                    f"unknown country code '{region}'; expected an ISO 3166-1 alpha-3 code "
                    f"of the Natural Earth admin-0 layer, e.g. FRA, USA, IND",
                    field="region",
                )
            return shapely.union_all(sel.geometry.values), code, True
        if _ISO2_SUB.match(code):
            a1 = _admin("us_ca_admin1", data_dir)
            sel = a1[a1["region_code"] == code]
            if sel.empty:
                known = ", ".join(sorted(a1["region_code"].astype(str))[:8])
                raise SitingError(
                    f"unknown region code '{region}'; the embedded first-level regions are "
                    f"U.S. states and Canadian provinces ({known}, ...)",
                    field="region",
                )
            return shapely.union_all(sel.geometry.values), code, True
        raise SitingError(
            f"region '{region}' is not an ISO3 country code (FRA), an ISO 3166-2 region "
            "code (US-VA), a bounding box or a polygon",
            field="region",
        )
    if isinstance(region, gpd.GeoDataFrame | gpd.GeoSeries):
        gs = region.geometry if isinstance(region, gpd.GeoDataFrame) else region
        if gs.crs is not None and not CRS.from_user_input(gs.crs).equals(CRS.from_epsg(4326)):
            gs = gs.to_crs(4326)
        region = shapely.union_all(gs.values)
    if isinstance(region, shapely.Geometry):
        if shapely.get_type_id(region) not in (3, 6) or region.is_empty:
            raise SitingError(
                f"region polygon must be a non-empty Polygon or MultiPolygon, got "
                f"{region.geom_type}",
                field="region",
            )
        minx, miny, maxx, maxy = region.bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            raise SitingError(
                "region polygon is outside lon -180..180 / lat -90..90; give it in "
                "EPSG:4326 degrees (or as a GeoDataFrame with its CRS)",
                field="region",
            )
        return shapely.make_valid(region), "polygon", False
    if isinstance(region, Sequence | np.ndarray) and len(region) == 4:
        try:
            minlon, minlat, maxlon, maxlat = (float(v) for v in region)
        except (TypeError, ValueError):
            raise SitingError(
                f"bounding box must be 4 numbers (minlon, minlat, maxlon, maxlat), got {region}",
                field="region",
            ) from None
        if not all(np.isfinite([minlon, minlat, maxlon, maxlat])):
            raise SitingError("bounding box values must be finite", field="region")
        if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
            raise SitingError(
                f"bounding box {tuple(region)} must satisfy -180 <= minlon < maxlon <= 180 and "
                "-90 <= minlat < maxlat <= 90 (split a box that crosses the antimeridian "
                "in two)",
                field="region",
            )
        return shapely.box(minlon, minlat, maxlon, maxlat), "bbox", False
    raise SitingError(
        f"unsupported region {region!r}: give an ISO3 code, an ISO 3166-2 code, a "
        "(minlon, minlat, maxlon, maxlat) box or a polygon",
        field="region",
    )


def _geodesic_area_km2(geom) -> float:
    area, _ = _GEOD.geometry_area_perimeter(shapely.segmentize(geom, 0.5))
    return abs(area) / 1e6


# ----------------------------------------------------------------------------- helpers
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def h3_int_to_str(cells: np.ndarray) -> np.ndarray:
    """H3 indexes (uint64) to their 15-digit lowercase hex strings, vectorized.

    Equivalent to ``h3.int_to_str`` for valid cell indexes (mode 1 cells always have
    15 significant hex digits: the top 4 bits are 0 and the mode bits are 0001).
    """
    c = np.asarray(cells, dtype=np.uint64)
    shifts = np.arange(14, -1, -1, dtype=np.uint64) * np.uint64(4)
    digits = ((c[:, None] >> shifts[None, :]) & np.uint64(0xF)).astype(np.uint8)
    return _HEX[digits].view("S15").ravel().astype(str)


def estimate_cells(
    region: Any,
    *,
    kind: str = "h3",
    resolution: int | None = None,
    spacing_km: float | None = None,
    land_only: bool = True,
    data_dir: str | None = None,
) -> int:
    """Estimated number of cells of :func:`generate_grid` (geodesic area / cell area).

    Land-only grids over a bounding box or user polygon are estimated over the whole
    area (an upper bound: the sea is not subtracted).
    """
    resolution, spacing_km = _check_kind(kind, resolution, spacing_km)
    geom, _, _ = region_geometry(region, data_dir)
    if not land_only:
        geom = shapely.box(*geom.bounds)
    area = _geodesic_area_km2(geom)
    return int(np.ceil(area / _cell_area_km2(kind, resolution, spacing_km)))


def _cell_area_km2(kind: str, resolution: int | None, spacing_km: float | None) -> float:
    if kind == "h3":
        import h3

        return float(h3.average_hexagon_area(int(resolution), unit="km^2"))
    return float(spacing_km) ** 2


def _check_kind(kind, resolution, spacing_km) -> tuple[int | None, float | None]:
    if kind == "h3":
        if spacing_km is not None:
            raise SitingError("spacing_km applies to kind='regular'; H3 grids take resolution")
        res = DEFAULT_H3_RESOLUTION if resolution is None else resolution
        if isinstance(res, bool) or not isinstance(res, int | np.integer) or not 0 <= res <= 15:
            raise SitingError(f"H3 resolution must be an integer 0-15, got {res!r}", field="res")
        return int(res), None
    if kind == "regular":
        if resolution is not None:
            raise SitingError("resolution applies to kind='h3'; regular grids take spacing_km")
        s = DEFAULT_SPACING_KM if spacing_km is None else spacing_km
        try:
            s = float(s)
        except (TypeError, ValueError):
            raise SitingError(f"spacing_km must be a number, got {s!r}") from None
        if not np.isfinite(s) or s <= 0:
            raise SitingError(f"spacing_km must be > 0 km, got {s}", field="spacing_km")
        return None, s
    raise SitingError(f"kind must be 'h3' or 'regular', got {kind!r}", field="kind")


# ----------------------------------------------------------------------------- grids
def _h3_cells(geom, res: int) -> np.ndarray:
    """Cells whose centres lie in the tiles that touch the region (a superset).

    H3's own polygon fill is slow on detailed outlines (it tests every candidate cell
    against every edge). Here each part of the region is covered by 1-degree tiles
    (8 degrees below resolution 5); runs of consecutive tiles that intersect the part
    are filled as boxes (4 vertices, ``h3shape_to_cells_experimental``, centre
    containment, boxes widened by 1e-9 degree so no centre falls between two); the
    caller then tests the centres against the prepared region polygon.
    """
    import h3
    import h3.api.numpy_int as h3n

    tile = 1.0 if res >= 5 else 8.0
    eps = 1e-9
    found = [np.zeros(0, dtype=np.uint64)]
    for part in shapely.get_parts(geom):
        minx, miny, maxx, maxy = part.bounds
        xs = np.arange(np.floor(minx / tile) * tile, maxx + tile, tile)
        ys = np.arange(np.floor(miny / tile) * tile, maxy + tile, tile)
        xs, ys = xs[xs < maxx + eps], ys[ys < maxy + eps]
        gx, gy = np.meshgrid(xs, ys)
        tiles = shapely.box(gx, gy, gx + tile, gy + tile)
        shapely.prepare(part)
        hit = shapely.intersects(part, tiles)
        for r in range(hit.shape[0]):
            row = np.r_[False, hit[r], False].astype(np.int8)
            starts = np.flatnonzero(np.diff(row) == 1)
            ends = np.flatnonzero(np.diff(row) == -1)
            for c0, c1 in zip(starts, ends, strict=True):
                x0, x1 = max(xs[c0] - eps, -180.0), min(xs[c1 - 1] + tile + eps, 180.0)
                y0, y1 = max(ys[r] - eps, -90.0), min(ys[r] + tile + eps, 90.0)
                ring = [(y0, x0), (y0, x1), (y1, x1), (y1, x0)]
                poly = h3.LatLngPoly(ring)
                cells = h3n.h3shape_to_cells_experimental(poly, res, contain="center")
                found.append(np.asarray(cells, dtype=np.uint64))
    c = np.sort(np.concatenate(found))
    return c[np.r_[True, c[1:] != c[:-1]]] if c.size else c


def _h3_grid(geom, res: int) -> pd.DataFrame:
    import h3.api.numpy_int as h3n

    cells = _h3_cells(geom, res)
    # one C call per cell (h3 has no array API); ~1 microsecond each
    ll = np.array([h3n.cell_to_latlng(c) for c in cells.tolist()], dtype=float).reshape(-1, 2)
    shapely.prepare(geom)
    keep = shapely.intersects_xy(geom, ll[:, 1], ll[:, 0])
    return pd.DataFrame(
        {"site_id": h3_int_to_str(cells[keep]), "lat": ll[keep, 0], "lon": ll[keep, 1]},
    )


def _laea(geom) -> str:
    c = shapely.centroid(geom)
    lon0, lat0 = round(float(c.x), 2), round(float(c.y), 2)
    return f"+proj=laea +lat_0={lat0:g} +lon_0={lon0:g} +datum=WGS84 +units=m +no_defs"


def _regular_grid(geom, spacing_km: float) -> tuple[pd.DataFrame, str]:
    proj = _laea(geom)
    crs = CRS.from_proj4(proj)
    fwd = Transformer.from_crs(4326, crs, always_xy=True)
    inv = Transformer.from_crs(crs, 4326, always_xy=True)
    # projected bounds of the densified outline (edges curve in the projection)
    xy = shapely.get_coordinates(shapely.segmentize(geom, 0.05))
    px, py = fwd.transform(xy[:, 0], xy[:, 1])
    s = spacing_km * 1000.0
    # cells start at the north-west corner of the region's projected bounding box
    x0, y1 = float(np.min(px)), float(np.max(py))
    ncol = max(int(np.ceil((float(np.max(px)) - x0) / s)), 1)
    nrow = max(int(np.ceil((y1 - float(np.min(py))) / s)), 1)
    xs = x0 + (np.arange(ncol) + 0.5) * s
    band = max(1, _BAND_CELLS // max(ncol, 1))
    out = []
    shapely.prepare(geom)
    for r0 in range(0, nrow, band):
        rows = np.arange(r0, min(r0 + band, nrow))
        yy = np.repeat(y1 - (rows + 0.5) * s, ncol)
        xx = np.tile(xs, rows.size)
        lon, lat = inv.transform(xx, yy)
        lon, lat = np.asarray(lon), np.asarray(lat)
        keep = np.isfinite(lon) & np.isfinite(lat)
        keep[keep] = shapely.intersects_xy(geom, lon[keep], lat[keep])
        rr = np.repeat(rows, ncol)[keep]
        cc = np.tile(np.arange(ncol), rows.size)[keep]
        ids = np.char.add(np.char.add("r", rr.astype(str)), np.char.add("c", cc.astype(str)))
        out.append(
            pd.DataFrame({"site_id": ids.astype(object), "lat": lat[keep], "lon": lon[keep]})
        )
    df = (
        pd.concat(out, ignore_index=True)
        if out
        else pd.DataFrame(columns=["site_id", "lat", "lon"])
    )
    return df, proj


def generate_grid(
    region: Any,
    *,
    kind: str = "h3",
    resolution: int | None = None,
    spacing_km: float | None = None,
    land_only: bool = True,
    max_cells: int = DEFAULT_MAX_CELLS,
    data_dir: str | None = None,
) -> gpd.GeoDataFrame:
    """Candidate sites at the centres of the cells of a grid over a region.

    Parameters
    ----------
    region
        ISO3 country code (``"FRA"``), ISO 3166-2 state/province code (``"US-VA"``,
        ``"CA-QC"``), bounding box ``(minlon, minlat, maxlon, maxlat)`` [degrees], a
        shapely (Multi)Polygon in EPSG:4326 or a GeoDataFrame/GeoSeries.
    kind
        ``"h3"`` (hexagons, ``resolution``) or ``"regular"`` (squares, ``spacing_km``).
    resolution
        H3 resolution 0-15 (default 6, ~36 km^2 cells).
    spacing_km
        Regular-grid cell side [km] on the region's equal-area projection (default 10).
    land_only
        Keep cells whose centre is inside the region polygon (and, for a box or a user
        polygon, on land). ``False``: every cell of the region's bounding box.
    max_cells
        Refuse grids whose estimated cell count exceeds this (raise it deliberately).
    data_dir
        Extra data directory searched for the boundary layers.

    Returns
    -------
    GeoDataFrame
        ``site_id`` (H3 index or ``r<row>c<col>``), ``lat``, ``lon`` [degrees, cell
        centre], ``cell_area_km2`` (regular grids: ``spacing_km**2``; H3: the resolution's
        average, ``h3.average_hexagon_area``) and Point ``geometry`` in EPSG:4326. Sorted
        by ``site_id`` for H3 and by row then column for regular grids. ``attrs["grid"]``
        records kind, resolution or spacing, projection, region and land_only.

    Raises
    ------
    SitingError
        Unknown region code, bad box or polygon, bad kind/resolution/spacing, or an
        estimated cell count above ``max_cells`` (coarsen the grid or raise the limit).

    Examples
    --------
    >>> g = generate_grid((0.0, 0.0, 1.0, 1.0), kind="regular", spacing_km=10, land_only=False)
    >>> 100 < len(g) < 150
    True
    """
    res, spacing = _check_kind(kind, resolution, spacing_km)
    data_dir = None if data_dir is None else str(data_dir)
    geom, label, is_land = region_geometry(region, data_dir)
    area_geom = geom if land_only else shapely.box(*geom.bounds)
    cell_km2 = _cell_area_km2(kind, res, spacing)
    est = int(np.ceil(_geodesic_area_km2(area_geom) / cell_km2))
    if est > max_cells:
        what = f"resolution {res}" if kind == "h3" else f"spacing {spacing:g} km"
        hint = "a lower H3 resolution" if kind == "h3" else "a larger spacing_km"
        raise SitingError(
            f"a {kind} grid over {label} at {what} would have about {est:,} cells, above "
            f"max_cells={max_cells:,}; coarsen the grid ({hint}), use a smaller region, or "
            "raise max_cells",
            field="max_cells",
        )
    if kind == "h3":
        df = _h3_grid(area_geom, res)
        projection = "h3"
    else:
        df, projection = _regular_grid(area_geom, spacing)
    if land_only and not is_land and len(df):
        land = _land_index(data_dir).point_index(df["lon"].to_numpy(), df["lat"].to_numpy())
        df = df.loc[land >= 0].reset_index(drop=True)
    df["cell_area_km2"] = cell_km2
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    gdf.attrs["grid"] = {
        "kind": kind,
        "resolution": res,
        "spacing_km": spacing,
        "projection": projection,
        "region": label,
        "land_only": bool(land_only),
        "estimated_cells": est,
    }
    return gdf
