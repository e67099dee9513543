"""Dry cooling: dry coolers / closed-loop liquid with air-cooled chiller trim, no water.

Plant: :func:`siting.physics.pue.dry_plant`; no on-site water.
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
from siting.physics import pue as _pue


def _preset(supply: Param, return_: Param) -> dict[str, Param]:
    return {
        "supply_c": supply,
        "return_c": return_,
        "dry_approach_c": Param(6.0, "K", _A + ": dry-cooler approach to ambient dry-bulb"),
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
    "carnot_fraction_air": (0.05, 1.0),
    "dry_cooler_fan_kw_per_kw": (0.0, 0.2),
}


def plant(
    dry_bulb_c: np.ndarray, wet_bulb_c: np.ndarray, params: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Cooling electricity per unit heat from the dry-bulb [C]; water 0 (NaN where unknown)."""
    p = params
    out = _pue.dry_plant(
        dry_bulb_c,
        supply_c=p["supply_c"],
        return_c=p["return_c"],
        dry_approach_c=p["dry_approach_c"],
        carnot_fraction_air=p["carnot_fraction_air"],
        fan_pump_fraction=p["fan_pump_fraction"],
        dry_cooler_fan_kw_per_kw=p["dry_cooler_fan_kw_per_kw"],
    )
    one_plus_c = 1.0 + out["cooling_kw_per_kw_heat"]
    return one_plus_c, np.where(np.isnan(one_plus_c), np.nan, 0.0)


DRY = CoolingDesign(
    name="dry",
    description="dry coolers / closed-loop liquid with air-cooled chiller trim, no water",
    parameters=PARAMETERS,
    ranges=RANGES,
    plant=plant,
    ordered_pairs=(("supply_c", "return_c"),),
)
