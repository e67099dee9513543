"""The app in a real browser: ``streamlit run app.py`` driven by Debian's Chromium.

Starts the server headless on a free port, opens the page with Playwright for Python
(``executable_path="/usr/bin/chromium"``; Playwright's own browser download does not
work on these machines) and checks:

* the cold start: time from opening the page on a fresh server to the sidebar and title
  (page usable) and to the ranking (printed and written to ``cold_start.txt`` under the
  test's tmp dir; not asserted, the machine is shared);
* a weight change updates the best site, the ranking table and the map (screenshots
  before and after differ);
* the deck.gl map canvas is drawn without requests to the internet, the base map
  fetched from the app's own ``/app/static/`` files;
* the layout at 1280, 1400 and 1920 px: no two text boxes overlap (bounding boxes
  clipped to their scroll containers, the approach of ``tests/test_report_browser.py``),
  the map legend does not cover the map; screenshots under the test's tmp dir;
* privacy: the sites of an upload never reach a URL that a second browser session (its
  own context) can fetch.

Launch flags: with ``--disable-gpu`` the deck.gl map stays blank; SwiftShader through
ANGLE gives working WebGL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` on a free port, one per module (the first test opens it
    cold); yields the base URL."""
    tmp_path = tmp_path_factory.mktemp("server")
    port = _free_port()
    log = open(tmp_path / "streamlit.log", "w")  # noqa: SIM115 - closed below
    env = dict(os.environ)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "streamlit did not start: " + (tmp_path / "streamlit.log").read_text()[-2000:]
                )
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _top_line(page) -> str:
    return page.get_by_text("Top sites:").inner_text()


def _best(page) -> str:
    return page.locator("[data-testid=stMetricValue]").first.inner_text()


_OVERLAPS_JS = r"""
() => {
  const sel = 'h1,h2,h3,h4,p,li,label,img,code,[data-testid=stMetricValue],' +
              '[data-testid=stMetricLabel],[data-testid=stCaptionContainer]';
  // the data grids and the map draw on canvases; a slider's value floats over its track
  const skip = e => e.closest('[data-testid=stDataFrame],[data-testid=stDeckGlJsonChart],' +
                              '[data-testid=stTooltipContent],[role=tooltip],' +
                              '[data-testid=stSliderThumbValue],[data-testid=stSliderTickBar]');
  const els = Array.from(document.querySelectorAll(sel)).filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !skip(e) && e.innerText.trim() !== '' &&
      getComputedStyle(e).visibility !== 'hidden';
  });
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
  const sticky = e => { for (let c = e; c; c = c.parentElement) {
    const p = getComputedStyle(c).position; if (p === 'sticky' || p === 'fixed') return true; }
    return false; };
  const boxes = els.map(box), stuck = els.map(sticky), out = [];
  for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
    if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
    if (stuck[i] || stuck[j]) continue;
    const a = boxes[i], b = boxes[j];
    const w = Math.min(a.R, b.R) - Math.max(a.L, b.L);
    const h = Math.min(a.B, b.B) - Math.max(a.T, b.T);
    if (w > 1 && h > 1) out.push(`${els[i].tagName} "${els[i].innerText.slice(0, 30)}" / ` +
                                 `${els[j].tagName} "${els[j].innerText.slice(0, 30)}"`);
  }
  return out;
}
"""

_LEGEND_JS = r"""
() => {
  const map = document.querySelector('[data-testid=stDeckGlJsonChart]');
  if (!map) return 'no map';
  const img = document.querySelector('[data-testid=stImage] img');
  if (!img) return 'no legend';
  const a = map.getBoundingClientRect(), b = img.getBoundingClientRect();
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return (w > 1 && h > 1) ? 'legend covers the map' : '';
}
"""


def _launch(sync_api, p):
    return p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)


def _map_shot(page, path: Path) -> np.ndarray:
    """Screenshot of the drawn map (waits until it is not blank)."""
    from PIL import Image

    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.scroll_into_view_if_needed()
    chart.locator("canvas").last.wait_for(timeout=20_000)
    arr = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        chart.screenshot(path=str(path))
        arr = np.asarray(Image.open(path).convert("RGB"), dtype=float)
        if arr.std() > 10 and len(np.unique(arr.reshape(-1, 3), axis=0)) > 50:
            break
        time.sleep(1.0)
    assert arr is not None
    assert arr.std() > 10, f"map looks blank (pixel std {arr.std():.1f}); see {path}"
    assert len(np.unique(arr.reshape(-1, 3), axis=0)) > 50
    return arr


def _need_browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed at /usr/bin/chromium (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def test_app_in_chromium(server, tmp_path):
    sync_api = _need_browser()
    external: list[str] = []
    map_files: list[tuple[str, int]] = []
    with sync_api.sync_playwright() as p:
        browser = _launch(sync_api, p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1400})

            def note(request) -> None:
                host = urlparse(request.url).hostname
                if request.url.startswith(("http://", "https://")) and host not in (
                    "127.0.0.1",
                    "localhost",
                ):
                    external.append(request.url)

            page.on("request", note)
            page.on(
                "response",
                lambda r: (
                    map_files.append((urlparse(r.url).path, r.status))
                    if "/app/static/map-" in r.url
                    else None
                ),
            )
            # cold start: this is the server's first page
            t0 = time.monotonic()
            page.goto(server)
            page.get_by_role("heading", name="Where to build").wait_for(timeout=60_000)
            page.locator("[data-testid=stSidebar]").get_by_text("Candidate sites").wait_for()
            usable_s = time.monotonic() - t0
            page.get_by_text("Top sites:").wait_for(timeout=90_000)
            ranked_s = time.monotonic() - t0
            report = (
                f"cold start: page usable (title + sidebar) {usable_s:.1f} s, "
                f"ranking shown {ranked_s:.1f} s after opening the page"
            )
            (tmp_path / "cold_start.txt").write_text(report + "\n")
            print("\n" + report)
            before, best_before = _top_line(page), _best(page)
            assert before.startswith("Top sites: 1. ")
            # both futures by default, with the one-line after-shutdown summary
            page.get_by_text("after shutdown: $").first.wait_for(timeout=20_000)
            page.get_by_role("heading", name="Two futures").wait_for()
            shot0 = _map_shot(page, tmp_path / "map_before.png")

            # scope-2 CO2e no longer counts -> another best site on the bundled campuses
            for name in ("Lifetime scope-2 CO2e (location-based)",):
                slider = (
                    page.locator("[data-testid=stSlider]")
                    .filter(has_text=name)
                    .first.locator("input[type=range]")
                )
                slider.focus()
                page.keyboard.press("Home")
                time.sleep(1.0)  # each move reruns the script
            t1 = time.monotonic()
            page.wait_for_function(
                "old => { const e = document.querySelector('[data-testid=stMetricValue]');"
                " return e && e.innerText !== old; }",
                arg=best_before,
                timeout=30_000,
            )
            rerun_s = time.monotonic() - t1
            after = _top_line(page)
            assert after != before and _best(page) != best_before
            best_id = _best(page).rsplit("(", 1)[-1].rstrip(")")
            page.locator("h3#ranking").scroll_into_view_if_needed()
            page.wait_for_function(
                "id => [...document.querySelectorAll('[data-testid=stDataFrame]')]"
                ".some(e => e.textContent.includes(id))",
                arg=best_id,
                timeout=20_000,
            )
            time.sleep(2.0)  # the map redraws its sites with the new colours
            shot1 = _map_shot(page, tmp_path / "map_after.png")
            assert shot0.shape != shot1.shape or np.abs(shot0 - shot1).mean() > 0.01
            print(f"best site changed {rerun_s:.2f} s after the last slider move")
        finally:
            browser.close()
    assert not external, f"the page requested internet resources: {external[:5]}"
    # the base map came by URL from the app's own static folder, not in the spec
    assert {p.split("/")[-1].split("-")[1] for p, st in map_files if st == 200} >= {"base"}
    assert all(st == 200 for _, st in map_files), map_files


@pytest.mark.parametrize("width", (1280, 1400, 1920))
def test_app_layout(server, tmp_path, width):
    sync_api = _need_browser()
    with sync_api.sync_playwright() as p:
        browser = _launch(sync_api, p)
        try:
            # tall enough for the whole page: Streamlit scrolls its main block, not the
            # document, and draws elements only when they come into view
            page = browser.new_page(viewport={"width": width, "height": 5000})
            page.goto(server)
            page.get_by_text("Top sites:").wait_for(timeout=90_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=stSkeleton]')"
                " && !!document.querySelector('[data-testid=stImage] img')"
                " && !!document.querySelector('[data-testid=stVegaLiteChart]')",
                timeout=60_000,
            )
            time.sleep(2.0)  # charts and the data grids lay out
            page.screenshot(path=str(tmp_path / f"app_{width}.png"))
            overlaps = page.evaluate(_OVERLAPS_JS)
            assert overlaps == [], (
                f"{len(overlaps)} overlapping boxes at {width} px: {overlaps[:5]}"
            )
            assert page.evaluate(_LEGEND_JS) == ""
            # the page itself never scrolls sideways: wide tables scroll in their own box
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        finally:
            browser.close()


def test_upload_stays_in_its_session(server, tmp_path):
    sync_api = _need_browser()
    secret = "Zq7 Secret Campus"
    csv = tmp_path / "mine.csv"
    csv.write_text(
        f"site_id,name,lat,lon\nzq7-a,{secret} A,59.3,18.1\nzq7-b,{secret} B,45.5,-73.6\n"
    )
    seen: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = _launch(sync_api, p)
        try:
            a = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
            a.on("request", lambda r: seen.append(r.url))
            a.goto(server)
            a.get_by_text("Top sites:").wait_for(timeout=90_000)
            a.locator("[data-testid=stSidebar]").get_by_text("Upload a file").click()
            a.locator("input[type=file]").set_input_files(str(csv))
            a.get_by_text(f"Top sites: 1. {secret}").wait_for(timeout=60_000)
            a.locator('[data-testid="stDeckGlJsonChart"] canvas').last.wait_for(timeout=20_000)
            time.sleep(1.0)
            # a second visitor (own context: own cookies, own session) fetches every URL
            # the first session loaded from the server: none holds the upload's sites
            b = browser.new_context()
            leaked = []
            for url in dict.fromkeys(seen):
                if not url.startswith(server) or "/_stcore/stream" in url:
                    continue
                r = b.request.get(url)
                if r.ok and secret.encode() in r.body():
                    leaked.append(url)
            assert not leaked, leaked
            # and the second session's own page shows the bundled example, not the upload
            pb = b.new_page()
            pb.goto(server)
            pb.get_by_text("Top sites:").wait_for(timeout=90_000)
            assert secret not in pb.content()
        finally:
            browser.close()
    static = REPO / "static"
    for f in static.glob("*") if static.is_dir() else []:
        assert secret.encode() not in f.read_bytes(), f
