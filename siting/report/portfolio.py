"""Portfolio section of the report: a map layer and the tables of a portfolio.

Given a :class:`siting.decide.portfolio_model.PortfolioResult`, the HTML/PDF report gains a
"Portfolio" section (status, objective, optimality gap, constraints used / limit, the chosen
sites with their sizes, every other site with the reason it was not built, and a map with
the built sites sized by capacity); the workbook gains the sheets ``portfolio`` and
``portfolio_constraints``; the GeoPackage a layer ``portfolio``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PORTFOLIO_LAYER", "portfolio_context", "portfolio_map", "portfolio_sheets"]

#: Layer name of the portfolio in the report GeoPackage.
PORTFOLIO_LAYER = "portfolio"


def _fmt(v: Any) -> str:
    from siting.report.html import format_value

    return format_value(v)


def portfolio_map(pr: Any) -> str | None:
    """Map of the portfolio: built sites sized by capacity, the others grey. PNG data URI."""
    from matplotlib.lines import Line2D

    from siting.report import charts

    sites = pr.sites
    if "geometry" not in sites.columns or not len(sites):
        return None
    g = sites.geometry
    x = np.array([p.x if p is not None and not p.is_empty else np.nan for p in g], dtype=float)
    y = np.array([p.y if p is not None and not p.is_empty else np.nan for p in g], dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return None
    built = ok & sites["chosen"].to_numpy(dtype=bool)
    mw = sites["mw"].to_numpy(dtype=float)
    x0, x1 = max(-180.0, np.min(x[ok]) - 5), min(180.0, np.max(x[ok]) + 5)
    y0, y1 = max(-85.0, np.min(y[ok]) - 4), min(85.0, np.max(y[ok]) + 4)
    with charts._style():
        fig = charts._figure(9.5, 4.8, dpi=100)
        ax = fig.add_axes((0.06, 0.1, 0.92, 0.86))
        a0, _ = charts._boundaries()
        if a0 is not None:
            part = a0.cx[x0:x1, y0:y1]
            if len(part):
                part.plot(ax=ax, facecolor="#f1f0ea", edgecolor="#9a9a9a", linewidth=0.4)
        ax.set_facecolor("#e8f1f8")
        ax.scatter(x[ok & ~built], y[ok & ~built], s=14, color="#9a9a9a", zorder=4)
        top = float(np.max(mw[built])) if built.any() else 1.0
        ax.scatter(
            x[built],
            y[built],
            s=30 + 220 * mw[built] / top,
            color="#1b7837",
            alpha=0.8,
            edgecolors="white",
            zorder=5,
        )
        handles = [
            Line2D([], [], marker="o", ls="", color="#1b7837", label="built: area ~ MW"),
            Line2D([], [], marker="o", ls="", color="#9a9a9a", label="not built"),
        ]
        ax.legend(handles=handles, loc="lower left", framealpha=0.85)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.tick_params(labelsize=6)
        return charts.png_data_uri(fig)


def portfolio_context(pr: Any) -> dict[str, Any]:
    """Plain strings and rows for the template's portfolio section."""
    s = pr.sites
    chosen = s[s["chosen"]].sort_values(["mw", "site_id"], ascending=[False, True])
    col = pr.objective_column
    built = [
        {
            "site": str(r["site_id"]),
            "mw": _fmt(float(r["mw"])),
            "max_mw": _fmt(float(r["max_mw"])),
            "objective": _fmt(float(r[col])) if col in s.columns else "",
            "note": str(r["reason"]),
        }
        for _, r in chosen.iterrows()
    ]
    others = [
        {"site": str(r["site_id"]), "reason": str(r["reason"])}
        for _, r in s[~s["chosen"]].sort_values("site_id").iterrows()
    ]
    cons = [
        {
            "constraint": str(r["constraint"]),
            "group": str(r["group"]),
            "used": _fmt(float(r["used"])),
            "limit": _fmt(float(r["limit"])),
            "unit": str(r["unit"]),
            "binding": "yes" if bool(r["binding"]) else "",
        }
        for _, r in pr.constraints.iterrows()
    ]
    return {
        "status": pr.status,
        "message": pr.message,
        "objective": pr.objective,
        "objective_column": col,
        "objective_value": _fmt(pr.objective_value),
        "gap": _fmt(pr.mip_gap),
        "target_mw": _fmt(pr.target_mw),
        "built_mw": _fmt(pr.built_mw),
        "plant": str(pr.settings.get("plant", "")),
        "built": built,
        "others": others,
        "constraints": cons,
        "map": portfolio_map(pr),
    }


def portfolio_sheets(pr: Any) -> dict[str, pd.DataFrame]:
    """Workbook sheets: every site (size or reason) and the constraints (used / limit)."""
    sites = pd.DataFrame(pr.sites).drop(columns=["geometry"], errors="ignore")
    return {"portfolio": sites, "portfolio_constraints": pd.DataFrame(pr.constraints)}
