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
    """Reference: the plain 40-step whole-array bisection of eq. (33)/(35) on [t - 80, t].

    Resolution 80 / 2**41 = 3.6e-11 K; the wet-bulb solver must return its roots.
    """
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


def _w_eq33(t, tw, p):
    """ASHRAE 2017 ch. 1 eq. (33) (wet-bulb at or above 0 C), written out by hand."""
    pws = ps.saturation_vapor_pressure(tw)  # eq. (6) for tw >= 0
    ws = 0.621945 * pws / (p - pws)  # eq. (20) at saturation (eq. 23)
    return ((2501.0 - 2.326 * tw) * ws - 1.006 * (t - tw)) / (2501.0 + 1.86 * t - 4.186 * tw)


def _w_eq35(t, tw, p):
    """ASHRAE 2017 ch. 1 eq. (35) (ice-bulb below 0 C), written out by hand."""
    pws = ps.saturation_vapor_pressure(tw)  # eq. (5) for tw < 0
    ws = 0.621945 * pws / (p - pws)
    return ((2830.0 - 0.24 * tw) * ws - 1.006 * (t - tw)) / (2830.0 + 1.86 * t - 2.1 * tw)


def test_wet_bulb_solve_matches_whole_array_bisection():
    """Blocks, branches, the Halley steps and the replay return the whole-array
    bisection's result bit for bit (NaN where an input is not finite)."""
    rng = np.random.default_rng(7)
    n = 3 * ps._BLOCK + 123  # several blocks and a short last one
    t = rng.uniform(-60.0, 60.0, n)
    td = np.maximum(t - rng.exponential(8.0, n), -80.0)
    td[::17] = t[::17]  # saturated
    td[5::17] = -80.0  # very dry
    t[10::17] = rng.uniform(0.0, 12.0, t[10::17].size)  # wet-bulb near 0 C, both branches
    td[10::17] = t[10::17] - rng.uniform(5.0, 25.0, t[10::17].size)
    p = rng.uniform(50_000.0, 110_000.0, n)
    t[:6] = [np.nan, np.inf, 0.0, -0.0, 1e-12, -1e-12]
    p[6] = np.nan
    w = ps.humidity_ratio_from_vapor_pressure(ps.saturation_vapor_pressure(td), p)
    w[7] = np.nan
    got = ps._wet_bulb_from_humidity_ratio(t, w, p)
    want = _bisection_whole_array(t, w, p)
    np.testing.assert_array_equal(got, want)  # bit for bit, NaN in the same places
    grid = (t[:1200].reshape(100, 12), w[:1200].reshape(100, 12), p[:100, None])
    got = ps._wet_bulb_from_humidity_ratio(*grid)
    assert got.shape == (100, 12)
    np.testing.assert_array_equal(got, _bisection_whole_array(*grid))
    # the same value for an element whatever batch solves it (shuffled, in pieces)
    perm = rng.permutation(n)
    pieces = np.concatenate(
        [
            ps._wet_bulb_from_humidity_ratio(
                t[perm[a : a + 777]], w[perm[a : a + 777]], p[perm[a : a + 777]]
            )
            for a in range(0, n, 777)
        ]
    )
    np.testing.assert_array_equal(pieces, ps._wet_bulb_from_humidity_ratio(t, w, p)[perm])
    assert ps._wet_bulb_from_humidity_ratio(20.0, 0.01, 101_325.0).shape == ()


def test_ashrae_example_1_wet_bulb_round_trip():
    # ASHRAE 2017 Fundamentals ch. 1, Example 1: 40 C dry-bulb, 20 C wet-bulb, 101.325 kPa.
    # W from eq. (33) by hand (published: 0.0065 kg/kg); solving back gives 20 C.
    w = _w_eq33(40.0, 20.0, 101_325.0)
    assert w == pytest.approx(0.0065, abs=1e-4)
    assert abs(float(ps._wet_bulb_from_humidity_ratio(40.0, w, 101_325.0)) - 20.0) <= 1e-9
    # and through the public path: RH from W (eq. 20 inverted by hand)
    pw = w * 101_325.0 / (0.621945 + w)
    rh = 100.0 * pw / ps.saturation_vapor_pressure(40.0)
    assert abs(float(ps.wet_bulb_from_rh(40.0, rh, 101_325.0)) - 20.0) <= 1e-9


@pytest.mark.parametrize(
    ("t", "tw", "p"),
    [
        (-5.0, -6.0, 101_325.0),  # air and bulb below freezing
        (-40.0, -40.2, 70_000.0),
        (3.0, -1.0, 101_325.0),  # air above freezing, W below eq. 33 at 0 C: ice only
        (12.0, -2.0, 55_000.0),
    ],
)
def test_ice_bulb_round_trip_eq35(t, tw, p):
    w = _w_eq35(t, tw, p)
    assert w > 0.0
    if t > 0:  # no root on the water branch: eq. (33) at 0 C is already wetter than W
        assert _w_eq33(t, 0.0, p) > w
    assert abs(float(ps._wet_bulb_from_humidity_ratio(t, w, p)) - tw) <= 1e-9


def test_two_roots_just_above_freezing():
    # 5 C, 101.325 kPa: eq. (35) at 0- C exceeds eq. (33) at 0 C, so a W in between has an
    # ice-bulb root below 0 C and a wet-bulb root above; the solver returns one of them,
    # the one the bisection on [t - 80, t] returns.
    t, p = 5.0, 101_325.0
    lo_w, hi_w = _w_eq33(t, 0.0, p), _w_eq35(t, -1e-300, p)
    assert hi_w - lo_w == pytest.approx(2.33e-4, rel=0.01)
    w = np.linspace(lo_w, hi_w, 9)[1:-1]
    got = ps._wet_bulb_from_humidity_ratio(t, w, p)
    back = np.where(got < 0.0, _w_eq35(t, got, p), _w_eq33(t, got, p))
    np.testing.assert_allclose(back, w, rtol=1e-9)
    np.testing.assert_array_equal(got, _bisection_whole_array(t, w, p))


def test_gap_at_freezing_gives_zero():
    # dry-bulb just above 0 C: eq. (35) at 0- C is below eq. (33) at 0 C (the 0.06 Pa
    # between eqs. 5 and 6), and a W in between has no root: the wet-bulb is 0 C.
    t, p = 0.004, 101_325.0
    lo_w, hi_w = _w_eq35(t, -1e-300, p), _w_eq33(t, 0.0, p)
    assert lo_w < hi_w
    got = ps._wet_bulb_from_humidity_ratio(t, np.linspace(lo_w, hi_w, 7)[1:-1], p)
    np.testing.assert_allclose(got, 0.0, atol=1e-10)


def test_saturated_air_wet_bulb_equals_dry_bulb_tightly():
    t = np.concatenate([np.linspace(-60.0, 60.0, 1201), [-1e-9, 0.0, 1e-9]])
    for p in (50_000.0, 101_325.0, 110_000.0):
        got = ps.wet_bulb_from_dew_point(t, t, p)
        assert np.max(np.abs(got - t)) <= 1e-9


def test_dew_point_le_wet_bulb_le_dry_bulb_whole_domain():
    rng = np.random.default_rng(11)
    n = 200_000
    t = rng.uniform(-60.0, 60.0, n)
    td = -80.0 + (t + 80.0) * rng.uniform(0.0, 1.0, n) ** rng.choice([0.3, 1.0, 3.0], n)
    p = rng.uniform(50_000.0, 110_000.0, n)
    tw = ps.wet_bulb_from_dew_point(t, td, p)
    assert np.all(tw >= td - 1e-9)
    assert np.all(tw <= t + 1e-9)
    # below the dry-bulb whenever the air is not saturated: more than a rounding apart
    assert np.all(tw[t - td > 0.1] < t[t - td > 0.1])
