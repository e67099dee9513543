"""Hybrid dry coolers: closed fluid loop, adiabatic pre-cooling in the hottest hours.

Plant: :func:`siting.physics.plants.hybrid_dry_cooler_plant`. Pads wet the coil inlet
air only when the dry coolers alone cannot hold the loop supply temperature; air-cooled
chillers trim the rest. Evaluated on within-month hourly samples when the climate is
monthly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from siting.model.designs.base import ASSUMPTION as _A
from siting.model.designs.base import (
    CARNOT_FRACTION_AIR,
    DRY_COOLER_FAN,
    SRC_90_1_AIR,
    CoolingDesign,
    Param,
)
from siting.physics import plants as _plants

_SRC_EFF = (
    "ASHRAE HVAC Systems & Equipment (2020) ch. 41: evaporative pad saturation "
    "effectiveness 70-95 % (mid-range)"
)


def _preset(supply: Param, return_: Param) -> dict[str, Param]:
    return {
        "supply_c": supply,
        "return_c": return_,
        "dry_approach_c": Param(6.0, "K", _A + ": dry-cooler approach to coil inlet air"),
        "evap_effectiveness": Param(0.85, "-", _SRC_EFF),
        "coil_air_rise_c": Param(10.0, "K", _A + ": air rise across the dry-cooler coil"),
        "carnot_fraction_air": Param(CARNOT_FRACTION_AIR, "-", SRC_90_1_AIR),
        "dry_cooler_fan_kw_per_kw": DRY_COOLER_FAN,
    }


PARAMETERS = {
    "hyperscale": _preset(
        Param(27.0, "C", "ASHRAE TC 9.9 liquid-cooling class W27 (<= 27 C)"),
        Param(33.0, "C", _A + ": 6 K facility-water rise"),
    ),
    "enterprise": _preset(
        Param(12.0, "C", _A + ": chilled water with free-cooling dry coolers"),
        Param(18.0, "C", _A + ": 6 K chilled-water rise"),
    ),
}

RANGES = {
    "supply_c": (0.0, 60.0),
    "return_c": (0.0, 70.0),
    "dry_approach_c": (0.0, 30.0),
    "evap_effectiveness": (0.0, 1.0),
    "coil_air_rise_c": (1.0, 30.0),
    "carnot_fraction_air": (0.05, 1.0),
    "dry_cooler_fan_kw_per_kw": (0.0, 0.2),
}


def plant(
    dry_bulb_c: np.ndarray, wet_bulb_c: np.ndarray, params: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Cooling electricity and pad water per unit heat (NaN where unknown)."""
    p = params
    out = _plants.hybrid_dry_cooler_plant(
        dry_bulb_c,
        np.minimum(wet_bulb_c, dry_bulb_c),
        supply_c=p["supply_c"],
        return_c=p["return_c"],
        dry_approach_c=p["dry_approach_c"],
        effectiveness=p["evap_effectiveness"],
        coil_air_rise_c=p["coil_air_rise_c"],
        carnot_fraction_air=p["carnot_fraction_air"],
        fan_pump_fraction=p["fan_pump_fraction"],
        dry_cooler_fan_kw_per_kw=p["dry_cooler_fan_kw_per_kw"],
    )
    return 1.0 + out["cooling_kw_per_kw_heat"], out["water_l_per_kwh_heat"]


HYBRID = CoolingDesign(
    name="hybrid",
    description="dry coolers with adiabatic pre-cooling in hot hours + air-cooled chiller trim",
    parameters=PARAMETERS,
    ranges=RANGES,
    plant=plant,
    ordered_pairs=(("supply_c", "return_c"),),
    hourly=True,
)
