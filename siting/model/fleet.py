"""GPU catalog, the :class:`Fleet` a facility is built for, and the validation helpers.

The catalog (``data/gpus.csv``) carries one source column per number; :class:`Fleet`
resolves catalog values and user overrides to ``(value, source)`` pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import ConfigError, LayerError

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
    return Path(__file__).resolve().parents[2] / "data"


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
    def gpu_cooling(self) -> tuple[str, str]:
        """How the GPU is cooled ``(air | liquid | either, source)`` from the catalog
        column ``cooling`` (``either`` when a user catalog lacks the column)."""
        row = gpu_catalog().loc[self.gpu]
        if "cooling" not in row.index or pd.isna(row["cooling"]):
            return "either", "GPU catalog has no 'cooling' column"
        value = str(row["cooling"]).strip().lower()
        if value not in ("air", "liquid", "either"):
            raise LayerError(
                f"GPU {self.gpu}: column 'cooling' must be air, liquid or either, got {value!r}"
            )
        return value, str(row.get("cooling_source", ""))

    @property
    def liquid_fraction(self) -> tuple[float, str] | None:
        """Share of the system's heat a cold-plate (direct-to-chip) build of this GPU
        takes into the liquid ``(value [-], source)`` from the catalog column
        ``liquid_fraction``; None when the catalog lacks it (the design preset applies)."""
        row = gpu_catalog().loc[self.gpu]
        if "liquid_fraction" not in row.index or pd.isna(row["liquid_fraction"]):
            return None
        value = float(row["liquid_fraction"])
        if not 0.0 < value <= 1.0:
            raise LayerError(
                f"GPU {self.gpu}: column 'liquid_fraction' must be in (0, 1], got {value!r}"
            )
        return value, "GPU catalog: " + str(row.get("liquid_fraction_source", ""))

    @property
    def design_it_mw(self) -> float:
        """Full-load IT power of the fleet = design IT capacity of the facility [MW]."""
        return int(self.gpus) * self.spec["system_w_per_gpu"][0] / 1e6

    @property
    def power_fraction_alive(self) -> float:
        """Load fraction while the product runs: ``max(utilization, idle_fraction)``."""
        return max(float(self.utilization), self.spec["idle_fraction"][0])
