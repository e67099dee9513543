"""Adiabatic cooling: direct air-side economizer with evaporative assist and DX trim.

Plant: :func:`siting.physics.pue.adiabatic_plant`, the air-economizer plant
(:func:`siting.physics.plants.air_economizer_plant`) with its ASHRAE TC 9.9 supply-air
humidity envelope: outside air too humid is refused (compressors, no free cooling in
the tropics). Legacy design: evaluated on the monthly climate as given (no within-month
hourly samples), not an ``auto`` candidate; ``air_economizer`` is the same plant on
hourly samples.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from siting.model.designs.base import ASSUMPTION as _A
from siting.model.designs.base import (
    CARNOT_FRACTION_AIR,
    CONDENSER_ITD,
    SRC_90_1_AIR,
    CoolingDesign,
    Param,
    air_only_infeasibility,
)
from siting.physics import pue as _pue

_SRC_EFFECTIVENESS = (
    "ASHRAE HVAC Systems & Equipment ch. 41: direct evaporative saturation "
    "effectiveness 70-95 % (mid-range)"
)
_SRC_ENV = "ASHRAE TC 9.9 (2021) Thermal Guidelines, recommended envelope"


def _preset(supply_air: Param) -> dict[str, Param]:
    return {
        "supply_air_c": supply_air,
        "evap_effectiveness": Param(0.85, "-", _SRC_EFFECTIVENESS),
        "air_delta_t_c": Param(12.0, "K", _A + ": air temperature rise across IT"),
        "carnot_fraction_air": Param(CARNOT_FRACTION_AIR, "-", SRC_90_1_AIR),
        "condenser_approach_c": CONDENSER_ITD,
        "max_dew_point_c": Param(15.0, "C", _SRC_ENV + ": dew point <= 15 C"),
        "max_rh_pct": Param(60.0, "%", _SRC_ENV + ": RH <= 60 %"),
        "min_dew_point_c": Param(-9.0, "C", _SRC_ENV + ": dew point >= -9 C"),
    }


PARAMETERS = {
    "hyperscale": _preset(
        Param(27.0, "C", "ASHRAE TC 9.9 (2021) recommended inlet 18-27 C: upper")
    ),
    "enterprise": _preset(Param(22.0, "C", _A + ": conservative supply air within ASHRAE 18-27 C")),
}

RANGES = {
    "supply_air_c": (10.0, 45.0),
    "evap_effectiveness": (0.0, 1.0),
    "air_delta_t_c": (1.0, 40.0),
    "carnot_fraction_air": (0.05, 1.0),
    "condenser_approach_c": (0.0, 30.0),
    "max_dew_point_c": (-10.0, 30.0),
    "max_rh_pct": (10.0, 100.0),
    "min_dew_point_c": (-40.0, 15.0),
}


def plant(
    dry_bulb_c: np.ndarray, wet_bulb_c: np.ndarray, params: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Cooling electricity and pad/humidifier water per unit heat, from dry- and wet-bulb [C]."""
    p = params
    out = _pue.adiabatic_plant(
        dry_bulb_c,
        wet_bulb_c,
        supply_air_c=p["supply_air_c"],
        effectiveness=p["evap_effectiveness"],
        air_delta_t_c=p["air_delta_t_c"],
        carnot_fraction_air=p["carnot_fraction_air"],
        fan_pump_fraction=p["fan_pump_fraction"],
        condenser_approach_c=p["condenser_approach_c"],
        max_dew_point_c=p["max_dew_point_c"],
        max_rh_pct=p["max_rh_pct"],
        min_dew_point_c=p["min_dew_point_c"],
    )
    return 1.0 + out["cooling_kw_per_kw_heat"], out["water_l_per_kwh_heat"]


ADIABATIC = CoolingDesign(
    name="adiabatic",
    description="direct air-side economizer with evaporative assist and DX trim",
    parameters=PARAMETERS,
    ranges=RANGES,
    plant=plant,
    infeasibility=air_only_infeasibility,
    air_only=True,
    # superseded by air_economizer (humidity envelope, hourly samples): not chosen by auto
    auto_candidate=False,
)
