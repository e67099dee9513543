"""Criteria registry and weighted ranking of candidate sites.

Method (also in ``docs/method_decide.md``):

1. Each weighted criterion ``c`` is read (or derived) from the per-site summary.
2. It is min-max normalised over the *eligible* sites (not excluded, value finite)::

       n_c = (x - min) / (max - min)        direction "min" (lower is better)
       n_c = (max - x) / (max - min)        direction "max"

   so 0 is the best eligible value and 1 the worst. When ``max == min`` (all sites
   tie, or one eligible site) ``n_c = 0`` for every site: no division by zero.
3. Weights (``>= 0``, at least one ``> 0``) are divided by their sum; the score is
   ``sum_c w_c n_c`` in [0, 1], **lower is better**.
4. Sites are ranked by ``(score, site_id)``: ties are broken by ``site_id`` so the
   order never depends on the input row order.
5. A non-excluded site with a missing (NaN) value in a weighted criterion gets
   ``score = NaN`` and is ranked after every scored site (ordered by ``site_id``),
   with ``rank_note`` naming the missing criteria. Excluded sites keep their row with
   ``rank = <NA>``. No site is ever dropped.

Min-max normalisation is relative to the candidate set: adding or removing a site can
change the others' scores (and, rarely, their order). The per-criterion normalised
values are returned as ``norm_<criterion>`` columns so every score can be checked.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from siting.decide.exclude import ExclusionSpec, exclusion_mask
from siting.errors import ConfigError

__all__ = [
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "Criterion",
    "criteria_table",
    "criterion_values",
    "normalize_weights",
    "parse_weights",
    "rank",
    "resolve_criteria",
    "scores",
]


@dataclass(frozen=True)
class Criterion:
    """One decision criterion.

    Parameters
    ----------
    key
        Name used in weights, e.g. ``"water_onsite"``.
    column
        Summary column holding the value (or the name of the derived value).
    label, unit
        Human-readable label and unit.
    direction
        ``"min"`` when lower is better (every footprint criterion), ``"max"`` otherwise.
    description
        Definition, including how a derived value is computed.
    derive
        For derived criteria: a function of the summary returning the value per row.
    requires
        Columns ``derive`` needs (checked, with a clear message, before computing).
    """

    key: str
    column: str
    label: str
    unit: str
    direction: Literal["min", "max"] = "min"
    description: str = ""
    derive: Callable[[pd.DataFrame], pd.Series] | None = None
    requires: tuple[str, ...] = ()

    def values(self, df: pd.DataFrame) -> np.ndarray:
        """Criterion value per row of ``df`` as float64 (NaN where unknown)."""
        if self.column in df.columns:
            return _as_float(df[self.column], self.column)
        if self.derive is None:
            _missing_column(df, self.column, self.key)
        for c in self.requires:
            if c not in df.columns:
                _missing_column(df, c, self.key)
        return np.asarray(self.derive(df), dtype="float64")


def _as_float(s: pd.Series, name: str) -> np.ndarray:
    try:
        return pd.to_numeric(s, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise ConfigError(f"column '{name}' is not numeric (dtype {s.dtype})", field=name) from None


def _missing_column(df: pd.DataFrame, column: str, key: str) -> None:
    avail = ", ".join(str(c) for c in df.columns if str(c) != "geometry")
    raise ConfigError(
        f"criterion '{key}' needs column '{column}', which is not in the summary; "
        f"available columns: {avail}",
        field=column,
    )


def _col(df: pd.DataFrame, c: str) -> np.ndarray:
    return _as_float(df[c], c)


def _share(num: Sequence[str], den: Sequence[str]) -> Callable[[pd.DataFrame], np.ndarray]:
    def f(df: pd.DataFrame) -> np.ndarray:
        a = sum(_col(df, c) for c in num)
        b = sum(_col(df, c) for c in den)
        with np.errstate(divide="ignore", invalid="ignore"):
            # nothing incurred at all -> nothing incurred after the product: share 0
            return np.where(b == 0, np.where(a == 0, 0.0, np.nan), a / b)

    return f


def _sum(cols: Sequence[str]) -> Callable[[pd.DataFrame], np.ndarray]:
    return lambda df: sum(_col(df, c) for c in cols)


def _scarcity_weighted(df: pd.DataFrame) -> np.ndarray:
    return _col(df, "water_onsite_m3") * _col(df, "water_scarcity_factor")


def _scarcity_weighted_offsite(df: pd.DataFrame) -> np.ndarray:
    return _col(df, "water_offsite_m3") * _col(df, "water_scarcity_factor_offsite")


def _scarcity_weighted_total(df: pd.DataFrame) -> np.ndarray:
    onsite = (
        _col(df, "water_scarcity_weighted_m3")
        if "water_scarcity_weighted_m3" in df.columns
        else _scarcity_weighted(df)
    )
    offsite = (
        _col(df, "water_scarcity_weighted_offsite_m3")
        if "water_scarcity_weighted_offsite_m3" in df.columns
        else _scarcity_weighted_offsite(df)
    )
    return onsite + offsite


_CO2 = ("co2_scope2_t", "co2_embodied_t")
_WATER = ("water_onsite_m3", "water_offsite_m3")

_REGISTRY: tuple[Criterion, ...] = (
    Criterion(
        "water_onsite", "water_onsite_m3", "Lifetime on-site water", "m3",
        description="Cooling water consumed at the site over the whole commitment.",
    ),
    Criterion(
        "water_scarcity_weighted", "water_scarcity_weighted_m3",
        "Scarcity-weighted on-site water", "m3 world-eq",
        description=(
            "On-site water times the site's water scarcity factor (AWARE CF). Taken from "
            "the model's 'water_scarcity_weighted_m3'; if absent, derived as "
            "water_onsite_m3 x water_scarcity_factor."
        ),
        derive=_scarcity_weighted, requires=("water_onsite_m3", "water_scarcity_factor"),
    ),
    Criterion(
        "water_offsite", "water_offsite_m3", "Lifetime off-site (power plant) water", "m3",
        description="Facility energy x EWIF over the commitment.",
    ),
    Criterion(
        "water_total", "water_total_m3", "Lifetime on-site + off-site water", "m3",
        description="water_onsite_m3 + water_offsite_m3.", derive=_sum(_WATER), requires=_WATER,
    ),
    Criterion(
        "water_scarcity_weighted_offsite", "water_scarcity_weighted_offsite_m3",
        "Scarcity-weighted off-site water", "m3 world-eq",
        description=(
            "Off-site (power plant) water times the grid region's water scarcity factor "
            "(water_scarcity_factor_offsite: consumption-weighted AWARE CF over the region "
            "of the site's fuel mix). Derived as water_offsite_m3 x "
            "water_scarcity_factor_offsite when the model column is absent."
        ),
        derive=_scarcity_weighted_offsite,
        requires=("water_offsite_m3", "water_scarcity_factor_offsite"),
    ),
    Criterion(
        "water_scarcity_weighted_total", "water_scarcity_weighted_total_m3",
        "Scarcity-weighted on-site + off-site water", "m3 world-eq",
        description=(
            "On-site water x the site's AWARE CF + off-site water x the grid region's "
            "(Siddik et al. 2021, Environ. Res. Lett. 16 064017, weight both where each is "
            "drawn). Off-site water follows the run's hydro_evaporation convention."
        ),
        derive=_scarcity_weighted_total,
        requires=(
            "water_onsite_m3", "water_scarcity_factor",
            "water_offsite_m3", "water_scarcity_factor_offsite",
        ),
    ),
    Criterion(
        "co2_scope2", "co2_scope2_t", "Lifetime scope-2 CO2e (location-based)", "t CO2e",
    ),
    Criterion("co2_embodied", "co2_embodied_t", "Embodied CO2e of purchases", "t CO2e"),
    Criterion(
        "co2_total", "co2_total_t", "Lifetime scope-2 + embodied CO2e", "t CO2e",
        description="co2_scope2_t + co2_embodied_t.", derive=_sum(_CO2), requires=_CO2,
    ),
    Criterion("energy_cost", "energy_cost_usd", "Lifetime energy cost", "USD"),
    Criterion(
        "water_stress", "aware_cf", "Water scarcity (AWARE CF)", "m3 world-eq / m3",
        description="WULCA AWARE characterization factor at the site (0.1-100).",
    ),
    Criterion(
        "water_stress_bws", "bws_score", "Baseline water stress (Aqueduct 4.0 score)", "0-5",
    ),
    Criterion(
        "water_stress_sdg", "sdg642_water_stress_pct", "Water stress (SDG 6.4.2)",
        "% of available freshwater withdrawn",
    ),
    Criterion("grid_intensity", "grid_co2_g_per_kwh", "Grid carbon intensity", "g CO2e/kWh"),
    Criterion("electricity_price", "price_usd_per_mwh", "Electricity price", "USD/MWh"),
    Criterion("pue", "pue_annual", "Lifetime mean PUE", "-"),
    Criterion("water_per_gpu_hour", "water_l_per_gpu_hour", "Water per GPU-hour", "L/GPU-h"),
    Criterion("co2_per_gpu_hour", "co2_kg_per_gpu_hour", "CO2e per GPU-hour", "kg CO2e/GPU-h"),
    Criterion(
        "after_product_share", "after_product_share_co2",
        "Share of lifetime CO2e incurred after the product is shut down", "fraction",
        description=(
            "(co2_scope2_t_after_product + co2_embodied_t_after_product) / "
            "(co2_scope2_t + co2_embodied_t); 0 when nothing is emitted at all. "
            "The carbon the site keeps emitting for a product that no longer exists."
        ),
        derive=_share([c + "_after_product" for c in _CO2], _CO2),
        requires=(*_CO2, *(c + "_after_product" for c in _CO2)),
    ),
    Criterion(
        "water_after_product_share", "after_product_share_water",
        "Share of lifetime water consumed after the product is shut down", "fraction",
        description=(
            "(water_onsite_m3_after_product + water_offsite_m3_after_product) / "
            "(water_onsite_m3 + water_offsite_m3); 0 when no water is consumed at all."
        ),
        derive=_share([c + "_after_product" for c in _WATER], _WATER),
        requires=(*_WATER, *(c + "_after_product" for c in _WATER)),
    ),
)  # fmt: skip

#: Registry of criteria by key.
CRITERIA: dict[str, Criterion] = {c.key: c for c in _REGISTRY}

#: Weights used when none are given: equal weights on the four headline footprints
#: (the whole water footprint, on-site + off-site, in m3 and scarcity-weighted; scope-2;
#: energy cost). A neutral starting point (assumption: no preference), not a
#: recommendation. Off-site water follows the run's ``hydro_evaporation`` convention.
DEFAULT_WEIGHTS: dict[str, float] = {
    "water_total": 1.0,
    "water_scarcity_weighted_total": 1.0,
    "co2_scope2": 1.0,
    "energy_cost": 1.0,
}


def criteria_table(criteria: Mapping[str, Criterion] | None = None) -> pd.DataFrame:
    """The registry as a table (key, column, label, unit, direction, description)."""
    crit = CRITERIA if criteria is None else criteria
    return pd.DataFrame(
        [
            {
                "key": c.key,
                "column": c.column,
                "label": c.label,
                "unit": c.unit,
                "direction": c.direction,
                "derived": c.derive is not None,
                "description": c.description,
            }
            for c in crit.values()
        ]
    )


def resolve_criteria(
    keys: Iterable[str], criteria: Mapping[str, Criterion] | None = None
) -> list[Criterion]:
    """Look criteria up by key (or by their column name).

    Raises
    ------
    ConfigError
        Unknown key; the message lists the known ones.
    """
    crit = CRITERIA if criteria is None else criteria
    by_col = {c.column: c for c in crit.values()}
    out = []
    for k in keys:
        if k in crit:
            out.append(crit[k])
        elif k in by_col:
            out.append(by_col[k])
        else:
            raise ConfigError(
                f"unknown criterion '{k}'; known criteria: {', '.join(crit)}", field="weights"
            )
    return out


def criterion_values(
    df: pd.DataFrame, keys: Iterable[str], criteria: Mapping[str, Criterion] | None = None
) -> pd.DataFrame:
    """Values of the criteria ``keys`` per row of ``df`` (columns named by key)."""
    crits = resolve_criteria(keys, criteria)
    return pd.DataFrame({c.key: c.values(df) for c in crits}, index=df.index)


def parse_weights(text: str) -> dict[str, float]:
    """Parse CLI weights ``"water_onsite=2, co2_scope2=1"`` into a dict.

    Raises
    ------
    ConfigError
        Malformed pair or non-numeric weight.
    """
    out: dict[str, float] = {}
    for part in (p for p in re.split(r"[,;]", text) if p.strip()):
        if "=" not in part and ":" not in part:
            raise ConfigError(
                f"weights are written 'criterion=weight, ...'; cannot read {part.strip()!r}",
                field="weights",
            )
        k, v = re.split(r"[=:]", part, maxsplit=1)
        k = k.strip()
        try:
            out[k] = float(v)
        except ValueError:
            raise ConfigError(f"weight of '{k}' is not a number: {v.strip()!r}", field=k) from None
    return out


def normalize_weights(
    weights: Mapping[str, float] | str, criteria: Mapping[str, Criterion] | None = None
) -> dict[str, float]:
    """Validate weights and divide them by their sum.

    Parameters
    ----------
    weights
        Criterion key (or column name) -> weight ``>= 0``; or a CLI string
        ``"water_onsite=2,co2_scope2=1"``.

    Returns
    -------
    dict
        Criterion key -> weight, summing to 1, only the criteria with weight > 0, in
        registry order (so the score is summed in a fixed order).

    Raises
    ------
    ConfigError
        Empty weights, unknown criterion, negative / non-finite weight, all zero.
    """
    if isinstance(weights, str):
        weights = parse_weights(weights)
    if not isinstance(weights, Mapping) or not weights:
        raise ConfigError(
            "give at least one criterion weight, e.g. {'water_onsite': 1}", field="weights"
        )
    crit = CRITERIA if criteria is None else criteria
    resolved: dict[str, float] = {}
    for k, w in weights.items():
        c = resolve_criteria([k], crit)[0]
        try:
            wf = float(w)
        except (TypeError, ValueError):
            raise ConfigError(f"weight of '{k}' is not a number: {w!r}", field=str(k)) from None
        if not np.isfinite(wf) or wf < 0:
            raise ConfigError(f"weight of '{k}' must be finite and >= 0, got {w!r}", field=str(k))
        if c.key in resolved:
            raise ConfigError(f"criterion '{c.key}' is weighted twice", field=str(k))
        resolved[c.key] = wf
    total = sum(resolved.values())
    if total <= 0:
        raise ConfigError("at least one weight must be > 0", field="weights")
    order = list(crit)
    return {k: resolved[k] / total for k in sorted(resolved, key=order.index) if resolved[k] > 0}


def scores(
    values: np.ndarray,
    weights: np.ndarray,
    directions: Sequence[str],
    eligible: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized min-max scores, over any leading dimensions (e.g. Monte Carlo draws).

    Parameters
    ----------
    values
        Criterion values, shape ``(..., n_sites, n_criteria)``.
    weights
        Normalised weights, shape ``(n_criteria,)``.
    directions
        ``"min"`` or ``"max"`` per criterion.
    eligible
        Boolean, broadcastable to ``(..., n_sites)``: sites that set the bounds and get
        a score (default all).

    Returns
    -------
    score : numpy.ndarray
        Shape ``(..., n_sites)``, in [0, 1], lower is better; NaN where not eligible or
        a weighted value is NaN.
    norm : numpy.ndarray
        Normalised values, shape ``(..., n_sites, n_criteria)`` (NaN likewise).
    """
    x = np.asarray(values, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    if eligible is None:
        eligible = np.ones(x.shape[:-1], dtype=bool)
    elig = np.broadcast_to(np.asarray(eligible, dtype=bool), x.shape[:-1])
    ok = elig[..., None] & np.isfinite(x)
    masked = np.where(ok, x, np.nan)
    with np.errstate(all="ignore"):
        any_ok = ok.any(axis=-2, keepdims=True)
        lo = np.min(np.where(ok, x, np.inf), axis=-2, keepdims=True, initial=np.inf)
        hi = np.max(np.where(ok, x, -np.inf), axis=-2, keepdims=True, initial=-np.inf)
        lo = np.where(any_ok, lo, 0.0)
        hi = np.where(any_ok, hi, 0.0)
        span = hi - lo
        flip = np.array([d == "max" for d in directions], dtype=bool)
        num = np.where(flip, hi - masked, masked - lo)
        norm = np.where(span > 0, num / np.where(span > 0, span, 1.0), np.where(ok, 0.0, np.nan))
    norm = np.where(ok, norm, np.nan)
    # fixed summation order over criteria (NaN propagates: a missing weighted value)
    score = np.zeros(x.shape[:-1])
    for j in range(x.shape[-1]):
        score = score + w[j] * norm[..., j]
    score = np.where(elig, score, np.nan)
    return score, norm


def _site_ids(df: pd.DataFrame) -> np.ndarray:
    """Sort codes of ``df["site_id"]`` as text: ``codes[i]`` = position of row ``i``'s id
    in the sorted ids (int64), so ``lexsort`` on the codes orders rows as on the ids.

    The ids are sorted once by pyarrow (UTF-8 byte order, which is code-point order:
    the order of Python ``str`` comparison); ids pyarrow cannot take (missing values)
    are sorted as Python objects. Repeated ids are an error.
    """
    if "site_id" not in df.columns:
        raise ConfigError("the summary needs a 'site_id' column to rank sites", field="site_id")
    s = df["site_id"].astype(str)
    n = len(s)
    try:
        arr = pa.array(s, from_pandas=True)
        if arr.null_count or not (
            pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
        ):
            raise TypeError("not plain text")
        order = pc.sort_indices(arr).to_numpy()
        ids_sorted = arr.take(order)
        repeated = n > 1 and bool(pc.any(pc.equal(ids_sorted[1:], ids_sorted[:-1])).as_py())
    except (pa.ArrowException, TypeError, ValueError, UnicodeError):
        ids = s.to_numpy(dtype=object)
        repeated = len(set(ids.tolist())) != n
        order = None if repeated else np.argsort(ids, kind="stable")
    if repeated:
        ids = pd.Series(s.to_numpy(dtype=object))
        dup = ids.loc[ids.duplicated()].unique()[:10].tolist()
        raise ConfigError(f"site_id values must be unique; repeated: {dup}", field="site_id")
    codes = np.empty(n, dtype=np.int64)
    codes[order] = np.arange(n)
    return codes


def _missing_notes(summary, x, missing, columns) -> np.ndarray:
    """``rank_note`` of the unranked sites: ``"missing: a, b (reason)"``, else ``""``.

    Built once per distinct (set of missing criteria, ``reason``) and gathered, not
    concatenated site by site.
    """
    note = np.full(len(summary), "", dtype=object)
    rows = np.flatnonzero(missing)
    if not rows.size:
        return note
    bad = ~np.isfinite(x[rows])
    pattern = (bad * (1 << np.arange(bad.shape[1], dtype=np.int64))).sum(axis=1)
    reason = np.zeros(rows.size, dtype=np.int64)
    reasons = np.array([""], dtype=object)
    if "reason" in summary.columns:
        # factorized whole (cheap on Arrow text, unlike a gather of long strings)
        codes, uniques = pd.factorize(summary["reason"], use_na_sentinel=True)
        reasons = pd.Series(uniques, dtype=object).fillna("").astype(str).to_numpy(dtype=object)
        reasons = np.append(reasons, "")  # code -1 (missing reason) -> ""
        reason = np.where(codes[rows] < 0, len(reasons) - 1, codes[rows]).astype(np.int64)
    key, inverse = np.unique(pattern * len(reasons) + reason, return_inverse=True)
    text = np.empty(key.size, dtype=object)
    for i, k in enumerate(key.tolist()):
        p, q = divmod(k, len(reasons))
        names = [c for j, c in enumerate(columns) if p >> j & 1]
        text[i] = ("missing: " + ", ".join(names) if names else "") + (
            f" ({reasons[q]})" if reasons[q] != "" else ""
        )
    note[rows] = text[inverse.reshape(-1)]
    return note


@dataclass(frozen=True)
class _Ranked:
    """Arrays of :func:`rank` in the summary's row order (``order``: the ranked order)."""

    weights: dict
    criteria: list
    score: np.ndarray
    norm: np.ndarray
    order: np.ndarray
    rank: Any
    excluded: np.ndarray
    reason: Any
    note: np.ndarray


def _rank_arrays(summary, weights, exclusions, force_include, criteria, id_codes=None) -> _Ranked:
    """The work of :func:`rank` without building its table (``id_codes``: the
    :func:`_site_ids` of ``summary`` if already known)."""
    crit = CRITERIA if criteria is None else criteria
    w = normalize_weights(DEFAULT_WEIGHTS if weights is None else weights, crit)
    ids = _site_ids(summary) if id_codes is None else id_codes
    spec = ExclusionSpec.from_any(exclusions)
    if force_include:
        extra = (force_include,) if isinstance(force_include, str) else tuple(force_include)
        spec = dataclasses.replace(
            spec, force_include=tuple(dict.fromkeys((*spec.force_include, *map(str, extra))))
        )
    cs = resolve_criteria(w, crit)
    x = np.column_stack([c.values(summary) for c in cs]) if len(summary) else np.zeros((0, len(cs)))
    excluded, reason = exclusion_mask(summary, spec)
    score, norm = scores(x, np.array(list(w.values())), [c.direction for c in cs], ~excluded)

    n = len(summary)
    missing = ~excluded & np.isnan(score)
    note = _missing_notes(summary, x, missing, [c.column for c in cs])
    note[excluded] = "excluded"

    # order: scored by (score, site_id), then missing by site_id, then excluded by site_id
    group = np.where(excluded, 2, np.where(missing, 1, 0))
    key_score = np.where(group == 0, score, 0.0)
    order = np.lexsort((ids, key_score, group))
    ranked = order[group[order] < 2]
    values, unranked = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
    values[ranked], unranked[ranked] = np.arange(1, len(ranked) + 1), False
    rank_arr = pd.arrays.IntegerArray(values, unranked)  # nullable Int64, <NA> = excluded

    return _Ranked(dict(w), cs, score, norm, order, rank_arr, excluded, reason, note)


def rank(
    summary: pd.DataFrame,
    weights: Mapping[str, float] | str | None = None,
    exclusions: ExclusionSpec | Mapping[str, Any] | Sequence[Any] | str | None = None,
    *,
    force_include: Sequence[str] | None = None,
    criteria: Mapping[str, Criterion] | None = None,
) -> pd.DataFrame:
    """Rank sites by a weighted sum of min-max normalised criteria (lower is better).

    Parameters
    ----------
    summary
        Per-site summary (``Assessment.summary``) or any table with ``site_id`` and the
        weighted criteria's columns.
    weights
        Criterion key -> weight ``>= 0`` (see :data:`CRITERIA`), normalised to sum 1; or
        a CLI string ``"water_onsite=2,co2_scope2=1"``. Default :data:`DEFAULT_WEIGHTS`.
    exclusions
        Optional exclusion spec (see :func:`siting.decide.exclude`).
    force_include
        Site ids kept whatever the exclusions say (added to the spec's own).
    criteria
        Registry to use instead of :data:`CRITERIA` (to add custom criteria).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy of ``summary`` (same type), every row kept, sorted by rank (then
        unranked sites by ``site_id``, then excluded sites by ``site_id``), with:
        ``score`` (float in [0, 1], lower is better; NaN if excluded or missing),
        ``rank`` (nullable Int64, 1 = best; ``<NA>`` if excluded), ``excluded``,
        ``exclusion_reason``, ``rank_note`` (why a site is unranked or last), and
        ``norm_<criterion>`` per weighted criterion. ``attrs["weights"]`` holds the
        normalised weights.

    Raises
    ------
    ConfigError
        Bad weights, unknown criterion or column, bad exclusion rule, missing or
        repeated ``site_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"site_id": ["a", "b"], "water_onsite_m3": [10.0, 20.0]})
    >>> rank(s, {"water_onsite": 1})[["site_id", "score", "rank"]].values.tolist()
    [['a', 0.0, 1], ['b', 1.0, 2]]
    """
    r = _rank_arrays(summary, weights, exclusions, force_include, criteria)
    w, cs, score, norm, order = r.weights, r.criteria, r.score, r.norm, r.order
    rank_arr, excluded, reason, note = r.rank, r.excluded, r.reason, r.note

    new = {"score": score, "rank": rank_arr, "excluded": excluded}
    new.update({"exclusion_reason": reason, "rank_note": note})
    new.update({f"norm_{c.key}": norm[:, j] for j, c in enumerate(cs)})
    text = ("exclusion_reason", "rank_note")  # kept as object dtype (no str inference)
    if any(c in summary.columns for c in new):
        # a ranked table ranked again: its columns are replaced where they stand
        out = summary.copy()
        for c, v in new.items():
            out[c] = pd.Series(v, index=summary.index, dtype=object) if c in text else v
    else:
        # the summary's columns are not copied here: the row order below copies every
        # column once (pandas copy-on-write keeps ``summary`` untouched)
        block = pd.DataFrame(
            {c: pd.Series(v, dtype=object) if c in text else v for c, v in new.items()}
        )
        block.index = summary.index
        out = pd.concat([summary, block], axis=1)
        out.attrs = dict(summary.attrs)
    out = out.iloc[order]
    out.attrs["weights"] = dict(w)
    out.attrs["criteria"] = {c.key: {"column": c.column, "unit": c.unit} for c in cs}
    return out
