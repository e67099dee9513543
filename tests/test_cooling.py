"""On-site cooling water against steam tables, hand calculations and physical bounds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.physics import cooling as cl
from siting.physics import pue as pm


@pytest.mark.parametrize(
    ("temp_c", "hfg_kj_per_kg"),
    [
        # Saturated-water tables (IAPWS-IF97), e.g. Cengel & Boles, Thermodynamics,
        # Table A-4: h_fg = 2500.9 kJ/kg at 0.01 C, 2441.7 at 25 C, 2406.0 at 40 C.
        (0.01, 2500.9),
        (25.0, 2441.7),
        (40.0, 2406.0),
    ],
)
def test_latent_heat_fit_matches_steam_tables(temp_c, hfg_kj_per_kg):
    assert cl.latent_heat_vaporization(temp_c) == pytest.approx(hfg_kj_per_kg, rel=1e-3)


def test_evaporating_one_kwh_takes_about_1_47_litres():
    # 3600 kJ / 2441.7 kJ/kg (h_fg at 25 C, steam table) = 1.474 kg = 1.474 L
    e = cl.tower_water_components(wet_bulb_c=16.5, approach_c=4.0, range_c=9.0)["evaporation"]
    # tower water temperature = 16.5 + 4 + 9/2 = 25 C
    assert e == pytest.approx(3600.0 / 2441.7, rel=1e-3)


def test_tower_components_hand_calculation():
    # Twb 20 C, approach 4 K, range 5 K, CoC 6, drift 0.005 % of circulating flow
    t_w = 20.0 + 4.0 + 5.0 / 2.0  # 26.5 C
    h_fg = 2500.5 - 2.3097 * t_w - 0.0013 * t_w**2  # kJ/kg (Lei & Masanet 2022)
    evap = 3600.0 / h_fg  # kg = L per kWh of heat
    circ = 3600.0 / (4.186 * 5.0)  # kg of circulating water per kWh at a 5 K range
    drift = 5e-5 * circ
    blow = evap / (6.0 - 1.0) - drift
    got = cl.tower_water_components(20.0, 4.0, 5.0, 6.0, 5e-5)
    assert got["evaporation"] == pytest.approx(evap, rel=1e-12)
    assert got["drift"] == pytest.approx(drift, rel=1e-12)
    assert got["blowdown"] == pytest.approx(blow, rel=1e-12)
    assert got["makeup"] == pytest.approx(evap + drift + blow, rel=1e-12)


def test_blowdown_never_negative():
    got = cl.tower_water_components(
        20.0, 4.0, 5.0, cycles_of_concentration=50.0, drift_fraction=0.01
    )
    assert got["blowdown"] == 0.0
    assert got["makeup"] == pytest.approx(got["evaporation"] + got["drift"])


@settings(max_examples=200, deadline=None)
@given(
    twb=st.floats(0.0, 30.0),
    approach=st.floats(2.8, 6.7),  # Lei & Masanet (2022) typical ranges
    rng=st.floats(4.0, 6.0),
    coc=st.floats(3.0, 15.0),
)
def test_tower_water_per_kwh_heat_within_1_5_to_2_5_litres(twb, approach, rng, coc):
    # bound: ~1.47 L evaporates per kWh of heat; with blowdown for CoC 3-15 the
    # makeup stays within about 1.5-2.5 L per kWh of heat.
    w = cl.tower_water_l_per_kwh_heat(twb, approach, rng, coc, 5e-5)
    assert 1.45 <= w <= 2.5


def test_li2023_curve_at_60f_s6_is_3_792():
    # Li, Yang, Islam & Ren (2023) arXiv:2304.03271: WUE = S/(S-1) (6e-5 Tw^3 - 0.01 Tw^2
    # + 0.61 Tw - 10.4), Tw in F. Hand calculation at Tw = 60 F, S = 6:
    #   6e-5*216000 = 12.96; -0.01*3600 = -36; 0.61*60 = 36.6; -10.4 -> 3.16
    #   3.16 * 6/5 = 3.792 L/kWh
    tw_c = (60.0 - 32.0) * 5.0 / 9.0
    assert cl.li2023_wue(tw_c, 6.0) == pytest.approx(3.792, abs=1e-9)


def test_li2023_curve_clipped_at_0_05():
    # at -4 F (-20 C) the cubic is negative: 6e-5*(-64) - 0.01*16 - 2.44 - 10.4 < 0
    assert cl.li2023_wue(-20.0) == pytest.approx(0.05)


def test_li2023_against_physical_tower_model():
    """Cross-check (documented in docs/method_model.md, 'Li et al. curve').

    The energy balance evaporates ~1.47 L per kWh of heat whatever the weather; only
    h_fg and the chiller heat move it. The Li et al. (2023) empirical curve rises steeply
    with wet-bulb. At 60 F (15.6 C) and S = 6 they differ by about a factor two.
    """
    twb = np.array([40.0, 60.0, 80.0])
    twb_c = (twb - 32.0) * 5.0 / 9.0
    li = cl.li2023_wue(twb_c, 6.0)
    plant = pm.evaporative_plant(
        twb_c,
        chw_supply_c=17.0,
        chw_return_c=23.0,
        approach_c=4.0,
        range_c=5.0,
        hx_approach_c=1.5,
        carnot_fraction=0.63,
        fan_pump_fraction=0.05,
    )
    phys = (
        cl.tower_water_l_per_kwh_heat(twb_c, 4.0, 5.0, 6.0, 5e-5)
        * plant["heat_rejected_per_kw_heat"]
    )
    # both positive, same order of magnitude at 60 F
    assert np.all(li > 0) and np.all(phys > 0)
    assert 1.5 <= li[1] / phys[1] <= 2.5
    # the empirical curve triples from 40 F to 80 F; the energy balance moves < 15 %
    assert li[2] / li[0] > 2.5
    assert phys[2] / phys[0] < 1.15


def test_direct_evaporative_hand_calculation():
    # 32 C outside, 20 C wet-bulb, supply 27 C, effectiveness 0.85, air rise 12 K:
    # pad could reach 32 - 0.85*12 = 21.8 C < 27, so the air is cooled by only 5 K;
    # m_air = 3600 / (1.006*12) kg per kWh; water = m_air*1.006*5 / h_fg(20 C)
    h_fg = 2500.5 - 2.3097 * 20.0 - 0.0013 * 400.0
    expected = 3600.0 * 5.0 / (12.0 * h_fg)
    got = cl.direct_evaporative_water_l_per_kwh_heat(32.0, 20.0, 27.0, 0.85, 12.0)
    assert got == pytest.approx(expected, rel=1e-12)


def test_direct_evaporative_no_water_when_outside_air_is_cool_enough():
    assert cl.direct_evaporative_water_l_per_kwh_heat(25.0, 18.0, 27.0) == 0.0


def test_water_never_negative():
    twb = np.linspace(-30, 35, 50)
    assert np.all(cl.tower_water_l_per_kwh_heat(twb) >= 0)
    assert np.all(cl.li2023_wue(twb) >= 0.05)
    assert np.all(cl.direct_evaporative_water_l_per_kwh_heat(twb + 10, twb, 27.0) >= 0)
