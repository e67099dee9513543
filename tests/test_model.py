"""Committed-footprint model: configuration validation, schedule, arrays and assess().

Site tables are built by hand here (independent of the layer/join code).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from siting.errors import ConfigError, LayerError
from siting.model import (
    MONTHLY_HOURS,
    Facility,
    Fleet,
    Scenario,
    assess,
    cooling_profile,
    footprint_arrays,
    gpu_catalog,
    known_gpus,
    reference_climate,
)
from siting.physics import energy as en

SUMMARY_NAMES = [
    "it_energy_mwh",
    "facility_energy_mwh",
    "pue_annual",
    "wue_onsite_l_per_kwh",
    "water_onsite_m3",
    "water_offsite_m3",
    "co2_scope2_t",
    "co2_embodied_t",
    "energy_cost_usd",
]


def site_table(n=3, climate="temperate", **cols) -> pd.DataFrame:
    tdb, twb = reference_climate(climate)
    df = pd.DataFrame({"site_id": [f"s{i}" for i in range(n)]})
    for m in range(12):
        df[f"dry_bulb_c_m{m + 1:02d}"] = tdb[m]
        df[f"wet_bulb_c_m{m + 1:02d}"] = twb[m]
    df["grid_co2_g_per_kwh"] = 400.0
    df["price_usd_per_mwh"] = 60.0
    for k, v in cols.items():
        df[k] = v
    return df


# ----------------------------------------------------------------------------- config


def test_fleet_validation_messages_name_field_and_range():
    with pytest.raises(ConfigError, match="gpus"):
        Fleet(gpus=-5)
    with pytest.raises(ConfigError, match="gpus"):
        Fleet(gpus=0)
    with pytest.raises(ConfigError, match="gpus"):
        Fleet(gpus=10.5)
    with pytest.raises(ConfigError, match="gpus"):
        Fleet(gpus=True)
    with pytest.raises(ConfigError, match=r"utilization.*\[0\.0, 1\.0\]"):
        Fleet(gpus=10, utilization=1.5)
    with pytest.raises(ConfigError, match="refresh_years"):
        Fleet(gpus=10, refresh_years=0)
    with pytest.raises(ConfigError) as e:
        Fleet(gpu="V100", gpus=10)
    assert e.value.field == "gpu"
    for name in ("A100-SXM", "H100-SXM", "H200-SXM", "B200", "GB200-NVL72", "MI300X"):
        assert name in str(e.value)


def test_scenario_validation():
    with pytest.raises(ConfigError) as e:
        Scenario(commitment_years=15, product_years=20)
    assert e.value.field == "product_years" and "15" in str(e.value)
    with pytest.raises(ConfigError, match="product_years"):
        Scenario(product_years=0)
    with pytest.raises(ConfigError, match="after"):
        Scenario(after="sell")
    with pytest.raises(ConfigError, match="commitment_years"):
        Scenario(commitment_years=0)
    with pytest.raises(ConfigError, match="commitment_years"):
        Scenario(commitment_years=2.5)
    with pytest.raises(ConfigError, match="carbon_free_share"):
        Scenario(carbon_free_share=1.2)
    with pytest.raises(ConfigError, match="take_or_pay_fraction"):
        Scenario(take_or_pay_fraction=-0.1)
    with pytest.raises(ConfigError, match="price_usd_per_mwh_default"):
        Scenario(price_usd_per_mwh_default=0)
    assert Scenario(commitment_years=10.0).commitment_years == 10


def test_facility_validation():
    with pytest.raises(ConfigError, match="cooling"):
        Facility(cooling="immersion")
    with pytest.raises(ConfigError, match="preset"):
        Facility(preset="colo")
    with pytest.raises(ConfigError) as e:
        Facility(cooling="dry", cycles_of_concentration=5)
    assert e.value.field == "cycles_of_concentration"
    with pytest.raises(ConfigError, match="chw_return_c"):
        Facility(chw_supply_c=20.0, chw_return_c=18.0)
    with pytest.raises(ConfigError, match="pue"):
        Facility(pue=0.9)
    with pytest.raises(ConfigError, match="water_model"):
        Facility(cooling="dry", water_model="li2023")
    with pytest.raises(ConfigError, match="cycles_of_concentration"):
        Facility(cycles_of_concentration=1.0)


def test_gpu_catalog_every_number_has_a_source():
    cat = gpu_catalog()
    assert set(known_gpus()) >= {
        "A100-SXM",
        "H100-SXM",
        "H200-SXM",
        "B200",
        "GB200-NVL72",
        "MI300X",
    }
    for col in ("gpu_tdp_w", "system_w_per_gpu", "idle_fraction", "embodied_kg_per_gpu"):
        assert cat[col].notna().all()
        assert cat[f"{col}_source"].str.len().gt(10).all()


def test_gpu_catalog_values_match_datasheets():
    cat = gpu_catalog()
    # vendor datasheets: TDP and system power per GPU
    assert cat.loc["A100-SXM", "gpu_tdp_w"] == 400
    assert cat.loc["H100-SXM", "gpu_tdp_w"] == 700
    assert cat.loc["H200-SXM", "gpu_tdp_w"] == 700
    assert cat.loc["B200", "gpu_tdp_w"] == 1000
    assert cat.loc["MI300X", "gpu_tdp_w"] == 750
    assert cat.loc["A100-SXM", "system_w_per_gpu"] == pytest.approx(6500 / 8)  # DGX A100 6.5 kW
    assert cat.loc["H100-SXM", "system_w_per_gpu"] == pytest.approx(10200 / 8)  # DGX H100
    assert cat.loc["B200", "system_w_per_gpu"] == pytest.approx(14300 / 8)  # DGX B200 14.3 kW
    assert cat.loc["GB200-NVL72", "system_w_per_gpu"] == pytest.approx(120000 / 72, abs=0.1)
    # system power always exceeds the GPU alone (host, network, fans)
    assert (cat["system_w_per_gpu"] > cat["gpu_tdp_w"]).all()


def test_ewif_table_conversion_written_out():
    t = en.load_ewif_factors()
    # 1 U.S. gallon = 3.785411784 L; 1 MWh = 1000 kWh
    np.testing.assert_allclose(t["l_per_kwh"], t["gal_per_mwh"] * 3.785411784 / 1000.0)
    raw = pd.read_csv(en._default_data_dir() / "ewif_macknick2012.csv")
    np.testing.assert_allclose(
        raw["l_per_kwh"], raw["gal_per_mwh"] * 3.785411784 / 1000.0, atol=1e-6
    )
    assert t["source"].str.contains("Macknick").all()
    # Macknick et al. (2012) medians [gal/MWh]
    g = t.set_index("fuel")["gal_per_mwh"]
    assert g["coal"] == 687 and g["nuclear"] == 672 and g["hydro"] == 4491 and g["wind"] == 0


def test_ewif_from_mix_hand_calculation():
    f = en.load_ewif_factors().set_index("mix_column")["l_per_kwh"]
    cols = list(en.MIX_COLUMNS)
    factors = np.array([f.get(c, np.nan) for c in cols])
    mix = np.full((3, len(cols)), np.nan)
    mix[0, cols.index("mix_coal_pct")] = 50.0
    mix[0, cols.index("mix_gas_pct")] = 50.0
    # 'other' has no factor: 40 % coal + 40 % wind + 20 % other -> renormalized 50/50
    mix[1, cols.index("mix_coal_pct")] = 40.0
    mix[1, cols.index("mix_wind_pct")] = 40.0
    mix[1, cols.index("mix_other_pct")] = 20.0
    got = en.ewif_from_mix(mix, factors)
    assert got[0] == pytest.approx((687 + 198) / 2 * 3.785411784 / 1000)
    assert got[1] == pytest.approx(687 / 2 * 3.785411784 / 1000)
    assert np.isnan(got[2])


# --------------------------------------------------------------------------- schedule


def test_schedule_retenant_by_hand():
    s = en.commitment_schedule(5, 2.0, "retenant", 6.0, 0.5, 1.0)
    np.testing.assert_array_equal(s["alive"], [1, 1, 0, 0, 0])
    np.testing.assert_array_equal(s["idle"], [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(s["leased"], [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(s["off"], 0)


def test_schedule_fractional_product_year():
    s = en.commitment_schedule(4, 2.5, "power_down", 10.0)
    np.testing.assert_array_equal(s["alive"], [1, 1, 0.5, 0])
    np.testing.assert_array_equal(s["off"], [0, 0, 0.5, 1])


def test_purchases_at_each_refresh_while_the_product_lives():
    # refresh every 6 years over 15: buys at t = 0, 6, 12
    assert en.commitment_schedule(15, None, "idle", 6.0)["purchases"].sum() == 3
    np.testing.assert_array_equal(
        np.nonzero(en.commitment_schedule(15, None, "idle", 6.0)["purchases"])[0], [0, 6, 12]
    )
    # product dies at 2: nothing bought for an idle fleet after
    assert en.commitment_schedule(15, 2.0, "idle", 6.0)["purchases"].sum() == 1
    # retenant half the fleet from year 3: refreshes at 6 and 12 for that half
    s = en.commitment_schedule(15, 2.0, "retenant", 6.0, 0.5, 1.0)
    assert s["purchases"].sum() == 2.0
    assert s["purchases_after"].sum() == 1.0


# ------------------------------------------------------------------- array core


def test_fixed_pue_arrays_by_hand():
    fleet = Fleet(gpu="H100-SXM", gpus=100, utilization=0.5, idle_fraction=0.2)
    fac = Facility(pue=1.5, wue_onsite_l_per_kwh=2.0)
    sc = Scenario(commitment_years=3, grid_decarbonization_per_yr=0.1, price_escalation_per_yr=0.05)
    tdb, twb = reference_climate("temperate")
    out = footprint_arrays(
        tdb[None], twb[None], MONTHLY_HOURS, [500.0], [1.0], [100.0], fleet, fac, sc
    )
    it = 100 * 1275 * 0.5 * 8760 / 1e6  # MWh per year (DGX H100 10.2 kW / 8 per GPU)
    np.testing.assert_allclose(out["it_energy_mwh"][0], it, rtol=1e-6)
    np.testing.assert_allclose(out["facility_energy_mwh"][0], 1.5 * it, rtol=1e-6)
    np.testing.assert_allclose(out["water_onsite_m3"][0], 2.0 * it, rtol=1e-6)
    np.testing.assert_allclose(out["water_offsite_m3"][0], 1.5 * it * 1.0, rtol=1e-6)
    np.testing.assert_allclose(
        out["co2_scope2_t"][0], 1.5 * it * 500 / 1000 * 0.9 ** np.arange(3), rtol=1e-6
    )
    np.testing.assert_allclose(
        out["energy_cost_usd"][0], 1.5 * it * 100 * 1.05 ** np.arange(3), rtol=1e-6
    )
    np.testing.assert_allclose(out["pue"][0], 1.5, rtol=1e-6)
    np.testing.assert_allclose(out["wue_onsite_l_per_kwh"][0], 2.0, rtol=1e-6)
    assert out["facility_energy_mwh"].dtype == np.float32


def test_unique_climate_gather_equals_site_by_site():
    rng = np.random.default_rng(3)
    base_t, base_w = reference_climate("temperate")
    hot_t, hot_w = reference_climate("hot")
    pick = rng.integers(0, 2, 9)
    tdb = np.where(pick[:, None] == 0, base_t, hot_t)
    twb = np.where(pick[:, None] == 0, base_w, hot_w)
    f = Facility()
    k_all, w_all = cooling_profile(tdb, twb, MONTHLY_HOURS, f)
    for i in range(9):
        k1, w1 = cooling_profile(tdb[i : i + 1], twb[i : i + 1], MONTHLY_HOURS, f)
        np.testing.assert_allclose([k_all[i, 0], w_all[i, 0]], [k1[0, 0], w1[0, 0]], rtol=1e-12)


def test_monthly_and_hourly_share_one_code_path():
    # a design evaluated on monthly means (the legacy all-latent plant): 8760 hours that
    # repeat each month's mean give the monthly result (hourly designs expand monthly means
    # into within-month samples on purpose, tests/test_monthly_vs_hourly.py)
    tdb, twb = reference_climate("hot")
    month_of_hour = np.repeat(np.arange(12), (MONTHLY_HOURS).astype(int))
    fac = Facility(cooling="evaporative")
    k_m, w_m = cooling_profile(tdb[None], twb[None], MONTHLY_HOURS, fac)
    k_h, w_h = cooling_profile(
        tdb[month_of_hour][None], twb[month_of_hour][None], np.ones(8760), fac
    )
    np.testing.assert_allclose(k_h, k_m, rtol=1e-6)
    np.testing.assert_allclose(w_h, w_m, rtol=1e-6)


def test_warming_interpolation_close_to_exact_and_raises_water():
    tdb, twb = reference_climate("temperate")
    args = (
        tdb[None],
        twb[None],
        MONTHLY_HOURS,
        [400.0],
        [2.0],
        [60.0],
        Fleet(gpus=1000),
        Facility(),
    )
    warm = Scenario(commitment_years=20, warming_c_per_decade=0.5)
    exact = footprint_arrays(*args, warm, warming_nodes=None)
    approx = footprint_arrays(*args, warm, warming_nodes=5)
    for v in ("facility_energy_mwh", "water_onsite_m3"):
        np.testing.assert_allclose(approx[v], exact[v], rtol=5e-3)
    flat = footprint_arrays(*args, Scenario(commitment_years=20))
    assert exact["facility_energy_mwh"][0, -1] > flat["facility_energy_mwh"][0, -1]
    assert exact["water_onsite_m3"][0, -1] > flat["water_onsite_m3"][0, -1]


def test_climate_hours_validated():
    tdb, twb = reference_climate("temperate")
    args = ([400.0], [2.0], [60.0], Fleet(gpus=1), Facility(), Scenario())
    with pytest.raises(ConfigError, match="period_hours"):
        footprint_arrays(tdb[None], twb[None], MONTHLY_HOURS / 2, *args)
    with pytest.raises(ConfigError, match="period_hours"):
        footprint_arrays(tdb[None], twb[None], np.r_[MONTHLY_HOURS[:11], np.nan], *args)


# --------------------------------------------------------------------------- assess


def test_assess_outputs_names_units_and_order():
    df = site_table(4, water_scarcity_factor=[1.0, 2.0, 40.0, np.nan])
    df = df.iloc[[2, 0, 3, 1]].reset_index(drop=True)  # arbitrary input order
    a = assess(df, Fleet(gpus=1000), Scenario(commitment_years=15, product_years=2))
    s = a.summary
    assert isinstance(s, gpd.GeoDataFrame)
    assert list(s["site_id"]) == list(df["site_id"])
    for name in SUMMARY_NAMES:
        assert name in s.columns and f"{name}_after_product" in s.columns
    for name in ("water_l_per_gpu_hour", "co2_kg_per_gpu_hour", "status", "reason"):
        assert name in s.columns
    np.testing.assert_allclose(
        s["water_scarcity_weighted_m3"], s["water_onsite_m3"] * df["water_scarcity_factor"]
    )
    for c in df.columns:
        assert c in s.columns
    ds = a.annual
    assert isinstance(ds, xr.Dataset)
    assert ds["facility_energy_mwh"].dims == ("site", "year")
    assert list(ds["year"].values) == list(range(2026, 2041))
    for v in ds.data_vars:
        assert "units" in ds[v].attrs
    assert set(a.assumptions.columns) == {"parameter", "value", "unit", "source"}
    assert a.assumptions["source"].str.len().gt(0).all()


def test_assess_energy_conservation_and_after_product_split():
    a = assess(site_table(2), Fleet(gpus=1000), Scenario(commitment_years=15, product_years=2))
    ds = a.annual
    np.testing.assert_allclose(
        ds["facility_energy_mwh"], ds["it_energy_mwh"] * ds["pue"], rtol=1e-5
    )
    s = a.summary.iloc[0]
    # the product lives exactly years 0 and 1: after-product = sum of years 2..14
    for name in ("it_energy_mwh", "facility_energy_mwh", "water_onsite_m3", "co2_scope2_t"):
        assert s[f"{name}_after_product"] == pytest.approx(
            float(ds[name].isel(site=0, year=slice(2, None)).sum()), rel=1e-5
        )
    assert s["pue_annual"] == pytest.approx(s["facility_energy_mwh"] / s["it_energy_mwh"])
    assert s["co2_embodied_t_after_product"] == 0.0
    # idle years run at a lower load -> higher PUE after the product than before
    assert float(ds["pue"].isel(site=0, year=5)) > float(ds["pue"].isel(site=0, year=0))


def test_assess_missing_values_never_drop_a_site():
    df = site_table(4)
    df.loc[1, "wet_bulb_c_m07"] = np.nan
    df.loc[1, "wet_bulb_c_m08"] = np.nan
    df.loc[2, "grid_co2_g_per_kwh"] = np.nan
    df.loc[3, "price_usd_per_mwh"] = np.nan
    df["climate_reason"] = ["", "station gap", "", ""]
    a = assess(df, Fleet(gpus=100), Scenario(price_usd_per_mwh_default=95.0))
    s = a.summary
    assert len(s) == 4
    assert list(s["status"]) == ["ok", "incomplete", "incomplete", "ok"]
    assert "wet_bulb_c in 2 of 12" in s.loc[1, "reason"] and "station gap" in s.loc[1, "reason"]
    assert "grid_co2_g_per_kwh" in s.loc[2, "reason"]
    assert s.loc[0, "reason"] == "" and s.loc[3, "reason"] == ""
    assert np.isnan(s.loc[1, "water_onsite_m3"]) and np.isnan(s.loc[1, "facility_energy_mwh"])
    assert np.isnan(s.loc[2, "co2_scope2_t"]) and np.isfinite(s.loc[2, "facility_energy_mwh"])
    assert s.loc[3, "price_usd_per_mwh"] == 95.0 and s.loc[3, "price_level"] == "assumption"
    assert s.loc[0, "price_level"] != "assumption"
    assert s.loc[3, "energy_cost_usd"] == pytest.approx(
        s.loc[0, "energy_cost_usd"] * 95.0 / 60.0, rel=1e-5
    )


def test_assess_missing_columns_are_clear_errors():
    df = site_table(2).drop(columns=["wet_bulb_c_m01"])
    with pytest.raises(LayerError) as e:
        assess(df, Fleet(gpus=10), Scenario())
    assert e.value.field == "wet_bulb_c_m01"
    with pytest.raises(LayerError, match="grid_co2_g_per_kwh"):
        assess(site_table(2).drop(columns=["grid_co2_g_per_kwh"]), Fleet(gpus=10), Scenario())


def test_assess_ewif_sources_and_levels():
    df = site_table(3)
    df["ewif_l_per_kwh"] = [1.5, np.nan, np.nan]
    df["mix_coal_pct"] = [np.nan, 100.0, np.nan]
    s = assess(df, Fleet(gpus=10), Scenario()).summary
    assert list(s["ewif_level"]) == ["layer", "fuel_mix_macknick2012", "assumption"]
    assert s.loc[1, "ewif_l_per_kwh"] == pytest.approx(687 * 3.785411784 / 1000)
    assert s.loc[2, "ewif_l_per_kwh"] == pytest.approx(3.14)
    np.testing.assert_allclose(
        s["water_offsite_m3"], s["facility_energy_mwh"] * s["ewif_l_per_kwh"], rtol=1e-5
    )


def test_assess_dry_cooling_uses_no_onsite_water():
    s = assess(site_table(1, "hot"), Fleet(gpus=10), Scenario(), Facility(cooling="dry")).summary
    assert s.loc[0, "water_onsite_m3"] == 0.0
    assert s.loc[0, "pue_annual"] >= 1.0


def test_assess_market_based_scope2():
    a = assess(site_table(1), Fleet(gpus=10), Scenario(carbon_free_share=0.6))
    np.testing.assert_allclose(
        a.annual["co2_scope2_market_t"], 0.4 * a.annual["co2_scope2_t"], rtol=1e-6
    )


def test_assess_power_down_keeps_facility_baseline_and_take_or_pay():
    sc = Scenario(commitment_years=4, product_years=1, after="power_down", take_or_pay_fraction=0.5)
    a = assess(site_table(1), Fleet(gpus=1000), sc)
    ds = a.annual.isel(site=0)
    assert float(ds["it_energy_mwh"][1]) == 0.0
    assert float(ds["facility_energy_mwh"][1]) > 0.0  # fixed losses and cooling remain
    assert np.isnan(float(ds["pue"][1]))
    # take-or-pay: pay at least half of the energy drawn while the product ran
    assert float(ds["energy_cost_usd"][1]) == pytest.approx(
        0.5 * float(ds["energy_cost_usd"][0]), rel=1e-5
    )


def test_assess_accepts_geodataframe_and_hourly_climate_dataset():
    df = site_table(2)
    gdf = gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy([10.0, 11.0], [50.0, 51.0]), crs="EPSG:4326"
    )
    fac = Facility(cooling="evaporative")  # monthly plant: same numbers from repeated hours
    monthly = assess(gdf, Fleet(gpus=10), Scenario(), fac).summary
    assert monthly.crs is not None and monthly.geometry.notna().all()
    tdb, twb = reference_climate("temperate")
    hour_month = np.repeat(np.arange(12), MONTHLY_HOURS.astype(int))
    ds = xr.Dataset(
        {
            "dry_bulb_c": (("site", "period"), np.tile(tdb[hour_month], (2, 1))),
            "wet_bulb_c": (("site", "period"), np.tile(twb[hour_month], (2, 1))),
            "period_hours": (("period",), np.ones(8760)),
        },
        coords={"site": ["s1", "s0"]},
    )
    hourly = assess(
        gdf.drop(columns=[c for c in df.columns if "_bulb_c_m" in c]),
        Fleet(gpus=10),
        Scenario(),
        fac,
        climate=ds,
    ).summary
    np.testing.assert_allclose(
        hourly["facility_energy_mwh"], monthly["facility_energy_mwh"], rtol=1e-5
    )
    np.testing.assert_allclose(hourly["water_onsite_m3"], monthly["water_onsite_m3"], rtol=1e-5)


def test_assess_empty_table():
    a = assess(site_table(0), Fleet(gpus=10), Scenario())
    assert len(a.summary) == 0 and a.annual.sizes["site"] == 0


def test_gpu_hour_intensities_rise_when_product_dies_early():
    long = assess(site_table(1), Fleet(gpus=100), Scenario(commitment_years=15)).summary
    short = assess(
        site_table(1), Fleet(gpus=100), Scenario(commitment_years=15, product_years=2)
    ).summary
    assert short.loc[0, "water_l_per_gpu_hour"] > long.loc[0, "water_l_per_gpu_hour"]
    assert short.loc[0, "co2_kg_per_gpu_hour"] > long.loc[0, "co2_kg_per_gpu_hour"]


def test_fixed_wue_with_climate_pue():
    df = site_table(2)
    df.loc[1, "dry_bulb_c_m05"] = np.nan
    a = assess(df, Fleet(gpus=100), Scenario(), Facility(wue_onsite_l_per_kwh=0.5))
    ds = a.annual.isel(site=0)
    np.testing.assert_allclose(ds["water_onsite_m3"], 0.5 * ds["it_energy_mwh"], rtol=1e-6)
    assert float(ds["pue"][0]) > 1.0
    assert np.isnan(a.summary.loc[1, "water_onsite_m3"])
    assert a.summary.loc[1, "status"] == "incomplete"


def test_assumptions_mark_defaults_and_overrides():
    a = assess(
        site_table(1), Fleet(gpus=100, utilization=0.5), Scenario(), Facility(approach_c=3.0)
    )
    t = a.assumptions.set_index("parameter")
    assert t.loc["utilization", "source"] == "user override"
    assert t.loc["approach_c", "source"] == "user override"
    assert "Lei & Masanet" in t.loc["range_c", "source"]
    assert "Google" in t.loc["fan_pump_fraction", "source"]
    assert "DGX H100" in t.loc["system_w_per_gpu", "source"]
    assert t.loc["warming_c_per_decade", "source"].startswith("assumption")


def test_fixed_pue_and_wue_need_no_climate():
    df = site_table(1, "temperate")
    df["dry_bulb_c_m01"] = np.nan
    s = assess(
        df, Fleet(gpus=10), Scenario(), Facility(cooling="dry", pue=1.3, wue_onsite_l_per_kwh=0.0)
    ).summary
    assert s.loc[0, "status"] == "ok"
    assert s.loc[0, "pue_annual"] == pytest.approx(1.3, rel=1e-6)


def test_text_and_infinite_inputs_become_gaps_with_reasons():
    df = site_table(3)
    df["dry_bulb_c_m02"] = df["dry_bulb_c_m02"].astype(object)
    df.loc[0, "dry_bulb_c_m02"] = "n/a"
    df.loc[1, "wet_bulb_c_m05"] = np.inf
    df["grid_co2_g_per_kwh"] = df["grid_co2_g_per_kwh"].astype(object)
    df.loc[2, "grid_co2_g_per_kwh"] = "unknown"
    s = assess(df, Fleet(gpus=10), Scenario()).summary
    assert list(s["status"]) == ["incomplete"] * 3
    assert "dry_bulb_c in 1 of 12" in s.loc[0, "reason"]
    assert "wet_bulb_c in 1 of 12" in s.loc[1, "reason"]
    assert "grid_co2_g_per_kwh" in s.loc[2, "reason"]


@settings(max_examples=60, deadline=None)
@given(
    gpu=st.sampled_from(["A100-SXM", "H100-SXM", "B200", "GB200-NVL72", "MI300X"]),
    utilization=st.floats(0.0, 1.0),
    refresh=st.floats(1.0, 8.0),
    commitment=st.integers(1, 20),
    product_share=st.one_of(st.none(), st.floats(0.05, 1.0)),
    after=st.sampled_from(["idle", "retenant", "power_down"]),
    cooling=st.sampled_from(["evaporative", "adiabatic", "dry"]),
    preset=st.sampled_from(["hyperscale", "enterprise"]),
    climate=st.sampled_from(["temperate", "hot"]),
    top=st.floats(0.0, 1.0),
    cfe=st.floats(0.0, 1.0),
)
def test_invariants_over_random_configurations(
    gpu, utilization, refresh, commitment, product_share, after, cooling, preset, climate, top, cfe
):
    # an air-only design cannot cool a liquid-cooled GPU (GPU catalog column 'cooling')
    assume(not (gpu == "GB200-NVL72" and cooling == "adiabatic"))
    product = None if product_share is None else product_share * commitment
    a = assess(
        site_table(1, climate),
        Fleet(gpu=gpu, gpus=100, utilization=utilization, refresh_years=refresh),
        Scenario(
            commitment_years=commitment,
            product_years=product,
            after=after,
            take_or_pay_fraction=top,
            carbon_free_share=cfe,
        ),
        Facility(cooling=cooling, preset=preset),
    )
    ds = a.annual.isel(site=0)
    it = ds["it_energy_mwh"].values
    fac = ds["facility_energy_mwh"].values
    assert np.all(fac >= it * (1 - 1e-6))  # PUE >= 1 and energy conserved
    assert np.all(ds["water_onsite_m3"].values >= 0)
    assert np.all(ds["co2_scope2_market_t"].values <= ds["co2_scope2_t"].values * (1 + 1e-6))
    s = a.summary.iloc[0]
    for name in SUMMARY_NAMES:
        if name in ("pue_annual", "wue_onsite_l_per_kwh"):
            continue
        assert -1e-6 <= s[f"{name}_after_product"] <= s[name] * (1 + 1e-6) + 1e-6
    if product is None:
        assert s["facility_energy_mwh_after_product"] == 0.0
    if cooling == "dry":
        assert s["water_onsite_m3"] == 0.0


def test_user_status_column_kept_as_input_status():
    """A campus list's own 'status' column (e.g. 'operating') is never overwritten."""
    import pandas as pd

    from siting.model import Fleet, Scenario, assess

    row = {f"dry_bulb_c_m{m:02d}": 15.0 for m in range(1, 13)}
    row.update({f"wet_bulb_c_m{m:02d}": 10.0 for m in range(1, 13)})
    row.update({"site_id": "a", "grid_co2_g_per_kwh": 400.0, "status": "operating"})
    out = assess(pd.DataFrame([row]), Fleet(gpus=8), Scenario()).summary
    assert out.loc[0, "input_status"] == "operating"
    assert out.loc[0, "status"] == "ok"
