"""Response table of the hourly designs against the exact within-month samples."""

from __future__ import annotations

import numpy as np
import pytest

from siting.model.cooling_table import month_terms, month_terms_exact, response_table
from siting.model.designs import COOLING_DESIGNS
from siting.model.facility import Facility
from siting.model.footprint import cooling_profile
from siting.physics.psychrometrics import wet_bulb_from_rh

HOURLY = [n for n, d in COOLING_DESIGNS.items() if d.hourly]


def _climates(n, seed=0):
    # monthly means: dry-bulb -45..45 C, RH 5-100 % at sea level (psychrometric wet-bulb)
    rng = np.random.default_rng(seed)
    tdb = rng.uniform(-45.0, 45.0, n)
    return tdb, wet_bulb_from_rh(tdb, rng.uniform(5.0, 100.0, n))


@pytest.mark.parametrize("name", HOURLY)
def test_table_error_against_the_exact_path(name):
    fac = Facility(cooling=name)
    tdb, twb = _climates(3000)
    c, w = month_terms(tdb, twb, fac)
    ce, we = month_terms_exact(tdb, twb, fac)
    # stated bound (cooling_table module docstring, docs/method_model.md)
    assert np.max(np.abs(c - ce)) < 1e-3
    dw = np.abs(w - we)
    assert np.all((dw < 0.005) | (dw < 0.01 * np.abs(we)))


def test_outside_the_grid_and_missing_values_take_the_exact_path():
    fac = Facility(cooling="hybrid")
    tdb = np.array([-70.0, 55.0, 30.0, np.nan, 20.0])
    twb = np.array([-71.0, 15.0, -20.0, 10.0, np.nan])  # depressions 1, 40, 50 K: off the grid
    c, w = month_terms(tdb, twb, fac)
    ce, we = month_terms_exact(tdb[:3], twb[:3], fac)
    assert np.array_equal(c[:3], ce) and np.array_equal(w[:3], we)
    assert np.isnan(c[3:]).all() and np.isnan(w[3:]).all()


def test_same_site_same_numbers_at_any_batch_size():
    fac = Facility(cooling="tower_economizer")
    tdb, twb = _climates(12 * 40, seed=4)
    tdb, twb = tdb.reshape(40, 12), twb.reshape(40, 12)
    h = np.full(12, 730.0)
    k_all, w_all = cooling_profile(tdb, twb, h, fac)
    k_one, w_one = cooling_profile(tdb[7], twb[7], h, fac)
    assert k_one[0, 0] == k_all[7, 0] and w_one[0, 0] == w_all[7, 0]


def test_table_is_memoized_per_parameter_set():
    a = response_table(Facility(cooling="hybrid"))
    assert response_table(Facility(cooling="hybrid", building_embodied_t_per_mw=5.0)) is a
    assert response_table(Facility(cooling="hybrid", supply_c=25.0)) is not a


def test_warming_shift_is_a_new_lookup():
    # shifting dry- and wet-bulb by d reads the table at (wet-bulb + d, same depression):
    # within the bound of the exact path at the shifted climate
    fac = Facility(cooling="direct_to_chip")
    tdb, twb = _climates(12 * 50, seed=2)
    tdb, twb = tdb.reshape(50, 12), twb.reshape(50, 12)
    h = np.full(12, 730.0)
    k, w = cooling_profile(tdb, twb, h, fac, delta_c=(0.0, 1.5))
    ke, we = cooling_profile(tdb, twb, h, fac, delta_c=(0.0, 1.5), exact=True)
    assert np.max(np.abs(k - ke)) < 1e-3 and np.max(np.abs(w - we)) < 0.005
