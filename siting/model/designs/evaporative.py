"""Evaporative cooling: cooling towers, water-cooled chillers and a water-side economizer.

Plant: :func:`siting.physics.pue.evaporative_plant`; on-site water from the tower
energy balance (:func:`siting.physics.cooling.tower_water_l_per_kwh_heat`, Lei & Masanet
2022) or the empirical curve of Li et al. (2023) (:func:`siting.physics.cooling.li2023_wue`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from siting.model.designs.base import ASSUMPTION as _A
from siting.model.designs.base import CoolingDesign, Param
from siting.physics import cooling as _cooling
from siting.physics import pue as _pue

# Water-cooled chiller Carnot fraction reproducing ASHRAE 90.1-2019 Table 6.8.1-3 minimum
# full-load efficiency at AHRI 550/590 rating conditions: water-cooled centrifugal
# >= 300 tons, path A: 0.560 kW/ton -> COP = 3.51685/0.560 = 6.280 at 6.67 C (44 F)
# leaving chilled water and 34.6 C leaving condenser water (29.44 C entering + 12000 +
# 0.560*3412.14 Btu/h rejected into 3 gpm/ton = 5.15 K); refrigerant 2 K below the
# leaving chilled water and 2 K above the leaving condenser water (siting.physics.pue
# approaches), as in the plant.
_KW_PER_TON = 3.51685  # kW of cooling per refrigeration ton (12000 Btu/h)
CARNOT_FRACTION_WATER = float(
    _pue.carnot_fraction_from_rating(
        _KW_PER_TON / 0.560,
        6.667,
        29.444 + 5.154,
        evaporator_approach_c=_pue.EVAPORATOR_APPROACH_LIQUID_K,
        condenser_approach_c=_pue.CONDENSER_APPROACH_WATER_K,
    )
)

_SRC_90_1_W = (
    "ASHRAE 90.1-2019 Table 6.8.1-3 (water-cooled centrifugal >=300 t, 0.560 kW/ton) at AHRI "
    "550/590 conditions, refrigerant approaches 2 K -> Carnot fraction"
)
_SRC_LM_APPROACH = "Lei & Masanet (2022) RCR 182:106323: tower approach 2.8-6.7 K (mid-range)"
_SRC_LM_RANGE = "Lei & Masanet (2022) RCR 182:106323: tower range 4-6 K (mid-range)"
_SRC_COC = "Li et al. (2023) arXiv:2304.03271 default S = 6 (Lei & Masanet range 3-15)"
_SRC_DRIFT = (
    "drift eliminator ratings 0.0005-0.005 % of circulating flow (Brentwood; Tower "
    "Components) -> upper value"
)

# parameters shared by both presets
_TOWER = {
    "approach_c": Param(4.0, "K", _SRC_LM_APPROACH),
    "range_c": Param(5.0, "K", _SRC_LM_RANGE),
    "hx_approach_c": Param(1.5, "K", _A + ": economizer plate heat-exchanger approach"),
}
_WATER = {
    "carnot_fraction": Param(CARNOT_FRACTION_WATER, "-", _SRC_90_1_W),
    "cycles_of_concentration": Param(6.0, "-", _SRC_COC),
    "drift_fraction": Param(5e-5, "-", _SRC_DRIFT),
}

PARAMETERS = {
    "hyperscale": {
        "chw_supply_c": Param(17.0, "C", "ASHRAE TC 9.9 liquid-cooling class W17 (<= 17 C)"),
        "chw_return_c": Param(23.0, "C", _A + ": 6 K chilled-water rise"),
        **_TOWER,
        "economizer": Param(True, "-", _A + ": water-side economizer installed"),
        **_WATER,
    },
    "enterprise": {
        "chw_supply_c": Param(6.7, "C", "AHRI 550/590 rating: 44 F leaving chilled water"),
        "chw_return_c": Param(12.2, "C", "AHRI 550/590 rating: 10 F chilled-water rise"),
        **_TOWER,
        "economizer": Param(False, "-", _A + ": typical enterprise plant without economizer"),
        **_WATER,
    },
}

RANGES = {
    "chw_supply_c": (0.0, 45.0),
    "chw_return_c": (0.0, 60.0),
    "approach_c": (0.5, 15.0),
    "range_c": (1.0, 15.0),
    "hx_approach_c": (0.0, 10.0),
    "carnot_fraction": (0.05, 1.0),
    "cycles_of_concentration": (1.01, 50.0),
    "drift_fraction": (0.0, 0.01),
}


def plant(
    dry_bulb_c: np.ndarray, wet_bulb_c: np.ndarray, params: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Cooling electricity and tower water per unit heat, from the wet-bulb [C].

    Without a fixed PUE the towers reject the heat plus the chiller work, so the water
    per kWh of rejected heat is scaled by ``heat_rejected_per_kw_heat``. The curve of
    Li et al. (2023) is already per IT kWh: it is returned as is (no heat factor) and
    the footprint kernel multiplies it by IT energy (:meth:`Facility.water_per_it`).
    """
    p = params
    twb = wet_bulb_c
    out = _pue.evaporative_plant(
        twb,
        chw_supply_c=p["chw_supply_c"],
        chw_return_c=p["chw_return_c"],
        approach_c=p["approach_c"],
        range_c=p["range_c"],
        hx_approach_c=p["hx_approach_c"],
        carnot_fraction=p["carnot_fraction"],
        fan_pump_fraction=p["fan_pump_fraction"],
        economizer=bool(p["economizer"]),
    )
    if p["water_model"] == "li2023":  # L per IT kWh already
        wue = _cooling.li2023_wue(twb, p["cycles_of_concentration"])
        return 1.0 + out["cooling_kw_per_kw_heat"], wue if p["pue"] is None else wue / p["pue"]
    per_heat = _cooling.tower_water_l_per_kwh_heat(
        twb, p["approach_c"], p["range_c"], p["cycles_of_concentration"], p["drift_fraction"]
    )
    if p["pue"] is None:
        per_heat = per_heat * out["heat_rejected_per_kw_heat"]
    return 1.0 + out["cooling_kw_per_kw_heat"], per_heat


EVAPORATIVE = CoolingDesign(
    name="evaporative",
    description="cooling towers + chillers + water-side economizer",
    parameters=PARAMETERS,
    ranges=RANGES,
    plant=plant,
    water_models=("energy_balance", "li2023"),
    ordered_pairs=(("chw_supply_c", "chw_return_c"),),
)
