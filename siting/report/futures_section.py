"""The report's "Two futures" section: product survives vs shut down early, per site."""

from __future__ import annotations

from typing import Any

import pandas as pd

from siting.report.html import format_number

#: (column of RunResult.futures, header, unit, scale, number format)
_COLUMNS = (
    ("rank_survives", "Rank if it survives", "", 1.0, "int"),
    ("rank_shut_down", "Rank if shut down", "", 1.0, "int"),
    ("co2_scope2_t_survives", "Scope-2 if it survives", "kt CO2e", 1e-3, "sig3"),
    ("co2_scope2_t_shut_down", "Scope-2 if shut down", "kt CO2e", 1e-3, "sig3"),
    ("after_shutdown_share_co2", "Of which after shutdown", "%", 1.0, "pct1"),
    ("after_shutdown_energy_cost_usd_per_yr", "Energy cost after", "$M/yr", 1e-6, "sig3"),
    ("after_shutdown_co2_t_per_yr", "Scope-2 after", "kt CO2e/yr", 1e-3, "sig3"),
    ("after_shutdown_water_m3_per_yr", "Water after (on+off-site)", "ML/yr", 1e-3, "sig3"),
    ("after_shutdown_carbon_cost_usd_per_yr", "Carbon cost after", "$M/yr", 1e-6, "sig3"),
)


def futures_context(result: Any, ranked: pd.DataFrame) -> dict[str, Any] | None:
    """Rows and texts of the section, in rank order; None when the run has no futures."""
    table = getattr(result, "futures", None)
    sd = getattr(result, "shutdown_scenario", None)
    if not isinstance(table, pd.DataFrame) or sd is None or table.empty:
        return None
    by_id = table.set_index("site_id")
    order = ranked.sort_values(["rank", "site_id"], na_position="last")["site_id"]
    cols = [c for c in _COLUMNS if c[0] in by_id.columns]
    if by_id.get("after_shutdown_carbon_cost_usd_per_yr", pd.Series(dtype=float)).isna().all():
        cols = [c for c in cols if c[0] != "after_shutdown_carbon_cost_usd_per_yr"]
    rows = []
    for sid in order:
        if sid not in by_id.index:
            continue
        r = by_id.loc[sid]
        cells = [format_number(r[c] * scale, fmt) for c, _, _, scale, fmt in cols]
        rows.append({"site": str(sid), "cells": cells})
    years = float(sd.commitment_years) - float(sd.product_years)
    example = " (an example; set the product life with --product-years)"
    intro = (
        f"If the product survives, the fleet runs for the whole {sd.commitment_years}-year "
        f"commitment. If it is shut down after {sd.product_years:g} years"
        f"{example if getattr(result, 'shutdown_is_example', False) else ''}, the facility "
        f"stays '{sd.after}' for the remaining {years:g} years: the columns 'after' give "
        "what each of those years still costs."
    )
    price = getattr(result, "carbon_price_usd_per_t", None)
    if price is not None:
        intro += f" Carbon cost at {price:g} $/t CO2e (user setting)."
    headers = [{"label": h, "unit": u} for _, h, u, _, _ in cols]
    return {"intro": intro, "headers": headers, "rows": rows}
