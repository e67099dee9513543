"""Stage timings of the main pipeline on N random land sites (not a timed test).

Usage::

    python benchmarks/bench_stages.py --n 100000
    python benchmarks/bench_stages.py --n 1000000 --repeat 2

Stages, each timed on its own (inputs built before the timing, layers loaded and their
indexes built by a warm-up join of the first 20,000 sites); the fastest of ``--repeat``
runs is shown:

* ``from_frame`` of N rows with float ``lat``/``lon`` columns (ids generated), and of
  the same rows as text (as :func:`siting.read_sites` hands a CSV to it);
* ``join_layers`` (all families; the time of each family's joiner is listed);
* ``assess`` of the joined table (50,000 H100-SXM, 20 years, monthly);
* ``decide.rank`` of the summary (default weights).

Sites: N uniform random points (lon -180..180, lat -56..75, seed 0) kept where the
embedded 5' elevation grid has land (pvlib ``Altitude.h5``, not "no data").
Prints one line per stage (wall time and CPU time of the fastest run; the family
joiners' wall times) and the peak resident set size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def land_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    import h5py

    with h5py.File(REPO / "data/starter/climate/pvlib_altitude_5min.h5", "r") as f:
        alt = np.asarray(f["Altitude"][:], dtype=np.uint8)
    ny, nx = alt.shape
    rng = np.random.default_rng(seed)
    lat_out, lon_out, have = [], [], 0
    while have < n:
        lat = rng.uniform(-56, 75, 4 * n)
        lon = rng.uniform(-180, 180, 4 * n)
        iy = np.clip(np.rint((90.0 - 90.0 / ny - lat) * ny / 180.0).astype(int), 0, ny - 1)
        ix = np.clip(np.rint((lon + 180.0 - 180.0 / nx) * nx / 360.0).astype(int), 0, nx - 1)
        land = alt[iy, ix] != 255
        lat_out.append(lat[land])
        lon_out.append(lon[land])
        have += int(land.sum())
    return np.concatenate(lat_out)[:n], np.concatenate(lon_out)[:n]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


#: CPU seconds of the fastest run of the last :func:`best` call (less disturbed than the
#: wall time by other processes on a shared machine)
CPU = {"s": 0.0}


def best(fn, repeat: int) -> tuple[float, object]:
    """Wall time of the fastest of ``repeat`` runs (its CPU time in ``CPU``), last result."""
    times, out = [], None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    wall, CPU["s"] = min(times)
    return wall, out


def cpu() -> str:
    return f"(CPU {CPU['s']:.3f} s)"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", default="from_frame,join,assess,rank")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))

    import siting.join as sj
    from siting.model import Facility, Fleet, Scenario, assess
    from siting.sites import from_frame

    warnings.simplefilter("ignore")
    lat, lon = land_points(args.n)
    df = pd.DataFrame({"lat": lat, "lon": lon})
    print(f"N = {args.n:,} land sites")

    if "from_frame" in only:
        t, _ = best(lambda: from_frame(df), args.repeat)
        print(f"from_frame (float columns, ids generated): {t:.3f} s {cpu()}")
        dft = df.astype(str)
        t, _ = best(lambda: from_frame(dft), args.repeat)
        print(f"from_frame (text columns, ids generated):  {t:.3f} s {cpu()}")

    if only & {"join", "assess", "rank"}:
        sites = from_frame(df)
        sj.join_layers(sites.iloc[:20_000])  # loads the layers and builds their indexes
        fam_times: dict[str, float] = {}
        from importlib import import_module

        for fam, target in sj.JOINERS:
            mod_name, _, fn_name = target.partition(":")
            mod = import_module(mod_name)
            orig = getattr(mod, fn_name)

            def timed(s, ctx, _orig=orig, _fam=fam):
                t0 = time.perf_counter()
                r = _orig(s, ctx)
                fam_times[_fam] = time.perf_counter() - t0
                return r

            setattr(mod, fn_name, timed)
        runs = []
        for _ in range(args.repeat):
            t, joined = best(lambda: sj.join_layers(sites), 1)
            runs.append((t, CPU["s"], dict(fam_times)))
        t, c, fam = min(runs, key=lambda r: r[0])
        fams = ", ".join(f"{k} {v:.2f}" for k, v in fam.items())
        other = t - sum(fam.values())
        print(f"join_layers: {t:.3f} s (CPU {c:.3f} s; {fams}; outside the joiners {other:.2f})")
        if only & {"assess", "rank"}:
            fleet = Fleet(gpu="H100-SXM", gpus=50_000)
            scenario = Scenario(commitment_years=20, product_years=2.0, after="idle")
            t, res = best(lambda: assess(joined, fleet, scenario, Facility()), args.repeat)
            print(f"assess: {t:.3f} s {cpu()}")
        if "rank" in only:
            from siting import decide

            t, _ = best(lambda: decide.rank(res.summary), args.repeat)
            print(f"decide.rank: {t:.3f} s {cpu()}")
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
