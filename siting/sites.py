"""Candidate sites: read, validate, normalise to EPSG:4326 points.

Accepted inputs: CSV (latitude/longitude columns under common names, or named
explicitly), GeoJSON, GeoPackage, GeoParquet, zipped shapefile, or an in-memory
(Geo)DataFrame. Every user column is kept; a unique string ``site_id`` is taken
from the file or generated. Invalid sites raise :class:`SiteInputError` naming
the file, the (1-based) data row and the field; nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from siting.errors import SiteInputError

LAT_NAMES = ("lat", "latitude", "y", "lat_deg", "latitude_deg")
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "lon_deg", "longitude_deg")
ID_NAMES = ("site_id", "id", "siteid", "site")
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet", ".pq"}
#: Largest site file read without an explicit ``max_bytes`` (bytes). A bound, not a
#: physical constant: about 20 million CSV rows of ~100 bytes.
MAX_FILE_BYTES = 2_000_000_000


class SiteWarning(UserWarning):
    """A site input was accepted after a correction the user should know about."""


def _find_column(columns: list[str], names: tuple[str, ...], explicit: str | None, what: str, file):
    if explicit is not None:
        if explicit not in columns:
            raise SiteInputError(
                f"{what} column '{explicit}' not found; columns are {columns}", file=file
            )
        return explicit
    matches = [c for c in columns if str(c).strip().lower() in names]
    if len(matches) > 1:
        raise SiteInputError(
            f"columns {', '.join(repr(str(c)) for c in matches)} all read as the {what}; keep "
            f"one or name the one to use with --{'lat' if what == 'latitude' else 'lon'}",
            file=file,
            row=0,
            field=str(matches[1]),
        )
    return matches[0] if matches else None


def _read_plain_csv(raw: bytes) -> pd.DataFrame | None:
    """A plain CSV read by pyarrow as text columns, else None (then pandas reads it).

    Plain: no quote, tab, NUL or lone carriage return, no field starting with a blank,
    a header of distinct non-empty names and every row as long as the header (pyarrow
    refuses ragged rows). Such a file has one reading, so pyarrow's table equals the
    pandas one (``dtype=str``, no NA markers, ``skipinitialspace``); every other file,
    and every error message about it, goes through pandas.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if any(t in body for t in (b'"', b"\t", b"\x00", b", ", b"\n ")) or body.startswith(b" "):
        return None
    if body.count(b"\r") != body.count(b"\r\n"):
        return None
    header = body.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8").split(",")
    if any(not h.strip() for h in header) or len(set(header)) != len(header):
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            parse_options=pacsv.ParseOptions(quote_char=False, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    return table.to_pandas()


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise SiteInputError("file is empty; expected a header row and one row per site", file=path)
    text_is_cp1252 = False
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        text_is_cp1252 = True
        warnings.warn(
            f"{path}: not valid UTF-8 (byte {e.start}); read as Windows-1252/Latin-1",
            SiteWarning,
            stacklevel=3,
        )
        text = raw.decode("cp1252", errors="replace")
    df = None if text_is_cp1252 else _read_plain_csv(raw)
    if df is not None:
        _check_unique_columns([str(c).strip() for c in df.columns], path)
        df.columns = [str(c).strip() for c in df.columns]
        return df
    # valid UTF-8 is parsed from the bytes (the text's own encoding: no re-encoding)
    src = {"filepath_or_buffer": io.StringIO(text)}
    if not text_is_cp1252:
        src = {"filepath_or_buffer": io.BytesIO(raw), "encoding": "utf-8-sig"}
    try:
        df = pd.read_csv(**src, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise SiteInputError("file has no columns; expected a CSV header", file=path) from None
    except pd.errors.ParserError as e:
        raise SiteInputError(f"not a readable CSV: {e}", file=path) from None
    # pandas renames a repeated header name ('lat', 'lat' -> 'lat', 'lat.1'): check the
    # header as written, so a duplicate is an error rather than a silently ignored column
    try:
        header = next(csv.reader(io.StringIO(text), skipinitialspace=True), [])
    except csv.Error:  # e.g. a NUL byte: pandas read it, the strict csv module does not
        header = []
    _check_unique_columns([h.strip() for h in header], path)
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _check_unique_columns(columns, file) -> None:
    seen: set[str] = set()
    for c in columns:
        if c in seen:
            raise SiteInputError(
                f"column '{c}' appears more than once in the header; column names must be unique",
                file=file,
                row=0,
                field=str(c),
            )
        seen.add(c)


#: a plain decimal number (digits, optional point, optional exponent) between ASCII
#: blanks: the text whose pyarrow parse is the float ``pd.to_numeric`` gives (checked
#: bit for bit, tests/test_sites_fast_read.py); anything else takes the general path
_PLAIN_DECIMAL = r"^[ \t]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t]*$"


def _plain_decimals(series: pd.Series) -> np.ndarray | None:
    """float64 of a text column whose every value is a plain decimal, else None.

    One pyarrow pass (check, trim, parse) instead of strip, replace and to_numeric on
    Python strings; None (the general path decides and words the error) when a value
    is empty, missing, a NaN marker or anything but a plain number.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(series, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if arr.null_count or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    if not pc.all(pc.match_substring_regex(arr, _PLAIN_DECIMAL)).as_py():
        return None
    values = pc.cast(pc.utf8_trim(arr, " \t"), pa.float64())
    return np.array(values.to_numpy(zero_copy_only=False), dtype="float64")


def _to_float(series: pd.Series, field: str, file, row_offset: int = 1) -> np.ndarray:
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and (dtype == np.float64 or dtype.kind in "iu"):
        # numbers already: the text round trip below (shortest repr, parsed back) would
        # give the same float64 values, NaN for NaN, and never a "not a number" error
        return series.to_numpy(dtype="float64", copy=True)
    fast = _plain_decimals(series)
    if fast is not None:
        return fast
    s = series.astype(str).str.strip()
    s = s.replace({"": None, "nan": None, "NaN": None, "NA": None, "N/A": None, "None": None})
    out = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
    bad_text = s.notna().to_numpy() & np.isnan(out)
    if bad_text.any():
        i = int(np.flatnonzero(bad_text)[0])
        raise SiteInputError(
            f"value '{series.iloc[i]}' is not a number; expected decimal degrees",
            file=file,
            row=i + row_offset,
            field=field,
        )
    return out


def _check_coords(lat: np.ndarray, lon: np.ndarray, lat_field: str, lon_field: str, file):
    for arr, field in ((lat, lat_field), (lon, lon_field)):
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            n = int(bad.sum())
            raise SiteInputError(
                f"missing or non-finite coordinate ({n} row(s) in all; first shown); "
                "every site needs a latitude and a longitude",
                file=file,
                row=i + 1,
                field=field,
            )
    bad_lat = np.abs(lat) > 90
    if bad_lat.any():
        i = int(np.flatnonzero(bad_lat)[0])
        hint = ""
        if np.all(np.abs(lon) <= 90) and np.all(np.abs(lat) <= 180):
            hint = " The latitude and longitude columns look swapped."
        elif np.nanmax(np.abs(lat)) > 1000:
            hint = (
                " The values look like projected coordinates (metres); give the file's CRS "
                "(option crs=/--crs) so they are reprojected."
            )
        raise SiteInputError(
            f"latitude {lat[i]} is outside [-90, 90].{hint}", file=file, row=i + 1, field=lat_field
        )
    bad_lon = (lon < -180) | (lon > 360)
    if bad_lon.any():
        i = int(np.flatnonzero(bad_lon)[0])
        hint = ""
        if np.nanmax(np.abs(lon)) > 1000:
            hint = (
                " The values look like projected coordinates (metres); give the file's CRS "
                "(option crs=/--crs) so they are reprojected."
            )
        raise SiteInputError(
            f"longitude {lon[i]} is outside [-180, 180].{hint}",
            file=file,
            row=i + 1,
            field=lon_field,
        )
    wrap = lon > 180
    if wrap.any():
        warnings.warn(
            f"{file}: {int(wrap.sum())} longitude(s) in the 0-360 convention converted to "
            "-180..180",
            SiteWarning,
            stacklevel=3,
        )
        lon = np.where(wrap, lon - 360.0, lon)
    return lat, lon


def _assign_ids(df: pd.DataFrame, id_column: str | None, file) -> pd.DataFrame:
    col = _find_column(list(df.columns), ID_NAMES, id_column, "id", file)
    if col is None:
        width = max(4, len(str(len(df))))
        # site-0001, site-0002, ...: the row number zero-padded to ``width`` digits
        num = pd.Series(np.arange(1, len(df) + 1), index=df.index).astype(str)
        ids = "site-" + num.str.zfill(width)
    else:
        ids = df[col].astype(str).str.strip()
        empty = df[col].isna().to_numpy() | (ids == "").to_numpy() | (ids == "nan").to_numpy()
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise SiteInputError(
                "empty site id; every site needs a unique id (or drop the column to generate ids)",
                file=file,
                row=i + 1,
                field=col,
            )
        dup = ids.duplicated(keep=False).to_numpy()
        if dup.any():
            rows = np.flatnonzero(dup)
            first = ids.iloc[rows[0]]
            same = [int(r) + 1 for r in rows if ids.iloc[r] == first]
            raise SiteInputError(
                f"duplicate site id '{first}' in rows {same}"
                f" ({int(dup.sum())} rows share an id in all); ids must be unique",
                file=file,
                row=same[1],
                field=col,
            )
    out = df.copy(deep=False)  # only the site_id column is set below
    if col is not None and col != "site_id":
        if "site_id" in out.columns:
            raise SiteInputError(
                f"both 'site_id' and id column '{col}' are present; name one with id_column=",
                file=file,
            )
    out["site_id"] = ids.to_numpy()
    cols = ["site_id"] + [c for c in out.columns if c != "site_id"]
    return out[cols]


def _points_from_geometry(gdf: gpd.GeoDataFrame, file) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        warnings.warn(f"{file}: no CRS recorded; assuming EPSG:4326", SiteWarning, stacklevel=3)
        gdf = gdf.set_crs(4326)
    empty = gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise SiteInputError(
            "missing or empty geometry; every site needs a location",
            file=file,
            row=i + 1,
            field="geometry",
        )
    types = set(gdf.geom_type)
    if not types <= {"Point"}:
        if types & {"Polygon", "MultiPolygon"}:
            warnings.warn(
                f"{file}: {sorted(types)} geometries; each site is placed at its polygon's "
                "centroid (computed on an equal-area projection)",
                SiteWarning,
                stacklevel=3,
            )
            ea = gdf.geometry.to_crs("+proj=eqearth +datum=WGS84")
            cent = ea.centroid.to_crs(gdf.crs)
            gdf = gdf.set_geometry(cent)
        elif types & {"MultiPoint", "LineString", "MultiLineString"}:
            warnings.warn(
                f"{file}: {sorted(types)} geometries reduced to their centroid",
                SiteWarning,
                stacklevel=3,
            )
            gdf = gdf.set_geometry(gdf.geometry.centroid)
        else:
            raise SiteInputError(f"unsupported geometry types {sorted(types)}", file=file)
    if not CRS.from_user_input(gdf.crs).equals(CRS.from_epsg(4326)):
        gdf = gdf.to_crs(4326)
    return gdf


def from_frame(
    df: pd.DataFrame,
    *,
    lat: str | None = None,
    lon: str | None = None,
    id_column: str | None = None,
    crs=None,
    source: str | os.PathLike | None = None,
) -> gpd.GeoDataFrame:
    """Validate an in-memory table of sites and return the normalised GeoDataFrame.

    Parameters
    ----------
    df
        A DataFrame with coordinate columns, or a GeoDataFrame with geometries.
    lat, lon
        Coordinate column names (default: found among common names).
    id_column
        Column holding the site id (default: ``site_id``/``id`` if present, else generated).
    crs
        CRS of the coordinate columns when they are not WGS84 degrees (e.g. ``"EPSG:3857"``).
    source
        File name used in error messages.
    """
    file = str(source) if source is not None else "<table>"
    if len(df) == 0:
        raise SiteInputError("no sites: the table has no rows", file=file)
    _check_unique_columns(list(df.columns), file)
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns and lat is None:
        gdf = _points_from_geometry(df, file)
        pts = gdf.geometry
        lat_arr, lon_arr = pts.y.to_numpy(dtype=float), pts.x.to_numpy(dtype=float)
        base = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        lat_field, lon_field = "geometry", "geometry"
    else:
        cols = list(df.columns)
        lat_col = _find_column(cols, LAT_NAMES, lat, "latitude", file)
        lon_col = _find_column(cols, LON_NAMES, lon, "longitude", file)
        if lat_col is None or lon_col is None:
            raise SiteInputError(
                f"no {'latitude' if lat_col is None else 'longitude'} column; expected one of "
                f"{LAT_NAMES if lat_col is None else LON_NAMES} (any case) or name it with "
                f"--lat/--lon; columns are {cols}",
                file=file,
            )
        lat_arr = _to_float(df[lat_col], lat_col, file)
        lon_arr = _to_float(df[lon_col], lon_col, file)
        lat_field, lon_field = lat_col, lon_col
        if crs is not None and not CRS.from_user_input(crs).equals(CRS.from_epsg(4326)):
            from pyproj import Transformer

            for arr, field in ((lat_arr, lat_col), (lon_arr, lon_col)):
                bad = ~np.isfinite(arr)
                if bad.any():
                    raise SiteInputError(
                        "missing coordinate",
                        file=file,
                        row=int(np.flatnonzero(bad)[0]) + 1,
                        field=field,
                    )
            tr = Transformer.from_crs(crs, 4326, always_xy=True)
            lon_arr, lat_arr = tr.transform(lon_arr, lat_arr)
            lon_arr, lat_arr = np.asarray(lon_arr, float), np.asarray(lat_arr, float)
        base = pd.DataFrame(df).drop(columns=[lat_col, lon_col])
    lat_arr, lon_arr = _check_coords(lat_arr, lon_arr, lat_field, lon_field, file)
    base = base.reset_index(drop=True)
    base = _assign_ids(base, id_column, file)
    for c in ("lat", "lon"):
        if c in base.columns:
            base = base.drop(columns=c)
    base.insert(1, "lat", lat_arr)
    base.insert(2, "lon", lon_arr)
    # the points carry the CRS already, so the frame does not copy them to set it;
    # ``base`` is this function's own frame, so it is not copied either
    points = gpd.points_from_xy(lon_arr, lat_arr, crs=4326)
    return gpd.GeoDataFrame(base, geometry=points, crs=4326, copy=False)


def read_sites(
    path: str | os.PathLike,
    *,
    lat: str | None = None,
    lon: str | None = None,
    id_column: str | None = None,
    crs=None,
    layer: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> gpd.GeoDataFrame:
    """Read candidate sites from a file.

    Parameters
    ----------
    path
        CSV, GeoJSON, GeoPackage, GeoParquet or zipped shapefile.
    lat, lon
        CSV coordinate column names (default: found among common names:
        lat/latitude/y and lon/lng/long/longitude/x, any case).
    id_column
        Column holding a unique site id; default ``site_id``/``id`` if present,
        else ids ``site-0001``, ... are generated.
    crs
        CRS of CSV coordinates when they are not WGS84 degrees.
    layer
        Layer name for multi-layer files (GeoPackage).
    max_bytes
        Refuse files larger than this (bytes) with a clear error.

    Returns
    -------
    GeoDataFrame
        One row per input site, in input order: ``site_id``, ``lat``, ``lon``,
        every user column, and a Point ``geometry`` in EPSG:4326.
    """
    p = Path(path)
    if not p.exists():
        raise SiteInputError("file not found", file=p)
    if p.is_dir():
        raise SiteInputError("is a directory; expected a sites file", file=p)
    size = p.stat().st_size
    if size > max_bytes:
        raise SiteInputError(
            f"file is {size / 1e6:.0f} MB, above the {max_bytes / 1e6:.0f} MB limit; split it or "
            "raise max_bytes",
            file=p,
        )
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        df = _read_csv(p)
        if len(df) == 0:
            raise SiteInputError("no sites: the file has a header but no rows", file=p)
        return from_frame(df, lat=lat, lon=lon, id_column=id_column, crs=crs, source=p)
    if suffix in PARQUET_SUFFIXES:
        try:
            gdf = gpd.read_parquet(p)
        except Exception as e:  # noqa: BLE001 - any reader failure becomes a clear input error
            try:
                df = pd.read_parquet(p)
            except Exception:  # noqa: BLE001
                raise SiteInputError(f"not a readable (Geo)Parquet file: {e}", file=p) from None
            return from_frame(df, lat=lat, lon=lon, id_column=id_column, crs=crs, source=p)
        return from_frame(gdf, lat=lat, lon=lon, id_column=id_column, crs=crs, source=p)
    if suffix in VECTOR_SUFFIXES:
        from siting.safe_io import read_vector

        gdf = read_vector(p, layer=layer)
        return from_frame(gdf, lat=lat, lon=lon, id_column=id_column, crs=crs, source=p)
    raise SiteInputError(
        f"unsupported file type '{suffix}'; expected .csv, .geojson, .gpkg, .parquet or .zip",
        file=p,
    )
