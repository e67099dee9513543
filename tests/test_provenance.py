"""Every joined value can say where it came from."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from siting.join import join_layers
from siting.provenance import source_of
from siting.sites import from_frame


@pytest.fixture(scope="module")
def joined():
    df = pd.DataFrame(
        {"site_id": ["paris", "ocean"], "lat": [48.8566, 0.0], "lon": [2.3522, -30.0]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return join_layers(from_frame(df)).set_index("site_id")


def test_every_layer_value_has_a_known_source(joined):
    value_cols = [
        c
        for c in joined.columns
        if not c.endswith(("_layer", "_level", "_vintage", "_reason", "_source"))
        and c not in ("lat", "lon", "geometry", "location_flag", "boundary_snapped")
    ]
    for col in value_cols:
        src = source_of(joined.loc["paris"], col)
        assert src != "unknown", col


def test_sources_name_layer_level_vintage(joined):
    row = joined.loc["paris"]
    assert source_of(row, "dry_bulb_c_m07").startswith("era5")
    assert source_of(row, "grid_co2_g_per_kwh") == "owid_country_mix (country, 2023)"
    assert source_of(row, "mix_coal_pct") == "owid_country_mix (fuel mix)"
    # embedded Eurostat row of the country table (France, 2024-S2/2025-S1)
    assert source_of(row, "price_usd_per_mwh") == "country_prices_starter (country, 2024-2025)"


def test_missing_values_say_why(joined):
    row = joined.loc["ocean"]
    assert source_of(row, "grid_co2_g_per_kwh").startswith("missing: ")


def test_family_name_resolves(joined):
    assert source_of(joined.loc["paris"], "climate").startswith("era5")
