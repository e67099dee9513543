"""Report chart helpers: map-label geometry and placement, hexagon minima, annual arrays.

Boxes, lines and hexagons are checked against numbers worked out by hand in each test,
the drawn labels against matplotlib's own extents after a real draw, and the hexagon
minima against matplotlib's ``Axes.hexbin`` (its per-point Python implementation).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.path import Path
from matplotlib.text import Text

from siting.model import Facility, Fleet, Scenario, assess, reference_climate
from siting.report import AnnualArrays
from siting.report.charts import (
    _crosses,
    _figure,
    _hits,
    _label_rings,
    _leader_line,
    _unlabelled_note,
    label_candidates,
    place_labels,
)
from siting.report.large_section import HEX_GRID, hex_minima

# --------------------------------------------------------------------------------------
# label geometry by hand
# --------------------------------------------------------------------------------------


def test_hits_open_boxes():
    placed = np.array([[0.0, 0.0, 10.0, 10.0]])
    boxes = np.array(
        [
            [5.0, 5.0, 15.0, 15.0],  # overlaps the corner
            [10.0, 0.0, 20.0, 10.0],  # shares an edge: no overlap
            [11.0, 11.0, 12.0, 12.0],  # apart
            [2.0, 2.0, 3.0, 3.0],  # inside
        ]
    )
    assert _hits(boxes, placed).tolist() == [True, False, False, True]


def test_crosses_by_hand():
    box = np.array([[0.0, 0.0, 10.0, 10.0]])
    segs = np.array(
        [
            [-5.0, 5.0, 15.0, 5.0],  # straight through
            [-5.0, 10.0, 15.0, 10.0],  # along the top edge: touches only
            [-5.0, 5.0, -1.0, 5.0],  # stops short
            [5.0, -5.0, 5.0, 2.0],  # vertical, ends inside
            [-5.0, 5.0, 5.0, 15.0],  # y = x + 10: touches the corner (0, 10) only
            [-5.0, 4.0, 5.0, 14.0],  # diagonal cutting the corner region
            [20.0, 20.0, 30.0, 30.0],  # far away
        ]
    )
    # row 5: y = x + 9 enters at (0, 9) and leaves at (1, 10), inside for a length > 0
    assert _crosses(segs, box)[:, 0].tolist() == [True, False, False, True, False, True, False]


def test_label_candidates_by_hand():
    # a text box 10 px wide, 10 px high whose text sits at the anchor; 1 px per point
    text_box = np.array([0.0, -2.0, 10.0, 8.0])
    anchor = np.array([100.0, 50.0])
    tries = np.array([[4.0, 3.0, 0.0], [14.0, 0.0, 1.0]])
    boxes, leaders = label_candidates(anchor + 0, text_box + [100, 50, 100, 50], tries, 1.0)
    # (4, 3): text box (104, 51, 114, 61), centre (109, 56), grown 1.1 x 1.15: 11 x 11.5
    np.testing.assert_allclose(boxes[0], [103.5, 50.25, 114.5, 61.75])
    assert np.isnan(leaders[0]).all()
    # (14, 0): text box (114, 48, 124, 58), centre (119, 53)
    np.testing.assert_allclose(boxes[1], [113.5, 47.25, 124.5, 58.75])
    # leader from 2 pt off the anchor towards the centre: direction (19, 3) / |(19, 3)|
    d = math.hypot(19.0, 3.0)
    np.testing.assert_allclose(leaders[1], [100 + 2 * 19 / d, 50 + 2 * 3 / d, 119.0, 53.0])


def test_leader_line_by_hand():
    # text box 10 x 6 px centred at (20, 0), anchor at the origin, 1 px per point:
    # the box grown by 2 px ends at x = 20 - 7 = 13, the line starts 2 px further, at
    # x = 11, and ends 2 px short of the anchor, at x = 2
    np.testing.assert_allclose(
        _leader_line((0.0, 0.0), (15.0, -3.0, 25.0, 3.0), 1.0), [11.0, 0.0, 2.0, 0.0]
    )
    # at 2 px per point every gap doubles: 20 - (5 + 4) - 4 = 11 -> 7; 0 + 4
    np.testing.assert_allclose(
        _leader_line((0.0, 0.0), (15.0, -3.0, 25.0, 3.0), 2.0), [7.0, 0.0, 4.0, 0.0]
    )
    # a label right next to its point: nothing left to draw
    assert _leader_line((0.0, 0.0), (1.0, -3.0, 11.0, 3.0), 1.0) is None


def test_label_rings():
    first, rest = _label_rings()
    assert len(first) == 8 + 3 * 8
    assert (first[:8, 2] == 0).all() and (first[8:, 2] == 1).all()
    radii = np.round(np.hypot(first[8:, 0], first[8:, 1]), 9)
    assert sorted(set(radii)) == [14.0, 24.0, 34.0]
    r = np.hypot(rest[:, 0], rest[:, 1])
    assert r[0] == pytest.approx(44.0) and r.max() == pytest.approx(294.0)
    assert (np.diff(r) >= -1e-9).all()  # outwards, ring after ring
    # ring at 44 pt: ceil(2 pi 44 / 12) = 24 directions
    assert int(np.isclose(r, 44.0).sum()) == math.ceil(2 * math.pi * 44 / 12)


def test_unlabelled_note():
    assert _unlabelled_note([]) == ""
    assert _unlabelled_note([3, 5]) == " No room for the labels of ranks 3, 5 (see the ranking)."
    assert _unlabelled_note(list(range(1, 15))).endswith(" 7, 8 and 6 more (see the ranking).")


# --------------------------------------------------------------------------------------
# placement, checked on matplotlib's drawing
# --------------------------------------------------------------------------------------


def _draw_labels(xs, ys, size=(6.0, 3.0)):
    fig = _figure(*size, dpi=100)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 5)
    ax.set_aspect(1.0, adjustable="box", anchor="W")
    ax.scatter(xs, ys, s=36)
    texts = [str(i + 1) for i in range(len(xs))]
    anns = place_labels(fig, ax, xs, ys, texts)
    fig.canvas.draw()
    return fig, ax, anns


def _check_drawn(fig, ax, anns):
    renderer = fig.canvas.get_renderer()
    drawn = [a for a in anns if a is not None]
    boxes = [Text.get_window_extent(a, renderer) for a in drawn]
    for i, b in enumerate(boxes):  # matplotlib's own text boxes, after the draw
        assert ax.bbox.x0 <= b.x0 and b.x1 <= ax.bbox.x1
        assert ax.bbox.y0 <= b.y0 and b.y1 <= ax.bbox.y1
        for c in boxes[:i]:
            assert not (b.x0 < c.x1 and c.x0 < b.x1 and b.y0 < c.y1 and c.y0 < b.y1)
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    segs = [ax.transData.transform(s) for c in lines for s in c.get_segments()]
    for s in segs:  # no leader line through any label's text
        assert not any(Path(s).intersects_bbox(b, filled=True) for b in boxes)
    return drawn, segs


def test_place_labels_spread_points_sit_next_to_them():
    xs = np.array([1.0, 4.0, 7.0, 2.0])
    ys = np.array([1.0, 3.0, 2.0, 4.0])
    fig, ax, anns = _draw_labels(xs, ys)
    drawn, segs = _check_drawn(fig, ax, anns)
    assert len(drawn) == 4 and segs == []
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72.0
    for a, x, y in zip(anns, xs, ys, strict=True):
        # the first offset (4, 3) points from the point, as drawn
        assert a.xyann == (4.0, 3.0)
        ax_x, _ = ax.transData.transform((x, y))
        assert Text.get_window_extent(a, renderer).x0 == pytest.approx(ax_x + 4 * px, abs=0.01)


def test_place_labels_crowded_points_never_overlap():
    # 40 sites on one spot: the first takes the first offset, later ones the free
    # offsets and leader-line rings in rank order; those finding no room are not drawn
    xs = np.full(40, 5.0)
    ys = np.full(40, 2.5)
    fig, ax, anns = _draw_labels(xs, ys)
    drawn, segs = _check_drawn(fig, ax, anns)
    assert anns[0] is not None and anns[0].xyann == (4.0, 3.0)
    assert 8 < len(drawn) < 40 and len(segs) > 0
    ring = {14.0, 24.0, 34.0} | {44.0 + 10 * k for k in range(26)}
    first, _ = _label_rings()
    near = {tuple(o) for o in first[:8, :2]}
    for a in drawn:
        off = tuple(float(v) for v in a.xyann)
        assert off in near or round(math.hypot(*off), 6) in ring
    # greedy in rank order: the first labels all find room
    assert all(a is not None for a in anns[:8])


def test_place_labels_inside_the_final_axes():
    # a wide axes box that the aspect shrinks at draw time: positions are the drawn ones
    xs = np.array([0.5, 9.5, 9.6])
    ys = np.array([0.5, 4.5, 4.4])
    fig, ax, anns = _draw_labels(xs, ys, size=(9.0, 2.0))
    drawn, _ = _check_drawn(fig, ax, anns)
    assert len(drawn) == 3


# --------------------------------------------------------------------------------------
# hexagon minima
# --------------------------------------------------------------------------------------


def test_hex_minima_by_hand():
    # gridsize 2: nx = 2, ny = int(2 / sqrt 3) = 1; x over [0, 1] (sx = 0.5), y over
    # [0, 1] (sy = 1). (0, 0) and (0.05, 0.1) -> lattice-1 centre (0, 0); (1, 1) ->
    # lattice-1 centre (1, 1); (0.6, 0.5), at (1.2, 0.5) in grid units, -> lattice-2
    # centre (1.5, 0.5) = (0.75, 0.5): squared distance 0.3^2 = 0.09 against
    # 0.2^2 + 3 x 0.5^2 = 0.79 to the nearest lattice-1 centre (1, 0).
    x = [0.0, 0.05, 1.0, 0.6, np.nan]
    y = [0.0, 0.1, 1.0, 0.5, 0.3]
    c = [3.0, 1.0, 7.0, 5.0, -9.0]  # the NaN point is left out
    centres, minima, counts, extent = hex_minima(x, y, c, gridsize=2)
    assert extent == (0.0, 1.0, 0.0, 1.0)
    order = np.lexsort((centres[:, 1], centres[:, 0]))
    np.testing.assert_allclose(centres[order], [[0, 0], [0.75, 0.5], [1, 1]], atol=1e-8)
    assert minima[order].tolist() == [1.0, 5.0, 7.0]
    assert counts[order].tolist() == [2, 1, 1]


def test_hex_minima_match_matplotlib_hexbin():
    rng = np.random.default_rng(7)
    n = 5000
    x = rng.uniform(-125, -65, n)
    y = rng.normal(40, 6, n)
    c = rng.uniform(0, 1, n)
    c[::97] = np.nan
    fig = _figure(6, 4)
    ax = fig.add_subplot(1, 1, 1)
    ok = np.isfinite(c)
    ref = ax.hexbin(x[ok], y[ok], C=c[ok], reduce_C_function=np.min, gridsize=HEX_GRID, mincnt=1)
    centres, minima, counts, _ = hex_minima(x, y, c)
    assert counts.sum() == ok.sum()
    key = lambda xy: np.lexsort((np.round(xy[:, 1], 9), np.round(xy[:, 0], 9)))  # noqa: E731
    r_off = ref.get_offsets()
    np.testing.assert_allclose(centres[key(centres)], r_off[key(r_off)], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(minima[key(centres)], np.asarray(ref.get_array())[key(r_off)])


def test_hex_minima_of_one_site():
    centres, minima, counts, extent = hex_minima([10.0], [20.0], [0.5])
    # a single point: matplotlib widens the zero-width ranges by 10 % of the value
    assert extent == pytest.approx((9.0, 11.0, 18.0, 22.0))
    assert counts.tolist() == [1] and minima.tolist() == [0.5]


# --------------------------------------------------------------------------------------
# annual arrays: every site split from one read of the dataset
# --------------------------------------------------------------------------------------


def test_annual_arrays_split_adds_up_to_the_model_totals():
    dry, wet = reference_climate("temperate")
    rows = []
    for i, grid in enumerate((50.0, 300.0, 600.0)):
        row = {"site_id": f"s{i}", "lat": 50.0, "lon": 10.0 * i, "grid_co2_g_per_kwh": grid}
        row["price_usd_per_mwh"] = 60.0
        row.update({f"dry_bulb_c_m{m:02d}": dry[m - 1] for m in range(1, 13)})
        row.update({f"wet_bulb_c_m{m:02d}": wet[m - 1] for m in range(1, 13)})
        rows.append(row)
    joined = pd.DataFrame(rows)
    a = assess(joined, Fleet(gpus=100), Scenario(commitment_years=6, product_years=2.5), Facility())
    arrays = AnnualArrays(a.annual)
    summary = a.summary.set_index("site_id", drop=False)
    assert list(arrays.index) == ["s0", "s1", "s2"]
    for sid, i in arrays.index.items():
        split = arrays.split(i, summary.loc[sid])
        for var in ("water_onsite_m3", "co2_scope2_t", "co2_embodied_t", "energy_cost_usd"):
            np.testing.assert_allclose(
                split[f"{var}_before"] + split[f"{var}_after"],
                a.annual[var].sel(site=sid).values,
                rtol=1e-6,
            )
            assert split[f"{var}_after"].sum() == pytest.approx(
                summary.loc[sid, f"{var}_after_product"], rel=1e-5, abs=1e-6
            )
        # years 1-2 all before, year 3 split, years 4-6 all after
        assert (split["co2_scope2_t_after"][:2] == 0).all()
        assert (split["co2_scope2_t_before"][3:] == 0).all()
