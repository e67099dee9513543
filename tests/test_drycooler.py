"""Dry-cooler fan law: hand calculations, caps and monotonicity (plants and designs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.model import CARNOT_FRACTION_AIR, Facility
from siting.physics import plants as P
from siting.physics import pue as PUE
from siting.physics.drycooler import (
    RATED_FAN_KW_PER_KW,
    RATED_ITD_C,
    dry_cooler_airflow_ratio,
    dry_cooler_fan_kw_per_kw_heat,
)

AIR = dict(carnot_fraction_air=CARNOT_FRACTION_AIR, fan_pump_fraction=0.05)


def test_rated_fan_power_from_ashrae_90_1_by_hand():
    # 176,000 Btu/h per hp: 176,000 / 3412.14 = 51.581 kW per 0.7457 kW -> 0.014457
    assert RATED_FAN_KW_PER_KW == pytest.approx(0.014457, rel=1e-4)
    assert RATED_ITD_C == pytest.approx(16.667, abs=1e-3)  # (125 - 95) F / 1.8


def test_approach_halved_is_eight_times_the_fan_power():
    # design ITD 12 K; air at ITD 24 K needs half the design airflow -> 1/8 the power;
    # at the design ITD the fans are at maximum: k = 0.014457 x 16.667 / 12 = 0.020079
    k = dry_cooler_fan_kw_per_kw_heat(np.array([33.0, 33.0]), np.array([9.0, 21.0]), 12.0)
    assert k[1] == pytest.approx(0.020079, rel=1e-4)
    assert k[1] / k[0] == pytest.approx(8.0, rel=1e-12)


def test_airflow_is_capped_at_the_design_maximum():
    # air warmer than the design point (ITD 12 -> 6 K, or even above the fluid): the
    # fans cannot go past maximum airflow; the rest is pads and chillers
    r = dry_cooler_airflow_ratio(33.0, np.array([21.0, 27.0, 40.0, np.nan]), 12.0)
    assert np.array_equal(r[:3], [1.0, 1.0, 1.0]) and np.isnan(r[3])
    k = dry_cooler_fan_kw_per_kw_heat(33.0, np.array([27.0, 40.0]), 12.0)
    assert np.allclose(k, RATED_FAN_KW_PER_KW * RATED_ITD_C / 12.0)


def test_larger_design_itd_means_fewer_units_and_less_fan_power():
    # bank sized at the rated face velocity: k_design ~ 1 / ITD_design
    k16 = dry_cooler_fan_kw_per_kw_heat(40.0, 24.0, 16.0)
    k12 = dry_cooler_fan_kw_per_kw_heat(40.0, 28.0, 12.0)
    assert k12 / k16 == pytest.approx(16.0 / 12.0, rel=1e-12)


def test_hybrid_plant_fan_by_hand():
    # loop 27/33 C, approach 6 K: design ITD 12 K, maximum airflow from 21 C air on.
    # 5 C air: ITD 28 K -> fan 0.020079 x (12/28)^3 = 0.0015806; no chiller, no water
    out = P.hybrid_dry_cooler_plant(
        np.array([5.0, 30.0]), np.array([2.0, 26.0]), supply_c=27.0, return_c=33.0, **AIR
    )
    assert out["fan_kw_per_kw_heat"][0] == pytest.approx(0.0015806, rel=1e-4)
    assert out["cooling_kw_per_kw_heat"][0] == pytest.approx(0.05 + 0.0015806, rel=1e-5)
    assert out["water_l_per_kwh_heat"][0] == 0.0
    # 30 C / 26 C: pads to 30 - 0.85 x 4 = 26.6 C > 21 C: fans at maximum, chillers trim
    assert out["fan_kw_per_kw_heat"][1] == pytest.approx(0.020079, rel=1e-4)
    m = (26.6 + 6.0 - 27.0) / 6.0
    # refrigerant 27 - 2 = 25 C to the pad-cooled air 26.6 + 16.667 C (condenser ITD)
    chiller = m * (26.6 + 16.6667 - 25.0) / (CARNOT_FRACTION_AIR * 298.15)
    total = 0.05 + 0.020079 + chiller
    assert out["cooling_kw_per_kw_heat"][1] == pytest.approx(total, rel=1e-4)


def test_dry_plant_shares_the_fan_law():
    t = np.linspace(-30.0, 45.0, 31)
    dry = PUE.dry_plant(t, supply_c=27.0, return_c=33.0, dry_approach_c=6.0, **AIR)
    hyb = P.hybrid_dry_cooler_plant(
        t, t - 3.0, supply_c=27.0, return_c=33.0, effectiveness=0.0, **AIR
    )
    assert np.allclose(dry["cooling_kw_per_kw_heat"], hyb["cooling_kw_per_kw_heat"])
    assert np.all(hyb["water_l_per_kwh_heat"] == 0.0)  # closed dry loop: no water


def test_fan_law_off_leaves_the_fixed_share():
    out = P.direct_to_chip_plant(-10.0, -12.0, dry_cooler_fan_kw_per_kw=0.0, **AIR)
    assert float(out["cooling_kw_per_kw_heat"]) == pytest.approx(0.05, abs=1e-15)


# Closed loops only: for humidity-limited air designs (adiabatic) a higher dry-bulb at
# the same wet-bulb is drier air that the envelope may admit again (lower PUE, rightly);
# their property at the same humidity ratio is in tests/test_validation_cooling.py.
_DESIGNS = ("hybrid", "direct_to_chip", "dry")


@pytest.mark.parametrize("name", _DESIGNS)
@settings(max_examples=80, deadline=None)
@given(tdb=st.floats(-30.0, 45.0), dep=st.floats(0.5, 20.0), up=st.floats(0.1, 10.0))
def test_higher_dry_bulb_at_same_wet_bulb_never_lowers_pue(name, tdb, dep, up):
    # drier and hotter air at the same wet-bulb: dry coolers see warmer air (more fan,
    # more chiller); pads reach (1 - eps) T_db + eps T_wb, also warmer
    fac = Facility(cooling=name)
    twb = np.array([tdb - dep])
    c0, _ = fac.period_terms(np.array([tdb]), twb)
    c1, _ = fac.period_terms(np.array([tdb + up]), twb)
    assert c1[0] >= c0[0] - 1e-9
    assert c0[0] >= 1.0


@settings(max_examples=80, deadline=None)
@given(t_air=st.floats(-40.0, 60.0), up=st.floats(0.01, 20.0), itd=st.floats(1.0, 30.0))
def test_fan_power_never_falls_with_warmer_air_and_never_exceeds_design(t_air, up, itd):
    k0 = float(dry_cooler_fan_kw_per_kw_heat(35.0, t_air, itd))
    k1 = float(dry_cooler_fan_kw_per_kw_heat(35.0, t_air + up, itd))
    k_max = RATED_FAN_KW_PER_KW * RATED_ITD_C / itd
    assert 0.0 < k0 <= k1 + 1e-15 and k1 <= k_max * (1 + 1e-12)
