"""The app's portfolio panel: which set of sites meets a capacity target (no Streamlit here).

A thin call of :func:`siting.decide.portfolio.portfolio` on the ranked summary the page
already holds, and the tables it shows.
"""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd

#: objective key -> label shown in the sidebar
PORTFOLIO_OBJECTIVES = {
    "co2_scope2": "Lifetime scope-2 CO2e",
    "water_onsite": "Lifetime on-site water",
    "water_scarcity_weighted": "Scarcity-weighted on-site water",
    "energy_cost": "Lifetime energy cost",
    "score": "Ranking score (the weights above)",
}


def build_portfolio(
    ranked: pd.DataFrame,
    design_mw: float,
    target_mw: float,
    objective: str,
    country_cap_mw: float | None = None,
) -> Any:
    """Solve the portfolio on the page's ranked sites (each up to ``design_mw`` [MW])."""
    module = importlib.import_module("siting.decide.portfolio")
    caps = {"country_iso3": float(country_cap_mw)} if country_cap_mw else {}
    return module.portfolio(
        ranked,
        float(target_mw),
        objective=objective,
        constraints={"caps_mw": caps},
        design_mw=float(design_mw),
    )


def portfolio_view(result: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(chosen sites, constraints)`` tables: sizes in MW, lifetime totals, used / limit."""
    chosen = result.chosen
    cols = [
        c
        for c in ("site_id", "name", "country_iso3", "mw", "co2_scope2_t", "water_onsite_m3")
        if c in chosen.columns
    ]
    sites = pd.DataFrame(chosen[cols]).rename(
        columns={
            "mw": "built [MW]",
            "co2_scope2_t": "scope-2 at design size [t CO2e]",
            "water_onsite_m3": "on-site water at design size [m3]",
        }
    )
    cons = pd.DataFrame(result.constraints)
    if "binding" in cons.columns:
        cons = cons[cons["binding"] | (cons["used"] > 0)]
    return sites.reset_index(drop=True), cons.reset_index(drop=True)
