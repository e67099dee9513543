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

import gc
import multiprocessing as mp
import os
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
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


#: Where forked workers leave the Arrow tables of their results for this process to
#: map (tmpfs: no copy through the result pipe, no pickling); used when it exists and
#: has room, else the tables go through the pipe.
SHARED_DIR = Path("/dev/shm")


class SharedTable:
    """An Arrow table a worker wrote to :data:`SHARED_DIR` (IPC stream); :meth:`load`
    maps it here without copying and removes the file (the mapping keeps it alive)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def load(self):
        import pyarrow as pa

        try:
            return pa.ipc.open_stream(pa.memory_map(self.path)).read_all()
        finally:
            os.unlink(self.path)


def _share(value, prefix: str | None, tag: str):
    """In a worker: ``value``, an Arrow table of it written to shared memory (file
    ``{prefix}-{pid}-{tag}.arrows``)."""
    import pyarrow as pa

    if prefix is None or not isinstance(value, pa.Table):
        return value
    path = f"{prefix}-{os.getpid()}-{tag}.arrows"
    try:
        st = os.statvfs(SHARED_DIR)
        if st.f_bavail * st.f_frsize < 2 * value.nbytes + (64 << 20):
            return value  # no room: through the pipe
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, value.schema) as w:
            w.write_table(value)
    except OSError:
        Path(path).unlink(missing_ok=True)
        return value
    return SharedTable(path)


def _receive(result):
    """In this process: a worker's result with its shared tables mapped."""
    if isinstance(result, tuple):
        return tuple(r.load() if isinstance(r, SharedTable) else r for r in result)
    return result.load() if isinstance(result, SharedTable) else result


_SEQ = [0]


def _call(task):
    state = _STATE
    result = state["fn"](state, task)
    prefix = state.get("shared_prefix")
    _SEQ[0] += 1
    if isinstance(result, tuple):
        return tuple(_share(r, prefix, f"{_SEQ[0]}-{i}") for i, r in enumerate(result))
    return _share(result, prefix, str(_SEQ[0]))


def _shared_prefix() -> str | None:
    """The file prefix of this pool's shared tables, or None without a shared dir."""
    import uuid

    if not (SHARED_DIR.is_dir() and os.access(SHARED_DIR, os.W_OK)):
        return None
    return str(SHARED_DIR / f"siting-{os.getpid()}-{uuid.uuid4().hex[:12]}")


def ordered_map(
    fn: Callable[[dict, Any], Any], tasks: Iterable, state: dict, workers: int
) -> Iterator:
    """``fn(state, task)`` for every task, yielded in task order, computed by
    ``workers`` forked processes that inherit ``state`` (and everything this process
    has loaded) copy-on-write. At most ``2 * workers`` tasks are in flight, which
    bounds the results waiting in this process. ``fn`` must be a module-level function.
    Arrow tables in a result (the result, or an item of a result tuple) come back
    through shared memory (:class:`SharedTable`) when there is room, else pickled.
    """
    from concurrent.futures import ProcessPoolExecutor

    global _STATE
    prefix = _shared_prefix()
    _STATE = dict(state, fn=fn, shared_prefix=prefix)
    # objects alive now move to the collector's permanent generation, so that no
    # collection in a worker writes to their headers (each write copies a shared page)
    froze = gc.get_freeze_count() == 0  # a caller's own freeze is left as it is
    if froze:
        gc.freeze()
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
            yield _receive(pending.popleft().result())
            task = next(it, None)
            if task is not None:
                pending.append(pool.submit(_call, task))
        ok = True
    finally:
        _STATE = None
        pool.shutdown(wait=True, cancel_futures=not ok)
        if froze:
            gc.unfreeze()
        if prefix is not None:  # tables of results never received (an error)
            for leftover in SHARED_DIR.glob(Path(prefix).name + "-*"):
                leftover.unlink(missing_ok=True)


def _climate_task(state: dict, keys):
    from siting.scale.climate_cells import climate_frame

    return climate_frame(
        keys, cell_deg=state["cell"], data_dir=state["data_dir"], catalog=state["catalog"],
        join_options=state["opts"],
    )  # fmt: skip


#: Fewest missing climate cells worth splitting over forked workers (below, one join
#: here: a pool costs a fork and the transfer back; a speed switch, not physics).
MIN_SPLIT_CELLS = 2_000


def warm_climate(lat, lon, *, cell_deg: float, data_dir, join_options, workers: int) -> int:
    """The climate of every distinct climate cell of the points cached in this process
    (before the chunk workers fork, so that none of them computes a cell). With
    ``workers`` > 1 the missing cells are split over forked workers and their parts
    cached here in order (each cell's values are its own: the same cache). Returns the
    cells computed."""
    import numpy as np

    from siting.layers.catalog import load_catalog
    from siting.scale.climate_cells import add_climate_cells, climate_cell_keys, missing_cells

    keys = climate_cell_keys(np.asarray(lat, float), np.asarray(lon, float), cell_deg)
    where = dict(cell_deg=cell_deg, data_dir=data_dir, join_options=dict(join_options))
    need = missing_cells(keys, **where)
    if need.size == 0:
        return 0
    state = dict(cell=cell_deg, data_dir=data_dir, catalog=load_catalog(), opts=dict(join_options))
    if workers <= 1 or need.size < MIN_SPLIT_CELLS:
        parts = [need]
        frames: Iterable = [_climate_task(state, need)]
    else:
        parts = np.array_split(need, 2 * workers)
        frames = ordered_map(_climate_task, parts, state, workers)
    for part, frame in zip(parts, frames, strict=True):
        add_climate_cells(part, frame, **where)
    return int(need.size)


def build_label_indexes(n_points: int) -> int:
    """Build here the rasterized label index of every polygon index already queried
    (:class:`siting.layers._spatial.PolygonIndex`), when the run will query at least
    ``RASTER_MIN_POINTS`` points (the serial path builds it during its first chunk;
    the forked workers then share it instead of each building one, and use it from
    their first chunk; lookups are exact either way). Returns the indexes built."""
    import numpy as np

    from siting.layers import _spatial

    if n_points < _spatial.RASTER_MIN_POINTS:
        return 0
    built = 0
    for index in _spatial.live_indexes():
        if index.raster_mode is not False and index._queried > 0:
            # the raster and its summed-area table (snapping) are built on first use
            one = np.zeros(1)
            index.label_raster.any_polygon_in_box(one, one, one + 1.0)
            built += 1
    return built
