"""The user-facing commands at every size, in one run (``siting run`` / ``siting join``
as a user types them, each in its own subprocess), against one ``geopandas.sjoin`` of
the same points in the same run::

    python benchmarks/bench_one_path.py --n 1000000            # all three cases
    python benchmarks/bench_one_path.py --n 1000000 --only run

Points: N uniform random points in the contiguous-US box lon -124..-67, lat 25..49
(seed 0; some fall at sea or in Canada/Mexico, as a user's box would), written to a CSV
before any timing.

* ``sjoin``: ``geopandas.sjoin`` of the points (GeoDataFrame prebuilt) against the
  11,050 WULCA AWARE 1.2 watersheds (``$SITING_RAW_DIR/wulca-aware-bw2/aware.gpkg``),
  predicate ``within``, in this process.
* ``run``: ``python -m siting.cli run points.csv --gpu H100-SXM --gpus 50000
  --commitment-years 15 --product-years 2 --after idle --out DIR`` (all layers, both
  futures, ranking, sites.parquet, report.html, report.xlsx, report.gpkg).
* ``join``: ``python -m siting.cli join points.csv --out joined.parquet`` (all layers,
  climate per site's 0.25-degree cell).
* ``screen``: ``python -m siting.cli screen points.csv --out screen.parquet``.
* ``run30``: ``siting run`` on the 30 example campuses (``data/examples/campuses.csv``).

``--workers W`` adds ``--workers W`` to ``run``, ``join`` and ``screen`` (worker
processes of the chunk pass; default: the commands' own default, min(2, CPUs)).

Wall time of each command includes the interpreter start, imports and reading the CSV.
Peak memory: ``peak_mb`` is the largest maximum resident set size of any one process
of the command (``RUSAGE_CHILDREN`` of a fresh child that runs it: the command and its
worker processes); ``tree_rss_mb`` and ``tree_pss_mb`` come from a second run of the
same command (its wall time is ``sampled_time_s``; the sampler's own cost, ~90 ms per
sample of a multi-GB tree, is kept out of ``time_s``) and are the peaks, sampled every
250 ms with psutil, of the sum over the command's process tree of the resident set
(counts pages shared copy-on-write by forked workers once per process: an upper bound)
and of the proportional set size (shared pages split between the processes sharing
them: what the tree occupies).
``cpu_s`` is the user + system CPU time of the command and its workers (steadier than
wall time on a shared machine). Each record carries the 1-minute load average at its
start (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def points_csv(n: int, path: Path) -> None:
    import pandas as pd

    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(-124.0, -67.0, n), rng.uniform(25.0, 49.0, n)
    pd.DataFrame({"site_id": [f"p{i}" for i in range(n)], "lat": lat, "lon": lon}).to_csv(
        path, index=False
    )


def bench_sjoin(csv: Path) -> dict:
    import geopandas as gpd
    import pandas as pd

    raw = Path(os.environ.get("SITING_RAW_DIR", REPO.parent / "shared/data/raw"))
    basins = gpd.read_file(raw / "wulca-aware-bw2" / "aware.gpkg")[["geometry"]]
    df = pd.read_csv(csv)
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs=basins.crs)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    j = gpd.sjoin(pts, basins, how="left", predicate="within")
    dt = time.perf_counter() - t0
    return {"case": "sjoin", "time_s": dt, "rows": len(j), "basins": len(basins), "load_avg": load}


def bench_cli(case: str, args: list[str]) -> dict:
    """One CLI command run twice in fresh children: timed alone (wall and CPU time,
    peak RSS of any one process), then again with its process tree's memory sampled
    (the sampler reads ``/proc/PID/smaps_rollup``, which walks every page table: ~90 ms
    per sample of a multi-GB tree, ~15 s of CPU over a 1M-site run, so it is kept out of
    the timed run)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONWARNINGS="ignore")
    load = os.getloadavg()[0]
    rec: dict = {}
    for sample in ("0", "1"):
        cmd = [sys.executable, "-c", _CHILD, json.dumps(args), sample]
        # cwd: ``python -m`` puts it first on sys.path, before PYTHONPATH
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
        if p.returncode != 0:
            return {"case": case, "error": p.stderr[-2000:], "load_avg": load}
        got = json.loads(p.stdout.strip().splitlines()[-1])
        if sample == "1":
            got = {
                "tree_rss_mb": got["tree_rss_mb"],
                "tree_pss_mb": got["tree_pss_mb"],
                "sampled_time_s": got["time_s"],
            }
        rec.update(got)
    rec.update(case=case, load_avg=load, command="siting " + " ".join(args))
    return rec


# the child starts the command so that its maxrss is the command's alone, and samples
# the memory of the command's process tree
_CHILD = """
import json, os, resource, subprocess, sys, tempfile, time
import psutil
args = json.loads(sys.argv[1])
sample = sys.argv[2] == "1"
err = tempfile.TemporaryFile(mode="w+")
t0 = time.perf_counter()
p = subprocess.Popen([sys.executable, "-m", "siting.cli", *args], stdout=subprocess.DEVNULL,
                     stderr=err, text=True)
top = psutil.Process(p.pid)
rss = pss = 0
while sample and p.poll() is None:
    r = s = 0
    try:
        procs = [top, *top.children(recursive=True)]
    except psutil.Error:
        procs = []
    for q in procs:
        try:
            m = q.memory_full_info()
            r, s = r + m.rss, s + m.pss
        except psutil.Error:
            pass
    rss, pss = max(rss, r), max(pss, s)
    time.sleep(0.25)
p.wait()
dt = time.perf_counter() - t0
if p.returncode:
    err.seek(0)
    sys.exit(err.read()[-2000:])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
peak = ru.ru_maxrss / 1024.0
print(json.dumps({"time_s": dt, "cpu_s": ru.ru_utime + ru.ru_stime, "peak_mb": peak,
                  "tree_rss_mb": rss / 2**20, "tree_pss_mb": pss / 2**20}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--only", default="sjoin,run,join,run30")
    ap.add_argument("--workers", type=int, default=None, help="--workers of the commands")
    ap.add_argument("--points", type=Path, default=None, help="reuse this points CSV")
    a = ap.parse_args()
    only = set(a.only.split(","))
    d = Path(tempfile.mkdtemp(prefix="bench-one-path-"))
    csv = a.points or d / "points.csv"
    if a.points is None:
        points_csv(a.n, csv)
    par = [] if a.workers is None else ["--workers", str(a.workers)]
    recs = []
    if "sjoin" in only:
        recs.append(bench_sjoin(csv))
    model = ["--gpu", "H100-SXM", "--gpus", "50000", "--commitment-years", "15"]
    model += ["--product-years", "2", "--after", "idle"]
    if "run" in only:
        recs.append(bench_cli("run", ["run", str(csv), *model, "--out", str(d / "run"), *par]))
    if "join" in only:
        out = str(d / "joined.parquet")
        recs.append(bench_cli("join", ["join", str(csv), "--out", out, *par]))
    if "screen" in only:
        out = str(d / "screen.parquet")
        recs.append(bench_cli("screen", ["screen", str(csv), "--out", out, *par]))
    if "run30" in only:
        campuses = str(REPO / "data/examples/campuses.csv")
        recs.append(bench_cli("run30", ["run", campuses, *model, "--out", str(d / "run30")]))
    for r in recs:
        r["n"] = 30 if r["case"] == "run30" else a.n
        print("BENCH " + json.dumps(r), flush=True)
    by = {r["case"]: r for r in recs}
    if "sjoin" in by and "time_s" in by.get("run", {}):
        print(f"run / sjoin = {by['run']['time_s'] / by['sjoin']['time_s']:.1f}x", flush=True)


if __name__ == "__main__":
    main()
