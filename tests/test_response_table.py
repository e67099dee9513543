"""Response table of the hourly designs against the exact within-month samples."""

from __future__ import annotations

import numpy as np
import pytest

from siting.model.cooling_table import (
    day_anomalies,
    month_dew_point,
    month_terms,
    month_terms_exact,
    response_table,
    site_dew_slope,
)
from siting.model.designs import COOLING_DESIGNS
from siting.model.facility import Facility
from siting.model.footprint import MONTHLY_HOURS, cooling_profile
from siting.physics.hourly import DEW_SLOPE_MAX, DEW_SLOPE_MIN, day_hours, hourly_samples
from siting.physics.psychrometrics import wet_bulb_from_rh

HOURLY = [n for n, d in COOLING_DESIGNS.items() if d.hourly]


def _climates(n, seed=0):
    # monthly means: dry-bulb -45..45 C, RH 5-100 % at sea level (psychrometric wet-bulb)
    rng = np.random.default_rng(seed)
    tdb = rng.uniform(-45.0, 45.0, n)
    return tdb, wet_bulb_from_rh(tdb, rng.uniform(5.0, 100.0, n))


def _sites(n, seed=0):
    # (n, 12) months with a seasonal cycle: mean -30..32 C, amplitude 0-15 K, RH 5-100 %
    rng = np.random.default_rng(seed)
    mean, amp = rng.uniform(-30.0, 32.0, (n, 1)), rng.uniform(0.0, 15.0, (n, 1))
    tdb = np.clip(mean - amp * np.cos(2 * np.pi * (np.arange(12) + 0.5) / 12), -45, 45)
    return tdb, wet_bulb_from_rh(tdb, rng.uniform(5.0, 100.0, (n, 1)))


def _reference(tdb, twb, fac, dew_slope="fitted"):
    """Month terms on the samples of hourly_samples (one site per row), hour-weighted."""
    s = hourly_samples(tdb, twb, n_days=5, wet_bulb="quadratic", dew_slope=dew_slope)
    wts = s["hours"] / s["hours"].sum(axis=-1, keepdims=True)
    c, w = fac.period_terms(s["dry_bulb_c"], s["wet_bulb_c"])
    return (c * wts).sum(axis=-1), (w * wts).sum(axis=-1)


def test_day_level_exact_path_draws_the_samples_of_hourly_samples():
    tdb, twb = _sites(60, seed=3)
    k = np.random.default_rng(3).uniform(DEW_SLOPE_MIN, DEW_SLOPE_MAX, 60)
    s = hourly_samples(tdb, twb, n_days=5, wet_bulb="quadratic", dew_slope=k)
    anomaly, _ = day_anomalies()
    t_day = tdb[..., None] + anomaly
    dew_day = month_dew_point(tdb, twb)[..., None] + k[:, None, None] * anomaly
    t, wb = day_hours(t_day, dew_day)
    assert np.array_equal(t.reshape(s["dry_bulb_c"].shape), s["dry_bulb_c"])
    assert np.array_equal(wb.reshape(s["wet_bulb_c"].shape), s["wet_bulb_c"])
    fac = Facility(cooling="tower_economizer")
    c, w = month_terms_exact(tdb, twb, k[:, None], fac)
    cr, wr = _reference(tdb, twb, fac, dew_slope=k)
    np.testing.assert_allclose(c, cr, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w, wr, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", HOURLY)
def test_table_error_against_the_exact_path(name):
    fac = Facility(cooling=name)
    tdb, twb = _climates(3000)
    k = np.random.default_rng(1).uniform(DEW_SLOPE_MIN, DEW_SLOPE_MAX, tdb.size)
    k[:200], k[200:400] = DEW_SLOPE_MIN, DEW_SLOPE_MAX
    c, w = month_terms(tdb, twb, k, fac)
    ce, we = month_terms_exact(tdb, twb, k, fac)
    # stated bound (cooling_table module docstring, docs/method_model.md)
    assert np.max(np.abs(c - ce)) < 1e-3
    dw = np.abs(w - we)
    assert np.all((dw < 0.005) | (dw < 0.01 * np.abs(we)))


def test_outside_the_grid_and_missing_values_take_the_exact_path():
    fac = Facility(cooling="hybrid")
    # every day off the grid: day means above 60 C; a 66 K dew-point depression at k = 1
    # (45 C, RH 1 %: wet-bulb 16.93 C); then missing values
    tdb = np.array([70.0, 45.0, np.nan, 20.0])
    twb = np.array([25.0, 16.93, 10.0, np.nan])
    c, w = month_terms(tdb, twb, 1.0, fac)
    ce, we = month_terms_exact(tdb[:2], twb[:2], 1.0, fac)
    assert np.array_equal(c[:2], ce) and np.array_equal(w[:2], we)
    assert np.isfinite(c[:2]).all()
    assert np.isnan(c[2:]).all() and np.isnan(w[2:]).all()


def test_a_site_slope_is_its_own_fitted_slope():
    # the exact profile of a site is the hourly_samples reference with dew_slope='fitted'
    # on that site's own row, whatever other sites are in the batch
    fac = Facility(cooling="hybrid")
    # float32 values: the profile takes the climate as float32
    tdb, twb = (x.astype(np.float32).astype(float) for x in _sites(30, seed=5))
    k_fac, k_w = cooling_profile(tdb, twb, MONTHLY_HOURS, fac, exact=True)
    hw = MONTHLY_HOURS / MONTHLY_HOURS.sum()
    for i in (0, 11, 29):
        c, w = _reference(tdb[i], twb[i], fac)
        assert abs(k_fac[i, 0] - c @ hw) < 1e-12 and abs(k_w[i, 0] - w @ hw) < 1e-12
    assert np.ptp(site_dew_slope(tdb, twb)) > 0.5  # the sites differ in slope


@pytest.mark.parametrize("exact", [False, True])
def test_same_site_same_numbers_at_any_batch_size(exact):
    fac = Facility(cooling="tower_economizer")
    tdb, twb = _sites(40, seed=4)
    tdb[3], twb[3] = tdb[7], twb[7] - 2.0  # same months, other humidity, other slope
    h = MONTHLY_HOURS
    k_all, w_all = cooling_profile(tdb, twb, h, fac, exact=exact)
    k_one, w_one = cooling_profile(tdb[7], twb[7], h, fac, exact=exact)
    perm = np.random.default_rng(0).permutation(40)
    k_p, w_p = cooling_profile(tdb[perm], twb[perm], h, fac, chunk_rows=7, exact=exact)
    assert k_one[0, 0] == k_all[7, 0] and w_one[0, 0] == w_all[7, 0]
    assert np.array_equal(k_p, k_all[perm]) and np.array_equal(w_p, w_all[perm])


def test_table_is_memoized_per_parameter_set():
    a = response_table(Facility(cooling="hybrid"))
    assert response_table(Facility(cooling="hybrid", building_embodied_t_per_mw=5.0)) is a
    assert response_table(Facility(cooling="hybrid", supply_c=25.0)) is not a


def test_warming_shift_is_a_new_lookup():
    # shifting dry- and wet-bulb by d: a new slope and new days, within the bound of the
    # exact path at the shifted climate
    fac = Facility(cooling="direct_to_chip")
    tdb, twb = _climates(12 * 50, seed=2)
    tdb, twb = tdb.reshape(50, 12), twb.reshape(50, 12)
    h = np.full(12, 730.0)
    k, w = cooling_profile(tdb, twb, h, fac, delta_c=(0.0, 1.5))
    ke, we = cooling_profile(tdb, twb, h, fac, delta_c=(0.0, 1.5), exact=True)
    assert np.max(np.abs(k - ke)) < 1e-3 and np.max(np.abs(w - we)) < 0.005
