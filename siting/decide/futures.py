"""Two futures side by side: the product survives the commitment, or it is shut down early.

A facility is committed for its whole life (building, power contract, cooling plant);
the product it was built for may not last that long. Every run therefore assesses both
futures with the same fleet, facility and data:

* **survives**: the product runs to the end of the commitment;
* **shut down**: the product is shut down after ``product_years`` and the facility
  carries on in the scenario's ``after`` mode (idle, re-tenanted or powered down) until
  the commitment ends.

When the user gives no ``product_years``, the shut-down future uses
:data:`EXAMPLE_SHUTDOWN_YEARS`, an *example* (labelled as such in every output) that
the user changes with ``--product-years``.

What the empty years cost is reported per site and per year after the shutdown
(energy, energy cost, scope-2 CO2e, on-site + off-site water, and, when a carbon
price is given, the cost of that CO2e), so an analyst can set it against what the
product earned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "AFTER_SHUTDOWN_COLUMNS",
    "EXAMPLE_SHUTDOWN_YEARS",
    "EXAMPLE_SHUTDOWN_SOURCE",
    "after_shutdown",
    "after_shutdown_line",
    "compare_futures",
    "futures_scenarios",
]

#: Product life of the shut-down example [years]: a product cancelled two years into a
#: 15-year commitment, the worked example of the project's statement (an AI
#: video-generation service shut down after burning about $1M a day in compute, in a
#: facility committed for 10-20 years). An example, not a forecast: change it with
#: ``product_years`` / ``--product-years``.
EXAMPLE_SHUTDOWN_YEARS = 2.0
EXAMPLE_SHUTDOWN_SOURCE = (
    "example: product shut down after 2 years (change with --product-years); not a forecast"
)

DAYS_PER_YEAR = 365.0  # d/yr, the model's 365-day year (siting.model.MONTH_DAYS sums to 365)

#: Per-site columns of :func:`after_shutdown` (units in the names).
AFTER_SHUTDOWN_COLUMNS = (
    "after_shutdown_years",
    "after_shutdown_energy_mwh_per_yr",
    "after_shutdown_energy_cost_usd_per_yr",
    "after_shutdown_co2_t_per_yr",
    "after_shutdown_water_m3_per_yr",
    "after_shutdown_energy_cost_usd_per_day",
    "after_shutdown_co2_t_per_day",
    "after_shutdown_water_m3_per_day",
    "after_shutdown_carbon_cost_usd_per_yr",
)


def futures_scenarios(scenario, example_years: float = EXAMPLE_SHUTDOWN_YEARS):
    """``(survives, shut_down, shutdown_is_example)`` scenarios built from ``scenario``.

    ``shut_down`` keeps the user's ``product_years`` when given, else uses
    ``min(example_years, commitment_years / 2)`` so that some years remain after it.
    """
    survives = dataclasses.replace(scenario, product_years=None)
    if scenario.product_years is not None:
        return survives, scenario, False
    years = min(float(example_years), scenario.commitment_years / 2.0)
    return survives, dataclasses.replace(scenario, product_years=years), True


def _col(summary: pd.DataFrame, name: str) -> np.ndarray:
    if name not in summary.columns:
        return np.zeros(len(summary))
    return pd.to_numeric(summary[name], errors="coerce").to_numpy(dtype=float)


def after_shutdown(
    summary: pd.DataFrame, scenario, carbon_price_usd_per_t: float | None = None
) -> pd.DataFrame:
    """What the years after the product's shutdown cost, per site, as totals per year.

    Parameters
    ----------
    summary : DataFrame
        Per-site summary of :func:`siting.model.assess` for a scenario with
        ``product_years`` set (its ``*_after_product`` columns).
    scenario : siting.Scenario
        That scenario.
    carbon_price_usd_per_t : float, optional
        Carbon price [$ per t CO2e] applied to the after-shutdown scope-2 CO2e.

    Returns
    -------
    DataFrame
        ``site_id`` and :data:`AFTER_SHUTDOWN_COLUMNS`. With ``Y = commitment_years -
        product_years`` years after the shutdown, each ``*_per_yr`` value is the
        after-product lifetime total divided by ``Y``, each ``*_per_day`` that divided
        by 365; water is on-site + off-site. All zero when the product survives.
    """
    n_after = 0.0
    if scenario.product_years is not None:
        n_after = max(float(scenario.commitment_years) - float(scenario.product_years), 0.0)
    per_yr = 1.0 / n_after if n_after > 0 else 0.0
    water = _col(summary, "water_onsite_m3_after_product") + _col(
        summary, "water_offsite_m3_after_product"
    )
    co2 = _col(summary, "co2_scope2_t_after_product")
    out = pd.DataFrame({"site_id": summary["site_id"].to_numpy()})
    out["after_shutdown_years"] = n_after
    out["after_shutdown_energy_mwh_per_yr"] = (
        _col(summary, "facility_energy_mwh_after_product") * per_yr
    )
    out["after_shutdown_energy_cost_usd_per_yr"] = (
        _col(summary, "energy_cost_usd_after_product") * per_yr
    )
    out["after_shutdown_co2_t_per_yr"] = co2 * per_yr
    out["after_shutdown_water_m3_per_yr"] = water * per_yr
    for name in ("energy_cost_usd", "co2_t", "water_m3"):
        out[f"after_shutdown_{name}_per_day"] = out[f"after_shutdown_{name}_per_yr"] / DAYS_PER_YEAR
    price = np.nan if carbon_price_usd_per_t is None else float(carbon_price_usd_per_t)
    out["after_shutdown_carbon_cost_usd_per_yr"] = out["after_shutdown_co2_t_per_yr"] * price
    return out


def after_shutdown_line(row: Mapping) -> str:
    """One line: ``after shutdown: $X M/yr, Y kt CO2e/yr, Z ML water/yr for N years``."""
    years = float(row.get("after_shutdown_years", 0) or 0)
    if years <= 0:
        return "after shutdown: nothing (the product survives the commitment)"
    text = (
        f"after shutdown: ${row['after_shutdown_energy_cost_usd_per_yr'] / 1e6:,.1f} M/yr, "
        f"{row['after_shutdown_co2_t_per_yr'] / 1e3:,.1f} kt CO2e/yr, "
        f"{row['after_shutdown_water_m3_per_yr'] / 1e3:,.0f} ML water/yr "
        f"for {years:g} years"
    )
    carbon = row.get("after_shutdown_carbon_cost_usd_per_yr")
    if carbon is not None and np.isfinite(carbon):
        text += f" (+ ${carbon / 1e6:,.1f} M/yr at the carbon price)"
    return text


_TOTALS = (
    "co2_scope2_t",
    "water_onsite_m3",
    "water_offsite_m3",
    "energy_cost_usd",
    "facility_energy_mwh",
)


def _same_ids(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two summaries list the same ``site_id`` values in the same row order."""
    return len(a) == len(b) and (
        a["site_id"].reset_index(drop=True).equals(b["site_id"].reset_index(drop=True))
    )


def _given_rank(ranked: pd.DataFrame, ids: pd.Series, weights) -> np.ndarray:
    """The ``rank`` column of a :func:`siting.decide.rank` table, in the order of ``ids``."""
    from siting.decide.rank import DEFAULT_WEIGHTS, normalize_weights

    want = normalize_weights(DEFAULT_WEIGHTS if weights is None else weights)
    got = ranked.attrs.get("weights")
    if got is not None and dict(got) != want:
        raise ValueError(f"the ranked table was ranked with weights {got}, not {want}")
    if _same_ids(ranked, pd.DataFrame({"site_id": ids})):  # row for row: no re-indexing
        return ranked["rank"].to_numpy()
    return ranked.set_index("site_id")["rank"].reindex(ids).to_numpy()


def compare_futures(
    survives: pd.DataFrame,
    shut_down: pd.DataFrame,
    scenario_shut_down,
    *,
    weights: Mapping[str, float] | None = None,
    exclusions: Sequence | None = None,
    force_include: Sequence[str] | None = None,
    carbon_price_usd_per_t: float | None = None,
    ranked_survives: pd.DataFrame | None = None,
    ranked_shut_down: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per site: lifetime totals and rank in both futures, and the after-shutdown cost.

    Parameters
    ----------
    survives, shut_down : DataFrame
        Per-site summaries of :func:`siting.model.assess` for the two futures (same
        sites).
    scenario_shut_down : siting.Scenario
        The scenario of ``shut_down``.
    weights, exclusions, force_include
        Ranking settings, the same in both futures (see :func:`siting.decide.rank`).
    ranked_survives, ranked_shut_down : DataFrame, optional
        A future already ranked by :func:`siting.decide.rank` with these same settings
        (its ``site_id`` and ``rank`` are used, not ranked again; a table whose
        ``attrs["weights"]`` differ is refused).

    Returns
    -------
    DataFrame
        ``site_id``; ``rank_survives``, ``rank_shut_down``; for each lifetime total
        ``<total>_survives`` and ``<total>_shut_down``; ``after_shutdown_share_co2``
        and ``after_shutdown_share_water`` (share of the shut-down future's lifetime
        total incurred after the shutdown); the :func:`after_shutdown` columns.

    Notes
    -----
    When both summaries list the same ids in the same row order (the usual case) no
    table is re-indexed by ``site_id`` and the ids are sorted once for both rankings.
    """
    from siting.decide.rank import _rank_arrays, _site_ids

    ids = survives["site_id"]
    aligned = _same_ids(survives, shut_down)
    out = pd.DataFrame({"site_id": ids.to_numpy()})
    codes = None
    futures = (
        ("survives", survives, ranked_survives),
        ("shut_down", shut_down, ranked_shut_down),
    )
    for name, summary, ranked in futures:
        own = name == "survives" or aligned
        if ranked is not None:
            out[f"rank_{name}"] = _given_rank(ranked, out["site_id"], weights)
        else:
            if codes is None or not own:
                codes = _site_ids(summary)
            r = _rank_arrays(
                summary, weights, list(exclusions or []), force_include, None, id_codes=codes
            )
            rk = pd.Series(r.rank, index=summary["site_id"].to_numpy(), copy=False)
            out[f"rank_{name}"] = (rk if own else rk.reindex(out["site_id"])).to_numpy()
        by_id = summary if own else summary.set_index("site_id").reindex(out["site_id"])
        for col in _TOTALS:
            if col in by_id.columns:
                out[f"{col}_{name}"] = by_id[col].to_numpy(dtype=float)
    sd = shut_down if aligned else shut_down.set_index("site_id").reindex(out["site_id"])
    for key, total, after in (
        ("co2", ["co2_scope2_t"], ["co2_scope2_t_after_product"]),
        (
            "water",
            ["water_onsite_m3", "water_offsite_m3"],
            ["water_onsite_m3_after_product", "water_offsite_m3_after_product"],
        ),
    ):
        t = sum(_col(sd, c) for c in total)
        a = sum(_col(sd, c) for c in after)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"after_shutdown_share_{key}"] = np.where(t > 0, a / t, 0.0)
    extra = after_shutdown(shut_down, scenario_shut_down, carbon_price_usd_per_t)
    if aligned:  # extra's rows are out's rows
        return out.assign(**{c: extra[c].to_numpy() for c in extra.columns if c != "site_id"})
    return out.merge(extra, on="site_id", how="left", validate="one_to_one")
