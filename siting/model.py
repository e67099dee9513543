"""Committed-footprint model: energy, water, carbon and money of a GPU fleet per site-year.

Three configuration objects describe what is built and for how long:

* :class:`Fleet` -- GPU model (from ``data/gpus.csv``), count, utilization, refresh cycle;
* :class:`Facility` -- cooling technology (``evaporative``, ``adiabatic``, ``dry``), a
  calibrated preset (``hyperscale``, ``enterprise``) and optional overrides;
* :class:`Scenario` -- commitment length, when the product dies and what happens after,
  contracts (carbon-free share, take-or-pay) and trends (grid decarbonization, price
  escalation, warming).

:func:`footprint_arrays` is the pure array core (site x year); :func:`assess` reads the
joined site table of ``docs/columns.md`` and returns an :class:`Assessment`.
The method, equations and calibration are documented in ``docs/method_model.md``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import ConfigError, LayerError
from siting.physics import cooling as _cooling
from siting.physics import energy as _energy
from siting.physics import pue as _pue

__all__ = [
    "AFTER_MODES",
    "COOLING_TECHNOLOGIES",
    "FACILITY_PRESETS",
    "Assessment",
    "Facility",
    "Fleet",
    "Scenario",
    "assess",
    "cooling_profile",
    "footprint_arrays",
    "gpu_catalog",
    "known_gpus",
]

COOLING_TECHNOLOGIES = ("evaporative", "adiabatic", "dry")
FACILITY_PRESETS = ("hyperscale", "enterprise")
AFTER_MODES = ("idle", "retenant", "power_down")
WATER_MODELS = ("energy_balance", "li2023")

MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
MONTHLY_HOURS = MONTH_DAYS * 24.0  # h per month of a 365-day year (sums to 8760)

# --------------------------------------------------------------------------------------
# GPU catalog
# --------------------------------------------------------------------------------------


def _data_dir() -> Path:
    try:
        from siting.paths import embedded_data_dir

        d = Path(embedded_data_dir())
        if (d / "gpus.csv").is_file():
            return d
    except Exception:  # pragma: no cover - paths module missing or broken
        pass
    return Path(__file__).resolve().parents[1] / "data"


@lru_cache(maxsize=4)
def _read_catalog(path: str) -> pd.DataFrame:
    df = pd.read_csv(path)
    needed = {
        "name",
        "gpu_tdp_w",
        "system_w_per_gpu",
        "idle_fraction",
        "embodied_kg_per_gpu",
    }
    missing = needed - set(df.columns)
    if missing:
        raise LayerError(f"GPU catalog lacks columns {sorted(missing)}", file=path)
    for col in needed - {"name"}:
        if f"{col}_source" not in df.columns:
            raise LayerError(f"GPU catalog lacks the source column '{col}_source'", file=path)
    return df.set_index("name")


def gpu_catalog(path: str | Path | None = None) -> pd.DataFrame:
    """The GPU catalog (``data/gpus.csv``) indexed by GPU name, one source per number."""
    p = Path(path) if path is not None else _data_dir() / "gpus.csv"
    return _read_catalog(str(p)).copy()


def known_gpus() -> list[str]:
    """Names of the GPUs in the catalog."""
    return list(gpu_catalog().index)


# --------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------


def _check_number(name: str, value: Any, lo: float, hi: float, *, lo_open=False, hi_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(f"must be a number, got {value!r}", field=name)
    v = float(value)
    lo_bad = v <= lo if lo_open else v < lo
    hi_bad = v >= hi if hi_open else v > hi
    if not math.isfinite(v) or lo_bad or hi_bad:
        lb = "(" if lo_open else "["
        hb = ")" if hi_open else "]"
        raise ConfigError(f"{v!r} is outside the allowed range {lb}{lo}, {hi}{hb}", field=name)
    return v


def _check_choice(name: str, value: Any, choices: tuple[str, ...]):
    if value not in choices:
        raise ConfigError(f"{value!r} is not one of {', '.join(choices)}", field=name)


# --------------------------------------------------------------------------------------
# Fleet
# --------------------------------------------------------------------------------------

# Mean power while the product runs, as a fraction of full-load system power: Newkirk et
# al. (2025, arXiv:2506.14551) measured computationally intensive training on 8-GPU H100
# nodes at 76 % of the 10.2 kW rating.
DEFAULT_UTILIZATION = 0.76
DEFAULT_UTILIZATION_SOURCE = (
    "Newkirk et al. (2025) arXiv:2506.14551: intensive AI training on 8xH100 nodes "
    "draws 76 % of the rated 10.2 kW"
)
# Hardware refresh: hyperscalers depreciate servers over six years (Alphabet 2023 and
# Microsoft FY2022 annual reports: estimated useful life of servers extended to 6 years).
DEFAULT_REFRESH_YEARS = 6.0
DEFAULT_REFRESH_SOURCE = (
    "Alphabet 2023 Form 10-K and Microsoft FY2022 Form 10-K: useful life of servers 6 years"
)


@dataclass(frozen=True, kw_only=True)
class Fleet:
    """The GPU fleet the facility is built for.

    Parameters
    ----------
    gpu : str
        GPU model, a name of the catalog ``data/gpus.csv`` (see :func:`known_gpus`).
    gpus : int
        Number of GPUs (>= 1).
    utilization : float
        Mean power drawn while the product lives, as a fraction of full-load system
        power, in [0, 1]. A powered fleet never draws less than its idle floor, so
        values below the GPU's idle fraction are lifted to it.
    refresh_years : float
        Hardware refresh cycle [years], (0.25, 50]; embodied carbon is charged at
        every purchase.
    system_w_per_gpu, idle_fraction, embodied_kg_per_gpu : float, optional
        Overrides of the catalog values [W per GPU incl. host/network share; fraction of
        full-load power when idle; kgCO2e per GPU incl. server share].
    """

    gpu: str = "H100-SXM"
    gpus: int
    utilization: float = DEFAULT_UTILIZATION
    refresh_years: float = DEFAULT_REFRESH_YEARS
    system_w_per_gpu: float | None = None
    idle_fraction: float | None = None
    embodied_kg_per_gpu: float | None = None

    def __post_init__(self):
        cat = gpu_catalog()
        if not isinstance(self.gpu, str) or self.gpu not in cat.index:
            raise ConfigError(
                f"unknown GPU {self.gpu!r}; known GPUs: {', '.join(cat.index)}", field="gpu"
            )
        if (
            isinstance(self.gpus, bool)
            or not isinstance(self.gpus, (int, np.integer))
            or not 1 <= int(self.gpus) <= 100_000_000
        ):
            raise ConfigError(
                f"must be a whole number of GPUs in [1, 100000000], got {self.gpus!r}",
                field="gpus",
            )
        _check_number("utilization", self.utilization, 0.0, 1.0)
        _check_number("refresh_years", self.refresh_years, 0.25, 50.0, lo_open=True)
        if self.system_w_per_gpu is not None:
            _check_number("system_w_per_gpu", self.system_w_per_gpu, 0.0, 20_000.0, lo_open=True)
        if self.idle_fraction is not None:
            _check_number("idle_fraction", self.idle_fraction, 0.0, 1.0)
        if self.embodied_kg_per_gpu is not None:
            _check_number("embodied_kg_per_gpu", self.embodied_kg_per_gpu, 0.0, 100_000.0)

    def _catalog_value(self, column: str, override):
        row = gpu_catalog().loc[self.gpu]
        if override is not None:
            return float(override), "user override"
        return float(row[column]), str(row[f"{column}_source"])

    @property
    def spec(self) -> dict[str, tuple[float, str]]:
        """Resolved per-GPU numbers ``{name: (value, source)}``."""
        return {
            "gpu_tdp_w": self._catalog_value("gpu_tdp_w", None),
            "system_w_per_gpu": self._catalog_value("system_w_per_gpu", self.system_w_per_gpu),
            "idle_fraction": self._catalog_value("idle_fraction", self.idle_fraction),
            "embodied_kg_per_gpu": self._catalog_value(
                "embodied_kg_per_gpu", self.embodied_kg_per_gpu
            ),
        }

    @property
    def design_it_mw(self) -> float:
        """Full-load IT power of the fleet = design IT capacity of the facility [MW]."""
        return int(self.gpus) * self.spec["system_w_per_gpu"][0] / 1e6

    @property
    def power_fraction_alive(self) -> float:
        """Load fraction while the product runs: ``max(utilization, idle_fraction)``."""
        return max(float(self.utilization), self.spec["idle_fraction"][0])


# --------------------------------------------------------------------------------------
# Facility presets
# --------------------------------------------------------------------------------------

# Chiller Carnot fractions reproducing ASHRAE 90.1-2019 Table 6.8.1-3 minimum full-load
# efficiencies at AHRI 550/590 rating conditions:
#  - water-cooled centrifugal >= 300 tons, path A: 0.560 kW/ton -> COP = 3.51685/0.560
#    = 6.280 at 6.67 C (44 F) leaving chilled water and 34.6 C leaving condenser water
#    (29.44 C entering + 12000 + 0.560*3412.14 Btu/h rejected into 3 gpm/ton = 5.15 K).
#  - air-cooled >= 150 tons, path A: EER 10.1 Btu/Wh -> COP = 10.1/3.41214 = 2.960 at
#    6.67 C leaving chilled water, 35 C (95 F) ambient; condenser taken at ambient + the
#    dry-coil approach (6 K, assumption) as in the model.
_KW_PER_TON = 3.51685  # kW of cooling per refrigeration ton (12000 Btu/h)
CARNOT_FRACTION_WATER = float(
    _pue.carnot_fraction_from_rating(_KW_PER_TON / 0.560, 6.667, 29.444 + 5.154)
)
CARNOT_FRACTION_AIR = float(_pue.carnot_fraction_from_rating(10.1 / 3.41214, 6.667, 35.0 + 6.0))

_SRC_90_1_W = (
    "ASHRAE 90.1-2019 Table 6.8.1-3 (water-cooled centrifugal >=300 t, 0.560 kW/ton) at AHRI "
    "550/590 conditions -> Carnot fraction"
)
_SRC_90_1_A = (
    "ASHRAE 90.1-2019 Table 6.8.1-3 (air-cooled >=150 t, EER 10.1) at AHRI 550/590 "
    "conditions, condenser at ambient + 6 K -> Carnot fraction"
)
_SRC_LM_APPROACH = "Lei & Masanet (2022) RCR 182:106323: tower approach 2.8-6.7 K (mid-range)"
_SRC_LM_RANGE = "Lei & Masanet (2022) RCR 182:106323: tower range 4-6 K (mid-range)"
_SRC_COC = "Li et al. (2023) arXiv:2304.03271 default S = 6 (Lei & Masanet range 3-15)"
_SRC_DRIFT = (
    "drift eliminator ratings 0.0005-0.005 % of circulating flow (Brentwood; Tower "
    "Components) -> upper value"
)
_SRC_CAL_HYPER = (
    "calibrated: hyperscale evaporative, temperate reference climate, load 0.76 -> annual "
    "PUE 1.10 (Google 2023 Environmental Report fleet PUE)"
)
_SRC_CAL_ENT = (
    "calibrated: enterprise evaporative, temperate reference climate, load 0.76 -> annual "
    "PUE 1.58 (Uptime Institute Global Data Center Survey 2023 average)"
)
_A = "assumption (calibration choice, see docs/method_model.md)"

# Each parameter: (value, unit, source). Values labelled "assumption" are calibration
# choices documented in docs/method_model.md.
_COMMON_PARAMS: dict[str, dict[str, tuple[Any, str, str]]] = {
    "hyperscale": {
        "dist_loss_proportional": (0.02, "kW/kW IT", _A + ": high-efficiency power chain ~98 %"),
        "dist_loss_fixed": (0.005, "kW/kW design IT", _A + ": no-load UPS/transformer losses"),
        "misc_fixed": (0.005, "kW/kW design IT", _A + ": lighting, controls, security"),
        "fan_pump_fraction": (0.0537, "kW/kW heat", _SRC_CAL_HYPER),
    },
    "enterprise": {
        "dist_loss_proportional": (
            0.06,
            "kW/kW IT",
            _A + ": double-conversion UPS ~94 % plus transformers/PDUs",
        ),
        "dist_loss_fixed": (0.03, "kW/kW design IT", _A + ": 2N UPS no-load losses"),
        "misc_fixed": (0.02, "kW/kW design IT", _A + ": lighting, offices, controls"),
        "fan_pump_fraction": (0.3429, "kW/kW heat", _SRC_CAL_ENT),
    },
}

_COOLING_PARAMS: dict[str, dict[str, dict[str, tuple[Any, str, str]]]] = {
    "hyperscale": {
        "evaporative": {
            "chw_supply_c": (17.0, "C", "ASHRAE TC 9.9 liquid-cooling class W17 (<= 17 C)"),
            "chw_return_c": (23.0, "C", _A + ": 6 K chilled-water rise"),
            "approach_c": (4.0, "K", _SRC_LM_APPROACH),
            "range_c": (5.0, "K", _SRC_LM_RANGE),
            "hx_approach_c": (1.5, "K", _A + ": economizer plate heat-exchanger approach"),
            "economizer": (True, "-", _A + ": water-side economizer installed"),
            "carnot_fraction": (CARNOT_FRACTION_WATER, "-", _SRC_90_1_W),
            "cycles_of_concentration": (6.0, "-", _SRC_COC),
            "drift_fraction": (5e-5, "-", _SRC_DRIFT),
        },
        "adiabatic": {
            "supply_air_c": (27.0, "C", "ASHRAE TC 9.9 (2021) recommended inlet 18-27 C: upper"),
            "evap_effectiveness": (
                0.85,
                "-",
                "ASHRAE HVAC Systems & Equipment ch. 41: direct evaporative saturation "
                "effectiveness 70-95 % (mid-range)",
            ),
            "air_delta_t_c": (12.0, "K", _A + ": air temperature rise across IT"),
            "carnot_fraction_air": (CARNOT_FRACTION_AIR, "-", _SRC_90_1_A),
            "condenser_approach_c": (6.0, "K", _A + ": air-cooled coil approach"),
        },
        "dry": {
            "supply_c": (27.0, "C", "ASHRAE TC 9.9 liquid-cooling class W27 (<= 27 C)"),
            "return_c": (33.0, "C", _A + ": 6 K facility-water rise"),
            "dry_approach_c": (6.0, "K", _A + ": dry-cooler approach to ambient dry-bulb"),
            "carnot_fraction_air": (CARNOT_FRACTION_AIR, "-", _SRC_90_1_A),
        },
    },
    "enterprise": {
        "evaporative": {
            "chw_supply_c": (6.7, "C", "AHRI 550/590 rating: 44 F leaving chilled water"),
            "chw_return_c": (12.2, "C", "AHRI 550/590 rating: 10 F chilled-water rise"),
            "approach_c": (4.0, "K", _SRC_LM_APPROACH),
            "range_c": (5.0, "K", _SRC_LM_RANGE),
            "hx_approach_c": (1.5, "K", _A + ": economizer plate heat-exchanger approach"),
            "economizer": (False, "-", _A + ": typical enterprise plant without economizer"),
            "carnot_fraction": (CARNOT_FRACTION_WATER, "-", _SRC_90_1_W),
            "cycles_of_concentration": (6.0, "-", _SRC_COC),
            "drift_fraction": (5e-5, "-", _SRC_DRIFT),
        },
        "adiabatic": {
            "supply_air_c": (22.0, "C", _A + ": conservative supply air within ASHRAE 18-27 C"),
            "evap_effectiveness": (
                0.85,
                "-",
                "ASHRAE HVAC Systems & Equipment ch. 41: direct evaporative saturation "
                "effectiveness 70-95 % (mid-range)",
            ),
            "air_delta_t_c": (12.0, "K", _A + ": air temperature rise across IT"),
            "carnot_fraction_air": (CARNOT_FRACTION_AIR, "-", _SRC_90_1_A),
            "condenser_approach_c": (6.0, "K", _A + ": air-cooled coil approach"),
        },
        "dry": {
            "supply_c": (12.0, "C", _A + ": chilled water with free-cooling dry coolers"),
            "return_c": (18.0, "C", _A + ": 6 K chilled-water rise"),
            "dry_approach_c": (6.0, "K", _A + ": dry-cooler approach to ambient dry-bulb"),
            "carnot_fraction_air": (CARNOT_FRACTION_AIR, "-", _SRC_90_1_A),
        },
    },
}

# Allowed ranges of the overridable facility parameters: (lo, hi).
_PARAM_RANGES: dict[str, tuple[float, float]] = {
    "dist_loss_proportional": (0.0, 0.5),
    "dist_loss_fixed": (0.0, 0.5),
    "misc_fixed": (0.0, 0.5),
    "fan_pump_fraction": (0.0, 2.0),
    "chw_supply_c": (0.0, 45.0),
    "chw_return_c": (0.0, 60.0),
    "approach_c": (0.5, 15.0),
    "range_c": (1.0, 15.0),
    "hx_approach_c": (0.0, 10.0),
    "carnot_fraction": (0.05, 1.0),
    "cycles_of_concentration": (1.01, 50.0),
    "drift_fraction": (0.0, 0.01),
    "supply_air_c": (10.0, 45.0),
    "evap_effectiveness": (0.0, 1.0),
    "air_delta_t_c": (1.0, 40.0),
    "carnot_fraction_air": (0.05, 1.0),
    "condenser_approach_c": (0.0, 30.0),
    "supply_c": (0.0, 60.0),
    "return_c": (0.0, 70.0),
    "dry_approach_c": (0.0, 30.0),
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
    cooling : {'evaporative', 'adiabatic', 'dry'}
        ``evaporative``: cooling towers + chillers + water-side economizer;
        ``adiabatic``: direct air-side economizer with evaporative assist and DX trim;
        ``dry``: dry coolers / closed-loop liquid with air-cooled chiller trim, no water.
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
    **overrides
        Any preset parameter (``fan_pump_fraction``, ``approach_c``,
        ``cycles_of_concentration`` ...), see :meth:`parameters`.
    """

    cooling: str = "evaporative"
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

    def __post_init__(self):
        _check_choice("cooling", self.cooling, COOLING_TECHNOLOGIES)
        _check_choice("preset", self.preset, FACILITY_PRESETS)
        _check_choice("water_model", self.water_model, WATER_MODELS)
        if self.water_model == "li2023" and self.cooling != "evaporative":
            raise ConfigError(
                "the Li et al. (2023) curve applies to evaporative (cooling-tower) "
                f"facilities only, not {self.cooling!r}",
                field="water_model",
            )
        if self.pue is not None:
            _check_number("pue", self.pue, 1.0, 5.0)
        if self.wue_onsite_l_per_kwh is not None:
            _check_number("wue_onsite_l_per_kwh", self.wue_onsite_l_per_kwh, 0.0, 50.0)
        _check_number("building_embodied_t_per_mw", self.building_embodied_t_per_mw, 0.0, 1e5)
        allowed = set(_COMMON_PARAMS[self.preset]) | set(_COOLING_PARAMS[self.preset][self.cooling])
        for name, (lo, hi) in _PARAM_RANGES.items():
            v = getattr(self, name)
            if v is None:
                continue
            if name not in allowed:
                raise ConfigError(
                    f"does not apply to {self.cooling!r} cooling; parameters of this "
                    f"technology: {', '.join(sorted(allowed))}",
                    field=name,
                )
            _check_number(name, v, lo, hi)
        if self.economizer is not None:
            if self.cooling != "evaporative":
                raise ConfigError("applies to evaporative cooling only", field="economizer")
            if not isinstance(self.economizer, (bool, np.bool_)):
                raise ConfigError(
                    f"must be True or False, got {self.economizer!r}", field="economizer"
                )
        p = self.parameters()
        for lo_name, hi_name in (("chw_supply_c", "chw_return_c"), ("supply_c", "return_c")):
            if lo_name in p and p[hi_name][0] <= p[lo_name][0]:
                raise ConfigError(
                    f"must exceed {lo_name} ({p[lo_name][0]} C), got {p[hi_name][0]}",
                    field=hi_name,
                )

    def parameters(self) -> dict[str, tuple[Any, str, str]]:
        """Resolved parameters ``{name: (value, unit, source)}`` (preset or user override)."""
        out: dict[str, tuple[Any, str, str]] = {}
        merged = dict(_COMMON_PARAMS[self.preset])
        merged.update(_COOLING_PARAMS[self.preset][self.cooling])
        for name, (value, unit, source) in merged.items():
            v = getattr(self, name, None)
            out[name] = (value, unit, source) if v is None else (v, unit, "user override")
        return out

    def _values(self) -> dict[str, Any]:
        return {k: v[0] for k, v in self.parameters().items()}

    @property
    def uses_climate(self) -> bool:
        """False when both PUE and WUE are fixed, so the climate plays no part."""
        return not (self.pue is not None and self.wue_onsite_l_per_kwh is not None)

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
        the first term is 1 and ``heat`` already is the facility power.
        """
        tdb = np.asarray(dry_bulb_c)
        twb = np.asarray(wet_bulb_c)
        v = self._values()
        if not self.uses_climate:
            ones = np.ones(np.broadcast(tdb, twb).shape)
            return ones, ones * (self.wue_onsite_l_per_kwh / self.pue)
        if self.cooling == "evaporative":
            plant = _pue.evaporative_plant(
                twb,
                chw_supply_c=v["chw_supply_c"],
                chw_return_c=v["chw_return_c"],
                approach_c=v["approach_c"],
                range_c=v["range_c"],
                hx_approach_c=v["hx_approach_c"],
                carnot_fraction=v["carnot_fraction"],
                fan_pump_fraction=v["fan_pump_fraction"],
                economizer=bool(v["economizer"]),
            )
            if self.water_model == "li2023":
                per_heat = _cooling.li2023_wue(twb, v["cycles_of_concentration"])
            else:
                per_heat = _cooling.tower_water_l_per_kwh_heat(
                    twb,
                    v["approach_c"],
                    v["range_c"],
                    v["cycles_of_concentration"],
                    v["drift_fraction"],
                )
            if self.pue is None:
                per_heat = per_heat * plant["heat_rejected_per_kw_heat"]
            one_plus_c = 1.0 + plant["cooling_kw_per_kw_heat"]
        elif self.cooling == "adiabatic":
            plant = _pue.adiabatic_plant(
                tdb,
                twb,
                supply_air_c=v["supply_air_c"],
                effectiveness=v["evap_effectiveness"],
                air_delta_t_c=v["air_delta_t_c"],
                carnot_fraction_air=v["carnot_fraction_air"],
                fan_pump_fraction=v["fan_pump_fraction"],
                condenser_approach_c=v["condenser_approach_c"],
            )
            per_heat = plant["water_l_per_kwh_heat"]
            one_plus_c = 1.0 + plant["cooling_kw_per_kw_heat"]
        else:
            plant = _pue.dry_plant(
                tdb,
                supply_c=v["supply_c"],
                return_c=v["return_c"],
                dry_approach_c=v["dry_approach_c"],
                carnot_fraction_air=v["carnot_fraction_air"],
                fan_pump_fraction=v["fan_pump_fraction"],
            )
            one_plus_c = 1.0 + plant["cooling_kw_per_kw_heat"]
            per_heat = np.where(np.isnan(one_plus_c), np.nan, 0.0)
        if self.pue is not None:
            one_plus_c = np.where(np.isnan(one_plus_c), np.nan, 1.0)
        elif self.wue_onsite_l_per_kwh is not None:
            # fixed WUE per IT kWh: footprint_arrays takes water = WUE x IT energy
            per_heat = np.where(np.isnan(one_plus_c), np.nan, 0.0)
        return one_plus_c, per_heat


# --------------------------------------------------------------------------------------
# Scenario
# --------------------------------------------------------------------------------------

DEFAULT_PRICE_USD_PER_MWH = 80.0
DEFAULT_PRICE_SOURCE = (
    "assumption: about the U.S. average industrial retail price, ~8 US cents/kWh in 2023 "
    "(EIA Electric Power Monthly, Table 5.3)"
)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """Commitment, product life, after-product mode, contracts and trends.

    Parameters
    ----------
    commitment_years : int
        Facility / power-contract life [years], 1-60.
    product_years : float or None
        When the product the fleet was bought for is shut down [years from start],
        (0, commitment_years]; None = it survives the commitment.
    after : {'idle', 'retenant', 'power_down'}
        After the product: fleet kept powered at its idle floor; a fraction re-leased
        after a delay (the rest idles); or fleet off (facility baseline and a take-or-pay
        minimum energy charge remain).
    start_year : int
        First calendar year of the commitment.
    retenant_fraction, retenant_delay_years : float
        Share of the fleet re-leased [0, 1] and delay before it is [years].
    take_or_pay_fraction : float
        Minimum energy paid each period as a fraction of the energy the facility draws
        while the product runs, [0, 1]; affects cost only.
    carbon_free_share : float
        Contracted carbon-free share of consumption (PPAs) for market-based scope 2, [0, 1].
    grid_decarbonization_per_yr : float
        Compound yearly decline of grid intensity, [-0.5, 1].
    price_escalation_per_yr : float
        Compound yearly electricity price change, [-0.5, 1].
    warming_c_per_decade : float
        Climate trend added to dry- and wet-bulb [C per decade], [-2, 5].
    price_usd_per_mwh_default : float
        Electricity price assumed where a site has none [$/MWh], (0, 10000].
    """

    commitment_years: int = 15
    product_years: float | None = None
    after: str = "idle"
    start_year: int = 2026
    retenant_fraction: float = 0.5
    retenant_delay_years: float = 1.0
    take_or_pay_fraction: float = 0.0
    carbon_free_share: float = 0.0
    grid_decarbonization_per_yr: float = 0.0
    price_escalation_per_yr: float = 0.0
    warming_c_per_decade: float = 0.0
    price_usd_per_mwh_default: float = DEFAULT_PRICE_USD_PER_MWH

    def __post_init__(self):
        cy = self.commitment_years
        if isinstance(cy, bool) or not isinstance(cy, (int, np.integer)) or not 1 <= cy <= 60:
            if isinstance(cy, float) and cy.is_integer() and 1 <= cy <= 60:
                object.__setattr__(self, "commitment_years", int(cy))
            else:
                raise ConfigError(
                    f"must be a whole number of years in [1, 60], got {cy!r}",
                    field="commitment_years",
                )
        if self.product_years is not None:
            _check_number("product_years", self.product_years, 0.0, 1e9, lo_open=True)
            if float(self.product_years) > self.commitment_years:
                raise ConfigError(
                    f"{self.product_years!r} exceeds commitment_years "
                    f"({self.commitment_years}); allowed range (0, {self.commitment_years}]",
                    field="product_years",
                )
        _check_choice("after", self.after, AFTER_MODES)
        sy = self.start_year
        if isinstance(sy, bool) or not isinstance(sy, (int, np.integer)) or not 1990 <= sy <= 2100:
            raise ConfigError(f"must be a year in [1990, 2100], got {sy!r}", field="start_year")
        _check_number("retenant_fraction", self.retenant_fraction, 0.0, 1.0)
        _check_number(
            "retenant_delay_years", self.retenant_delay_years, 0.0, float(self.commitment_years)
        )
        _check_number("take_or_pay_fraction", self.take_or_pay_fraction, 0.0, 1.0)
        _check_number("carbon_free_share", self.carbon_free_share, 0.0, 1.0)
        _check_number("grid_decarbonization_per_yr", self.grid_decarbonization_per_yr, -0.5, 1.0)
        _check_number("price_escalation_per_yr", self.price_escalation_per_yr, -0.5, 1.0)
        _check_number("warming_c_per_decade", self.warming_c_per_decade, -2.0, 5.0)
        _check_number(
            "price_usd_per_mwh_default", self.price_usd_per_mwh_default, 0.0, 1e4, lo_open=True
        )

    @property
    def years(self) -> np.ndarray:
        """Calendar years of the commitment."""
        return self.start_year + np.arange(self.commitment_years)


_SCENARIO_SOURCES = {
    "commitment_years": ("years", "assumption (15-year example of issue 4)"),
    "product_years": ("years", "assumption: the product survives the commitment"),
    "after": ("-", "assumption"),
    "start_year": ("year", "assumption"),
    "retenant_fraction": ("-", "assumption"),
    "retenant_delay_years": ("years", "assumption"),
    "take_or_pay_fraction": ("-", "assumption: no minimum energy charge"),
    "carbon_free_share": ("-", "assumption: no contracted carbon-free energy"),
    "grid_decarbonization_per_yr": ("1/yr", "assumption: constant grid intensity"),
    "price_escalation_per_yr": ("1/yr", "assumption: constant real price"),
    "warming_c_per_decade": ("C/decade", "assumption: no warming trend (issue 4 default 0)"),
    "price_usd_per_mwh_default": ("USD/MWh", DEFAULT_PRICE_SOURCE),
}


# --------------------------------------------------------------------------------------
# climate profile: computed once per unique climate row, gathered to sites
# --------------------------------------------------------------------------------------


def _unique_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the first occurrence of each unique row and the inverse map."""
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    xc = np.ascontiguousarray(x)
    # 64-bit hash of the raw bytes of each row; collisions are checked and resolved.
    u = xc.view(np.uint32).astype(np.uint64) if xc.dtype == np.float32 else None
    if u is None:
        u = xc.view(np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    mult = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for j in range(u.shape[1]):
            h = (h ^ u[:, j]) * mult
            h ^= h >> np.uint64(29)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    if np.array_equal(xc[first[inv]].view(np.uint8), xc.view(np.uint8)):
        return first, inv.reshape(-1)
    # hash collision (practically never): exact but slower path
    v = xc.view(np.dtype((np.void, xc.dtype.itemsize * xc.shape[1]))).ravel()
    _, first, inv = np.unique(v, return_index=True, return_inverse=True)
    return first, inv.reshape(-1)


def cooling_profile(
    dry_bulb_c,
    wet_bulb_c,
    period_hours,
    facility: Facility,
    delta_c=(0.0,),
    *,
    chunk_rows: int = 65_536,
) -> tuple[np.ndarray, np.ndarray]:
    """Hour-weighted means of the climate-dependent terms, per site and climate shift.

    ``k_fac = sum_t h_t (1 + c_t) / sum_t h_t`` and ``k_water = sum_t h_t w_t / sum_t h_t``
    where ``c_t`` is cooling electricity and ``w_t`` on-site water per unit of heat
    (see :meth:`Facility.period_terms`), evaluated at the climate shifted by each
    ``delta_c`` [C] (added to dry- and wet-bulb). Evaluated once per unique climate row
    (``np.unique`` on the climate matrix) in chunks, then gathered to sites.

    Returns
    -------
    k_fac, k_water : numpy.ndarray, shape (n_site, len(delta_c))
    """
    tdb = np.asarray(dry_bulb_c, dtype=np.float32)
    twb = np.asarray(wet_bulb_c, dtype=np.float32)
    if tdb.ndim == 1:
        tdb, twb = tdb[None, :], twb[None, :]
    h = np.asarray(period_hours, dtype=float)
    hw = h / h.sum()
    deltas = np.atleast_1d(np.asarray(delta_c, dtype=float))
    n = tdb.shape[0]
    first, inv = _unique_rows(np.concatenate([tdb, twb], axis=1))
    nu = first.shape[0]
    k_fac_u = np.empty((nu, deltas.size))
    k_w_u = np.empty((nu, deltas.size))
    for s in range(0, nu, chunk_rows):
        idx = first[s : s + chunk_rows]
        a = tdb[idx].astype(float)
        b = twb[idx].astype(float)
        gap = (np.isnan(a).any(axis=1) | np.isnan(b).any(axis=1))[:, None]
        for j, d in enumerate(deltas):
            one_plus_c, w = facility.period_terms(a + d, b + d)
            k_fac_u[s : s + idx.size, j] = one_plus_c @ hw
            k_w_u[s : s + idx.size, j] = w @ hw
        if facility.uses_climate:  # a gap in either series makes the site's climate unknown
            k_fac_u[s : s + idx.size] = np.where(gap, np.nan, k_fac_u[s : s + idx.size])
            k_w_u[s : s + idx.size] = np.where(gap, np.nan, k_w_u[s : s + idx.size])
    if n == nu and np.array_equal(first, np.arange(n)):
        return k_fac_u, k_w_u
    return k_fac_u[inv], k_w_u[inv]


# --------------------------------------------------------------------------------------
# pure array core
# --------------------------------------------------------------------------------------

ANNUAL_VARIABLES = {
    "it_energy_mwh": ("MWh", "IT (fleet) electricity"),
    "facility_energy_mwh": ("MWh", "facility electricity at the meter"),
    "pue": ("-", "power usage effectiveness (facility / IT energy of the year)"),
    "wue_onsite_l_per_kwh": ("L/kWh", "on-site water per IT kWh"),
    "water_onsite_m3": ("m3", "on-site (cooling) water consumption"),
    "water_offsite_m3": ("m3", "off-site water consumed generating the electricity"),
    "co2_scope2_t": ("tCO2e", "scope 2, location-based"),
    "co2_scope2_market_t": ("tCO2e", "scope 2, market-based (after carbon-free share)"),
    "co2_embodied_t": ("tCO2e", "embodied carbon of GPU purchases (+ building if set)"),
    "energy_cost_usd": ("USD", "electricity cost incl. take-or-pay minimum"),
    "product_alive": ("-", "fraction of the year the product runs"),
}


def _check_climate_hours(period_hours) -> np.ndarray:
    h = np.asarray(period_hours, dtype=float)
    if h.ndim != 1 or h.size == 0:
        raise ConfigError("must be a 1-D array of hours per period", field="period_hours")
    if not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ConfigError(
            "every period must have a positive, finite number of hours", field="period_hours"
        )
    if not 8759.0 <= h.sum() <= 8785.0:
        raise ConfigError(
            f"periods must cover one year (8760-8784 h), got {h.sum():.1f} h",
            field="period_hours",
        )
    return h


def footprint_arrays(
    dry_bulb_c,
    wet_bulb_c,
    period_hours,
    grid_co2_g_per_kwh,
    ewif_l_per_kwh,
    price_usd_per_mwh,
    fleet: Fleet,
    facility: Facility,
    scenario: Scenario,
    *,
    warming_nodes: int | None = 5,
    dtype=np.float32,
) -> dict[str, Any]:
    """Committed footprint per site and commitment year (pure array core).

    Parameters
    ----------
    dry_bulb_c, wet_bulb_c : array_like, shape (n_site, n_period)
        Climate of a typical year [C]: 12 monthly means or 8760 hours.
    period_hours : array_like, shape (n_period,)
        Hours each period represents (sums to one year).
    grid_co2_g_per_kwh : array_like, shape (n_site,) or (n_site, n_year)
        Location-based grid intensity [gCO2e/kWh]; a 1-D value follows the scenario's
        decarbonization rate, a 2-D table is used as given.
    ewif_l_per_kwh : array_like, shape (n_site,)
        Off-site water intensity of electricity [L/kWh].
    price_usd_per_mwh : array_like, shape (n_site,)
        Electricity price in the first year [$/MWh].
    fleet, facility, scenario
        Configuration.
    warming_nodes : int or None
        With a warming trend, the climate terms are evaluated exactly at this many
        evenly spaced climate shifts and interpolated linearly in between (None: exact at
        every year).
    dtype : numpy dtype
        Floating type of the (site, year) outputs (float32 by default).

    Returns
    -------
    dict
        (site, year) arrays named as :data:`ANNUAL_VARIABLES`, plus ``after_share`` (per
        variable, the per-year share incurred after the product was shut down, or the
        absolute after-product amount for ``co2_embodied_t``), ``gpu_hours`` (delivered
        GPU-hours per year), ``years`` and ``schedule``.
    """
    tdb = np.asarray(dry_bulb_c, dtype=np.float32)
    twb = np.asarray(wet_bulb_c, dtype=np.float32)
    if tdb.ndim != 2 or tdb.shape != twb.shape:
        raise ConfigError(
            f"dry_bulb_c and wet_bulb_c must be (site, period) arrays of one shape, got "
            f"{tdb.shape} and {twb.shape}",
            field="dry_bulb_c",
        )
    hours = _check_climate_hours(period_hours)
    n, n_period = tdb.shape
    if hours.size != n_period:
        raise ConfigError(
            f"has {hours.size} periods but the climate has {n_period}", field="period_hours"
        )
    n_year = scenario.commitment_years
    g = np.asarray(grid_co2_g_per_kwh, dtype=float)
    if g.ndim == 2 and g.shape[1] != n_year:
        raise ConfigError(
            f"a (site, year) table needs {n_year} years, got {g.shape[1]}",
            field="grid_co2_g_per_kwh",
        )
    ewif = np.asarray(ewif_l_per_kwh, dtype=float).reshape(-1)
    price = np.asarray(price_usd_per_mwh, dtype=float).reshape(-1)
    for name, arr in (
        ("grid_co2_g_per_kwh", g),
        ("ewif_l_per_kwh", ewif),
        ("price_usd_per_mwh", price),
    ):
        if arr.shape[0] != n:
            raise ConfigError(f"has {arr.shape[0]} sites, the climate has {n}", field=name)

    # --- schedule (site-independent) -----------------------------------------------
    spec = fleet.spec
    f_idle = spec["idle_fraction"][0]
    u = fleet.power_fraction_alive
    r = float(scenario.retenant_fraction)
    sched = _energy.commitment_schedule(
        n_year,
        scenario.product_years,
        scenario.after,
        float(fleet.refresh_years),
        r,
        float(scenario.retenant_delay_years),
    )
    l_leased = r * u + (1.0 - r) * f_idle
    states = {  # name: (fraction per year, load fraction)
        "alive": (sched["alive"], u),
        "idle": (sched["idle"], f_idle),
        "leased": (sched["leased"], l_leased),
        "off": (sched["off"], 0.0),
    }
    a, b = facility.heat_coefficients()
    q_alive = a * u + b
    top = float(scenario.take_or_pay_fraction)
    l_bar = sum(fr * ld for fr, ld in states.values())
    q_bar = sum(fr * (a * ld + b) for fr, ld in states.values())
    q_after = sum(fr * (a * ld + b) for k, (fr, ld) in states.items() if k != "alive")
    pay = {k: fr * np.maximum(a * ld + b, top * q_alive) for k, (fr, ld) in states.items()}
    q_pay = sum(pay.values())
    q_pay_after = q_pay - pay["alive"]
    it_after_l = l_bar - sched["alive"] * u

    h_year = float(hours.sum())
    d_mw = fleet.design_it_mw
    it_mwh = d_mw * h_year * l_bar  # (year,)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_fac = np.where(q_bar > 0, q_after / q_bar, 0.0)
        share_it = np.where(l_bar > 0, it_after_l / l_bar, 0.0)
        share_cost = np.where(q_pay > 0, q_pay_after / q_pay, 0.0)

    # --- climate terms per site and year ------------------------------------------
    years_from_start = np.arange(n_year, dtype=float) + 0.5
    deltas_year = scenario.warming_c_per_decade * years_from_start / 10.0
    if np.all(deltas_year == 0.0):
        nodes = np.zeros(1)
    elif warming_nodes is None or warming_nodes >= n_year:
        nodes = deltas_year
    else:
        nodes = np.linspace(deltas_year.min(), deltas_year.max(), max(int(warming_nodes), 2))
    k_fac_n, k_w_n = cooling_profile(tdb, twb, hours, facility, nodes)
    k_fac_n = k_fac_n.astype(dtype, copy=False)
    k_w_n = k_w_n.astype(dtype, copy=False)
    if nodes.size == 1:
        k_fac = np.broadcast_to(k_fac_n, (n, n_year))
        k_w = np.broadcast_to(k_w_n, (n, n_year))
    elif nodes.size == n_year and np.array_equal(nodes, deltas_year):
        k_fac, k_w = k_fac_n, k_w_n
    else:
        pos = np.interp(deltas_year, nodes, np.arange(nodes.size, dtype=float))
        j0 = np.minimum(np.floor(pos).astype(int), nodes.size - 2)
        wgt = (pos - j0).astype(dtype)
        k_fac = k_fac_n[:, j0] * (1 - wgt) + k_fac_n[:, j0 + 1] * wgt
        k_w = k_w_n[:, j0] * (1 - wgt) + k_w_n[:, j0 + 1] * wgt

    # --- outputs (site, year), computed in `dtype` ----------------------------------
    base = ((d_mw * h_year) * q_bar).astype(dtype)  # (year,) MWh of heat-equivalent
    fac = k_fac * base[None, :]
    fixed_wue_climate_pue = facility.wue_onsite_l_per_kwh is not None and facility.pue is None
    if fixed_wue_climate_pue:
        water_on = (
            np.where(np.isnan(k_fac), dtype(np.nan), dtype(1.0))
            * ((facility.wue_onsite_l_per_kwh * it_mwh).astype(dtype)[None, :])
        )
    else:
        water_on = k_w * base[None, :]  # MWh x L/kWh = m3
    water_off = fac * ewif.astype(dtype)[:, None]
    if g.ndim == 2:
        co2 = fac * (g / 1e3).astype(dtype)
    else:
        decline = (1.0 - float(scenario.grid_decarbonization_per_yr)) ** np.arange(n_year)
        co2 = fac * (g.astype(dtype) / dtype(1e3))[:, None]
        co2 *= decline.astype(dtype)[None, :]
    co2_mkt = co2 * dtype(1.0 - scenario.carbon_free_share)
    esc = (1.0 + scenario.price_escalation_per_yr) ** np.arange(n_year, dtype=float)
    cost_base = ((d_mw * h_year) * q_pay * esc).astype(dtype)  # (year,)
    cost = k_fac * cost_base[None, :]
    cost *= price.astype(dtype)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        inv_it = np.where(it_mwh > 0, 1.0 / it_mwh, np.nan).astype(dtype)
    pue_y = fac * inv_it[None, :]
    wue_y = water_on * inv_it[None, :]
    it2 = np.broadcast_to(it_mwh.astype(dtype)[None, :], (n, n_year))
    kg_gpu = spec["embodied_kg_per_gpu"][0]
    emb = sched["purchases"] * int(fleet.gpus) * kg_gpu / 1e3
    emb_after = sched["purchases_after"] * int(fleet.gpus) * kg_gpu / 1e3
    emb = emb.copy()
    emb[0] += facility.building_embodied_t_per_mw * d_mw
    gpu_hours = int(fleet.gpus) * h_year * (sched["alive"] + r * sched["leased"])

    out: dict[str, Any] = {
        "it_energy_mwh": it2,
        "facility_energy_mwh": fac,
        "pue": pue_y,
        "wue_onsite_l_per_kwh": wue_y,
        "water_onsite_m3": water_on,
        "water_offsite_m3": water_off,
        "co2_scope2_t": co2,
        "co2_scope2_market_t": co2_mkt,
        "co2_embodied_t": np.broadcast_to(emb.astype(dtype)[None, :], (n, n_year)),
        "energy_cost_usd": cost,
        "product_alive": np.broadcast_to(sched["alive"].astype(dtype)[None, :], (n, n_year)),
    }
    out["after_share"] = {
        "it_energy_mwh": share_it,
        "facility_energy_mwh": share_fac,
        "water_onsite_m3": share_it if fixed_wue_climate_pue else share_fac,
        "water_offsite_m3": share_fac,
        "co2_scope2_t": share_fac,
        "co2_scope2_market_t": share_fac,
        "energy_cost_usd": share_cost,
        "co2_embodied_t_absolute": emb_after,
    }
    out["gpu_hours"] = gpu_hours
    out["years"] = scenario.years
    out["schedule"] = sched
    return out


# --------------------------------------------------------------------------------------
# assess: site table in, Assessment out
# --------------------------------------------------------------------------------------

SUMMARY_TOTALS = (
    "it_energy_mwh",
    "facility_energy_mwh",
    "water_onsite_m3",
    "water_offsite_m3",
    "co2_scope2_t",
    "co2_embodied_t",
    "energy_cost_usd",
)


@dataclass
class Assessment:
    """Result of :func:`assess`.

    Attributes
    ----------
    annual : xarray.Dataset
        Variables of :data:`ANNUAL_VARIABLES` with dims (site, year), units in attrs.
    summary : geopandas.GeoDataFrame
        One row per input site in input order, all input columns kept, plus lifetime
        totals, their ``_after_product`` parts, intensities per delivered GPU-hour,
        ``status`` and ``reason``.
    assumptions : pandas.DataFrame
        parameter, value, unit, source (citation, "assumption" or "user override").
    """

    annual: Any
    summary: Any
    assumptions: pd.DataFrame
    fleet: Fleet = field(repr=False, default=None)
    facility: Facility = field(repr=False, default=None)
    scenario: Scenario = field(repr=False, default=None)


def _climate_from_columns(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dry_cols = [f"dry_bulb_c_m{m:02d}" for m in range(1, 13)]
    wet_cols = [f"wet_bulb_c_m{m:02d}" for m in range(1, 13)]
    missing = [c for c in dry_cols + wet_cols if c not in df.columns]
    if missing:
        raise LayerError(
            f"the site table has no climate column(s) {', '.join(missing[:3])}"
            f"{' ...' if len(missing) > 3 else ''}; join the climate layer first or pass "
            "climate=",
            field=missing[0],
        )
    return _numeric_block(df, dry_cols), _numeric_block(df, wet_cols), MONTHLY_HOURS.copy()


def _numeric_block(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Columns as a float32 matrix; text and +-inf become NaN (a gap with a reason)."""
    block = df[cols]
    if not all(pd.api.types.is_numeric_dtype(t) for t in block.dtypes):
        block = block.apply(pd.to_numeric, errors="coerce")
    out = block.to_numpy(dtype=np.float32, na_value=np.nan)
    bad = ~np.isfinite(out)
    if bad.any():
        out = np.array(out, copy=True)  # pandas may hand out a read-only view
        out[bad] = np.nan
    return out


def _climate_from_dataset(climate, df: pd.DataFrame, site_ids: np.ndarray):
    for var in ("dry_bulb_c", "wet_bulb_c"):
        if var not in climate:
            raise LayerError(f"climate dataset has no variable '{var}'", field=var)
    dry = climate["dry_bulb_c"].transpose("site", "period")
    wet = climate["wet_bulb_c"].transpose("site", "period")
    if "period_hours" in climate:
        hours = np.asarray(climate["period_hours"].values, dtype=float)
    elif dry.sizes["period"] == 12:
        hours = MONTHLY_HOURS.copy()
    elif dry.sizes["period"] in (8760, 8784):
        hours = np.ones(dry.sizes["period"])
    else:
        raise LayerError(
            f"climate dataset needs a 'period_hours' variable for {dry.sizes['period']} periods",
            field="period_hours",
        )
    if "site" in climate.coords and set(map(str, site_ids)) <= set(
        map(str, climate["site"].values)
    ):
        dry = dry.sel(site=list(site_ids))
        wet = wet.sel(site=list(site_ids))
    elif dry.sizes["site"] != len(df):
        raise LayerError(
            f"climate dataset has {dry.sizes['site']} sites and no matching site ids; the "
            f"site table has {len(df)}",
            field="site",
        )
    tdb = np.array(dry.values, dtype=np.float32)
    twb = np.array(wet.values, dtype=np.float32)
    tdb[~np.isfinite(tdb)] = np.nan
    twb[~np.isfinite(twb)] = np.nan
    return tdb, twb, hours


def _ewif_for_sites(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    n = len(df)
    ewif = np.full(n, np.nan)
    level = np.full(n, "", dtype=object)
    if "ewif_l_per_kwh" in df.columns:
        v = pd.to_numeric(df["ewif_l_per_kwh"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(v)
        ewif[ok] = v[ok]
        level[ok] = "layer"
    mix_cols = [c for c in _energy.MIX_COLUMNS if c in df.columns]
    if mix_cols:
        factors = _energy.load_ewif_factors().set_index("mix_column")["l_per_kwh"]
        f = np.array([factors.get(c, np.nan) for c in mix_cols], dtype=float)
        mix = df[mix_cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        from_mix = _energy.ewif_from_mix(mix, f)
        use = ~np.isfinite(ewif) & np.isfinite(from_mix)
        ewif[use] = from_mix[use]
        level[use] = "fuel_mix_macknick2012"
    rest = ~np.isfinite(ewif)
    ewif[rest] = _energy.EWIF_FALLBACK_L_PER_KWH
    level[rest] = "assumption"
    return ewif, level


def _reasons(
    n_dry_missing: np.ndarray,
    n_wet_missing: np.ndarray,
    grid_missing: np.ndarray,
    n_period: int,
    climate_used: bool,
) -> np.ndarray:
    if not climate_used:
        n_dry_missing = np.zeros_like(n_dry_missing)
        n_wet_missing = np.zeros_like(n_wet_missing)
    code = (
        n_dry_missing.astype(np.int64) * (n_period + 1) * 2
        + n_wet_missing.astype(np.int64) * 2
        + grid_missing.astype(np.int64)
    )
    uniq, inv = np.unique(code, return_inverse=True)
    texts = []
    for c in uniq:
        parts = []
        nd = c // ((n_period + 1) * 2)
        nw = (c // 2) % (n_period + 1)
        if nd:
            parts.append(f"missing dry_bulb_c in {nd} of {n_period} periods")
        if nw:
            parts.append(f"missing wet_bulb_c in {nw} of {n_period} periods")
        if c % 2:
            parts.append("missing grid_co2_g_per_kwh")
        texts.append("; ".join(parts))
    return np.asarray(texts, dtype=object)[inv.reshape(-1)]


def _assumptions(fleet: Fleet, facility: Facility, scenario: Scenario, ewif_level) -> pd.DataFrame:
    rows = [
        (
            "gpu",
            fleet.gpu,
            "-",
            "user override" if fleet.gpu != "H100-SXM" else "assumption (default)",
        )
    ]
    rows.append(("gpus", int(fleet.gpus), "GPUs", "user override"))
    rows.append(
        (
            "utilization",
            float(fleet.utilization),
            "fraction of full-load power",
            DEFAULT_UTILIZATION_SOURCE
            if fleet.utilization == DEFAULT_UTILIZATION
            else "user override",
        )
    )
    rows.append(
        (
            "refresh_years",
            float(fleet.refresh_years),
            "years",
            DEFAULT_REFRESH_SOURCE
            if fleet.refresh_years == DEFAULT_REFRESH_YEARS
            else "user override",
        )
    )
    units = {
        "gpu_tdp_w": "W",
        "system_w_per_gpu": "W per GPU",
        "idle_fraction": "fraction of full-load power",
        "embodied_kg_per_gpu": "kgCO2e per GPU",
    }
    for name, (value, source) in fleet.spec.items():
        rows.append((name, value, units[name], source))
    rows.append(
        (
            "cooling",
            facility.cooling,
            "-",
            "assumption (default)" if facility.cooling == "evaporative" else "user override",
        )
    )
    rows.append(
        (
            "preset",
            facility.preset,
            "-",
            "assumption (default)" if facility.preset == "hyperscale" else "user override",
        )
    )
    rows.append(
        (
            "water_model",
            facility.water_model,
            "-",
            "Lei & Masanet (2022) RCR 182:106323"
            if facility.water_model == "energy_balance"
            else "Li et al. (2023) arXiv:2304.03271",
        )
    )
    if facility.pue is not None:
        rows.append(("pue (fixed)", facility.pue, "-", "user override"))
    if facility.wue_onsite_l_per_kwh is not None:
        rows.append(
            (
                "wue_onsite_l_per_kwh (fixed)",
                facility.wue_onsite_l_per_kwh,
                "L/kWh",
                "user override",
            )
        )
    for name, (value, unit, source) in facility.parameters().items():
        rows.append((name, value, unit, source))
    rows.append(
        (
            "building_embodied_t_per_mw",
            facility.building_embodied_t_per_mw,
            "tCO2e/MW design IT",
            "assumption: not counted"
            if facility.building_embodied_t_per_mw == 0
            else "user override",
        )
    )
    defaults = {f.name: f.default for f in dataclasses.fields(Scenario)}
    for name, (unit, source) in _SCENARIO_SOURCES.items():
        value = getattr(scenario, name)
        src = source if value == defaults[name] else "user override"
        rows.append((name, value, unit, src))
    rows.append(
        (
            "calibration_load_fraction",
            CALIBRATION_LOAD_FRACTION,
            "-",
            DEFAULT_UTILIZATION_SOURCE,
        )
    )
    lv = pd.Series(ewif_level)
    if (lv == "assumption").any():
        rows.append(
            (
                "ewif_fallback_l_per_kwh",
                _energy.EWIF_FALLBACK_L_PER_KWH,
                "L/kWh",
                _energy.EWIF_FALLBACK_SOURCE,
            )
        )
    if (lv == "fuel_mix_macknick2012").any():
        for rec in _energy.load_ewif_factors().itertuples():
            rows.append(
                (f"ewif_factor_{rec.fuel}", round(float(rec.l_per_kwh), 6), "L/kWh", rec.source)
            )
    df = pd.DataFrame(rows, columns=["parameter", "value", "unit", "source"])
    df["value"] = df["value"].astype(object)
    return df


def assess(
    sites,
    fleet: Fleet,
    scenario: Scenario,
    facility: Facility | None = None,
    climate=None,
    *,
    grid_co2_g_per_kwh_by_year=None,
    warming_nodes: int | None = 5,
) -> Assessment:
    """Committed footprint of a fleet at every candidate site.

    Parameters
    ----------
    sites : pandas.DataFrame or geopandas.GeoDataFrame
        The joined site table (``docs/columns.md``): ``dry_bulb_c_m01..12``,
        ``wet_bulb_c_m01..12`` (unless ``climate`` is given), ``grid_co2_g_per_kwh``,
        optionally ``mix_*_pct`` or ``ewif_l_per_kwh``, ``price_usd_per_mwh``,
        ``water_scarcity_factor``.
    fleet, scenario, facility
        Configuration (``facility`` defaults to ``Facility()``: hyperscale evaporative).
    climate : xarray.Dataset, optional
        ``dry_bulb_c`` and ``wet_bulb_c`` with dims (site, period) and ``period_hours``
        (e.g. an hourly typical year); replaces the monthly columns.
    grid_co2_g_per_kwh_by_year : array_like, optional
        (n_site, commitment_years) intensity table overriding the decarbonization rate.
    warming_nodes : int or None
        See :func:`footprint_arrays`.

    Returns
    -------
    Assessment
    """
    import geopandas as gpd
    import xarray as xr

    if not isinstance(fleet, Fleet):
        raise ConfigError(
            f"must be a siting.model.Fleet, got {type(fleet).__name__}", field="fleet"
        )
    if not isinstance(scenario, Scenario):
        raise ConfigError(
            f"must be a siting.model.Scenario, got {type(scenario).__name__}", field="scenario"
        )
    facility = Facility() if facility is None else facility
    if not isinstance(facility, Facility):
        raise ConfigError(
            f"must be a siting.model.Facility, got {type(facility).__name__}", field="facility"
        )
    df = sites if isinstance(sites, pd.DataFrame) else pd.DataFrame(sites)
    n = len(df)
    if "site_id" in df.columns:
        site_ids = df["site_id"].astype(str).to_numpy()
    else:
        site_ids = np.array([f"site-{i + 1:04d}" for i in range(n)], dtype=object)

    if climate is not None:
        tdb, twb, hours = _climate_from_dataset(climate, df, site_ids)
    else:
        tdb, twb, hours = _climate_from_columns(df)
    if "grid_co2_g_per_kwh" not in df.columns and grid_co2_g_per_kwh_by_year is None:
        raise LayerError(
            "the site table has no 'grid_co2_g_per_kwh' column; join the grid layer first",
            field="grid_co2_g_per_kwh",
        )
    if grid_co2_g_per_kwh_by_year is not None:
        grid = np.asarray(grid_co2_g_per_kwh_by_year, dtype=float)
        if grid.shape != (n, scenario.commitment_years):
            raise ConfigError(
                f"must have shape ({n}, {scenario.commitment_years}), got {grid.shape}",
                field="grid_co2_g_per_kwh_by_year",
            )
        grid_missing = ~np.all(np.isfinite(grid), axis=1)
    else:
        grid = pd.to_numeric(df["grid_co2_g_per_kwh"], errors="coerce").to_numpy(dtype=float).copy()
        grid[~np.isfinite(grid) | (grid < 0)] = np.nan
        grid_missing = ~np.isfinite(grid)
    ewif, ewif_level = _ewif_for_sites(df)
    if "price_usd_per_mwh" in df.columns:
        price = pd.to_numeric(df["price_usd_per_mwh"], errors="coerce").to_numpy(dtype=float)
    else:
        price = np.full(n, np.nan)
    price_assumed = ~np.isfinite(price)
    price = np.where(price_assumed, scenario.price_usd_per_mwh_default, price)

    res = footprint_arrays(
        tdb,
        twb,
        hours,
        grid,
        ewif,
        price,
        fleet,
        facility,
        scenario,
        warming_nodes=warming_nodes,
    )
    years = res["years"]

    # --- annual dataset -----------------------------------------------------------
    data_vars = {}
    for name, (unit, long_name) in ANNUAL_VARIABLES.items():
        data_vars[name] = xr.Variable(
            ("site", "year"), res[name], attrs={"units": unit, "long_name": long_name}
        )
    annual = xr.Dataset(
        data_vars,
        coords={"site": ("site", site_ids), "year": ("year", years)},
        attrs={
            "title": "siting committed footprint, per site and commitment year",
            "gpu": fleet.gpu,
            "gpus": int(fleet.gpus),
            "cooling": facility.cooling,
            "preset": facility.preset,
            "commitment_years": scenario.commitment_years,
            "product_years": -1.0
            if scenario.product_years is None
            else float(scenario.product_years),
            "after": scenario.after,
            "method": "docs/method_model.md",
        },
    )

    # --- summary ------------------------------------------------------------------
    # the input columns are not copied (``copy=False``: geopandas would copy a plain
    # DataFrame): under pandas copy-on-write the summary shares them with ``sites``
    # until either is modified, and nothing here modifies ``sites``
    if isinstance(df, gpd.GeoDataFrame):
        summary = df
    elif "geometry" in df.columns:
        summary = gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326", copy=False)
    elif {"lat", "lon"} <= set(df.columns):
        summary = gpd.GeoDataFrame(
            df,
            geometry=gpd.points_from_xy(
                pd.to_numeric(df["lon"], errors="coerce"), pd.to_numeric(df["lat"], errors="coerce")
            ),
            crs="EPSG:4326",
            copy=False,
        )
    else:
        summary = gpd.GeoDataFrame(df, copy=False)
    new: dict[str, np.ndarray] = {}
    shares = res["after_share"]
    for name in SUMMARY_TOTALS:
        arr = res[name]
        new[name] = arr.sum(axis=1, dtype=np.float64)
        if name == "co2_embodied_t":
            after_val = float(np.sum(shares["co2_embodied_t_absolute"]))
            new[f"{name}_after_product"] = np.full(n, after_val)
        else:
            new[f"{name}_after_product"] = arr.astype(np.float64) @ shares[name]
    with np.errstate(invalid="ignore", divide="ignore"):
        for suffix in ("", "_after_product"):
            it = new[f"it_energy_mwh{suffix}"]
            new[f"pue_annual{suffix}"] = np.where(
                it > 0, new[f"facility_energy_mwh{suffix}"] / it, np.nan
            )
            new[f"wue_onsite_l_per_kwh{suffix}"] = np.where(
                it > 0, new[f"water_onsite_m3{suffix}"] / it, np.nan
            )
        gh = float(np.sum(res["gpu_hours"]))
        water_l = (new["water_onsite_m3"] + new["water_offsite_m3"]) * 1e3
        co2_kg = (new["co2_scope2_t"] + new["co2_embodied_t"]) * 1e3
        new["water_l_per_gpu_hour"] = water_l / gh if gh > 0 else np.full(n, np.nan)
        new["co2_kg_per_gpu_hour"] = co2_kg / gh if gh > 0 else np.full(n, np.nan)
    new["co2_scope2_market_t"] = res["co2_scope2_market_t"].sum(axis=1, dtype=np.float64)
    if "water_scarcity_factor" in df.columns:
        wsf = pd.to_numeric(df["water_scarcity_factor"], errors="coerce").to_numpy(dtype=float)
        new["water_scarcity_weighted_m3"] = new["water_onsite_m3"] * wsf
    new["ewif_l_per_kwh"] = ewif
    new["ewif_level"] = ewif_level
    new["price_usd_per_mwh"] = price
    if "price_level" in df.columns:
        lvl = df["price_level"].astype(object).to_numpy().copy()
        lvl[price_assumed] = "assumption"
    else:
        lvl = np.where(price_assumed, "assumption", "layer").astype(object)
    new["price_level"] = lvl
    climate_used = facility.uses_climate
    n_dry = np.isnan(tdb).sum(axis=1)
    n_wet = np.isnan(twb).sum(axis=1)
    reason = _reasons(n_dry, n_wet, grid_missing, tdb.shape[1], climate_used)
    incomplete = reason != ""
    for fam in ("climate", "grid"):
        col = f"{fam}_reason"
        if col in df.columns and incomplete.any():
            layer_reason = df[col].fillna("").astype(str).to_numpy()
            add = incomplete & (layer_reason != "")
            reason = reason.copy()
            reason[add] = reason[add] + f" ({col}: " + layer_reason[add] + ")"
    new["status"] = np.where(incomplete, "incomplete", "ok").astype(object)
    new["reason"] = reason
    order = [
        "it_energy_mwh",
        "facility_energy_mwh",
        "pue_annual",
        "wue_onsite_l_per_kwh",
        "water_onsite_m3",
        "water_offsite_m3",
        "co2_scope2_t",
        "co2_scope2_market_t",
        "co2_embodied_t",
        "energy_cost_usd",
    ]
    order += [f"{c}_after_product" for c in order if c != "co2_scope2_market_t"]
    order += ["water_l_per_gpu_hour", "co2_kg_per_gpu_hour"]
    order += [c for c in ("water_scarcity_weighted_m3",) if c in new]
    order += [
        "ewif_l_per_kwh",
        "ewif_level",
        "price_usd_per_mwh",
        "price_level",
        "status",
        "reason",
    ]
    geom_name = summary.geometry.name if summary._geometry_column_name in summary else None
    crs = summary.crs if geom_name is not None else None
    # a user's own column named like a model output (e.g. a campus "status") is kept
    # as input_<name>; layer columns the model resolves (price, EWIF) are replaced
    resolved = {"price_usd_per_mwh", "price_level", "ewif_l_per_kwh", "ewif_level"}
    clash = [c for c in order if c in summary.columns and c not in resolved]
    if clash:
        summary = summary.rename(columns={c: f"input_{c}" for c in clash})
    keep = [c for c in summary.columns if c not in new]
    block = pd.DataFrame({c: new[c] for c in order}, index=summary.index)
    summary = pd.concat([pd.DataFrame(summary[keep]), block], axis=1)
    if geom_name is not None:
        summary = gpd.GeoDataFrame(summary, geometry=geom_name, crs=crs, copy=False)
    else:
        summary = gpd.GeoDataFrame(summary, copy=False)
    return Assessment(
        annual=annual,
        summary=summary,
        assumptions=_assumptions(fleet, facility, scenario, ewif_level),
        fleet=fleet,
        facility=facility,
        scenario=scenario,
    )
