"""The per-climate-row memo of the cooling terms (siting.model.profile_memo): a call
returns exactly what the un-remembered function returns for the same rows, whatever
was remembered before (overlapping calls, a new context, the row bound)."""

from __future__ import annotations

import numpy as np
import pytest

import siting.model.profile_memo as pm
from siting.model.facility import Facility, reference_climate
from siting.model.footprint import cooling_profile

HOURS = np.array([744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744], float)
NODES = np.array([0.0, 0.15, 0.3])


def _climates(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` rows drawn from 6 distinct climates (hot and temperate, shifted)."""
    rng = np.random.default_rng(seed)
    t0, w0 = reference_climate("temperate")
    t1, w1 = reference_climate("hot")
    shift = np.array([0.0, 1.0, 2.0])[rng.integers(0, 3, n)][:, None]
    hot = rng.integers(0, 2, n)[:, None] == 1
    return np.where(hot, t1, t0) + shift, np.where(hot, w1, w0) + shift


@pytest.fixture(autouse=True)
def _fresh():
    pm.forget()
    yield
    pm.forget()


def _calls():
    seen = []

    def compute(tdb, twb, hours, facility, nodes):
        seen.append(len(tdb))
        return cooling_profile(tdb, twb, hours, facility, nodes)

    return seen, compute


def test_memo_equals_the_function_and_evaluates_each_row_once():
    fac = Facility()
    seen, compute = _calls()
    for seed, n in ((0, 40), (1, 25), (2, 60)):
        tdb, twb = _climates(seed, n)
        got = pm.remembered_profile(tdb, twb, HOURS, fac, NODES, False, compute)
        want = cooling_profile(tdb, twb, HOURS, fac, NODES)
        for g, w in zip(got, want, strict=True):
            assert g.shape == (n, NODES.size)
            np.testing.assert_array_equal(g, w)
    assert sum(seen) <= 6  # 6 distinct climate rows in all three calls together


def test_a_new_context_does_not_reuse_rows():
    tdb, twb = _climates(0, 30)
    seen, compute = _calls()
    pm.remembered_profile(tdb, twb, HOURS, Facility(), NODES, False, compute)
    other = Facility(cooling="dry")
    got = pm.remembered_profile(tdb, twb, HOURS, other, NODES, False, compute)
    np.testing.assert_array_equal(got[0], cooling_profile(tdb, twb, HOURS, other, NODES)[0])
    got = pm.remembered_profile(tdb, twb, HOURS, other, NODES[:1], False, compute)
    np.testing.assert_array_equal(got[1], cooling_profile(tdb, twb, HOURS, other, NODES[:1])[1])
    assert len(seen) == 3  # every context evaluated its rows


def test_row_bound_starts_again_without_losing_the_call(monkeypatch):
    monkeypatch.setattr(pm, "MAX_ROWS", 3)
    fac = Facility()
    _, compute = _calls()
    a = _climates(0, 20)
    odd = (np.arange(20) % 2)[:, None] * 5.0  # half the rows new climates
    b = tuple(x + odd for x in _climates(5, 20))
    pm.remembered_profile(*a, HOURS, fac, NODES, False, compute)
    got = pm.remembered_profile(*b, HOURS, fac, NODES, False, compute)  # hits + new rows
    want = cooling_profile(*b, HOURS, fac, NODES)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_gaps_stay_unknown():
    tdb, twb = _climates(0, 5)
    tdb[2, 4] = np.nan
    got = pm.remembered_profile(tdb, twb, HOURS, Facility(), NODES, False, cooling_profile)
    assert np.isnan(got[0][2]).all() and np.isfinite(np.delete(got[0], 2, axis=0)).all()
