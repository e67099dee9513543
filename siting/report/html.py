"""The self-contained HTML report (Jinja2, autoescape on).

Everything a reader needs is in one file: inline CSS, charts as PNG data URIs, no script
and no external resource. User text (site ids, names, notes, file names, any user column)
only ever reaches the page through Jinja2's autoescaping: a site called
``<script>alert(1)</script>`` is shown as that text.

:func:`render_html` builds the page; :func:`write_html` writes it atomically. The same
string is what :mod:`siting.report.pdf` prints.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from siting.report import (
    _note,
    exclusions_text,
    ranking_columns,
    run_table,
    site_order,
)

__all__ = [
    "build_context",
    "format_number",
    "format_value",
    "render_html",
    "write_html",
]

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_MISSING = "n/a"


# --------------------------------------------------------------------------------------
# number formatting
# --------------------------------------------------------------------------------------


def _finite(x: Any) -> float | None:
    if x is None or x is pd.NA or isinstance(x, bool | np.bool_ | str):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def format_number(x: Any, fmt: str = "sig3") -> str:
    """Format a number for display, with thousands separators.

    Parameters
    ----------
    x
        The value (NaN, None and non-numbers give ``"n/a"``).
    fmt
        ``"int"`` (rounded to a whole number), ``"sig3"``/``"sig4"``/``"sig6"`` (that many
        significant digits), ``"fixed1"``/``"fixed3"`` (that many decimals) or ``"pct1"``
        (a fraction shown in percent with one decimal).

    Returns
    -------
    str
        E.g. ``format_number(7887345.2) == "7,890,000"``,
        ``format_number(0.025646, "fixed3") == "0.026"``.
    """
    v = _finite(x)
    if v is None:
        return _MISSING
    if fmt == "int":
        return f"{round(v):,}"
    if fmt.startswith("fixed"):
        return f"{v:,.{int(fmt[5:])}f}"
    if fmt == "pct1":
        return f"{100.0 * v:,.1f}"
    if fmt.startswith("sig"):
        n = int(fmt[3:])
        if v == 0:
            return "0"
        e = math.floor(math.log10(abs(v)))
        decimals = n - 1 - e
        if e < -4:  # below 1e-4 only: 0.02 reads "0.02", not "2.00000e-02"
            return f"{v:.{min(n, 3) - 1}e}"
        if decimals <= 0:
            return f"{round(v, decimals):,.0f}"
        return f"{v:,.{decimals}f}"
    raise ValueError(f"unknown number format {fmt!r}")


def _is_year_name(name: str | None) -> bool:
    n = (name or "").lower()
    return n == "year" or n.endswith("_year") or n.startswith("year_")


def format_value(v: Any, name: str | None = None) -> str:
    """Format any cell value: numbers with :func:`format_number` (6 significant digits at
    most, whole numbers exact), booleans as yes/no, missing as ``"n/a"``, text as is.

    ``name`` is the parameter or column the value belongs to: a calendar year
    (``start_year``, ``year``...) is written without a thousands separator (2031)."""
    if v is None or v is pd.NA:
        return _MISSING
    if (
        _is_year_name(name)
        and isinstance(v, int | float | np.integer | np.floating)
        and float(v).is_integer()
    ):
        return str(int(v))
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        if not math.isfinite(float(v)):
            return _MISSING
        if float(v).is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        text = format_number(v, "sig6")
        return text if "e" in text else text.rstrip("0").rstrip(".")
    return str(v)


def _text(v: Any) -> str:
    if v is None or v is pd.NA:
        return ""
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    return str(v)


def _truthy(v: Any) -> bool:
    if v is None or v is pd.NA:
        return False
    if isinstance(v, float) and not math.isfinite(v):
        return False
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    return bool(v)


def _assumption_kind(source: Any) -> str:
    s = _text(source).strip().lower()
    if s == "user override":
        return "user override"
    if "assumption" in s:
        return "assumption"
    if s.startswith("proxy"):
        return "proxy"
    if s.startswith("calibrated"):
        return "calibrated"
    return ""


# --------------------------------------------------------------------------------------
# context
# --------------------------------------------------------------------------------------


def _cell(text: str, *, num: bool = False, flag: str = "", href: str = "") -> dict[str, Any]:
    return {"text": text, "num": num, "flag": flag, "href": href}


def _ranking(ranked: pd.DataFrame, card_ids: dict[str, str]) -> dict[str, Any]:
    cols = ranking_columns(ranked)
    headers = [
        {"label": c.label, "unit": c.unit, "col": c.column, "num": c.fmt != "text"} for c in cols
    ]
    headers.append({"label": "Note", "unit": "", "col": "note", "num": False})
    rows = []
    for _, r in ranked.iterrows():
        sid = str(r["site_id"])
        excluded = _truthy(r.get("excluded", False))
        cells = []
        for c in cols:
            v = r[c.column]
            if c.column == "rank" and _finite(v) is None:
                cells.append(_cell("excluded" if excluded else "unranked", num=True))
                continue
            if c.fmt == "text":
                href = f"#{card_ids[sid]}" if c.column == "site_id" and sid in card_ids else ""
                cells.append(_cell(_text(v), href=href))
                continue
            flag = ""
            if c.column == "price_usd_per_mwh":
                if _text(r.get("price_level", "")) == "assumption":
                    flag = "assumption"
                elif _truthy(r.get("price_indicative", False)):
                    flag = "indicative"
            cells.append(_cell(format_number(v, c.fmt), num=True, flag=flag))
        cells.append(_cell(_note(r)))
        unscored = _finite(r.get("score")) is None or _finite(r.get("rank")) is None
        cls = "excluded" if excluded else ("unranked" if unscored else "")
        rows.append({"site": sid, "cls": cls, "cells": cells})
    excluded_rows = []
    if "excluded" in ranked.columns:
        for _, r in ranked.loc[ranked["excluded"].fillna(False).astype(bool)].iterrows():
            excluded_rows.append(
                {
                    "site": str(r["site_id"]),
                    "name": _text(r.get("name", "")),
                    "reason": _text(r.get("exclusion_reason", "")),
                }
            )
    return {"headers": headers, "rows": rows, "excluded": excluded_rows}


#: (label, column, unit, split) rows of a site card's totals table.
_CARD_TOTALS: tuple[tuple[str, str, str, bool], ...] = (
    ("IT energy", "it_energy_mwh", "MWh", True),
    ("Facility energy", "facility_energy_mwh", "MWh", True),
    ("PUE (energy-weighted)", "pue_annual", "-", True),
    ("On-site water", "water_onsite_m3", "m3", True),
    ("On-site WUE", "wue_onsite_l_per_kwh", "L/kWh IT", True),
    ("Off-site water (power plants)", "water_offsite_m3", "m3", True),
    ("Scarcity-weighted on-site water", "water_scarcity_weighted_m3", "m3 world-eq", False),
    (
        "Scarcity-weighted off-site water",
        "water_scarcity_weighted_offsite_m3",
        "m3 world-eq",
        False,
    ),
    ("Scarcity-weighted water, total", "water_scarcity_weighted_total_m3", "m3 world-eq", False),
    ("Scope-2 CO2e, location-based", "co2_scope2_t", "t CO2e", True),
    ("Scope-2 CO2e, market-based", "co2_scope2_market_t", "t CO2e", False),
    ("Embodied CO2e (GPU purchases)", "co2_embodied_t", "t CO2e", True),
    ("Energy cost", "energy_cost_usd", "USD", True),
    ("Water per delivered GPU-hour", "water_l_per_gpu_hour", "L/GPU-h", False),
    ("CO2e per delivered GPU-hour", "co2_kg_per_gpu_hour", "kg CO2e/GPU-h", False),
)
#: ratio rows: (numerator, denominator); "while the product runs" = ratio of the differences
_RATIOS = {
    "pue_annual": ("facility_energy_mwh", "it_energy_mwh"),
    "wue_onsite_l_per_kwh": ("water_onsite_m3", "it_energy_mwh"),
}


def _card_totals(r: pd.Series) -> list[dict[str, Any]]:
    rows = []
    for label, col, unit, split in _CARD_TOTALS:
        if col not in r.index:
            continue
        total = _finite(r[col])
        after = _finite(r.get(f"{col}_after_product")) if split else None
        fmt = "fixed3" if col in _RATIOS else "sig3"
        before: float | None = None
        share: float | None = None
        if split and total is not None and col in _RATIOS:
            num, den = _RATIOS[col]
            n_t, n_a = _finite(r.get(num)), _finite(r.get(f"{num}_after_product"))
            d_t, d_a = _finite(r.get(den)), _finite(r.get(f"{den}_after_product"))
            if None not in (n_t, n_a, d_t, d_a) and d_t - d_a > 0:
                before = (n_t - n_a) / (d_t - d_a)  # m3/MWh == L/kWh
        elif split and total is not None and after is not None:
            before = total - after
            share = after / total if total else None
        flag = ""
        if col == "energy_cost_usd" and _text(r.get("price_level", "")) == "assumption":
            flag = "assumption"
        if col == "water_offsite_m3" and _text(r.get("ewif_level", "")) == "assumption":
            flag = "assumption"
        rows.append(
            {
                "label": label,
                "col": col,
                "unit": unit,
                "total": format_number(total, fmt),
                "before": format_number(before, fmt) if split else "",
                "after": format_number(after, fmt) if split else "",
                "share": format_number(share, "pct1") if share is not None else "",
                "flag": flag,
            }
        )
    return rows


def _card_flags(r: pd.Series) -> list[dict[str, str]]:
    flags = []
    if _text(r.get("status", "")) == "incomplete":
        flags.append({"kind": "warn", "text": f"incomplete: {_text(r.get('reason', ''))}"})
    if _truthy(r.get("excluded", False)):
        flags.append({"kind": "warn", "text": f"excluded: {_text(r.get('exclusion_reason'))}"})
    elif _text(r.get("exclusion_reason", "")):
        flags.append({"kind": "info", "text": _text(r.get("exclusion_reason"))})
    note = _text(r.get("rank_note", ""))
    if note and note != "excluded":
        flags.append({"kind": "warn", "text": f"not ranked: {note}"})
    loc = _text(r.get("location_flag", ""))
    if loc:
        flags.append({"kind": "warn", "text": f"location: {loc}"})
    if _truthy(r.get("boundary_snapped", False)):
        km = _finite(r.get("boundary_snap_km"))
        dist = f" ({format_number(km, 'sig3')} km)" if km is not None else ""
        flags.append({"kind": "info", "text": f"snapped to the nearest land boundary{dist}"})
    if _text(r.get("price_level", "")) == "assumption":
        flags.append(
            {"kind": "assumption", "text": "electricity price is an assumption (no price data)"}
        )
    elif _truthy(r.get("price_indicative", False)):
        flags.append({"kind": "info", "text": "indicative price (compiled, non-official)"})
    if _text(r.get("ewif_level", "")) == "assumption":
        flags.append(
            {"kind": "assumption", "text": "off-site water uses the fallback EWIF (assumption)"}
        )
    lvl = _text(r.get("climate_level", ""))
    if lvl == "estimate_monthly":
        flags.append({"kind": "info", "text": "wet-bulb estimated from monthly climate"})
    return flags


_FACTS = (
    ("Latitude, longitude", None),
    ("Country", "country"),
    ("Region", "region"),
    ("Grid zone", "grid_zone"),
    ("Koppen-Geiger zone", "koppen_zone"),
    ("Elevation [m]", "elevation_m"),
    ("Weather station", "weather_station_name"),
)


def _card_facts(r: pd.Series) -> list[tuple[str, str]]:
    out = []
    lat, lon = _finite(r.get("lat")), _finite(r.get("lon"))
    if (lat is None or lon is None) and "geometry" in r.index and r["geometry"] is not None:
        try:
            lat, lon = float(r["geometry"].y), float(r["geometry"].x)
        except Exception:  # noqa: BLE001 - a non-point geometry: no coordinates shown
            lat = lon = None
    if lat is not None and lon is not None:
        out.append(("Latitude, longitude [deg]", f"{lat:.4f}, {lon:.4f}"))
    name, iso = _text(r.get("country_name", "")), _text(r.get("country_iso3", ""))
    if name or iso:
        out.append(("Country", f"{name} ({iso})" if name and iso else name or iso))
    rname, rcode = _text(r.get("region_name", "")), _text(r.get("region_code", ""))
    if rname or rcode:
        out.append(("Region", f"{rname} ({rcode})" if rname and rcode else rname or rcode))
    for label, col in _FACTS[3:]:
        v = r.get(col)
        if v is None or (isinstance(v, float) and not math.isfinite(v)) or _text(v) == "":
            continue
        out.append((label, format_value(v) if col == "elevation_m" else _text(v)))
    if _finite(r.get("score")) is not None:
        out.append(("Score [0 best - 1 worst]", format_number(r["score"], "fixed3")))
    return out


def _card_sources(r: pd.Series) -> list[dict[str, str]]:
    try:
        from siting.decide import explain
    except ImportError:  # pragma: no cover - decide is part of the package
        return []
    # the layer rows depend on the site's row alone: no assessment, so ``explain``
    # skips the run's assumption rows (not shown here)
    table = explain(r, None)
    rows = []
    cols = (table[c].tolist() for c in ("section", "item", "value", "unit", "source"))
    for section, item, value, unit, source in zip(*cols, strict=True):
        if section != "layer":
            continue
        text = format_number(value, "sig3") if _finite(value) is not None else _text(value)
        if text == "":
            text = _MISSING
        rows.append(
            {
                "item": str(item),
                "value": text,
                "unit": _text(unit),
                "source": _text(source),
                "flag": _assumption_kind(source),
            }
        )
    return rows


class _UserColumns:
    """The site as given in the input (``RunResult.sites``), by site id: the table's
    ids are read once, not compared per card."""

    def __init__(self, result: Any) -> None:
        sites = getattr(result, "sites", None)
        self.sites = None
        self.row: dict[str, int] = {}
        if sites is None or "site_id" not in getattr(sites, "columns", []):
            return
        self.sites = sites
        for i, sid in enumerate(sites["site_id"].astype(str)):
            self.row.setdefault(sid, i)  # the first row of an id, as before
        geom = getattr(sites, "_geometry_column_name", None)
        self.columns = [c for c in sites.columns if c not in ("site_id", "lat", "lon", geom)]

    def __call__(self, sid: str) -> list[tuple[str, str]]:
        if self.sites is None or sid not in self.row:
            return []
        row = self.sites.iloc[self.row[sid]]
        out = []
        for c in self.columns:
            v = row[c]
            if v is None or v is pd.NA or (isinstance(v, float) and not math.isfinite(v)):
                continue
            out.append((str(c), format_value(v, str(c)) if not isinstance(v, str) else v))
        return out


def _cards(result: Any, ranked: pd.DataFrame, top_n: int | None) -> list[dict[str, Any]]:
    from siting.report.charts import SiteChartRenderer

    assessment = result.assessment
    annual = getattr(assessment, "annual", None)
    scenario = getattr(assessment, "scenario", None)
    rows = ranked if top_n is None else ranked.iloc[:top_n]
    renderer = SiteChartRenderer(annual, scenario) if annual is not None and len(rows) else None
    given = _UserColumns(result)
    cards = []
    for i, (_, r) in enumerate(rows.iterrows()):
        sid = str(r["site_id"])
        rank = _finite(r.get("rank"))
        chart = renderer.render(r, sid) if renderer is not None else None
        cards.append(
            {
                "id": f"site-{i + 1}",
                "site": sid,
                "rank": f"#{int(rank)}" if rank is not None else "",
                "name": _text(r.get("name", "")) if "name" in r.index else "",
                "flags": _card_flags(r),
                "facts": _card_facts(r),
                "totals": _card_totals(r),
                "chart": chart,
                "sources": _card_sources(r),
                "given": given(sid),
            }
        )
    return cards


def _assumptions(assessment: Any) -> list[dict[str, str]]:
    df = getattr(assessment, "assumptions", None)
    if not isinstance(df, pd.DataFrame):
        return []
    rows = []
    for rec in df.itertuples(index=False):
        value = rec.value
        rows.append(
            {
                "parameter": _text(rec.parameter),
                "value": "none" if value is None else format_value(value, _text(rec.parameter)),
                "unit": _text(getattr(rec, "unit", "")),
                "source": _text(getattr(rec, "source", "")),
                "flag": _assumption_kind(getattr(rec, "source", "")),
            }
        )
    return rows


_DATASET_COLUMNS = (
    ("layer", "Layer"),
    ("title", "Title"),
    ("level", "Level"),
    ("vintage", "Vintage"),
    ("source", "Source"),
    ("licence", "Licence"),
    ("citation", "Citation"),
    ("url", "URL"),
    ("sha256", "Checksum (SHA-256)"),
)


def _datasets(result: Any) -> dict[str, Any]:
    df = getattr(result, "datasets", None)
    cols = [(c, label) for c, label in _DATASET_COLUMNS]
    rows = []
    if isinstance(df, pd.DataFrame):
        for _, r in df.iterrows():
            rows.append([_text(r.get(c, "")) for c, _ in cols])
    return {"headers": [label for _, label in cols], "cols": [c for c, _ in cols], "rows": rows}


def _coverage(result: Any) -> dict[str, Any]:
    df = getattr(result, "coverage", None)
    headers = ["Family", "Level", "Layer", "Sites", "Share [%]"]
    rows = []
    if isinstance(df, pd.DataFrame) and len(df):
        for _, r in df.iterrows():
            rows.append(
                [
                    _text(r.get("family", "")),
                    _text(r.get("level", "")),
                    _text(r.get("layer", "")),
                    format_number(r.get("sites"), "int"),
                    format_number(r.get("share"), "pct1"),
                ]
            )
    return {"headers": headers, "rows": rows}


def _weights(ranked: pd.DataFrame, result: Any) -> list[dict[str, str]]:
    w = ranked.attrs.get("weights") or {}
    crit = ranked.attrs.get("criteria") or {}
    if not w:
        raw = getattr(result, "weights", {}) or {}
        total = sum(float(v) for v in raw.values()) or 1.0
        w = {k: float(v) / total for k, v in raw.items()}
    labels = {}
    try:
        from siting.decide import CRITERIA

        labels = {k: c.label for k, c in CRITERIA.items()}
    except ImportError:  # pragma: no cover
        pass
    return [
        {
            "key": str(k),
            "label": labels.get(k, str(k)),
            "column": _text(crit.get(k, {}).get("column", "")),
            "unit": _text(crit.get(k, {}).get("unit", "")),
            "weight": format_number(v, "fixed3"),
        }
        for k, v in w.items()
    ]


def build_context(result: Any, *, top_n: int | None = 30, portfolio: Any = None) -> dict[str, Any]:
    """Everything the template shows, as plain strings and lists (no formatting left).

    Parameters
    ----------
    result
        :class:`siting.pipeline.RunResult`.
    top_n
        Cards only for the first ``top_n`` sites in rank order (``None``: all).
    portfolio
        Optional :class:`siting.decide.PortfolioResult`: adds the portfolio section.
    """
    from siting.report import charts
    from siting.report.method_notes import NOTES, REFERENCES

    ranked = site_order(result.ranked)
    assessment = result.assessment
    annual = getattr(assessment, "annual", None)
    scenario = getattr(assessment, "scenario", None)
    n_cards = len(ranked) if top_n is None else min(top_n, len(ranked))
    card_ids = {str(s): f"site-{i + 1}" for i, s in enumerate(ranked["site_id"].iloc[:n_cards])}
    top_ids = [str(s) for s in ranked["site_id"].iloc[: min(n_cards, 8)]]
    split_ids = [str(s) for s in ranked["site_id"].iloc[: min(max(n_cards, 1), 20)]]
    overview = None
    if annual is not None and top_ids:
        overview = charts.overview_chart(annual, ranked, scenario, top_ids)
    stop = charts.shutdown_year(scenario)
    if scenario is None:
        product = ""
    elif scenario.product_years is None or stop is None:
        product = "The product survives the whole commitment: nothing is incurred after it."
    else:
        product = (
            f"The product is shut down after {format_value(float(scenario.product_years))} "
            f"years (in {format_value(stop, 'year')}); the facility is then "
            f"'{scenario.after}' until the end of the {scenario.commitment_years}-year commitment."
        )
    run = [
        (str(a), format_value(b, str(a)) if not isinstance(b, str) else b)
        for a, b in run_table(result).itertuples(index=False)
    ]
    return {
        "title": "GPU data-center siting report",
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "run": run,
        "product": product,
        "n_sites": len(ranked),
        "n_cards": n_cards,
        "map": charts.site_map(ranked, labels=max(n_cards, 0)) if len(ranked) else None,
        "ranking": _ranking(ranked, card_ids),
        "futures": futures_context(result, ranked),
        "weights": _weights(ranked, result),
        "exclusions": exclusions_text(getattr(result, "exclusions", None)),
        "overview_chart": overview,
        "split_chart": charts.split_chart(ranked, split_ids) if split_ids else None,
        "n_overview": len(top_ids),
        "n_split": len(split_ids),
        "cards": _cards(result, ranked, n_cards),
        "assumptions": _assumptions(assessment),
        "datasets": _datasets(result),
        "coverage": _coverage(result),
        "notes": NOTES,
        "references": REFERENCES,
        "portfolio": _portfolio(portfolio),
        "cooling": _cooling(result, ranked),
        "large": _large(result),
    }


def _cooling(result: Any, ranked: pd.DataFrame) -> dict[str, Any] | None:
    from siting.report.cooling_section import cooling_context

    return cooling_context(result, ranked)


def _large(result: Any):
    from siting.report.large_section import large_context

    return large_context(result)


def _portfolio(pr: Any) -> dict[str, Any] | None:
    if pr is None:
        return None
    from siting.report.portfolio import portfolio_context

    return portfolio_context(pr)


def futures_context(result: Any, ranked: pd.DataFrame):
    from siting.report.futures_section import futures_context as build

    return build(result, ranked)


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(
            enabled_extensions=("html", "j2", "html.j2"), default_for_string=True, default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(result: Any, *, top_n: int | None = 30, portfolio: Any = None) -> str:
    """The report as one self-contained HTML string.

    Parameters
    ----------
    result
        :class:`siting.pipeline.RunResult`.
    top_n
        Site cards only for the first ``top_n`` sites (``None``: every site); the tables
        always list every site.
    portfolio
        Optional :class:`siting.decide.PortfolioResult` (adds the portfolio section).
    """
    env = _environment()
    template = env.get_template("report.html.j2")
    return template.render(**build_context(result, top_n=top_n, portfolio=portfolio))


def write_html(html: str, path: str | os.PathLike) -> Path:
    """Write ``html`` to ``path`` atomically (UTF-8)."""
    from siting.safe_io import atomic_write

    data = html.encode("utf-8")
    return atomic_write(Path(path), lambda tmp: tmp.write_bytes(data))
