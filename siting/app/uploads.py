"""Sites the page asks for: bundled examples, uploaded files and generated grids.

Also the small text inputs of the page (exclusion rules, site ids). Uploads are read
with :func:`siting.read_sites` from a private temporary file, so the user's file name
never becomes a path; every failure is a :class:`siting.SitingError` naming the upload.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd

from siting.errors import ConfigError, SiteInputError, SitingError

__all__ = [
    "APP_MAX_GRID_CELLS",
    "MAX_UPLOAD_MB",
    "UPLOAD_TYPES",
    "capture_warnings",
    "example_files",
    "grid_sites",
    "parse_exclusions",
    "parse_ids",
    "parse_region",
    "read_upload",
]

#: Largest upload accepted by the app [MB]. A deployment bound (not a physical
#: constant); ``.streamlit/config.toml`` sets ``server.maxUploadSize`` to the same value
#: and the app checks the size again before reading.
MAX_UPLOAD_MB = 50
#: File types offered by the uploader (every format :func:`siting.read_sites` reads).
UPLOAD_TYPES = ("csv", "txt", "tsv", "geojson", "json", "gpkg", "parquet", "geoparquet", "zip")
#: Largest generated grid the app builds [cells]. An interactivity bound (not a physical
#: constant): joining 100,000 sites to every layer takes about 20 s on a 2-core machine.
APP_MAX_GRID_CELLS = 100_000


def example_files() -> dict[str, Path]:
    """The bundled example site files (``data/examples``) by file name."""
    from siting.paths import embedded_data_dir

    d = Path(embedded_data_dir()) / "examples"
    return {p.name: p for p in sorted(d.glob("*")) if p.is_file() and not p.name.startswith(".")}


def capture_warnings(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call ``fn`` and return its result with the text of the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    msgs = list(dict.fromkeys(str(w.message) for w in caught))
    return out, msgs


def _safe_name(name: str) -> str:
    """The uploaded file name reduced to a plain base name (no path, no odd characters)."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip() or "upload"
    return base[:120]


def read_upload(
    name: str, data: bytes, max_bytes: int = MAX_UPLOAD_MB * 1_000_000
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read an uploaded sites file with :func:`siting.read_sites`.

    The bytes are written to a private temporary directory under a fixed stem with the
    upload's suffix (the user's file name never becomes a path), read, and deleted.

    Parameters
    ----------
    name
        File name as uploaded (gives the format by its suffix and names the file in
        messages).
    data
        File content.
    max_bytes
        Largest accepted size [bytes].

    Returns
    -------
    sites, warnings
        The validated sites and the text of any reader warnings (corrections the user
        should know about).

    Raises
    ------
    SiteInputError
        Empty, too large, unreadable or invalid file; the message names the upload.
    """
    shown = _safe_name(name)
    if not data:
        raise SiteInputError(
            "file is empty; expected a header row and one row per site", file=shown
        )
    if len(data) > max_bytes:
        raise SiteInputError(
            f"file is {len(data) / 1e6:.1f} MB, above the app's {max_bytes / 1e6:.0f} MB upload "
            "limit; split it, or run the CLI (`siting run`) on the whole file",
            file=shown,
        )
    suffix = Path(shown).suffix.lower()
    if suffix.lstrip(".") not in UPLOAD_TYPES:
        raise SiteInputError(
            f"unsupported file type '{suffix or '(none)'}'; expected one of "
            + ", ".join("." + t for t in UPLOAD_TYPES),
            file=shown,
        )
    from siting.sites import read_sites

    with tempfile.TemporaryDirectory(prefix="siting-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            sites, msgs = capture_warnings(read_sites, path, max_bytes=max_bytes)
        except SitingError as e:
            detail = e.detail.replace(str(path), shown)
            raise type(e)(detail, file=shown, row=e.row, field=e.field) from None
        except Exception as e:  # noqa: BLE001 - any reader failure is a bad upload, not a crash
            raise SiteInputError(
                f"could not read the file ({type(e).__name__}: {str(e).replace(str(path), shown)})",
                file=shown,
            ) from None
    msgs = [m.replace(str(path), shown) for m in msgs]
    return sites, msgs


def parse_region(text: str) -> str | tuple[float, float, float, float]:
    """A grid region typed by the user: an ISO3 / ISO 3166-2 code or a bounding box.

    ``"FRA"``, ``"US-VA"`` or ``"minlon, minlat, maxlon, maxlat"`` (degrees).

    Raises
    ------
    SitingError
        Empty text or a box that is not four numbers.
    """
    t = (text or "").strip()
    if not t:
        raise SitingError(
            "give a country code (FRA), a state/province code (US-VA) or a box "
            "'minlon, minlat, maxlon, maxlat'",
            field="region",
        )
    if re.search(r"[\d.]", t) and ("," in t or " " in t):
        parts = [p for p in re.split(r"[,\s;]+", t) if p]
        if len(parts) != 4:
            raise SitingError(
                f"a bounding box is 4 numbers 'minlon, minlat, maxlon, maxlat', got {t!r}",
                field="region",
            )
        try:
            minlon, minlat, maxlon, maxlat = (float(p) for p in parts)
        except ValueError:
            raise SitingError(
                f"a bounding box is 4 numbers 'minlon, minlat, maxlon, maxlat', got {t!r}",
                field="region",
            ) from None
        return (minlon, minlat, maxlon, maxlat)
    return t.upper()


def grid_sites(
    region: str,
    *,
    kind: str = "h3",
    resolution: int | None = None,
    spacing_km: float | None = None,
    data_dir: str | None = None,
    max_cells: int = APP_MAX_GRID_CELLS,
) -> gpd.GeoDataFrame:
    """Candidate sites on a grid over a region (:func:`siting.grid.generate_grid`).

    Parameters
    ----------
    region
        Text as typed (see :func:`parse_region`).
    kind, resolution, spacing_km
        Grid kind and its cell size (H3 resolution or regular spacing [km]).
    data_dir
        Extra data directory for the boundary layers.
    max_cells
        Refuse grids estimated above this many cells (an app bound).
    """
    from siting.grid import generate_grid

    reg = parse_region(region)
    if kind == "h3":
        return generate_grid(
            reg, kind="h3", resolution=resolution, max_cells=max_cells, data_dir=data_dir
        )
    return generate_grid(
        reg, kind="regular", spacing_km=spacing_km, max_cells=max_cells, data_dir=data_dir
    )


def parse_exclusions(text: str) -> list[Any]:
    """Exclusion rules, one per line (``#`` starts a comment), parsed by the library.

    Raises
    ------
    ConfigError
        A line that :func:`siting.decide.parse_rule` cannot read; the message gives the
        line number.
    """
    from siting.decide import parse_rule

    rules = []
    for i, line in enumerate((text or "").splitlines(), start=1):
        s = line.split("#", 1)[0].strip()
        if not s:
            continue
        try:
            rules.append(parse_rule(s))
        except ConfigError as e:
            raise ConfigError(
                f"exclusion rule on line {i} ({s!r}): {e}", field="exclusions"
            ) from None
    return rules


def parse_ids(text: str) -> list[str]:
    """Site ids typed as a comma/newline-separated list."""
    return [p.strip() for p in re.split(r"[,\n;]+", text or "") if p.strip()]
