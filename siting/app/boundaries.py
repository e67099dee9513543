"""Boundary layers of the map: the base map of countries and states, and their shading.

:data:`DATA_LAYERS` names the data layers the map can show; :func:`boundary_values` reads
their values per country / state from the catalog, :func:`base_boundaries` builds the
simplified GeoJSON of the base map and :func:`shaded_boundaries` colours it by a layer.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.app.colours import ColourScale, colours_on
from siting.app.tables import format_value
from siting.errors import LayerError, SitingError

__all__ = [
    "BOUNDARY_SIMPLIFY_DEG",
    "DATA_LAYERS",
    "LAND_TONES",
    "BoundaryData",
    "DataLayer",
    "base_boundaries",
    "boundary_values",
    "cached_base_boundaries",
    "shaded_boundaries",
    "site_layer_values",
]

#: Boundary simplification tolerance for the base map [degrees]: a display choice that
#: keeps the 241 Natural Earth 1:50m countries under ~1 MB of GeoJSON.
BOUNDARY_SIMPLIFY_DEG = 0.05


@dataclass(frozen=True)
class DataLayer:
    """A data layer the map can show: its site column and where country values come from.

    ``family`` names the catalog family whose country / state tables shade the boundary
    polygons (None: the layer has no table per country, only the site values).
    """

    key: str
    label: str
    column: str
    unit: str
    family: str | None
    log: bool = False


def _criterion(key: str) -> tuple[str, str]:
    from siting.decide import CRITERIA

    c = CRITERIA[key]
    return c.label, c.unit


def _data_layers() -> dict[str, DataLayer]:
    water = _criterion("water_stress")
    grid = _criterion("grid_intensity")
    price = _criterion("electricity_price")
    return {
        # AWARE factors span 0.1-100 (ratio to the world average): a log scale
        "water": DataLayer("water", water[0], "aware_cf", water[1], "aware", log=True),
        "grid": DataLayer("grid", grid[0], "grid_co2_g_per_kwh", grid[1], "grid"),
        "price": DataLayer("price", price[0], "price_usd_per_mwh", price[1], "price"),
        "climate": DataLayer(
            "climate", "Wet-bulb temperature (warmest month)", "wet_bulb_c_max", "C", None
        ),
    }


#: Data layers of the map toggles, by key.
DATA_LAYERS: dict[str, DataLayer] = _data_layers()

_ISO3 = re.compile(r"^[A-Z]{3}$")
_SUB = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


def site_layer_values(ranked: pd.DataFrame, layer: DataLayer) -> np.ndarray:
    """The site values of a data layer (the warmest monthly mean wet-bulb for climate)."""
    if layer.column in ranked.columns:
        return pd.to_numeric(ranked[layer.column], errors="coerce").to_numpy(dtype=float)
    if layer.key == "climate":
        cols = [f"wet_bulb_c_m{m:02d}" for m in range(1, 13)]
        if set(cols) <= set(ranked.columns):
            block = ranked[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return np.nanmax(block, axis=1)
    return np.full(len(ranked), np.nan)


@dataclass
class BoundaryData:
    """Country and state/province values of a data layer, with their sources."""

    country: dict[str, float]
    region: dict[str, float]
    sources: list[str]
    notes: list[str]


def boundary_values(
    family: str | None, column: str, catalog: Any, data_dir: str | None = None
) -> BoundaryData:
    """Values per country (ISO3) and per state/province (ISO 3166-2) of a data layer.

    Read from the catalog layers of ``family`` whose reader returns a table keyed by a
    country or region code (e.g. OWID country mix, eGRID states, AWARE country factors,
    price tables). Layers that resolve finer units (basins, eGRID subregions, grids) are
    not drawn as boundaries. Finest-priority layers win for each code, as in the join.
    """
    out = BoundaryData({}, {}, [], [])
    if family is None:
        return out
    for lyr in catalog.family(family):
        try:
            files = catalog.locate(lyr, data_dir or None)
        except LayerError as e:
            out.notes.append(f"{lyr.name}: {e}")
            continue
        if not files:
            continue
        try:
            table = lyr.reader_func()(files)
        except SitingError as e:
            out.notes.append(f"{lyr.name}: {e}")
            continue
        if not isinstance(table, pd.DataFrame) or isinstance(table, gpd.GeoDataFrame):
            continue
        if column not in table.columns:
            continue
        key = next(
            (k for k in ("country_iso3", "region_code", "code", "region") if k in table.columns),
            None,
        )
        if key is None:
            continue
        codes = table[key].astype(str).str.strip().str.upper().to_numpy()
        vals = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        used = False
        for code, v in zip(codes, vals, strict=True):
            if not math.isfinite(v):
                continue
            if _ISO3.match(code):
                used |= code not in out.country
                out.country.setdefault(code, float(v))
            elif _SUB.match(code):
                used |= code not in out.region
                out.region.setdefault(code, float(v))
        if used:
            out.sources.append(f"{lyr.name} ({lyr.level}, {lyr.vintage})")
    return out


#: Land tones of the base map (RGB): neighbouring countries get different tones
#: (:func:`_map_colouring`), so borders show without drawing lines (line layers are the
#: slowest part of a frame in software WebGL: about 0.6 s for the world's borders).
LAND_TONES = (
    (232, 230, 218),
    (219, 227, 205),
    (238, 225, 205),
    (230, 218, 222),
    (224, 224, 224),
    (214, 224, 212),
)


def _map_colouring(gdf: gpd.GeoDataFrame, n_colours: int = len(LAND_TONES)) -> np.ndarray:
    """A colour index per row such that touching polygons differ (greedy, most neighbours
    first; wraps around only if a polygon has more than ``n_colours - 1`` coloured
    neighbours, which does not happen for the world's countries)."""
    geoms = gdf.geometry.to_numpy()
    ok = np.array([g is not None and not g.is_empty for g in geoms])
    left, right = gdf.sindex.query(geoms, predicate="intersects") if ok.any() else ([], [])
    neigh: list[set[int]] = [set() for _ in range(len(gdf))]
    for a, b in zip(np.asarray(left).tolist(), np.asarray(right).tolist(), strict=True):
        if a != b:
            neigh[a].add(b)
            neigh[b].add(a)
    colour = np.full(len(gdf), -1, dtype=np.int64)
    for i in sorted(range(len(gdf)), key=lambda k: (-len(neigh[k]), k)):
        used = {int(colour[j]) for j in neigh[i] if colour[j] >= 0}
        colour[i] = next((c for c in range(n_colours) if c not in used), i % n_colours)
    return colour


def _polygonal(geom: Any) -> Any:
    """The polygons of a geometry (rounding can collapse small islands into lines, which
    a GeoJsonLayer would draw as paths); None when there are none."""
    import shapely

    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [
        q
        for part in shapely.get_parts(geom)
        for q in shapely.get_parts(part)
        if q.geom_type == "Polygon" and not q.is_empty
    ]
    return shapely.MultiPolygon(polys) if polys else None


def base_boundaries(
    admin0: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame | None = None
) -> dict[str, dict]:
    """Simplified GeoJSON (dicts) of the country and state/province polygons.

    Geometry is simplified by :data:`BOUNDARY_SIMPLIFY_DEG` and rounded to 0.001 degree
    (a display choice: about 0.5 MB for the whole world instead of 5 MB). Countries get
    ``properties.fill``, one of :data:`LAND_TONES` with neighbours in different tones.
    """
    import json

    def gj(gdf: gpd.GeoDataFrame, code: str, name: str, fills: list | None = None) -> dict:
        geom = gdf.geometry.simplify(BOUNDARY_SIMPLIFY_DEG, preserve_topology=True)
        cols: dict[str, Any] = {
            "code": gdf[code].astype(str).to_numpy(),
            "name": gdf[name].astype(str).to_numpy(),
        }
        if fills is not None:
            cols["fill"] = fills
        geom = [_polygonal(x) for x in geom.set_precision(0.001).to_numpy()]
        g = gpd.GeoDataFrame(cols, geometry=geom, crs=gdf.crs)
        g = g[g.geometry.notna() & ~g.geometry.is_empty]
        return json.loads(g.to_json(drop_id=True))

    tones = [[*LAND_TONES[int(c)], 255] for c in _map_colouring(admin0.reset_index(drop=True))]
    out = {"admin0": gj(admin0, "country_iso3", "country_name", tones)}
    if admin1 is not None:
        out["admin1"] = gj(admin1, "region_code", "region_name")
    return out


def shaded_boundaries(
    geojson: dict, values: Mapping[str, float], scale: ColourScale, alpha: int = 150
) -> dict:
    """A copy of a boundary GeoJSON keeping the polygons that have a value, coloured.

    Each feature gets ``properties.fill`` ([r, g, b, alpha]) and ``properties.tip``.
    """
    feats = [f for f in geojson["features"] if f["properties"]["code"] in values]
    vals = np.array([values[f["properties"]["code"]] for f in feats], dtype=float)
    rgb = colours_on(vals, scale)
    out = []
    unit = f" {scale.unit}" if scale.unit and scale.unit != "-" else ""
    for f, c, v in zip(feats, rgb, vals, strict=True):
        p = f["properties"]
        tip = f"{p['name']} ({p['code']})\n{scale.label}: {format_value(v)}{unit}"
        out.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {**p, "fill": [int(c[0]), int(c[1]), int(c[2]), alpha], "tip": tip},
            }
        )
    return {"type": "FeatureCollection", "features": out}


def _base_key(files: Mapping[str, Mapping[str, Any] | None]) -> str:
    """A key naming the base map made from these boundary files by this code: the files'
    paths, sizes and modification times, the simplification and this module's source."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(repr(BOUNDARY_SIMPLIFY_DEG).encode())
    for name in sorted(files):
        h.update(name.encode())
        for key, path in sorted((files[name] or {}).items()):
            st = Path(path).stat()
            h.update(f"{key}|{Path(path).resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def cached_base_boundaries(
    admin0_files: Mapping[str, Any],
    admin1_files: Mapping[str, Any] | None = None,
    cache_dir: Any = None,
) -> dict[str, dict]:
    """:func:`base_boundaries` of the boundary files, kept as JSON on disk between runs.

    Simplifying the world's borders takes a few seconds at every start of the app; the
    result depends only on the files and this code, so it is written once under
    ``cache_dir`` (default: ``<siting user cache>/app``) as ``base-<key>.json``, where
    the key (:func:`_base_key`) changes when a file or this module changes. Holds no
    user data (public boundary polygons only). An unwritable cache is not an error.
    """
    import json
    import os
    import tempfile
    from pathlib import Path

    from siting.layers.boundaries import read_admin

    if cache_dir is None:
        from siting.paths import user_cache_dir

        cache_dir = user_cache_dir() / "app"
    key = _base_key({"admin0": admin0_files, "admin1": admin1_files})
    path = Path(cache_dir) / f"base-{key}.json"
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        pass
    base = base_boundaries(
        read_admin(admin0_files), read_admin(admin1_files) if admin1_files else None
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".base-", suffix=".part")
        with os.fdopen(fd, "w") as f:
            json.dump(base, f, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        pass
    return base
