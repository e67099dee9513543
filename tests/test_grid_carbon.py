"""Grid-carbon layer: known answers from the source files, unit conversion by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting.join import join_layers
from siting.layers.grid_carbon import LB_PER_MWH_TO_G_PER_KWH, MIX_COLUMNS
from siting.sites import from_frame

POINTS = [
    ("paris", 48.8566, 2.3522),
    ("quebec", 46.9, -72.2),
    ("alberta", 53.55, -113.49),  # Edmonton
    ("wv", 38.35, -81.63),  # Charleston, West Virginia
    ("ashburn", 39.03, -77.48),
    ("mid-atlantic", 0.0, -30.0),
]


def joined(data_dir=None, **kw):
    df = pd.DataFrame(POINTS, columns=["site_id", "lat", "lon"])
    out = join_layers(from_frame(df), families=("boundary", "grid"), data_dir=data_dir, **kw)
    return out.set_index("site_id")


def test_lb_per_mwh_conversion_by_hand():
    # 1 lb = 0.45359237 kg (exact); 1000 lb/MWh = 453.59237 kg/MWh = 453.59237 g/kWh
    assert 1000 * LB_PER_MWH_TO_G_PER_KWH == pytest.approx(453.59237, rel=1e-12)


def test_embedded_levels_and_values():
    j = joined()
    # France: OWID/Ember 2023 value shipped in codecarbon global_energy_mix.json: 56.039
    assert j.loc["paris", "grid_co2_g_per_kwh"] == pytest.approx(56.039)
    assert j.loc["paris", ["grid_level", "grid_layer", "grid_vintage"]].tolist() == [
        "country",
        "owid_country_mix",
        "2023",
    ]
    # West Virginia: eGRID2023 state CO2e rate 1968.869 lb/MWh (usa_emissions.json)
    assert j.loc["wv", "grid_co2_g_per_kwh"] == pytest.approx(1968.869 * 0.45359237)
    assert j.loc["wv", "grid_level"] == "us_state"
    # Quebec (hydro) far below Alberta (gas/coal)
    assert j.loc["quebec", "grid_level"] == "ca_province"
    assert j.loc["quebec", "grid_co2_g_per_kwh"] < 0.1 * j.loc["alberta", "grid_co2_g_per_kwh"]
    # Quebec by hand from codecarbon's 2023 mix (natural gas 0.2, petroleum 0.3, biomass
    # 0.7, solar 0.01, wind 6.7, hydro 92.1 %) and its per-source factors (743, 816, 230,
    # 48, 26, 26 gCO2e/kWh): 3123.68 / 100.01 = 31.233 g/kWh
    hand = (0.2 * 743 + 0.3 * 816 + 0.7 * 230 + 0.01 * 48 + 6.7 * 26 + 92.1 * 26) / 100.01
    assert j.loc["quebec", "grid_co2_g_per_kwh"] == pytest.approx(hand, rel=1e-9)
    # ocean: no value, a reason, still present
    assert np.isnan(j.loc["mid-atlantic", "grid_co2_g_per_kwh"])
    assert j.loc["mid-atlantic", "grid_reason"]
    assert len(j) == len(POINTS)


def test_fuel_mix_shares_sum_to_100_where_known():
    j = joined()
    mix = j.loc[["paris", "quebec", "alberta"], list(MIX_COLUMNS)]
    np.testing.assert_allclose(mix.sum(axis=1), 100.0, atol=1.5)
    assert j.loc["quebec", "mix_hydro_pct"] > 85


@pytest.mark.raw
def test_egrid_subregion_wins_with_raw_data(raw_dir):
    j = joined(raw_dir)
    # West Virginia is in eGRID subregion RFCW: 916.054 lb CO2e/MWh in eGRID2023
    assert j.loc["wv", "grid_zone"] == "RFCW"
    assert j.loc["wv", "grid_level"] == "egrid_subregion"
    assert j.loc["wv", "grid_co2_g_per_kwh"] == pytest.approx(916.054 * 0.45359237)
    # Ashburn, Virginia: SERC Virginia/Carolina (SRVC) 596.326 lb/MWh
    assert j.loc["ashburn", "grid_zone"] == "SRVC"
    assert j.loc["ashburn", "grid_co2_g_per_kwh"] == pytest.approx(596.326 * 0.45359237)
    assert j.loc["wv", "mix_layer"] == "egrid2023_subregions"
    # outside the U.S., Electricity Maps zones (2025 yearly average): France 31 g/kWh
    assert j.loc["paris", ["grid_zone", "grid_level"]].tolist() == ["FR", "em_zone"]
    assert j.loc["paris", "grid_co2_g_per_kwh"] == 31
    assert j.loc["quebec", "grid_co2_g_per_kwh"] < j.loc["alberta", "grid_co2_g_per_kwh"] / 5


@pytest.mark.raw
def test_em_year_option(raw_dir):
    j = joined(raw_dir, em_year=2021)
    assert j.loc["paris", "grid_vintage"] == "2021"


@pytest.mark.raw
def test_ember_reader(raw_dir):
    from siting.layers.catalog import load_catalog
    from siting.layers.grid_carbon import read_ember_country

    files = load_catalog().locate("ember_countries", raw_dir)
    df = read_ember_country(files).set_index("country_iso3")
    # CO2.js average-intensities.json: FRA 2024 44.18, CAN 2024 184.99 gCO2/kWh
    assert df.loc["FRA", "grid_co2_g_per_kwh"] == pytest.approx(44.18)
    assert df.loc["CAN", "year"] == 2024
