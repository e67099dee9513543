"""The HTML report in a real browser (Debian's Chromium via Playwright) at three widths.

At 1280, 1400 and 1920 px: no two text boxes overlap (bounding boxes, clipped to their
scroll containers), every ranking column is visible or reachable by scrolling its
container, and the "Two futures" section is there by default. Screenshots are written
under the test's tmp dir.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (1280, 1400, 1920)

pytestmark = pytest.mark.slow

_OVERLAPS_JS = r"""
() => {
  const sel = 'h1,h2,h3,h4,p,li,th,td,img,caption,figcaption,code,span.badge,a';
  const els = Array.from(document.querySelectorAll(sel)).filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  const box = e => {
    const r = e.getBoundingClientRect();
    let L = r.left, R = r.right, T = r.top, B = r.bottom, c = e.parentElement;
    while (c) {
      const cs = getComputedStyle(c);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
        const q = c.getBoundingClientRect();
        L = Math.max(L, q.left); R = Math.min(R, q.right);
        T = Math.max(T, q.top); B = Math.min(B, q.bottom);
      }
      c = c.parentElement;
    }
    return {L, R, T, B};
  };
  const sticky = e => { for (let c = e; c; c = c.parentElement)
    if (getComputedStyle(c).position === 'sticky') return true; return false; };
  const boxes = els.map(box);
  const stuck = els.map(sticky);
  const out = [];
  for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
    if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
    if (stuck[i] || stuck[j]) continue;  // sticky cells cover scrolled ones by design
    const a = boxes[i], b = boxes[j];
    const w = Math.min(a.R, b.R) - Math.max(a.L, b.L);
    const h = Math.min(a.B, b.B) - Math.max(a.T, b.T);
    if (w > 1 && h > 1) out.push(`${els[i].tagName} "${els[i].innerText.slice(0, 30)}" / ` +
                                 `${els[j].tagName} "${els[j].innerText.slice(0, 30)}"`);
  }
  return out;
}
"""

_REACHABLE_JS = r"""
() => {
  const t = document.getElementById('ranking-table');
  const bad = [];
  for (const th of t.querySelectorAll('thead th')) {
    const r = th.getBoundingClientRect();
    let c = th.parentElement, ok = true, scrolled = false;
    while (c && c !== document.body) {
      const cs = getComputedStyle(c), q = c.getBoundingClientRect();
      const outside = r.left < q.left - 1 || r.right > q.right + 1;
      if (outside && cs.overflowX === 'hidden') ok = false;
      if (outside && (cs.overflowX === 'auto' || cs.overflowX === 'scroll')) {
        ok = ok && c.scrollWidth >= (r.right - q.left + c.scrollLeft) - 1;
        scrolled = true;
        break;
      }
      c = c.parentElement;
    }
    if (!scrolled && r.right > document.documentElement.clientWidth + 1) ok = false;
    if (!ok) bad.push(th.innerText);
  }
  return {n: t.querySelectorAll('thead th').length, bad};
}
"""


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    import siting
    from siting.report import write_report
    from tests.conftest import EXAMPLES

    out = tmp_path_factory.mktemp("report")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = siting.run(EXAMPLES)
        write_report(result, out, formats=("html",))
    return out / "report.html"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_report_layout(report_html, browser, width, tmp_path):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.goto(report_html.as_uri())
    page.screenshot(path=str(tmp_path / f"report_{width}.png"))
    overlaps = page.evaluate(_OVERLAPS_JS)
    assert overlaps == [], f"{len(overlaps)} overlapping boxes at {width} px: {overlaps[:5]}"
    reach = page.evaluate(_REACHABLE_JS)
    assert reach["n"] >= 10 and reach["bad"] == []
    # the page itself never scrolls sideways: wide tables scroll in their own box
    doc_w = page.evaluate("document.documentElement.scrollWidth")
    assert doc_w <= width
    assert page.locator("#futures-table tbody tr").count() == 30
    page.close()


@pytest.fixture(scope="module")
def auto_report_html(tmp_path_factory) -> Path:
    """The report of a run that chose the cooling design per site (``--cooling auto``)."""
    import siting
    from siting.model import CoolingChoice
    from siting.report import write_report
    from tests.conftest import EXAMPLES

    out = tmp_path_factory.mktemp("report-auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = siting.run(EXAMPLES, cooling_choice=CoolingChoice(objective="water"))
        write_report(result, out, formats=("html",))
    return out / "report.html"


@pytest.mark.parametrize("width", (1280, 1920))
def test_cooling_section_layout(auto_report_html, browser, width, tmp_path):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.goto(auto_report_html.as_uri())
    sec = page.locator("#cooling")
    sec.screenshot(path=str(tmp_path / f"cooling_{width}.png"))
    overlaps = page.evaluate(_OVERLAPS_JS)
    assert overlaps == [], f"{len(overlaps)} overlapping boxes at {width} px: {overlaps[:5]}"
    img = sec.locator("img")
    assert img.count() == 1
    box = img.bounding_box()
    assert img.evaluate("e => e.complete && e.naturalWidth") > 0
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert sec.locator("tbody tr").count() == 30
    page.close()
