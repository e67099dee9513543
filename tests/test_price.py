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
    # CHN 0.079 USD/kWh is a 'research' (compiled) row: indicative
    assert j.loc["beijing", "price_usd_per_mwh"] == pytest.approx(79.0)
    assert j.loc["beijing", "price_indicative"]
    assert "indicative" in j.loc["beijing", "price_source"]
    # JPN: the official TEPCO figure of the curated table wins over the compiled row
    # (0.135 USD/kWh): 29.38 JPY/kWh x 1000 / 121.0796 JPY per USD = 242.65 USD/MWh
    assert j.loc["tokyo", "price_layer"] == "official_tariffs"
    assert j.loc["tokyo", "price_usd_per_mwh"] == pytest.approx(29380 / 121.0796)
    assert not j.loc["tokyo", "price_indicative"]


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


def test_offline_us_site_gets_the_embedded_eia_extract():
    # no data directory: Texas from the embedded EIA extract, 2024: 6.12 c/kWh x 10
    j = joined([("dallas", 32.78, -96.80)], price_usd_per_mwh_default=65)
    assert j.loc["dallas", "price_usd_per_mwh"] == pytest.approx(61.2)
    assert j.loc["dallas", "price_layer"] == "eia_industrial_price_starter"
    assert j.loc["dallas", "price_jurisdiction"] == "US-TX"
    assert j.loc["dallas", "price_vintage"] == "2024"


def test_offline_country_without_source_gets_the_assumption():
    # Brazil: no official figure in the embedded layers -> the user's assumption
    j = joined([("sp", -23.45, -46.90)], price_usd_per_mwh_default=65)
    assert j.loc["sp", "price_usd_per_mwh"] == 65
    assert j.loc["sp", "price_level"] == "assumption"
    assert j.loc["sp", "price_source"].startswith("assumption")
    j = joined([("sp", -23.45, -46.90)])
    assert "no price data for country BRA" in j.loc["sp", "price_reason"]


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
        "eia_industrial_price_starter",
        "eurostat_nrg_pc_205",
        "official_tariffs",
        "country_industrial_prices",
        "country_prices_starter",
    ]
    for name in ("eia_industrial_price_starter", "official_tariffs", "country_prices_starter"):
        lyr = cat[name]
        assert lyr.embedded and lyr.licence and lyr.citation and lyr.vintage
        assert all(f.sha256 for f in lyr.files)
    assert (
        cat["eurostat_nrg_pc_205"]
        .fetch["url"]
        .startswith("https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/nrg_pc_205/")
    )
    assert "api.eia.gov/v2/electricity/retail-sales" in cat["eia_industrial_price_api"].fetch["url"]


# ------------------------------------------------------- embedded extracts (offline)

STARTER = Path(P.__file__).resolve().parents[2] / "data"


def test_embedded_eia_extract_known_years():
    f = STARTER / "starter" / "price" / "eia_industrial_price_states_2001_2024.csv"
    raw = pd.read_csv(f, dtype={"period": str})
    tx = raw[raw["stateid"] == "TX"].set_index("period")["price"]
    # EIA industrial average, Texas: 2001 5.27 c/kWh, 2024 6.12 c/kWh (values in the file)
    assert tx["2001"] == pytest.approx(5.27)
    assert tx["2024"] == pytest.approx(6.12)
    assert raw.loc[(raw["stateid"] == "VA") & (raw["period"] == "2012"), "price"].item() == 6.72
    assert len(raw) == 52 * 24  # 50 states + DC + US, 2001-2024, census divisions dropped
    t = P.read_eia_states({"f": f}).set_index("code")
    assert t.loc["US-TX", "price_usd_per_mwh"] == pytest.approx(61.2)
    assert t.loc["USA", "price_usd_per_mwh"] == pytest.approx(81.3)


def test_embedded_country_extract_eurostat_value_and_no_research_rows():
    f = STARTER / "starter" / "price" / "country_prices_eurostat_eia_2024.csv"
    t = P.read_country_prices({"f": f}).set_index("code")
    # Eurostat nrg_pc_205 France (X_TAX, MWH20000-69999): 0.1024 USD/kWh = 102.4 USD/MWh
    assert t.loc["FRA", "price_usd_per_mwh"] == pytest.approx(102.4)
    assert t.loc["NOR", "price_usd_per_mwh"] == pytest.approx(54.1)
    assert not t["price_indicative"].any()
    # compiled rows of unclear licence stay out of the shipped extract
    for iso3 in ("CAN", "JPN", "SGP", "BRA", "CHN", "IND", "ARE"):
        assert iso3 not in t.index


def test_build_starter_raw_reproduces_shipped_extracts(raw_dir, tmp_path):
    from siting.layers.price_tariffs import STARTER_COUNTRY, STARTER_EIA, build_starter_raw

    build_starter_raw(raw_dir, tmp_path)
    for rel in (STARTER_EIA, STARTER_COUNTRY):
        assert (tmp_path / rel).read_bytes() == (STARTER / rel).read_bytes()
        assert (tmp_path / rel).stat().st_size < 100_000  # kB, not MB


# ------------------------------------------------------------ official tariff table

TARIFFS = STARTER / "prices" / "official_tariffs.csv"


def test_official_tariff_conversions_by_hand():
    t = pd.read_csv(TARIFFS, dtype=str, keep_default_na=False)
    qc = t[t["region"] == "CA-QC"].iloc[0]
    # 5.33 CAD cents/kWh = 53.3 CAD/MWh; / 1.3018 CAD per USD = 40.94 USD/MWh
    assert float(qc["price"]) == 5.33 and float(qc["fx_rate"]) == 1.3018
    assert float(qc["usd_per_mwh"]) == pytest.approx(53.3 / 1.3018, abs=0.006)
    sa = t[t["country"] == "SAU"].iloc[0]
    # 18 halalas/kWh = 0.18 SAR/kWh = 180 SAR/MWh; / 3.75 SAR per USD = 48 USD/MWh
    assert float(sa["usd_per_mwh"]) == pytest.approx(48.0)
    # every row names its source, document year, URL and exchange-rate source
    for col in ("source", "url", "year", "fx_source", "licence"):
        assert (t[col].str.strip() != "").all(), col


def test_official_tariff_reader_rejects_a_wrong_conversion(tmp_path):
    from siting.layers.price_tariffs import read_official_tariffs

    text = TARIFFS.read_text()
    bad = tmp_path / "t.csv"
    bad.write_text(text.replace(",40.94,", ",44.94,"))
    with pytest.raises(LayerError, match="disagrees"):
        read_official_tariffs({"f": bad})


# ------------------------------------------------------------------- border rule


def test_alberta_never_gets_a_quebec_tariff_offline():
    j = joined([("ab", 55.17, -118.80), ("qc", 45.31, -73.87)], price_usd_per_mwh_default=80)
    assert j.loc["qc", "price_jurisdiction"] == "CA-QC"
    assert j.loc["qc", "price_usd_per_mwh"] == pytest.approx(5.33 * 10 / 1.3018)
    assert j.loc["ab", "price_jurisdiction"] != "CA-QC"
    assert "Quebec" not in j.loc["ab", "price_source"]
    assert "Montreal" not in j.loc["ab", "price_source"]
    assert j.loc["ab", "price_level"] == "assumption"


@pytest.mark.raw
def test_alberta_never_gets_hydro_quebec_rate_l_from_the_country_table(raw_dir):
    # the raw country table's CAN row is Hydro-Quebec Rate L: a Quebec tariff
    t = P.read_country_prices(
        {
            "f": raw_dir
            / "country-industrial-electricity-prices"
            / "country_industrial_electricity_prices_2024.csv"
        }
    ).set_index("code")
    assert "CAN" not in t.index and t.loc["CA-QC", "level"] == "region"
    j = joined([("ab", 55.17, -118.80), ("on", 43.65, -79.38)], data_dir=raw_dir)
    for s in ("ab", "on"):
        assert "Rate L" not in j.loc[s, "price_source"]
        assert j.loc[s, "price_jurisdiction"] != "CA-QC"
    assert j.loc["on", "price_jurisdiction"] == "CA-ON"


def test_every_price_says_its_jurisdiction_offline():
    camp = pd.read_csv(STARTER / "examples" / "campuses.csv")
    pts = list(camp[["site_id", "lat", "lon"]].itertuples(index=False, name=None))
    j = joined(pts, price_usd_per_mwh_default=80)
    data = j["price_level"] != "assumption"
    assert data.sum() >= 27
    assert (j.loc[data, "price_jurisdiction"] != "").all()
    assert (j.loc[data, "price_vintage"] != "").all()
    # a country row's jurisdiction is the site's country, a region row's the site's region
    cc = j.loc[data & (j["price_level"] == "country"), ["price_jurisdiction", "country_iso3"]]
    proxy = cc["price_jurisdiction"].str.len() > 3
    assert (cc.loc[~proxy, "price_jurisdiction"] == cc.loc[~proxy, "country_iso3"]).all()
    iso2 = {"ARE": "AE", "IND": "IN", "AUS": "AU"}  # ISO 3166-1 alpha-3 -> alpha-2
    sub = cc.loc[proxy]
    assert (sub["price_jurisdiction"].str[:2] == sub["country_iso3"].map(iso2)).all()
    rr = j.loc[data & j["price_level"].isin(["region", "us_state"])]
    assert (rr["price_jurisdiction"] == rr["region_code"]).all()
    # the prices separate the sites
    p = j.loc[data, "price_usd_per_mwh"]
    assert p.max() / p.min() >= 2


# ------------------------------------------------------------------ escalation fit


def test_escalation_fit_exact_series():
    from siting.layers.price_tariffs import fit_escalation

    t = np.arange(2001, 2025, dtype=float)
    f = fit_escalation(t, 5.0 * 1.03 ** (t - 2001), np.full(t.size, "A"))
    assert f.loc["A", "esc_per_yr"] == pytest.approx(0.03, abs=1e-12)
    assert f.loc["A", "esc_low_per_yr"] == pytest.approx(0.03, abs=1e-9)
    assert f.loc["A", "esc_high_per_yr"] == pytest.approx(0.03, abs=1e-9)
    assert f.loc["A", "n"] == 24


def test_escalation_fit_by_hand():
    from siting.layers.price_tariffs import fit_escalation

    # ln p = 0, 0.1, 0.1, 0.2 at t = 0..3: Sxx = 5, Sxy = 0.3 -> b = 0.06;
    # residuals -0.01, 0.03, -0.03, 0.01 -> SSE = 0.002, se(b) = sqrt(0.002/2/5) = 0.0141421;
    # t(0.975, 2) = 4.302653 -> b +- 4.302653 x 0.0141421 = b +- 0.0608487
    y = np.exp([0.0, 0.1, 0.1, 0.2])
    f = fit_escalation(np.arange(4.0), y, np.array(["g"] * 4)).loc["g"]
    assert f["esc_per_yr"] == pytest.approx(np.expm1(0.06), rel=1e-9)
    assert f["esc_low_per_yr"] == pytest.approx(np.expm1(0.06 - 0.0608487), abs=2e-7)
    assert f["esc_high_per_yr"] == pytest.approx(np.expm1(0.06 + 0.0608487), abs=2e-7)
    two = fit_escalation(np.arange(2.0), np.array([1.0, 2.0]), np.array(["h", "h"]))
    assert np.isnan(two.loc["h", "esc_per_yr"])  # two points give no range


def test_escalation_columns_for_a_us_site_offline():
    j = joined([("dallas", 32.78, -96.80), ("paris", 48.65, 2.23)])
    lo, mid, hi = j.loc[
        "dallas",
        ["price_escalation_low_per_yr", "price_escalation_per_yr", "price_escalation_high_per_yr"],
    ]
    assert lo <= mid <= hi
    assert (
        "EIA annual industrial price series 2001-2024 (24 points)"
        in j.loc["dallas", "price_escalation_source"]
    )
    # no series shipped for the country table: NaN with the reason
    assert np.isnan(j.loc["paris", "price_escalation_per_yr"])
    assert "no historical series" in j.loc["paris", "price_escalation_source"]


def test_eurostat_escalation_from_semesters():
    t = P.read_eurostat_nrg_pc_205({"f": FIXTURES / "nrg_pc_205_sdmx.csv"})
    assert {"esc_per_yr", "esc_low_per_yr", "esc_high_per_yr", "esc_source"} <= set(t.columns)
    assert t["esc_source"].str.contains("Eurostat nrg_pc_205 semesters").all()
