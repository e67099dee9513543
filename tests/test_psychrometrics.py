"""Psychrometrics against published table values (ASHRAE 2017, Stull 2011).

Reference numbers are written here with their source; none comes from the code.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.physics import psychrometrics as ps

# ASHRAE Handbook -- Fundamentals (2017), ch. 1, Table 3: saturation pressure of water
# vapour [Pa]. ASHRAE states its eqs. (5)-(6) agree with the table within 300 ppm.
ASHRAE_T3_PWS_PA = {
    -20.0: 103.24,
    -5.0: 401.74,
    5.0: 872.6,
    25.0: 3169.7,
    50.0: 12351.3,
}

# ASHRAE Handbook -- Fundamentals (2017), ch. 1, Table 1: standard atmosphere [Pa].
ASHRAE_T1_PRESSURE_PA = {
    -500.0: 107_478.0,
    0.0: 101_325.0,
    500.0: 95_461.0,
    1000.0: 89_875.0,
    4000.0: 61_640.0,
}


@pytest.mark.parametrize(("temp_c", "pws_pa"), sorted(ASHRAE_T3_PWS_PA.items()))
def test_saturation_pressure_matches_ashrae_table_3(temp_c, pws_pa):
    assert ps.saturation_vapor_pressure(temp_c) == pytest.approx(pws_pa, rel=3e-4)


@pytest.mark.parametrize(("z_m", "p_pa"), sorted(ASHRAE_T1_PRESSURE_PA.items()))
def test_pressure_from_elevation_matches_ashrae_table_1(z_m, p_pa):
    assert ps.pressure_from_elevation(z_m) == pytest.approx(p_pa, abs=1.0)


def test_saturation_humidity_ratio_matches_ashrae_table_2():
    # ASHRAE 2017 ch. 1 Table 2: Ws = 0.020173 kg/kg at 25 C, 101.325 kPa
    ws = ps.humidity_ratio_from_vapor_pressure(ps.saturation_vapor_pressure(25.0), 101_325.0)
    assert ws == pytest.approx(0.020173, rel=5e-3)


def test_ashrae_example_1_moist_air_40c_db_20c_wb():
    # ASHRAE 2017 Fundamentals ch. 1, Example 1: moist air at 40 C dry-bulb, 20 C
    # thermodynamic wet-bulb, 101.325 kPa -> W = 0.0065 kg/kg, RH = 14 %, dew point 7 C
    # (values as printed, rounded).
    w = ps.humidity_ratio_from_wet_bulb(40.0, 20.0, 101_325.0)
    assert w == pytest.approx(0.0065, abs=1e-4)
    pw = w * 101_325.0 / (0.621945 + w)  # ASHRAE eq. (20) inverted, by hand
    rh = 100.0 * pw / ps.saturation_vapor_pressure(40.0)
    assert rh == pytest.approx(14.0, abs=1.0)
    assert ps.dew_point_from_rh(40.0, rh) == pytest.approx(7.0, abs=0.5)
    # and back: the published dew point / RH give the published wet-bulb
    assert ps.wet_bulb_from_dew_point(40.0, 7.0, 101_325.0) == pytest.approx(20.0, abs=0.3)
    assert ps.wet_bulb_from_rh(40.0, 14.0, 101_325.0) == pytest.approx(20.0, abs=0.3)


def test_stull_2011_worked_value():
    # Stull (2011) J. Appl. Meteor. Climatol. 50:2267: T = 20 C, RH = 50 % -> Tw = 13.7 C
    assert ps.wet_bulb_stull(20.0, 50.0) == pytest.approx(13.7, abs=0.05)
    # the psychrometric solution at sea level gives the same to within Stull's accuracy
    assert ps.wet_bulb_from_rh(20.0, 50.0, 101_325.0) == pytest.approx(13.7, abs=0.2)


def test_stull_agrees_with_psychrometric_solution_within_about_one_degree():
    # Stull (2011) reports errors of about -1 to +0.65 C against a psychrometric solution
    # over most of RH 5-99 %, T -20..50 C (largest at low RH and low T).
    t, rh = np.meshgrid(np.linspace(0.0, 40.0, 41), np.linspace(20.0, 99.0, 80))
    diff = ps.wet_bulb_stull(t, rh) - ps.wet_bulb_from_rh(t, rh, 101_325.0)
    assert np.all(np.abs(diff) <= 1.0)


def test_saturated_air_wet_bulb_equals_dry_bulb():
    t = np.array([-10.0, 0.0, 15.0, 35.0])
    np.testing.assert_allclose(ps.wet_bulb_from_rh(t, 100.0), t, atol=1e-6)
    np.testing.assert_allclose(ps.wet_bulb_from_dew_point(t, t), t, atol=1e-6)


def test_lower_pressure_gives_lower_wet_bulb():
    # at altitude the same RH evaporates more readily: larger wet-bulb depression
    sea = ps.wet_bulb_from_rh(30.0, 40.0, ps.pressure_from_elevation(0.0))
    high = ps.wet_bulb_from_rh(30.0, 40.0, ps.pressure_from_elevation(2000.0))
    assert high < sea


def test_vectorized_shapes_and_nan():
    t = np.array([[20.0, np.nan], [30.0, 10.0]])
    td = np.array([[10.0, 5.0], [np.nan, 0.0]])
    out = ps.wet_bulb_from_dew_point(t, td, 101_325.0)
    assert out.shape == (2, 2)
    assert np.isnan(out[0, 1]) and np.isnan(out[1, 0])
    assert np.isfinite(out[0, 0]) and np.isfinite(out[1, 1])


@settings(max_examples=200, deadline=None)
@given(
    t=st.floats(-30.0, 50.0),
    rh=st.floats(1.0, 100.0),
    z=st.floats(0.0, 3000.0),
)
def test_dew_point_le_wet_bulb_le_dry_bulb(t, rh, z):
    p = ps.pressure_from_elevation(z)
    tw = float(ps.wet_bulb_from_rh(t, rh, p))
    td = float(ps.dew_point_from_rh(t, rh))
    assert td - 1e-6 <= tw <= t + 1e-6


def _bisection_whole_array(t, w, p):
    """The plain whole-array bisection the blocked solver must reproduce bit for bit."""
    t, w, p = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (t, w, p)))
    lo, hi = t - 80.0, t.copy()
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            too_wet = ps.humidity_ratio_from_wet_bulb(t, mid, p) > w
            hi = np.where(too_wet, mid, hi)
            lo = np.where(too_wet, lo, mid)
    bad = ~(np.isfinite(t) & np.isfinite(w) & np.isfinite(p))
    return np.where(bad, np.nan, 0.5 * (lo + hi))


def test_blocked_bisection_identical_to_whole_array_bisection():
    """Blocks, sorting and one-branch evaluation change the speed, never a bit."""
    rng = np.random.default_rng(7)
    n = 3 * ps._BLOCK + 123  # several blocks and a short last one
    t = rng.uniform(-60.0, 55.0, n)
    td = t - rng.exponential(8.0, n)
    td[::17] = t[::17]  # saturated
    p = rng.uniform(50_000.0, 105_000.0, n)
    t[:6] = [np.nan, np.inf, 0.0, -0.0, 1e-12, -1e-12]
    p[6] = np.nan
    w = ps.humidity_ratio_from_vapor_pressure(ps.saturation_vapor_pressure(td), p)
    w[7] = np.nan
    got = ps._wet_bulb_from_humidity_ratio(t, w, p)
    want = _bisection_whole_array(t, w, p)
    np.testing.assert_array_equal(got, want)  # NaN in the same places, equal elsewhere
    grid = (t[:1200].reshape(100, 12), w[:1200].reshape(100, 12), p[:100, None])
    np.testing.assert_array_equal(
        ps._wet_bulb_from_humidity_ratio(*grid), _bisection_whole_array(*grid)
    )
