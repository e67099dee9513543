"""Print the cooling validation summary of docs/method_model.md section 10 (markdown).

    python scripts/validation_table.py

Same cases and tolerances as ``tests/test_validation_published.py`` (Lei & Masanet 2022
zone bands, Google per-campus PUE, Meta and Microsoft figures), with the model values of
the current code: pass counts, model ranges and the cases outside their tolerance.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import test_validation_published as T  # noqa: E402


def _lei_rows(runs) -> list[str]:
    out = []
    for design, metric, case in (
        ("air_economizer", "pue", 1),
        ("air_economizer", "wue", 1),
        ("tower_economizer", "pue", 2),
        ("evaporative", "pue", 2),
        ("tower_economizer", "wue", 2),
        ("evaporative", "wue", 2),
    ):
        zones = T.LEI.loc[T.LEI["case"] == case, "climate_zone"]
        got = {z: float(runs[metric].loc[f"zone-{z}", design]) for z in zones}
        bands = {z: T.lei_band(z, design, metric) for z in zones}
        ok = [z for z in zones if bands[z][0] <= got[z] <= bands[z][1]]
        lo = min(b[0] for b in bands.values())
        hi = max(b[1] for b in bands.values())
        miss = ", ".join(z for z in zones if z not in ok) or "none"
        out.append(
            f"| Lei & Masanet (2022), case {case} | {metric.upper()}, 15 zones | "
            f"{lo:.3f}–{hi:.3f} | `{design}` {min(got.values()):.3f}–{max(got.values()):.3f} "
            f"| inside band | {len(ok)}/15 (outside: {miss}) |"
        )
    return out


def _ops_rows(runs) -> list[str]:
    out = []
    o = T.OPS.set_index("case_id")
    google = [c for c in T.ops_cases("pue") if c.startswith("google")]
    res = {c: T.ops_ok(runs, c) for c in google}
    fails = ", ".join(
        f"{c} {res[c][1]:.3f} vs {o.loc[c, 'published']}" for c in google if not res[c][0]
    )
    vals = [v for _, v in res.values()]
    out.append(
        f"| Google TTM PUE per campus | PUE, {len(google)} campuses | "
        f"{o.loc[google, 'published'].min():.2f}–{o.loc[google, 'published'].max():.2f} | "
        f"`tower_economizer` {min(vals):.3f}–{max(vals):.3f} | ±{T.PUE_TOL} | "
        f"{sum(ok for ok, _ in res.values())}/{len(google)} (outside: {fails or 'none'}) |"
    )
    pub, mod = T._google(runs)
    out.append(f"| same | fleet bias | 0 | {(mod.loc[pub.index] - pub).mean():+.3f} | ±0.05 | |")
    for c in [c for c in T.ops_cases("pue") if not c.startswith("google")] + T.ops_cases(
        "wue_onsite_l_per_kwh"
    ):
        ok, got = T.ops_ok(runs, c)
        out.append(
            f"| {o.loc[c, 'operator']} | {c} {o.loc[c, 'metric']} | {o.loc[c, 'published']} | "
            f"`{o.loc[c, 'design']}` {got:.3f} | see test | {'pass' if ok else 'miss'} |"
        )
    for hot, cold, label in (
        (["google-singapore", "google-singapore-2"],
         ["google-dublin-ie", "google-eemshaven-nl", "google-fredericia-dk",
          "google-st-ghislain-be"], "Google Singapore minus N. Europe"),
        (["microsoft-singapore"], ["microsoft-sweden"], "Microsoft Singapore minus Sweden"),
    ):  # fmt: skip
        pub_d, mod_d = T._difference(runs, hot, cold)
        ok = pub_d / 2 <= mod_d <= pub_d * 2
        out.append(
            f"| {label} | PUE difference | {pub_d:+.3f} | {mod_d:+.3f} | ×/÷ 2 | "
            f"{'pass' if ok else 'miss'} |"
        )
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        runs = T.published_designs(Path(d) / "sites.csv")
    print("| source | case | published | model | tolerance | result |")
    print("|---|---|---|---|---|---|")
    for row in _lei_rows(runs) + _ops_rows(runs):
        print(row)


if __name__ == "__main__":
    main()
