"""Report section "Cooling design per site" (``--cooling auto``): table and trade-off chart.

The runs are built from hand-made joined tables (``tests/test_report.py``'s site builder,
layer values are test inputs) through the real model with a per-site design choice. The
checks are independent of the section's code: the design taken under the ``water``
objective has the least on-site WUE of its row, dry coolers evaporate no water, a
liquid-cooled GPU gets no air-only design, the chart is an embedded PNG of the size the
figure asks for, and nothing is fetched.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from siting import decide
from siting.model import COOLING_DESIGNS, CoolingChoice, Facility, Fleet, Scenario, assess
from siting.pipeline import RunResult
from siting.report import write_report
from siting.report.cooling_section import CHART_SITES, cooling_context, trade_off_chart
from siting.report.html import render_html
from tests.test_report import _site, parse

#: (site id, latitude, longitude, ISO3, grid g/kWh, price USD/MWh, reference climate, AWARE)
_SITES = (
    ("cold-1", 60.5, 27.2, "FIN", 80.0, 60.0, "temperate", 0.8),
    ("hot-1", 33.4, -112.0, "USA", 400.0, 70.0, "hot", 60.0),
    ("mild-1", 39.0, -77.5, "USA", 300.0, 90.0, "temperate", 1.0),
    ("hot-2", 25.2, 55.3, "ARE", 450.0, 80.0, "hot", 40.0),
    ("mild-2", 53.3, -6.3, "IRL", 280.0, 120.0, "temperate", 0.6),
    ("hot-3", 1.3, 103.8, "SGP", 470.0, 100.0, "hot", 5.0),
    ("mild-3", 48.7, 2.2, "FRA", 60.0, 90.0, "temperate", 2.0),
)


def _run(choice: CoolingChoice | None, gpu: str = "H100-SXM") -> RunResult:
    rows = [
        _site(sid, sid, lat, lon, iso, iso, g, p, clim, aware_cf=aw)
        for sid, lat, lon, iso, g, p, clim, aw in _SITES
    ]
    df = pd.DataFrame(rows)
    joined = gpd.GeoDataFrame(
        df, geometry=[Point(x, y) for x, y in zip(df["lon"], df["lat"], strict=True)], crs=4326
    )
    fleet, scenario = Fleet(gpu=gpu, gpus=1000), Scenario(commitment_years=10)
    a = assess(joined, fleet, scenario, Facility(), cooling_choice=choice)
    ranked = decide.rank(a.summary, dict(decide.DEFAULT_WEIGHTS))
    return RunResult(
        sites=joined[["site_id", "name", "lat", "lon", "geometry"]].copy(),
        joined=joined,
        assessment=a,
        ranked=ranked,
        coverage=pd.DataFrame(),
        weights=dict(decide.DEFAULT_WEIGHTS),
        exclusions=[],
        datasets=pd.DataFrame(),
        inputs=[],
    )


@pytest.fixture(scope="module")
def auto_result() -> RunResult:
    return _run(CoolingChoice(objective="water"))


def _cells(tr) -> list[str]:
    return [td.text().strip() for td in tr.find_all("td")]


def test_one_design_run_has_no_cooling_section():
    html = render_html(_run(None))
    assert 'id="cooling"' not in html


def test_design_taken_is_the_least_water_one_and_dry_uses_none(auto_result):
    doc = parse(render_html(auto_result))
    sec = doc.find("section", id="cooling")
    heads = [th.text().strip() for th in sec.find("table").find_all("th")]
    names = heads[2:-1]
    assert "dry" in names and "evaporative" in names
    body = sec.find("table").find_all("tr")[1:]
    assert len(body) == len(_SITES)
    for tr in body:
        cells = _cells(tr)
        taken, pairs = cells[1], cells[2:-1]
        wue = {n: float(c.split("/")[1]) for n, c in zip(names, pairs, strict=True)}
        assert wue["dry"] == 0.0  # dry coolers evaporate nothing
        assert wue[taken] <= min(wue.values()) + 0.005  # 2 decimals shown
        assert "lowest on-site water" in cells[-1]


def test_trade_off_chart_is_an_embedded_png_of_the_top_sites(auto_result):
    from PIL import Image

    doc = parse(render_html(auto_result))
    imgs = doc.find("section", id="cooling").find_all("img")
    assert len(imgs) == 1
    src = imgs[0].attrs["src"]
    assert src.startswith("data:image/png;base64,")
    im = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
    n = min(CHART_SITES, len(_SITES))
    rows = -(-n // 3)
    # 9.5 in wide, 0.6 + 1.85 in per row of three panels, at 96 dpi
    w, h = 9.5 * 96, (0.6 + 1.85 * rows) * 96
    assert abs(im.size[0] - w) <= 1 and abs(im.size[1] - h) <= 1
    gray = np.asarray(im.convert("L"))
    assert gray.min() < 100 and (gray > 250).mean() > 0.5  # drawn, mostly background
    ctx = cooling_context(auto_result, auto_result.ranked)
    assert ctx["n_chart"] == n


def test_liquid_cooled_gpu_gets_no_air_only_column():
    res = _run(CoolingChoice(), gpu="GB200-NVL72")
    ctx = cooling_context(res, res.ranked)
    air_only = {n for n, d in COOLING_DESIGNS.items() if d.air_only}
    assert air_only and not air_only & set(ctx["designs"])
    assert "dry" in ctx["designs"] and ctx["chart"] is not None


def test_chart_without_finite_values_is_none():
    d = pd.DataFrame(
        {
            "site_id": ["x", "x"],
            "cooling_design": ["evaporative", "dry"],
            "pue_annual": [np.nan, np.nan],
            "wue_onsite_l_per_kwh": [np.nan, np.nan],
            "chosen": [True, False],
        }
    )
    ranked = pd.DataFrame({"site_id": ["x"], "rank": [1.0]})
    assert trade_off_chart(d, ranked, ["x"], ["evaporative", "dry"]) is None


def test_pdf_with_the_cooling_section_renders(auto_result, tmp_path):
    from siting.report.pdf import pdf_available

    if not pdf_available() or shutil.which("pdftotext") is None:
        pytest.skip("WeasyPrint or poppler-utils missing")
    path = write_report(auto_result, tmp_path, formats=["pdf"])["pdf"]
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, timeout=120
    ).stdout.decode("utf-8")
    assert "Cooling design per site" in text
    assert "design taken" in text
