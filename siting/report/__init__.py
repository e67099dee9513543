"""Site-comparison reports: HTML, PDF, XLSX, GeoPackage and GeoParquet.

:func:`write_report` turns a :class:`siting.pipeline.RunResult` into the deliverables an
analyst hands over (``docs/reports.md``):

* ``report.html``: one self-contained file (inline CSS, PNG charts embedded as base64, no
  script, no external resource): map, ranking, site cards, annual charts, assumptions,
  datasets, coverage and method notes;
* ``report.pdf``: the same HTML through WeasyPrint;
* ``report.xlsx``: one sheet per table, units in the headers, numbers stored as numbers,
  formula-like text neutralized;
* ``report.gpkg`` and ``report.parquet``: every result column, for desktop GIS.

Every file is written atomically (temporary file, then rename) inside the output
directory, never over an input file. The tables shared by the formats (ranking columns,
units, the annual series in long format, the before/after split) live in this module.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import ConfigError, OutputError

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "RANKING_COLUMNS",
    "AnnualArrays",
    "Column",
    "annual_split",
    "annual_table",
    "column_unit",
    "header",
    "ranking_table",
    "run_table",
    "site_order",
    "site_table",
    "write_report",
]

#: Format name -> file suffix.
FORMATS: dict[str, str] = {
    "html": ".html",
    "pdf": ".pdf",
    "xlsx": ".xlsx",
    "gpkg": ".gpkg",
    "parquet": ".parquet",
}
_ALIASES = {"geopackage": "gpkg", "geoparquet": "parquet", "excel": "xlsx", "htm": "html"}
#: Formats written when none are given.
DEFAULT_FORMATS: tuple[str, ...] = ("html", "pdf", "xlsx", "gpkg", "parquet")


# --------------------------------------------------------------------------------------
# units
# --------------------------------------------------------------------------------------

#: Units of the model, decision and join columns that the layer catalog does not list.
_UNITS: dict[str, str] = {
    "lat": "deg N",
    "lon": "deg E",
    "it_energy_mwh": "MWh",
    "facility_energy_mwh": "MWh",
    "pue_annual": "-",
    "pue": "-",
    "wue_onsite_l_per_kwh": "L/kWh IT",
    "water_onsite_m3": "m3",
    "water_offsite_m3": "m3",
    "water_scarcity_weighted_m3": "m3 world-eq",
    "water_scarcity_weighted_offsite_m3": "m3 world-eq",
    "water_scarcity_weighted_total_m3": "m3 world-eq",
    "water_scarcity_factor_offsite": "m3 world-eq/m3",
    "co2_scope2_t": "t CO2e",
    "co2_scope2_market_t": "t CO2e",
    "co2_embodied_t": "t CO2e",
    "energy_cost_usd": "USD",
    "water_l_per_gpu_hour": "L/GPU-h",
    "co2_kg_per_gpu_hour": "kg CO2e/GPU-h",
    "ewif_l_per_kwh": "L/kWh",
    "price_usd_per_mwh": "USD/MWh",
    "product_alive": "fraction of the year",
    "score": "0 best - 1 worst",
    "rank": "1 = best",
    "boundary_snap_km": "km",
    "aware_snap_km": "km",
    "weather_station_km": "km",
    "wet_bulb_sd_c": "C",
    "precip_mm_per_yr": "mm/yr",
    "aridity_index": "-",
    "elevation_m": "m",
    "year": "calendar year",
}
#: Column-name endings -> unit, used when no exact entry exists.
_SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_usd_per_mwh", "USD/MWh"),
    ("_g_per_kwh", "g CO2e/kWh"),
    ("_l_per_kwh", "L/kWh"),
    ("_mm_per_yr", "mm/yr"),
    ("_m3", "m3"),
    ("_mwh", "MWh"),
    ("_usd", "USD"),
    ("_pct", "%"),
    ("_km", "km"),
    ("_t", "t CO2e"),
    ("_c", "C"),
)
_NO_UNIT = {"text", "bool", "url", ""}


@lru_cache(maxsize=1)
def _catalog_units() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Units of the layer variables from the catalog: exact names and glob patterns."""
    exact: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    try:
        from siting.layers.catalog import load_catalog

        layers = list(load_catalog())
    except Exception:  # noqa: BLE001 - units are a nicety; a broken catalog is reported elsewhere
        layers = []
    for lyr in layers:
        for var in lyr.variables:
            unit = "" if var.unit.strip().lower() in _NO_UNIT else var.unit.strip()
            name = var.name.strip()
            m = re.fullmatch(r"([a-z0-9_]+?)(\d\d)\.\.([a-z0-9_]+?)(\d\d)", name)
            if m:  # "aware_cf_m01..aware_cf_m12"
                patterns.append((m.group(1) + "[0-9][0-9]", unit))
            elif "*" in name:
                patterns.append((name, unit))
            else:
                exact.setdefault(name, unit)
    return exact, tuple(patterns)


def column_unit(column: str) -> str:
    """Unit of a result column (``""`` for text, identifiers and flags).

    Parameters
    ----------
    column
        Column name of the joined / ranked table or of the annual dataset.

    Returns
    -------
    str
        E.g. ``"m3"``, ``"t CO2e"``, ``"-"`` (dimensionless) or ``""``.
    """
    c = str(column)
    if c.endswith("_after_product"):
        c = c[: -len("_after_product")]
    if c in _UNITS:
        return _UNITS[c]
    if c.startswith("norm_"):
        return "0 best - 1 worst"
    if re.fullmatch(r"(dry|wet)_bulb_c_m\d\d", c):
        return "C"
    exact, patterns = _catalog_units()
    if c in exact:
        return exact[c]
    for pat, unit in patterns:
        if fnmatch.fnmatchcase(c, pat):
            return unit
    for suffix, unit in _SUFFIX_UNITS:
        if c.endswith(suffix):
            return unit
    return ""


def header(column: str, unit: str | None = None) -> str:
    """Header text ``"column [unit]"`` (just ``column`` when it has no unit)."""
    u = column_unit(column) if unit is None else unit
    return f"{column} [{u}]" if u else str(column)


# --------------------------------------------------------------------------------------
# tables shared by the formats
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the ranking table.

    Parameters
    ----------
    column
        Column of ``RunResult.ranked``.
    label, unit
        Header text and unit shown next to it.
    fmt
        Display format: ``"int"``, ``"sig3"`` (3 significant digits), ``"fixed3"``
        (3 decimals) or ``"text"``.
    """

    column: str
    label: str
    unit: str
    fmt: str

    @property
    def header(self) -> str:
        """``"label [unit]"``."""
        return f"{self.label} [{self.unit}]" if self.unit else self.label


#: Columns of the ranking table, in order (those absent from a result are skipped).
RANKING_COLUMNS: tuple[Column, ...] = (
    Column("rank", "Rank", "1 = best", "int"),
    Column("site_id", "Site", "", "text"),
    Column("name", "Name", "", "text"),
    Column("country_iso3", "Country", "ISO3", "text"),
    Column("region_code", "Region", "ISO 3166-2", "text"),
    Column("score", "Score", "0 best - 1 worst", "fixed3"),
    Column("water_onsite_m3", "On-site water, lifetime", "m3", "sig3"),
    Column("water_scarcity_weighted_m3", "Scarcity-weighted water", "m3 world-eq", "sig3"),
    Column("water_offsite_m3", "Off-site water, lifetime", "m3", "sig3"),
    Column(
        "water_scarcity_weighted_total_m3", "Scarcity-weighted water, total", "m3 world-eq", "sig3"
    ),
    Column("co2_scope2_t", "Scope-2 CO2e (location)", "t CO2e", "sig3"),
    Column("co2_embodied_t", "Embodied CO2e", "t CO2e", "sig3"),
    Column("energy_cost_usd", "Energy cost", "USD", "sig3"),
    Column("pue_annual", "PUE", "-", "fixed3"),
    Column("wue_onsite_l_per_kwh", "On-site WUE", "L/kWh IT", "fixed3"),
    Column("grid_co2_g_per_kwh", "Grid intensity", "g CO2e/kWh", "sig3"),
    Column("price_usd_per_mwh", "Electricity price", "USD/MWh", "sig3"),
    Column("aware_cf", "AWARE CF", "m3 world-eq/m3", "sig3"),
    Column("bws_label", "Baseline water stress", "Aqueduct 4.0", "text"),
    Column("status", "Status", "", "text"),
)


def site_order(ranked: pd.DataFrame) -> pd.DataFrame:
    """Rows in report order: ranked sites by rank, then unranked, then excluded.

    ``siting.decide.rank`` already returns this order; sorting again keeps a hand-built or
    re-sorted table readable. Ties are broken by ``site_id``.
    """
    df = ranked
    if "rank" not in df.columns:
        return df.sort_values("site_id", kind="stable") if "site_id" in df.columns else df
    excluded = (
        df["excluded"].fillna(False).astype(bool).to_numpy()
        if "excluded" in df.columns
        else np.zeros(len(df), dtype=bool)
    )
    rank = pd.to_numeric(df["rank"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    group = np.where(excluded, 2, np.where(np.isfinite(rank), 0, 1))
    ids = df["site_id"].astype(str).to_numpy() if "site_id" in df.columns else np.arange(len(df))
    order = np.lexsort((ids, np.where(np.isfinite(rank), rank, 0.0), group))
    return df.iloc[order]


def ranking_columns(ranked: pd.DataFrame) -> list[Column]:
    """The :data:`RANKING_COLUMNS` present in ``ranked``."""
    return [c for c in RANKING_COLUMNS if c.column in ranked.columns]


def _note(row: pd.Series) -> str:
    """Why a site is excluded, unranked or incomplete (empty when none applies)."""
    parts = []
    if bool(row.get("excluded", False)) and not _blank(row.get("exclusion_reason")):
        parts.append(f"excluded: {row['exclusion_reason']}")
    elif not _blank(row.get("exclusion_reason")):
        parts.append(str(row["exclusion_reason"]))  # force-included ...
    note = row.get("rank_note")
    if not _blank(note) and note != "excluded":
        parts.append(str(note))
    elif not _blank(row.get("reason")) and not parts:
        parts.append(str(row["reason"]))
    return "; ".join(parts)


def _blank(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    if isinstance(v, float) and not np.isfinite(v):
        return True
    return isinstance(v, str) and not v.strip()


def ranking_table(ranked: pd.DataFrame) -> pd.DataFrame:
    """The ranking as a plain table: :data:`RANKING_COLUMNS` plus the decision columns.

    Returns
    -------
    pandas.DataFrame
        Columns named ``"label [unit]"``; numeric columns keep the model's full
        precision (formatting is the writer's job); ``excluded``, ``exclusion_reason``,
        ``rank_note`` and ``reason`` appended when present; ``note`` summarises them.
    """
    df = site_order(ranked)
    cols = ranking_columns(df)
    out = pd.DataFrame(index=range(len(df)))
    for c in cols:
        v = df[c.column].to_numpy()
        if c.fmt != "text":
            v = pd.to_numeric(df[c.column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out[c.header] = v
    for extra in ("excluded", "exclusion_reason", "rank_note", "reason"):
        if extra in df.columns:
            out[extra] = df[extra].to_numpy()
    out["note"] = [_note(r) for _, r in df.iterrows()]
    return out


def site_table(ranked: pd.DataFrame) -> pd.DataFrame:
    """Every result column of every site (geometry dropped; ``lat``/``lon`` kept)."""
    df = site_order(ranked)
    geom = getattr(df, "_geometry_column_name", None)
    keep = [c for c in df.columns if c != geom]
    out = pd.DataFrame(df[keep]).reset_index(drop=True)
    if geom is not None and geom in df.columns and not {"lat", "lon"} <= set(out.columns):
        g = df.geometry
        out.insert(1, "lon", g.x.to_numpy())
        out.insert(1, "lat", g.y.to_numpy())
    return out


def annual_table(annual: Any, site_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The annual series in long format: one row per (site, year), one column per variable.

    Parameters
    ----------
    annual
        ``Assessment.annual`` (xarray Dataset, dims ``site``, ``year``).
    site_ids
        Order of the sites (default: the dataset's order).

    Returns
    -------
    pandas.DataFrame
        ``site_id``, ``year`` and every variable of the dataset (float64).
    """
    ds = annual
    # `.values` (numpy, computed when lazy) rather than `.to_numpy()`, which imports dask
    # (~0.4 s) to ask whether the array is chunked
    sites = [str(s) for s in ds["site"].values]
    years = np.asarray(ds["year"].values)
    if site_ids is not None:
        pos = {s: i for i, s in enumerate(sites)}
        idx = [pos[str(s)] for s in site_ids if str(s) in pos]
    else:
        idx = list(range(len(sites)))
    n_y = len(years)
    data: dict[str, Any] = {
        "site_id": np.repeat(np.asarray(sites, dtype=object)[idx], n_y),
        "year": np.tile(years, len(idx)),
    }
    for name in ds.data_vars:
        arr = np.asarray(ds[name].transpose("site", "year").values, dtype=np.float64)
        data[str(name)] = arr[idx].reshape(-1)
    return pd.DataFrame(data)


#: Variables split into "while the product runs" and "after it is shut down".
SPLIT_VARIABLES = (
    "water_onsite_m3",
    "water_offsite_m3",
    "co2_scope2_t",
    "co2_embodied_t",
    "energy_cost_usd",
    "it_energy_mwh",
    "facility_energy_mwh",
)


def annual_split(annual: Any, summary_row: pd.Series, site_id: str) -> pd.DataFrame:
    """One site's annual series split into the parts before and after the product dies.

    A year the product runs all through (``product_alive == 1``) is all "before"; a year
    it never runs (``0``) is all "after". In the year the product is shut down the
    "after" part is the model's lifetime ``{variable}_after_product`` total minus the
    fully-after years, so that the years add up to the model's totals; where that
    residual is not usable (missing totals) the year is split by ``product_alive``.

    Parameters
    ----------
    annual
        ``Assessment.annual``.
    summary_row
        The site's row of the summary (for the ``_after_product`` totals).
    site_id
        The site.

    Returns
    -------
    pandas.DataFrame
        Index ``year``; for every variable of :data:`SPLIT_VARIABLES` present:
        ``{var}_before`` and ``{var}_after``; plus ``product_alive``.

    See Also
    --------
    AnnualArrays : the same for many sites, reading the dataset once.
    """
    arrays = AnnualArrays(annual.sel(site=[site_id]))
    return pd.DataFrame(arrays.split(0, summary_row), index=pd.Index(arrays.years, name="year"))


class AnnualArrays:
    """``Assessment.annual`` read once into (site, year) float64 arrays, to split many
    sites (:meth:`split`) without indexing the dataset per site.

    Attributes
    ----------
    years
        Calendar years (the dataset's ``year``).
    index
        Site id (as text) -> row; the first row where an id repeats.
    values
        Variable -> (site, year) float64 array: ``product_alive`` and every variable of
        :data:`SPLIT_VARIABLES` present.
    """

    def __init__(self, annual: Any) -> None:
        # ``.values``, not ``.to_numpy()``: the same array, without loading the
        # chunked-array machinery (dask) just to find there is none
        self.years = np.asarray(annual["year"].values)
        self.index: dict[str, int] = {}
        for i, s in enumerate(annual["site"].values):
            self.index.setdefault(str(s), i)
        self.values: dict[str, np.ndarray] = {}
        for var in ("product_alive", *SPLIT_VARIABLES):
            if var in annual.data_vars:
                da = annual[var].transpose("site", "year")
                self.values[var] = np.asarray(da.values, dtype=np.float64)

    def split(self, row: int, summary_row: Any) -> dict[str, np.ndarray]:
        """The columns of :func:`annual_split` for the site at ``row`` (``product_alive``,
        then ``{var}_before`` and ``{var}_after``), as arrays over :attr:`years`."""
        alive = self.values["product_alive"][row]
        out: dict[str, np.ndarray] = {"product_alive": alive}
        full_after = alive <= 0.0
        partial = (alive > 0.0) & (alive < 1.0)
        for var in SPLIT_VARIABLES:
            if var not in self.values:
                continue
            v = self.values[var][row]
            after = np.where(full_after, v, 0.0)
            if partial.any():
                total_after = summary_row.get(f"{var}_after_product", np.nan)
                try:
                    total_after = float(total_after)
                except (TypeError, ValueError):
                    total_after = np.nan
                resid = total_after - np.nansum(after)
                pv = np.where(partial, v, 0.0)
                if np.isfinite(resid) and np.nansum(pv) > 0:
                    share = np.clip(resid / np.nansum(pv), 0.0, 1.0)
                    after = after + pv * share
                else:
                    after = after + pv * (1.0 - alive) * partial
            after = np.where(np.isfinite(v), np.minimum(after, v), np.nan)
            out[f"{var}_before"] = v - after
            out[f"{var}_after"] = after
        return out


def _g(x: Any) -> str:
    return f"{x:,g}" if isinstance(x, int | float) and not isinstance(x, bool) else str(x)


def _fleet_text(f: Any) -> str:
    text = f"{int(f.gpus):,} x {f.gpu}, utilization {_g(f.utilization)}, refresh every "
    text += f"{_g(f.refresh_years)} years"
    try:
        text += f", design IT load {f.design_it_mw:,.1f} MW"
    except Exception:  # noqa: BLE001 - display only
        pass
    return text


def _facility_text(f: Any) -> str:
    text = f"{f.preset} {f.cooling} cooling, water model {f.water_model}"
    if getattr(f, "pue", None) is not None:
        text += f", fixed PUE {_g(f.pue)}"
    if getattr(f, "wue_onsite_l_per_kwh", None) is not None:
        text += f", fixed on-site WUE {_g(f.wue_onsite_l_per_kwh)} L/kWh"
    return text


def _scenario_text(s: Any) -> str:
    if s.product_years is None:
        product = "the product survives the commitment"
    else:
        product = f"product shut down after {_g(s.product_years)} years, then '{s.after}'"
    return (
        f"{s.commitment_years}-year commitment from {s.start_year}; {product}; grid "
        f"decarbonization {_g(s.grid_decarbonization_per_yr)}/yr; price escalation "
        f"{_g(s.price_escalation_per_yr)}/yr; carbon-free share {_g(s.carbon_free_share)}; "
        f"grid pathway {getattr(s, 'grid_pathway', 'current')}; embodied carbon "
        f"{getattr(s, 'embodied', 'purchase')}"
    )


def run_table(result: Any) -> pd.DataFrame:
    """The run's settings as (item, value): inputs, fleet, facility, scenario, decision."""
    from siting import __version__

    rows: list[tuple[str, Any]] = [("siting version", __version__)]
    for i, p in enumerate(getattr(result, "inputs", []) or []):
        rows.append((f"input {i + 1}", Path(str(p)).name))
    ranked = result.ranked
    rows.append(("sites", len(ranked)))
    if "excluded" in ranked.columns:
        rows.append(("sites excluded", int(ranked["excluded"].fillna(False).astype(bool).sum())))
    if "status" in ranked.columns:
        rows.append(("sites incomplete", int((ranked["status"] == "incomplete").sum())))
    for label, obj, text in (
        ("fleet", getattr(result, "fleet", None), _fleet_text),
        ("facility", getattr(result, "facility", None), _facility_text),
        ("scenario", getattr(result, "scenario", None), _scenario_text),
    ):
        if obj is not None:
            try:
                rows.append((label, text(obj)))
            except AttributeError:  # a configuration object of another shape
                rows.append((label, str(obj)))
    w = ranked.attrs.get("weights") or getattr(result, "weights", {}) or {}
    if w:
        rows.append(("weights (normalised)", ", ".join(f"{k}={v:.3g}" for k, v in w.items())))
    rows.append(("exclusions", exclusions_text(getattr(result, "exclusions", None))))
    return pd.DataFrame(rows, columns=["item", "value"])


def exclusions_text(exclusions: Any) -> str:
    """Human-readable exclusion rules (``"none"`` when there are none)."""
    try:
        from siting.decide import ExclusionSpec

        d = ExclusionSpec.from_any(exclusions or None).to_dict()
    except Exception:  # noqa: BLE001 - display only; the ranking already validated them
        return str(exclusions) if exclusions else "none"
    parts = []
    if d["exclude"]:
        parts.append("exclude if " + " or ".join(d["exclude"]))
    if d["include_only"]:
        parts.append("include only if " + " and ".join(d["include_only"]))
    if d["force_include"]:
        parts.append("force-include " + ", ".join(d["force_include"]))
    return "; ".join(parts) if parts else "none"


# --------------------------------------------------------------------------------------
# writer
# --------------------------------------------------------------------------------------


def _formats(formats: str | Iterable[str]) -> list[str]:
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for f in items:
        key = str(f).strip().lower().lstrip(".")
        if not key:
            continue
        key = _ALIASES.get(key, key)
        if key not in FORMATS:
            raise ConfigError(
                f"unknown report format {f!r}; known formats: {', '.join(FORMATS)}",
                field="format",
            )
        if key not in out:
            out.append(key)
    if not out:
        raise ConfigError(f"give at least one report format ({', '.join(FORMATS)})", field="format")
    return out


def write_report(
    result: Any,
    out_dir: str | os.PathLike,
    formats: str | Iterable[str] = DEFAULT_FORMATS,
    *,
    top_n: int | None = 30,
    name: str = "report",
    portfolio: Any = None,
) -> dict[str, Path]:
    """Write the site-comparison report of a run.

    Parameters
    ----------
    result
        :class:`siting.pipeline.RunResult` (``ranked``, ``assessment``, ``coverage``,
        ``datasets``, ``inputs``, ...).
    out_dir
        Output directory (created if needed). Every file is written inside it.
    formats
        Any of ``html``, ``pdf``, ``xlsx``, ``gpkg``, ``parquet`` (a sequence or a
        comma-separated string; ``geopackage``/``geoparquet`` accepted).
    top_n
        Site cards (HTML/PDF) and the XLSX ``explain`` sheet only for the first ``top_n``
        sites in rank order; ``None`` for every site. Every other table lists every site.
    name
        File name stem: ``{name}.html``, ``{name}.pdf``, ...
    portfolio
        Optional :class:`siting.decide.PortfolioResult` (:func:`siting.portfolio`): adds a
        portfolio section (table and map) to HTML/PDF, two sheets to the workbook and a
        ``portfolio`` layer to the GeoPackage.

    Returns
    -------
    dict of str to pathlib.Path
        Format -> path written.

    Raises
    ------
    ConfigError
        Unknown format or a bad ``top_n``.
    OutputError
        A target outside ``out_dir`` or equal to an input file (nothing is written then).
    """
    from siting.safe_io import safe_output_path

    fmts = _formats(formats)
    if top_n is not None and (
        isinstance(top_n, bool) or not isinstance(top_n, int | np.integer) or top_n < 0
    ):
        raise ConfigError(f"must be a whole number >= 0 or None, got {top_n!r}", field="top_n")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError("the output directory is an existing file", file=out)
    inputs = list(getattr(result, "inputs", []) or [])
    # resolve (and refuse) every target before anything is written
    targets = {f: safe_output_path(out, f"{name}{FORMATS[f]}", inputs) for f in fmts}
    out.mkdir(parents=True, exist_ok=True)

    written: dict[str, Path] = {}
    html_text: str | None = None
    if "html" in fmts or "pdf" in fmts:
        from siting.report.html import render_html

        html_text = render_html(result, top_n=top_n, portfolio=portfolio)
    for f in fmts:
        path = targets[f]
        if f == "html":
            from siting.report.html import write_html

            written[f] = write_html(html_text, path)
        elif f == "pdf":
            from siting.report.pdf import write_pdf

            written[f] = write_pdf(html_text, path)
        elif f == "xlsx":
            from siting.report.xlsx import write_xlsx

            written[f] = write_xlsx(result, path, explain_top_n=top_n, portfolio=portfolio)
        elif f == "gpkg":
            from siting.report.gis import write_gpkg

            written[f] = write_gpkg(result, path, portfolio=portfolio)
        elif f == "parquet":
            from siting.report.gis import write_parquet

            written[f] = write_parquet(result, path)
    return written
