"""Benchmark of the Streamlit app's rerun time (not a timed test).

Target: after a slider change on 10,000 sites the page is ready in under 1 s.

The app runs headless in :class:`streamlit.testing.v1.AppTest` on a generated grid
(default: a regular 7 km grid over France, 12,989 sites from the embedded boundaries).
The first load (grid, join, model) is timed on its own and excluded; then each kind of
change is timed as the wall time of a full script rerun (every element of the page
rebuilt and serialized, the way the server does it for a browser):

* ``weight``: a ranking-weight slider (re-rank only; join and model come from the cache),
* ``colour``: the map's data layer (map only),
* ``model``: the cooling technology (model rerun, join from the cache), then back
  (model from the cache).

With ``--browser`` (or ``--browser-only``) the same grid is also opened in Debian's
Chromium (Playwright, the launch flags of ``tests/test_app_browser.py``: software WebGL)
through ``streamlit run``, and each move of a weight slider is timed in the page's own
clock until the ranking caption shows the new weights, the run is over, and the map has
been redrawn with the new colours (see :func:`browser_times`); the page is *ready* when
all three have happened. This includes the websocket transfer, the map data's download
and the browser's rendering.

Usage::

    python benchmarks/bench_app.py                    # FRA, regular 7 km
    python benchmarks/bench_app.py --region US-TX --kind h3 --res 5 --repeat 7
    python benchmarks/bench_app.py --browser
    python benchmarks/bench_app.py --browser-only --map-timing draw

Prints the site count, the first-load time and, per change, the median and max rerun
time over ``--repeat`` reruns.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


CPU: dict[str, list[float]] = {}


def _timed_run(at, kind: str | None = None) -> float:
    """Wall time of one rerun; the process CPU time is recorded under ``kind``."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    at.run()
    dt = time.perf_counter() - t0
    if kind is not None:
        CPU.setdefault(kind, []).append(time.process_time() - c0)
    if at.exception:
        raise RuntimeError(f"app raised: {at.exception[0].value}")
    if at.error:
        raise RuntimeError(f"app error: {at.error[0].value}")
    return dt


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the timings."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--region", default="FRA")
    ap.add_argument("--kind", default="regular", choices=["h3", "regular"])
    ap.add_argument("--spacing", type=float, default=7.0, help="regular grid spacing [km]")
    ap.add_argument("--res", type=int, default=5, help="H3 resolution")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--browser", action="store_true", help="also time it in Chromium")
    ap.add_argument("--browser-only", action="store_true", help="only time it in Chromium")
    ap.add_argument(
        "--map-timing",
        choices=["readback", "draw"],
        default="readback",
        help="browser 'map' time: until the GPU has finished the last map frame (a pixel "
        "read-back after each frame; an upper bound) or until its last draw call "
        "(the GPU's own work not included; a lower bound)",
    )
    args = ap.parse_args(argv)
    if args.browser_only:
        browser_times(args)
        return 0

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=600)
    t0 = time.perf_counter()
    at.run()
    at.radio(key="sites_source").set_value("Generated grid")
    at.run()
    at.text_input(key="grid_region").set_value(args.region)
    at.radio(key="grid_kind").set_value(args.kind)
    if args.kind == "regular":
        at.number_input(key="grid_spacing").set_value(args.spacing)
    else:
        at.slider(key="grid_res").set_value(args.res)
    first = _timed_run(at)
    total_first = time.perf_counter() - t0
    n = len(at.dataframe[0].value)
    print(f"sites: {n:,} ({args.region}, {args.kind})")
    print(f"first load of the grid (generate + join + model + page): {first:.2f} s")
    print(f"  (including the app's opening on the examples: {total_first:.2f} s)")

    results: dict[str, list[float]] = {"weight": [], "colour": [], "model": [], "model-cached": []}
    layers = ["grid", "water", "none"]
    for i in range(args.repeat):
        at.slider(key="w_water_onsite").set_value(1.0 + 0.5 * ((i % 4) + 1))
        results["weight"].append(_timed_run(at, "weight"))
        at.radio(key="map_layer").set_value(layers[i % len(layers)])
        results["colour"].append(_timed_run(at, "colour"))
    at.radio(key="map_layer").set_value("none")
    at.run()
    for tech in ("dry", "adiabatic"):
        at.selectbox(key="cooling").set_value(tech)
        results["model"].append(_timed_run(at, "model"))
    at.selectbox(key="cooling").set_value("dry")
    results["model-cached"].append(_timed_run(at, "model-cached"))

    print("rerun after a change (wall time of the whole script run; process CPU time):")
    for k, v in results.items():
        if v:
            cpu = statistics.median(CPU.get(k, [float("nan")]))
            print(
                f"  {k:13s} median {statistics.median(v):.3f} s  max {max(v):.3f} s  "
                f"cpu {cpu:.3f} s  (n={len(v)})"
            )
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    ok = statistics.median(results["weight"]) < 1.0
    print(f"target: weight change < 1 s on {n:,} sites: {'met' if ok else 'NOT met'}")
    if args.browser:
        browser_times(args)
    return 0


#: Installed in the page before its own scripts (``page.add_init_script``): timestamps
#: (``performance.now()``) of the last key press, of the start and end of each script run
#: (``data-test-script-state`` of Streamlit's app element), of every WebGL draw call, and
#: of the moment the GPU had finished the last frame that drew anything: after each
#: frame's draw calls (a task later) the probe reads one pixel back, which returns only
#: once the GPU (SwiftShader here) has executed everything drawn so far. The read-back
#: makes the page wait for the GPU where it could have gone on with other work, so *map*
#: is an upper bound; with ``--map-timing draw`` there is no read-back and *map* is the
#: last draw call, a lower bound (the GPU's work on that frame not included). The only
#: WebGL canvases of the page are the map's (deck.gl and its MapLibre background); the
#: ranking table and the charts draw with 2D canvases or SVG.
PAGE_PROBE = """
(() => {
  const b = (window.__bench = {
    key: 0, ranking: 0, draws: 0, lastDraw: 0, lastDone: 0, syncPending: false,
    runStart: 0, runEnd: 0, readBack: READ_BACK,
  });
  // the app's script-run state (Streamlit sets it on the app's root element)
  new MutationObserver((records) => {
    for (const r of records) {
      const state = r.target.getAttribute('data-test-script-state');
      if (state === 'running') b.runStart = performance.now();
      else if (b.runStart > b.runEnd) b.runEnd = performance.now();
    }
  }).observe(document, {attributes: true, subtree: true,
                        attributeFilter: ['data-test-script-state']});
  addEventListener('keydown', () => { b.key = performance.now(); }, true);
  const names = ['drawArrays', 'drawElements', 'drawArraysInstanced',
                 'drawElementsInstanced', 'drawRangeElements'];
  for (const C of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    if (!C) continue;
    for (const name of names) {
      const f = C.prototype[name];
      if (!f) continue;
      C.prototype[name] = function (...args) {
        const out = f.apply(this, args);
        b.draws++;
        b.lastDraw = performance.now();
        if (b.readBack && !b.syncPending) {
          b.syncPending = true;
          const gl = this;
          setTimeout(() => {
            gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
            b.lastDone = performance.now();
            b.syncPending = false;
          }, 0);
        }
        return out;
      };
    }
  }
})();
"""


def browser_times(args) -> None:
    """Slider move -> updated page, in Chromium against ``streamlit run app.py``.

    Per move (a scope-2 weight slider to 0 or 10, alternately, with the map coloured by
    the score, so every site's colour can change), in the page's own clock from the key
    press: the ranking caption shows the new weights (*ranking*), the run is over (*run*:
    the page's script-run state, as the app's running indicator shows it), and the GPU
    has finished the map's last frame (*map*: the last frame drawn before the map stays
    still for 1.5 s, i.e. the redraw with the new data; see :data:`PAGE_PROBE`). *Ready*
    is the latest of the three. A screenshot of the map before and after each move checks
    that the map did change (share of pixels that differ).
    """
    import socket
    import subprocess
    import urllib.request

    import numpy as np
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(APP.parent / "tests"))
    from test_app_browser import CHROMIUM, LAUNCH_ARGS, SLIDER

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    proc = subprocess.Popen(
        cmd, cwd=APP.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            page = b.new_page(viewport={"width": 1400, "height": 1400})
            read_back = "true" if args.map_timing == "readback" else "false"
            page.add_init_script(PAGE_PROBE.replace("READ_BACK", read_back))
            page.goto(url)
            page.get_by_text("Top sites:").wait_for(timeout=120_000)

            def idle() -> None:
                page.wait_for_timeout(300)
                page.wait_for_selector(
                    "[data-testid=stApp][data-test-script-state=notRunning]", timeout=300_000
                )

            def still(ms: int = 1500) -> None:
                """Wait until the run is over and the map has drawn nothing for ``ms``."""
                page.wait_for_function(
                    "ms => { const b = window.__bench;"
                    " return !!document.querySelector("
                    "'[data-testid=stApp][data-test-script-state=notRunning]')"
                    " && !b.syncPending"
                    " && performance.now() - Math.max(b.lastDraw, b.lastDone) > ms; }",
                    arg=ms,
                    polling=100,
                    timeout=300_000,
                )

            def map_shot() -> np.ndarray:
                from io import BytesIO

                from PIL import Image

                chart = page.locator("[data-testid=stDeckGlJsonChart]").first
                img = Image.open(BytesIO(chart.screenshot())).convert("RGB")
                return np.asarray(img, dtype=np.int16)

            page.get_by_label("Generated grid").check(force=True)
            idle()
            region = page.locator("[data-testid=stTextInput]").filter(has_text="Region")
            region.locator("input").fill(args.region)
            region.locator("input").press("Enter")
            idle()
            page.get_by_label(args.kind, exact=True).check(force=True)
            idle()
            if args.kind == "regular":
                sp = page.locator("[data-testid=stNumberInput]").filter(has_text="spacing")
                sp.locator("input").fill(str(args.spacing))
                sp.locator("input").press("Enter")
            idle()
            page.get_by_text("Top sites:").wait_for(timeout=300_000)
            page.locator("[data-testid=stDeckGlJsonChart]").first.scroll_into_view_if_needed()
            still()
            slider = (
                page.locator("[data-testid=stSlider]")
                .filter(has_text=SLIDER)
                .locator("input[type=range]")
            )
            # the ranking caption lists the weights used: it changes on every weight move
            js = (
                "[...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
                ".map(e => e.innerText).find(t => t.includes('Weights:')) || ''"
            )
            rows: list[dict[str, float]] = []
            changed: list[float] = []
            late = 0
            for i in range(args.repeat + 1):
                before = page.evaluate(f"() => {js}")
                shot0 = map_shot()
                slider.focus()
                page.evaluate(
                    "() => Object.assign(window.__bench, {key: 0, ranking: 0, runEnd: 0})"
                )
                page.keyboard.press("Home" if i % 2 == 0 else "End")
                page.wait_for_function(
                    f"old => {{ if (({js}) === old) return false;"
                    " window.__bench.ranking = performance.now(); return true; }",
                    arg=before,
                    polling="raf",
                    timeout=60_000,
                )
                still()
                r = page.evaluate("() => ({...window.__bench})")
                key = r["key"]
                row = {
                    "ranking": r["ranking"] - key,
                    "run": (r["runEnd"] if r["runEnd"] > key else r["ranking"]) - key,
                    "map": (max(r["lastDone"], r["lastDraw"]) - key)
                    if r["lastDraw"] > key
                    else float("nan"),
                }
                row["ready"] = max(row.values()) if r["lastDraw"] > key else float("nan")
                diff = np.abs(map_shot() - shot0).max(axis=2) > 8
                # a map frame after the 1.5 s of stillness would make *map* too early
                late += page.evaluate("() => window.__bench.lastDraw") > r["lastDraw"]
                if i == 0:
                    continue  # the first move after the grid's first load: a warm-up
                rows.append({k: v / 1000.0 for k, v in row.items()})
                changed.append(float(diff.mean()))
            b.close()
        print(
            f"browser (Chromium, software WebGL; map timing: {args.map_timing}), "
            f"slider move -> (n={len(rows)}; median, max):"
        )
        for k in ("ranking", "run", "map", "ready"):
            v = [r[k] for r in rows]
            print(f"  {k:8s} median {statistics.median(v):.3f} s  max {max(v):.3f} s")
        print(
            "  map pixels changed per move: "
            + ", ".join(f"{100 * c:.1f}%" for c in changed)
            + f"; frames drawn after the map was taken as still: {late}"
            + f"; load average {os.getloadavg()[0]:.2f}"
        )
        ok = statistics.median([r["ready"] for r in rows]) < 1.0
        print(f"target: page ready < 1 s after a slider move: {'met' if ok else 'NOT met'}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
