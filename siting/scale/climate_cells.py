"""Climate once per climate cell: the climate family evaluated at the centres of a
regular grid (default the ERA5 0.25-degree grid) and gathered to the sites of each cell,
with a per-process cache carrying computed cells across chunks."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


class _ClimateCache:
    """Climate columns per climate cell, computed once per process (thread-safe)."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []
        self.keys = np.zeros(0, dtype=np.int64)
        self.table: pd.DataFrame | None = None
        self.lock = threading.Lock()

    def get(self, keys: np.ndarray) -> tuple[np.ndarray, pd.DataFrame | None]:
        """Positions of ``keys`` in the table (-1 missing) and the table."""
        with self.lock:
            known, table = self.keys, self.table
        if table is None:
            return np.full(keys.size, -1, dtype=np.int64), None
        pos = pd.Index(known).get_indexer(keys)
        return pos.astype(np.int64), table

    def add(self, keys: np.ndarray, frame: pd.DataFrame) -> None:
        with self.lock:
            known = np.isin(keys, self.keys)
            if known.all():
                return
            frame = frame.loc[~known]
            self.keys = np.concatenate([self.keys, keys[~known]])
            self.frames.append(frame.reset_index(drop=True))
            self.table = pd.concat(self.frames, ignore_index=True)
            self.frames = [self.table]


_CACHES: dict[tuple, _ClimateCache] = {}


_CACHES_LOCK = threading.Lock()


def _cache_for(key: tuple) -> _ClimateCache:
    with _CACHES_LOCK:
        if key not in _CACHES:
            _CACHES[key] = _ClimateCache()
        return _CACHES[key]


def clear_climate_cache() -> None:
    """Forget the climate computed per cell in this process (e.g. after data changed)."""
    with _CACHES_LOCK:
        _CACHES.clear()


def climate_cell_keys(lat: np.ndarray, lon: np.ndarray, cell_deg: float) -> np.ndarray:
    """Integer key of the climate cell nearest to each point.

    Cell centres lie at multiples of ``cell_deg`` (the ERA5 grid for 0.25); the key is
    ``row * ncol + col`` with ``row = round((90 - lat) / cell_deg)`` and ``col =
    round((lon + 180) / cell_deg) mod ncol``.
    """
    ncol = int(round(360.0 / cell_deg))
    row = np.rint((90.0 - np.asarray(lat, dtype=float)) / cell_deg).astype(np.int64)
    col = np.rint((np.asarray(lon, dtype=float) + 180.0) / cell_deg).astype(np.int64) % ncol
    return row * ncol + col


def distinct_cells(lat, lon, cell_deg: float | None) -> np.ndarray:
    """Sorted distinct climate-cell keys of the points (empty when ``cell_deg`` is None:
    climate per site)."""
    if cell_deg is None:
        return np.zeros(0, dtype=np.int64)
    keys = climate_cell_keys(
        np.asarray(lat, dtype=float), np.asarray(lon, dtype=float), float(cell_deg)
    )
    return np.unique(keys)


def _cell_centres(keys: np.ndarray, cell_deg: float) -> tuple[np.ndarray, np.ndarray]:
    ncol = int(round(360.0 / cell_deg))
    row, col = np.divmod(keys, ncol)
    lat = 90.0 - row * cell_deg
    lon = col * cell_deg - 180.0
    return lat, lon


def _climate_complete(frame: pd.DataFrame) -> np.ndarray:
    cols = [c for c in frame.columns if c.startswith(("dry_bulb_c_m", "wet_bulb_c_m"))]
    if not cols:
        return np.zeros(len(frame), dtype=bool)
    return np.isfinite(frame[cols].to_numpy(dtype=float, na_value=np.nan)).all(axis=1)


def _cache_of(cell_deg: float, data_dir, join_options: Mapping[str, Any]) -> _ClimateCache:
    from siting.paths import data_dirs

    where = tuple(str(d) for d in data_dirs(data_dir))  # explicit, env, cache, embedded
    return _cache_for((where, float(cell_deg), repr(sorted(join_options.items()))))


def _climate_join(
    points: gpd.GeoDataFrame, data_dir, catalog, join_options: Mapping[str, Any]
) -> gpd.GeoDataFrame:
    """The climate family alone joined at each point's own location (no cells)."""
    from siting.join import join_layers

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return join_layers(
            points,
            data_dir=data_dir,
            families=("climate",),
            catalog=catalog,
            climate_cell_deg=None,
            **dict(join_options),
        )


def climate_frame(
    keys: np.ndarray, *, cell_deg: float, data_dir, catalog, join_options: Mapping[str, Any]
) -> pd.DataFrame:
    """The climate columns at the centres of the cells ``keys`` (one row per key, in
    order; one join of the climate family, each centre's values its own)."""

    clat, clon = _cell_centres(keys, cell_deg)
    centres = gpd.GeoDataFrame(
        {"site_id": keys.astype(str), "lat": clat, "lon": clon},
        geometry=shapely.points(clon, clat),
        crs="EPSG:4326",
    )
    cj = _climate_join(centres, data_dir, catalog, join_options)
    cols = [c for c in cj.columns if c not in centres.columns]
    return pd.DataFrame(cj[cols])


def missing_cells(keys: np.ndarray, *, cell_deg: float, data_dir, join_options) -> np.ndarray:
    """The distinct cells of ``keys`` whose climate this process has not cached."""
    pos, _ = _cache_of(cell_deg, data_dir, join_options).get(keys)
    return np.unique(keys[pos < 0])


def fill_climate_cells(
    keys: np.ndarray,
    *,
    cell_deg: float,
    data_dir,
    catalog,
    join_options: Mapping[str, Any],
) -> _ClimateCache:
    """The climate of the cells ``keys`` (:func:`climate_cell_keys`) not yet cached in
    this process computed (:func:`climate_frame`) and cached; returns the cache."""
    cache = _cache_of(cell_deg, data_dir, join_options)
    need = missing_cells(keys, cell_deg=cell_deg, data_dir=data_dir, join_options=join_options)
    if need.size:
        frame = climate_frame(
            need, cell_deg=cell_deg, data_dir=data_dir, catalog=catalog, join_options=join_options
        )
        cache.add(need, frame)
    return cache


def add_climate_cells(
    keys: np.ndarray, frame: pd.DataFrame, *, cell_deg: float, data_dir, join_options
) -> None:
    """Cache ``frame`` (:func:`climate_frame` of ``keys``, computed elsewhere)."""
    _cache_of(cell_deg, data_dir, join_options).add(np.asarray(keys), frame)


def _join_climate_by_cell(
    joined: gpd.GeoDataFrame,
    *,
    cell_deg: float,
    data_dir,
    catalog,
    join_options: Mapping[str, Any],
) -> pd.DataFrame:
    """Climate columns for ``joined`` computed at climate-cell centres (see module doc)."""

    lat = joined["lat"].to_numpy(float)
    lon = joined["lon"].to_numpy(float)
    keys = climate_cell_keys(lat, lon, cell_deg)
    cache = fill_climate_cells(
        keys, cell_deg=cell_deg, data_dir=data_dir, catalog=catalog, join_options=join_options
    )
    pos, table = cache.get(keys)
    # cells without a complete climate at their centre (e.g. centre at sea): per site
    bad = ~_climate_complete(table)[pos]
    source = table.assign(climate_at="cell_centre")
    if bad.any():
        sub = joined.loc[bad, ["site_id", "lat", "lon", joined.geometry.name]]
        sub = gpd.GeoDataFrame(sub, geometry=joined.geometry.name, crs=joined.crs)
        sj = _climate_join(sub, data_dir, catalog, join_options)
        # the per-site rows appended to the cell rows, then one gather per column
        # (a column the per-site join lacks keeps the cell's value)
        site_rows = source.iloc[pos[bad]].reset_index(drop=True)
        for c in site_rows.columns:
            if c in sj.columns:
                v = sj[c].reset_index(drop=True)
                site_rows[c] = v if v.dtype == site_rows[c].dtype else v.astype(site_rows[c].dtype)
        site_rows["climate_at"] = "site"
        pos = pos.copy()
        pos[bad] = len(source) + np.arange(int(bad.sum()))
        source = pd.concat([source, site_rows], ignore_index=True)
    clim = source.iloc[pos].reset_index(drop=True)
    clim.index = joined.index
    return clim
