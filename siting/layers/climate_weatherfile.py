"""Climate from hourly weather files: EPW/TMY3/TMY2/TMYx reading, wet-bulb, TMYx stations.

The weather-file path of the climate family (:mod:`siting.layers.climate`):

* **Hourly typical-year files** (EPW, TMY3, TMY2, or a TMYx zip holding an EPW) read
  with pvlib's readers; missing-data codes become NaN; wet-bulb is computed
  psychrometrically each hour (ASHRAE 2017 ch. 1) and averaged per month, or kept
  hourly for the footprint model (:func:`weather_periods`).
* **TMYx station index** of the pip package ``idfkit`` 1.1.1 (MIT; climate.onebuilding.org
  TMYx files): nearest station, its distance, ASHRAE climate zone and download URL;
  :func:`fetch_tmyx` downloads one station's file.

References
----------
.. [3] Wilcox, S., Marion, W. (2008). Users Manual for TMY3 Data Sets. NREL/TP-581-43156.
.. [4] U.S. DOE (2023). EnergyPlus Auxiliary Programs, ch. 2 "Weather Converter
   Program" (EPW format).
.. [5] ASHRAE (2017). Handbook -- Fundamentals, ch. 1 (psychrometrics) and ch. 14.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from siting.physics.psychrometrics import (
    pressure_from_elevation,
    wet_bulb_from_dew_point,
    wet_bulb_from_rh,
)

STATIONS_PQ = "starter/climate/tmyx_stations_idfkit.parquet"
#: mean Earth radius [km] (IUGG 1980 mean radius R1 = 6371.0088 km; Moritz 2000,
#: J. Geodesy 74, 128-133), for great-circle distances to weather stations
EARTH_RADIUS_KM = 6371.0088

# Valid ranges of hourly weather-file values; outside them a value is a missing-data
# code (EPW: 99.9 C, 999999 Pa; TMY3/TMY2: -9900 / flagged) [C, C, %, Pa]. The
# temperature bounds are the world records rounded outward (-89.2 C Vostok, 56.7 C
# Death Valley; WMO Archive of Weather and Climate Extremes).
_T_VALID = (-90.0, 60.0)
_RH_VALID = (0.0, 100.0)
_P_VALID = (30_000.0, 110_000.0)


# ----------------------------------------------------------------------------- build


def build_station_index(stations_json: Path, out_dir: Path) -> Path:
    """Write the compact TMYx station index (Parquet) from idfkit's ``stations.json.gz``."""
    st = _stations_from_json(stations_json)
    pq = out_dir / STATIONS_PQ
    st.to_parquet(pq, compression="zstd", index=False)
    return pq


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


# ----------------------------------------------------------------------------- stations


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


def distance_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance [km] between two points [deg]."""
    a = _unit_vectors(np.atleast_1d(lat1), np.atleast_1d(lon1))
    b = _unit_vectors(np.atleast_1d(lat2), np.atleast_1d(lon2))
    chord = np.linalg.norm(a - b, axis=1)
    return float(2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))[0])


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
