"""The per-site annual chart of the report cards as a small hand-written SVG.

A site card shows, per year of the commitment, stacked step areas of on-site and
off-site water and of scope-2 and embodied carbon, cool colours while the product runs
and warm ones after it is shut down (dashed line). Drawn as SVG text (no matplotlib):
a report of the top 200 of a million sites draws 200 of them, and rasterising each
through Agg took ~0.3 s. Embedded as an ``<img>`` data URI, so the SVG cannot run
scripts; every text in it is a number or a fixed label (no user text).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Sequence
from html import escape

import numpy as np

__all__ = ["nice_ticks", "stacked_years_svg", "svg_data_uri"]

# layout [px]: the size of the former 8.4 x 2.5 in figure at 90 dpi
_W, _H = 756, 225
_PANEL_TOP, _PANEL_BOTTOM = 27, 153  # plot area, y of top and bottom edge
_LEFT_PAD, _RIGHT_PAD, _GAP = 53, 19, 58
_FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"


def nice_ticks(top: float, target: int = 4) -> np.ndarray:
    """Tick values 0, s, 2s, ... covering ``[0, top]`` with a step ``s`` of 1, 2, 2.5
    or 5 times a power of ten giving about ``target`` intervals."""
    if not math.isfinite(top) or top <= 0:
        return np.array([0.0, 1.0])
    raw = top / target
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw)
    n = int(math.ceil(top / step - 1e-9))
    return np.arange(n + 1) * step


def _year_ticks(first: int, last: int) -> range:
    span = last - first + 1
    step = next(s for s in (1, 2, 5, 10, 20, 50) if span / s <= 8)
    start = first + (-first) % step
    return range(start, last + 2, step)


def _panel(
    x0: float,
    width: float,
    years: np.ndarray,
    parts: Sequence[tuple[str, np.ndarray]],
    title: str,
    stop: float | None,
    fmt: Callable[[float], str],
) -> list[str]:
    """SVG elements of one panel: title, shutdown band, stacked steps, axes, ticks."""
    first, last = int(years[0]), int(years[-1])
    x_end = last + 1.0
    height = _PANEL_BOTTOM - _PANEL_TOP
    base = np.zeros(len(years))
    stacks = []
    for colour, values in parts:
        v = np.clip(np.nan_to_num(np.asarray(values, dtype=float), nan=0.0), 0.0, None)
        if np.any(v):
            stacks.append((colour, base.copy(), base + v))
            base = base + v
    ticks = nice_ticks(float(base.max()) * 1.05 if len(base) else 0.0)
    y_top = float(ticks[-1])
    show_stop = stop is not None and first <= stop <= x_end

    def sx(t: float) -> float:
        return x0 + (t - first) / (x_end - first) * width

    def sy(v: float) -> float:
        return _PANEL_BOTTOM - v / y_top * height

    out = [
        f'<text x="{x0:.1f}" y="{_PANEL_TOP - 8}" font-size="12">{escape(title)}</text>',
    ]
    if show_stop:
        out.append(
            f'<rect x="{sx(stop):.1f}" y="{_PANEL_TOP}" width="{sx(x_end) - sx(stop):.1f}" '
            f'height="{height}" fill="#b2182b" fill-opacity="0.06"/>'
        )
    for colour, lo, hi in stacks:
        pts = []
        for i, y in enumerate(years):
            pts += [(sx(y), sy(hi[i])), (sx(y + 1.0), sy(hi[i]))]
        for i in range(len(years) - 1, -1, -1):
            pts += [(sx(years[i] + 1.0), sy(lo[i])), (sx(years[i]), sy(lo[i]))]
        d = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
        out.append(f'<polygon points="{d}" fill="{colour}"/>')
    for t in ticks:
        y = sy(float(t))
        out.append(
            f'<line x1="{x0 - 3:.1f}" y1="{y:.1f}" x2="{x0:.1f}" y2="{y:.1f}" stroke="#333"/>'
            f'<text x="{x0 - 5:.1f}" y="{y + 3.5:.1f}" font-size="9" '
            f'text-anchor="end">{escape(fmt(float(t)))}</text>'
        )
    for t in _year_ticks(first, last):
        x = sx(float(t))
        out.append(
            f'<line x1="{x:.1f}" y1="{_PANEL_BOTTOM}" x2="{x:.1f}" '
            f'y2="{_PANEL_BOTTOM + 3}" stroke="#333"/>'
            f'<text x="{x:.1f}" y="{_PANEL_BOTTOM + 14}" font-size="9" '
            f'text-anchor="middle">{t}</text>'
        )
    out.append(
        f'<path d="M{x0:.1f},{_PANEL_TOP} V{_PANEL_BOTTOM} H{x0 + width:.1f}" '
        'fill="none" stroke="#333"/>'
    )
    if show_stop:
        xs = sx(stop)
        out.append(
            f'<line x1="{xs:.1f}" y1="{_PANEL_TOP}" x2="{xs:.1f}" y2="{_PANEL_BOTTOM}" '
            'stroke="#b2182b" stroke-dasharray="4,2"/>'
            f'<text x="{xs + 3:.1f}" y="{_PANEL_TOP + 9}" font-size="9" '
            'fill="#b2182b">product shut down</text>'
        )
    return out


def stacked_years_svg(
    years: np.ndarray,
    panels: Sequence[tuple[str, Sequence[tuple[str, np.ndarray]]]],
    legend: Sequence[tuple[str, str]],
    stop: float | None,
    fmt: Callable[[float], str],
) -> str:
    """SVG of side-by-side panels of stacked per-year step areas.

    Parameters
    ----------
    years : array of int
        Calendar years; each value covers ``[year, year + 1)``.
    panels : sequence of (title, parts)
        ``parts``: ``(colour, values per year)`` stacked bottom-up (NaN and negative
        values drawn as 0).
    legend : sequence of (colour, label)
    stop : float or None
        Time of the product's shutdown (dashed line, shaded after), or None.
    fmt : callable
        Label of a y tick value.
    """
    years = np.asarray(years)
    n = max(len(panels), 1)
    width = (_W - _LEFT_PAD - _RIGHT_PAD - _GAP * (n - 1)) / n
    body = []
    for k, (title, parts) in enumerate(panels):
        x0 = _LEFT_PAD + k * (width + _GAP)
        body += _panel(x0, width, years, parts, title, stop, fmt)
    x, y = 20.0, _PANEL_BOTTOM + 36.0
    for colour, label in legend:
        w = 23 + 5.6 * len(label) + 16  # swatch, text at ~5.6 px per 9 px character, gap
        if x + w > _W - 10 and x > 20:
            x, y = 20.0, y + 16
        body.append(
            f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="18" height="9" fill="{colour}"/>'
            f'<text x="{x + 23:.1f}" y="{y:.1f}" font-size="9">{escape(label)}</text>'
        )
        x += w
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" font-family="{_FONT}" fill="#222">'
        f'<rect width="{_W}" height="{_H}" fill="#fff"/>' + "".join(body) + "</svg>"
    )


def svg_data_uri(svg: str) -> str:
    """``data:image/svg+xml;base64,...`` URI of an SVG document."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
