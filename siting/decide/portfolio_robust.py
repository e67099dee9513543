"""Portfolio robustness: one solve per Monte Carlo draw, and the two after-product cases.

* :func:`portfolio_draws`: the per-draw, per-site totals of :func:`siting.decide.monte_carlo`
  (``MonteCarloResult.samples``, dims draw x site) replace the nominal totals, the
  portfolio is solved once per draw, and each site's selection frequency (share of the
  feasible draws in which it is built) and size distribution are reported.
* :func:`after_product`: the run is assessed again with the product surviving the
  commitment and with it shut down after ``product_years``, and the two portfolios are
  compared site by site.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from siting.decide.portfolio_model import QUANTITIES, Constraints, PortfolioResult
from siting.errors import ConfigError

__all__ = ["AfterProductResult", "DrawsResult", "after_product", "portfolio_draws"]


@dataclasses.dataclass
class DrawsResult:
    """Result of :func:`portfolio_draws`.

    Attributes
    ----------
    frequency : DataFrame
        Per site (``site_id`` order): ``selection_frequency`` (share of feasible draws in
        which the site is built), ``mw_mean``, ``mw_p10``, ``mw_p90`` [MW], ``nominal_mw``.
    mw : DataFrame
        Capacity built per draw (rows) and site (columns) [MW]; NaN rows: infeasible draws.
    status : list of str
        Solver status per draw.
    objective_values : ndarray
        Portfolio objective per draw (NaN if infeasible).
    nominal : PortfolioResult
        The portfolio on the nominal totals.
    """

    frequency: pd.DataFrame
    mw: pd.DataFrame
    status: list[str]
    objective_values: np.ndarray
    nominal: PortfolioResult

    @property
    def n_feasible(self) -> int:
        return int(sum(s in ("optimal", "feasible") for s in self.status))


def _needed_columns(objective_column: str, cons: Constraints) -> list[str]:
    return list(dict.fromkeys([objective_column, *cons.budgets]))


def _draw_table(
    base: pd.DataFrame, samples: Any, d: int, cols: list[str], fixed_ratio
) -> pd.DataFrame:
    t = base.copy()
    ids = t["site_id"].astype(str).to_numpy()
    s_ids = np.asarray(samples["site"].values).astype(str)
    pos = pd.Index(s_ids).get_indexer(ids)
    for c in cols:
        v = np.asarray(samples[c].isel(draw=d).values, dtype=float)[pos]
        t[c] = v
        if c in fixed_ratio:
            t[f"{c}_fixed"] = v * fixed_ratio[c]
    return t


def portfolio_draws(
    result: Any,
    target_mw: float,
    *,
    mc: Any = None,
    n_draws: int = 50,
    seed: int | None = 0,
    inputs: Any = None,
    objective: str = "co2_scope2",
    constraints: Any = None,
    **kwargs: Any,
) -> DrawsResult:
    """Solve the portfolio once per Monte Carlo draw; report how often each site is chosen.

    Parameters
    ----------
    result
        :class:`siting.pipeline.RunResult` or :class:`~siting.decide.portfolio.LoadedRun`.
    target_mw, objective, constraints, **kwargs
        As :func:`siting.decide.portfolio.portfolio` (``plant``, ``max_mw``,
        ``min_block_mw`` ...).
    mc
        A :class:`siting.decide.MonteCarloResult` whose ``samples`` hold the objective and
        budget columns (dims draw x site); default: run :func:`siting.decide.monte_carlo`
        with :func:`siting.decide.assess_model` on ``result.joined``.
    n_draws, seed, inputs
        Passed to :func:`siting.decide.monte_carlo` when ``mc`` is None.

    Notes
    -----
    Each draw keeps the nominal fixed share of every total per site (the load-independent
    part scales with the drawn total); the design capacity is the nominal fleet's.
    """
    from siting.decide.portfolio import _objective_column, _table_and_fixed, portfolio

    col = _objective_column(objective)
    cons = Constraints.from_any(constraints)
    nominal = portfolio(result, target_mw, objective=objective, constraints=cons, **kwargs)
    cols = _needed_columns(col, cons)
    if mc is None:
        from siting.decide.uncertainty import assess_model, monte_carlo

        a = result.assessment
        model = assess_model(a.fleet, a.scenario, a.facility)
        mc = monte_carlo(
            model,
            result.joined,
            inputs,
            n_draws=n_draws,
            seed=seed,
            outputs=[c for c in cols if c != "score"],
            weights=getattr(result, "weights", None) if col == "score" else None,
        )
    samples = mc.samples
    missing = [c for c in cols if c not in samples]
    if missing:
        raise ConfigError(
            f"the Monte Carlo samples have no {', '.join(missing)} (pass outputs= / weights=)",
            field="mc",
        )
    table, d, fixed = _table_and_fixed(result, kwargs.pop("design_mw", None))
    ratio = {}
    for c in cols:
        if fixed is not None and c in fixed.columns:
            tot = pd.to_numeric(table[c], errors="coerce").to_numpy(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio[c] = np.where(tot != 0, np.asarray(fixed[c], float) / tot, 0.0)
    keep = [c for c in table.columns if c not in QUANTITIES and c != "score"]
    base = pd.DataFrame(table[keep])
    ids = np.sort(table["site_id"].astype(str).to_numpy())
    n = int(samples.sizes["draw"])
    mw = np.full((n, len(ids)), np.nan)
    status, obj = [], np.full(n, np.nan)
    for k in range(n):
        t = _draw_table(base, samples, k, cols, ratio)
        p = portfolio(
            t,
            target_mw,
            objective=objective,
            constraints=cons,
            design_mw=d,
            diagnose=False,
            **kwargs,
        )
        status.append(p.status)
        if p.feasible:
            mw[k] = p.sites.set_index("site_id").loc[ids, "mw"].to_numpy(float)
            obj[k] = p.objective_value
    ok = np.isfinite(mw).all(axis=1)
    built = mw[ok] > 0
    with np.errstate(invalid="ignore"):
        freq = pd.DataFrame(
            {
                "site_id": ids,
                "selection_frequency": built.mean(axis=0) if ok.any() else np.nan,
                "mw_mean": mw[ok].mean(axis=0) if ok.any() else np.nan,
                "mw_p10": np.quantile(mw[ok], 0.1, axis=0) if ok.any() else np.nan,
                "mw_p90": np.quantile(mw[ok], 0.9, axis=0) if ok.any() else np.nan,
                "nominal_mw": nominal.sites.set_index("site_id").loc[ids, "mw"].to_numpy(),
            }
        )
    freq = freq.sort_values(["selection_frequency", "site_id"], ascending=[False, True])
    return DrawsResult(
        frequency=freq.reset_index(drop=True),
        mw=pd.DataFrame(mw, columns=ids),
        status=status,
        objective_values=obj,
        nominal=nominal,
    )


@dataclasses.dataclass
class AfterProductResult:
    """Result of :func:`after_product`.

    Attributes
    ----------
    survives, shutdown : PortfolioResult
        The portfolio when the product survives the commitment / is shut down after
        ``product_years`` (then ``after``: idle, retenant or power_down).
    comparison : DataFrame
        Per site: ``mw_survives``, ``mw_shutdown``, ``change`` (added, dropped, resized or
        empty).
    totals : DataFrame
        Per quantity: ``survives``, ``shutdown``, ``difference`` (shutdown - survives).
    """

    survives: PortfolioResult
    shutdown: PortfolioResult
    comparison: pd.DataFrame
    totals: pd.DataFrame
    product_years: float
    after: str


def _reassessed(result: Any, scenario: Any) -> Any:
    from siting.decide.portfolio import LoadedRun
    from siting.decide.rank import rank
    from siting.model import assess

    a = result.assessment
    new = assess(result.joined, a.fleet, scenario, a.facility)
    ranked = rank(new.summary, getattr(result, "weights", None) or None)
    old = result.ranked.set_index(result.ranked["site_id"].astype(str))
    ids = ranked["site_id"].astype(str)
    for c in ("excluded", "exclusion_reason"):
        if c in old.columns:
            ranked[c] = old[c].reindex(ids).to_numpy()
    return LoadedRun(ranked=ranked, assessment=new, joined=result.joined)


def after_product(
    result: Any,
    target_mw: float,
    product_years: float,
    *,
    after: str | None = None,
    **kwargs: Any,
) -> AfterProductResult:
    """Portfolio when the product survives vs is shut down after ``product_years``.

    Parameters
    ----------
    result
        :class:`siting.pipeline.RunResult` or :class:`~siting.decide.portfolio.LoadedRun`
        (needs ``joined`` and ``assessment``).
    target_mw, **kwargs
        As :func:`siting.decide.portfolio.portfolio`.
    product_years
        Years until the product is shut down, (0, commitment_years].
    after
        After-product mode (default: the run's own).
    """
    from siting.decide.portfolio import portfolio

    sc = result.assessment.scenario
    mode = after or sc.after
    runs = {
        "survives": _reassessed(result, dataclasses.replace(sc, product_years=None)),
        "shutdown": _reassessed(
            result, dataclasses.replace(sc, product_years=float(product_years), after=mode)
        ),
    }
    pf = {k: portfolio(r, target_mw, **kwargs) for k, r in runs.items()}
    a = pf["survives"].sites.set_index("site_id")["mw"]
    b = pf["shutdown"].sites.set_index("site_id")["mw"].reindex(a.index)
    change = np.where(
        (a == 0) & (b > 0),
        "added",
        np.where((a > 0) & (b == 0), "dropped", np.where(np.abs(a - b) > 1e-6, "resized", "")),
    )
    comp = pd.DataFrame(
        {
            "site_id": a.index,
            "mw_survives": a.to_numpy(),
            "mw_shutdown": b.to_numpy(),
            "change": change,
        }
    )
    qs = [q for q in pf["survives"].totals if q in QUANTITIES or q == "score"]
    tot = pd.DataFrame(
        {
            "quantity": qs,
            "survives": [pf["survives"].totals[q] for q in qs],
            "shutdown": [pf["shutdown"].totals[q] for q in qs],
        }
    )
    tot["difference"] = tot["shutdown"] - tot["survives"]
    return AfterProductResult(
        survives=pf["survives"],
        shutdown=pf["shutdown"],
        comparison=comp,
        totals=tot,
        product_years=float(product_years),
        after=mode,
    )
