"""Colour scales of the map: values to RGB on a matplotlib colour map, and the legend."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siting.app.tables import format_value

__all__ = ["NO_VALUE_RGB", "ColourScale", "colour_scale", "colours_on", "legend_image"]

#: Colour of a site or polygon without a value (RGB).
NO_VALUE_RGB = (170, 170, 170)


@dataclass(frozen=True)
class ColourScale:
    """How values were mapped to colours (for the legend)."""

    column: str
    label: str
    unit: str
    vmin: float
    vmax: float
    log: bool
    cmap: str
    lower_is_better: bool

    def describe(self) -> str:
        """One line for the legend."""
        if not (math.isfinite(self.vmin) and math.isfinite(self.vmax)):
            return f"{self.label}: no values"
        from siting.report.charts import COLOUR_CONVENTION

        scale = " (log scale)" if self.log else ""
        unit = f" {self.unit}" if self.unit and self.unit != "-" else ""
        lo, hi = format_value(self.vmin), format_value(self.vmax)
        if not self.lower_is_better:  # the colour map is reversed: yellow is the highest
            lo, hi = hi, lo
        return (
            f"{self.label}: yellow = {lo}{unit}, purple = {hi}{unit}{scale} "
            f"({COLOUR_CONVENTION}, as in the reports); grey = no value"
        )


def _cmap(name: str) -> Any:
    import matplotlib

    return matplotlib.colormaps[name]


def colour_scale(
    values: np.ndarray | pd.Series,
    *,
    column: str = "",
    label: str = "",
    unit: str = "",
    cmap: str = "viridis_r",
    extra: Iterable[float] = (),
    lower_is_better: bool = True,
    log: bool = False,
) -> tuple[np.ndarray, ColourScale]:
    """RGB colours (uint8, shape (n, 3)) for ``values`` on a matplotlib colour map.

    The range is the min-max of the finite values (and of ``extra``, e.g. the boundary
    values drawn with the same scale). With ``log=True`` the scale is logarithmic when
    every value is positive (used for AWARE factors, defined on 0.1-100). NaN gets
    :data:`NO_VALUE_RGB`. ``viridis_r``: the lowest value is yellow, the highest
    dark purple (perceptually uniform, readable with colour-vision deficiency).
    """
    x = pd.to_numeric(pd.Series(np.asarray(values)), errors="coerce").to_numpy(dtype=float)
    pool = np.concatenate([x, np.asarray(list(extra), dtype=float)])
    fin = pool[np.isfinite(pool)]
    if fin.size == 0:
        vmin = vmax = math.nan
    else:
        vmin, vmax = float(fin.min()), float(fin.max())
    log = bool(log and vmin > 0 and vmax > vmin)
    if not lower_is_better and cmap == "viridis_r":  # yellow = better: the highest here
        cmap = "viridis"
    scale = ColourScale(column, label or column, unit, vmin, vmax, log, cmap, lower_is_better)
    return colours_on(x, scale), scale


def legend_image(cmap: str = "viridis_r", width: int = 256, height: int = 14) -> np.ndarray:
    """A horizontal colour bar (uint8 RGB image) of ``cmap``, low values on the left."""
    rgba = _cmap(cmap)(np.linspace(0.0, 1.0, width))
    row = (np.asarray(rgba)[:, :3] * 255).round().astype(np.uint8)
    return np.repeat(row[None, :, :], height, axis=0)


def colours_on(values: np.ndarray, scale: ColourScale) -> np.ndarray:
    """RGB colours (uint8, shape (n, 3)) of ``values`` on a scale (its range and log
    choice); :data:`NO_VALUE_RGB` for NaN and for every value of a scale without values."""
    x = np.asarray(values, dtype=float)
    if not (math.isfinite(scale.vmin) and math.isfinite(scale.vmax)):
        return np.tile(np.array(NO_VALUE_RGB, dtype=np.uint8), (x.size, 1))
    with np.errstate(all="ignore"):
        if scale.log:
            lo, hi = math.log10(scale.vmin), math.log10(scale.vmax)
            t = (np.log10(x) - lo) / max(hi - lo, 1e-12)
        else:
            span = scale.vmax - scale.vmin
            t = (x - scale.vmin) / span if span > 0 else np.zeros_like(x)
    t = np.clip(t, 0.0, 1.0)
    ok = np.isfinite(t)
    rgb = (np.asarray(_cmap(scale.cmap)(np.where(ok, t, 0.0)))[:, :3] * 255).round()
    rgb = rgb.astype(np.uint8)
    rgb[~ok] = NO_VALUE_RGB
    return rgb
