"""Newton dew-point solve against an independent bisection and ASHRAE Table 3 values."""

import numpy as np
import pytest

from siting.physics.hourly import dew_point_from_humidity_ratio
from siting.physics.psychrometrics import (
    dew_point_from_vapor_pressure,
    humidity_ratio_from_vapor_pressure,
    saturation_vapor_pressure,
)


def _bisection_dew_point(pw, lo_c=-80.0, hi_c=60.0, steps=60):
    """Reference: plain bisection of ``p_ws(t) < p_w`` on [lo, hi] (60 steps: 1e-16 K)."""
    pw = np.asarray(pw, dtype=float)
    lo = np.full(pw.shape, lo_c)
    hi = np.full(pw.shape, hi_c)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        below = saturation_vapor_pressure(mid) < pw
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def test_dense_grid_matches_bisection():
    # dense in temperature over the whole bracket, plus a fine band around the 0 C switch
    t = np.concatenate(
        [np.linspace(-80.0, 60.0, 200_001), np.linspace(-1e-3, 1e-3, 2001), [-80.0, 60.0]]
    )
    pw = saturation_vapor_pressure(t)
    # also pressures between grid points (not exact images of a grid temperature)
    pw = np.concatenate([pw, np.sqrt(pw[1:] * pw[:-1])])
    got = dew_point_from_vapor_pressure(pw)
    want = _bisection_dew_point(pw)
    assert np.max(np.abs(got - want)) <= 1e-9


def test_switch_gap_extremes_and_nan():
    p_ice0 = float(saturation_vapor_pressure(-1e-300))
    p_w0 = float(saturation_vapor_pressure(0.0))
    assert p_ice0 < p_w0  # eqs. 5 and 6 differ by about 0.06 Pa at 0 C
    gap = np.linspace(p_ice0, p_w0, 7)[1:-1]
    pw = np.concatenate(
        [gap, [0.0, -5.0, 1e-9, 1e6, np.inf, -np.inf, np.nan, p_ice0 * (1 - 1e-12), p_w0]]
    )
    got = dew_point_from_vapor_pressure(pw)
    want = _bisection_dew_point(np.nan_to_num(pw, nan=0.0))
    finite = ~np.isnan(pw)
    assert np.max(np.abs(got[finite] - want[finite])) <= 1e-9
    np.testing.assert_allclose(got[: gap.size], 0.0, atol=1e-9)
    np.testing.assert_allclose(got[gap.size : gap.size + 3], -80.0)
    np.testing.assert_allclose(got[gap.size + 3 : gap.size + 5], 60.0)
    assert np.isnan(got[~finite]).all()


@pytest.mark.parametrize(
    ("t_c", "p_ws_kpa"),
    # ASHRAE 2017 Fundamentals ch. 1 Table 3 (saturation pressure over ice / water)
    [(-40.0, 0.01285), (-10.0, 0.25990), (0.0, 0.61115), (20.0, 2.3393), (50.0, 12.3513)],
)
def test_ashrae_table3_round_trip(t_c, p_ws_kpa):
    # eqs. 5-6 reproduce the table within 300 ppm; d ln p / dT ~ 0.06-0.11 /K -> ~5 mK
    assert abs(float(dew_point_from_vapor_pressure(p_ws_kpa * 1000.0)) - t_c) < 0.01


def test_humidity_ratio_wrapper_shapes_and_broadcast():
    t = np.linspace(-30.0, 35.0, 24).reshape(2, 12)
    p = np.array([[101_325.0], [80_000.0]])
    w = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure(t), p)
    got = dew_point_from_humidity_ratio(w, p)
    assert got.shape == (2, 12)
    assert np.max(np.abs(got - t)) < 1e-9
    assert np.isnan(dew_point_from_humidity_ratio(np.nan, 101_325.0))
