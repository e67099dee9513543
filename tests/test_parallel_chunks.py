"""Chunks on forked worker processes give the serial path's outputs: the same rows in
the same order with bit-identical values, for ``screen``, ``run`` and ``join``."""

from __future__ import annotations

import gc
import os
import warnings

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from siting.model import Fleet, Scenario
from siting.pipeline import run
from siting.scale import clear_climate_cache, screen
from siting.scale import parallel as par
from siting.scale.join_large import join_to_parquet

pytestmark = pytest.mark.skipif(not par.can_fork(), reason="needs fork")

FLEET = Fleet(gpu="H100-SXM", gpus=50_000)
SCENARIO = Scenario(commitment_years=15, product_years=2.0, after="idle")
N, CHUNK = 20_000, 5_000


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    """20,000 uniform random points over the contiguous United States box (seed 1):
    land, sea, Canada and Mexico, about 9,000 climate cells."""
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(-124.0, -67.0, N), rng.uniform(25.0, 49.0, N)
    return gpd.GeoDataFrame(
        {"site_id": [f"s{i:05d}" for i in range(N)], "lat": lat, "lon": lon},
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )


def _same_file(a, b) -> None:
    ta, tb = pq.read_table(a), pq.read_table(b)
    assert ta.schema.names == tb.schema.names
    assert ta.num_rows == tb.num_rows == N
    for name in ta.schema.names:
        a, b = ta.column(name), tb.column(name)
        if pa.types.is_floating(a.type):  # bit for bit (NaN included)
            x, y = (c.to_numpy(zero_copy_only=False) for c in (a, b))
            assert np.array_equal(x.view(np.uint64), y.view(np.uint64)), name
            assert a.is_null().equals(b.is_null()), name
        else:
            assert a.equals(b), name


def _pid_and_state(state, task):
    return task, os.getpid(), int(state["big"][task])


def test_ordered_map_order_processes_and_inherited_state():
    big = np.arange(1_000_000, dtype=np.int64) * 3  # built here, read by the workers
    got = list(par.ordered_map(_pid_and_state, range(40), {"big": big}, 2))
    assert [t for t, _, _ in got] == list(range(40))
    assert [v for _, _, v in got] == [3 * t for t in range(40)]
    pids = {p for _, p, _ in got}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def _boom(state, task):
    if task == 3:
        raise ValueError("chunk 3 failed")
    return task


def test_ordered_map_raises_the_worker_error():
    with pytest.raises(ValueError, match="chunk 3 failed"):
        list(par.ordered_map(_boom, range(8), {}, 2))
    assert gc.get_freeze_count() == 0  # unfrozen on the error path too


def _frozen(state, task):
    return gc.get_freeze_count()


def test_workers_inherit_a_frozen_heap_and_the_parent_unfreezes():
    """The objects alive at the fork are in the collector's permanent generation in the
    workers (no collection writes to their shared pages); the parent's are collectable
    again once the pool is closed."""
    keep = [[i] for i in range(1000)]  # tracked objects alive at the fork
    assert all(n >= len(keep) for n in par.ordered_map(_frozen, range(4), {}, 2))
    assert gc.get_freeze_count() == 0


def _table_and_where(state, task):
    """A worker's result: a table of its task and the worker's pid."""
    t = pa.table({"task": pa.array([task] * 1000), "x": pa.array(np.arange(1000) * task)})
    return t, os.getpid()


def _received(shared_dir, monkeypatch) -> int:
    """Tables received from forked workers with ``shared_dir``; how many were mapped
    from shared files (``SharedTable.load`` runs here, in the parent)."""
    monkeypatch.setattr(par, "SHARED_DIR", shared_dir)
    loads = []
    real = par.SharedTable.load

    def counted(self):
        loads.append(self.path)
        return real(self)

    monkeypatch.setattr(par.SharedTable, "load", counted)
    got = list(par.ordered_map(_table_and_where, range(6), {}, 2))
    for task, (t, _) in enumerate(got):  # the tables as the workers built them
        assert t.column("task").to_pylist() == [task] * 1000
        assert t.column("x").to_pylist() == list(np.arange(1000) * task)
    return len(loads)


def test_worker_tables_through_shared_memory_leave_no_file(tmp_path, monkeypatch):
    assert _received(tmp_path, monkeypatch) == 6  # every table mapped from a file
    assert list(tmp_path.iterdir()) == []  # and every file removed


def test_worker_tables_through_the_pipe_without_shared_dir(tmp_path, monkeypatch):
    assert _received(tmp_path / "absent", monkeypatch) == 0  # pickled through the pipe


def test_share_keeps_the_table_when_there_is_no_room(tmp_path, monkeypatch):
    class Full:
        f_bavail, f_frsize = 0, 4096

    monkeypatch.setattr(par, "SHARED_DIR", tmp_path)
    monkeypatch.setattr(par.os, "statvfs", lambda _: Full())
    t = pa.table({"x": pa.array(np.arange(10))})
    assert par._share(t, str(tmp_path / "p"), "1") is t
    assert list(tmp_path.iterdir()) == []


def test_share_writes_and_load_maps_and_removes(tmp_path, monkeypatch):
    monkeypatch.setattr(par, "SHARED_DIR", tmp_path)
    t = pa.table(
        {"x": pa.array(np.arange(10)), "s": pa.array(list("abcdefghij")).dictionary_encode()}
    )
    ref = par._share(t, str(tmp_path / "p"), "1")
    assert isinstance(ref, par.SharedTable) and len(list(tmp_path.iterdir())) == 1
    back = ref.load()
    assert back.equals(t)
    assert list(tmp_path.iterdir()) == []


def test_no_fork_falls_back_to_serial(monkeypatch):
    monkeypatch.setattr(par, "can_fork", lambda: False)
    with pytest.warns(RuntimeWarning, match="cannot fork"):
        assert par.resolve_workers(2) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert par.resolve_workers(1) == 1


def test_screen_two_workers_equal_serial(sites, tmp_path):
    paths = []
    for w in (1, 2):
        clear_climate_cache()  # the serial path computes its cells chunk by chunk
        out = tmp_path / f"w{w}.parquet"
        res = screen(sites, FLEET, SCENARIO, out=out, chunk_size=CHUNK, workers=w, progress=False)
        paths.append(res.path)
    _same_file(*paths)


def test_run_two_workers_equal_serial(sites, tmp_path):
    paths = []
    for w in (1, 2):
        clear_climate_cache()
        r = run(
            sites, FLEET, SCENARIO, large_threshold=0, out_dir=tmp_path / f"w{w}",
            chunk_size=CHUNK, report_top=20, workers=w,
        )  # fmt: skip
        paths.append(r.large.path)
    _same_file(*paths)


def test_join_two_workers_equal_serial(sites, tmp_path):
    paths = []
    for w in (1, 2):
        clear_climate_cache()
        out, _, _ = join_to_parquet(
            sites, tmp_path / f"j{w}.parquet", chunk_size=CHUNK, workers=w, progress=False
        )
        paths.append(out)
    _same_file(*paths)


def test_screen_with_label_indexes_equal_serial(sites, tmp_path, monkeypatch):
    """Label indexes from the first query on (as a 1M run): built before the fork in
    the parallel path, during the first chunk in the serial one; the same file."""
    from siting.layers import _spatial

    monkeypatch.setattr(_spatial, "RASTER_MIN_POINTS", 1_000)
    assert par.build_label_indexes(999) == 0
    paths = []
    for w in (1, 2):
        clear_climate_cache()
        out = tmp_path / f"r{w}.parquet"
        res = screen(sites, FLEET, SCENARIO, out=out, chunk_size=CHUNK, workers=w, progress=False)
        paths.append(res.path)
    _same_file(*paths)
