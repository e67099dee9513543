"""The app's cooling design: one registered design or ``auto`` (per site), and the
water-versus-energy trade-off of every design at a site (no Streamlit here).

Everything is the library's: the registry :data:`siting.model.COOLING_TECHNOLOGIES`, each
design's own feasibility hook (a liquid-cooled GPU refuses an air-only design, with the
design's message), :class:`siting.model.CoolingChoice` and the trade-off table
:attr:`siting.model.Assessment.designs`. When the page runs one design for every site, the
trade-off at the site shown is :func:`siting.model.assess` with a per-site choice on that
one site (the same kernel; the other sites do not enter a site's numbers).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

__all__ = [
    "AUTO",
    "COOLING_OPTIONS",
    "cooling_choice",
    "cooling_label",
    "design_infeasibility",
    "design_trade_off",
    "dry_answer",
    "site_design_table",
    "trade_off_chart",
]

#: The sidebar value of the per-site choice (``--cooling auto``).
AUTO = "auto"


def _options() -> tuple[str, ...]:
    from siting.model import COOLING_TECHNOLOGIES

    return (*COOLING_TECHNOLOGIES, AUTO)


#: Options of the cooling select box: every registered design, then ``auto``.
COOLING_OPTIONS: tuple[str, ...] = _options()


@lru_cache(maxsize=64)
def design_infeasibility(gpu: str) -> dict[str, str]:
    """Design name -> the library's reason why it cannot cool ``gpu`` (feasible ones
    left out), from each design's own feasibility hook."""
    from siting.errors import SitingError
    from siting.model import COOLING_DESIGNS, Fleet

    try:
        fleet = Fleet(gpu=gpu, gpus=1)  # feasibility depends on the GPU model only
    except SitingError:
        return {}
    out = {}
    for name, design in COOLING_DESIGNS.items():
        reason = design.infeasibility(fleet)
        if reason:
            out[name] = reason
    return out


def cooling_label(name: str, gpu: str) -> str:
    """Label of a select-box option: ``auto (per site)``, or the design's name marked
    when the library says it cannot cool ``gpu``."""
    if name == AUTO:
        return "auto (per site)"
    if name in design_infeasibility(gpu):
        return f"{name} (cannot cool {gpu})"
    return name


def cooling_choice(
    objective: str,
    max_wue_l_per_kwh: float | None = None,
    max_wue_above_aware: float | None = None,
    ranking_weights: dict[str, float] | None = None,
) -> Any:
    """The :class:`siting.model.CoolingChoice` of the sidebar; objective ``weights``
    takes the ranking weights that bear on the design
    (:func:`siting.model.auto.weights_from_ranking`), as ``siting run`` does."""
    from siting.model import CoolingChoice
    from siting.model.auto import weights_from_ranking

    kw: dict[str, Any] = {"objective": objective, "max_wue_l_per_kwh": max_wue_l_per_kwh}
    if max_wue_above_aware is not None:
        kw["max_wue_above_aware"] = float(max_wue_above_aware)
    if objective == "weights":
        w = {k: float(v) for k, v in (ranking_weights or {}).items() if float(v) > 0}
        kw["weights"] = weights_from_ranking(w)
    return CoolingChoice(**kw)


def design_trade_off(joined: Any, site_id: str, fleet: Any, scenario: Any, facility: Any) -> Any:
    """Every design the fleet allows at one site (:func:`siting.model.assess` with a
    per-site choice on that site alone): :attr:`Assessment.designs` of that site. The
    candidates are the library's default ones plus ``facility.cooling``."""
    from siting.model import COOLING_DESIGNS, CoolingChoice, assess

    one = joined.loc[joined["site_id"].astype(str) == str(site_id)]
    names = tuple(
        n for n, d in COOLING_DESIGNS.items() if d.auto_candidate or n == facility.cooling
    )
    a = assess(one, fleet, scenario, facility, cooling_choice=CoolingChoice(designs=names))
    return a.designs


def site_design_table(designs: pd.DataFrame, site_id: str, taken: str) -> pd.DataFrame:
    """The designs at one site, the one taken first: PUE, on-site WUE and their
    difference from the design taken (what another design would cost or save here)."""
    d = designs.loc[designs["site_id"].astype(str) == str(site_id)]
    base = d.loc[d["cooling_design"] == taken]
    p0 = float(base["pue_annual"].iloc[0]) if len(base) else float("nan")
    w0 = float(base["wue_onsite_l_per_kwh"].iloc[0]) if len(base) else float("nan")
    out = pd.DataFrame(
        {
            "design": d["cooling_design"].astype(str).to_numpy(),
            "taken": (d["cooling_design"] == taken).to_numpy(),
            "PUE [-]": d["pue_annual"].to_numpy(float),
            "On-site WUE [L/kWh IT]": d["wue_onsite_l_per_kwh"].to_numpy(float),
            "PUE vs taken [-]": d["pue_annual"].to_numpy(float) - p0,
            "WUE vs taken [L/kWh IT]": d["wue_onsite_l_per_kwh"].to_numpy(float) - w0,
        }
    )
    return out.sort_values(
        ["taken", "PUE [-]"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def dry_answer(table: pd.DataFrame, taken: str, design: str = "dry") -> str | None:
    """One line: what ``design`` (default dry cooling) would give at the site, against
    the design taken (None when the design is not in the table or is the one taken)."""
    row = table.loc[table["design"] == design]
    if not len(row) or design == taken:
        return None
    r = row.iloc[0]
    return (
        f"{design} cooling here: PUE {r['PUE [-]']:.3f} ({r['PUE vs taken [-]']:+.3f} vs "
        f"{taken}), on-site WUE {r['On-site WUE [L/kWh IT]']:.2f} L/kWh IT "
        f"({r['WUE vs taken [L/kWh IT]']:+.2f} vs {taken})"
    )


def trade_off_chart(table: pd.DataFrame, title: str) -> Any:
    """Altair chart of PUE against on-site WUE, one point per design (colour and shape
    in the legend), the one taken ringed."""
    import altair as alt

    data = table.assign(
        mark=["taken" if t else "alternative" for t in table["taken"]],
        pue=table["PUE [-]"],
        wue=table["On-site WUE [L/kWh IT]"],
    )[["design", "mark", "pue", "wue"]]
    names = sorted(data["design"], key=list(COOLING_OPTIONS).index)
    base = alt.Chart(data).encode(
        x=alt.X("wue:Q", title="on-site WUE [L per IT kWh]", scale=alt.Scale(zero=True)),
        y=alt.Y("pue:Q", title="annual PUE [-]", scale=alt.Scale(zero=False)),
        tooltip=[
            alt.Tooltip("design:N"),
            alt.Tooltip("pue:Q", format=".3f", title="PUE"),
            alt.Tooltip("wue:Q", format=".2f", title="WUE [L/kWh IT]"),
            alt.Tooltip("mark:N", title=""),
        ],
    )
    design = alt.Color("design:N", scale=alt.Scale(domain=names), title="design")
    points = base.mark_point(filled=True, size=90, opacity=0.9).encode(
        color=design, shape=alt.Shape("design:N", scale=alt.Scale(domain=names), title="design")
    )
    ring = base.transform_filter(alt.datum.mark == "taken").mark_point(
        size=380, strokeWidth=2.5, color="black"
    )
    return (points + ring).properties(title=title, height=260)
