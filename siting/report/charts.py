"""Charts of the report, rendered with matplotlib's Agg canvas and embedded as PNG data URIs.

No pyplot state is touched (each figure is a :class:`matplotlib.figure.Figure` on its own
Agg canvas), so building a report never changes the backend of an application or a
notebook. Text drawn in a figure never goes through mathtext (``text.parse_math`` off):
a site id such as ``$x$`` is drawn as typed. The map labels sites by rank number only.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from siting.report import AnnualArrays

__all__ = [
    "COLORS",
    "SiteChartRenderer",
    "compact_number",
    "overview_chart",
    "png_data_uri",
    "shutdown_year",
    "site_chart",
    "site_map",
    "split_chart",
]

#: Colours: cool for "while the product runs", warm for "after it is shut down".
COLORS = {
    "water_onsite_m3_before": "#1f5f99",
    "water_offsite_m3_before": "#8dbbe3",
    "water_onsite_m3_after": "#c25a00",
    "water_offsite_m3_after": "#f3b57c",
    "co2_scope2_t_before": "#3d3d3d",
    "co2_embodied_t_before": "#a6a6a6",
    "co2_scope2_t_after": "#b2182b",
    "co2_embodied_t_after": "#f4a582",
    "shutdown": "#b2182b",
}
_LABELS = {
    "water_onsite_m3": "on-site",
    "water_offsite_m3": "off-site (power plants)",
    "co2_scope2_t": "scope 2 (location)",
    "co2_embodied_t": "embodied",
}
_RC = {
    "text.parse_math": False,
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@contextmanager
def _style():
    with rc_context(_RC):
        yield


def _figure(width: float, height: float, dpi: int = 96) -> Figure:
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def png_data_uri(fig: Figure) -> str:
    """Render ``fig`` to PNG and return a ``data:image/png;base64,...`` URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def compact_number(x: float, _pos: Any = None) -> str:
    """Axis label with an SI-like suffix: 1,250,000 -> ``1.25M``."""
    if not np.isfinite(x):
        return ""
    a = abs(x)
    for div, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


_FMT = FuncFormatter(compact_number)


def shutdown_year(scenario: Any) -> float | None:
    """Calendar time the product is shut down (``start_year + product_years``).

    ``None`` when the product survives the commitment (no shutdown to mark).
    """
    if scenario is None:
        return None
    p = getattr(scenario, "product_years", None)
    if p is None:
        return None
    t = getattr(scenario, "commitment_years", None)
    if t is not None and float(p) >= float(t):
        return None
    return float(getattr(scenario, "start_year", 0)) + float(p)


def _mark_shutdown(ax, x: float | None, end: float, label: bool = True) -> None:
    if x is None:
        return
    ax.axvspan(x, end, color=COLORS["shutdown"], alpha=0.06, lw=0)
    ax.axvline(x, color=COLORS["shutdown"], ls="--", lw=1.0)
    if label:
        ax.annotate(
            "product shut down",
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -2),
            textcoords="offset points",
            va="top",
            ha="left",
            fontsize=7,
            color=COLORS["shutdown"],
        )


def _short(text: Any, n: int = 28) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


# --------------------------------------------------------------------------------------
# map
# --------------------------------------------------------------------------------------


def _boundaries():
    """Embedded admin-0 and admin-1 boundaries (``None`` where not available)."""
    import geopandas as gpd

    from siting.layers.catalog import load_catalog

    out = []
    cat = load_catalog()
    for layer in ("ne_admin0_50m", "us_ca_admin1"):
        try:
            files = cat.locate(layer)
        except Exception:  # noqa: BLE001 - the map is drawn without boundaries then
            files = None
        if not files:
            out.append(None)
            continue
        path = next(iter(files.values()))
        out.append(gpd.read_parquet(path, columns=["geometry"]))
    return out[0], out[1]


def _site_xy(ranked: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if {"lon", "lat"} <= set(ranked.columns):
        x = pd.to_numeric(ranked["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        y = pd.to_numeric(ranked["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return x, y
    geom = ranked.geometry
    return geom.x.to_numpy(dtype=float), geom.y.to_numpy(dtype=float)


#: One colour convention for the report, the PDF and the app (viridis): yellow is the
#: better end, dark purple the worse; the map colours sites by rank with it reversed
#: so that rank 1 is yellow, as the app's value scale puts the lowest (best) value.
COLOUR_CONVENTION = "yellow = better, purple = worse"
RANK_CMAP = "viridis_r"

# candidate label offsets around a point [points], tried in this order
_LABEL_OFFSETS = ((4, 3), (4, -9), (-10, 3), (-10, -9), (-3, 7), (-3, -13), (9, -3), (-15, -3))
#: Leader-line rings [points]: the first three at 14, 24, 34 with 8 directions each, then
#: every 10 points with directions about 12 points apart along the ring, out to 300
#: points (a drawing choice: about the height of the map).
_RING_STEP_PT = 10.0
_RING_MAX_PT = 300.0
_RING_SPACING_PT = 12.0
#: A label's box is its text box grown by these factors about its centre (drawing choice:
#: a little air between labels).
_BOX_GROW = (1.1, 1.15)
#: Gap [points] between a leader line and its point, and between the line and the
#: label's text (matplotlib's default padding and shrink of an annotation arrow).
_LEADER_GAP_PT = 2.0


def _hits(boxes: np.ndarray, placed: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """Which of ``boxes`` (m, 4: x0, y0, x1, y1) overlap any of ``placed`` (k, 4), each
    box first shrunk by ``margin`` [px] on every side (open boxes: touching is no overlap)."""
    x0, y0 = boxes[:, :1] + margin, boxes[:, 1:2] + margin
    x1, y1 = boxes[:, 2:3] - margin, boxes[:, 3:4] - margin
    p = placed.T
    return ((x0 < p[2]) & (p[0] < x1) & (y0 < p[3]) & (p[1] < y1)).any(axis=1)


def _crosses(segs: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Which segments (m, 4: x0, y0, x1, y1) run through the inside of a box (k, 4).

    (m, k) booleans. A segment only touching a box's edge or corner does not cross it
    (Liang-Barsky clipping: the part of the segment inside the open box has length > 0).
    """
    p0x, p0y = segs[:, 0:1], segs[:, 1:2]
    dx, dy = segs[:, 2:3] - p0x, segs[:, 3:4] - p0y
    b = boxes.T
    lo = np.zeros((len(segs), len(boxes)))
    hi = np.ones((len(segs), len(boxes)))
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, d, b0, b1 in ((p0x, dx, b[0], b[2]), (p0y, dy, b[1], b[3])):
            t0, t1 = (b0 - p) / d, (b1 - p) / d
            flat = d == 0  # parallel to this axis: inside the slab or never
            inside = (b0 < p) & (p < b1)
            t_lo = np.where(flat, np.where(inside, 0.0, np.inf), np.minimum(t0, t1))
            t_hi = np.where(flat, np.where(inside, 1.0, -np.inf), np.maximum(t0, t1))
            lo, hi = np.maximum(lo, t_lo), np.minimum(hi, t_hi)
    return lo < hi


def _label_rings() -> list[np.ndarray]:
    """Offsets [points] a label tries, in order, as two (n, 3) arrays of ``dx, dy,
    leader``: first the :data:`_LABEL_OFFSETS` next to the point and the leader-line
    rings at 14, 24, 34 points (8 directions each), then the further rings out to
    :data:`_RING_MAX_PT` (every :data:`_RING_STEP_PT`, directions about
    :data:`_RING_SPACING_PT` apart, counter-clockwise from the right)."""
    first = [(dx, dy, 0.0) for dx, dy in _LABEL_OFFSETS]
    for k in range(1, 4):
        r = 4 + _RING_STEP_PT * k
        first += [(r * math.cos(a), r * math.sin(a), 1.0) for a in np.linspace(0, 6.0, 8)]
    rest = []
    r = 4 + 4 * _RING_STEP_PT
    while r <= _RING_MAX_PT:
        n = max(8, math.ceil(2 * math.pi * r / _RING_SPACING_PT))
        a = 2 * math.pi * np.arange(n) / n
        rest.append(np.column_stack([r * np.cos(a), r * np.sin(a), np.ones(n)]))
        r += _RING_STEP_PT
    return [np.array(first), np.vstack(rest)]


def label_candidates(
    anchor: np.ndarray, text_box: np.ndarray, tries: np.ndarray, px_per_pt: float
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes and leader lines of a label at each of ``tries``, in pixels.

    Parameters
    ----------
    anchor
        The labelled point (x, y) [px].
    text_box
        The label's text box (x0, y0, x1, y1) [px] with its text at offset (0, 0) from
        ``anchor`` (an annotation's text moves as a whole with its offset).
    tries
        (m, 3): ``dx, dy`` [points], ``leader`` (1 or 0).
    px_per_pt
        Pixels per point (``dpi / 72``).

    Returns
    -------
    boxes
        (m, 4): the text box moved by the offset, grown by :data:`_BOX_GROW` about its
        centre.
    leaders
        (m, 4): the line from :data:`_LEADER_GAP_PT` off the anchor to the centre of the
        text box (the drawn leader, :func:`_leader_line`, is the part of it outside the
        text), NaN where ``leader`` is 0.
    """
    shift = tries[:, :2] * px_per_pt
    moved = np.asarray(text_box, float)[None, :] + np.hstack([shift, shift])
    cx, cy = (moved[:, 0] + moved[:, 2]) / 2, (moved[:, 1] + moved[:, 3]) / 2
    hw = (moved[:, 2] - moved[:, 0]) * _BOX_GROW[0] / 2
    hh = (moved[:, 3] - moved[:, 1]) * _BOX_GROW[1] / 2
    boxes = np.column_stack([cx - hw, cy - hh, cx + hw, cy + hh])
    ax_, ay_ = float(anchor[0]), float(anchor[1])
    vx, vy = cx - ax_, cy - ay_
    dist = np.hypot(vx, vy)
    cut = np.divide(_LEADER_GAP_PT * px_per_pt, dist, out=np.ones_like(dist), where=dist > 0)
    cut = np.minimum(cut, 1.0)
    leaders = np.column_stack([ax_ + vx * cut, ay_ + vy * cut, cx, cy])
    leaders[tries[:, 2] == 0] = np.nan
    return boxes, leaders


def _leader_line(anchor, text_box, px_per_pt: float) -> np.ndarray | None:
    """The drawn leader line (x0, y0, x1, y1) [px] from a label's text box towards its
    point: along the line from the box's centre to the point, starting
    :data:`_LEADER_GAP_PT` outside the box grown by :data:`_LEADER_GAP_PT` on every side
    and ending :data:`_LEADER_GAP_PT` short of the point (what matplotlib draws for an
    annotation arrow with its default padding and shrink). ``None`` when nothing is left.
    """
    ax_, ay_ = float(anchor[0]), float(anchor[1])
    x0, y0, x1, y1 = (float(v) for v in text_box)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    vx, vy = ax_ - cx, ay_ - cy
    dist = math.hypot(vx, vy)
    if dist == 0:
        return None
    gap = _LEADER_GAP_PT * px_per_pt
    hw, hh = (x1 - x0) / 2 + gap, (y1 - y0) / 2 + gap
    t_box = min(hw / abs(vx) if vx else math.inf, hh / abs(vy) if vy else math.inf)
    t0 = t_box + gap / dist  # out of the padded box, then the gap
    t1 = 1.0 - gap / dist  # the gap short of the point
    if t0 >= t1:
        return None
    return np.array([cx + vx * t0, cy + vy * t0, cx + vx * t1, cy + vy * t1])


def place_labels(fig, ax, xs, ys, texts, fontsize: float = 7.0) -> list:
    """Label points without two labels overlapping (greedy, in the given order).

    Each label tries :data:`_LABEL_OFFSETS` next to its point, then positions on
    leader-line rings at growing distance (:func:`_label_rings`), and takes the first
    that fits: its box (text box grown by :data:`_BOX_GROW`) overlaps no label placed
    before, no leader line placed before runs through it, its own leader line runs
    through no placed label, and it lies inside the axes (never over a tick label, the
    legend or the footnote). Leader lines may cross each other. A label that fits
    nowhere out to :data:`_RING_MAX_PT` is not drawn (``None`` in the returned list),
    so no two drawn labels overlap, by construction.

    The axes' aspect is applied first, so that the pixel positions are those of the
    drawing. Each label is drawn once, as an annotation whose text box is measured at
    offset (0, 0) (its text moves as a whole with its offset); every candidate
    position is tested arithmetically (:func:`label_candidates`, :func:`_hits`,
    :func:`_crosses`) and the annotation moved to the chosen one. The leader lines
    (:func:`_leader_line`) are drawn together as one line collection.

    Returns
    -------
    list
        One :class:`matplotlib.text.Annotation` per label, or ``None`` where it was not
        drawn.
    """
    from matplotlib.collections import LineCollection

    ax.apply_aspect()
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72.0  # pixels per point
    fx0, fy0, fx1, fy1 = ax.bbox.extents
    groups = _label_rings()
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    anchors = ax.transData.transform(np.column_stack([xs, ys])) if len(xs) else np.empty((0, 2))
    boxes = np.empty((0, 4))  # placed labels
    leaders = np.empty((0, 4))  # placed leader lines
    drawn_lines = []
    out: list = []
    for anchor, xi, yi, text in zip(anchors, xs, ys, texts, strict=True):
        ann = ax.annotate(
            text, (xi, yi), xytext=(0, 0), textcoords="offset points", fontsize=fontsize, zorder=6
        )
        text_box = np.array(ann.get_window_extent(renderer).extents)
        chosen = None
        for tries in groups:
            cand, lines = label_candidates(anchor, text_box, tries, px)
            ok = (cand[:, 0] >= fx0) & (cand[:, 1] >= fy0)
            ok &= (cand[:, 2] <= fx1) & (cand[:, 3] <= fy1)
            if len(boxes):
                ok[ok] = ~_hits(cand[ok], boxes)
                lead = ok & (tries[:, 2] > 0)
                if lead.any():
                    ok[lead] = ~_crosses(lines[lead], boxes).any(axis=1)
            if len(leaders) and ok.any():
                ok[ok] = ~_crosses(leaders, cand[ok]).any(axis=0)
            if ok.any():
                j = int(np.argmax(ok))
                chosen = (tries[j], cand[j], lines[j])
                break
        if chosen is None:
            ann.remove()
            out.append(None)
            continue
        (dx, dy, leader), box, line = chosen
        ann.xyann = (float(dx), float(dy))
        out.append(ann)
        boxes = np.vstack([boxes, box])
        if leader:
            leaders = np.vstack([leaders, line])
            shift = np.array([dx, dy, dx, dy]) * px
            seg = _leader_line(anchor, text_box + shift, px)
            if seg is not None:
                drawn_lines.append(seg)
    if drawn_lines:
        inv = ax.transData.inverted()
        segs = [inv.transform(np.reshape(s, (2, 2))) for s in drawn_lines]
        ax.add_collection(
            LineCollection(segs, colors="#555555", linewidths=0.5, zorder=5.5),
            autolim=False,
        )
    return out


def _unlabelled_note(ranks: Sequence[int]) -> str:
    """Footnote naming the ranks whose label found no room on the map (``""`` if none)."""
    if not ranks:
        return ""
    shown = ", ".join(str(r) for r in ranks[:8])  # one line of the footnote
    more = f" and {len(ranks) - 8} more" if len(ranks) > 8 else ""
    return f" No room for the labels of ranks {shown}{more} (see the ranking)."


def site_map(ranked: pd.DataFrame, *, labels: int = 30) -> str:
    """Map of the sites over country and U.S./Canadian state boundaries.

    Ranked sites are coloured by rank and labelled with their rank number (the first
    ``labels`` of them, :func:`place_labels`; the footnote names the ranks whose label
    found no room); sites without a score are grey circles; excluded sites are crosses.
    Returns a PNG data URI.
    """
    x, y = _site_xy(ranked)
    ok = np.isfinite(x) & np.isfinite(y)
    rank = (
        pd.to_numeric(ranked["rank"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if "rank" in ranked.columns
        else np.full(len(ranked), np.nan)
    )
    excl = (
        ranked["excluded"].fillna(False).astype(bool).to_numpy()
        if "excluded" in ranked.columns
        else np.zeros(len(ranked), dtype=bool)
    )
    if ok.any():
        x0, x1 = float(np.min(x[ok])), float(np.max(x[ok]))
        y0, y1 = float(np.min(y[ok])), float(np.max(y[ok]))
    else:
        x0, x1, y0, y1 = -180.0, 180.0, -60.0, 85.0
    pad_x = max(3.0, 0.08 * (x1 - x0))
    pad_y = max(2.0, 0.08 * (y1 - y0))
    x0, x1 = max(-180.0, x0 - pad_x), min(180.0, x1 + pad_x)
    y0, y1 = max(-85.0, y0 - pad_y), min(85.0, y1 + pad_y)
    if x1 - x0 > 200:
        x0, x1 = -180.0, 180.0
    mid = math.radians((y0 + y1) / 2)
    aspect = 1.0 / max(math.cos(mid), 0.2)
    # axes box in inches: 8.9 wide, height from the map's aspect; margins for the labels
    ax_w = 8.9
    ax_h = float(np.clip(ax_w * (y1 - y0) * aspect / max(x1 - x0, 1e-6), 2.5, 7.0))
    if ax_h >= 7.0:  # a tall extent: keep the height, narrow the box
        ax_w = 7.0 * max(x1 - x0, 1e-6) / ((y1 - y0) * aspect)
    left, bottom, top = 0.45, 0.55, 0.3
    width, height = 9.5, ax_h + bottom + top

    with _style():
        fig = _figure(width, height, dpi=100)
        ax = fig.add_axes((left / width, bottom / height, ax_w / width, ax_h / height))
        a0, a1 = _boundaries()
        if a0 is not None:
            part = a0.cx[x0:x1, y0:y1]
            if len(part):
                part.plot(ax=ax, facecolor="#f1f0ea", edgecolor="#9a9a9a", linewidth=0.4)
        if a1 is not None:
            part = a1.cx[x0:x1, y0:y1]
            if len(part):
                part.boundary.plot(ax=ax, color="#c2c2c2", linewidth=0.3)
        ax.set_facecolor("#e8f1f8")
        score = (
            pd.to_numeric(ranked["score"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            if "score" in ranked.columns
            else rank
        )
        scored = ok & ~excl & np.isfinite(rank) & np.isfinite(score)
        unscored = ok & ~excl & ~scored
        handles = []
        unlabelled: list[int] = []
        if scored.any():
            ax.scatter(
                x[scored],
                y[scored],
                c=rank[scored],
                cmap=RANK_CMAP,
                s=36,
                edgecolors="white",
                linewidths=0.6,
                zorder=5,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    color="#5ec962",
                    label=f"ranked: number = rank; {COLOUR_CONVENTION}",
                )
            )
            order = np.argsort(rank[scored], kind="stable")[: max(labels, 0)]
            xs, ys, rs = x[scored][order], y[scored][order], rank[scored][order]
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            ax.set_aspect(aspect, adjustable="box", anchor="W")
            drawn = place_labels(fig, ax, xs, ys, [f"{int(ri)}" for ri in rs])
            unlabelled = [int(ri) for ri, a in zip(rs, drawn, strict=True) if a is None]
        if unscored.any():
            ax.scatter(
                x[unscored], y[unscored], s=30, color="#9a9a9a", edgecolors="white", zorder=4
            )
            handles.append(
                Line2D([], [], marker="o", ls="", color="#9a9a9a", label="not ranked (missing)")
            )
        if (ok & excl).any():
            ax.scatter(x[ok & excl], y[ok & excl], s=30, marker="x", color="#b2182b", zorder=4)
            handles.append(Line2D([], [], marker="x", ls="", color="#b2182b", label="excluded"))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(aspect, adjustable="box", anchor="W")
        ax.tick_params(labelsize=6)
        ax.set_xlabel("longitude [deg]", fontsize=7)
        ax.set_ylabel("latitude [deg]", fontsize=7)
        if handles:  # above the axes, never over a site
            fig.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(left / width, 1.0),
                ncol=len(handles),
                frameon=False,
            )
        fig.text(
            0.01,
            0.01,
            "Boundaries: Natural Earth 1:50m admin-0; U.S. Census states and Canadian "
            "provinces (embedded). Degrees WGS84." + _unlabelled_note(unlabelled),
            fontsize=6,
            color="#555555",
        )
        return png_data_uri(fig)


# --------------------------------------------------------------------------------------
# annual charts
# --------------------------------------------------------------------------------------


class SiteChartRenderer:
    """Draws the annual chart of many sites (an SVG each, :mod:`siting.report.svg_chart`).

    Stacked per year: on-site and off-site water; scope-2 and embodied carbon; cool
    colours while the product runs, warm colours after it is shut down (dashed line).

    Parameters
    ----------
    annual
        ``Assessment.annual``.
    scenario
        ``Assessment.scenario`` (for the shutdown year), or ``None``.
    """

    _GROUPS = (
        ("Water [m3 per year]", ("water_onsite_m3", "water_offsite_m3")),
        ("Carbon [t CO2e per year]", ("co2_scope2_t", "co2_embodied_t")),
    )

    def __init__(self, annual: Any, scenario: Any) -> None:
        self.annual = annual
        self.arrays = AnnualArrays(annual)  # every site's series read once
        self.years = self.arrays.years
        self.sites = set(self.arrays.index)
        self.stop = shutdown_year(scenario)
        self.legend = []  # one row per group: each part, then its after-product part
        for _, vars_ in self._GROUPS:
            for v in vars_:
                self.legend.append((COLORS[f"{v}_before"], _LABELS[v]))
                if self.stop is not None:
                    self.legend.append((COLORS[f"{v}_after"], f"{_LABELS[v]}, after product"))

    def render(self, row: pd.Series, site_id: str) -> str | None:
        """SVG data URI of one site's chart; ``None`` when it has no annual values."""
        from siting.report.svg_chart import stacked_years_svg, svg_data_uri

        if site_id not in self.sites:
            return None
        split = self.arrays.split(self.arrays.index[site_id], row)  # = annual_split
        keys = [k for k in _LABELS if f"{k}_before" in split]
        if not keys or not any(np.isfinite(split[f"{k}_before"]).any() for k in keys):
            return None
        panels = []
        for title, vars_ in self._GROUPS:
            parts = [(COLORS[f"{v}_before"], split[f"{v}_before"]) for v in vars_ if v in keys]
            parts += [(COLORS[f"{v}_after"], split[f"{v}_after"]) for v in vars_ if v in keys]
            panels.append((title, parts))
        svg = stacked_years_svg(self.years, panels, self.legend, self.stop, compact_number)
        return svg_data_uri(svg)


def site_chart(annual: Any, row: pd.Series, site_id: str, scenario: Any) -> str | None:
    """Annual water and carbon of one site, before/after the product, as a PNG data URI.

    See :class:`SiteChartRenderer` (use it directly for many sites).
    """
    return SiteChartRenderer(annual, scenario).render(row, site_id)


def overview_chart(
    annual: Any, ranked: pd.DataFrame, scenario: Any, site_ids: Sequence[str]
) -> str | None:
    """Annual total water (on-site + off-site) and carbon (scope 2 + embodied) per site.

    One line per site of ``site_ids`` (label ``#rank site_id``), the shutdown of the
    product marked and the after-product years shaded. PNG data URI, or ``None`` when
    there is nothing to draw.
    """
    # positions of the sites in ``annual`` (``.values``: no chunked-array machinery)
    pos: dict[str, int] = {}
    for i, s in enumerate(annual["site"].values):
        pos.setdefault(str(s), i)
    ids = [s for s in site_ids if s in pos]
    if not ids:
        return None
    rows = [pos[s] for s in ids]
    years = np.asarray(annual["year"].values)
    x = years.astype(float) + 0.5
    x_end = float(years[-1]) + 1.0
    stop = shutdown_year(scenario)
    rank_of = {}
    if "rank" in ranked.columns:
        for sid, r in zip(ranked["site_id"].astype(str), ranked["rank"], strict=True):
            rank_of[sid] = None if pd.isna(r) else int(r)

    def series(var_a: str, var_b: str) -> np.ndarray:
        a = np.asarray(annual[var_a].transpose("site", "year").values, dtype=float)[rows]
        b = np.asarray(annual[var_b].transpose("site", "year").values, dtype=float)[rows]
        return a + b

    water = series("water_onsite_m3", "water_offsite_m3")
    carbon = series("co2_scope2_t", "co2_embodied_t")
    if not (np.isfinite(water).any() or np.isfinite(carbon).any()):
        return None
    with _style():
        fig = _figure(9.5, 3.6, dpi=96)
        axes = fig.subplots(1, 2)
        lines = []
        for ax, data, title in (
            (axes[0], water, "Water, on-site + off-site [m3 per year]"),
            (axes[1], carbon, "Carbon, scope 2 + embodied [t CO2e per year]"),
        ):
            lines = []
            for i, sid in enumerate(ids):
                r = rank_of.get(sid)
                label = _short(f"#{r} {sid}" if r is not None else sid)
                (ln,) = ax.plot(x, data[i], lw=1.3, marker="o", ms=2.5, label=label)
                lines.append(ln)
            _mark_shutdown(ax, stop, x_end)
            ax.set_title(title, loc="left")
            ax.yaxis.set_major_formatter(_FMT)
            ax.set_xlim(float(years[0]), x_end)
            ax.set_ylim(bottom=0)
            ax.xaxis.get_major_locator().set_params(integer=True)
        fig.legend(handles=lines, loc="center right", frameon=False)
        fig.subplots_adjust(left=0.06, right=0.8, top=0.9, bottom=0.1, wspace=0.22)
        return png_data_uri(fig)


def split_chart(ranked: pd.DataFrame, site_ids: Sequence[str]) -> str | None:
    """Lifetime water and carbon per site, split before/after the product (PNG URI).

    Built from the model's lifetime totals and their ``_after_product`` parts; ``None``
    when these columns are absent.
    """
    need = [
        "water_onsite_m3",
        "water_offsite_m3",
        "co2_scope2_t",
        "co2_embodied_t",
    ]
    cols = need + [f"{c}_after_product" for c in need]
    if not set(cols) <= set(ranked.columns) or not len(site_ids):
        return None
    df = ranked.set_index(ranked["site_id"].astype(str)).loc[list(site_ids)]
    num = df[cols].apply(pd.to_numeric, errors="coerce")
    w_tot = num["water_onsite_m3"] + num["water_offsite_m3"]
    w_aft = num["water_onsite_m3_after_product"] + num["water_offsite_m3_after_product"]
    c_tot = num["co2_scope2_t"] + num["co2_embodied_t"]
    c_aft = num["co2_scope2_t_after_product"] + num["co2_embodied_t_after_product"]
    if not (np.isfinite(w_tot).any() or np.isfinite(c_tot).any()):
        return None
    labels = []
    for sid in site_ids:
        r = df.loc[sid, "rank"] if "rank" in df.columns else None
        labels.append(_short(f"#{int(r)} {sid}" if r is not None and not pd.isna(r) else sid))
    ypos = np.arange(len(site_ids))[::-1]
    height = 1.25 + 0.22 * len(site_ids)
    with _style():
        fig = _figure(9.5, height, dpi=96)
        axes = fig.subplots(1, 2, sharey=True)
        for ax, tot, aft, title, kb, ka in (
            (
                axes[0],
                w_tot,
                w_aft,
                "Lifetime water, on-site + off-site [m3]",
                "water_onsite_m3_before",
                "water_onsite_m3_after",
            ),
            (
                axes[1],
                c_tot,
                c_aft,
                "Lifetime carbon, scope 2 + embodied [t CO2e]",
                "co2_scope2_t_before",
                "co2_scope2_t_after",
            ),
        ):
            t = np.nan_to_num(tot.to_numpy(dtype=float), nan=0.0)
            a = np.clip(np.nan_to_num(aft.to_numpy(dtype=float), nan=0.0), 0.0, None)
            ax.barh(ypos, t - a, color=COLORS[kb], label="while the product runs")
            ax.barh(ypos, a, left=t - a, color=COLORS[ka], label="after it is shut down")
            ax.set_title(title, loc="left")
            ax.xaxis.set_major_formatter(_FMT)
        axes[0].set_yticks(ypos, labels)
        # the legend goes below the axes, never over a bar
        handles, names = axes[1].get_legend_handles_labels()
        fig.legend(handles, names, loc="lower center", ncol=2, frameon=False)
        fig.subplots_adjust(
            left=0.2, right=0.99, top=1 - 0.35 / height, bottom=0.7 / height, wspace=0.08
        )
        return png_data_uri(fig)
