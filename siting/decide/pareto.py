"""Pareto front (non-dominated sites) over two or three criteria, minimisation.

Site ``a`` dominates site ``b`` when ``a`` is no worse on every criterion and strictly
better on at least one. Equal points do not dominate each other, so duplicates on the
front are all on it. Criteria whose direction is ``"max"`` are negated first. Rows with
a missing (NaN) value, and excluded rows when ``respect_exclusions`` is true, are
neither on the front nor allowed to dominate others.

Algorithms
----------
* 2 criteria: sort by (x, y); a point is dominated if a point with strictly smaller
  x has y <= its y (prefix minimum), or a point with the same x has a smaller y.
  O(n log n).
* 3 (or more) criteria: points are processed in lexicographic order (only an earlier
  point can dominate a later one), block by block, each block compared with the front
  found so far and with itself. Memory is bounded by the block size; the cost is
  O(n * front size), O(n^2) only when almost every site is on the front.

References
----------
.. [1] Kung, H. T., Luccio, F., Preparata, F. P. (1975). On finding the maxima of a set
   of vectors. Journal of the ACM 22(4), 469-476.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from siting.decide.rank import CRITERIA, Criterion, resolve_criteria
from siting.errors import ConfigError

__all__ = ["pareto_front", "pareto_points", "pareto_rank"]

#: Upper bound on booleans held per comparison block (elements; 8e6 x 3 criteria
#: is about 24 MB). A memory bound, not a physical constant.
_BLOCK_ELEMENTS = 8_000_000


def _front_2d(p: np.ndarray) -> np.ndarray:
    n = len(p)
    order = np.lexsort((p[:, 1], p[:, 0]))
    x, y = p[order, 0], p[order, 1]
    start = np.r_[True, x[1:] != x[:-1]]
    gid = np.cumsum(start) - 1
    starts = np.flatnonzero(start)
    gmin = y[starts][gid]  # y sorted within an x group: its first is its minimum
    cummin = np.minimum.accumulate(y)
    prev = np.r_[np.inf, cummin[starts[1:] - 1]][gid]  # min y over strictly smaller x
    dominated = (prev <= y) | (gmin < y)
    out = np.empty(n, dtype=bool)
    out[order] = ~dominated
    return out


def _dominated_by(cand: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """For each row of ``pts``: is it dominated by some row of ``cand``?

    Compared in chunks so that no more than about ``_BLOCK_ELEMENTS`` booleans are
    held at once.
    """
    out = np.zeros(len(pts), dtype=bool)
    if not len(cand) or not len(pts):
        return out
    d = pts.shape[1]
    rows = max(1, min(len(pts), _BLOCK_ELEMENTS // max(len(cand) * d, 1)))
    cols = max(1, min(len(cand), _BLOCK_ELEMENTS // max(rows * d, 1)))
    for i in range(0, len(pts), rows):
        p = pts[i : i + rows, None, :]
        hit = np.zeros(len(p), dtype=bool)
        for j in range(0, len(cand), cols):
            c = cand[None, j : j + cols, :]
            hit |= ((c <= p).all(axis=-1) & (c < p).any(axis=-1)).any(axis=1)
        out[i : i + rows] = hit
    return out


def _front_nd(p: np.ndarray) -> np.ndarray:
    n, d = p.shape
    order = np.lexsort(p.T[::-1])
    q = p[order]
    keep = np.zeros(n, dtype=bool)
    front = np.empty((0, d))
    # block of points in lexicographic order: only earlier points can dominate them
    block = max(1, int(np.sqrt(_BLOCK_ELEMENTS / d)))
    for i in range(0, n, block):
        blk = q[i : i + block]
        alive = ~_dominated_by(front, blk)
        idx = np.flatnonzero(alive)
        alive[idx[_dominated_by(blk[idx], blk[idx])]] = False
        keep[i : i + len(blk)] = alive
        front = np.vstack([front, blk[alive]])
    out = np.empty(n, dtype=bool)
    out[order] = keep
    return out


def pareto_points(points: np.ndarray) -> np.ndarray:
    """Non-dominated mask of an ``(n, d)`` array (minimisation, finite values).

    Parameters
    ----------
    points
        Values to minimise, one row per point, ``d >= 1``; rows with NaN are never on
        the front and dominate nothing.

    Returns
    -------
    numpy.ndarray
        Boolean mask, True on the front.
    """
    p = np.asarray(points, dtype="float64")
    if p.ndim != 2:
        raise ConfigError(f"points must be 2-D (n, d), got shape {p.shape}", field="criteria")
    n, d = p.shape
    out = np.zeros(n, dtype=bool)
    valid = ~np.isnan(p).any(axis=1)
    if not valid.any():
        return out
    pv = p[valid]
    if d == 1:
        res = pv[:, 0] == pv[:, 0].min()
    elif d == 2:
        res = _front_2d(pv)
    else:
        res = _front_nd(pv)
    out[valid] = res
    return out


def _matrix(
    df: pd.DataFrame,
    criteria: Sequence[str],
    registry: Mapping[str, Criterion] | None,
    respect_exclusions: bool,
) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(criteria, str) or len(criteria) not in (2, 3):
        raise ConfigError(
            f"a Pareto front is computed over 2 or 3 criteria, got {criteria!r}", field="criteria"
        )
    reg = CRITERIA if registry is None else registry
    cols = []
    for k in criteria:
        if k in reg or k in {c.column for c in reg.values()}:
            c = resolve_criteria([k], reg)[0]
            v = c.values(df)
            cols.append(-v if c.direction == "max" else v)
        elif k in df.columns:
            cols.append(pd.to_numeric(df[k], errors="coerce").to_numpy("float64", na_value=np.nan))
        else:
            avail = ", ".join(str(c) for c in df.columns if str(c) != "geometry")
            raise ConfigError(
                f"'{k}' is neither a known criterion ({', '.join(reg)}) nor a column; "
                f"available columns: {avail}",
                field=str(k),
            )
    if len(set(criteria)) != len(criteria):
        raise ConfigError(f"criteria repeat: {list(criteria)}", field="criteria")
    x = np.column_stack(cols) if cols else np.zeros((len(df), 0))
    use = np.ones(len(df), dtype=bool)
    if respect_exclusions and "excluded" in df.columns:
        use = ~df["excluded"].fillna(False).to_numpy(dtype=bool)
    x = np.where(use[:, None], x, np.nan)
    return x, use


def pareto_front(
    df: pd.DataFrame,
    criteria: Sequence[str],
    *,
    respect_exclusions: bool = True,
    registry: Mapping[str, Criterion] | None = None,
) -> np.ndarray:
    """Which sites are on the Pareto front of 2 or 3 criteria (minimisation).

    Parameters
    ----------
    df
        Per-site summary (possibly already ranked).
    criteria
        Two or three criterion keys (see :data:`siting.decide.CRITERIA`) or numeric
        column names (plain columns are minimised).
    respect_exclusions
        If ``df`` has an ``excluded`` column, excluded rows are left out (default).
    registry
        Criteria registry to use instead of the default.

    Returns
    -------
    numpy.ndarray
        Boolean mask aligned with the rows of ``df``.

    Raises
    ------
    ConfigError
        Not 2 or 3 criteria, unknown criterion or column.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [1, 2, 3, 1], "b": [3, 2, 1, 3]})
    >>> pareto_front(t, ["a", "b"]).tolist()
    [True, True, True, True]
    """
    x, _ = _matrix(df, criteria, registry, respect_exclusions)
    return pareto_points(x)


def pareto_rank(
    df: pd.DataFrame,
    criteria: Sequence[str],
    *,
    respect_exclusions: bool = True,
    registry: Mapping[str, Criterion] | None = None,
    max_rank: int | None = None,
) -> np.ndarray:
    """Pareto layers: 1 = the front, 2 = the front once layer 1 is removed, ...

    Parameters
    ----------
    df, criteria, respect_exclusions, registry
        As in :func:`pareto_front`.
    max_rank
        Stop after this many layers (remaining valid rows get ``max_rank + 1``).

    Returns
    -------
    numpy.ndarray
        Integer layer per row; 0 for rows with a missing value or excluded.
    """
    x, _ = _matrix(df, criteria, registry, respect_exclusions)
    n = len(x)
    layer = np.zeros(n, dtype=np.int64)
    left = ~np.isnan(x).any(axis=1)
    k = 0
    while left.any():
        k += 1
        if max_rank is not None and k > max_rank:
            layer[left] = k
            break
        idx = np.flatnonzero(left)
        on = pareto_points(x[idx])
        layer[idx[on]] = k
        left[idx[on]] = False
    return layer
