"""The cooling design chosen per site (``--cooling auto``).

Every feasible design of the registry is evaluated on the whole site array (one
footprint kernel run per design); per site the design with the lowest objective is
chosen with numpy (``argmin`` over the design axis), optionally after a water cap in
water-scarce basins. :func:`choose_designs` returns the index of the chosen design per
site, a one-line reason and the trade-off table (site x design).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import ConfigError

__all__ = [
    "COOLING_OBJECTIVES",
    "CoolingChoice",
    "choose_designs",
    "trade_off_table",
    "weights_from_ranking",
]

#: objectives of the choice: lowest facility energy, lowest on-site water, lowest
#: scarcity-weighted on-site water (AWARE factor x water), or a weighted sum
COOLING_OBJECTIVES = ("energy", "water", "scarcity_water", "weights")
_CRITERIA = ("energy", "water", "scarcity_water", "co2")


@dataclass(frozen=True, kw_only=True)
class CoolingChoice:
    """How :func:`siting.model.assess` chooses the cooling design per site.

    Parameters
    ----------
    objective : {'energy', 'water', 'scarcity_water', 'weights'}
        ``energy``: lowest lifetime facility electricity; ``water``: lowest lifetime
        on-site water; ``scarcity_water``: lowest on-site water x the site's
        ``water_scarcity_factor`` (AWARE; 1 where unknown); ``weights``: lowest
        ``sum_k weight_k x criterion_k / min over designs of criterion_k`` over
        ``energy``, ``water``, ``scarcity_water`` and ``co2`` (scope 2).
    weights : mapping
        Weights of the ``weights`` objective (default: equal on energy and water).
    max_wue_l_per_kwh : float, optional
        Water cap: in basins with an AWARE factor above ``max_wue_above_aware`` a design
        whose lifetime on-site WUE exceeds this [L per IT kWh] is not chosen (when every
        design exceeds it, the lowest-WUE design is taken and the reason says so).
    max_wue_above_aware : float
        AWARE factor above which the cap applies (default 20; 0 applies it everywhere).
    designs : tuple of str, optional
        Candidate designs (default: every registered design marked ``auto_candidate``
        that the fleet allows; the legacy ``adiabatic`` plant, without a supply-air
        humidity limit, is superseded by ``air_economizer`` and left out).
    """

    objective: str = "energy"
    weights: dict[str, float] = field(default_factory=lambda: {"energy": 1.0, "water": 1.0})
    max_wue_l_per_kwh: float | None = None
    max_wue_above_aware: float = 20.0
    designs: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.objective not in COOLING_OBJECTIVES:
            raise ConfigError(
                f"must be one of {', '.join(COOLING_OBJECTIVES)}, got {self.objective!r}",
                field="cooling_objective",
            )
        bad = set(self.weights) - set(_CRITERIA)
        if bad or any(not np.isfinite(v) or v < 0 for v in self.weights.values()):
            raise ConfigError(
                f"weights must be >= 0 over {', '.join(_CRITERIA)}, got {self.weights}",
                field="weights",
            )
        if self.max_wue_l_per_kwh is not None and not 0 <= self.max_wue_l_per_kwh <= 50:
            raise ConfigError(
                f"must be in [0, 50] L/kWh, got {self.max_wue_l_per_kwh}", field="max_wue"
            )
        if not 0 <= self.max_wue_above_aware <= 100:
            raise ConfigError(
                f"must be an AWARE factor in [0, 100], got {self.max_wue_above_aware}",
                field="max_wue_above_aware",
            )


#: ranking criteria (siting.decide) that map onto a criterion of the design choice
_FROM_RANKING = {
    "water_onsite": "water",
    "water_scarcity_weighted": "scarcity_water",
    "co2_scope2": "co2",
    "co2_total": "co2",
    "energy_cost": "energy",
    "pue": "energy",
}


def weights_from_ranking(weights: dict[str, float]) -> dict[str, float]:
    """Weights of the ``weights`` objective from ranking weights (criteria that depend
    on the cooling design; others are ignored). Equal on energy and water if none map."""
    out: dict[str, float] = {}
    for k, v in weights.items():
        if k in _FROM_RANKING:
            out[_FROM_RANKING[k]] = out.get(_FROM_RANKING[k], 0.0) + float(v)
    return out or {"energy": 1.0, "water": 1.0}


def _criteria(totals: list[dict[str, np.ndarray]], aware: np.ndarray) -> dict[str, np.ndarray]:
    """(design, site) arrays of each criterion from the per-design lifetime totals."""
    out = {
        "energy": np.stack([t["facility_energy_mwh"] for t in totals]),
        "water": np.stack([t["water_onsite_m3"] for t in totals]),
        "co2": np.stack([t["co2_scope2_t"] for t in totals]),
        "wue": np.stack([t["wue_onsite_l_per_kwh"] for t in totals]),
        "pue": np.stack([t["pue_annual"] for t in totals]),
    }
    out["scarcity_water"] = out["water"] * aware[None, :]
    return out


def _score(choice: CoolingChoice, crit: dict[str, np.ndarray]) -> np.ndarray:
    if choice.objective != "weights":
        return crit[choice.objective].astype(float)
    score = np.zeros_like(crit["energy"], dtype=float)
    for k, wgt in choice.weights.items():
        c = crit[k].astype(float)
        lo = np.nanmin(np.where(c > 0, c, np.nan), axis=0, initial=np.inf)[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            # a criterion of 0 (no water) scores 0; others relative to the best positive
            rel = np.where(c <= 0, 0.0, c / np.where(np.isfinite(lo), lo, 1.0))
        score += wgt * rel
    return score


def choose_designs(
    names: list[str], totals: list[dict[str, np.ndarray]], aware, choice: CoolingChoice
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Index of the chosen design per site and a one-line reason.

    Returns
    -------
    chosen : numpy.ndarray of int, shape (n_site,)
    reason : numpy.ndarray of str, shape (n_site,)
    criteria : dict of (design, site) arrays (energy, water, scarcity_water, co2, wue, pue)
    """
    aware = np.asarray(aware, dtype=float)
    aware_known = np.where(np.isfinite(aware), aware, 1.0)
    crit = _criteria(totals, aware_known)
    score = _score(choice, crit)
    score = np.where(np.isfinite(score), score, np.inf)
    n = score.shape[1]
    capped = np.zeros(n, dtype=bool)
    fallback = np.zeros(n, dtype=bool)
    if choice.max_wue_l_per_kwh is not None:
        capped = np.isfinite(aware) & (aware > choice.max_wue_above_aware)
        over = crit["wue"] > choice.max_wue_l_per_kwh + 1e-12
        blocked = capped[None, :] & over
        fallback = capped & blocked.all(axis=0)
        score = np.where(blocked & ~fallback[None, :], np.inf, score)
        wue_inf = np.where(np.isfinite(crit["wue"]), crit["wue"], np.inf)
        score = np.where(fallback[None, :], wue_inf, score)
    chosen = np.argmin(score, axis=0)
    all_nan = ~np.isfinite(score).any(axis=0)
    reason = _reasons(names, chosen, crit, choice, capped, fallback, all_nan)
    return chosen, reason, crit


def _reasons(names, chosen, crit, choice, capped, fallback, all_nan) -> np.ndarray:
    """One line per site: objective, chosen PUE/WUE and the runner-up's."""
    j = np.arange(chosen.size)
    pue, wue = crit["pue"][chosen, j], crit["wue"][chosen, j]
    what = {
        "energy": "lowest facility energy",
        "water": "lowest on-site water",
        "scarcity_water": "lowest scarcity-weighted on-site water",
        "weights": f"lowest weighted score {choice.weights}",
    }[choice.objective]
    out = []
    for i in range(chosen.size):
        if all_nan[i]:
            out.append("climate unknown: no design could be evaluated")
            continue
        line = f"{what} of {len(names)} feasible designs (PUE {pue[i]:.3f}, WUE {wue[i]:.2f} L/kWh)"
        if fallback[i]:
            line = (
                f"every design exceeds the WUE cap {choice.max_wue_l_per_kwh} L/kWh in this "
                f"basin (AWARE > {choice.max_wue_above_aware}): lowest-WUE design taken "
                f"(PUE {pue[i]:.3f}, WUE {wue[i]:.2f} L/kWh)"
            )
        elif capped[i]:
            line += f"; WUE cap {choice.max_wue_l_per_kwh} L/kWh applied (AWARE > "
            line += f"{choice.max_wue_above_aware})"
        out.append(line)
    return np.array(out, dtype=object)


def trade_off_table(
    site_ids, names: list[str], crit: dict[str, np.ndarray], chosen: np.ndarray
) -> pd.DataFrame:
    """Long table site x design: PUE, WUE, lifetime facility energy and on-site water."""
    nd, n = crit["pue"].shape
    return pd.DataFrame(
        {
            "site_id": np.tile(np.asarray(site_ids, dtype=object), nd),
            "cooling_design": np.repeat(np.asarray(names, dtype=object), n),
            "pue_annual": crit["pue"].ravel(),
            "wue_onsite_l_per_kwh": crit["wue"].ravel(),
            "facility_energy_mwh": crit["energy"].ravel(),
            "water_onsite_m3": crit["water"].ravel(),
            "water_onsite_scarcity_m3": crit["scarcity_water"].ravel(),
            "chosen": (np.arange(nd)[:, None] == chosen[None, :]).ravel(),
        }
    )


def combine(results: list[dict[str, Any]], chosen: np.ndarray, names_vars) -> dict[str, Any]:
    """The (site, year) arrays of the chosen design per site (numpy gather)."""
    out = dict(results[0])
    j = np.arange(chosen.size)
    for name in names_vars:
        stack = np.stack([np.broadcast_to(r[name], results[0][name].shape) for r in results])
        out[name] = stack[chosen, j]
    return out
