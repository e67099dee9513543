"""What every cooling design of the registry provides (:class:`CoolingDesign`).

A design is one small object: its name, a one-line description, its parameters per
facility preset (value, unit, source), the allowed override range of each numeric
parameter, whether it suits a fleet, and its plant function. The plant function maps
climate arrays to the two climate-dependent terms the footprint model needs::

    plant(dry_bulb_c, wet_bulb_c, params) -> (one_plus_c, water_l_per_kwh_heat)

``one_plus_c`` is facility power per unit of heat released (1 + cooling electricity per
unit heat [kW/kW]) and ``water_l_per_kwh_heat`` on-site water per kWh of that heat
[L/kWh], both shaped like the broadcast climate arrays, NaN where the climate is
unknown. ``params`` maps every resolved parameter of the facility (the preset's common
parameters such as ``fan_pump_fraction`` and the design's own, user overrides applied)
to its value, plus two facility settings: ``water_model`` (one of the design's
``water_models``) and ``pue`` (a fixed PUE [-], or None when the PUE follows the
climate; with a fixed PUE the heat released already is the facility power).

The physics itself lives in :mod:`siting.physics` (plain vectorized functions); a plant
function only unpacks ``params`` and calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from siting.physics import drycooler as _drycooler
from siting.physics import pue as _pue

if TYPE_CHECKING:  # pragma: no cover
    from siting.model.fleet import Fleet

__all__ = [
    "ASSUMPTION",
    "CARNOT_FRACTION_AIR",
    "CONDENSER_ITD",
    "DRY_COOLER_FAN",
    "SRC_90_1_AIR",
    "CoolingDesign",
    "Param",
    "PlantFunction",
    "air_only_infeasibility",
    "always_feasible",
    "gpu_cooling",
    "no_fleet_params",
]


class Param(NamedTuple):
    """One parameter of a preset: value, unit and source (citation or "assumption ...")."""

    value: Any
    unit: str
    source: str


#: ``(dry_bulb_c, wet_bulb_c, params) -> (one_plus_c, water_l_per_kwh_heat)``, see above.
PlantFunction = Callable[[np.ndarray, np.ndarray, Mapping[str, Any]], tuple[np.ndarray, np.ndarray]]


def always_feasible(fleet: Fleet) -> str | None:
    """Feasibility hook of a design that suits every fleet: no reason against it."""
    return None


def no_fleet_params(fleet: Fleet) -> dict[str, tuple[Any, str]]:
    """Fleet hook of a design none of whose parameters depend on the GPU."""
    return {}


def gpu_cooling(fleet: Fleet) -> str:
    """How the fleet's GPU is cooled: ``air``, ``liquid`` or ``either`` (GPU catalog)."""
    return fleet.gpu_cooling[0]


def air_only_infeasibility(fleet: Fleet) -> str | None:
    """Feasibility hook of an air-only design: liquid-cooled GPUs are refused."""
    if gpu_cooling(fleet) == "liquid":
        from siting.model.designs import COOLING_DESIGNS

        allowed = ", ".join(n for n, d in COOLING_DESIGNS.items() if not d.air_only)
        return (
            f"GPU {fleet.gpu} is liquid-cooled ({fleet.gpu_cooling[1]}); an air-only design "
            f"cannot cool it. Designs that can: {allowed}"
        )
    return None


@dataclass(frozen=True)
class CoolingDesign:
    """A cooling design of the registry (see the module docstring for the interface).

    Attributes
    ----------
    name : str
        The name users pass as ``Facility(cooling=name)`` and ``--cooling``.
    description : str
        One line: what is built.
    parameters : mapping
        ``{preset: {parameter: Param(value, unit, source)}}``, one table per facility
        preset (``hyperscale``, ``enterprise``), the same parameter names in each.
    ranges : mapping
        ``{parameter: (lo, hi)}``: allowed range of a user override of each numeric
        parameter (closed interval). A parameter without a range is a True/False switch.
    plant : PlantFunction
        The climate-dependent terms, over arrays.
    water_models : tuple of str
        On-site water models the plant understands (``params["water_model"]``).
    ordered_pairs : tuple of (str, str)
        Parameter pairs ``(low, high)`` where ``high`` must exceed ``low`` (supply and
        return temperatures).
    infeasibility : callable
        ``infeasibility(fleet) -> reason or None``: why this design cannot cool the
        fleet (e.g. an air-only plant for liquid-cooled GPUs), None when it can.
    hourly : bool
        The plant has economizer or evaporative-assist hours driven by the warm tail of
        each month: with a monthly climate the footprint kernel evaluates it on
        within-month hourly samples (:func:`siting.physics.hourly.hourly_samples`).
    air_only : bool
        The design cools IT by air only (refuses liquid-cooled GPUs).
    auto_candidate : bool
        Whether the per-site choice (``--cooling auto``) considers the design by default.
    fleet_params : callable
        ``fleet_params(fleet) -> {parameter: (value, source)}``: parameters the fleet's
        GPU sets (e.g. the share of heat into cold plates, from the GPU catalog). They
        replace the preset value; a user override of the facility still wins.
    """

    name: str
    description: str
    parameters: Mapping[str, Mapping[str, Param]]
    ranges: Mapping[str, tuple[float, float]]
    plant: PlantFunction
    water_models: tuple[str, ...] = ("energy_balance",)
    ordered_pairs: tuple[tuple[str, str], ...] = ()
    infeasibility: Callable[[Fleet], str | None] = always_feasible
    hourly: bool = False
    air_only: bool = False
    auto_candidate: bool = True
    fleet_params: Callable[[Fleet], dict[str, tuple[Any, str]]] = no_fleet_params

    def params(self, preset: str) -> Mapping[str, Param]:
        """The parameter table of a facility preset."""
        return self.parameters[preset]

    def parameter_names(self) -> tuple[str, ...]:
        """Names of the design's parameters (the same in every preset)."""
        return tuple(next(iter(self.parameters.values())))

    def switches(self) -> tuple[str, ...]:
        """Parameters without an override range: True/False switches (e.g. ``economizer``)."""
        return tuple(n for n in self.parameter_names() if n not in self.ranges)

    def feasible(self, fleet: Fleet) -> bool:
        """Whether the design can cool ``fleet``."""
        return self.infeasibility(fleet) is None


# --------------------------------------------------------------------------------------
# numbers and sources shared by several designs
# --------------------------------------------------------------------------------------

#: Prefix of a value without a primary source (a calibration or design choice).
ASSUMPTION = "assumption (calibration choice, see docs/method_model.md)"

# Air-cooled chiller Carnot fraction reproducing ASHRAE 90.1-2019 Table 6.8.1-3 minimum
# full-load efficiency at AHRI 550/590 rating conditions: air-cooled >= 150 tons, path A:
# EER 10.1 Btu/Wh -> COP = 10.1/3.41214 = 2.960 at 6.67 C leaving chilled water, 35 C
# (95 F) entering air; refrigerant evaporating 2 K below the leaving water and condensing
# at the 16.7 K ITD of air-cooled condensers (siting.physics.pue approaches), as in the
# plants.
CARNOT_FRACTION_AIR = float(
    _pue.carnot_fraction_from_rating(
        10.1 / 3.41214,
        6.667,
        35.0,
        evaporator_approach_c=_pue.EVAPORATOR_APPROACH_LIQUID_K,
        condenser_approach_c=_pue.CONDENSER_ITD_AIR_K,
    )
)
SRC_90_1_AIR = (
    "ASHRAE 90.1-2019 Table 6.8.1-3 (air-cooled >=150 t, EER 10.1) at AHRI 550/590 "
    "conditions, refrigerant 2 K below leaving water and 16.7 K above ambient (ITD, "
    "Table 6.8.1-7) -> Carnot fraction"
)
#: Air-cooled condenser ITD [K]: ASHRAE 90.1-2019 Table 6.8.1-7 rating condition.
CONDENSER_ITD = Param(
    float(_pue.CONDENSER_ITD_AIR_K),
    "K",
    "ASHRAE 90.1-2019 Table 6.8.1-7: air-cooled condensers rated at 125 F condensing with "
    "95 F entering air (ITD 16.7 K)",
)

# Dry-cooler fan power at the 16.7 K rating ITD (fan law: siting.physics.drycooler).
DRY_COOLER_FAN = Param(
    float(_drycooler.RATED_FAN_KW_PER_KW),
    "kW/kW heat at ITD 16.7 K",
    "ASHRAE 90.1-2019 Table 6.8.1-7: air-cooled condensers >= 176,000 Btu/h per fan hp at "
    "125 F condensing / 95 F air (0.0145 kW/kW); scaled to the design ITD, cube law below",
)
