"""Off-site water where it is drawn, and the hydro-evaporation convention.

Every expected number is computed by hand in the test (never from the code's output).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from siting import decide
from siting.errors import ConfigError
from siting.layers.water_offsite import region_offsite_factors
from siting.model import Fleet, Scenario, assess, reference_climate
from siting.physics import energy as en

L_PER_GAL = 3.785411784  # NIST HB 44 App. C
# Macknick et al. (2012) medians [gal/MWh]: coal 687, gas (NGCC tower) 198, hydro 4491
COAL, GAS, HYDRO = 687.0, 198.0, 4491.0


def test_offsite_factor_of_two_basin_region_by_hand():
    # basin A (CF 10, 100 m3/yr) lies wholly inside the region; basin B (CF 1, 300 m3/yr)
    # half inside: split along a meridian, which on a cylindrical equal-area projection
    # halves the area exactly. Weight of B = 300 x 0.5 = 150.
    basins = gpd.GeoDataFrame(
        {"annual_non_agriculture": [10.0, 1.0], "consumption": [100.0, 300.0]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs=4326,
    )
    region = gpd.GeoDataFrame({"zone": ["R"]}, geometry=[box(0, 0, 1.5, 1)], crs=4326)
    got = region_offsite_factors(basins, region, "zone", "test")
    hand = (100 * 10.0 + 150 * 1.0) / (100 + 150)  # = 4.6
    assert got["R"] == pytest.approx(hand, rel=1e-6)
    assert hand == pytest.approx(4.6)


def test_null_basin_carries_no_weight():
    basins = gpd.GeoDataFrame(
        {"annual_non_agriculture": [2.0, np.nan], "consumption": [50.0, 1e9]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs=4326,
    )
    region = gpd.GeoDataFrame({"zone": ["R"]}, geometry=[box(0, 0, 2, 1)], crs=4326)
    assert region_offsite_factors(basins, region, "zone", "t")["R"] == pytest.approx(2.0)


def test_hydro_exclude_ewif_is_mix_mean_without_hydro_by_hand():
    cols = ["mix_coal_pct", "mix_gas_pct", "mix_hydro_pct"]
    mix = np.array([[20.0, 30.0, 50.0]])
    inc = en.ewif_from_mix(mix, en.ewif_factors_for_mix(cols, "include"))
    exc = en.ewif_from_mix(mix, en.ewif_factors_for_mix(cols, "exclude"))
    # hydro share stays in the denominator with factor 0 (Li et al. 2023)
    hand_exc = (0.20 * COAL + 0.30 * GAS) * L_PER_GAL / 1000  # 196.8 gal/MWh
    hand_inc = (0.20 * COAL + 0.30 * GAS + 0.50 * HYDRO) * L_PER_GAL / 1000
    assert exc[0] == pytest.approx(hand_exc, rel=1e-9)
    assert exc[0] == pytest.approx(0.744969, rel=1e-5)
    assert inc[0] == pytest.approx(hand_inc, rel=1e-9)
    with pytest.raises(ValueError, match="hydro_evaporation"):
        en.ewif_factors_for_mix(cols, "sometimes")


def test_scenario_rejects_unknown_convention():
    with pytest.raises(ConfigError) as e:
        Scenario(hydro_evaporation="half")
    assert e.value.field == "hydro_evaporation"
    assert Scenario().hydro_evaporation == "include"


def test_default_ranking_includes_whole_water_footprint():
    assert "water_total" in decide.DEFAULT_WEIGHTS
    assert "water_scarcity_weighted_total" in decide.DEFAULT_WEIGHTS
    # two sites: a has less on-site but far more off-site water, so b wins on water
    df = pd.DataFrame(
        {
            "site_id": ["a", "b"],
            "water_onsite_m3": [1.0, 2.0],
            "water_offsite_m3": [100.0, 3.0],
            "water_scarcity_factor": [1.0, 1.0],
            "water_scarcity_factor_offsite": [1.0, 1.0],
            "co2_scope2_t": [1.0, 1.0],
            "energy_cost_usd": [1.0, 1.0],
        }
    )
    r = decide.rank(df)
    assert r["site_id"].tolist() == ["b", "a"]
    # total = 101 vs 5, scarcity-weighted total likewise: a is worst on both
    assert r.set_index("site_id").loc["a", "norm_water_total"] == 1.0
    assert r.set_index("site_id").loc["a", "norm_water_scarcity_weighted_total"] == 1.0


def _sites(**cols) -> pd.DataFrame:
    tdb, twb = reference_climate("temperate")
    df = pd.DataFrame({"site_id": ["hydro", "coal"]})
    for m in range(12):
        df[f"dry_bulb_c_m{m + 1:02d}"] = tdb[m]
        df[f"wet_bulb_c_m{m + 1:02d}"] = twb[m]
    df["grid_co2_g_per_kwh"] = 30.0
    df["price_usd_per_mwh"] = 50.0
    for k, v in cols.items():
        df[k] = v
    return df


def test_end_to_end_hydro_site_offsite_falls_by_hydro_share_times_factor():
    df = _sites(
        mix_hydro_pct=[90.0, 0.0],
        mix_wind_pct=[10.0, 0.0],
        mix_coal_pct=[0.0, 100.0],
        water_scarcity_factor=[0.5, 2.0],
        water_scarcity_factor_offsite=[0.7, 3.0],
    )
    fleet = Fleet(gpu="H100-SXM", gpus=1000)
    inc = assess(df, fleet, Scenario(hydro_evaporation="include")).summary.set_index("site_id")
    exc = assess(df, fleet, Scenario(hydro_evaporation="exclude")).summary.set_index("site_id")
    e_kwh = inc.loc["hydro", "facility_energy_mwh"] * 1000.0
    hydro_l_per_kwh = HYDRO * L_PER_GAL / 1000.0  # 17.0003 L/kWh
    drop_m3 = e_kwh * 0.90 * hydro_l_per_kwh / 1000.0
    got = inc.loc["hydro", "water_offsite_m3"] - exc.loc["hydro", "water_offsite_m3"]
    assert got == pytest.approx(drop_m3, rel=1e-6)
    assert exc.loc["hydro", "water_offsite_m3"] == pytest.approx(0.0, abs=1e-6)  # wind ~ 0
    # a coal-only site is unaffected by the hydro convention
    assert exc.loc["coal", "water_offsite_m3"] == pytest.approx(inc.loc["coal", "water_offsite_m3"])
    # on-site water does not depend on the convention
    assert exc.loc["hydro", "water_onsite_m3"] == pytest.approx(inc.loc["hydro", "water_onsite_m3"])
    # scarcity weighting: off-site by the region's factor, total = both
    for s in (inc, exc):
        off = s["water_offsite_m3"] * pd.Series({"hydro": 0.7, "coal": 3.0})
        on = s["water_onsite_m3"] * pd.Series({"hydro": 0.5, "coal": 2.0})
        assert np.allclose(s["water_scarcity_weighted_offsite_m3"], off)
        assert np.allclose(s["water_scarcity_weighted_total_m3"], on + off)


def test_choice_is_printed_in_assumptions_and_annual_attrs():
    df = _sites(mix_hydro_pct=[90.0, 0.0], mix_coal_pct=[10.0, 100.0])
    fleet = Fleet(gpu="H100-SXM", gpus=100)
    for mode in ("include", "exclude"):
        a = assess(df, fleet, Scenario(hydro_evaporation=mode))
        rows = a.assumptions.set_index("parameter")
        assert rows.loc["hydro_evaporation", "value"] == mode
        assert "Macknick" in rows.loc["hydro_evaporation", "source"] or mode == "exclude"
        hydro_f = rows.loc["ewif_factor_hydro", "value"]
        assert hydro_f == (0.0 if mode == "exclude" else pytest.approx(HYDRO * L_PER_GAL / 1e3))
        assert a.annual.attrs["hydro_evaporation"] == mode


def test_cli_option_parses_into_scenario():
    from siting.cli import _configs, build_parser

    p = build_parser()
    for cmd in ("run", "report", "screen"):
        args = p.parse_args([cmd, "x.csv", "--out", "o", "--hydro-evaporation", "exclude"])
        assert _configs(args)[1].hydro_evaporation == "exclude"
    with pytest.raises(SystemExit):
        p.parse_args(["run", "x.csv", "--out", "o", "--hydro-evaporation", "maybe"])


def test_join_labels_the_method_of_every_site(raw_dir):
    import siting

    sites = siting.read_sites("data/examples/campuses.csv")
    sites = sites[sites["site_id"].isin(["narvik-no", "quincy-wa", "beauharnois-qc"])]
    j = siting.join_layers(sites, data_dir=raw_dir).set_index("site_id")
    lvl = j["water_scarcity_factor_offsite_level"]
    assert lvl["narvik-no"] == "country_consumption_weighted"
    assert lvl["quincy-wa"] == "egrid_subregion_consumption_weighted"
    assert lvl["beauharnois-qc"] == "state_province_consumption_weighted"
    reg = j["water_scarcity_factor_offsite_region"]
    assert reg.to_dict() == {"narvik-no": "NOR", "quincy-wa": "NWPP", "beauharnois-qc": "CA-QC"}
    # a consumption-weighted mean of AWARE factors stays in the factors' range 0.1-100
    cf = j["water_scarcity_factor_offsite"]
    assert ((cf >= 0.1) & (cf <= 100)).all()


def test_region_factor_is_its_own_whatever_the_other_regions():
    # the per-code memo of the join relies on it: R's factor with S in the overlay is
    # R's factor alone (the hand value of the two-basin test above)
    basins = gpd.GeoDataFrame(
        {"annual_non_agriculture": [10.0, 1.0], "consumption": [100.0, 300.0]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs=4326,
    )
    regions = gpd.GeoDataFrame(
        {"zone": ["R", "S"]}, geometry=[box(0, 0, 1.5, 1), box(0.5, 0, 2, 1)], crs=4326
    )
    both = region_offsite_factors(basins, regions, "zone", "t")
    alone = region_offsite_factors(basins, regions.iloc[:1], "zone", "t")
    assert both["R"] == pytest.approx(4.6, rel=1e-6) and alone["R"] == pytest.approx(4.6)


def test_region_factors_computed_once_per_code(monkeypatch):
    import siting.layers.water_offsite as wo

    asked = []

    def fake(basins_path, poly_path, kind, codes):
        asked.append(codes)
        # hand values: a factor per code, none for "ZZ" (no polygon)
        return pd.Series({c: float(len(c)) for c in codes if c != "ZZ"}, dtype=float)

    monkeypatch.setattr(wo, "_polygon_factors", fake)
    monkeypatch.setattr(wo, "_FACTORS", {})
    monkeypatch.setattr(wo, "_NO_FACTOR", {})
    a = wo._factors_for("b", "p", "egrid", np.array(["AZNM", "CAMX", "ZZ"], dtype=object))
    b = wo._factors_for("b", "p", "egrid", np.array(["CAMX", "ERCT", "ZZ"], dtype=object))
    c = wo._factors_for("b", "p", "egrid", np.array(["AZNM", "ERCT"], dtype=object))
    assert asked == [("AZNM", "CAMX", "ZZ"), ("ERCT",)]  # each code asked once
    assert dict(a) == {"AZNM": 4.0, "CAMX": 4.0}
    assert dict(b) == dict(c) == {"AZNM": 4.0, "CAMX": 4.0, "ERCT": 4.0}
    wo._factors_for("b", "p2", "egrid", np.array(["AZNM"], dtype=object))
    assert asked[-1] == ("AZNM",)  # another polygon file is another key
