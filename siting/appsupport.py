"""Glue between the Streamlit app (``app.py``) and the library, with no Streamlit in it.

The app builds configuration objects from its widgets and calls the functions here;
they call the library (:func:`siting.read_sites`, :func:`siting.grid.generate_grid`,
:func:`siting.join.join_layers`, :func:`siting.model.assess`, :func:`siting.decide.rank`,
:func:`siting.decide.explain`) and prepare what the page shows: the ranking table with
units, the map layers (colour scales, GeoJSON of the boundaries, tooltips) and the
per-site annual series. Nothing here computes a footprint or a score of its own.

The work is split so that the app can cache each stage on its own inputs:

1. sites (example file, upload or generated grid) -> :func:`read_upload` / :func:`grid_sites`
2. sites + data directory -> :func:`join_sites` (the slow, data-bound step)
3. joined + fleet + scenario + facility -> :func:`assess_sites`
4. summary + weights + exclusions -> :func:`rank_sites` (fast: a weight change only re-ranks)

Every stage raises :class:`siting.SitingError` (or a subclass) with a message the page
shows as it is.
"""

from __future__ import annotations

import math
import re
import tempfile
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.errors import ConfigError, LayerError, SiteInputError, SitingError

__all__ = [
    "APP_MAX_GRID_CELLS",
    "REPORT_FORMATS",
    "DATA_LAYERS",
    "DEFAULT_GPUS",
    "LAND_TONES",
    "MAP_FILES_KEEP",
    "MAX_UPLOAD_MB",
    "SITE_SQUARES_ABOVE",
    "UPLOAD_TYPES",
    "BoundaryData",
    "ColourScale",
    "DataLayer",
    "MapFiles",
    "annual_table",
    "assess_sites",
    "base_boundaries",
    "before_after",
    "boundary_values",
    "colour_scale",
    "config_key",
    "data_url",
    "deck",
    "example_files",
    "explain_site",
    "grid_sites",
    "join_sites",
    "json_bytes",
    "legend_image",
    "make_result",
    "numeric_columns",
    "outputs_zip",
    "parse_exclusions",
    "parse_ids",
    "parse_region",
    "rank_sites",
    "ranking_table",
    "read_upload",
    "report_bytes",
    "shaded_boundaries",
    "shutdown_year",
    "site_points",
    "table_header",
    "view_state",
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
#: Fleet size used when the user does not change it: the same default as
#: :func:`siting.pipeline.run` (``Fleet(gpus=50_000)``), so the app opens on the CLI's numbers.
DEFAULT_GPUS = 50_000
#: Product shut-down year offered when the user says the product dies before the end of
#: the commitment: the worked example of issue 4 (product shut down after 2 of 15 years).
DEFAULT_PRODUCT_YEARS = 2.0
#: Colour of a site or polygon without a value (RGB).
NO_VALUE_RGB = (170, 170, 170)
#: Background of the map: an inline MapLibre style with no sources (style spec v8, one
#: ``background`` layer), so the map loads no tiles, fonts or sprites from the internet.
#: The base map is the tool's own boundary layer drawn on top.
OFFLINE_MAP_STYLE: dict[str, Any] = {
    "version": 8,
    "name": "siting offline background",
    "sources": {},
    "layers": [
        {"id": "background", "type": "background", "paint": {"background-color": "#dde8f0"}}
    ],
}
#: Map data files kept in the app's static folder by :class:`MapFiles`: the most recently
#: used ones (a disk bound, not a physical constant: about 1 MB per 10,000 sites, 0.6 MB
#: for the world's boundaries). Older files are deleted when a new one is written.
MAP_FILES_KEEP = 64
#: Above this many sites the map draws each site as a small square of fixed ground size
#: (deck.gl SolidPolygonLayer: one draw call) instead of a circle of fixed screen size
#: (ScatterplotLayer: one instance per site). A rendering bound, not a physical constant:
#: software WebGL (SwiftShader, machines without a GPU) pays about 30 us per instance,
#: 0.4 s a frame for 13,000 circles against about 0.06 s for the squares.
SITE_SQUARES_ABOVE = 2_000
#: Boundary simplification tolerance for the base map [degrees]: a display choice that
#: keeps the 241 Natural Earth 1:50m countries under ~1 MB of GeoJSON.
BOUNDARY_SIMPLIFY_DEG = 0.05


# --------------------------------------------------------------------------- sites
def example_files() -> dict[str, Path]:
    """The bundled example site files (``data/examples``) by file name."""
    from siting.paths import embedded_data_dir

    d = Path(embedded_data_dir()) / "examples"
    return {p.name: p for p in sorted(d.glob("*")) if p.is_file() and not p.name.startswith(".")}


def _capture(fn, *args, **kwargs) -> tuple[Any, list[str]]:
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
            sites, msgs = _capture(read_sites, path, max_bytes=max_bytes)
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


# --------------------------------------------------------------------------- stages
def config_key(obj: Any) -> str:
    """A hashable, deterministic cache key for a configuration dataclass (its repr)."""
    return repr(obj)


def join_sites(
    sites: gpd.GeoDataFrame, data_dir: str | None = None, catalog: Any = None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Join the sites to every layer (:func:`siting.join.join_layers`), with warnings."""
    from siting.join import join_layers

    if data_dir:
        import os

        for part in (p for p in str(data_dir).split(os.pathsep) if p):
            if not Path(part).expanduser().is_dir():
                raise LayerError(f"data directory '{part}' does not exist or is not a directory")
    return _capture(join_layers, sites, data_dir=data_dir or None, catalog=catalog)


def assess_sites(joined: gpd.GeoDataFrame, fleet: Any, scenario: Any, facility: Any) -> Any:
    """The committed footprint of the fleet at every site (:func:`siting.model.assess`)."""
    from siting.model import assess

    return assess(joined, fleet, scenario, facility)


def rank_sites(
    summary: pd.DataFrame,
    weights: Mapping[str, float],
    exclusions: Sequence[Any] = (),
    force_include: Sequence[str] = (),
) -> pd.DataFrame:
    """Rank the sites (:func:`siting.decide.rank`); weights of 0 are dropped first.

    Raises
    ------
    ConfigError
        All weights zero, unknown criterion or column, bad rule.
    """
    from siting import decide

    w = {k: float(v) for k, v in weights.items() if float(v) > 0}
    if not w:
        raise ConfigError("set at least one criterion weight above 0", field="weights")
    return decide.rank(
        summary, w, exclusions=list(exclusions), force_include=list(force_include) or None
    )


def make_result(
    sites: gpd.GeoDataFrame,
    joined: gpd.GeoDataFrame,
    assessment: Any,
    ranked: pd.DataFrame,
    weights: Mapping[str, float],
    exclusions: Sequence[Any] = (),
    data_dir: str | None = None,
    inputs: Sequence[str] = (),
) -> Any:
    """A :class:`siting.pipeline.RunResult` from the app's cached stages (for outputs)."""
    from siting.pipeline import RunResult, used_datasets

    return RunResult(
        sites=sites,
        joined=joined,
        assessment=assessment,
        ranked=ranked,
        coverage=joined.attrs.get("coverage", pd.DataFrame()),
        weights=dict(weights),
        exclusions=list(exclusions),
        datasets=used_datasets(joined, data_dir or None),
        inputs=list(inputs),
    )


def _report_formats() -> dict[str, tuple[str, str]]:
    """Report format -> (file suffix, MIME type), empty when siting.report is absent."""
    try:
        from siting.report import FORMATS, write_report  # noqa: F401 - presence check
    except ImportError:
        return {}
    mime = {
        ".html": "text/html",
        ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".gpkg": "application/geopackage+sqlite3",
        ".parquet": "application/vnd.apache.parquet",
    }
    return {f: (sfx, mime.get(sfx, "application/octet-stream")) for f, sfx in FORMATS.items()}


#: Formats of :func:`siting.report.write_report` offered for download, with suffix and MIME.
REPORT_FORMATS: dict[str, tuple[str, str]] = _report_formats()


def report_bytes(result: Any, fmt: str) -> bytes:
    """One report file (:func:`siting.report.write_report`) as bytes, via a temp dir."""
    from siting.report import write_report

    with tempfile.TemporaryDirectory(prefix="siting-report-") as tmp:
        out = write_report(result, tmp, [fmt])
        return Path(out[fmt]).read_bytes()


def outputs_zip(result: Any) -> bytes:
    """``sites.csv``, ``sites.parquet`` and ``footprint.nc``
    (:func:`siting.pipeline.write_outputs`) zipped."""
    import io
    import zipfile

    from siting.pipeline import write_outputs

    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="siting-out-") as tmp:
        paths = write_outputs(result, tmp)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, path in paths.items():
                z.write(path, arcname=name)
    return buf.getvalue()


def explain_site(ranked: pd.DataFrame, site_id: str, assessment: Any) -> pd.DataFrame:
    """ "Why this number" for one site (:func:`siting.decide.explain`), values as text.

    Values are rendered as text so one column can hold numbers and labels.
    """
    from siting.decide import explain

    df = explain(str(site_id), assessment, summary=ranked)
    df["value"] = [_fmt_value(v) for v in df["value"]]
    return df


def _fmt_value(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        a = abs(float(v))
        if a != 0 and (a >= 1e6 or a < 1e-3):
            return f"{float(v):.4g}"
        return f"{float(v):,.4g}" if a < 1000 else f"{float(v):,.0f}"
    return str(v)


# --------------------------------------------------------------------------- tables
#: Columns of the ranking table after the report's own (:data:`siting.report.RANKING_COLUMNS`,
#: so the page and the reports share labels and units): (column, label).
_EXTRA_COLUMNS = (
    ("water_l_per_gpu_hour", "Water per GPU-hour"),
    ("co2_kg_per_gpu_hour", "CO2e per GPU-hour"),
    ("water_onsite_m3_after_product", "On-site water after the product"),
    ("co2_scope2_t_after_product", "Scope-2 CO2e after the product"),
    ("energy_cost_usd_after_product", "Energy cost after the product"),
    ("price_level", "Price from"),
    ("excluded", "Excluded"),
    ("exclusion_reason", "Exclusion reason"),
    ("rank_note", "Rank note"),
)


def _table_columns() -> list[tuple[str, str]]:
    """(column, header with unit) of the ranking table, in order."""
    from siting.report import RANKING_COLUMNS, header

    cols = [(c.column, c.header) for c in RANKING_COLUMNS]
    for col, label in _EXTRA_COLUMNS:
        cols.append((col, header(label, _unit(col))))
    return cols


def _unit(column: str) -> str:
    from siting.report import column_unit

    return column_unit(column)


def table_header(column: str) -> str:
    """Header of a ranked-table column in :func:`ranking_table` (``"label [unit]"``)."""
    for col, head in _table_columns():
        if col == column:
            return head
    from siting.report import header

    return header(column)


def ranking_table(ranked: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """The ranked sites as a plain table with units in the headers, in rank order.

    Headers follow the report module (:data:`siting.report.RANKING_COLUMNS`). Weighted
    criteria that are derived (not a summary column, e.g. ``co2_total``) are added with
    :func:`siting.decide.criterion_values`. Values keep full precision.
    """
    from siting.decide import CRITERIA, criterion_values

    cols = [(c, h) for c, h in _table_columns() if c in ranked.columns]
    df = pd.DataFrame({h: ranked[c].to_numpy() for c, h in cols}, index=ranked.index)
    weighted = list(ranked.attrs.get("weights", {}))
    derived = [k for k in weighted if k in CRITERIA and CRITERIA[k].column not in ranked.columns]
    if derived:
        vals = criterion_values(ranked, derived)
        for k in derived:
            c = CRITERIA[k]
            df[f"{c.label} [{c.unit}]"] = vals[k].to_numpy()
    if "rank" in ranked.columns:
        df[table_header("rank")] = ranked["rank"].astype("Int64").to_numpy()
    out = df.reset_index(drop=True)
    return out if limit is None else out.head(limit)


def numeric_columns(ranked: pd.DataFrame) -> list[str]:
    """Numeric result columns a user can colour the sites by (score first)."""
    skip = {"lat", "lon", "boundary_snap_km", getattr(ranked, "_geometry_column_name", "geometry")}
    # from the dtypes (selecting each column of a GeoDataFrame costs ~0.1 ms a column)
    cols = [
        c
        for c, dt in ranked.dtypes.items()
        if c not in skip
        and pd.api.types.is_numeric_dtype(dt)
        and not pd.api.types.is_bool_dtype(dt)
    ]
    first = [c for c in ("score", "rank") if c in cols]
    return first + [c for c in cols if c not in first]


def before_after(row: pd.Series) -> pd.DataFrame:
    """Lifetime totals of one site split into while the product ran and after it was gone.

    ``before = total - after_product`` for each total the model splits
    (``<total>_after_product`` columns of the summary).
    """
    from siting.model import ANNUAL_VARIABLES, SUMMARY_TOTALS

    rows = []
    for col in SUMMARY_TOTALS:
        after_col = f"{col}_after_product"
        if col not in row.index or after_col not in row.index:
            continue
        total, after = float(row[col]), float(row[after_col])
        unit = ANNUAL_VARIABLES.get(col, ("",))[0]
        rows.append(
            {
                "quantity": col,
                "unit": unit,
                "while the product ran": total - after,
                "after the product was shut down": after,
                "lifetime total": total,
                "share after": after / total if total else (0.0 if after == 0 else np.nan),
            }
        )
    return pd.DataFrame(rows)


def shutdown_year(scenario: Any) -> float | None:
    """Calendar time at which the product is shut down (``start_year + product_years``).

    None when the product survives the commitment.
    """
    if scenario is None or scenario.product_years is None:
        return None
    return float(scenario.start_year) + float(scenario.product_years)


def annual_table(annual: Any, site_id: str, variable: str) -> pd.DataFrame:
    """One site's yearly series of ``variable`` from ``Assessment.annual``.

    Returns
    -------
    DataFrame
        ``year``, ``year_end`` (= year + 1: each value covers one calendar year), the
        value under ``value``, ``unit`` and ``phase`` (``product running``, ``after
        shutdown`` or ``shutdown year`` from the ``product_alive`` fraction).
    """
    if variable not in annual.data_vars:
        raise ConfigError(
            f"unknown annual variable '{variable}'; known: {', '.join(annual.data_vars)}",
            field="variable",
        )
    sites = annual["site"].to_numpy().astype(str)
    hit = np.flatnonzero(sites == str(site_id))
    if hit.size == 0:
        raise ConfigError(f"unknown site id {site_id!r}", field="site")
    i = int(hit[0])
    years = annual["year"].to_numpy()
    vals = annual[variable].to_numpy()[i].astype(float)
    alive = annual["product_alive"].to_numpy()[i].astype(float)
    phase = np.where(
        alive >= 1.0, "product running", np.where(alive <= 0.0, "after shutdown", "shutdown year")
    )
    return pd.DataFrame(
        {
            "year": years.astype(int),
            "year_end": years.astype(int) + 1,
            "value": vals,
            "unit": str(annual[variable].attrs.get("units", "")),
            "phase": phase,
        }
    )


# --------------------------------------------------------------------------- map: colours
@dataclass(frozen=True)
class ColourScale:
    """How values were mapped to colours (for the legend)."""

    column: str
    label: str
    unit: str
    vmin: float
    vmax: float
    log: bool
    cmap: str
    lower_is_better: bool

    def describe(self) -> str:
        """One line for the legend."""
        if not (math.isfinite(self.vmin) and math.isfinite(self.vmax)):
            return f"{self.label}: no values"
        end_lo, end_hi = ("yellow", "dark purple")
        scale = " (log scale)" if self.log else ""
        unit = f" {self.unit}" if self.unit and self.unit != "-" else ""
        better = " - lower is better" if self.lower_is_better else ""
        return (
            f"{self.label}: {end_lo} = {_fmt_value(self.vmin)}{unit}, {end_hi} = "
            f"{_fmt_value(self.vmax)}{unit}{scale}{better}; grey = no value"
        )


def _cmap(name: str):
    import matplotlib

    return matplotlib.colormaps[name]


def colour_scale(
    values: np.ndarray | pd.Series,
    *,
    column: str = "",
    label: str = "",
    unit: str = "",
    cmap: str = "viridis_r",
    extra: Iterable[float] = (),
    lower_is_better: bool = True,
    log: bool = False,
) -> tuple[np.ndarray, ColourScale]:
    """RGB colours (uint8, shape (n, 3)) for ``values`` on a matplotlib colour map.

    The range is the min-max of the finite values (and of ``extra``, e.g. the boundary
    values drawn with the same scale). With ``log=True`` the scale is logarithmic when
    every value is positive (used for AWARE factors, defined on 0.1-100). NaN gets
    :data:`NO_VALUE_RGB`. ``viridis_r``: the lowest value is yellow, the highest
    dark purple (perceptually uniform, readable with colour-vision deficiency).
    """
    x = pd.to_numeric(pd.Series(np.asarray(values)), errors="coerce").to_numpy(dtype=float)
    pool = np.concatenate([x, np.asarray(list(extra), dtype=float)])
    fin = pool[np.isfinite(pool)]
    if fin.size == 0:
        rgb = np.tile(np.array(NO_VALUE_RGB, dtype=np.uint8), (x.size, 1))
        return rgb, ColourScale(
            column, label or column, unit, math.nan, math.nan, False, cmap, lower_is_better
        )
    vmin, vmax = float(fin.min()), float(fin.max())
    log = bool(log and vmin > 0 and vmax > vmin)
    with np.errstate(all="ignore"):
        if log:
            t = (np.log10(x) - math.log10(vmin)) / max(math.log10(vmax) - math.log10(vmin), 1e-12)
        else:
            t = (x - vmin) / (vmax - vmin) if vmax > vmin else np.zeros_like(x)
    t = np.clip(t, 0.0, 1.0)
    ok = np.isfinite(t)
    rgba = _cmap(cmap)(np.where(ok, t, 0.0))
    rgb = (np.asarray(rgba)[:, :3] * 255).round().astype(np.uint8)
    rgb[~ok] = NO_VALUE_RGB
    return rgb, ColourScale(column, label or column, unit, vmin, vmax, log, cmap, lower_is_better)


def legend_image(cmap: str = "viridis_r", width: int = 256, height: int = 14) -> np.ndarray:
    """A horizontal colour bar (uint8 RGB image) of ``cmap``, low values on the left."""
    rgba = _cmap(cmap)(np.linspace(0.0, 1.0, width))
    row = (np.asarray(rgba)[:, :3] * 255).round().astype(np.uint8)
    return np.repeat(row[None, :, :], height, axis=0)


# --------------------------------------------------------------------------- map: data layers
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
    rgb, _ = _colours_on(vals, scale)
    out = []
    unit = f" {scale.unit}" if scale.unit and scale.unit != "-" else ""
    for f, c, v in zip(feats, rgb, vals, strict=True):
        p = f["properties"]
        tip = f"{p['name']} ({p['code']})\n{scale.label}: {_fmt_value(v)}{unit}"
        out.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {**p, "fill": [int(c[0]), int(c[1]), int(c[2]), alpha], "tip": tip},
            }
        )
    return {"type": "FeatureCollection", "features": out}


def _colours_on(values: np.ndarray, scale: ColourScale) -> tuple[np.ndarray, None]:
    """Colours of ``values`` on an existing scale (same range and log choice)."""
    x = np.asarray(values, dtype=float)
    if not (math.isfinite(scale.vmin) and math.isfinite(scale.vmax)):
        return np.tile(np.array(NO_VALUE_RGB, dtype=np.uint8), (x.size, 1)), None
    with np.errstate(all="ignore"):
        if scale.log:
            lo, hi = math.log10(scale.vmin), math.log10(scale.vmax)
            t = (np.log10(x) - lo) / max(hi - lo, 1e-12)
        else:
            span = scale.vmax - scale.vmin
            t = (x - scale.vmin) / span if span > 0 else np.zeros_like(x)
    t = np.clip(t, 0.0, 1.0)
    ok = np.isfinite(t)
    rgb = (np.asarray(_cmap(scale.cmap)(np.where(ok, t, 0.0)))[:, :3] * 255).round()
    rgb = rgb.astype(np.uint8)
    rgb[~ok] = NO_VALUE_RGB
    return rgb, None


# --------------------------------------------------------------------------- map: sites
def _compact_deck_class() -> type:
    """``pydeck.Deck`` whose ``to_json`` writes compact JSON with the C encoder.

    pydeck's own ``to_json`` indents its output, which makes Python fall back to the
    pure-Python JSON encoder: about 1 s for 10,000 sites and the world's boundaries,
    against a few tens of ms here. The spec is the same (same keys, same serializer for
    pydeck objects); only whitespace differs.
    """
    import json

    import pydeck as pdk
    from pydeck.bindings.json_tools import default_serialize

    class CompactDeck(pdk.Deck):
        def to_json(self) -> str:
            return json.dumps(
                self, sort_keys=True, default=default_serialize, separators=(",", ":")
            )

    return CompactDeck


def _num_text(x: np.ndarray, fmt: str, unit: str = "") -> np.ndarray:
    """``format(v, fmt) + unit`` per value, ``"n/a"`` for NaN / inf (object array)."""
    vals = np.asarray(x, dtype=float).tolist()
    return np.array(
        [format(v, fmt) + unit if math.isfinite(v) else "n/a" for v in vals], dtype=object
    )


def _col(df: pd.DataFrame, c: str) -> np.ndarray:
    if c not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)


def site_points(
    ranked: pd.DataFrame,
    colour_values: np.ndarray,
    scale: ColourScale,
    commitment_years: int | None = None,
    full_tips_max: int = 2_000,
) -> pd.DataFrame:
    """The sites as plain numeric columns for a pydeck ScatterplotLayer, with tooltips.

    Columns: ``lon``, ``lat`` [degrees], ``r``, ``g``, ``b`` (0-255), ``rank`` (0 for
    unranked) and ``tip`` (plain text with the key numbers and their units; rendered as
    text, never as HTML). Above ``full_tips_max`` sites the tooltip keeps the rank, the
    score and the coloured value only (a display bound that keeps the map data small).
    """
    rgb, _ = _colours_on(np.asarray(colour_values, dtype=float), scale)
    ids = ranked["site_id"].astype(str).to_numpy(dtype=object)
    name = (
        ranked["name"].fillna("").astype(str).to_numpy(dtype=object)
        if "name" in ranked.columns
        else np.full(len(ranked), "", dtype=object)
    )
    rank = (
        ranked["rank"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)
        if "rank" in ranked.columns
        else np.zeros(len(ranked), dtype=np.int64)
    )
    excluded = (
        ranked["excluded"].fillna(False).to_numpy(dtype=bool)
        if "excluded" in ranked.columns
        else np.zeros(len(ranked), dtype=bool)
    )
    years = f" over {commitment_years} years" if commitment_years else ""
    head = np.where(name != "", ids + " - " + name, ids)
    rank_txt = np.where(
        excluded,
        "excluded",
        np.where(rank > 0, "rank " + rank.astype(str), "not ranked (missing values)"),
    )
    unit = f" {scale.unit}" if scale.unit and scale.unit != "-" else ""
    price_level = (
        ranked["price_level"].astype(str).to_numpy(dtype=object)
        if "price_level" in ranked.columns
        else np.full(len(ranked), "", dtype=object)
    )
    price_note = np.where(price_level == "assumption", " (assumption)", "")
    colour_txt = (
        "\n" + scale.label + ": " + _num_text(np.asarray(colour_values, dtype=float), ",.4g", unit)
        if scale.column != "score"  # the score is in every tooltip already
        else ""
    )
    score_txt = head + "\n" + rank_txt + ", score " + _num_text(_col(ranked, "score"), ".3f")
    if len(ranked) > full_tips_max:
        # many sites: the key numbers only (the browser loads the sites' data again after
        # every ranking change, so each character here costs time); details are in the
        # table and the site detail
        tip = score_txt + colour_txt
    else:
        tip = (
            score_txt
            + " (0 best, 1 worst)"
            + "\nOn-site water"
            + years
            + ": "
            + _num_text(_col(ranked, "water_onsite_m3"), ",.0f", " m3")
            + "\nScope-2 CO2e: "
            + _num_text(_col(ranked, "co2_scope2_t"), ",.0f", " t")
            + "\nEnergy cost: "
            + _num_text(_col(ranked, "energy_cost_usd") / 1e6, ",.1f", " million USD")
            + "\nGrid: "
            + _num_text(_col(ranked, "grid_co2_g_per_kwh"), ",.0f", " g CO2e/kWh")
            + " | AWARE CF: "
            + _num_text(_col(ranked, "aware_cf"), ".3g")
            + "\nPrice: "
            + _num_text(_col(ranked, "price_usd_per_mwh"), ",.0f", " USD/MWh")
            + price_note
            + colour_txt
        )
    return pd.DataFrame(
        {
            # 5 decimals of a degree: about 1 m, far below a marker's size
            "lon": np.round(_col(ranked, "lon"), 5),
            "lat": np.round(_col(ranked, "lat"), 5),
            "r": rgb[:, 0].astype(np.int64),
            "g": rgb[:, 1].astype(np.int64),
            "b": rgb[:, 2].astype(np.int64),
            "rank": rank,
            "tip": tip,
        }
    )


def view_state(lon: np.ndarray, lat: np.ndarray) -> dict[str, float]:
    """Centre and zoom that frame the sites (Web Mercator zoom of the wider extent)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return {"longitude": 0.0, "latitude": 20.0, "zoom": 1.0}
    lo0, lo1 = float(lon[ok].min()), float(lon[ok].max())
    la0, la1 = float(lat[ok].min()), float(lat[ok].max())
    span = max(lo1 - lo0, (la1 - la0) * 1.5, 0.5)
    # zoom z shows 360 / 2**z degrees of longitude across a 512-px tile; keep a margin
    zoom = float(np.clip(math.log2(360.0 / span) - 0.3, 0.5, 12.0))
    return {"longitude": (lo0 + lo1) / 2, "latitude": (la0 + la1) / 2, "zoom": zoom}


def json_bytes(obj: Any) -> bytes:
    """Compact JSON (UTF-8) of a layer's data: a GeoJSON dict, a list or a DataFrame.

    A DataFrame becomes a list of records (pandas' C encoder, NaN -> null); elsewhere
    NaN / inf become null (JSON has no such numbers). The same data always gives the same
    bytes, so a file named by their hash names the content (:class:`MapFiles`).
    """
    import json

    if isinstance(obj, pd.DataFrame):
        return obj.to_json(orient="records", double_precision=10).encode()
    try:
        text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a NaN / inf somewhere
        text = json.dumps(_nan_to_none(obj), separators=(",", ":"), allow_nan=False)
    return text.encode()


def data_url(obj: Any) -> str:
    """``data:application/json;base64,...`` of a layer's data (:func:`json_bytes`)."""
    import base64

    return "data:application/json;base64," + base64.b64encode(json_bytes(obj)).decode("ascii")


def _nan_to_none(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_nan_to_none(v) for v in obj]
    if isinstance(obj, np.generic):
        return _nan_to_none(obj.item())
    return obj


class MapFiles:
    """The map's layer data as content-addressed JSON files served by the app's server.

    Streamlit serves the files of the ``static`` folder next to the app at
    ``<base URL>/app/static/<name>`` (``server.enableStaticServing``); deck.gl layers
    accept such a URL as their ``data`` and fetch it themselves. The map spec sent on
    each rerun then holds a short URL per layer instead of the data, and a layer whose
    data did not change keeps the same URL, which deck.gl does not load again.

    * Names are ``map-<kind>-<hash>.json``: ``kind`` is one of :attr:`KINDS` (never user
      text) and ``hash`` the first 24 hex digits of the content's SHA-256, so a name
      always means the same content (safe to cache, safe to share between sessions).
    * Files are written to a temporary file in the same folder and renamed into place
      (readers never see a partial file; concurrent writers of one name write the same
      bytes).
    * At most ``keep`` files (the most recently used; a reuse touches the file) are kept:
      writing a new file deletes the older ones. Only names of this form are ever
      deleted.

    Parameters
    ----------
    directory
        The app's static folder (created if missing).
    url_prefix
        URL path under which Streamlit serves ``directory`` (``/app/static``, or
        ``/<baseUrlPath>/app/static``): same origin as the page.
    keep
        Number of files kept (:data:`MAP_FILES_KEEP`).
    """

    KINDS = ("base", "shaded", "sites")
    _NAME = re.compile(r"^map-(?:base|shaded|sites)-[0-9a-f]{24}\.json$")
    _TMP = re.compile(r"^\.map-tmp-[A-Za-z0-9_]+\.part$")

    def __init__(
        self, directory: str | Path, url_prefix: str = "/app/static", keep: int = MAP_FILES_KEEP
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.url_prefix = "/" + url_prefix.strip("/")
        self.keep = max(int(keep), 1)
        # id(obj) -> (obj, name) of objects passed with stable=True (kept alive here so
        # their id is not reused); bounded; shared by the app's sessions (threads)
        self._stable: dict[int, tuple[Any, str]] = {}
        self._lock = threading.Lock()

    @classmethod
    def usable(cls, directory: str | Path, url_prefix: str = "/app/static") -> MapFiles | None:
        """A :class:`MapFiles` on ``directory``, or None when it cannot be written."""
        import os

        try:
            files = cls(directory, url_prefix)
        except OSError:
            return None
        return files if os.access(files.directory, os.W_OK | os.X_OK) else None

    def url(self, obj: Any, kind: str, *, stable: bool = False) -> str:
        """The URL of ``obj``'s JSON (:func:`json_bytes`), written if not there yet.

        ``stable=True`` says ``obj`` is never modified (e.g. held by
        ``st.cache_resource``): its name is remembered by identity and its JSON is not
        built again on later calls.
        """
        if kind not in self.KINDS:
            raise ValueError(f"unknown map file kind {kind!r}; expected one of {self.KINDS}")
        with self._lock:
            hit = self._stable.get(id(obj)) if stable else None
        try:
            if hit is not None and hit[0] is obj:
                name = hit[1]
                if not self._touch(self.directory / name):
                    self._write(self.directory / name, json_bytes(obj))
            else:
                name = self.put(json_bytes(obj), kind)
                if stable:
                    with self._lock:
                        if len(self._stable) >= 16:
                            self._stable.pop(next(iter(self._stable)))
                        self._stable[id(obj)] = (obj, name)
        except OSError:  # folder gone or not writable: the data travels inline instead
            return data_url(obj)
        return f"{self.url_prefix}/{name}"

    def put(self, payload: bytes, kind: str) -> str:
        """Store ``payload`` under its content name; returns the file name."""
        import hashlib

        if kind not in self.KINDS:
            raise ValueError(f"unknown map file kind {kind!r}; expected one of {self.KINDS}")
        name = f"map-{kind}-{hashlib.sha256(payload).hexdigest()[:24]}.json"
        path = self.directory / name
        if not self._touch(path):
            self._write(path, payload)
        return name

    @staticmethod
    def _touch(path: Path) -> bool:
        """Mark ``path`` as just used; False when it does not exist."""
        import os

        try:
            os.utime(path)
        except FileNotFoundError:
            return False
        return True

    def _write(self, path: Path, payload: bytes) -> None:
        import os

        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".map-tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.prune()

    def prune(self) -> list[str]:
        """Delete map files beyond the ``keep`` most recently used (and temporary files
        left by an interrupted write over an hour ago); returns the deleted names."""
        import os
        import time

        ours: list[tuple[float, str]] = []
        gone: list[str] = []
        now = time.time()
        with os.scandir(self.directory) as it:
            for e in it:
                try:
                    if self._NAME.match(e.name):
                        ours.append((e.stat().st_mtime, e.name))
                    elif self._TMP.match(e.name) and now - e.stat().st_mtime > 3600:
                        gone.append(e.name)
                except FileNotFoundError:  # deleted meanwhile by another session
                    continue
        ours.sort(reverse=True)
        gone += [name for _, name in ours[self.keep :]]
        for name in gone:
            (self.directory / name).unlink(missing_ok=True)
        return gone


def deck(
    points: pd.DataFrame,
    base: dict[str, dict],
    shaded: Sequence[dict] = (),
    *,
    view: Mapping[str, float] | None = None,
    radius_px: float | None = None,
    inline_data: bool = True,
    files: MapFiles | None = None,
) -> Any:
    """The pydeck map: boundary base layer, optional shaded boundaries, the sites.

    The deck is built with ``map_style=None`` (no tile provider URL) and then given
    :data:`OFFLINE_MAP_STYLE`, an inline background-only style: without any map style
    Streamlit's frontend would fall back to Carto's internet basemap. The base layer is
    the tool's own boundaries (GeoJsonLayer).

    Each layer's data is a URL that deck.gl loads itself, not JSON objects inside the
    spec (the frontend parses the whole spec with a pure-JavaScript JSON5 parser and its
    converter walks every object of it, on every rerun):

    * with ``files`` (the app, with Streamlit's static file serving), a same-origin URL
      of a content-named file (:class:`MapFiles`): the spec stays a few kB, and a layer
      whose data did not change (the base map; the sites when only something else
      changed) keeps its URL and is neither sent nor loaded again. ``base`` is taken as
      never modified (it is the app's cached base map): its file name is remembered;
    * otherwise, with ``inline_data`` (default), a base64 ``data:`` URL (:func:`data_url`);
    * otherwise the objects themselves (pydeck's own way).
    """
    import json
    import urllib.parse

    import pydeck as pdk

    def data(obj: Any, kind: str, stable: bool = False) -> Any:
        if files is not None:
            return files.url(obj, kind, stable=stable)
        if not inline_data:
            return obj
        return data_url(obj)

    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            data=data(base["admin0"], "base", stable=True),
            id="base-admin0",
            stroked=False,
            filled=True,
            get_fill_color="properties.fill",
            pickable=False,
        )
    ]
    for i, gj in enumerate(shaded):
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                data=data(gj, "shaded"),
                id=f"shaded-{i}",
                stroked=False,
                filled=True,
                get_fill_color="properties.fill",
                pickable=True,
            )
        )
    n = len(points)
    v = dict(view) if view else view_state(points["lon"], points["lat"])
    # the columns the layers and the tooltip use (not the rank: less to send and parse)
    points = points[[c for c in ("lon", "lat", "r", "g", "b", "tip") if c in points.columns]]
    if n > SITE_SQUARES_ABOVE:
        # many sites: squares of a fixed ground size (a polygon layer: one draw call),
        # about 2 * radius_px wide at the initial zoom; see SITE_SQUARES_ABOVE
        r = radius_px if radius_px is not None else 3.0
        dlon = r * 360.0 / (512.0 * 2.0 ** float(v["zoom"]))
        dlat = dlon * math.cos(math.radians(float(np.clip(v["latitude"], -85.0, 85.0))))
        x, y = f"{dlon:.6g}", f"{dlat:.6g}"
        layers.append(
            pdk.Layer(
                "SolidPolygonLayer",
                data=data(points, "sites"),
                # another id than the circles': deck.gl keeps a layer's state by id
                id="sites-squares",
                # a closed, counter-clockwise ring as flat x, y pairs: deck.gl can skip
                # normalising it (_normalize=False)
                get_polygon=f"[lon - {x}, lat - {y}, lon + {x}, lat - {y}, lon + {x}, "
                f"lat + {y}, lon - {x}, lat + {y}, lon - {x}, lat - {y}]",
                position_format='"XY"',  # quoted: a string, not an expression
                _normalize=False,
                get_fill_color="[r, g, b]",
                filled=True,
                pickable=True,
                auto_highlight=True,
            )
        )
    else:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                data=data(points, "sites"),
                id="sites",
                get_position="[lon, lat]",
                get_fill_color="[r, g, b]",
                get_line_color=[40, 40, 40],
                stroked=True,
                line_width_min_pixels=1,
                radius_units="pixels",
                get_radius=radius_px if radius_px is not None else 7.0,
                pickable=True,
                auto_highlight=True,
            )
        )
    d = _compact_deck_class()(
        layers=layers,
        initial_view_state=pdk.ViewState(**v),
        map_style=None,
        map_provider=None,
        tooltip={"text": "{tip}"},
    )
    d.map_style = "data:application/json," + urllib.parse.quote(
        json.dumps(OFFLINE_MAP_STYLE, separators=(",", ":"))
    )
    return d
