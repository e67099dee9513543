"""Report section "Cooling design per site": the chosen design and the trade-off.

Shown only when the design was chosen per site (``--cooling auto``): per site the design
taken and why, and the annual PUE and on-site WUE every candidate design would give
there (from :attr:`siting.model.Assessment.designs`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def cooling_context(result: Any, ranked: pd.DataFrame, top_n: int = 30) -> dict[str, Any] | None:
    """Rows of the section, or None when the run used one design for every site."""
    designs = getattr(getattr(result, "assessment", None), "designs", None)
    if designs is None or len(designs) == 0:
        return None
    ids = list(ranked["site_id"].astype(str))[:top_n]
    names = list(dict.fromkeys(designs["cooling_design"]))
    d = designs.assign(site_id=designs["site_id"].astype(str)).set_index(
        ["site_id", "cooling_design"]
    )
    chosen = ranked.set_index(ranked["site_id"].astype(str))
    rows = []
    for sid in ids:
        cells = []
        for n in names:
            pue, wue = d.loc[(sid, n), ["pue_annual", "wue_onsite_l_per_kwh"]]
            cells.append(f"{pue:.3f} / {wue:.2f}")
        rows.append(
            {
                "site_id": sid,
                "design": str(chosen.loc[sid, "cooling_design"]),
                "reason": str(chosen.loc[sid, "cooling_reason"]),
                "cells": cells,
            }
        )
    return {"designs": names, "rows": rows, "n": len(rows)}
