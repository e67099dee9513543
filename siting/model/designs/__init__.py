"""Registry of cooling designs: one module per design, one line per design below.

Each design is a :class:`~siting.model.designs.base.CoolingDesign` (name, description,
parameters per preset with unit and source, override ranges, feasibility for a fleet,
plant function over arrays). :class:`siting.model.Facility` reads its parameters from
here and dispatches its climate terms to the design's plant function; the app and the
CLI list :data:`COOLING_TECHNOLOGIES`. How to add a design: ``docs/CONTRIBUTING_LAYERS.md``.
"""

from __future__ import annotations

from siting.model.designs.adiabatic import ADIABATIC
from siting.model.designs.air_economizer import AIR_ECONOMIZER
from siting.model.designs.base import CoolingDesign, Param, PlantFunction, always_feasible
from siting.model.designs.direct_to_chip import DIRECT_TO_CHIP
from siting.model.designs.dry import DRY
from siting.model.designs.evaporative import EVAPORATIVE
from siting.model.designs.hybrid import HYBRID
from siting.model.designs.tower_economizer import TOWER_ECONOMIZER

__all__ = [
    "COOLING_DESIGNS",
    "COOLING_TECHNOLOGIES",
    "CoolingDesign",
    "Param",
    "PlantFunction",
    "always_feasible",
    "designs_for_water_model",
    "designs_with",
    "get_design",
    "numeric_parameters",
    "switch_parameters",
]

#: name -> design, in the order the app and the CLI list them (the first is the default).
COOLING_DESIGNS: dict[str, CoolingDesign] = {
    d.name: d
    for d in (
        TOWER_ECONOMIZER,
        EVAPORATIVE,
        ADIABATIC,
        DRY,
        AIR_ECONOMIZER,
        HYBRID,
        DIRECT_TO_CHIP,
    )
}

#: Names of the registered designs (``Facility(cooling=...)``).
COOLING_TECHNOLOGIES = tuple(COOLING_DESIGNS)


def get_design(name: str) -> CoolingDesign:
    """The registered design called ``name`` (KeyError if there is none)."""
    return COOLING_DESIGNS[name]


def designs_with(parameter: str) -> tuple[str, ...]:
    """Names of the designs that have ``parameter``."""
    return tuple(d.name for d in COOLING_DESIGNS.values() if parameter in d.parameter_names())


def designs_for_water_model(water_model: str) -> tuple[str, ...]:
    """Names of the designs whose plant understands ``water_model``."""
    return tuple(d.name for d in COOLING_DESIGNS.values() if water_model in d.water_models)


def numeric_parameters() -> tuple[str, ...]:
    """Every numeric design parameter once, in registry order."""
    return tuple(dict.fromkeys(n for d in COOLING_DESIGNS.values() for n in d.ranges))


def switch_parameters() -> tuple[str, ...]:
    """Every True/False design parameter once, in registry order."""
    return tuple(dict.fromkeys(n for d in COOLING_DESIGNS.values() for n in d.switches()))
