"""Tables the page shows, with units in the headers, and the formatting of their values.

The ranking table follows the report module's columns and labels
(:data:`siting.report.RANKING_COLUMNS`); the per-site tables (before / after the product,
annual series, "why this number") come from the assessment as it is.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import ConfigError

__all__ = [
    "annual_table",
    "MISSING_TEXT",
    "TABLE_SIG_FIGS",
    "before_after",
    "display_table",
    "explain_site",
    "format_value",
    "futures_line",
    "futures_view",
    "numeric_columns",
    "ranking_table",
    "round_sig",
    "shutdown_year",
    "site_label",
    "site_name",
    "table_header",
]


def format_value(v: Any) -> str:
    """A value as short text: ``-`` for missing, thousands separators, 4 significant
    digits (scientific notation below 0.001 and from a million on)."""
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


def explain_site(ranked: pd.DataFrame, site_id: str, assessment: Any) -> pd.DataFrame:
    """ "Why this number" for one site (:func:`siting.decide.explain`), values as text.

    Values are rendered as text so one column can hold numbers and labels.
    """
    from siting.decide import explain

    df = explain(str(site_id), assessment, summary=ranked)
    df["value"] = [format_value(v) for v in df["value"]]
    return df


#: Columns of the ranking table after the report's own (:data:`siting.report.RANKING_COLUMNS`,
#: so the page and the reports share labels and units): (column, label).
_EXTRA_COLUMNS = (
    ("cooling_design", "Cooling design"),
    ("cooling_reason", "Why this design"),
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


#: Text shown for a missing value in the page's tables.
MISSING_TEXT = "–"
#: Significant figures of the numbers shown in the page's tables: a display choice (the
#: inputs carry at best about three: e.g. Aqueduct categories, country-mean prices);
#: downloads keep full precision.
TABLE_SIG_FIGS = 3


def round_sig(values: Any, sig: int = TABLE_SIG_FIGS) -> np.ndarray:
    """``values`` rounded to ``sig`` significant figures (NaN stays NaN, 0 stays 0)."""
    x = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        mag = np.where(np.isfinite(x) & (x != 0), np.floor(np.log10(np.abs(x))), 0.0)
        e = sig - 1 - mag  # decimals kept; powers of ten are exact the way they are used
        up = 10.0 ** np.maximum(e, 0)
        down = 10.0 ** np.maximum(-e, 0)
        out = np.where(e >= 0, np.round(x * up) / up, np.round(x / down) * down)
    return np.where(np.isfinite(x), out, x)


def display_table(table: pd.DataFrame, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy of a table for the page: floats to :data:`TABLE_SIG_FIGS` significant
    figures (except the columns in ``keep``), missing text as :data:`MISSING_TEXT`."""
    out = table.copy()
    for c in out.columns:
        kind = out[c].dtype.kind
        if kind == "f" and c not in keep:
            out[c] = round_sig(out[c].to_numpy(dtype=float))
        elif kind == "O":
            out[c] = [MISSING_TEXT if _missing(v) else v for v in out[c].tolist()]
    return out


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() in ("", "None", "nan", "NaN")


def site_name(row: Any) -> str:
    """The site's name when the user gave one, else its id."""
    name = row.get("name") if hasattr(row, "get") else None
    return str(row["site_id"]) if _missing(name) else str(name).strip()


def site_label(row: Any) -> str:
    """A site as the user named it: ``name (site_id)``, or the id when it has no name."""
    sid = str(row["site_id"])
    name = row.get("name") if hasattr(row, "get") else None
    if _missing(name) or str(name).strip() == sid:
        return sid
    return f"{str(name).strip()} ({sid})"


def futures_view(
    futures: pd.DataFrame, ranked: pd.DataFrame, shutdown_years: float
) -> pd.DataFrame:
    """Both futures per site for the page, in the order of ``ranked``.

    From :func:`siting.decide.futures.compare_futures`: the rank if the product survives
    the commitment and if it is shut down after ``shutdown_years``, the share of the
    shut-down future's lifetime CO2e and water incurred after the shutdown [%], and what
    each year after the shutdown costs. Nothing is computed here but unit changes.
    """
    f = futures.set_index(futures["site_id"].astype(str))
    ids = ranked["site_id"].astype(str)
    g = f.reindex(ids)
    sd = f"{shutdown_years:g}"
    out = pd.DataFrame(
        {
            "Site": ids.to_numpy(),
            "Name": ranked["name"].to_numpy() if "name" in ranked.columns else None,
            "Rank if the product survives": g["rank_survives"].astype("Int64").to_numpy(),
            f"Rank if shut down after {sd} years": g["rank_shut_down"].astype("Int64").to_numpy(),
            "After shutdown: share of lifetime CO2e [%]": 100.0
            * g["after_shutdown_share_co2"].to_numpy(dtype=float),
            "After shutdown: share of lifetime water [%]": 100.0
            * g["after_shutdown_share_water"].to_numpy(dtype=float),
            "After shutdown: energy cost [M USD/yr]": g[
                "after_shutdown_energy_cost_usd_per_yr"
            ].to_numpy(dtype=float)
            / 1e6,
            "After shutdown: scope-2 CO2e [kt/yr]": g["after_shutdown_co2_t_per_yr"].to_numpy(
                dtype=float
            )
            / 1e3,
            "After shutdown: water, on- + off-site [ML/yr]": g[
                "after_shutdown_water_m3_per_yr"
            ].to_numpy(dtype=float)
            / 1e3,
        }
    )
    if "name" not in ranked.columns:
        out = out.drop(columns="Name")
    return display_table(out)


def futures_line(futures: pd.DataFrame, site_id: str) -> str:
    """The one-line after-shutdown summary of a site
    (:func:`siting.decide.futures.after_shutdown_line`)."""
    from siting.decide.futures import after_shutdown_line

    hit = futures.loc[futures["site_id"].astype(str) == str(site_id)]
    if hit.empty:
        return "after shutdown: no value for this site"
    return after_shutdown_line(hit.iloc[0].to_dict())
