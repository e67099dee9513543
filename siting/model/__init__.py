"""Committed-footprint model: energy, water, carbon and money of a GPU fleet per site-year.

Three configuration objects describe what is built and for how long:

* :class:`Fleet` -- GPU model (from ``data/gpus.csv``), count, utilization, refresh cycle;
* :class:`Facility` -- a cooling design of the registry :mod:`siting.model.designs`
  (``evaporative``, ``adiabatic``, ``dry``), a calibrated preset (``hyperscale``,
  ``enterprise``) and optional overrides;
* :class:`Scenario` -- commitment length, when the product dies and what happens after,
  contracts (carbon-free share, take-or-pay) and trends (grid decarbonization, price
  escalation, warming).

:func:`footprint_arrays` is the pure array core (site x year); :func:`assess` reads the
joined site table of ``docs/columns.md`` and returns an :class:`Assessment`.
The method, equations and calibration are documented in ``docs/method_model.md``.

One concern per module: ``fleet.py`` (GPU catalog, :class:`Fleet`, validation helpers),
``designs/`` (cooling-design registry, one module per design), ``facility.py``
(:class:`Facility`), ``scenario.py`` (:class:`Scenario`), ``footprint.py`` (array
kernel, :func:`cooling_profile`), ``assess.py`` (tables in, :class:`Assessment` out).
"""

from __future__ import annotations

from siting.model.assess import SUMMARY_TOTALS, Assessment, assess
from siting.model.auto import COOLING_OBJECTIVES, CoolingChoice
from siting.model.designs import COOLING_DESIGNS, COOLING_TECHNOLOGIES, CoolingDesign
from siting.model.designs.base import CARNOT_FRACTION_AIR
from siting.model.designs.evaporative import CARNOT_FRACTION_WATER
from siting.model.facility import (
    CALIBRATION_LOAD_FRACTION,
    FACILITY_PRESETS,
    REFERENCE_CLIMATES,
    WATER_MODELS,
    Facility,
    reference_climate,
)
from siting.model.fleet import (
    DEFAULT_REFRESH_SOURCE,
    DEFAULT_REFRESH_YEARS,
    DEFAULT_UTILIZATION,
    DEFAULT_UTILIZATION_SOURCE,
    Fleet,
    gpu_catalog,
    known_gpus,
)
from siting.model.footprint import (
    ANNUAL_VARIABLES,
    MONTH_DAYS,
    MONTHLY_HOURS,
    cooling_profile,
    footprint_arrays,
)
from siting.model.scenario import (
    AFTER_MODES,
    DEFAULT_PRICE_SOURCE,
    DEFAULT_PRICE_USD_PER_MWH,
    Scenario,
)

__all__ = [
    "COOLING_OBJECTIVES",
    "CoolingChoice",
    "AFTER_MODES",
    "ANNUAL_VARIABLES",
    "CALIBRATION_LOAD_FRACTION",
    "CARNOT_FRACTION_AIR",
    "CARNOT_FRACTION_WATER",
    "COOLING_DESIGNS",
    "COOLING_TECHNOLOGIES",
    "DEFAULT_PRICE_SOURCE",
    "DEFAULT_PRICE_USD_PER_MWH",
    "DEFAULT_REFRESH_SOURCE",
    "DEFAULT_REFRESH_YEARS",
    "DEFAULT_UTILIZATION",
    "DEFAULT_UTILIZATION_SOURCE",
    "FACILITY_PRESETS",
    "MONTHLY_HOURS",
    "MONTH_DAYS",
    "REFERENCE_CLIMATES",
    "SUMMARY_TOTALS",
    "WATER_MODELS",
    "Assessment",
    "CoolingDesign",
    "Facility",
    "Fleet",
    "Scenario",
    "assess",
    "cooling_profile",
    "footprint_arrays",
    "gpu_catalog",
    "known_gpus",
    "reference_climate",
]
