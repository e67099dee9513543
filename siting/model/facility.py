"""The :class:`Facility` built around the fleet: cooling design, preset, overrides.

The parameters of each cooling design live in the registry :mod:`siting.model.designs`;
here are the parameters every design shares (power chain, fans and pumps), the
calibration reference climates and the :class:`Facility` that resolves presets and user
overrides and dispatches its climate terms to the design's plant function.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from siting.errors import ConfigError
from siting.model.designs import (
    COOLING_DESIGNS,
    COOLING_TECHNOLOGIES,
    CoolingDesign,
    designs_for_water_model,
    designs_with,
    numeric_parameters,
    switch_parameters,
)
from siting.model.designs.base import ASSUMPTION as _A
from siting.model.fleet import Fleet, _check_choice, _check_number

FACILITY_PRESETS = ("hyperscale", "enterprise")
WATER_MODELS = ("energy_balance", "li2023")
_WATER_MODEL_NAMES = {"li2023": "the Li et al. (2023) curve"}

_SRC_CAL_HYPER = (
    "calibrated: hyperscale evaporative, temperate reference climate, load 0.76 -> annual "
    "PUE 1.10 (Google 2023 Environmental Report fleet PUE)"
)
_SRC_CAL_ENT = (
    "calibrated: enterprise evaporative, temperate reference climate, load 0.76 -> annual "
    "PUE 1.58 (Uptime Institute Global Data Center Survey 2023 average)"
)

# Parameters every cooling design shares: (value, unit, source). Values labelled
# "assumption" are calibration choices documented in docs/method_model.md.
_COMMON_PARAMS: dict[str, dict[str, tuple[Any, str, str]]] = {
    "hyperscale": {
        "dist_loss_proportional": (0.02, "kW/kW IT", _A + ": high-efficiency power chain ~98 %"),
        "dist_loss_fixed": (0.005, "kW/kW design IT", _A + ": no-load UPS/transformer losses"),
        "misc_fixed": (0.005, "kW/kW design IT", _A + ": lighting, controls, security"),
        "fan_pump_fraction": (0.0503, "kW/kW heat", _SRC_CAL_HYPER),
    },
    "enterprise": {
        "dist_loss_proportional": (
            0.06,
            "kW/kW IT",
            _A + ": double-conversion UPS ~94 % plus transformers/PDUs",
        ),
        "dist_loss_fixed": (0.03, "kW/kW design IT", _A + ": 2N UPS no-load losses"),
        "misc_fixed": (0.02, "kW/kW design IT", _A + ": lighting, offices, controls"),
        "fan_pump_fraction": (0.3305, "kW/kW heat", _SRC_CAL_ENT),
    },
}

# Allowed ranges of the overridable common parameters: (lo, hi). The design parameters'
# ranges are in the registry (CoolingDesign.ranges).
_COMMON_RANGES: dict[str, tuple[float, float]] = {
    "dist_loss_proportional": (0.0, 0.5),
    "dist_loss_fixed": (0.0, 0.5),
    "misc_fixed": (0.0, 0.5),
    "fan_pump_fraction": (0.0, 2.0),
}

# Reference climates used for calibration and tests (synthetic monthly normals, see
# docs/method_model.md): dry-bulb = mean - amplitude cos(2 pi (month - 0.5) / 12 - pi/12),
# wet-bulb from the dry-bulb at a constant relative humidity, sea-level pressure.
REFERENCE_CLIMATES = {
    "temperate": {"mean_c": 11.0, "amplitude_c": 10.0, "rh_pct": 70.0},
    "hot": {"mean_c": 24.0, "amplitude_c": 9.0, "rh_pct": 30.0},
}
CALIBRATION_LOAD_FRACTION = 0.76  # Newkirk et al. (2025) arXiv:2506.14551


def reference_climate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Monthly (dry-bulb, wet-bulb) [C] of a synthetic reference climate."""
    from siting.physics.psychrometrics import wet_bulb_from_rh

    spec = REFERENCE_CLIMATES[name]
    m = np.arange(12, dtype=float)
    tdb = spec["mean_c"] - spec["amplitude_c"] * np.cos(2 * np.pi * (m + 0.5) / 12 - np.pi / 12)
    return tdb, wet_bulb_from_rh(tdb, spec["rh_pct"])


@dataclass(frozen=True, kw_only=True)
class Facility:
    """The facility built around the fleet.

    Parameters
    ----------
    cooling : str
        A cooling design of the registry :data:`siting.model.designs.COOLING_DESIGNS`
        (``evaporative``, ``adiabatic``, ``dry``, ``air_economizer``,
        ``tower_economizer``, ``hybrid``, ``direct_to_chip``; each design's
        ``description`` says what is built). To choose the design per site use
        ``assess(..., cooling_choice=CoolingChoice(...))``.
    preset : {'hyperscale', 'enterprise'}
        Calibrated parameter set (see ``docs/method_model.md``).
    water_model : {'energy_balance', 'li2023'}
        On-site water of an evaporative facility: tower energy balance (Lei & Masanet
        2022) or the empirical curve of Li et al. (2023).
    pue, wue_onsite_l_per_kwh : float, optional
        Fixed PUE [-] and/or on-site WUE [L per IT kWh] overriding the climate model
        (e.g. to reproduce a published study). A fixed PUE has no load-independent
        losses, so a powered-down fleet then draws nothing.
    building_embodied_t_per_mw : float
        Embodied carbon of the building and plant [tCO2e per MW of design IT], charged
        in the first year (default 0: not counted).
    fleet_params : tuple of (name, value, source)
        Parameters the fleet's GPU sets (:meth:`for_fleet`, applied by ``assess``):
        between the preset and a user override.
    **overrides
        Any preset parameter (``fan_pump_fraction``, ``approach_c``,
        ``cycles_of_concentration`` ...), see :meth:`parameters`. Every parameter of a
        registered design has an override field here.
    """

    cooling: str = "tower_economizer"
    preset: str = "hyperscale"
    water_model: str = "energy_balance"
    pue: float | None = None
    wue_onsite_l_per_kwh: float | None = None
    building_embodied_t_per_mw: float = 0.0
    dist_loss_proportional: float | None = None
    dist_loss_fixed: float | None = None
    misc_fixed: float | None = None
    fan_pump_fraction: float | None = None
    chw_supply_c: float | None = None
    chw_return_c: float | None = None
    approach_c: float | None = None
    range_c: float | None = None
    hx_approach_c: float | None = None
    economizer: bool | None = None
    carnot_fraction: float | None = None
    cycles_of_concentration: float | None = None
    drift_fraction: float | None = None
    supply_air_c: float | None = None
    evap_effectiveness: float | None = None
    air_delta_t_c: float | None = None
    carnot_fraction_air: float | None = None
    condenser_approach_c: float | None = None
    supply_c: float | None = None
    return_c: float | None = None
    dry_approach_c: float | None = None
    max_dew_point_c: float | None = None
    max_rh_pct: float | None = None
    min_dew_point_c: float | None = None
    min_rh_pct: float | None = None
    l_over_g: float | None = None
    coil_air_rise_c: float | None = None
    liquid_supply_c: float | None = None
    liquid_rise_c: float | None = None
    liquid_fraction: float | None = None
    hybrid: bool | None = None
    dry_cooler_fan_kw_per_kw: float | None = None
    fleet_params: tuple[tuple[str, Any, str], ...] = ()

    def __post_init__(self):
        self._check_choices()
        self._check_fixed_values()
        self._check_numeric_overrides()
        self._check_switches()
        self._check_ordered_pairs()

    # --- validation steps ---------------------------------------------------------

    def _check_choices(self) -> None:
        _check_choice("cooling", self.cooling, COOLING_TECHNOLOGIES)
        _check_choice("preset", self.preset, FACILITY_PRESETS)
        _check_choice("water_model", self.water_model, WATER_MODELS)
        if self.water_model not in self.design.water_models:
            names = " and ".join(designs_for_water_model(self.water_model))
            raise ConfigError(
                f"{_WATER_MODEL_NAMES.get(self.water_model, self.water_model)} applies to "
                f"{names} (cooling-tower) facilities only, not {self.cooling!r}",
                field="water_model",
            )

    def _check_fixed_values(self) -> None:
        if self.pue is not None:
            _check_number("pue", self.pue, 1.0, 5.0)
        if self.wue_onsite_l_per_kwh is not None:
            _check_number("wue_onsite_l_per_kwh", self.wue_onsite_l_per_kwh, 0.0, 50.0)
        _check_number("building_embodied_t_per_mw", self.building_embodied_t_per_mw, 0.0, 1e5)

    def _allowed(self) -> set[str]:
        return set(_COMMON_PARAMS[self.preset]) | set(self.design.params(self.preset))

    def _check_numeric_overrides(self) -> None:
        allowed = self._allowed()
        ranges = {**_COMMON_RANGES, **self.design.ranges}
        for name in (*_COMMON_RANGES, *numeric_parameters()):
            v = getattr(self, name, None)
            if v is None:
                continue
            if name not in allowed:
                raise ConfigError(
                    f"does not apply to {self.cooling!r} cooling; parameters of this "
                    f"technology: {', '.join(sorted(allowed))}",
                    field=name,
                )
            _check_number(name, v, *ranges[name])

    def _check_switches(self) -> None:
        for name in switch_parameters():
            v = getattr(self, name, None)
            if v is None:
                continue
            if name not in self.design.switches():
                names = " and ".join(designs_with(name))
                raise ConfigError(f"applies to {names} cooling only", field=name)
            if not isinstance(v, (bool, np.bool_)):
                raise ConfigError(f"must be True or False, got {v!r}", field=name)

    def _check_ordered_pairs(self) -> None:
        p = self.parameters()
        for lo_name, hi_name in self.design.ordered_pairs:
            if p[hi_name][0] <= p[lo_name][0]:
                raise ConfigError(
                    f"must exceed {lo_name} ({p[lo_name][0]} C), got {p[hi_name][0]}",
                    field=hi_name,
                )

    # --- resolved parameters --------------------------------------------------------

    @property
    def design(self) -> CoolingDesign:
        """The cooling design of the registry named by ``cooling``."""
        return COOLING_DESIGNS[self.cooling]

    def parameters(self) -> dict[str, tuple[Any, str, str]]:
        """Resolved parameters ``{name: (value, unit, source)}`` (preset or user override)."""
        out: dict[str, tuple[Any, str, str]] = {}
        merged = dict(_COMMON_PARAMS[self.preset])
        merged.update(self.design.params(self.preset))
        for name, value, source in self.fleet_params:
            merged[name] = (value, merged[name][1], source)
        for name, (value, unit, source) in merged.items():
            v = getattr(self, name, None)
            out[name] = (value, unit, source) if v is None else (v, unit, "user override")
        return out

    def for_fleet(self, fleet: Fleet) -> Facility:
        """This facility with the parameters the fleet's GPU sets (e.g. the cold-plate
        share of a direct-to-chip build, from the GPU catalog); user overrides win."""
        own = self.design.fleet_params(fleet)
        unknown = set(own) - set(self.design.parameter_names())
        if unknown:  # pragma: no cover - a registry error, not a user error
            raise ValueError(f"{self.cooling}: fleet sets unknown parameters {sorted(unknown)}")
        fp = tuple((k, v, src) for k, (v, src) in sorted(own.items()))
        return self if fp == self.fleet_params else replace(self, fleet_params=fp)

    def _values(self) -> dict[str, Any]:
        return {k: v[0] for k, v in self.parameters().items()}

    @property
    def uses_climate(self) -> bool:
        """False when both PUE and WUE are fixed, so the climate plays no part."""
        return not (self.pue is not None and self.wue_onsite_l_per_kwh is not None)

    @property
    def water_per_it(self) -> bool:
        """True when the plant's water term is per IT kWh, not per kWh of heat.

        The empirical curve of Li et al. (2023) is a WUE per IT kWh; with a climate
        PUE the kernel multiplies it by IT energy (with a fixed PUE the plant divides it
        by the PUE, since heat then is facility power).
        """
        return (
            self.water_model == "li2023" and self.pue is None and self.wue_onsite_l_per_kwh is None
        )

    def heat_coefficients(self) -> tuple[float, float]:
        """``(a, b)`` of the heat released per design kW: ``heat = a L + b``.

        With a fixed PUE, ``a = PUE`` and ``b = 0`` (facility = PUE x IT).
        """
        if self.pue is not None:
            return float(self.pue), 0.0
        v = self._values()
        return 1.0 + v["dist_loss_proportional"], v["dist_loss_fixed"] + v["misc_fixed"]

    def period_terms(self, dry_bulb_c, wet_bulb_c) -> tuple[np.ndarray, np.ndarray]:
        """Per time step: cooling electricity per unit heat ``c`` and water per unit heat.

        Returns ``(1 + c, water_l_per_kwh_heat)`` so that, per design kW, facility power
        is ``heat x (1 + c)`` and on-site water ``heat x water`` [L/kWh]. With a fixed PUE
        the first term is 1 and ``heat`` already is the facility power. The climate terms
        come from the plant function of the cooling design (:attr:`design`).
        """
        tdb = np.asarray(dry_bulb_c)
        twb = np.asarray(wet_bulb_c)
        if not self.uses_climate:
            ones = np.ones(np.broadcast(tdb, twb).shape)
            return ones, ones * (self.wue_onsite_l_per_kwh / self.pue)
        params = {**self._values(), "water_model": self.water_model, "pue": self.pue}
        one_plus_c, per_heat = self.design.plant(tdb, twb, params)
        if self.pue is not None:
            one_plus_c = np.where(np.isnan(one_plus_c), np.nan, 1.0)
        elif self.wue_onsite_l_per_kwh is not None:
            # fixed WUE per IT kWh: footprint_arrays takes water = WUE x IT energy
            per_heat = np.where(np.isnan(one_plus_c), np.nan, 0.0)
        return one_plus_c, per_heat
