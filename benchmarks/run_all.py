"""Run every scale benchmark and print our time and peak memory against peers.

Usage::

    python benchmarks/run_all.py                       # sizes 10k, 100k, 1M
    python benchmarks/run_all.py --sizes 10000,100000  # chosen sizes
    python benchmarks/run_all.py --quick               # 10k and 100k, small peer samples
    python benchmarks/run_all.py --markdown out.md     # also write the table as Markdown
    python benchmarks/run_all.py --repeat 3            # best of 3 runs per case

Each measurement runs in its own subprocess (``bench_join.py`` / ``bench_end_to_end.py``
``--case NAME --n N``) so that peak memory numbers do not contaminate each other. Peak
memory is the larger of the process's ``getrusage`` maximum resident set size and the
largest sum of resident set sizes of the process and its children (Dask workers),
sampled every 20 ms with psutil. Time is wall time of the timed section only (inputs
built and libraries imported before it). Slow peers are timed on a random subsample and
extrapolated linearly to N; such rows say "extrapolated from n". With ``--repeat R``
each case runs R times and the fastest run is reported (the least disturbed by other
processes on a shared machine); the note lists all R times.

Not a test: no timed assertions anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (group, case, label, is_ours, default subsample for large N or None)
CASES = [
    ("raster", "raster_ours", "ours: affine index + numpy gather (siting.layers._raster)", True),
    ("raster", "raster_sample_gen", "rasterio.sample.sample_gen", False),
    ("raster", "raster_point_query", "rasterstats.point_query (nearest)", False),
    ("polygon", "polygon_ours", "ours: PolygonIndex, label raster + STRtree fallback", True),
    ("polygon", "polygon_ours_first", "ours, first call (index from the disk cache)", True),
    ("polygon", "polygon_ours_cold", "ours, first call ever (index built)", True),
    ("polygon", "polygon_sjoin", "geopandas.sjoin (points prebuilt)", False),
    ("polygon", "polygon_loop", "per-row shapely loop (STRtree query per point)", False),
    ("end_to_end", "e2e_ours", "ours: siting.scale.screen (join+model+rank -> GeoParquet)", True),
    ("end_to_end", "e2e_ours_w2", "ours: screen(workers=2), two processes", True),
    ("end_to_end", "e2e_loop", "per-site loop (join_layers + assess per site, then rank)", False),
    ("end_to_end", "e2e_dask", "ours on Dask: screen_dask, LocalCluster 2 process workers", True),
]
#: subsample sizes of slow peers (full size, quick mode)
SUBSAMPLE = {
    "raster_sample_gen": (100_000, 20_000),
    "raster_point_query": (2_000, 500),
    "polygon_loop": (20_000, 5_000),
    "e2e_loop": (100, 30),
}
SCRIPT = {
    "raster": "bench_join.py",
    "polygon": "bench_join.py",
    "end_to_end": "bench_end_to_end.py",
}


# ----------------------------------------------------------------------------- measuring
class PeakMemory:
    """Peak resident memory of this process and its children [MB] (psutil sampling)."""

    def __init__(self, interval_s: float = 0.02) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total(self) -> int:
        total = self.proc.memory_info().rss
        for c in self.proc.children(recursive=True):
            try:
                total += c.memory_info().rss
            except Exception:  # noqa: BLE001 - a child may exit between listing and reading
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._total())


def measure(fn, *, n: int, n_timed: int | None = None) -> dict:
    """Run ``fn()`` once: wall time and peak memory, as the JSON record of a case."""
    import resource

    import psutil

    base = psutil.Process().memory_info().rss / 2**20
    with PeakMemory() as pm:
        t0 = time.perf_counter()
        extra = fn() or {}
        dt = time.perf_counter() - t0
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    n_timed = n if n_timed is None else n_timed
    rec = {
        "n": n,
        "n_timed": n_timed,
        "time_s": dt * n / n_timed,
        "measured_s": dt,
        "peak_mb": max(self_peak, pm.peak / 2**20),
        "base_mb": base,
        "extrapolated": n_timed != n,
        "load_avg": os.getloadavg()[0],
    }
    rec.update(extra)
    return rec


def emit(rec: dict) -> None:
    """Print a case's record as the last line of the subprocess's stdout."""
    print("BENCH " + json.dumps(rec), flush=True)


# ----------------------------------------------------------------------------- driver
def run_case(script: str, case: str, n: int, sub: int | None, timeout: float) -> dict:
    cmd = [sys.executable, str(HERE / script), "--case", case, "--n", str(n)]
    if sub is not None:
        cmd += ["--sub", str(sub)]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
    return {"error": " | ".join(tail)[:300]}


def fmt_time(s: float) -> str:
    return f"{s:.3f} s" if s < 10 else f"{s:.1f} s"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--quick", action="store_true", help="sizes 10k,100k; small peer samples")
    ap.add_argument("--only", default="", help="comma-separated groups: raster,polygon,end_to_end")
    ap.add_argument("--markdown", default="", help="also write the table to this file")
    ap.add_argument("--timeout", type=float, default=900.0, help="per case [s]")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest is reported")
    args = ap.parse_args(argv)
    sizes = [10_000, 100_000] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    groups = set(args.only.split(",")) if args.only else {"raster", "polygon", "end_to_end"}
    rows = []
    for group, case, label, ours in CASES:
        if group not in groups:
            continue
        for n in sizes:
            if case in ("e2e_loop",) and n != sizes[0] and n != 10_000:
                continue  # the per-site loop peer is measured on 10,000 sites
            if case in ("e2e_dask", "e2e_ours_w2") and n < 100_000:
                continue
            sub = None
            if case in SUBSAMPLE:
                full, quick = SUBSAMPLE[case]
                s = quick if args.quick else full
                sub = s if n > s else None
            print(f"... {case} n={n:,}" + (f" (timed on {sub:,})" if sub else ""), flush=True)
            runs = [run_case(SCRIPT[group], case, n, sub, args.timeout) for _ in range(args.repeat)]
            ok = [r for r in runs if "error" not in r]
            rec = min(ok, key=lambda r: r["time_s"]) if ok else runs[0]
            if args.repeat > 1 and ok:
                rec["note"] = "; ".join(
                    x
                    for x in (rec.get("note", ""), f"best of {len(ok)}: "
                              + ", ".join(f"{r['time_s']:.3g}" for r in ok) + " s")
                    if x
                )  # fmt: skip
            rec.update(group=group, case=case, label=label, ours=ours, n=n)
            rows.append(rec)
    table = render(rows)
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")
    return 0


def render(rows: list[dict]) -> str:
    """Markdown table: each peer row gets ratios against the first 'ours' row of the
    same group and size (time peer/ours: speed-up; memory peer/ours)."""
    lines = [
        "| benchmark | N | method | time | peak memory | time ratio (peer / ours) "
        "| memory ratio (peer / ours) | note |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    ref: dict[tuple[str, int], dict] = {}
    for r in rows:
        if r.get("ours") and "error" not in r and (r["group"], r["n"]) not in ref:
            ref[(r["group"], r["n"])] = r
    for r in rows:
        if "error" in r:
            lines.append(
                f"| {r['group']} | {r['n']:,} | {r['label']} | - | - | - | - | {r['error']} |"
            )
            continue
        base = ref.get((r["group"], r["n"]))
        if base is not None and base is not r and not r["ours"]:
            tr = f"{r['time_s'] / base['time_s']:.1f}x"
            mr = f"{r['peak_mb'] / base['peak_mb']:.2f}"
        else:
            tr = mr = ""
        note = []
        if r.get("extrapolated"):
            note.append(f"extrapolated from {r['n_timed']:,}")
        if r.get("note"):
            note.append(r["note"])
        note.append(f"load {r['load_avg']:.1f}")
        lines.append(
            f"| {r['group']} | {r['n']:,} | {r['label']} | {fmt_time(r['time_s'])} "
            f"| {r['peak_mb']:,.0f} MB | {tr} | {mr} | {'; '.join(note)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
