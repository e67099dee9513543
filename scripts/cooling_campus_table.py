"""Print the cooling-design acceptance table on the bundled campuses (markdown).

    python scripts/cooling_campus_table.py

Every registered design at Narvik, Lulea, Singapore, Riyadh and Mesa (embedded data,
default fleet of 50,000 H100-SXM, default scenario, hyperscale preset): annual on-site
WUE [L per IT kWh] and PUE, and PUE Singapore - Lulea. The figures quoted in
docs/method_model.md section 5b come from this script.
"""

from __future__ import annotations

from siting.join import join_layers
from siting.model import CoolingChoice, Fleet, Scenario, assess
from siting.model.designs import COOLING_DESIGNS
from siting.paths import embedded_data_dir
from siting.sites import read_sites

SITES = ("narvik-no", "lulea-se", "singapore-sg", "riyadh-sa", "mesa-az")


def main() -> None:
    sites = read_sites(f"{embedded_data_dir()}/examples/campuses.csv")
    joined = join_layers(sites)
    choice = CoolingChoice(designs=tuple(COOLING_DESIGNS))
    d = assess(joined, Fleet(gpus=50_000), Scenario(), cooling_choice=choice).designs
    wue = d.pivot(index="site_id", columns="cooling_design", values="wue_onsite_l_per_kwh")
    pue = d.pivot(index="site_id", columns="cooling_design", values="pue_annual")
    head = " | ".join(f"WUE {s.split('-')[0].title()}" for s in SITES)
    print(f"| design | {head} | PUE Lulea | PUE Singapore | PUE Sg - Lu |")
    print("|---|" + "---|" * (len(SITES) + 3))
    for name in wue.columns:
        w = " | ".join(f"{wue.loc[s, name]:.3f}" for s in SITES)
        lu, sg = pue.loc["lulea-se", name], pue.loc["singapore-sg", name]
        print(f"| {name} | {w} | {lu:.3f} | {sg:.3f} | {sg - lu:.3f} |")


if __name__ == "__main__":
    main()
