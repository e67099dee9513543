"""Cooling towers with a water-side economizer and Merkel tower evaporation.

Plant: :func:`siting.physics.plants.tower_economizer_plant`: the electricity of the
``evaporative`` design, with the tower water from the Merkel model
(:func:`siting.physics.tower.tower_evaporation_l_per_kwh_heat`), whose latent share
falls in cold air (the all-latent balance of ``evaporative`` is its upper bound).
The plant's water already includes the chiller heat the towers reject. Evaluated on
within-month hourly samples when the climate is monthly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from siting.model.designs.base import ASSUMPTION as _A
from siting.model.designs.base import CoolingDesign, Param
from siting.model.designs.evaporative import PARAMETERS as _EVAP
from siting.model.designs.evaporative import RANGES as _EVAP_RANGES
from siting.physics import plants as _plants

_SRC_LG = (
    _A + ": tower water/air mass-flow ratio L/G 1.2 (typical 0.75-1.5, "
    "Kloppers & Kroger 2005 Int. J. Heat Mass Transfer 48:765)"
)


def _preset(name: str) -> dict[str, Param]:
    p = {k: v for k, v in _EVAP[name].items() if k != "economizer"}
    p["l_over_g"] = Param(1.2, "-", _SRC_LG)
    return p


PARAMETERS = {"hyperscale": _preset("hyperscale"), "enterprise": _preset("enterprise")}

RANGES = {**_EVAP_RANGES, "l_over_g": (0.3, 3.0)}


def plant(
    dry_bulb_c: np.ndarray, wet_bulb_c: np.ndarray, params: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Cooling electricity and tower makeup water per unit heat (chiller heat included)."""
    p = params
    out = _plants.tower_economizer_plant(
        dry_bulb_c,
        np.minimum(wet_bulb_c, dry_bulb_c),
        chw_supply_c=p["chw_supply_c"],
        chw_return_c=p["chw_return_c"],
        approach_c=p["approach_c"],
        range_c=p["range_c"],
        hx_approach_c=p["hx_approach_c"],
        carnot_fraction=p["carnot_fraction"],
        fan_pump_fraction=p["fan_pump_fraction"],
        l_over_g=p["l_over_g"],
        cycles_of_concentration=p["cycles_of_concentration"],
        drift_fraction=p["drift_fraction"],
    )
    return 1.0 + out["cooling_kw_per_kw_heat"], out["water_l_per_kwh_heat"]


TOWER_ECONOMIZER = CoolingDesign(
    name="tower_economizer",
    description="cooling towers (Merkel evaporation) + chillers + water-side economizer",
    parameters=PARAMETERS,
    ranges=RANGES,
    plant=plant,
    ordered_pairs=(("chw_supply_c", "chw_return_c"),),
    hourly=True,
)
