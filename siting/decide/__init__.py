"""Decide: rank, exclude, Pareto front, uncertainty, "why this number" and portfolios.

Everything here works on the per-site summary of :func:`siting.model.assess` (or any
table with ``site_id`` and the criterion columns). The method is documented in
``docs/method_decide.md``.
"""

from __future__ import annotations

from siting.decide.exclude import BWS_CATEGORIES, ExclusionSpec, Rule, exclude, parse_rule
from siting.decide.explain import explain
from siting.decide.pareto import pareto_front, pareto_points, pareto_rank
from siting.decide.portfolio import (
    Constraints,
    PortfolioResult,
    after_product,
    load_run,
    portfolio,
    portfolio_draws,
    write_portfolio,
)
from siting.decide.rank import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    Criterion,
    criteria_table,
    criterion_values,
    normalize_weights,
    parse_weights,
    rank,
    scores,
)
from siting.decide.uncertainty import (
    ASSESS_TARGETS,
    DEFAULT_OUTPUTS,
    MonteCarloResult,
    UncertainInput,
    assess_model,
    default_inputs,
    inputs_table,
    monte_carlo,
    tornado,
)

__all__ = [
    "ASSESS_TARGETS",
    "BWS_CATEGORIES",
    "CRITERIA",
    "DEFAULT_OUTPUTS",
    "DEFAULT_WEIGHTS",
    "Constraints",
    "Criterion",
    "ExclusionSpec",
    "MonteCarloResult",
    "PortfolioResult",
    "Rule",
    "UncertainInput",
    "after_product",
    "assess_model",
    "criteria_table",
    "criterion_values",
    "default_inputs",
    "exclude",
    "explain",
    "inputs_table",
    "load_run",
    "monte_carlo",
    "normalize_weights",
    "pareto_front",
    "pareto_points",
    "pareto_rank",
    "portfolio",
    "portfolio_draws",
    "parse_rule",
    "parse_weights",
    "rank",
    "scores",
    "tornado",
    "write_portfolio",
]
