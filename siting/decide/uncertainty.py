"""Monte Carlo uncertainty and one-at-a-time sensitivity (tornado).

The model is taken as a callable so that any model (the real
:func:`siting.model.assess` through :func:`assess_model`, or a hand-written toy model
in tests) can be used::

    model(sites, params) -> summary DataFrame with 'site_id' and the output columns

``params`` maps an uncertain input's name to its value for this run: a float, or for
a per-site input an array of shape ``(n_sites,)`` in the row order of ``sites``. An
input absent from ``params`` keeps the model's own default (the nominal run is
``model(sites, {})``). A model with the attribute ``vectorized = True`` is called once
for all draws instead: values have shape ``(n_draws,)`` or ``(n_draws, n_sites)`` and
it returns ``{output: array (n_draws, n_sites)}``.

Draws come from a :class:`numpy.random.Generator` seeded with ``seed``; inputs are
sampled in their declared order, so the same seed and inputs give identical results.

Every uncertain input declares its distribution, range, unit and source
(:func:`default_inputs`, :func:`inputs_table`); ranges not backed by a publication are
labelled "assumption".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from siting.decide.exclude import ExclusionSpec, exclusion_mask
from siting.decide.rank import CRITERIA, Criterion, normalize_weights, resolve_criteria, scores
from siting.errors import ConfigError

__all__ = [
    "ASSESS_TARGETS",
    "DEFAULT_OUTPUTS",
    "MonteCarloResult",
    "UncertainInput",
    "assess_model",
    "default_inputs",
    "inputs_table",
    "monte_carlo",
    "tornado",
]

#: Outputs summarised by default (those the model returns).
DEFAULT_OUTPUTS = (
    "water_onsite_m3",
    "water_offsite_m3",
    "water_scarcity_weighted_m3",
    "co2_scope2_t",
    "co2_embodied_t",
    "energy_cost_usd",
    "water_onsite_m3_after_product",
    "co2_scope2_t_after_product",
)

Model = Callable[[pd.DataFrame, Mapping[str, Any]], Any]

# z of the 10th / 90th percentile of a standard normal: Phi^-1(0.9) = 1.2815515655446004
_Z90 = NormalDist().inv_cdf(0.9)  # statistics: scipy is imported only when sampling


@dataclass(frozen=True)
class UncertainInput:
    """An uncertain model input and its distribution.

    Parameters
    ----------
    name
        Key passed to the model in ``params``.
    distribution
        ``"uniform"`` on [low, high]; ``"triangular"`` (low, mode, high); ``"normal"``
        with ``mean`` and ``sd`` truncated to [low, high].
    low, high
        Range (bounds of the uniform / triangular, truncation of the normal).
    mode
        Mode of the triangular distribution.
    mean, sd
        Mean and standard deviation of the normal.
    unit, source, description
        Unit of the value, where the range comes from (citation or "assumption: ..."),
        what the input is.
    per_site
        One independent draw per site (shape ``(n_sites,)`` per run) instead of one
        value shared by all sites.
    """

    name: str
    distribution: Literal["uniform", "triangular", "normal"]
    low: float
    high: float
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    unit: str = ""
    source: str = "assumption"
    description: str = ""
    per_site: bool = False

    def __post_init__(self) -> None:
        f = self.name
        if self.distribution not in ("uniform", "triangular", "normal"):
            raise ConfigError(
                f"distribution {self.distribution!r} is not one of uniform, triangular, normal",
                field=f,
            )
        lo, hi = float(self.low), float(self.high)
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
            raise ConfigError(f"needs finite low <= high, got [{self.low}, {self.high}]", field=f)
        if self.distribution == "triangular":
            if self.mode is None or not lo <= float(self.mode) <= hi:
                raise ConfigError(
                    f"triangular needs low <= mode <= high, got mode={self.mode}", field=f
                )
        if self.distribution == "normal":
            if self.mean is None or self.sd is None or not float(self.sd) > 0:
                raise ConfigError("normal needs a mean and an sd > 0", field=f)
            if not lo <= float(self.mean) <= hi:
                raise ConfigError(f"normal mean {self.mean} is outside [{lo}, {hi}]", field=f)
        if not str(self.source).strip():
            raise ConfigError("every uncertain input needs a source (or 'assumption')", field=f)

    def sample(self, rng: np.random.Generator, n_draws: int, n_sites: int) -> np.ndarray:
        """Draw values: shape ``(n_draws,)``, or ``(n_draws, n_sites)`` if per site."""
        shape = (n_draws, n_sites) if self.per_site else (n_draws,)
        lo, hi = float(self.low), float(self.high)
        if self.distribution == "uniform":
            return rng.uniform(lo, hi, size=shape) if hi > lo else np.full(shape, lo)
        if self.distribution == "triangular":
            if hi == lo:
                return np.full(shape, lo)
            return rng.triangular(lo, float(self.mode), hi, size=shape)
        # truncated normal by inverse CDF
        from scipy import special

        mu, sd = float(self.mean), float(self.sd)
        a, b = special.ndtr((lo - mu) / sd), special.ndtr((hi - mu) / sd)
        u = rng.uniform(a, b, size=shape)
        return np.clip(mu + sd * special.ndtri(u), lo, hi)

    def tornado_bounds(self) -> tuple[float, float]:
        """Low and high values of the tornado: the range for uniform / triangular, the
        10th and 90th percentiles for a normal (within its truncation)."""
        if self.distribution == "normal":
            mu, sd = float(self.mean), float(self.sd)
            return (max(mu - _Z90 * sd, float(self.low)), min(mu + _Z90 * sd, float(self.high)))
        return float(self.low), float(self.high)


# --------------------------------------------------------------------------------------
# declared distributions
# --------------------------------------------------------------------------------------

_LM2022 = "Lei & Masanet (2022) Resour. Conserv. Recycl. 182:106323, typical range"


def default_inputs(
    *,
    scenario: Any = None,
    facility: Any = None,
    sites: pd.DataFrame | None = None,
    commitment_years: int | None = None,
    cooling: str | None = None,
) -> list[UncertainInput]:
    """The declared uncertain inputs for a scenario and cooling technology.

    Parameters
    ----------
    scenario, facility
        :class:`siting.model.Scenario` / :class:`~siting.model.Facility`: give the
        commitment length and the cooling technology when the explicit arguments are
        not set.
    sites
        If given and it has ``wet_bulb_sd_c``, adds the per-site wet-bulb error.
    commitment_years
        Upper bound of the product lifetime [years] (default: the scenario's, else 15,
        the model's default commitment).
    cooling
        ``tower_economizer`` / ``evaporative`` (tower CoC, approach, range),
        ``adiabatic`` (evaporative effectiveness) or ``dry`` (no cooling-water
        parameter). Default: the facility's, else ``tower_economizer`` (the model's default).

    Returns
    -------
    list of UncertainInput
        See :func:`inputs_table` for the ranges and sources.
    """
    if commitment_years is None:
        commitment_years = int(getattr(scenario, "commitment_years", 15))
    if cooling is None:
        cooling = str(getattr(facility, "cooling", "tower_economizer"))
    out: list[UncertainInput] = []
    if cooling in ("evaporative", "tower_economizer"):
        out += [
            UncertainInput(
                "cycles_of_concentration",
                "uniform",
                3.0,
                15.0,
                unit="-",
                source=_LM2022,
                description="cooling-tower cycles of concentration",
            ),
            UncertainInput(
                "approach_c",
                "uniform",
                2.8,
                6.7,
                unit="K",
                source=_LM2022,
                description="cooling-tower approach (cold water minus wet-bulb)",
            ),
            UncertainInput(
                "range_c",
                "uniform",
                4.0,
                6.0,
                unit="K",
                source=_LM2022,
                description="cooling-tower range (hot minus cold water)",
            ),
        ]
    elif cooling == "adiabatic":
        out.append(
            UncertainInput(
                "evap_effectiveness",
                "uniform",
                0.70,
                0.95,
                unit="-",
                source=(
                    "ASHRAE (2020) Handbook HVAC Systems and Equipment ch. 41: direct "
                    "evaporative saturation effectiveness 70-95 %"
                ),
                description="direct evaporative pad saturation effectiveness",
            )
        )
    elif cooling != "dry":
        raise ConfigError(f"{cooling!r} is not one of evaporative, adiabatic, dry", field="cooling")
    out += [
        UncertainInput(
            "grid_decarbonization_per_yr",
            "uniform",
            0.0,
            0.052,
            unit="1/yr",
            source=(
                "low 0 = grid intensity frozen (assumption; the model's default); high "
                "0.052 = fastest sustained national decline in Ember & Energy Institute "
                "data (Our World in Data, carbon intensity of electricity 1990-2023): "
                "Denmark 890 -> 152 gCO2e/kWh, 1 - (152/890)^(1/33) = 5.2 %/yr"
            ),
            description="compound yearly decline of grid carbon intensity",
        ),
        UncertainInput(
            "product_years",
            "uniform",
            1.0,
            float(commitment_years),
            unit="years",
            source=(
                "assumption: from a product shut down after its first year to one that "
                "outlives the commitment; no published distribution of AI product lifetimes"
            ),
            description="years until the product the fleet was bought for is shut down",
        ),
        UncertainInput(
            "utilization",
            "triangular",
            0.5,
            0.9,
            mode=0.76,
            unit="fraction of full-load power",
            source=(
                "mode 0.76: Newkirk et al. (2025) arXiv:2506.14551 (intensive training on "
                "8xH100 nodes, the model's default); bounds 0.5-0.9 are an assumption "
                "bracketing LBNL's estimate that GPU servers do useful work 75-85 % of the "
                "time and idle near 20 % of nameplate otherwise (Shehabi et al. 2024, "
                "2024 United States Data Center Energy Usage Report)"
            ),
            description="mean fleet power while the product lives",
        ),
        UncertainInput(
            "ewif_multiplier",
            "uniform",
            0.5,
            1.5,
            unit="x resolved EWIF",
            source=(
                "assumption: Macknick et al. (2012) Environ. Res. Lett. 7 045802 report wide "
                "min-max spreads around each technology median; data/ewif_macknick2012.csv "
                "ships the medians only, so a +/-50 % band is used until min/max are added"
            ),
            description="multiplier on each site's EWIF (off-site water per kWh)",
        ),
    ]
    if sites is not None and "wet_bulb_sd_c" in sites.columns:
        out.append(
            UncertainInput(
                "wet_bulb_error_sd",
                "normal",
                -3.0,
                3.0,
                mean=0.0,
                sd=1.0,
                unit="standard deviations of wet_bulb_sd_c",
                per_site=True,
                source=(
                    "climate layer: wet_bulb_sd_c, 1-sigma uncertainty of the monthly "
                    "wet-bulb (docs/columns.md); normal truncated at +/-3 sigma"
                ),
                description=(
                    "per-site error of the monthly wet-bulb, the same shift in every "
                    "month: wet_bulb += z * wet_bulb_sd_c (capped at the dry-bulb)"
                ),
            )
        )
    return out


def inputs_table(inputs: Sequence[UncertainInput]) -> pd.DataFrame:
    """Declared distributions as a table (name, distribution, low, high, mode, mean, sd,
    tornado_low, tornado_high, unit, per_site, source, description)."""
    rows = []
    for i in inputs:
        tl, th = i.tornado_bounds()
        rows.append(
            {
                "name": i.name,
                "distribution": i.distribution,
                "low": i.low,
                "high": i.high,
                "mode": i.mode,
                "mean": i.mean,
                "sd": i.sd,
                "tornado_low": tl,
                "tornado_high": th,
                "unit": i.unit,
                "per_site": i.per_site,
                "source": i.source,
                "description": i.description,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# calling a model
# --------------------------------------------------------------------------------------


def _site_ids(sites: pd.DataFrame) -> np.ndarray:
    if "site_id" not in sites.columns:
        raise ConfigError("the site table needs a 'site_id' column", field="site_id")
    ids = sites["site_id"].astype(str).to_numpy(dtype=object)
    if len(set(ids.tolist())) != len(ids):
        raise ConfigError("site_id values must be unique", field="site_id")
    return ids


def _align(summary: pd.DataFrame, ids: np.ndarray, columns: Sequence[str]) -> dict[str, np.ndarray]:
    """Output columns of one model run, in the order of ``ids``."""
    if not isinstance(summary, pd.DataFrame) or "site_id" not in summary.columns:
        raise ConfigError(
            "the model must return a DataFrame with a 'site_id' column", field="model"
        )
    pos = pd.Index(summary["site_id"].astype(str)).get_indexer(ids)
    if (pos < 0).any():
        miss = ids[pos < 0][:5].tolist()
        raise ConfigError(f"the model output lacks site(s) {miss}", field="model")
    out = {}
    for c in columns:
        if c not in summary.columns:
            raise ConfigError(
                f"the model output has no column '{c}'; it has: "
                + ", ".join(str(x) for x in summary.columns if x != "geometry"),
                field=c,
            )
        out[c] = pd.to_numeric(summary[c], errors="coerce").to_numpy("float64", na_value=np.nan)[
            pos
        ]
    return out


def _validate_inputs(inputs: Sequence[UncertainInput]) -> list[UncertainInput]:
    inputs = list(inputs)
    names = [i.name for i in inputs]
    if len(set(names)) != len(names):
        raise ConfigError(f"uncertain inputs repeat a name: {names}", field="inputs")
    for i in inputs:
        if not isinstance(i, UncertainInput):
            raise ConfigError(f"expected UncertainInput, got {type(i).__name__}", field="inputs")
    return inputs


def _default_for(model: Model, sites: pd.DataFrame) -> list[UncertainInput]:
    """Default inputs for a model: its scenario and facility when it carries them."""
    return default_inputs(
        scenario=getattr(model, "scenario", None),
        facility=getattr(model, "facility", None),
        sites=sites,
    )


def _is_vectorized(model: Model, vectorized: bool | None) -> bool:
    return bool(getattr(model, "vectorized", False)) if vectorized is None else bool(vectorized)


# --------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------


@dataclass
class MonteCarloResult:
    """Result of :func:`monte_carlo`.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per site (input order): ``site_id``, ``<output>_p10``, ``_p50``,
        ``_p90`` for every output, ``n_valid_draws``, and ``p_rank_first`` (probability
        that the site ranks first, ties split equally) when weights were given.
    samples : xarray.Dataset
        Every output with dims (draw, site), the drawn scalar inputs (dim draw) and
        per-site inputs (draw, site); attrs hold the seed and the weights.
    draws : pandas.DataFrame
        The drawn value of every scalar input, one row per draw.
    inputs : list of UncertainInput
        The declared distributions (see :func:`inputs_table`).
    seed : int or None
        Seed of the generator.
    """

    summary: pd.DataFrame
    samples: xr.Dataset
    draws: pd.DataFrame
    inputs: list[UncertainInput]
    seed: Any
    weights: dict[str, float] | None = field(default=None)

    def inputs_table(self) -> pd.DataFrame:
        """Declared distributions (see :func:`inputs_table`)."""
        return inputs_table(self.inputs)


def _criteria_draws(
    frames: Callable[[int], pd.DataFrame], n_draws: int, crits: Sequence[Criterion]
) -> np.ndarray:
    return np.stack([np.column_stack([c.values(frames(d)) for c in crits]) for d in range(n_draws)])


def monte_carlo(
    model: Model,
    sites: pd.DataFrame,
    inputs: Sequence[UncertainInput] | None = None,
    *,
    n_draws: int = 200,
    seed: int | None = 0,
    outputs: Sequence[str] | None = None,
    weights: Mapping[str, float] | str | None = None,
    exclusions: ExclusionSpec | Mapping[str, Any] | Sequence[Any] | str | None = None,
    quantiles: tuple[float, float, float] = (0.1, 0.5, 0.9),
    vectorized: bool | None = None,
    criteria: Mapping[str, Criterion] | None = None,
) -> MonteCarloResult:
    """Monte Carlo over uncertain inputs: P10/P50/P90 per site and P(rank first).

    Parameters
    ----------
    model
        ``model(sites, params) -> summary`` (see the module docstring), e.g.
        :func:`assess_model`.
    sites
        Site table passed to the model (needs ``site_id``).
    inputs
        Uncertain inputs; default :func:`default_inputs` for ``sites`` and, when the
        model carries them (:func:`assess_model`), its scenario and facility.
    n_draws
        Number of draws (>= 1).
    seed
        Seed of :func:`numpy.random.default_rng`; same seed, same results.
    outputs
        Output columns to summarise; default those of :data:`DEFAULT_OUTPUTS` the model
        returns.
    weights
        Criterion weights (as in :func:`siting.decide.rank`); if given, each draw is
        ranked and ``p_rank_first`` is reported.
    exclusions
        Exclusion spec evaluated once on ``sites`` (screening on site attributes):
        excluded sites get ``p_rank_first = 0``.
    quantiles
        Lower, middle and upper quantiles (default P10, P50, P90).
    vectorized
        Force the vectorized calling convention (default: ``model.vectorized``).
    criteria
        Criteria registry (default :data:`siting.decide.CRITERIA`).

    Returns
    -------
    MonteCarloResult

    Raises
    ------
    ConfigError
        Bad ``n_draws``, quantiles, inputs, weights or exclusions; a model output that
        lacks a site or a column.
    """
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise ConfigError(f"must be a whole number >= 1, got {n_draws!r}", field="n_draws")
    q = np.asarray(quantiles, dtype=float)
    if q.shape != (3,) or not (np.all(np.diff(q) >= 0) and q[0] >= 0 and q[-1] <= 1):
        raise ConfigError(
            f"three increasing quantiles in [0, 1], got {quantiles}", field="quantiles"
        )
    ids = _site_ids(sites)
    n = len(ids)
    inputs = _validate_inputs(_default_for(model, sites) if inputs is None else inputs)
    vec = _is_vectorized(model, vectorized)
    crit = CRITERIA if criteria is None else criteria
    w = normalize_weights(weights, crit) if weights is not None else None
    crits = resolve_criteria(w, crit) if w else []
    excluded, _ = exclusion_mask(sites, exclusions)

    rng = np.random.default_rng(seed)
    drawn = {i.name: i.sample(rng, n_draws, n) for i in inputs}

    if vec:
        res = model(sites, drawn)
        if not isinstance(res, Mapping):
            raise ConfigError(
                "a vectorized model returns {output: array (n_draws, n_sites)}", field="model"
            )
        avail = list(res)
        outs = _pick_outputs(outputs, avail)
        arrays = {}
        for c in set(outs) | {k for k in avail if k in {x.column for x in crits}}:
            a = np.asarray(res[c], dtype="float64")
            arrays[c] = np.broadcast_to(a, (n_draws, n)).copy()

        def frame(d: int) -> pd.DataFrame:
            f = sites.drop(columns=[k for k in arrays if k in sites.columns]).reset_index(drop=True)
            for k, a in arrays.items():
                f[k] = a[d]
            return f

        crit_x = _criteria_draws(frame, n_draws, crits) if crits else None
    else:
        outs_known: list[str] | None = None
        arrays = {}
        crit_x = np.empty((n_draws, n, len(crits))) if crits else None
        for d in range(n_draws):
            params = {k: v[d] for k, v in drawn.items()}
            summary = model(sites, params)
            if outs_known is None:
                if not isinstance(summary, pd.DataFrame):
                    raise ConfigError(
                        "the model must return a DataFrame with 'site_id' and outputs",
                        field="model",
                    )
                outs_known = _pick_outputs(outputs, list(summary.columns))
                arrays = {c: np.empty((n_draws, n)) for c in outs_known}
            got = _align(summary, ids, outs_known)
            for c in outs_known:
                arrays[c][d] = got[c]
            if crits:
                pos = pd.Index(summary["site_id"].astype(str)).get_indexer(ids)
                ordered = summary.iloc[pos]
                crit_x[d] = np.column_stack([c.values(ordered) for c in crits])
        outs = outs_known or []

    # --- percentiles ------------------------------------------------------------------
    summ = pd.DataFrame({"site_id": ids})
    labels = [f"p{round(x * 100):02d}" for x in q]
    for c in outs:
        a = arrays[c]
        with np.errstate(all="ignore"):
            valid = np.isfinite(a)
            qs = np.full((3, n), np.nan)
            has = valid.any(axis=0)
            if has.any():
                qs[:, has] = np.nanquantile(a[:, has], q, axis=0)
        for j, lab in enumerate(labels):
            summ[f"{c}_{lab}"] = qs[j]
    if outs:
        summ["n_valid_draws"] = (
            np.isfinite(np.stack([arrays[c] for c in outs])).all(axis=0).sum(axis=0)
        )

    # --- probability of ranking first ------------------------------------------------
    p_first = None
    if crits:
        s, _ = scores(crit_x, np.array(list(w.values())), [c.direction for c in crits], ~excluded)
        with np.errstate(all="ignore"):
            best = np.nanmin(np.where(np.isnan(s), np.inf, s), axis=1, keepdims=True)
        win = (s == best) & np.isfinite(s)
        share = win / np.maximum(win.sum(axis=1, keepdims=True), 1)
        p_first = share.sum(axis=0) / n_draws
        summ["p_rank_first"] = p_first

    # --- samples dataset ---------------------------------------------------------------
    data_vars: dict[str, Any] = {c: (("draw", "site"), arrays[c]) for c in outs}
    for i in inputs:
        v = drawn[i.name]
        key = f"input_{i.name}"
        data_vars[key] = (("draw", "site"), v) if i.per_site else (("draw",), v)
    if p_first is not None:
        data_vars["score"] = (("draw", "site"), s)
    ds = xr.Dataset(
        data_vars,
        coords={"draw": np.arange(n_draws), "site": ids},
        attrs={"seed": "none" if seed is None else str(seed), "n_draws": n_draws},
    )
    for i in inputs:
        ds[f"input_{i.name}"].attrs.update(units=i.unit, source=i.source)
    draws = pd.DataFrame({i.name: drawn[i.name] for i in inputs if not i.per_site})
    return MonteCarloResult(
        summary=summ, samples=ds, draws=draws, inputs=inputs, seed=seed, weights=w
    )


def _pick_outputs(outputs: Sequence[str] | None, available: Sequence[str]) -> list[str]:
    if outputs is None:
        return [c for c in DEFAULT_OUTPUTS if c in available]
    if isinstance(outputs, str):
        outputs = [outputs]
    missing = [c for c in outputs if c not in available]
    if missing:
        raise ConfigError(
            f"the model returns no column {missing}; it returns: "
            + ", ".join(str(c) for c in available if c != "geometry"),
            field=missing[0],
        )
    return list(outputs)


# --------------------------------------------------------------------------------------
# tornado
# --------------------------------------------------------------------------------------


def _run_one(
    model: Model,
    sites: pd.DataFrame,
    params: Mapping[str, Any],
    vec: bool,
    output: str,
    ids: np.ndarray,
) -> np.ndarray:
    n = len(ids)
    if vec:
        p = {k: np.asarray(v)[None, ...] for k, v in params.items()}
        res = model(sites, p)
        if output not in res:
            raise ConfigError(
                f"the model returns no '{output}'; it returns {list(res)}", field=output
            )
        return np.broadcast_to(np.asarray(res[output], dtype="float64"), (1, n))[0].copy()
    return _align(model(sites, params), ids, [output])[output]


def tornado(
    model: Model,
    sites: pd.DataFrame,
    inputs: Sequence[UncertainInput] | None = None,
    output: str = "water_onsite_m3",
    *,
    vectorized: bool | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity: the swing of ``output`` per input and site.

    Each input is set to its low and then its high value
    (:meth:`UncertainInput.tornado_bounds`) with every other input at the model's
    nominal value; the swing is ``|output(high) - output(low)|``.

    Parameters
    ----------
    model, sites, inputs, vectorized
        As in :func:`monte_carlo`.
    output
        Output column to study.

    Returns
    -------
    pandas.DataFrame
        One row per (site, input): ``site_id``, ``input``, ``unit``, ``low``, ``high``,
        ``output``, ``base`` (nominal run), ``at_low``, ``at_high``, ``swing``,
        ``swing_rank`` (1 = the input that moves this site's result most). Sorted by
        site (input order), then swing descending, then input name.
    """
    ids = _site_ids(sites)
    n = len(ids)
    inputs = _validate_inputs(_default_for(model, sites) if inputs is None else inputs)
    vec = _is_vectorized(model, vectorized)
    base = _run_one(model, sites, {}, vec, output, ids)
    k = len(inputs)
    at_lo = np.empty((k, n))
    at_hi = np.empty((k, n))
    bounds = []
    for j, i in enumerate(inputs):
        lo, hi = i.tornado_bounds()
        bounds.append((lo, hi))
        vlo = np.full(n, lo) if i.per_site else lo
        vhi = np.full(n, hi) if i.per_site else hi
        at_lo[j] = _run_one(model, sites, {i.name: vlo}, vec, output, ids)
        at_hi[j] = _run_one(model, sites, {i.name: vhi}, vec, output, ids)
    swing = np.abs(at_hi - at_lo)
    site_pos = np.repeat(np.arange(n), k)
    inp_pos = np.tile(np.arange(k), n)
    df = pd.DataFrame(
        {
            "site_id": ids[site_pos],
            "input": [inputs[j].name for j in inp_pos],
            "unit": [inputs[j].unit for j in inp_pos],
            "low": np.array([b[0] for b in bounds])[inp_pos],
            "high": np.array([b[1] for b in bounds])[inp_pos],
            "output": output,
            "base": base[site_pos],
            "at_low": at_lo[inp_pos, site_pos],
            "at_high": at_hi[inp_pos, site_pos],
            "swing": swing[inp_pos, site_pos],
        }
    )
    df["_site"] = site_pos
    df["_neg"] = -np.nan_to_num(df["swing"].to_numpy(), nan=-np.inf)
    df = df.sort_values(["_site", "_neg", "input"], kind="mergesort")
    df["swing_rank"] = df.groupby("_site").cumcount() + 1
    return df.drop(columns=["_site", "_neg"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# the real model
# --------------------------------------------------------------------------------------

#: Where each default uncertain input goes in :func:`siting.model.assess`.
ASSESS_TARGETS: dict[str, str] = {
    "cycles_of_concentration": "facility.cycles_of_concentration",
    "approach_c": "facility.approach_c",
    "range_c": "facility.range_c",
    "evap_effectiveness": "facility.evap_effectiveness",
    "grid_decarbonization_per_yr": "scenario.grid_decarbonization_per_yr",
    "product_years": "scenario.product_years",
    "utilization": "fleet.utilization",
    "ewif_multiplier": "sites.ewif_multiplier",
    "wet_bulb_error_sd": "sites.wet_bulb_error_sd",
}


def assess_model(
    fleet: Any,
    scenario: Any,
    facility: Any = None,
    *,
    targets: Mapping[str, str] | None = None,
    **assess_kwargs: Any,
) -> Callable[[pd.DataFrame, Mapping[str, Any]], pd.DataFrame]:
    """Wrap :func:`siting.model.assess` as a ``model(sites, params) -> summary`` callable.

    Parameters
    ----------
    fleet, scenario, facility
        :class:`siting.model.Fleet`, :class:`~siting.model.Scenario`,
        :class:`~siting.model.Facility` (default ``Facility()``): the nominal
        configuration.
    targets
        Input name -> ``"fleet.<field>"``, ``"facility.<field>"``,
        ``"scenario.<field>"`` or one of the site transforms ``"sites.ewif_multiplier"``
        (scales each site's resolved EWIF, read from the nominal run) and
        ``"sites.wet_bulb_error_sd"`` (adds ``z * wet_bulb_sd_c`` to every monthly
        wet-bulb, capped at the dry-bulb). Default :data:`ASSESS_TARGETS`.
    **assess_kwargs
        Passed to :func:`siting.model.assess` (e.g. ``climate=``).

    Returns
    -------
    callable
        ``model(sites, params)`` returning ``Assessment.summary``; it carries ``fleet``,
        ``facility`` and ``scenario`` attributes (used for the default inputs). A value
        in ``params`` replaces the field with :func:`dataclasses.replace`, so the
        model's own validation applies (a ConfigError names the field).
    """
    from siting import model as m

    facility = m.Facility() if facility is None else facility
    tg = dict(ASSESS_TARGETS if targets is None else targets)
    objs = {"fleet": fleet, "facility": facility, "scenario": scenario}
    for name, t in tg.items():
        where, _, attr = t.partition(".")
        if where in objs:
            names = {f.name for f in dataclasses.fields(objs[where])}
            if attr not in names:
                raise ConfigError(
                    f"target '{t}' of input '{name}': {type(objs[where]).__name__} has no "
                    f"field '{attr}'; fields: {', '.join(sorted(names))}",
                    field=name,
                )
        elif t not in ("sites.ewif_multiplier", "sites.wet_bulb_error_sd"):
            raise ConfigError(f"unknown target '{t}' for input '{name}'", field=name)
    cache: dict[str, Any] = {}

    def run(sites: pd.DataFrame, params: Mapping[str, Any]) -> pd.DataFrame:
        changes: dict[str, dict[str, Any]] = {"fleet": {}, "facility": {}, "scenario": {}}
        site_ops: dict[str, Any] = {}
        for name, value in params.items():
            if name not in tg:
                raise ConfigError(
                    f"no target for uncertain input '{name}'; known: {', '.join(tg)}", field=name
                )
            where, _, attr = tg[name].partition(".")
            if where == "sites":
                site_ops[attr] = value
            else:
                v = np.asarray(value)
                if v.ndim:
                    raise ConfigError(f"input '{name}' must be one value per run", field=name)
                changes[where][attr] = v.item()
        fl = dataclasses.replace(fleet, **changes["fleet"])
        fa = dataclasses.replace(facility, **changes["facility"])
        sc = dataclasses.replace(scenario, **changes["scenario"])
        df = sites
        if site_ops:
            df = sites.copy()
            n = len(df)
            if "ewif_multiplier" in site_ops:
                if cache.get("sites") is not sites:  # resolved EWIF of the nominal run
                    nominal = m.assess(sites, fleet, scenario, facility, **assess_kwargs)
                    cache["sites"] = sites  # held, so identity cannot be reused
                    cache["ewif"] = nominal.summary["ewif_l_per_kwh"].to_numpy(dtype=float)
                mult = np.broadcast_to(np.asarray(site_ops["ewif_multiplier"], float), (n,))
                df["ewif_l_per_kwh"] = cache["ewif"] * mult
            if "wet_bulb_error_sd" in site_ops:
                if "wet_bulb_sd_c" not in df.columns:
                    raise ConfigError(
                        "the wet-bulb error needs a 'wet_bulb_sd_c' column (climate layer)",
                        field="wet_bulb_sd_c",
                    )
                z = np.broadcast_to(np.asarray(site_ops["wet_bulb_error_sd"], float), (n,))
                sd = pd.to_numeric(df["wet_bulb_sd_c"], errors="coerce").to_numpy(float)
                shift = z * np.nan_to_num(sd, nan=0.0)
                wet = [f"wet_bulb_c_m{k:02d}" for k in range(1, 13)]
                dry = [f"dry_bulb_c_m{k:02d}" for k in range(1, 13)]
                tw = df[wet].to_numpy(dtype=float) + shift[:, None]
                td = df[dry].to_numpy(dtype=float)
                df[wet] = np.fmin(tw, td)  # a wet-bulb never exceeds the dry-bulb
        if not changes["facility"]:
            return m.assess(df, fl, sc, fa, **assess_kwargs).summary
        # a new set of design parameters per draw: the exact cooling path, not a response
        # table built for each draw (within the table's error bound of each other)
        from siting.model.cooling_table import exact_evaluation

        with exact_evaluation():
            return m.assess(df, fl, sc, fa, **assess_kwargs).summary

    run.vectorized = False  # type: ignore[attr-defined]
    run.targets = tg  # type: ignore[attr-defined]
    run.fleet, run.facility, run.scenario = fleet, facility, scenario  # type: ignore[attr-defined]
    return run
