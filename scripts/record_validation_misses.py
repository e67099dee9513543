"""Record which published cooling cases the model misses today (strict xfails).

    python scripts/record_validation_misses.py

Runs the cases of ``tests/test_validation_published.py`` (Lei & Masanet 2022 zone bands,
operator campus figures, the hot-humid-above-subarctic ordering) through the model and
writes ``tests/validation_misses.json``: every case outside its published band or
tolerance, with the value measured now. Like ``scripts/record_golden.py``, run it only in
a commit that changes the physics on purpose, and say so in the commit message: the tests
still compare with the published numbers, the file only records which of them are known
shortfalls, so that a change of status is seen.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import test_validation_published as T  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        runs = T.published_designs(Path(d) / "sites.csv")
    lei = []
    for zone, design, metric in T.lei_cases():
        lo, hi = T.lei_band(zone, design, metric)
        got = float(runs[metric].loc[f"zone-{zone}", design])
        if not lo <= got <= hi:
            lei.append(
                {"zone": zone, "design": design, "metric": metric, "measured": round(got, 4)}
            )
    ops = {}
    for metric in ("pue", "wue_onsite_l_per_kwh"):
        for case_id in T.ops_cases(metric):
            ok, got = T.ops_ok(runs, case_id)
            if not ok:
                ops[case_id] = round(got, 4)
    order = []
    for design, metric in T.ORDER_CASES:
        if not T.hot_humid_above_subarctic(runs, design, metric):
            v = runs[metric][design]
            order.append(
                {
                    "design": design,
                    "metric": metric,
                    "reason": f"measured {design} {metric} zone 1A {v['zone-1A']:.3f} <= "
                    f"zone 8 {v['zone-8']:.3f}",
                }
            )
    out = {"lei": lei, "ops": ops, "order": order}
    path = REPO / "tests" / "validation_misses.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(out, indent=1) + "\n")
    tmp.replace(path)
    print(f"{len(lei)} band misses, {len(ops)} operator misses, {len(order)} ordering misses")


if __name__ == "__main__":
    main()
