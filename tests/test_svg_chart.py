"""The hand-written SVG of the site cards: ticks, stacking, shutdown mark, safety."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from siting.report.svg_chart import nice_ticks, stacked_years_svg, svg_data_uri

NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    "top, expected",
    [
        (3.7, [0, 1, 2, 3, 4]),  # raw step 0.925 -> 1
        (2.6e6, [0, 1e6, 2e6, 3e6]),  # raw 6.5e5 -> 1e6
        (95.0, [0, 25, 50, 75, 100]),  # raw 23.75 -> 25
        (0.0, [0, 1]),  # nothing to draw: a unit axis
    ],
)
def test_nice_ticks_by_hand(top, expected):
    assert nice_ticks(top) == pytest.approx(expected)


def _svg(values_a, values_b, stop=2028.0):
    years = np.arange(2026, 2031)
    panels = [("Water", [("#111111", values_a), ("#222222", values_b)])]
    return stacked_years_svg(years, panels, [("#111111", "a"), ("#222222", "b")], stop, str)


def _polygon_tops(svg):
    root = ET.fromstring(svg)
    out = []
    for p in root.iter(f"{NS}polygon"):
        pts = np.array([[float(v) for v in xy.split(",")] for xy in p.get("points").split()])
        out.append(pts[:, 1].min())
    return out


def test_stack_top_is_the_sum_and_nan_draws_as_zero():
    a = np.array([1.0, 2.0, np.nan, 1.0, 1.0])
    b = np.array([1.0, 2.0, 1.0, -5.0, 1.0])
    svg = _svg(a, b)
    tops = _polygon_tops(svg)
    assert len(tops) == 2
    # stack top 4 (2027): ticks cover 1.05 x 4 = 4.2, raw step 1.05 -> 2: axis 0..6,
    # drawn from y=153 (0) to y=27 (6)
    px_per_unit = (153 - 27) / 6.0
    assert 153 - tops[1] == pytest.approx(4.0 * px_per_unit, abs=0.2)  # a + b in 2027
    assert 153 - tops[0] == pytest.approx(2.0 * px_per_unit, abs=0.2)  # a alone


def test_shutdown_mark_and_no_markup_from_labels():
    svg = stacked_years_svg(
        np.arange(2026, 2031), [("<b>t</b>", [("#000", np.ones(5))])], [("#000", "<x>")],
        2028.0, str,
    )  # fmt: skip
    ET.fromstring(svg)  # well-formed
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "&lt;x&gt;" in svg
    assert "product shut down" in svg and "stroke-dasharray" in svg
    assert "<script" not in svg
    assert "product shut down" not in _svg(np.ones(5), np.ones(5), stop=None)


def test_data_uri_round_trip():
    svg = _svg(np.ones(5), np.ones(5))
    uri = svg_data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg)
