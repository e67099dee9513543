"""Exclusions in the manner of NREL reV: screen sites out, never drop them.

A spec has three parts, all optional:

* ``exclude``: rules; a site matching *any* rule is excluded,
* ``include_only``: rules; a site failing *any* of them is excluded (AND of filters),
* ``force_include``: site ids kept whatever the rules say.

Every site keeps its row: :func:`exclude` adds ``excluded`` (bool) and
``exclusion_reason`` (the rule(s) that hit, ``"; "``-separated; empty when kept).
A force-included site that a rule would have excluded gets ``excluded=False`` and a
reason beginning ``force-included``.

Rules are written as dicts (TOML-friendly) or as strings for the command line::

    "grid_co2_g_per_kwh > 400"          {"column": "grid_co2_g_per_kwh", "op": ">", "value": 400}
    "bws_cat >= high"                   {"column": "bws_cat", "op": ">=", "value": "high"}
    "country_iso3 in USA,CAN"           {"column": "country_iso3", "in": ["USA", "CAN"]}
    "country_iso3 not in CHN"           {"column": "country_iso3", "not in": ["CHN"]}
    "price_usd_per_mwh between 40,90"   {"column": "price_usd_per_mwh", "min": 40, "max": 90}
    "aware_cf missing"                  {"column": "aware_cf", "op": "missing"}

A missing value (NaN) never satisfies a comparison: ``grid > 400`` does not exclude a
site whose grid intensity is unknown (use ``missing`` for that), and an include-only
rule excludes it (its membership cannot be confirmed).

References
----------
.. [1] Maclaurin, G. et al. (2019). The Renewable Energy Potential (reV) Model.
   NREL/TP-6A20-73067 (exclusion layers: exclude by value or range, include masks,
   force-include).
.. [2] Kuzma, S. et al. (2023). Aqueduct 4.0: Updated decision-relevant global water
   risk indicators. World Resources Institute Technical Note (baseline water stress
   categories: -1 arid and low water use, 0 low (<10 %), 1 low-medium (10-20 %),
   2 medium-high (20-40 %), 3 high (40-80 %), 4 extremely high (>80 %)).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import ConfigError

__all__ = [
    "BWS_CATEGORIES",
    "ExclusionSpec",
    "Rule",
    "exclude",
    "parse_rule",
]

#: Aqueduct 4.0 baseline-water-stress category codes by name (Kuzma et al. 2023).
#: ``arid`` (-1) is not ordered with the others: ``bws_cat >= high`` does not catch it.
BWS_CATEGORIES: dict[str, int] = {
    "arid": -1,
    "arid and low water use": -1,
    "low": 0,
    "low-medium": 1,
    "low - medium": 1,
    "medium-high": 2,
    "medium - high": 2,
    "high": 3,
    "extremely high": 4,
    "extremely-high": 4,
}

_COMPARE = (">=", "<=", "!=", "==", ">", "<")
_OPS = (*_COMPARE, "in", "not in", "between", "missing")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_RE_COMPARE = re.compile(rf"^\s*({_NAME})\s*(>=|<=|!=|==|=|>|<)\s*(.+?)\s*$")
_RE_WORD = re.compile(
    rf"^\s*({_NAME})\s+(not\s+in|in|between|is\s+missing|missing)\b\s*(.*?)\s*$", re.IGNORECASE
)


def _scalar(text: str) -> float | str:
    t = text.strip().strip("'\"").strip()
    try:
        return float(t)
    except ValueError:
        return t


@dataclass(frozen=True)
class Rule:
    """One screening rule on one column.

    Parameters
    ----------
    column
        Column of the site table the rule reads.
    op
        One of ``> >= < <= == != in "not in" between missing``.
    value
        Scalar for comparisons, a tuple of members for ``in``/``not in``, a
        ``(low, high)`` tuple (inclusive) for ``between``, ``None`` for ``missing``.
    """

    column: str
    op: str
    value: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not re.fullmatch(_NAME, self.column):
            raise ConfigError(
                f"rule column must be a column name, got {self.column!r}", field="exclusions"
            )
        if self.op not in _OPS:
            raise ConfigError(
                f"unknown operator {self.op!r} in a rule on '{self.column}'; "
                f"allowed: {', '.join(_OPS)}",
                field=self.column,
            )
        if self.op in ("in", "not in"):
            vals = self.value
            if isinstance(vals, str | bytes) or not isinstance(vals, Iterable):
                vals = [vals]
            vals = tuple(vals)
            if not vals:
                raise ConfigError(f"'{self.op}' needs at least one value", field=self.column)
            object.__setattr__(self, "value", vals)
        elif self.op == "between":
            vals = tuple(self.value) if isinstance(self.value, list | tuple) else ()
            if len(vals) != 2:
                raise ConfigError(
                    f"'between' needs two bounds (low, high), got {self.value!r}",
                    field=self.column,
                )
            object.__setattr__(self, "value", vals)
        elif self.op == "missing":
            object.__setattr__(self, "value", None)
        elif self.value is None or isinstance(self.value, list | tuple | dict):
            raise ConfigError(f"'{self.op}' needs one value, got {self.value!r}", field=self.column)

    def __str__(self) -> str:
        def fmt(v: Any) -> str:
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            return str(v)

        if self.op == "missing":
            return f"{self.column} missing"
        if self.op in ("in", "not in"):
            return f"{self.column} {self.op} {','.join(fmt(v) for v in self.value)}"
        if self.op == "between":
            return f"{self.column} between {fmt(self.value[0])},{fmt(self.value[1])}"
        return f"{self.column} {self.op} {fmt(self.value)}"

    # -- evaluation -------------------------------------------------------------
    def _numeric(self, v: Any) -> float:
        if isinstance(v, bool):
            raise ConfigError(f"expected a number, got {v!r}", field=self.column)
        if isinstance(v, int | float | np.integer | np.floating):
            return float(v)
        if isinstance(v, str):
            key = v.strip().lower()
            if self.column == "bws_cat" and key in BWS_CATEGORIES:
                return float(BWS_CATEGORIES[key])
            try:
                return float(key)
            except ValueError:
                pass
        hint = (
            f"; bws_cat names: {', '.join(sorted(set(BWS_CATEGORIES)))}"
            if self.column == "bws_cat"
            else ""
        )
        raise ConfigError(
            f"column is numeric but the rule '{self}' compares it with {v!r}{hint}",
            field=self.column,
        )

    def matches(self, df: pd.DataFrame) -> np.ndarray:
        """Boolean array: which rows satisfy the rule (NaN never satisfies a comparison)."""
        _check_columns(df, [self.column])
        s = df[self.column]
        if self.op == "missing":
            return s.isna().to_numpy(dtype=bool)
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if numeric:
            x = s.to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                if self.op in ("in", "not in"):
                    hit = np.isin(x, [self._numeric(v) for v in self.value])
                    return hit if self.op == "in" else (~hit & ~np.isnan(x))
                if self.op == "between":
                    lo, hi = (self._numeric(v) for v in self.value)
                    if lo > hi:
                        raise ConfigError(f"'{self}': low bound > high bound", field=self.column)
                    return (x >= lo) & (x <= hi)
                v = self._numeric(self.value)
                return _compare(x, self.op, v)
        # text / categorical / boolean column: equality and membership only
        valid = s.notna().to_numpy(dtype=bool)
        txt = s.astype(str).str.strip().to_numpy(dtype=object)
        if self.op in ("in", "not in"):
            members = {str(v).strip() for v in self.value}
            hit = np.isin(txt, list(members)) & valid
            return hit if self.op == "in" else (~hit & valid)
        if self.op in ("==", "!="):
            eq = (txt == str(self.value).strip()) & valid
            return eq if self.op == "==" else (~eq & valid)
        raise ConfigError(
            f"'{self}': operator '{self.op}' needs a numeric column but '{self.column}' "
            f"holds text (dtype {s.dtype}); use == != in 'not in'",
            field=self.column,
        )


def _compare(x: np.ndarray, op: str, v: float) -> np.ndarray:
    if op == ">":
        return x > v
    if op == ">=":
        return x >= v
    if op == "<":
        return x < v
    if op == "<=":
        return x <= v
    if op == "==":
        return x == v
    return (x != v) & ~np.isnan(x)


def parse_rule(spec: str | Mapping[str, Any] | Rule) -> Rule:
    """Build a :class:`Rule` from a string (CLI) or a dict (TOML/JSON).

    Parameters
    ----------
    spec
        ``"grid_co2_g_per_kwh>400"``, ``"country_iso3 in USA,CAN"``,
        ``"price_usd_per_mwh between 40,90"``, ``"aware_cf missing"``; or a dict with
        ``column`` and either ``op`` + ``value``, ``in`` / ``not in`` (list), or
        ``min`` / ``max`` (inclusive range; one of them may be omitted).

    Returns
    -------
    Rule

    Raises
    ------
    ConfigError
        Unparseable text, unknown operator or a malformed dict.
    """
    if isinstance(spec, Rule):
        return spec
    if isinstance(spec, Mapping):
        return _rule_from_dict(spec)
    if not isinstance(spec, str):
        raise ConfigError(
            f"a rule is a string like 'grid_co2_g_per_kwh > 400' or a dict, got {spec!r}",
            field="exclusions",
        )
    m = _RE_WORD.match(spec)
    if m:
        col, op, rest = m.group(1), " ".join(m.group(2).lower().split()), m.group(3)
        if op in ("missing", "is missing"):
            if rest:
                raise ConfigError(f"unexpected text after 'missing' in {spec!r}", field=col)
            return Rule(col, "missing")
        items = [x for x in re.split(r"\s*,\s*", rest.strip().strip("[]()")) if x != ""]
        if not items:
            raise ConfigError(f"'{op}' needs values after it in {spec!r}", field=col)
        vals = tuple(_scalar(x) for x in items)
        return Rule(col, op, vals)
    m = _RE_COMPARE.match(spec)
    if m:
        col, op, val = m.group(1), m.group(2), m.group(3)
        return Rule(col, "==" if op == "=" else op, _scalar(val))
    raise ConfigError(
        f"cannot read the rule {spec!r}; write e.g. 'grid_co2_g_per_kwh > 400', "
        "'bws_cat >= high', 'country_iso3 in USA,CAN', 'price_usd_per_mwh between 40,90' "
        "or 'aware_cf missing'",
        field="exclusions",
    )


def _rule_from_dict(d: Mapping[str, Any]) -> Rule:
    allowed = {"column", "op", "value", "in", "not in", "not_in", "min", "max"}
    unknown = set(d) - allowed
    if unknown or "column" not in d:
        raise ConfigError(
            f"a rule dict needs 'column' and one of op/value, in, not in, min/max; "
            f"got keys {sorted(d)}",
            field="exclusions",
        )
    col = d["column"]
    forms = [k for k in ("op", "in", "not in", "not_in", "min", "max") if k in d]
    if "op" in d:
        if set(forms) != {"op"}:
            raise ConfigError(f"rule on '{col}' mixes 'op' with {forms}", field=str(col))
        op = str(d["op"]).strip().lower()
        op = "==" if op == "=" else " ".join(op.split())
        return Rule(col, op, d.get("value"))
    if "in" in d or "not in" in d or "not_in" in d:
        if len(forms) != 1:
            raise ConfigError(f"rule on '{col}' has several forms {forms}", field=str(col))
        key = forms[0]
        return Rule(col, "in" if key == "in" else "not in", d[key])
    if "min" in d and "max" in d:
        return Rule(col, "between", (d["min"], d["max"]))
    if "min" in d:
        return Rule(col, ">=", d["min"])
    if "max" in d:
        return Rule(col, "<=", d["max"])
    raise ConfigError(f"rule on '{col}' has no condition", field=str(col))


@dataclass(frozen=True)
class ExclusionSpec:
    """Declarative exclusion spec (see the module docstring).

    Parameters
    ----------
    exclude
        Rules; a site matching any of them is excluded.
    include_only
        Rules; a site failing any of them is excluded.
    force_include
        Site ids kept whatever the rules say.
    """

    exclude: tuple[Rule, ...] = ()
    include_only: tuple[Rule, ...] = ()
    force_include: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_any(
        cls, spec: ExclusionSpec | Mapping[str, Any] | Sequence[Any] | str | None
    ) -> ExclusionSpec:
        """Build a spec from a dict (``exclude``/``include_only``/``force_include``),
        a list of exclude rules, a single rule string, or ``None`` (nothing excluded)."""
        if spec is None:
            return cls()
        if isinstance(spec, ExclusionSpec):
            return spec
        if isinstance(spec, str | Rule):
            return cls(exclude=(parse_rule(spec),))
        if isinstance(spec, Mapping):
            if "column" in spec:  # a single rule dict
                return cls(exclude=(parse_rule(spec),))
            keys = {"exclude", "include_only", "force_include"}
            unknown = set(spec) - keys
            if unknown:
                raise ConfigError(
                    f"unknown exclusion key(s) {sorted(unknown)}; allowed: {sorted(keys)}",
                    field="exclusions",
                )
            fi = spec.get("force_include", ())
            if isinstance(fi, str):
                fi = [x for x in re.split(r"\s*,\s*", fi.strip()) if x]
            return cls(
                exclude=tuple(parse_rule(r) for r in _as_list(spec.get("exclude"))),
                include_only=tuple(parse_rule(r) for r in _as_list(spec.get("include_only"))),
                force_include=tuple(str(x) for x in fi),
            )
        if isinstance(spec, Sequence):
            return cls(exclude=tuple(parse_rule(r) for r in spec))
        raise ConfigError(
            f"exclusions must be a dict, a list of rules or a rule string, got {type(spec)}",
            field="exclusions",
        )

    def to_dict(self) -> dict[str, list[str]]:
        """TOML/JSON-friendly form (rules as strings)."""
        return {
            "exclude": [str(r) for r in self.exclude],
            "include_only": [str(r) for r in self.include_only],
            "force_include": list(self.force_include),
        }

    @property
    def columns(self) -> list[str]:
        """Columns the rules read."""
        return list(dict.fromkeys(r.column for r in (*self.exclude, *self.include_only)))


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, str | Mapping | Rule):
        return [x]
    return list(x)


def _check_columns(df: pd.DataFrame, columns: Iterable[str]) -> None:
    for c in columns:
        if c not in df.columns:
            avail = ", ".join(str(x) for x in df.columns if str(x) != "geometry")
            raise ConfigError(
                f"column '{c}' is not in the site table; available columns: {avail}", field=c
            )


def exclusion_mask(
    df: pd.DataFrame,
    spec: ExclusionSpec | Mapping[str, Any] | Sequence[Any] | str | None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(excluded, reason)`` arrays for ``df`` under ``spec`` (no copy of ``df``)."""
    spec = ExclusionSpec.from_any(spec)
    _check_columns(df, spec.columns)
    n = len(df)
    reason = np.full(n, "", dtype=object)
    hit = np.zeros(n, dtype=bool)

    def add(mask: np.ndarray, text: str) -> None:
        nonlocal reason
        if not mask.any():
            return
        sep = np.where(reason[mask] == "", "", "; ")
        reason[mask] = reason[mask] + sep + text
        hit[mask] = True

    for r in spec.exclude:
        add(r.matches(df), f"exclude: {r}")
    for r in spec.include_only:
        add(~r.matches(df), f"not in include-only: {r}")

    if spec.force_include:
        if "site_id" not in df.columns:
            raise ConfigError(
                "force_include needs a 'site_id' column in the site table", field="site_id"
            )
        ids = df["site_id"].astype(str).to_numpy(dtype=object)
        wanted = np.array(spec.force_include, dtype=object)
        unknown = sorted(set(wanted.tolist()) - set(ids.tolist()))
        if unknown:
            raise ConfigError(
                f"force_include names unknown site id(s) {unknown[:10]}"
                + (f" (+{len(unknown) - 10} more)" if len(unknown) > 10 else ""),
                field="force_include",
            )
        forced = np.isin(ids, wanted)
        over = forced & hit
        reason[over] = "force-included; would be excluded by: " + reason[over]
        reason[forced & ~hit] = "force-included"
        hit = hit & ~forced
    return hit, reason


def exclude(
    df: pd.DataFrame,
    spec: ExclusionSpec | Mapping[str, Any] | Sequence[Any] | str | None,
) -> pd.DataFrame:
    """Mark excluded sites; every row is kept.

    Parameters
    ----------
    df
        Site table or per-site summary (DataFrame or GeoDataFrame).
    spec
        :class:`ExclusionSpec`, a dict ``{"exclude": [...], "include_only": [...],
        "force_include": [...]}``, a list of exclude rules, one rule string, or ``None``.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy of ``df`` (same type, same rows and order) with ``excluded`` (bool) and
        ``exclusion_reason`` (str; empty for kept sites, ``force-included...`` for
        forced ones).

    Raises
    ------
    ConfigError
        Unknown column (the message lists the available ones), a value that does not
        fit the column type, an unknown force-included site id.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"site_id": ["a", "b"], "grid_co2_g_per_kwh": [100.0, 500.0]})
    >>> exclude(t, ["grid_co2_g_per_kwh > 400"])["exclusion_reason"].tolist()
    ['', 'exclude: grid_co2_g_per_kwh > 400']
    """
    hit, reason = exclusion_mask(df, spec)
    out = df.copy()
    out["excluded"] = hit
    out["exclusion_reason"] = pd.Series(reason, index=df.index, dtype=object)
    return out
