"""Guarded readers and atomic writers shared by every input and output."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd

from siting.errors import OutputError, SiteInputError

#: Largest total uncompressed size accepted inside a zip (bytes); guards against zip bombs.
MAX_UNZIPPED_BYTES = 2_000_000_000
#: Largest accepted compression ratio of a zip member (uncompressed / compressed).
MAX_ZIP_RATIO = 200


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            total = 0
            for info in z.infolist():
                name = info.filename
                if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
                    raise SiteInputError(
                        f"zip member '{name}' has an unsafe path (absolute or '..')", file=path
                    )
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                    raise SiteInputError(
                        f"zip member '{name}' expands {info.file_size / info.compress_size:.0f}x "
                        f"(limit {MAX_ZIP_RATIO}x); refusing a possible zip bomb",
                        file=path,
                    )
            if total > MAX_UNZIPPED_BYTES:
                raise SiteInputError(
                    f"zip expands to {total / 1e6:.0f} MB "
                    f"(limit {MAX_UNZIPPED_BYTES / 1e6:.0f} MB)",
                    file=path,
                )
    except zipfile.BadZipFile:
        raise SiteInputError("not a readable zip file", file=path) from None


def read_vector(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON/GeoPackage/zipped shapefile with errors as SiteInputError."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise SiteInputError("file is empty", file=path)
    target = str(path)
    if path.suffix.lower() == ".zip":
        _check_zip(path)
        target = f"/vsizip/{path}"
    try:
        gdf = gpd.read_file(target, layer=layer)
    except Exception as e:  # noqa: BLE001 - GDAL raises many types; all mean "unreadable"
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise SiteInputError(f"not a readable vector file: {msg}", file=path) from None
    if len(gdf) == 0:
        raise SiteInputError("no sites: the file has no features", file=path)
    return gdf


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Write ``path`` atomically: ``write(tmp)`` then rename over the target.

    A crash mid-write leaves any previous file intact; the temporary file is
    created in the same directory so the final rename is atomic on POSIX.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        # mkstemp creates 0600; give the file the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def safe_output_path(out_dir: str | os.PathLike, name: str, inputs=()) -> Path:
    """Resolve ``name`` inside ``out_dir``; refuse escapes and input files."""
    base = Path(out_dir).resolve()
    target = (base / name).resolve()
    if base != target and base not in target.parents:
        raise OutputError(f"output '{name}' would be written outside {base}", file=target)
    refuse_input(target, inputs)
    return target


def refuse_input(path: str | os.PathLike, inputs=()) -> None:
    """Raise :class:`OutputError` when ``path`` is one of the ``inputs`` files."""
    target = Path(path).resolve()
    for i in inputs or ():
        if Path(i).resolve() == target:
            raise OutputError("refusing to overwrite an input file", file=target)


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formulas(df):
    """Prefix text cells that a spreadsheet would run as a formula with a quote.

    Cells beginning with ``= + - @`` (or tab/CR) in text columns get a leading
    apostrophe (OWASP "CSV injection" guidance). Numeric columns are untouched.
    """
    import pandas as pd

    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            s = out[c]
            mask = s.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA_PREFIXES))
            if mask.any():
                out.loc[mask, c] = "'" + s[mask]
    return out
