"""Build the compact grid-pathway extract ``data/starter/pathways/us_state_cambium.csv``.

Source: the Scout repository (trynthink/scout, Apache-2.0 / BSD), files
``scout/supporting_data/convert_data/state_emissions_prices-<case>.json``: annual CO2
intensity of electricity per U.S. state [Mt/TWh], EIA AEO 2025 data through 2024, NREL
Cambium projections 2025-2050 (MidCase and 95by2050 from Cambium 2024, Decarb100by2035
from Cambium 2023; Scout's ``cambium_updater.py`` maps Cambium regions to states).

Usage::

    python scripts/build_pathways.py SCOUT_CHECKOUT [OUT_CSV]

Writes one row per (scenario, region): ``scenario, region_code, source`` then one column
per year ``g2024 .. g2050`` holding the intensity [gCO2/kWh] (wide, to stay small).
1 Mt/TWh = 1 kg/kWh = 1000 g/kWh. 2024 is the last historical AEO year, the base of the
relative pathway (docs/method_pathways.md).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

#: scenario name in siting -> (Scout file case, Cambium vintage)
CASES = {
    "cambium_midcase": ("MidCase", "Cambium 2024 Mid-case"),
    "cambium_95by2050": ("95by2050", "Cambium 2024 95% decarbonization by 2050"),
    "cambium_100by2035": ("100by2035", "Cambium 2023 100% decarbonization by 2035"),
}
FIRST_YEAR, LAST_YEAR = 2024, 2050
G_PER_KWH_PER_MT_PER_TWH = 1000.0  # 1 Mt/TWh = 1e9 kg / 1e9 kWh = 1 kg/kWh


def build(scout_dir: Path, out: Path) -> Path:
    rows = []
    for name, (case, vintage) in CASES.items():
        p = scout_dir / "scout/supporting_data/convert_data" / f"state_emissions_prices-{case}.json"
        doc = json.loads(p.read_text())
        block = doc["CO2 intensity of electricity"]
        if block["units"] != "Mt/TWh":
            raise SystemExit(f"{p}: expected units Mt/TWh, got {block['units']!r}")
        source = f"Scout {case}: EIA AEO2025 to 2024; {vintage}"
        for state in sorted(block["data"]):
            series = block["data"][state]
            values = [
                f"{float(series[str(y)]) * G_PER_KWH_PER_MT_PER_TWH:.2f}"
                for y in range(FIRST_YEAR, LAST_YEAR + 1)
            ]
            rows.append((name, f"US-{state}", source, *values))
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        years = [f"g{y}" for y in range(FIRST_YEAR, LAST_YEAR + 1)]
        w.writerow(["scenario", "region_code", "source", *years])
        w.writerows(rows)
    return out


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    root = Path(__file__).resolve().parents[1]
    default = root / "data/starter/pathways/us_state_cambium.csv"
    target = build(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else default)
    print(target, hashlib.sha256(target.read_bytes()).hexdigest())
