"""Portfolio inputs: constraints, result type and per-MW coefficients.

Portfolio: which sites to build, and how big, to meet a total capacity at least footprint.

A mixed-integer linear program over the assessed sites (method and equations in
``docs/method_decide.md``, section "Portfolio")::

    minimise    sum_i v_i x_i + f_i y_i
    subject to  sum_i x_i = T                                   (target capacity)
                m y_i <= x_i <= X_i y_i,  y_i in {0, 1}          (block size, site maximum)
                sum_{i in g} x_i <= L_g        for every capped group g
                sum_i v^q_i x_i + f^q_i y_i <= B_q   for every budget q
                y_i = 0                        for excluded sites

``x_i`` is the IT capacity built at site ``i`` [MW], ``y_i`` whether the site is built.
The per-MW coefficients ``v`` and the fixed parts ``f`` come from the assessment (see
:func:`coefficients`). The program is built and solved in
:mod:`siting.decide.portfolio_milp`; :func:`siting.decide.portfolio.portfolio` is the entry
point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import ConfigError

__all__ = [
    "OBJECTIVES",
    "PLANT_MODES",
    "QUANTITIES",
    "Constraints",
    "PortfolioResult",
    "coefficients",
    "fixed_shares",
]

#: Objective key -> summary column minimised (``score``: the ranking's weighted score).
OBJECTIVES: dict[str, str] = {
    "co2_scope2": "co2_scope2_t",
    "water_onsite": "water_onsite_m3",
    "water_scarcity_weighted": "water_scarcity_weighted_m3",
    "energy_cost": "energy_cost_usd",
    "score": "score",
}

#: Lifetime totals that scale with capacity and may carry a budget (column -> unit).
QUANTITIES: dict[str, str] = {
    "facility_energy_mwh": "MWh",
    "water_onsite_m3": "m3",
    "water_offsite_m3": "m3",
    "water_scarcity_weighted_m3": "m3 world-eq",
    "co2_scope2_t": "tCO2e",
    "co2_scope2_market_t": "tCO2e",
    "co2_embodied_t": "tCO2e",
    "energy_cost_usd": "USD",
}

#: ``as_built``: plant sized to the IT built; ``full``: a built site's plant is sized to
#: its maximum capacity, so the fixed part is charged on the build decision.
PLANT_MODES = ("as_built", "full")

# tolerances: a constraint is "binding" within this relative slack; an x below this [MW]
# counts as not built (HiGHS feasibility tolerance is 1e-7 by default)
_BIND_RTOL = 1e-6
_X_TOL_MW = 1e-6


@dataclass(frozen=True)
class Constraints:
    """Caps, budgets and exclusions of a portfolio.

    Parameters
    ----------
    caps_mw : mapping
        Column -> cap [MW of IT] for every value of that column (``{"country_iso3": 300}``),
        or column -> {value: cap} for named groups only (``{"grid_zone": {"US-MIDA-PJM":
        400}}``). Columns as in ``docs/columns.md`` (``country_iso3``, ``grid_zone``,
        ``aware_basin_id`` ...). Sites with no value in a capped column are not capped.
    budgets : mapping
        Column of :data:`QUANTITIES` -> largest lifetime total of the portfolio in that
        column's unit (e.g. ``{"water_onsite_m3": 2e7}``).
    use_run_exclusions : bool
        Sites the run excluded (``excluded`` column) cannot be built.
    exclude_sites : sequence of str
        Further site ids that cannot be built.
    """

    caps_mw: Mapping[str, float | Mapping[Any, float]] = field(default_factory=dict)
    budgets: Mapping[str, float] = field(default_factory=dict)
    use_run_exclusions: bool = True
    exclude_sites: Sequence[str] = ()

    @classmethod
    def from_any(cls, value: Constraints | Mapping[str, Any] | None) -> Constraints:
        if value is None:
            return cls()
        if isinstance(value, Constraints):
            return value
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"constraints must be a Constraints or a mapping, got {type(value).__name__}",
                field="constraints",
            )
        known = {"caps_mw", "budgets", "use_run_exclusions", "exclude_sites"}
        bad = set(value) - known
        if bad:
            raise ConfigError(
                f"unknown constraint key(s) {', '.join(sorted(map(str, bad)))}; known: "
                f"{', '.join(sorted(known))}",
                field="constraints",
            )
        return cls(**dict(value))


@dataclass
class PortfolioResult:
    """Result of :func:`portfolio`.

    Attributes
    ----------
    status : str
        ``optimal``, ``feasible`` (time limit reached with a solution) or ``infeasible``.
    message : str
        Solver message, or for an infeasible problem which constraints bind and by how much.
    objective, objective_column : str
        Objective key and the column minimised.
    objective_value : float
        Sum over built sites of the objective (column unit; NaN if infeasible).
    mip_gap : float
        Relative optimality gap reported by HiGHS (0 = proven optimal).
    target_mw, built_mw : float
        Capacity asked for and built [MW of IT].
    sites : DataFrame
        One row per candidate site (``site_id`` order): ``chosen``, ``mw``, ``max_mw``,
        each quantity's contribution, ``reason`` (why a site is not built, or built only
        in part). Keeps the geometry and the grouping columns when the input had them.
    constraints : DataFrame
        ``constraint``, ``group``, ``used``, ``limit``, ``unit``, ``binding``, and for an
        infeasible problem ``relax_by`` (what the constraint would have to give).
    totals : dict
        Quantity column -> portfolio total.
    binding : list of str
        Constraint groups that bind (at their limit, or blocking feasibility).
    solve_seconds : float
        Wall time of the solve [s].
    settings : dict
        Objective, plant mode, block size, constraints, design capacity.
    """

    status: str
    message: str
    objective: str
    objective_column: str
    objective_value: float
    mip_gap: float
    target_mw: float
    built_mw: float
    sites: pd.DataFrame
    constraints: pd.DataFrame
    totals: dict[str, float]
    binding: list[str]
    solve_seconds: float
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return self.status in ("optimal", "feasible")

    @property
    def chosen(self) -> pd.DataFrame:
        """The built sites, largest first."""
        c = self.sites[self.sites["chosen"]]
        return c.sort_values(["mw", "site_id"], ascending=[False, True])


# --------------------------------------------------------------------------------------
# per-MW coefficients from the assessment
# --------------------------------------------------------------------------------------


def fixed_shares(fleet: Any, facility: Any, scenario: Any) -> dict[str, Any]:
    """Share of each year's assessed total that does not depend on the IT load.

    The model's facility heat per design kW is ``a L + b`` (``Facility.heat_coefficients``):
    ``b`` (``dist_loss_fixed + misc_fixed``) is drawn whatever the fleet does. Every
    heat-driven quantity of year ``y`` (facility energy, on-site water from the energy
    balance, off-site water, scope 2) is ``k_{i,y} D h (a Lbar_y + b)``, so its fixed share
    is ``b / (a Lbar_y + b)`` for every site; energy cost's is ``b / qpay_y`` with the
    take-or-pay floor in ``qpay_y``. Building embodied carbon is fixed per site.

    Returns
    -------
    dict
        ``heat`` and ``cost``: arrays (year,) of shares in [0, 1]; ``building_t``: the
        building embodied carbon of one site [tCO2e]; ``water_fixed_wue``: True when the
        on-site water is a fixed WUE x IT energy (no fixed share).
    """
    from siting.physics import energy as _energy

    spec = fleet.spec
    f_idle = spec["idle_fraction"][0]
    u = fleet.power_fraction_alive
    r = float(scenario.retenant_fraction)
    sched = _energy.commitment_schedule(
        scenario.commitment_years,
        scenario.product_years,
        scenario.after,
        float(fleet.refresh_years),
        r,
        float(scenario.retenant_delay_years),
    )
    loads = {
        "alive": u,
        "idle": f_idle,
        "leased": r * u + (1.0 - r) * f_idle,
        "off": 0.0,
    }
    a, b = facility.heat_coefficients()
    q_alive = a * u + b
    top = float(scenario.take_or_pay_fraction)
    q_bar = sum(sched[k] * (a * ld + b) for k, ld in loads.items())
    q_pay = sum(sched[k] * np.maximum(a * ld + b, top * q_alive) for k, ld in loads.items())
    frac = sum(sched[k] for k in loads)
    with np.errstate(invalid="ignore", divide="ignore"):
        heat = np.where(q_bar > 0, b * frac / q_bar, 0.0)
        cost = np.where(q_pay > 0, b * frac / q_pay, 0.0)
    return {
        "heat": heat,
        "cost": cost,
        "building_t": float(facility.building_embodied_t_per_mw) * float(fleet.design_it_mw),
        "water_fixed_wue": facility.wue_onsite_l_per_kwh is not None and facility.pue is None,
    }


def _fixed_parts(summary: pd.DataFrame, annual: Any, shares: dict[str, Any]) -> pd.DataFrame:
    """Fixed part of each quantity per site (same units as the totals), summary row order."""
    ids = summary["site_id"].astype(str).to_numpy()
    a_ids = np.asarray(annual["site"].values).astype(str)
    pos = pd.Index(a_ids).get_indexer(ids)
    if (pos < 0).any():
        missing = ids[pos < 0][:3]
        raise ConfigError(
            f"the annual footprint has no site(s) {', '.join(missing)}", field="site_id"
        )

    def year_sum(var: str, share: np.ndarray) -> np.ndarray:
        arr = np.asarray(annual[var].transpose("site", "year").values, dtype=np.float64)
        return arr[pos] @ np.asarray(share, dtype=np.float64)

    out = pd.DataFrame(index=summary.index)
    for var in ("facility_energy_mwh", "water_offsite_m3", "co2_scope2_t", "co2_scope2_market_t"):
        if var in annual:
            out[var] = year_sum(var, shares["heat"])
    if "water_onsite_m3" in annual:
        on = np.zeros(len(ids)) if shares["water_fixed_wue"] else None
        out["water_onsite_m3"] = (
            on if on is not None else year_sum("water_onsite_m3", shares["heat"])
        )
    if "energy_cost_usd" in annual:
        out["energy_cost_usd"] = year_sum("energy_cost_usd", shares["cost"])
    out["co2_embodied_t"] = shares["building_t"]
    if "water_scarcity_weighted_m3" in summary.columns and "water_onsite_m3" in out:
        wsf = pd.to_numeric(summary.get("water_scarcity_factor"), errors="coerce")
        out["water_scarcity_weighted_m3"] = out["water_onsite_m3"] * np.asarray(wsf, float)
    return out


def _max_mw(table: pd.DataFrame, max_mw: str | float | None, design_mw: float) -> np.ndarray:
    n = len(table)
    if max_mw is None:
        return np.full(n, float(design_mw))
    if isinstance(max_mw, str):
        if max_mw not in table.columns:
            raise ConfigError(
                f"no column '{max_mw}' with each site's maximum capacity [MW]", field="max_mw"
            )
        v = pd.to_numeric(table[max_mw], errors="coerce").to_numpy(dtype=float)
        bad = np.isfinite(v) & (v < 0)
        if bad.any():
            sid = table["site_id"].astype(str).to_numpy()[bad][0]
            raise ConfigError(
                f"site '{sid}': maximum capacity must be >= 0 MW, got {v[bad][0]}", field=max_mw
            )
        return np.where(np.isfinite(v), v, float(design_mw))
    v = float(max_mw)
    if not np.isfinite(v) or v <= 0:
        raise ConfigError(f"must be a capacity > 0 MW, got {max_mw!r}", field="max_mw")
    return np.full(n, v)


def coefficients(
    table: pd.DataFrame,
    design_mw: float,
    *,
    fixed: pd.DataFrame | None = None,
    plant: str = "as_built",
    max_mw: str | float | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per-MW coefficient ``v`` and fixed part ``f`` of each quantity, per site.

    Parameters
    ----------
    table
        Per-site totals at the fleet's design capacity ``design_mw`` (``site_id`` and the
        quantity columns), e.g. ``RunResult.ranked``.
    design_mw
        Design IT capacity the totals were assessed for [MW] (``Fleet.design_it_mw``).
    fixed
        Fixed (load-independent) part of each total, same rows and units (from
        :func:`fixed_shares`); columns ``<quantity>`` (default: no fixed part). A table
        may carry it directly as ``<quantity>_fixed`` columns.
    plant
        ``as_built``: ``v = total / D``, ``f = 0`` (the model's fixed loads are per design
        kW, so a plant sized to the IT built scales them with it); ``full``: the plant is
        built to the site maximum ``X`` once the site is built: ``v = (total - fixed) / D``,
        ``f = fixed / D * X``.
    max_mw
        Column with each site's maximum IT capacity [MW], or one value for all (default:
        ``design_mw``; a missing value in the column falls back to it).
    columns
        Quantities to return (default: those of :data:`QUANTITIES` and ``score`` present).

    Returns
    -------
    DataFrame
        ``site_id``, ``max_mw`` and ``<q>_per_mw``, ``<q>_fixed`` for each quantity.
    """
    if plant not in PLANT_MODES:
        raise ConfigError(f"must be one of {', '.join(PLANT_MODES)}, got {plant!r}", field="plant")
    d = float(design_mw)
    if not np.isfinite(d) or d <= 0:
        raise ConfigError(f"must be > 0 MW, got {design_mw!r}", field="design_mw")
    cols = list(columns) if columns is not None else [*QUANTITIES, "score"]
    cols = [c for c in cols if c in table.columns]
    out = pd.DataFrame({"site_id": table["site_id"].astype(str).to_numpy()})
    cap = _max_mw(table, max_mw, d)
    out["max_mw"] = cap
    for c in cols:
        total = pd.to_numeric(table[c], errors="coerce").to_numpy(dtype=float)
        if fixed is not None and c in fixed.columns:
            fx = np.asarray(fixed[c], dtype=float)
        elif f"{c}_fixed" in table.columns:
            fx = pd.to_numeric(table[f"{c}_fixed"], errors="coerce").to_numpy(dtype=float)
        else:
            fx = np.zeros(len(table))
        if plant == "as_built" or c == "score":
            out[f"{c}_per_mw"] = total / d
            out[f"{c}_fixed"] = 0.0
        else:
            out[f"{c}_per_mw"] = (total - fx) / d
            out[f"{c}_fixed"] = fx / d * cap
    return out
