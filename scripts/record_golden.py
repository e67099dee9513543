"""Record the golden outputs of the main job (refactor guard, see tests/test_golden_run.py).

Runs ``siting.run`` on the bundled campuses with the README's API example (15 years,
product shut down after 2, then idle), once on the embedded
data and once on a raw data directory (when given), and writes the ranked table
(``ranked_<name>.parquet``, geometry as WKT) and the annual Dataset
(``annual_<name>.nc``) under ``tests/golden/``.

These files pin *behaviour that must not change in a refactor*. When a change alters
numbers on purpose (new physics, new data), re-record them in that same commit and say
so in the commit message::

    python scripts/record_golden.py [RAW_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "golden"
SITES = ROOT / "data" / "examples" / "campuses.csv"


def golden_run(data_dir=None):
    """The README's API example: ``(ranked DataFrame, annual Dataset)``."""
    import siting

    result = siting.run(
        SITES,
        siting.Fleet(gpu="H100-SXM", gpus=50_000),
        siting.Scenario(commitment_years=15, product_years=2, after="idle"),
        siting.Facility(cooling="tower_economizer"),
        data_dir=data_dir,
    )
    import pandas as pd

    ranked = pd.DataFrame(result.ranked.drop(columns="geometry"))
    ranked["geometry_wkt"] = result.ranked.geometry.to_wkt().to_numpy()
    return ranked, result.assessment.annual


def main(argv: list[str]) -> int:
    runs = {"embedded": None}
    if argv:
        runs["raw"] = argv[0]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data_dir in runs.items():
        ranked, annual = golden_run(data_dir)
        ranked.to_parquet(OUT / f"ranked_{name}.parquet")
        annual.to_netcdf(OUT / f"annual_{name}.nc", engine="h5netcdf")
        print(f"wrote golden {name}: {len(ranked)} sites, {len(annual.data_vars)} variables")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
