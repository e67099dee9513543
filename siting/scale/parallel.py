"""Chunks on every core of one machine: the layers, their indexes and the climate of
every climate cell of the input are prepared once in this process, then a pool of
worker processes is *forked* so that the workers share that state copy-on-write (no
worker reloads a layer or recomputes a climate cell). Each worker computes whole chunks
and sends back their results; the caller consumes them in chunk order, so the output
is the serial path's (same rows, same order, same numbers).

Fork is needed (Linux); where the platform does not fork safely (macOS spawns by
default, Windows cannot fork) the chunks run in this process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: What the forked workers read (set in the parent just before the pool forks).
_STATE: dict[str, Any] | None = None


def default_workers() -> int:
    """Worker processes used when none are given: ``min(2, os.cpu_count())``."""
    return max(1, min(2, os.cpu_count() or 1))


def can_fork() -> bool:
    """Whether worker processes can be forked here (Linux and other Unix but macOS,
    whose system libraries are not fork-safe and whose default is spawn)."""
    return "fork" in mp.get_all_start_methods() and sys.platform != "darwin"


def resolve_workers(workers: int | None) -> int:
    """Workers to use: the request (default :func:`default_workers`), 1 where
    :func:`can_fork` is false (with a warning)."""
    from siting.errors import ConfigError

    w = default_workers() if workers is None else workers
    if isinstance(w, bool) or not isinstance(w, int) or w < 1:
        raise ConfigError(f"workers must be a positive integer, got {workers!r}", field="workers")
    if w > 1 and not can_fork():
        warnings.warn(
            f"workers={w}: this platform cannot fork worker processes ({sys.platform}); "
            "chunks run one after the other in this process",
            RuntimeWarning,
            stacklevel=3,
        )
        return 1
    return w


def _call(task):
    state = _STATE
    return state["fn"](state, task)


def ordered_map(
    fn: Callable[[dict, Any], Any], tasks: Iterable, state: dict, workers: int
) -> Iterator:
    """``fn(state, task)`` for every task, yielded in task order, computed by
    ``workers`` forked processes that inherit ``state`` (and everything this process
    has loaded) copy-on-write. At most ``2 * workers`` tasks are in flight, which
    bounds the results waiting in this process. ``fn`` must be a module-level function.
    """
    from concurrent.futures import ProcessPoolExecutor

    global _STATE
    _STATE = dict(state, fn=fn)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"))
    ok = False
    try:
        pending: deque = deque()
        it = iter(tasks)
        for task in it:
            pending.append(pool.submit(_call, task))
            if len(pending) >= 2 * workers:
                break
        while pending:
            yield pending.popleft().result()
            task = next(it, None)
            if task is not None:
                pending.append(pool.submit(_call, task))
        ok = True
    finally:
        _STATE = None
        pool.shutdown(wait=True, cancel_futures=not ok)
