"""Report section "Cooling design per site": the chosen design and the trade-off.

Shown only when the design was chosen per site (``--cooling auto``): per site the design
taken and why, and the annual PUE and on-site WUE every candidate design would give
there (from :attr:`siting.model.Assessment.designs`), with a chart of that trade-off for
the best-ranked sites (one small panel per site, PUE against on-site WUE, the design
taken ringed). Nothing here computes a model number: the chart plots the table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Sites of the ranking drawn in the trade-off chart (one panel each, 3 per row).
CHART_SITES = 6
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def cooling_context(
    result: Any, ranked: pd.DataFrame, top_n: int = 30, chart_sites: int = CHART_SITES
) -> dict[str, Any] | None:
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
    chart_ids = _chart_ids(ranked, chart_sites)
    return {
        "designs": names,
        "rows": rows,
        "n": len(rows),
        "chart": trade_off_chart(designs, ranked, chart_ids, names),
        "n_chart": len(chart_ids),
    }


def _chart_ids(ranked: pd.DataFrame, n: int) -> list[str]:
    """The first ``n`` ranked sites (unranked ones only when none is ranked)."""
    r = ranked[ranked["rank"].notna()] if "rank" in ranked.columns else ranked
    return list((r if len(r) else ranked)["site_id"].astype(str))[:n]


def trade_off_chart(
    designs: pd.DataFrame, ranked: pd.DataFrame, site_ids: list[str], names: list[str]
) -> str | None:
    """PNG data URI: per site a panel of annual PUE against on-site WUE, one marker per
    design (same colour and shape in every panel), the design taken ringed; shared axes
    so that panels compare. None when no site has a finite PUE and WUE."""
    from matplotlib.lines import Line2D

    from siting.report.charts import _figure, _short, _style, png_data_uri

    d = designs.assign(site_id=designs["site_id"].astype(str))
    d = d[d["site_id"].isin(site_ids)]
    x = pd.to_numeric(d["wue_onsite_l_per_kwh"], errors="coerce").to_numpy(float)
    y = pd.to_numeric(d["pue_annual"], errors="coerce").to_numpy(float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not site_ids or not ok.any():
        return None
    pad_x = 0.06 * max(float(x[ok].max()), 0.1)
    pad_y = 0.08 * max(float(y[ok].max() - y[ok].min()), 0.01)
    xlim = (-pad_x, float(x[ok].max()) + pad_x)
    ylim = (float(y[ok].min()) - pad_y, float(y[ok].max()) + pad_y)
    rank = ranked.set_index(ranked["site_id"].astype(str)).get("rank")
    ncol = min(3, len(site_ids))
    nrow = -(-len(site_ids) // ncol)
    with _style():
        fig = _figure(9.5, 0.6 + 1.85 * nrow, dpi=96)
        axes = np.atleast_1d(fig.subplots(nrow, ncol, sharex=True, sharey=True, squeeze=False))
        handles = {}
        for k, ax in enumerate(axes.ravel()):
            if k >= len(site_ids):
                ax.set_visible(False)
                continue
            sid = site_ids[k]
            here = d[d["site_id"] == sid]
            taken = None
            for j, name in enumerate(names):
                row = here[here["cooling_design"] == name]
                if not len(row):
                    continue
                px, py = (
                    float(row["wue_onsite_l_per_kwh"].iloc[0]),
                    float(row["pue_annual"].iloc[0]),
                )
                h = ax.scatter(
                    [px],
                    [py],
                    s=26,
                    marker=_MARKERS[j % len(_MARKERS)],
                    color=f"C{j % 10}",
                    zorder=3,
                )
                handles.setdefault(name, h)
                if bool(row["chosen"].iloc[0]):
                    taken = name
                    ax.scatter([px], [py], s=140, facecolors="none", edgecolors="black", lw=1.3)
            r = None if rank is None else rank.get(sid)
            head = f"#{int(r)} {sid}" if r is not None and not pd.isna(r) else sid
            ax.set_title(_short(f"{head}: {taken or '-'}", 44), loc="left")
            ax.set_xlim(*xlim)
            ax.set_ylim(*ylim)
            ax.grid(True, lw=0.3, alpha=0.5)
        for ax in axes[-1, :]:
            ax.set_xlabel("on-site WUE [L per IT kWh]")
        for ax in axes[:, 0]:
            ax.set_ylabel("annual PUE [-]")
        ring = Line2D([], [], marker="o", ls="none", mfc="none", mec="black", ms=11, mew=1.3)
        fig.legend(
            [*handles.values(), ring],
            [*handles, "design taken"],
            loc="lower center",
            ncol=min(len(handles) + 1, 8),
            frameon=False,
        )
        h_in = 0.6 + 1.85 * nrow
        fig.subplots_adjust(
            left=0.07, right=0.99, top=1 - 0.3 / h_in, bottom=0.75 / h_in, hspace=0.45, wspace=0.08
        )
        return png_data_uri(fig)
