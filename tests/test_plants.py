"""AI-campus cooling plants: physical bounds, orderings and hand calculations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.model import CARNOT_FRACTION_AIR, CARNOT_FRACTION_WATER
from siting.physics import plants as P
from siting.physics.cooling import tower_water_l_per_kwh_heat
from siting.physics.psychrometrics import wet_bulb_from_dew_point, wet_bulb_from_rh

FAN = 0.05
AIR = dict(carnot_fraction_air=CARNOT_FRACTION_AIR, fan_pump_fraction=FAN)
DESIGNS = {
    "air_economizer": lambda t, w: P.air_economizer_plant(t, w, **AIR),
    "tower_economizer": lambda t, w: P.tower_economizer_plant(
        t, w, carnot_fraction=CARNOT_FRACTION_WATER, fan_pump_fraction=FAN
    ),
    "hybrid": lambda t, w: P.hybrid_dry_cooler_plant(t, w, supply_c=18.0, return_c=24.0, **AIR),
    "dtc_w32_hybrid": lambda t, w: P.direct_to_chip_plant(t, w, liquid_class="W32", **AIR),
    "dtc_w45_dry": lambda t, w: P.direct_to_chip_plant(
        t, w, liquid_class="W45", hybrid=False, **AIR
    ),
}


def test_humidity_limits_hand_values():
    # dew point 15 C: p_ws = 1705.6 Pa -> W = 0.621945 x 1705.6 / (101325 - 1705.6) = 0.010648
    # RH 60 % at 27 C: p_w = 0.6 x 3567 = 2140 Pa -> W = 0.01335 (larger: dew point binds)
    w_min, w_max = P.supply_air_humidity_limits(27.0)
    assert abs(float(w_max) - 0.010648) < 2e-5
    # dew point -9 C over ice: p_ws = 284.2 Pa -> W = 0.001749
    assert abs(float(w_min) - 0.001749) < 2e-5


def test_a1_allowable_limits_hand_values():
    # dew point 17 C: p_ws = 1938.0 Pa (ASHRAE Fundamentals ch. 1 table) -> W = 0.012128
    # RH 8 % at 27 C: 0.08 x 3567 = 285.4 Pa -> W = 0.001757, above dew -12 C (ice,
    # p_ws = 217.6 Pa -> W = 0.001339): the RH floor binds at 27 C supply air
    w_min, w_max = P.supply_air_humidity_limits(
        27.0, max_dew_point_c=17.0, max_rh_pct=80.0, min_dew_point_c=-12.0, min_rh_pct=8.0
    )
    assert abs(float(w_max) - 0.012128) < 2e-5
    assert abs(float(w_min) - 0.001757) < 2e-5


def test_pad_bleed_off_hand_calc():
    # same point as the evaporative-assist case (0.976 L/kWh evaporated); at S = 6 cycles
    # the bleed-off E / (S - 1) adds a fifth: 0.976 x 6 / 5 = 1.171 L/kWh
    out = P.air_economizer_plant(35.0, 18.0, pad_cycles_of_concentration=6.0, **AIR)
    assert abs(float(out["water_l_per_kwh_heat"]) / 1.171 - 1.0) < 0.02
    # nothing is bled where nothing evaporates (humid air refused)
    twb = float(wet_bulb_from_rh(28.0, 80.0))
    out = P.air_economizer_plant(28.0, twb, pad_cycles_of_concentration=6.0, **AIR)
    assert float(out["water_l_per_kwh_heat"]) == 0.0


def test_air_economizer_evaporative_assist_hand_calc():
    # 35 C, 18 C wet-bulb: the pad (eps 0.85) could reach 20.6 C; it stops at 27 C supply.
    # Air per kWh: 3600 / (1.006 x 12) = 298.2 kg; water = 298.2 x 1.006 x 8 / h_fg(18)
    # with h_fg(18) = 2500.5 - 41.57 - 0.42 = 2458.5 kJ/kg -> 0.976 L/kWh (moist c_p adds ~1 %)
    out = P.air_economizer_plant(35.0, 18.0, **AIR)
    assert abs(float(out["water_l_per_kwh_heat"]) / 0.976 - 1.0) < 0.02
    assert float(out["mechanical_fraction"]) == 0.0
    assert abs(float(out["cooling_kw_per_kw_heat"]) - FAN) < 1e-12


def test_tropical_air_gets_no_free_cooling():
    # 28 C, RH 80 %: dew point ~24 C, above the 15 C limit -> recirculation + compressors
    twb = float(wet_bulb_from_rh(28.0, 80.0))
    out = P.air_economizer_plant(28.0, twb, **AIR)
    assert bool(out["humid"]) and float(out["mechanical_fraction"]) == 1.0
    assert float(out["water_l_per_kwh_heat"]) == 0.0
    # refrigerant from 15 - 5 = 10 C (DX coil approach) to 28 + 16.667 = 44.667 C (ITD):
    # 34.667 / (eta x 283.15)
    want = 34.6667 / (CARNOT_FRACTION_AIR * 283.15)
    assert float(out["chiller_kw_per_kw_heat"]) == pytest.approx(want, rel=1e-5)


def test_cool_air_is_free_and_dry():
    out = P.air_economizer_plant(10.0, float(wet_bulb_from_rh(10.0, 50.0)), **AIR)
    assert float(out["mechanical_fraction"]) == 0.0
    assert float(out["water_l_per_kwh_heat"]) == 0.0


def test_dry_winter_air_is_humidified_on_the_outside_air_share():
    # -20 C, dew -25 C: W = 0.000388 (ice, p_ws(-25) = 63.3 Pa); W_min(-9 C dew) = 0.001749.
    # Outside-air share 12 / (39 + 20) = 0.2034; air 298.2 kg -> 0.2034 x 298.2 x 0.001361
    twb = float(wet_bulb_from_dew_point(-20.0, -25.0))
    w = float(P.air_economizer_plant(-20.0, twb, **AIR)["water_l_per_kwh_heat"])
    assert abs(w / (0.2034 * 298.2 * (0.001749 - 0.000388)) - 1.0) < 0.03


def test_closed_dry_loop_uses_no_water():
    t = np.linspace(-30, 50, 33)
    out = DESIGNS["dtc_w45_dry"](t, t - 5.0)
    assert np.all(out["water_l_per_kwh_heat"] == 0.0)


def test_hybrid_uses_water_only_when_dry_coolers_fall_short():
    # supply 18 C, approach 6 K: dry up to 12 C dry-bulb
    out = P.hybrid_dry_cooler_plant(
        np.array([10.0, 20.0]), np.array([8.0, 12.0]), supply_c=18.0, return_c=24.0, **AIR
    )
    assert out["water_l_per_kwh_heat"][0] == 0.0
    # 20 C: pad needed to 12 C; reaches 20 - 0.85 x 8 = 13.2 C; coil air 3600/(1.006 x 10)
    # = 357.9 kg -> 357.9 x 1.006 x 6.8 / h_fg(12) (2472.6) = 0.990 L/kWh, x (1 + chiller)
    m = (13.2 + 6.0 - 18.0) / 6.0
    # refrigerant 18 - 2 = 16 C to the pad-cooled air 13.2 + 16.667 C (condenser ITD)
    chiller = m * (13.2 + 16.6667 - 16.0) / (CARNOT_FRACTION_AIR * 289.15)
    assert abs(out["water_l_per_kwh_heat"][1] / (0.990 * (1 + chiller)) - 1.0) < 0.01


def test_tower_plant_is_under_the_all_latent_balance():
    twb = np.linspace(-10, 30, 21)
    out = DESIGNS["tower_economizer"](twb + 5.0, twb)
    upper = tower_water_l_per_kwh_heat(twb, 4.0, 5.0, 6.0, 5e-5) * (
        1.0 + out["chiller_kw_per_kw_heat"]
    )
    assert np.all(out["water_l_per_kwh_heat"] <= upper + 1e-12)


def test_liquid_fraction_is_checked():
    with pytest.raises(ValueError, match="liquid_class"):
        P.direct_to_chip_plant(20.0, 15.0, liquid_class="W99", **AIR)
    with pytest.raises(ValueError, match="liquid_fraction"):
        P.direct_to_chip_plant(20.0, 15.0, liquid_fraction=1.5, **AIR)


def test_annual_pue_wue_hand_calc():
    # two half-years: c = 0.1 and 0.3, water 0 and 1 L/kWh heat; L = 1, heat = 1.03
    pue, wue = P.annual_pue_wue(
        np.array([0.1, 0.3]),
        np.array([0.0, 1.0]),
        np.array([4380.0, 4380.0]),
        load_fraction=1.0,
        dist_loss_proportional=0.02,
        dist_loss_fixed=0.005,
        misc_fixed=0.005,
    )
    assert abs(pue - 1.03 * 1.2) < 1e-12 and abs(wue - 1.03 * 0.5) < 1e-12


climates = st.tuples(st.floats(-25.0, 48.0), st.floats(-30.0, 28.0))


@pytest.mark.parametrize("design", sorted(DESIGNS))
@settings(max_examples=60, deadline=None)
@given(c=climates, dt=st.floats(0.05, 10.0))
def test_orderings_and_bounds(design, c, dt):
    tdb, dew = c
    dew = min(dew, tdb)
    f = DESIGNS[design]
    wb1 = float(wet_bulb_from_dew_point(tdb, dew))
    wb2 = float(wet_bulb_from_dew_point(tdb + dt, dew))  # same humidity ratio, warmer
    a, b = f(tdb, wb1), f(tdb + dt, wb2)
    for o in (a, b):
        assert float(o["water_l_per_kwh_heat"]) >= 0.0
        assert float(o["cooling_kw_per_kw_heat"]) >= 0.0  # PUE >= 1
        assert 0.0 <= float(o["mechanical_fraction"]) <= 1.0
    tol = 1e-9
    assert float(b["water_l_per_kwh_heat"]) >= float(a["water_l_per_kwh_heat"]) - tol
    assert float(b["cooling_kw_per_kw_heat"]) >= float(a["cooling_kw_per_kw_heat"]) - tol
    # higher wet-bulb at the same dry-bulb never lowers PUE
    dew2 = min(dew + dt, tdb)
    c2 = f(tdb, float(wet_bulb_from_dew_point(tdb, dew2)))
    assert float(c2["cooling_kw_per_kw_heat"]) >= float(a["cooling_kw_per_kw_heat"]) - tol
