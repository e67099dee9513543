"""Cooling terms remembered per climate row, across model calls.

:func:`siting.model.footprint.cooling_profile` is a function of each climate row alone
(a row's terms do not depend on the other rows of the batch), for a given facility,
period hours, warming shifts and table mode. A chunked run calls the model once per
chunk, and chunks of random points share most of their climate cells (1M CONUS points
in 8 chunks: each chunk holds nearly all ~22,000 0.25-degree cells), so each chunk
recomputed the same terms. Here every distinct row (the exact float32 bytes of its
dry- and wet-bulb series) is evaluated once; later calls with the same context look
it up (sorted keys, ``numpy.searchsorted``) and evaluate only rows not seen yet. The
two futures of a run share climate and facility, so the second model call is all hits.

The numbers are the same with or without the memo (the same function of the same
bytes); it only skips repeated work. Forked chunk workers inherit what this process
remembered and each remembers its own rows from then on.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

import numpy as np

#: Most climate rows remembered (then the memo starts again). About 0.3 kB per row
#: with 15 warming shifts, so at most ~0.15 GB: a memory bound, not physics.
MAX_ROWS = 500_000

_LOCK = threading.Lock()


class _Rows:
    """Sorted row keys and their terms for one context."""

    def __init__(self, context: tuple, width: int) -> None:
        self.context = context
        self.keys = np.empty(0, dtype=np.dtype((np.void, width)))
        self.k_fac: np.ndarray | None = None
        self.k_w: np.ndarray | None = None

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of ``keys`` (sorted unique) in the memo and which are present."""
        if self.keys.size == 0:
            return np.zeros(keys.size, dtype=np.intp), np.zeros(keys.size, dtype=bool)
        pos = np.searchsorted(self.keys, keys)
        pos_c = np.minimum(pos, self.keys.size - 1)
        return pos_c, self.keys[pos_c] == keys


_MEMO: list[_Rows | None] = [None]


def _context(hours, nodes, facility, exact) -> tuple:
    h = hashlib.blake2b(digest_size=16)
    for a in (hours, nodes):
        a = np.ascontiguousarray(a, dtype=float)
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return (h.digest(), repr(facility), exact)


def remembered_profile(
    tdb: np.ndarray,
    twb: np.ndarray,
    hours: np.ndarray,
    facility,
    nodes: np.ndarray,
    exact: bool,
    compute: Callable[..., tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """``compute(tdb, twb, hours, facility, nodes)`` (shape ``(n, len(nodes))`` each)
    with every distinct climate row evaluated once per context (``hours``, ``nodes``,
    ``facility`` and the table mode ``exact``). ``tdb``, ``twb``: ``(n, periods)``
    [C], compared as float32 (as :func:`cooling_profile` evaluates them)."""
    a = np.asarray(tdb, dtype=np.float32)
    b = np.asarray(twb, dtype=np.float32)
    if a.ndim != 2 or a.shape != b.shape or a.shape[0] == 0:
        return compute(tdb, twb, hours, facility, nodes)
    x = np.ascontiguousarray(np.concatenate([a, b], axis=1))
    width = x.dtype.itemsize * x.shape[1]
    keys, inv = np.unique(x.view(np.dtype((np.void, width))).ravel(), return_inverse=True)
    context = _context(hours, nodes, facility, exact)
    with _LOCK:  # a memo is never changed once made: a merge makes a new one
        memo = _MEMO[0]
        if memo is None or memo.context != context or memo.keys.dtype.itemsize != width:
            memo = _MEMO[0] = _Rows(context, width)
    pos, hit = memo.find(keys)
    new = keys[~hit]
    if not new.size:
        return memo.k_fac[pos][inv.reshape(-1)], memo.k_w[pos][inv.reshape(-1)]
    rows = new.view(np.float32).reshape(new.size, -1)
    p = a.shape[1]
    kf_new, kw_new = compute(rows[:, :p], rows[:, p:], hours, facility, nodes)
    kf_new, kw_new = np.asarray(kf_new), np.asarray(kw_new)
    k_fac = np.empty((keys.size,) + kf_new.shape[1:], dtype=kf_new.dtype)
    k_w = np.empty((keys.size,) + kw_new.shape[1:], dtype=kw_new.dtype)
    k_fac[~hit], k_w[~hit] = kf_new, kw_new
    if hit.any():
        k_fac[hit], k_w[hit] = memo.k_fac[pos[hit]], memo.k_w[pos[hit]]
    _remember(memo, new, kf_new, kw_new)
    return k_fac[inv.reshape(-1)], k_w[inv.reshape(-1)]


def _remember(memo: _Rows, new, kf_new, kw_new) -> None:
    """Replace ``memo`` by one with the rows ``new`` added (keys kept sorted), or by
    one of the new rows alone once :data:`MAX_ROWS` would be passed."""
    with _LOCK:
        if memo.keys.size + new.size > MAX_ROWS or memo.k_fac is None:
            out = _Rows(memo.context, memo.keys.dtype.itemsize)
            out.keys, out.k_fac, out.k_w = new, np.asarray(kf_new), np.asarray(kw_new)
        else:
            keys = np.concatenate([memo.keys, new])
            order = np.argsort(keys, kind="stable")
            out = _Rows(memo.context, memo.keys.dtype.itemsize)
            out.keys = keys[order]
            out.k_fac = np.concatenate([memo.k_fac, kf_new])[order]
            out.k_w = np.concatenate([memo.k_w, kw_new])[order]
        if _MEMO[0] is memo:
            _MEMO[0] = out


def forget() -> None:
    """Drop every remembered row (tests; a changed cooling table)."""
    with _LOCK:
        _MEMO[0] = None
