"""Grid pathways, marginal scope 2 and the two embodied-carbon conventions.

Every expected number is written here by hand (or read from the source file's text).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting.errors import ConfigError
from siting.model import Facility, Fleet, Scenario, assess
from siting.model.embodied import amortized_embodied_t
from siting.model.pathways import NO_PATHWAY, pathway_factors, read_pathways


def _sites(region_code, grid_g, marginal_g=None) -> pd.DataFrame:
    n = len(region_code)
    cols = {"site_id": [f"s{i}" for i in range(n)], "lat": [38.9] * n, "lon": [-77.5] * n}
    for m in range(1, 13):
        cols[f"dry_bulb_c_m{m:02d}"] = [10.0] * n
        cols[f"wet_bulb_c_m{m:02d}"] = [8.0] * n
    cols["region_code"] = region_code
    cols["grid_co2_g_per_kwh"] = grid_g
    if marginal_g is not None:
        cols["marginal_co2_g_per_kwh"] = marginal_g
        cols["marginal_layer"] = ["hand-made"] * n
    return pd.DataFrame(cols)


# 1000 GPUs x 1000 W = 1 MW design IT; utilization 1 -> 8760 MWh IT per year;
# fixed PUE 1.25 -> 10950 MWh at the meter per year.
FLEET = Fleet(gpus=1000, system_w_per_gpu=1000.0, utilization=1.0)
FACILITY = Facility(pue=1.25, wue_onsite_l_per_kwh=0.0)
FAC_MWH_PER_YR = 1000 * 1000.0 / 1e6 * 8760 * 1.25  # 10950 MWh


def test_pathway_year_read_back_from_the_file():
    tab = read_pathways()
    row = tab[
        (tab.scenario == "cambium_midcase") & (tab.region_code == "US-VA") & (tab.year == 2030)
    ]
    # Scout state_emissions_prices-MidCase.json, "VA", "2030": 0.1847111301369863 Mt/TWh
    assert row["grid_co2_g_per_kwh"].item() == pytest.approx(184.71, abs=0.005)
    # Scout ... "TX", "2024": 0.4058752705351663 Mt/TWh
    tx = tab[(tab.scenario == "cambium_midcase") & (tab.region_code == "US-TX")]
    assert tx.set_index("year").loc[2024, "grid_co2_g_per_kwh"] == pytest.approx(405.88, abs=0.005)
    assert set(tab.scenario) == {"cambium_midcase", "cambium_95by2050", "cambium_100by2035"}


def test_pathway_factors_relative_to_base_year_and_flat_elsewhere():
    f, level = pathway_factors(["US-VA", "DE-BY", None], "cambium_midcase", [2023, 2030, 2060])
    # before the base year: 1; 2030: 184.71 / 281.91; after 2050: the 2050 value 52.75
    np.testing.assert_allclose(f[0], [1.0, 184.71 / 281.91, 52.75 / 281.91], rtol=1e-9)
    np.testing.assert_allclose(f[1:], 1.0)
    assert list(level) == ["cambium_midcase:US-VA", NO_PATHWAY, NO_PATHWAY]


def test_marginal_and_average_scope2_two_year_hand_case():
    sites = _sites(["US-VA"], [400.0], marginal_g=[600.0])
    scen = Scenario(commitment_years=2)
    a = assess(sites, FLEET, scen, FACILITY, grid_co2_g_per_kwh_by_year=[[400.0, 300.0]])
    s = a.summary.iloc[0]
    # average: 10950 MWh x (0.400 + 0.300) t/MWh = 7665 t; marginal: 2 x 10950 x 0.600
    assert s["co2_scope2_t"] == pytest.approx(7665.0, rel=1e-6)
    assert s["co2_scope2_marginal_t"] == pytest.approx(13140.0, rel=1e-6)
    assert s["marginal_source"] == "hand-made"
    np.testing.assert_allclose(
        a.annual["co2_scope2_t"].values[0], [4380.0, 3285.0], rtol=1e-6
    )  # 10950 x 0.4, 10950 x 0.3


def test_marginal_missing_is_nan_and_labelled():
    a = assess(_sites(["US-VA"], [400.0]), FLEET, Scenario(commitment_years=2), FACILITY)
    assert np.isnan(a.summary["co2_scope2_marginal_t"].iloc[0])
    assert a.summary["marginal_source"].iloc[0] == "none"


def test_amortized_embodied_512_gpus_20_days_by_hand():
    # 512 GPUs x 2500 kg = 1280 t; a 20.4-day job on hardware living 5 years
    by_hand = 512 * 2500.0 / 1000.0 * 20.4 / (5 * 365)  # = 14.3079 t
    assert amortized_embodied_t(512, 2500.0, 20.4, 5.0) == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(14.3079, abs=1e-4)
    fleet = Fleet(gpus=512, system_w_per_gpu=1000.0, embodied_kg_per_gpu=2500.0, refresh_years=5)
    common = dict(commitment_years=1, product_years=20.4 / 365, after="power_down")
    sites = _sites(["US-VA"], [400.0])
    amort = assess(sites, fleet, Scenario(embodied="amortized", **common), FACILITY).summary
    purch = assess(sites, fleet, Scenario(**common), FACILITY).summary
    assert amort["co2_embodied_t"].iloc[0] == pytest.approx(by_hand, rel=1e-6)
    assert purch["co2_embodied_t"].iloc[0] == pytest.approx(1280.0, rel=1e-6)
    # both conventions are reported whichever is chosen
    assert purch["co2_embodied_amortized_t"].iloc[0] == pytest.approx(by_hand, rel=1e-6)
    assert amort["co2_embodied_purchase_t"].iloc[0] == pytest.approx(1280.0, rel=1e-6)


def test_twenty_year_commitment_with_pathway_declines():
    sites = _sites(["US-VA"], [300.0])
    scen = Scenario(commitment_years=20, start_year=2026, grid_pathway="cambium_midcase")
    a = assess(sites, FLEET, scen, FACILITY)
    co2 = a.annual["co2_scope2_t"].values[0].astype(float)
    assert np.all(np.diff(co2) < 0)
    # 2026: 10950 MWh x 300 g/kWh x 266.58 / 281.91 / 1000
    assert co2[0] == pytest.approx(10950 * 0.300 * 266.58 / 281.91, rel=1e-5)
    assert a.summary["grid_pathway_level"].iloc[0] == "cambium_midcase:US-VA"
    flat = assess(sites, FLEET, Scenario(commitment_years=20), FACILITY)
    np.testing.assert_allclose(flat.annual["co2_scope2_t"].values[0], 10950 * 0.300, rtol=1e-6)


def test_decarbonization_rate_overrides_pathway():
    sites = _sites(["US-VA"], [300.0])
    scen = Scenario(
        commitment_years=3, grid_pathway="cambium_midcase", grid_decarbonization_per_yr=0.1
    )
    a = assess(sites, FLEET, scen, FACILITY)
    np.testing.assert_allclose(
        a.annual["co2_scope2_t"].values[0], 10950 * 0.3 * np.array([1.0, 0.9, 0.81]), rtol=1e-6
    )
    assert a.summary["grid_pathway_level"].iloc[0] == "decarbonization rate (override)"


def test_unknown_pathway_and_convention_are_refused():
    with pytest.raises(ConfigError, match="grid_pathway"):
        Scenario(grid_pathway="iea_nze")
    with pytest.raises(ConfigError, match="embodied"):
        Scenario(embodied="lifetime")


@pytest.mark.raw
def test_ifi_marginal_reader_on_the_real_file(raw_dir):
    from siting.layers.grid_marginal import read_ifi_marginal

    p = raw_dir / "co2js-grid-intensity" / "unfccc_marginal_intensities_2021.json"
    tab = read_ifi_marginal({"co2js-grid-intensity/unfccc_marginal_intensities_2021.json": p})
    # the file's "United States" entry: "Operating Margin Grid Emission": "416"
    assert tab.set_index("country_iso3").loc["USA", "marginal_co2_g_per_kwh"] == 416.0
