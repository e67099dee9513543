"""Closed-loop direct-to-chip liquid cooling at warm facility water, plus the air share.

Plant: cold plates take ``liquid_fraction`` of the heat on facility water at
``liquid_supply_c`` (ASHRAE class W32 by default; W40 = 40 C, W45 = 45 C), the rest is
air-cooled by CRAHs on a cooler loop (``supply_c``/``return_c``). Both loops reject
heat on dry coolers, with adiabatic pre-cooling in hot hours when ``hybrid`` is on
(:func:`siting.physics.plants.hybrid_dry_cooler_plant`, the same combination as
:func:`siting.physics.plants.direct_to_chip_plant`). Evaluated on within-month hourly
samples when the climate is monthly. Needs liquid-capable GPUs. The liquid share is
the fleet GPU's (GPU catalog column ``liquid_fraction``: cold plates on GPUs and CPUs
of an 8-GPU server take ~0.6 of system power, a GB200 NVL72 rack ~0.85) unless the
user sets ``Facility(liquid_fraction=...)``; the preset 0.85 applies to a catalog
without the column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from siting.model.designs.base import ASSUMPTION as _A
from siting.model.designs.base import (
    CARNOT_FRACTION_AIR,
    DRY_COOLER_FAN,
    SRC_90_1_AIR,
    CoolingDesign,
    Param,
    gpu_cooling,
)
from siting.physics import plants as _plants

if TYPE_CHECKING:  # pragma: no cover
    from siting.model.fleet import Fleet

_SRC_W32 = "ASHRAE TC 9.9 (2021) liquid-cooling class W32 (facility supply <= 32 C)"
_SRC_FRAC = (
    _A + ": ~85 % of rack heat to cold plates in GB200 NVL72-class racks (Vertiv GB200 "
    "NVL72 reference architecture, 2024)"
)
_SRC_EFF = "ASHRAE HVAC Systems & Equipment (2020) ch. 41: pad effectiveness 70-95 % (mid)"


def _preset() -> dict[str, Param]:
    return {
        "liquid_supply_c": Param(32.0, "C", _SRC_W32),
        "liquid_rise_c": Param(10.0, "K", _A + ": facility-water rise across cold plates"),
        "liquid_fraction": Param(0.85, "-", _SRC_FRAC),
        "supply_c": Param(18.0, "C", _A + ": chilled water of the residual air share"),
        "return_c": Param(24.0, "C", _A + ": 6 K rise of the residual air loop"),
        "dry_approach_c": Param(6.0, "K", _A + ": dry-cooler approach to coil inlet air"),
        "evap_effectiveness": Param(0.85, "-", _SRC_EFF),
        "coil_air_rise_c": Param(10.0, "K", _A + ": air rise across the dry-cooler coil"),
        "carnot_fraction_air": Param(CARNOT_FRACTION_AIR, "-", SRC_90_1_AIR),
        "dry_cooler_fan_kw_per_kw": DRY_COOLER_FAN,
        "hybrid": Param(True, "-", _A + ": adiabatic pre-cooling installed on the dry coolers"),
    }


PARAMETERS = {"hyperscale": _preset(), "enterprise": _preset()}

RANGES = {
    "liquid_supply_c": (17.0, 45.0),
    "liquid_rise_c": (2.0, 20.0),
    "liquid_fraction": (0.0, 1.0),
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
    """``c = f c_liq + (1 - f) c_air`` and ``w = f w_liq + (1 - f) w_air`` per unit heat."""
    p = params
    twb = np.minimum(wet_bulb_c, dry_bulb_c)
    common = dict(
        dry_approach_c=p["dry_approach_c"],
        effectiveness=p["evap_effectiveness"] if p["hybrid"] else 0.0,
        coil_air_rise_c=p["coil_air_rise_c"],
        carnot_fraction_air=p["carnot_fraction_air"],
        fan_pump_fraction=p["fan_pump_fraction"],
        dry_cooler_fan_kw_per_kw=p["dry_cooler_fan_kw_per_kw"],
    )
    t_w = p["liquid_supply_c"]
    liq = _plants.hybrid_dry_cooler_plant(
        dry_bulb_c, twb, supply_c=t_w, return_c=t_w + p["liquid_rise_c"], **common
    )
    air = _plants.hybrid_dry_cooler_plant(
        dry_bulb_c, twb, supply_c=p["supply_c"], return_c=p["return_c"], **common
    )
    f = p["liquid_fraction"]
    c = f * liq["cooling_kw_per_kw_heat"] + (1.0 - f) * air["cooling_kw_per_kw_heat"]
    w = f * liq["water_l_per_kwh_heat"] + (1.0 - f) * air["water_l_per_kwh_heat"]
    return 1.0 + c, w


def _liquid_share_of_gpu(fleet: Fleet) -> dict[str, tuple[Any, str]]:
    """The GPU's share of heat into cold plates (GPU catalog column ``liquid_fraction``)."""
    share = fleet.liquid_fraction
    return {} if share is None else {"liquid_fraction": share}


def _needs_liquid_capable(fleet: Fleet) -> str | None:
    if gpu_cooling(fleet) == "air":
        return f"GPU {fleet.gpu} is air-cooled only (GPU catalog column 'cooling')"
    return None


DIRECT_TO_CHIP = CoolingDesign(
    name="direct_to_chip",
    description=(
        "closed-loop direct-to-chip liquid (W32 facility water) + residual air share, "
        "hybrid dry coolers"
    ),
    parameters=PARAMETERS,
    ranges=RANGES,
    plant=plant,
    ordered_pairs=(("supply_c", "return_c"),),
    infeasibility=_needs_liquid_capable,
    hourly=True,
    fleet_params=_liquid_share_of_gpu,
)
