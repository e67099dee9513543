"""Air-side economizer with evaporative assist, supply-air humidity envelope and DX trim.

Plant: :func:`siting.physics.plants.air_economizer_plant`. Outside air is admitted only
inside the ASHRAE TC 9.9 recommended humidity envelope; too humid air means
recirculation with compressors (no free cooling in the tropics). Evaluated on
within-month hourly samples (:func:`siting.physics.hourly.hourly_samples`) when the
climate is monthly. Air-only: refuses liquid-cooled GPUs.
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
from siting.physics import plants as _plants

_SRC_EFF = (
    "ASHRAE HVAC Systems & Equipment (2020) ch. 41: direct evaporative saturation "
    "effectiveness 70-95 % (mid-range)"
)
_SRC_REC = "ASHRAE TC 9.9 (2021) Thermal Guidelines, recommended envelope"
_SRC_A1 = (
    "ASHRAE TC 9.9 (2021) Thermal Guidelines, class A1 allowable envelope (hyperscale "
    "outside-air designs run in it: Lei & Masanet 2022 case 1 sample the humidity limits "
    "up to dew point 27 C / RH 95 %; LBNL CoE: expect allowable-range hours)"
)
#: Lei & Masanet (2022) RCR 182:106323, calculator case 1 inputs: cycles of concentration
#: 3-15; the tower default of this package (Li et al. 2023, S = 6) lies in that range
_SRC_COC = (
    "assumption inside Lei & Masanet (2022) case 1 range 3-15: S = 6 as the towers "
    "(Li et al. 2023 default)"
)


def _envelope(allowable: bool) -> dict[str, Param]:
    if allowable:
        return {
            "max_dew_point_c": Param(17.0, "C", _SRC_A1 + ": dew point <= 17 C"),
            "max_rh_pct": Param(80.0, "%", _SRC_A1 + ": RH <= 80 %"),
            "min_dew_point_c": Param(-12.0, "C", _SRC_A1 + ": dew point >= -12 C"),
            "min_rh_pct": Param(8.0, "%", _SRC_A1 + ": RH >= 8 %"),
        }
    return {
        "max_dew_point_c": Param(15.0, "C", _SRC_REC + ": dew point <= 15 C"),
        "max_rh_pct": Param(60.0, "%", _SRC_REC + ": RH <= 60 %"),
        "min_dew_point_c": Param(-9.0, "C", _SRC_REC + ": dew point >= -9 C"),
        "min_rh_pct": Param(0.0, "%", _SRC_REC + ": no RH floor"),
    }


def _preset(supply_air: Param, allowable: bool) -> dict[str, Param]:
    return {
        "supply_air_c": supply_air,
        "evap_effectiveness": Param(0.85, "-", _SRC_EFF),
        "air_delta_t_c": Param(12.0, "K", _A + ": air temperature rise across IT"),
        "carnot_fraction_air": Param(CARNOT_FRACTION_AIR, "-", SRC_90_1_AIR),
        "condenser_approach_c": CONDENSER_ITD,
        "cycles_of_concentration": Param(6.0, "-", _SRC_COC),
        **_envelope(allowable),
    }


PARAMETERS = {
    "hyperscale": _preset(Param(27.0, "C", _SRC_REC + ": inlet 18-27 C, upper"), True),
    "enterprise": _preset(Param(22.0, "C", _A + ": conservative supply air within 18-27 C"), False),
}

RANGES = {
    "supply_air_c": (10.0, 45.0),
    "evap_effectiveness": (0.0, 1.0),
    "air_delta_t_c": (1.0, 30.0),
    "carnot_fraction_air": (0.05, 1.0),
    "condenser_approach_c": (0.0, 30.0),
    "max_dew_point_c": (-10.0, 30.0),
    "max_rh_pct": (10.0, 100.0),
    "min_dew_point_c": (-40.0, 15.0),
    "min_rh_pct": (0.0, 60.0),
    "cycles_of_concentration": (1.01, 50.0),
}


def plant(
    dry_bulb_c: np.ndarray, wet_bulb_c: np.ndarray, params: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Cooling electricity and pad/humidifier water per unit heat (NaN where unknown)."""
    p = params
    out = _plants.air_economizer_plant(
        dry_bulb_c,
        wet_bulb_c,
        supply_air_c=p["supply_air_c"],
        air_delta_t_c=p["air_delta_t_c"],
        effectiveness=p["evap_effectiveness"],
        carnot_fraction_air=p["carnot_fraction_air"],
        fan_pump_fraction=p["fan_pump_fraction"],
        condenser_approach_c=p["condenser_approach_c"],
        max_dew_point_c=p["max_dew_point_c"],
        max_rh_pct=p["max_rh_pct"],
        min_dew_point_c=p["min_dew_point_c"],
        min_rh_pct=p["min_rh_pct"],
        pad_cycles_of_concentration=p["cycles_of_concentration"],
    )
    return 1.0 + out["cooling_kw_per_kw_heat"], out["water_l_per_kwh_heat"]


AIR_ECONOMIZER = CoolingDesign(
    name="air_economizer",
    description=(
        "outside-air economizer with evaporative assist inside the ASHRAE humidity "
        "envelope, DX trim (air-cooled IT only)"
    ),
    parameters=PARAMETERS,
    ranges=RANGES,
    plant=plant,
    infeasibility=air_only_infeasibility,
    hourly=True,
    air_only=True,
)
