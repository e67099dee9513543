"""The saturated outlet-air solve of the Merkel tower against a plain bisection."""

from __future__ import annotations

import numpy as np

from siting.physics.psychrometrics import (
    humidity_ratio_from_vapor_pressure,
    saturation_vapor_pressure,
)
from siting.physics.tower import _saturated_temperature, moist_air_enthalpy_kj_per_kg


def _bisection(h, p, steps=60):
    # h_s(t) = 1.006 t + W_s(t) (2501 + 1.86 t) increases with t (ASHRAE 2017 ch. 1
    # eqs. 5, 6, 20, 32): 60 halvings of [-60, 80] C, the old solver's method and bracket
    lo, hi = np.full(np.shape(h), -60.0), np.full(np.shape(h), 80.0)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        ws = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure(mid), p)
        below = moist_air_enthalpy_kj_per_kg(mid, ws) < h
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def test_newton_solve_matches_bisection_over_the_validity_range():
    rng = np.random.default_rng(3)
    h = np.concatenate([rng.uniform(-70.0, 450.0, 20_000), np.linspace(9.43, 9.45, 2001)])
    p = rng.uniform(60_000.0, 105_000.0, h.size)
    for pp in (p, 101_325.0):
        assert np.max(np.abs(_saturated_temperature(h, pp) - _bisection(h, pp))) < 1e-8  # K


def test_stated_conditions():
    # saturated air at 20 C, 101325 Pa: p_ws = 2339 Pa (ASHRAE 2017 ch.1 Table 3),
    # W_s = 0.621945 x 2339 / (101325 - 2339) = 0.014696, h = 1.006 x 20 + W_s (2501 +
    # 1.86 x 20) = 57.42 kJ/kg: the inverse must return 20 C
    h = 1.006 * 20.0 + 0.621945 * 2339.0 / (101_325.0 - 2339.0) * (2501.0 + 1.86 * 20.0)
    assert abs(float(_saturated_temperature(h, 101_325.0)) - 20.0) < 0.01
    # ends of the bracket and missing values
    out = _saturated_temperature(np.array([-500.0, 1e5, np.nan]), 101_325.0)
    assert out[0] == -60.0 and out[1] == 80.0 and np.isnan(out[2])
