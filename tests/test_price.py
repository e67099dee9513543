"""Electricity price layer: known answers written in the test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from siting.errors import ConfigError, LayerError
from siting.join import JoinContext, join_layers
from siting.layers import price as P
from siting.layers.catalog import load_catalog
from siting.sites import from_frame

FIXTURES = Path(__file__).parent / "fixtures" / "price"


def sites(points):
    return from_frame(pd.DataFrame(points, columns=["site_id", "lat", "lon"]))


def joined(points, **kw):
    return join_layers(sites(points), families=("boundary", "price"), **kw).set_index("site_id")


# ------------------------------------------------------------------ unit conversions


def test_unit_conversions_by_hand():
    # 1 c/kWh = 0.01 USD/kWh = 0.01 * 1000 USD/MWh = 10 USD/MWh
    assert P.CENTS_PER_KWH_TO_USD_PER_MWH == 0.01 * 1000
    assert 6.12 * P.CENTS_PER_KWH_TO_USD_PER_MWH == pytest.approx(61.2)
    assert 8.99 * P.CENTS_PER_KWH_TO_USD_PER_MWH == pytest.approx(89.9)
    # 0.1024 USD/kWh * 1000 kWh/MWh = 102.4 USD/MWh
    assert 0.1024 * P.KWH_PER_MWH == pytest.approx(102.4)
    # 0.0950 EUR/kWh * 1000 = 95.0 EUR/MWh; * 1.0824 USD/EUR = 102.828 USD/MWh
    assert 0.0950 * P.KWH_PER_MWH * P.USD_PER_EUR_2024 == pytest.approx(102.828)


# ------------------------------------------------------------------------- readers


def test_eia_reader_official_export_formats_agree():
    csv = P.read_eia_states({"f": FIXTURES / "eia_v2_retail_sales_industrial.csv"})
    js = P.read_eia_states({"f": FIXTURES / "eia_v2_retail_sales_industrial.json"})
    pd.testing.assert_frame_equal(csv, js)
    t = csv.set_index("code")
    # latest year 2024: TX 6.12, VA 8.99, DC 10.8, U.S. total 8.13 c/kWh
    assert t.loc["US-TX", "price_usd_per_mwh"] == pytest.approx(61.2)
    assert t.loc["US-VA", "price_usd_per_mwh"] == pytest.approx(89.9)
    assert t.loc["US-DC", "price_usd_per_mwh"] == pytest.approx(108.0)
    assert t.loc["USA", ["level", "vintage"]].tolist() == ["country", "2024"]
    assert t.loc["USA", "price_usd_per_mwh"] == pytest.approx(81.3)
    assert "WSC" not in " ".join(t.index)  # census division ignored
    assert (t["vintage"] == "2024").all()


def test_eia_build_converter_writes_export_columns(tmp_path):
    out = P.build_eia_api({"x.json": FIXTURES / "eia_v2_retail_sales_industrial.json"}, tmp_path)
    assert out == [tmp_path / "eia-api-v2" / "eia_industrial_price_by_state.csv"]
    a = P.read_eia_states({"f": out[0]})
    b = P.read_eia_states({"f": FIXTURES / "eia_v2_retail_sales_industrial.csv"})
    pd.testing.assert_frame_equal(a, b)


def test_eia_reader_rejects_wrong_units(tmp_path):
    p = tmp_path / "x.csv"
    text = (FIXTURES / "eia_v2_retail_sales_industrial.csv").read_text()
    p.write_text(text.replace("cents per kilowatt-hour", "dollars per megawatt-hour"))
    with pytest.raises(LayerError, match="units"):
        P.read_eia_states({"f": p})


@pytest.mark.parametrize("name", ["estat_nrg_pc_205.tsv", "nrg_pc_205_sdmx.csv"])
def test_eurostat_reader_official_formats(name):
    t = P.read_eurostat_nrg_pc_205({"f": FIXTURES / name}).set_index("code")
    # aggregates (EU27_2020) are not countries
    assert sorted(t.index) == ["DEU", "FRA", "GRC"]
    # FR, X_TAX, EUR, MWH20000-69999: latest two semesters 2024-S2 0.0900, 2025-S1 0.1000
    # -> 0.0950 EUR/kWh -> 95.0 EUR/MWh x 1.0824 USD/EUR = 102.828 USD/MWh
    assert t.loc["FRA", "price_usd_per_mwh"] == pytest.approx(102.828)
    assert t.loc["FRA", "vintage"] == "2024-S2/2025-S1"
    assert "flags: p" in t.loc["FRA", "price_source"]
    # EL is Greece; 2025-S1 missing (':'): 2024-S1 0.1300, 2024-S2 0.1250 -> 0.1275
    assert t.loc["GRC", "price_usd_per_mwh"] == pytest.approx(127.5 * 1.0824)
    assert t.loc["GRC", "vintage"] == "2024-S1/2024-S2"
    # DE has no value in 20-70 GWh: the next larger band, flagged: (0.1300 + 0.1200) / 2
    assert t.loc["DEU", "price_usd_per_mwh"] == pytest.approx(125.0 * 1.0824)
    assert "MWH70000-149999" in t.loc["DEU", "price_source"]
    assert "not reported" in t.loc["DEU", "price_source"]
    assert not t["price_indicative"].any()


def test_eurostat_tsv_and_sdmx_csv_agree_and_gzip(tmp_path):
    import gzip

    a = P.read_eurostat_nrg_pc_205({"f": FIXTURES / "estat_nrg_pc_205.tsv"})
    b = P.read_eurostat_nrg_pc_205({"f": FIXTURES / "nrg_pc_205_sdmx.csv"})
    pd.testing.assert_frame_equal(a, b)
    gz = tmp_path / "estat_nrg_pc_205.tsv.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "estat_nrg_pc_205.tsv").read_bytes()))
    pd.testing.assert_frame_equal(a, P.read_eurostat_nrg_pc_205({"f": gz}))


def test_eurostat_rate_override_and_validation():
    t = P.read_eurostat_nrg_pc_205({"f": FIXTURES / "nrg_pc_205_sdmx.csv"}, usd_per_eur=1.0)
    assert t.set_index("code").loc["FRA", "price_usd_per_mwh"] == pytest.approx(95.0)
    with pytest.raises(ConfigError):
        P.read_eurostat_nrg_pc_205({"f": FIXTURES / "nrg_pc_205_sdmx.csv"}, usd_per_eur=-1)


def test_eurostat_reader_rejects_other_files(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(LayerError):
        P.read_eurostat_nrg_pc_205({"f": p})


# ------------------------------------------------------------ joins on the raw data


@pytest.mark.raw
def test_eia_2024_texas_below_virginia(raw_dir):
    j = joined([("dallas", 32.78, -96.80), ("ashburn", 39.04, -77.49)], data_dir=raw_dir)
    # EIA 2024 industrial: TX 6.12 c/kWh = 61.2 USD/MWh, VA 8.99 c/kWh = 89.9 USD/MWh
    assert j.loc["dallas", "price_usd_per_mwh"] == pytest.approx(61.2)
    assert j.loc["ashburn", "price_usd_per_mwh"] == pytest.approx(89.9)
    assert j.loc["dallas", "price_usd_per_mwh"] < j.loc["ashburn", "price_usd_per_mwh"]
    for s in ("dallas", "ashburn"):
        assert j.loc[s, "price_layer"] == "eia_industrial_price_states"
        assert j.loc[s, "price_level"] == "us_state"
        assert j.loc[s, "price_vintage"] == "2024"
        assert j.loc[s, "price_reason"] == ""
        assert not j.loc[s, "price_indicative"]
    assert "Texas 2024: 6.12 c/kWh" in j.loc["dallas", "price_source"]


@pytest.mark.raw
def test_french_site_gets_eurostat_row_of_country_table(raw_dir):
    j = joined([("paris", 48.8566, 2.3522)], data_dir=raw_dir)
    # country table: FRA 0.1024 USD/kWh (Eurostat, MWH20000-69999) -> 102.4 USD/MWh
    assert j.loc["paris", "price_usd_per_mwh"] == pytest.approx(102.4)
    assert j.loc["paris", "price_layer"] == "country_industrial_prices"
    assert j.loc["paris", "price_level"] == "country"
    assert j.loc["paris", "price_source"].startswith("Eurostat")
    assert not j.loc["paris", "price_indicative"]


@pytest.mark.raw
def test_official_eurostat_file_wins_over_country_table(raw_dir, tmp_path):
    d = tmp_path / "data"
    (d / "eurostat-nrg-pc-205").mkdir(parents=True)
    shutil.copy(FIXTURES / "estat_nrg_pc_205.tsv", d / "eurostat-nrg-pc-205")
    pts = [("paris", 48.8566, 2.3522), ("athens", 37.98, 23.73), ("oslo", 59.91, 10.75)]
    j = joined(pts, data_dir=f"{d}{os.pathsep}{raw_dir}")
    # recomputed from EUR with the stated rate: 0.0950 EUR/kWh x 1000 x 1.0824
    assert j.loc["paris", "price_usd_per_mwh"] == pytest.approx(102.828)
    assert j.loc["paris", "price_layer"] == "eurostat_nrg_pc_205"
    assert j.loc["paris", "price_vintage"] == "2024-S2/2025-S1"
    assert "1.0824 USD/EUR" in j.loc["paris", "price_source"]
    assert j.loc["athens", "price_layer"] == "eurostat_nrg_pc_205"
    # Norway is not in the fixture: the country table (NOR 0.0541 USD/kWh) still applies
    assert j.loc["oslo", "price_usd_per_mwh"] == pytest.approx(54.1)
    assert j.loc["oslo", "price_layer"] == "country_industrial_prices"
    j2 = joined([("paris", 48.8566, 2.3522)], data_dir=d, usd_per_eur=1.0)
    assert j2.loc["paris", "price_usd_per_mwh"] == pytest.approx(95.0)


@pytest.mark.raw
def test_research_row_is_indicative(raw_dir):
    j = joined([("tokyo", 35.68, 139.69), ("beijing", 39.90, 116.40)], data_dir=raw_dir)
    # JPN 0.135, CHN 0.079 USD/kWh, both 'research' (compiled) rows
    assert j.loc["tokyo", "price_usd_per_mwh"] == pytest.approx(135.0)
    assert j.loc["beijing", "price_usd_per_mwh"] == pytest.approx(79.0)
    assert j["price_indicative"].all()
    assert "TEPCO" in j.loc["tokyo", "price_source"]
    assert "indicative" in j.loc["tokyo", "price_source"]


@pytest.mark.raw
def test_nothing_known_gives_the_assumption(raw_dir):
    pts = [("buenos-aires", -34.60, -58.38), ("mid-atlantic", 0.0, -30.0)]
    j = joined(pts, data_dir=raw_dir, price_usd_per_mwh_default=70.0)
    assert (j["price_usd_per_mwh"] == 70.0).all()
    assert (j["price_level"] == "assumption").all()
    assert (j["price_layer"] == "assumption").all()
    assert j["price_source"].str.startswith("assumption").all()
    assert "ARG" in j.loc["buenos-aires", "price_source"]
    assert not j["price_indicative"].any()

    j = joined(pts, data_dir=raw_dir)
    assert j["price_usd_per_mwh"].isna().all()
    assert (j["price_level"] == "assumption").all()
    assert "no price data for country ARG" in j.loc["buenos-aires", "price_reason"]
    assert "no country found" in j.loc["mid-atlantic", "price_reason"]
    assert "scenario assumption" in j.loc["mid-atlantic", "price_reason"]


@pytest.mark.raw
def test_us_site_without_state_gets_national_row(raw_dir):
    s = sites([("a", 30.0, -90.0), ("b", 31.0, -91.0)])
    s["country_iso3"] = ["USA", "USA"]
    s["region_code"] = [None, "US-ZZ"]
    out = P.join(s, JoinContext(catalog=load_catalog(), data_dir=raw_dir))
    # EIA 2024 U.S. total 8.13 c/kWh = 81.3 USD/MWh
    assert np.allclose(out["price_usd_per_mwh"], 81.3)
    assert (out["price_level"] == "country").all()
    assert (out["price_layer"] == "eia_industrial_price_states").all()


@pytest.mark.raw
def test_every_site_has_provenance_and_none_dropped(raw_dir):
    pts = [(f"s{i}", -60 + 5 * i, -170 + 13 * i) for i in range(26)]
    j = joined(pts, data_dir=raw_dir, price_usd_per_mwh_default=80)
    assert list(j.index) == [p[0] for p in pts]
    assert (j["price_layer"] != "").all()
    assert (j["price_level"] != "").all()
    assert j["price_usd_per_mwh"].notna().all()
    data = j["price_level"] != "assumption"
    assert (j.loc[data, "price_vintage"] != "").all()


def test_offline_without_price_files_everything_is_assumption():
    j = joined([("dallas", 32.78, -96.80)], price_usd_per_mwh_default=65)
    assert j.loc["dallas", "price_usd_per_mwh"] == 65
    assert j.loc["dallas", "price_level"] == "assumption"
    j = joined([("dallas", 32.78, -96.80)])
    assert "no electricity-price layer found" in j.loc["dallas", "price_reason"]


def test_bad_default_rejected():
    with pytest.raises(ConfigError, match="price_usd_per_mwh_default"):
        joined([("x", 0.0, 0.0)], price_usd_per_mwh_default=-5)
    with pytest.raises(ConfigError):
        joined([("x", 0.0, 0.0)], price_usd_per_mwh_default="cheap")


def test_price_without_boundaries_keeps_sites():
    j = join_layers(sites([("x", 10.0, 10.0)]), families=("price",))
    assert j["price_level"].tolist() == ["assumption"]


def test_catalog_entries():
    cat = load_catalog()
    names = [lyr.name for lyr in cat.family("price")]
    assert names == [
        "eia_industrial_price_api",
        "eia_industrial_price_states",
        "eurostat_nrg_pc_205",
        "country_industrial_prices",
    ]
    assert (
        cat["eurostat_nrg_pc_205"]
        .fetch["url"]
        .startswith("https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/nrg_pc_205/")
    )
    assert "api.eia.gov/v2/electricity/retail-sales" in cat["eia_industrial_price_api"].fetch["url"]
