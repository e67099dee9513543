"""Why this number: the layer values and assumptions behind a site's totals.

:func:`explain` returns, for one site, a table with one row per quantity:

* ``total``: the lifetime totals and their after-product parts (model output), each with
  the equation that produced it;
* ``layer``: the site's own inputs (grid intensity, EWIF, price, water stress, climate,
  boundaries), each with its source from :func:`siting.provenance.source_of`
  (``layer (level, vintage)``, ``assumption``, ``user override`` or ``missing: why``);
* ``assumption``: the fleet, facility and scenario parameters of the run
  (``Assessment.assumptions``), each with its citation, ``assumption...`` or
  ``user override``;
* ``decision``: score, rank, exclusion and normalised criteria when the row was ranked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from siting.errors import ConfigError
from siting.model import SUMMARY_TOTALS
from siting.provenance import source_of

__all__ = ["explain"]

_MODEL = "model output: siting.model.assess (docs/method_model.md)"

#: total column -> (unit, how it is computed)
_TOTALS: dict[str, tuple[str, str]] = {
    "it_energy_mwh": ("MWh", "fleet power x load fraction x hours, summed over the commitment"),
    "facility_energy_mwh": ("MWh", "IT energy x PUE of each period"),
    "pue_annual": ("-", "facility energy / IT energy over the commitment"),
    "wue_onsite_l_per_kwh": ("L/kWh IT", "on-site water / IT energy over the commitment"),
    "water_onsite_m3": ("m3", "IT energy x on-site WUE (climate and cooling technology)"),
    "water_offsite_m3": ("m3", "facility energy x EWIF"),
    "water_scarcity_weighted_m3": ("m3 world-eq", "water_onsite_m3 x water_scarcity_factor"),
    "water_scarcity_weighted_offsite_m3": (
        "m3 world-eq",
        "water_offsite_m3 x water_scarcity_factor_offsite (grid region)",
    ),
    "water_scarcity_weighted_total_m3": (
        "m3 world-eq",
        "on-site + off-site scarcity-weighted water",
    ),
    "co2_scope2_t": ("t CO2e", "facility energy x grid intensity of each year (location-based)"),
    "co2_scope2_market_t": ("t CO2e", "scope 2 after the contracted carbon-free share"),
    "co2_embodied_t": ("t CO2e", "GPU purchases (initial + refreshes) x embodied per GPU"),
    "energy_cost_usd": ("USD", "facility energy x electricity price (escalated)"),
    "water_l_per_gpu_hour": ("L/GPU-h", "(on-site + off-site water) / delivered GPU-hours"),
    "co2_kg_per_gpu_hour": ("kg CO2e/GPU-h", "(scope 2 + embodied) / delivered GPU-hours"),
}
_AFTER = SUMMARY_TOTALS

#: layer column -> unit
_LAYERS: dict[str, str] = {
    "country_iso3": "-",
    "region_code": "-",
    "grid_co2_g_per_kwh": "g CO2e/kWh",
    "grid_zone": "-",
    "ewif_l_per_kwh": "L/kWh",
    "price_usd_per_mwh": "USD/MWh",
    "water_scarcity_factor": "m3 world-eq / m3",
    "aware_cf": "m3 world-eq / m3",
    "bws_score": "0-5",
    "bws_cat": "-1..4",
    "bws_label": "-",
    "sdg642_water_stress_pct": "% of available freshwater withdrawn",
    "wet_bulb_sd_c": "C",
    "climate_level": "-",
}


def _num(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def _numbers(row: pd.Series, cols: list[str]) -> np.ndarray:
    """``row[cols]`` as floats (``pd.to_numeric(..., errors="coerce")``), read cell by
    cell: a list lookup on a wide row's index costs more than the values."""
    values = pd.array([row[c] for c in cols], dtype=object)
    return np.asarray(pd.to_numeric(values, errors="coerce"), dtype=float)


def _climate_source(row: pd.Series) -> str:
    # every climate column belongs to the 'climate' family (docs/columns.md)
    return source_of(row, "climate")


def _ewif_source(row: pd.Series) -> str:
    level = str(row.get("ewif_level", ""))
    if level == "fuel_mix_macknick2012":
        mix = row.get("mix_layer", "")
        mix_src = f"fuel mix from {mix}" if isinstance(mix, str) and mix else "fuel mix"
        return (
            f"{mix_src} x Macknick et al. (2012) Environ. Res. Lett. 7 045802 median "
            "consumption factors (data/ewif_macknick2012.csv)"
        )
    if level == "assumption":
        return "assumption (EWIF fallback where no fuel mix or EWIF is known)"
    if level == "layer":
        return "site table column ewif_l_per_kwh (layer or user value)"
    return level or "unknown"


def _price_source(row: pd.Series) -> str:
    if str(row.get("price_level", "")) == "assumption":
        return "assumption (scenario price_usd_per_mwh_default: no price data at the site)"
    return source_of(row, "price_usd_per_mwh")


def explain(
    site: str | pd.Series,
    assessment: Any = None,
    *,
    summary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The layer values and assumptions that produce one site's totals.

    Parameters
    ----------
    site
        A ``site_id`` or a row of the summary (a :class:`pandas.Series`, e.g. a row of
        :func:`siting.decide.rank` output).
    assessment
        :class:`siting.model.Assessment` of the run (gives the summary when ``site`` is an
        id, and the assumptions table).
    summary
        Summary to look ``site`` up in, instead of ``assessment.summary`` (e.g. the
        ranked table).

    Returns
    -------
    pandas.DataFrame
        Columns ``section`` (total, layer, assumption, decision), ``item``, ``value``,
        ``unit``, ``source``, ``how`` (equation of a total; empty otherwise).

    Raises
    ------
    ConfigError
        Unknown site id, or an id without a summary to look it up in.

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.Series({"site_id": "a", "grid_co2_g_per_kwh": 400.0,
    ...                  "grid_layer": "egrid2022", "grid_level": "egrid_subregion",
    ...                  "grid_vintage": "2022", "grid_reason": ""})
    >>> explain(row).loc[0, "source"]
    'egrid2022 (egrid_subregion, 2022)'
    """
    if isinstance(site, pd.Series):
        row = site
    else:
        table = summary if summary is not None else getattr(assessment, "summary", None)
        if table is None:
            raise ConfigError(
                "give a summary row, or an assessment / summary to look the site id up in",
                field="site",
            )
        if "site_id" not in table.columns:
            raise ConfigError("the summary has no 'site_id' column", field="site_id")
        hit = table.loc[table["site_id"].astype(str) == str(site)]
        if hit.empty:
            some = table["site_id"].astype(str).head(10).tolist()
            raise ConfigError(f"unknown site id {site!r}; e.g. {some}", field="site")
        row = hit.iloc[0]

    rows: list[dict[str, Any]] = []

    def add(section: str, item: str, value: Any, unit: str, source: str, how: str = "") -> None:
        rows.append(
            {
                "section": section,
                "item": item,
                "value": _num(value),
                "unit": unit,
                "source": source,
                "how": how,
            }
        )

    idx = row.index
    # -- layers -------------------------------------------------------------------------
    for col, unit in _LAYERS.items():
        if col not in idx:
            continue
        if col == "ewif_l_per_kwh":
            src = _ewif_source(row)
        elif col == "price_usd_per_mwh":
            src = _price_source(row)
        elif col in ("wet_bulb_sd_c", "climate_level"):
            src = _climate_source(row)
        else:
            src = source_of(row, col)
        add("layer", col, row[col], unit, src)
    dry = [f"dry_bulb_c_m{m:02d}" for m in range(1, 13)]
    wet = [f"wet_bulb_c_m{m:02d}" for m in range(1, 13)]
    if set(dry) <= set(idx):
        d = _numbers(row, dry)
        mean_d = float(np.nanmean(d)) if np.isfinite(d).any() else np.nan
        add("layer", "dry_bulb_c (annual mean of months)", mean_d, "C", _climate_source(row))
    if set(wet) <= set(idx):
        w = _numbers(row, wet)
        ok = bool(np.isfinite(w).any())
        mean_w = float(np.nanmean(w)) if ok else np.nan
        max_w = float(np.nanmax(w)) if ok else np.nan
        src = _climate_source(row)
        add("layer", "wet_bulb_c (annual mean of months)", mean_w, "C", src)
        add("layer", "wet_bulb_c (warmest month)", max_w, "C", src)

    # -- totals -------------------------------------------------------------------------
    for col, (unit, how) in _TOTALS.items():
        if col in idx:
            add("total", col, row[col], unit, _MODEL, how)
        if col in _AFTER and f"{col}_after_product" in idx:
            add(
                "total",
                f"{col}_after_product",
                row[f"{col}_after_product"],
                unit,
                _MODEL,
                "part of the total incurred after the product is shut down",
            )
    for col in ("status", "reason"):
        if col in idx:
            add("total", col, row[col], "-", _MODEL)

    # -- assumptions --------------------------------------------------------------------
    assumptions = getattr(assessment, "assumptions", None)
    if isinstance(assumptions, pd.DataFrame) and {"parameter", "value"} <= set(assumptions.columns):
        for rec in assumptions.itertuples(index=False):
            add(
                "assumption",
                str(rec.parameter),
                rec.value,
                str(getattr(rec, "unit", "")),
                str(getattr(rec, "source", "assumption")),
            )

    # -- decision -----------------------------------------------------------------------
    for col in ("rank", "score", "excluded", "exclusion_reason", "rank_note"):
        if col in idx:
            add("decision", col, row[col], "-", "siting.decide.rank (docs/method_decide.md)")
    for col in (c for c in idx if str(c).startswith("norm_")):
        add(
            "decision",
            col,
            row[col],
            "0 best - 1 worst",
            "min-max over the eligible sites (docs/method_decide.md)",
        )
    return pd.DataFrame(rows, columns=["section", "item", "value", "unit", "source", "how"])
