"""Reports: HTML (structure, escaping, numbers), PDF, XLSX, GeoPackage/GeoParquet, safety.

The result used here is built from a hand-made joined table (``docs/columns.md``) through
the real model (:func:`siting.model.assess`) and ranking (:func:`siting.decide.rank`); its
layer values are test inputs, not data. ``SITING_UPDATE_GOLDEN=1`` rewrites
``tests/golden/report_structure.json`` after a deliberate change of the report layout.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from siting.errors import ConfigError, OutputError
from siting.model import Facility, Fleet, Scenario, assess, reference_climate
from siting.pipeline import RunResult, used_datasets
from siting.report import RANKING_COLUMNS, annual_split, column_unit, write_report
from siting.report.html import format_number, render_html

GOLDEN = Path(__file__).parent / "golden" / "report_structure.json"
XSS = "<script>alert(1)</script>"
MATH_ID = "c-$\\frac{x$"  # would break matplotlib's mathtext if it were parsed

# --------------------------------------------------------------------------------------
# fixture: a RunResult from a hand-made joined table
# --------------------------------------------------------------------------------------


def _site(sid, name, lat, lon, iso3, country, grid, price, climate, **extra):
    dry, wet = reference_climate(climate)
    row = {
        "site_id": sid,
        "name": name,
        "notes": extra.pop("notes", "test site"),
        "lat": lat,
        "lon": lon,
        "country_iso3": iso3,
        "country_name": country,
        "region_code": extra.pop("region_code", None),
        "region_name": extra.pop("region_name", None),
        "region_layer": "",
        "boundary_snapped": extra.pop("boundary_snapped", False),
        "boundary_snap_km": extra.pop("boundary_snap_km", 0.0),
        "location_flag": extra.pop("location_flag", ""),
        "boundary_layer": "ne_admin0_50m",
        "boundary_level": "country",
        "boundary_vintage": "4.1.0",
        "boundary_reason": "",
        "grid_co2_g_per_kwh": grid,
        "grid_zone": iso3,
        "grid_layer": "test_grid",
        "grid_level": "country",
        "grid_vintage": "2023",
        "grid_reason": "",
        "aware_cf": extra.get("aware_cf", 1.0),
        "water_scarcity_factor": extra.pop("aware_cf", 1.0),
        "aware_layer": "test_aware",
        "aware_level": "basin",
        "aware_vintage": "1.2",
        "aware_reason": "",
        "price_usd_per_mwh": price,
        "price_indicative": extra.pop("price_indicative", False),
        "price_layer": "test_price" if price == price else "assumption",
        "price_level": "country" if price == price else "assumption",
        "price_vintage": "2024",
        "price_reason": "" if price == price else "no price data covers the site",
        "climate_layer": "test_climate",
        "climate_level": "estimate_monthly",
        "climate_vintage": "synthetic",
        "climate_reason": "",
        "wet_bulb_sd_c": 1.0,
    }
    for m in range(12):
        row[f"dry_bulb_c_m{m + 1:02d}"] = float(dry[m])
        row[f"wet_bulb_c_m{m + 1:02d}"] = float(wet[m])
    row.update(extra)
    return row


@pytest.fixture(scope="module")
def result() -> RunResult:
    rows = [
        _site("a-cool", "Cool hydro site", 60.0, 10.0, "NOR", "Norway", 30.0, 50.0, "temperate",
              mix_hydro_pct=90.0, mix_wind_pct=10.0, mix_layer="test_mix", aware_cf=0.5),
        _site("b-hot", "Hot desert site", 33.4, -112.0, "USA", "United States", 400.0, 70.0,
              "hot", region_code="US-AZ", region_name="Arizona", aware_cf=60.0,
              location_flag="state 'TX' but the coordinates fall in US-AZ"),
        _site("xss", XSS, 39.0, -77.5, "USA", "United States", 300.0, 90.0, "temperate",
              notes='=HYPERLINK("http://evil.example","x")', region_code="US-VA",
              region_name="Virginia", operator="+cmd|' /C calc'!A0"),
        _site(MATH_ID, "@SUM(1+1)", 53.3, -6.3, "IRL", "Ireland", 280.0, float("nan"),
              "temperate", notes="-2+3", boundary_snapped=True, boundary_snap_km=1.7),
        _site("e-dirty", "Coal grid site", 28.6, 77.2, "IND", "India", 700.0, 80.0, "hot",
              price_indicative=True),
        _site("f-gap", "Climate gap site", 1.3, 103.8, "SGP", "Singapore", 470.0, 100.0,
              "hot"),
    ]  # fmt: skip
    df = pd.DataFrame(rows)
    df.loc[df["site_id"] == "f-gap", ["wet_bulb_c_m06", "wet_bulb_c_m07"]] = np.nan
    joined = gpd.GeoDataFrame(
        df, geometry=[Point(x, y) for x, y in zip(df["lon"], df["lat"], strict=True)], crs=4326
    )
    sites = joined[["site_id", "name", "notes", "lat", "lon", "geometry"]].copy()
    sites["operator"] = df.get("operator")
    fleet = Fleet(gpus=1000)
    scenario = Scenario(commitment_years=10, product_years=3.5, after="idle")
    assessment = assess(joined, fleet, scenario, Facility())
    from siting import decide

    exclusions = ["grid_co2_g_per_kwh > 600"]
    ranked = decide.rank(assessment.summary, dict(decide.DEFAULT_WEIGHTS), exclusions=exclusions)
    coverage = pd.DataFrame(
        {
            "family": ["boundary", "grid", "price", "price"],
            "level": ["country", "country", "country", "assumption"],
            "layer": ["ne_admin0_50m", "test_grid", "test_price", "assumption"],
            "sites": [6, 6, 5, 1],
        }
    )
    coverage["share"] = coverage["sites"] / 6
    # the catalog layers named in the provenance columns (object dtype, as join_layers makes)
    layer_cols = joined[[c for c in joined.columns if c.endswith("_layer")]].astype(object)
    datasets = used_datasets(layer_cols)
    assert "ne_admin0_50m" in set(datasets["layer"])
    return RunResult(
        sites=sites,
        joined=joined,
        assessment=assessment,
        ranked=ranked,
        coverage=coverage,
        weights=dict(decide.DEFAULT_WEIGHTS),
        exclusions=exclusions,
        datasets=datasets,
        inputs=[],
    )


@pytest.fixture(scope="module")
def html_text(result) -> str:
    return render_html(result)


# --------------------------------------------------------------------------------------
# a tiny DOM on the standard library's parser
# --------------------------------------------------------------------------------------

_VOID = {"meta", "img", "br", "hr", "link", "input", "col", "source", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self, skip_class: str | None = None) -> str:
        out = []
        for c in self.children:
            if isinstance(c, str):
                out.append(c)
            elif skip_class is None or skip_class not in (c.attrs.get("class") or "").split():
                out.append(c.text(skip_class))
        return "".join(out)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str, **attrs) -> list[Node]:
        return [
            n
            for n in self.iter()
            if n.tag == tag and all(n.attrs.get(k) == v for k, v in attrs.items())
        ]

    def find(self, tag: str, **attrs) -> Node:
        hits = self.find_all(tag, **attrs)
        assert hits, f"no <{tag} {attrs}>"
        return hits[0]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in _VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(html: str) -> Node:
    b = _Builder()
    b.feed(html)
    b.close()
    return b.root


def _clean(s: str) -> str:
    return " ".join(s.split())


def structure(html: str) -> dict:
    """Section ids, headings and table headers: what the golden file pins down."""
    doc = parse(html)
    in_card = {id(n) for a in doc.find_all("article") for n in a.iter()}
    tables = {}
    for t in doc.find_all("table"):
        if t.attrs.get("id"):
            tables[t.attrs["id"]] = [_clean(th.text()) for th in t.find_all("th", scope="col")]
    cards = doc.find_all("article")
    card_tables = {}
    if cards:
        for t in cards[0].find_all("table"):
            cls = t.attrs.get("class", "")
            card_tables[cls] = [_clean(th.text()) for th in t.find_all("th", scope="col")]
    return {
        "sections": [s.attrs.get("id") for s in doc.find_all("section")],
        "headings": [
            f"{n.tag}: {_clean(n.text())}"
            for n in doc.iter()
            if n.tag in ("h1", "h2", "h3") and id(n) not in in_card
        ],
        "tables": tables,
        "card_tables": card_tables,
        "cards": len(cards),
    }


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------


def test_html_structure_matches_golden(html_text):
    got = structure(html_text)
    if os.environ.get("SITING_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} missing: run with SITING_UPDATE_GOLDEN=1 to create it"
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got == want


def test_html_is_self_contained(html_text):
    doc = parse(html_text)
    assert not doc.find_all("script")
    assert not doc.find_all("link")
    assert "@import" not in html_text and "url(" not in html_text
    for n in doc.iter():
        for k, v in n.attrs.items():
            assert not k.startswith("on"), f"event handler attribute {k} on <{n.tag}>"
            if k == "src":  # embedded images only: PNG charts, SVG site-card charts
                embedded = ("data:image/png;base64,", "data:image/svg+xml;base64,")
                assert v.startswith(embedded), v[:60]
            if k == "href":
                assert v.startswith("#"), v
    imgs = doc.find_all("img")
    # map + overview + split + one chart per complete site card
    assert len(imgs) >= 3 + 4


def test_user_text_is_escaped_everywhere(html_text):
    assert XSS not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    doc = parse(html_text)
    # shown as text in the ranking table, in its card and in the given-input table
    rows = {r.attrs["data-site"]: r for r in doc.find("table", id="ranking-table").find_all("tr")
            if "data-site" in r.attrs}  # fmt: skip
    assert XSS in rows["xss"].text()
    card = next(a for a in doc.find_all("article") if "xss" in a.find("h3").text())
    assert XSS in card.find("h3").text()
    assert '=HYPERLINK("http://evil.example","x")' in card.text()
    assert MATH_ID in rows  # the mathtext-like id survived the charts and the page


def _number(text: str) -> float:
    text = text.strip()
    if text in ("n/a", "excluded", "unranked"):
        return math.nan
    return float(text.replace(",", ""))


def _tolerance(value: float, fmt: str) -> float:
    if fmt == "int":
        return 0.5
    if fmt.startswith("fixed"):
        return 0.5 * 10 ** -int(fmt[5:]) + 1e-12
    n = int(fmt[3:])
    e = math.floor(math.log10(abs(value))) if value else 0
    return 0.5 * 10 ** (e - n + 1) * (1 + 1e-9)


def test_every_ranking_number_equals_the_model_output(result, html_text):
    table = parse(html_text).find("table", id="ranking-table")
    cols = [th.attrs.get("data-col") for th in table.find_all("th", scope="col")]
    spec = {c.column: c for c in RANKING_COLUMNS}
    ranked = result.ranked.set_index(result.ranked["site_id"].astype(str))
    rows = [r for r in table.find_all("tr") if "data-site" in r.attrs]
    assert sorted(r.attrs["data-site"] for r in rows) == sorted(ranked.index)
    checked = 0
    for r in rows:
        sid = r.attrs["data-site"]
        cells = r.find_all("td")
        assert len(cells) == len(cols)
        for col, td in zip(cols, cells, strict=True):
            c = spec.get(col)
            if c is None or c.fmt == "text":
                continue
            shown = _number(td.text(skip_class="badge"))
            model = pd.to_numeric(pd.Series([ranked.loc[sid, col]]), errors="coerce").iloc[0]
            if pd.isna(model):
                assert math.isnan(shown), (sid, col, shown)
                continue
            assert abs(shown - float(model)) <= _tolerance(float(model), c.fmt), (
                sid,
                col,
                shown,
                model,
            )
            checked += 1
    assert checked >= 5 * 10


def test_ranking_order_exclusions_and_flags(result, html_text):
    doc = parse(html_text)
    table = doc.find("table", id="ranking-table")
    rows = [r for r in table.find_all("tr") if "data-site" in r.attrs]
    order = [r.attrs["data-site"] for r in rows]
    ranks = result.ranked.dropna(subset=["rank"]).sort_values("rank")["site_id"].tolist()
    assert order[: len(ranks)] == ranks
    assert order[-1] == "e-dirty"  # excluded sites come last ...
    dirty = rows[-1]
    assert "excluded" in dirty.attrs.get("class", "")
    assert "grid_co2_g_per_kwh > 600" in dirty.text()  # ... with their reason
    gap = next(r for r in rows if r.attrs["data-site"] == "f-gap")  # incomplete: kept, last
    assert "unranked" in gap.attrs.get("class", "") and "missing" in gap.text()
    assert order.index("f-gap") == len(order) - 2
    listed = doc.find("ul", id="excluded-list").text()
    assert "e-dirty" in listed and "grid_co2_g_per_kwh > 600" in listed
    # price assumption visibly marked
    math_row = next(r for r in rows if r.attrs["data-site"] == MATH_ID)
    badges = [s.text() for s in math_row.find_all("span") if "badge" in s.attrs.get("class", "")]
    assert "assumption" in badges
    dirty_badges = [s.text() for s in dirty.find_all("span") if "badge" in s.attrs.get("class", "")]
    assert "indicative" in dirty_badges
    # units in the headers
    heads = [_clean(th.text()) for th in table.find_all("th", scope="col")]
    assert "On-site water, lifetime [m3]" in heads and "Score [0 best - 1 worst]" in heads


def test_assumptions_datasets_coverage_tables(result, html_text):
    doc = parse(html_text)
    a = doc.find("table", id="assumptions-table")
    rows = a.find_all("tr")[1:]
    assert len(rows) == len(result.assessment.assumptions)
    marked = [r for r in rows if "is-assumption" in r.attrs.get("class", "")]
    n_assumed = result.assessment.assumptions["source"].str.lower().str.contains("assumption")
    assert len(marked) == int(n_assumed.sum()) > 0
    d = doc.find("table", id="datasets-table")
    heads = [_clean(th.text()) for th in d.find_all("th", scope="col")]
    for h in ("Layer", "Vintage", "Source", "Licence", "Checksum (SHA-256)"):
        assert h in heads
    body = d.text()
    for layer in result.datasets["layer"]:
        assert layer in body
    for sha in result.datasets["sha256"]:
        assert sha in body
    cov = doc.find("table", id="coverage-table")
    assert len(cov.find_all("tr")) == 1 + len(result.coverage)
    refs = doc.find("ol", id="references").find_all("li")
    assert len(refs) >= 10


def test_site_cards_split_and_top_n(result):
    html = render_html(result, top_n=2)
    doc = parse(html)
    cards = doc.find_all("article")
    assert len(cards) == 2
    rows = [
        r for r in doc.find("table", id="ranking-table").find_all("tr") if "data-site" in r.attrs
    ]
    assert len(rows) == len(result.ranked)  # tables stay complete
    assert "first 2 of 6 sites" in _clean(doc.find("section", id="sites").text())
    # the card's before + after add up to the lifetime total
    tot = {r.attrs["data-col"]: r for r in cards[0].find_all("tr") if "data-col" in r.attrs}
    cells = [
        _number(td.text(skip_class="badge")) for td in tot["water_onsite_m3"].find_all("td")[2:5]
    ]
    assert cells[0] == pytest.approx(cells[1] + cells[2], rel=2e-3)
    assert cells[2] > 0  # the product dies after 3.5 of 10 years


def test_annual_split_adds_up_to_the_model_totals(result):
    ann = result.assessment.annual
    summary = result.assessment.summary.set_index("site_id", drop=False)
    for sid in ("a-cool", "b-hot"):
        split = annual_split(ann, summary.loc[sid], sid)
        for var in ("water_onsite_m3", "co2_scope2_t", "co2_embodied_t", "energy_cost_usd"):
            total = split[f"{var}_before"] + split[f"{var}_after"]
            np.testing.assert_allclose(total, ann[var].sel(site=sid).to_numpy(), rtol=1e-6)
            assert split[f"{var}_after"].sum() == pytest.approx(
                summary.loc[sid, f"{var}_after_product"], rel=1e-5, abs=1e-6
            )
        alive = split["product_alive"].to_numpy()
        assert (split["water_onsite_m3_after"].to_numpy()[alive == 1] == 0).all()
        assert (split["water_onsite_m3_before"].to_numpy()[alive == 0] == 0).all()


@pytest.mark.parametrize(
    ("product_years", "after"),
    [(2.0, "power_down"), (3.5, "retenant"), (4.25, "idle"), (None, "idle")],
)
def test_annual_split_in_every_after_mode(result, product_years, after):
    joined = result.joined.iloc[:2]
    scenario = Scenario(
        commitment_years=8, product_years=product_years, after=after, take_or_pay_fraction=0.5
    )
    a = assess(joined, Fleet(gpus=100), scenario, Facility())
    summary = a.summary.set_index("site_id", drop=False)
    sid = str(joined["site_id"].iloc[0])
    split = annual_split(a.annual, summary.loc[sid], sid)
    for var in ("water_offsite_m3", "co2_scope2_t", "co2_embodied_t", "energy_cost_usd"):
        assert (split[f"{var}_before"] >= -1e-6).all() and (split[f"{var}_after"] >= 0).all()
        assert split[f"{var}_after"].sum() == pytest.approx(
            summary.loc[sid, f"{var}_after_product"], rel=1e-5, abs=1e-6
        )
        np.testing.assert_allclose(
            split[f"{var}_before"] + split[f"{var}_after"],
            a.annual[var].sel(site=sid).to_numpy(),
            rtol=1e-6,
        )


def test_format_number():
    assert format_number(7_887_345.2) == "7,890,000"
    assert format_number(0.025646, "fixed3") == "0.026"
    assert format_number(1.1134, "fixed3") == "1.113"
    assert format_number(54.12) == "54.1"
    assert format_number(0.5) == "0.500"
    assert format_number(0) == "0"
    assert format_number(-1234.5) == "-1,230"
    assert format_number(12, "int") == "12"
    assert format_number(0.123, "pct1") == "12.3"
    assert format_number(float("nan")) == "n/a"
    assert format_number(None) == "n/a"
    assert format_number(2.5e-9) == "2.50e-09"


def test_format_value_reads_like_text():
    from siting.report.html import format_value

    # plain decimals, not scientific notation, down to 1e-4
    assert format_value(0.02) == "0.02"
    assert format_value(0.0537) == "0.0537"
    assert format_value(0.0005) == "0.0005"
    # calendar years carry no thousands separator, counts do
    assert format_value(2026, "start_year") == "2026"
    assert format_value(2031.0, "year") == "2031"
    assert format_value(50_000, "gpus") == "50,000"


def test_units():
    assert column_unit("water_onsite_m3") == "m3"
    assert column_unit("water_onsite_m3_after_product") == "m3"
    assert column_unit("co2_scope2_t") == "t CO2e"
    assert column_unit("grid_co2_g_per_kwh")
    assert column_unit("wet_bulb_c_m07") == "C"
    assert column_unit("site_id") == ""


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------


def test_xlsx_sheets_units_and_number_types(result, tmp_path):
    import openpyxl

    path = write_report(result, tmp_path, formats=["xlsx"])["xlsx"]
    wb = openpyxl.load_workbook(path)
    for name in ("ranking", "sites", "annual", "assumptions", "datasets", "coverage"):
        assert name in wb.sheetnames
    ws = wb["ranking"]
    heads = [c.value for c in ws[1]]
    assert "On-site water, lifetime [m3]" in heads and "Rank [1 = best]" in heads
    col = heads.index("On-site water, lifetime [m3]") + 1
    values = [ws.cell(row=i, column=col) for i in range(2, ws.max_row + 1)]
    assert sum(c.data_type == "n" and isinstance(c.value, float) for c in values) >= 4
    assert all(c.value is None or c.data_type == "n" for c in values)
    # every site, in the per-site sheet, with units in the headers
    sites = wb["sites"]
    sh = [c.value for c in sites[1]]
    assert "water_onsite_m3 [m3]" in sh and "site_id" in sh
    assert sites.max_row == 1 + len(result.ranked)
    # annual long format: one row per site-year
    ann = wb["annual"]
    n_site, n_year = result.assessment.annual.sizes["site"], result.assessment.annual.sizes["year"]
    assert ann.max_row == 1 + n_site * n_year
    ah = [c.value for c in ann[1]]
    assert ah[:2] == ["site_id", "year [calendar year]"]
    assert ann.cell(row=2, column=2).data_type == "n"
    # read back with pandas: numbers as numbers
    df = pd.read_excel(path, sheet_name="sites")
    assert pd.api.types.is_float_dtype(df["water_onsite_m3 [m3]"])


def test_xlsx_neutralizes_formulas(result, tmp_path):
    import openpyxl

    path = write_report(result, tmp_path, formats=["xlsx"])["xlsx"]
    wb = openpyxl.load_workbook(path)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    texts.append(c.value)
    for s in texts:
        if s == "-":  # the dimensionless unit
            continue
        assert not s.startswith(("=", "+", "-", "@", "\t", "\r")), s
    assert '\'=HYPERLINK("http://evil.example","x")' in texts
    assert "'@SUM(1+1)" in texts
    assert "'-2+3" in texts
    assert "'+cmd|' /C calc'!A0" in texts
    assert XSS in texts  # text is kept as typed otherwise


# --------------------------------------------------------------------------------------
# GIS
# --------------------------------------------------------------------------------------


def test_geopackage_and_geoparquet_round_trip(result, tmp_path):
    import pyogrio

    paths = write_report(result, tmp_path, formats=["gpkg", "parquet"])
    ranked = result.ranked
    for fmt in ("gpkg", "parquet"):
        back = (
            gpd.read_file(paths["gpkg"], layer="sites")
            if fmt == "gpkg"
            else gpd.read_parquet(paths["parquet"])
        )
        assert len(back) == len(ranked)
        assert set(back.columns) == set(ranked.columns), fmt
        assert sorted(back["site_id"]) == sorted(ranked["site_id"])
        assert back.crs is not None and back.crs.to_epsg() == 4326
        a = back.set_index("site_id")["water_onsite_m3"]
        b = ranked.set_index("site_id")["water_onsite_m3"]
        pd.testing.assert_series_equal(a.loc[b.index], b, check_names=False, check_dtype=False)
    layers = dict(pyogrio.list_layers(paths["gpkg"]))
    assert set(layers) == {"sites", "annual"}
    annual = pyogrio.read_dataframe(paths["gpkg"], layer="annual")
    assert len(annual) == result.assessment.annual.sizes["site"] * len(
        result.assessment.annual["year"]
    )


# --------------------------------------------------------------------------------------
# writing: atomic, inside the output directory, never over an input
# --------------------------------------------------------------------------------------


def test_write_report_writes_every_format_and_no_temp_files(result, tmp_path, monkeypatch):
    monkeypatch.setattr("siting.report.pdf.render_pdf", lambda html: b"%PDF-1.7 stub")
    paths = write_report(result, tmp_path / "out", formats="html,xlsx,gpkg,parquet,pdf")
    assert set(paths) == {"html", "xlsx", "gpkg", "parquet", "pdf"}
    for p in paths.values():
        assert p.is_file() and p.stat().st_size > 0 and p.parent == (tmp_path / "out").resolve()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_refuses_outside_paths_inputs_and_unknown_formats(result, tmp_path):
    with pytest.raises(OutputError, match="outside"):
        write_report(result, tmp_path, formats=["html"], name="../escaped")
    assert not (tmp_path.parent / "escaped.html").exists()
    victim = tmp_path / "report.xlsx"
    victim.write_bytes(b"input")
    result_in = RunResult(**{**result.__dict__, "inputs": [str(victim)]})
    with pytest.raises(OutputError, match="input"):
        write_report(result_in, tmp_path, formats=["html", "xlsx"])
    assert victim.read_bytes() == b"input"
    assert not (tmp_path / "report.html").exists()  # nothing written when a target is refused
    with pytest.raises(ConfigError, match="unknown report format"):
        write_report(result, tmp_path, formats=["docx"])
    with pytest.raises(OutputError, match="existing file"):
        write_report(result, victim, formats=["html"])


def test_failed_write_keeps_the_previous_report(result, tmp_path, monkeypatch):
    first = write_report(result, tmp_path, formats=["xlsx"])["xlsx"]
    before = first.read_bytes()

    import xlsxwriter

    close = xlsxwriter.Workbook.close

    def boom(self):  # the temporary file is written, then the write fails
        close(self)
        assert Path(self.filename).stat().st_size > 0
        raise RuntimeError("disk full")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(result, tmp_path, formats=["xlsx"])
    assert first.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------


def _pdf_tools_or_skip():
    from siting.report.pdf import pdf_available

    if not pdf_available():
        pytest.skip("WeasyPrint is not installed (or its pango/cairo libraries are missing)")
    missing = [t for t in ("pdftoppm", "pdftotext") if shutil.which(t) is None]
    if missing:
        pytest.skip(
            f"poppler-utils not installed ({', '.join(missing)}): apt-get install poppler-utils"
        )


def test_pdf_pages_render_and_text(result, tmp_path):
    _pdf_tools_or_skip()
    path = write_report(result, tmp_path, formats=["pdf"])["pdf"]
    assert path.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(path), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    n_cards = len(result.ranked)
    # title + map + ranking + charts + cards (one page each) + 4 table/notes sections
    assert 4 + n_cards <= len(pages) <= 4 + 2 * n_cards + 8
    from PIL import Image

    for p in pages[:3]:
        im = np.asarray(Image.open(p).convert("L"))
        assert im.min() < 128, f"{p.name} is blank"
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, timeout=120
    ).stdout.decode("utf-8")
    for s in ("GPU data-center siting report", "Ranking", "Site cards", "Assumptions",
              "Datasets", "Coverage", "References", "a-cool", "e-dirty",
              "grid_co2_g_per_kwh > 600"):  # fmt: skip
        assert s in text, s
    assert XSS in text  # the escaped name prints as the text the user typed
    assert "page 1 of" in text


# --------------------------------------------------------------------------------------
# the real run (shared raw datasets): 30 campuses, fast
# --------------------------------------------------------------------------------------


@pytest.mark.raw
@pytest.mark.slow
def test_real_run_report(raw_dir, tmp_path):
    from siting.pipeline import run

    examples = Path(__file__).resolve().parents[1] / "data" / "examples" / "campuses.csv"
    res = run(examples, data_dir=raw_dir)
    t0 = time.perf_counter()
    paths = write_report(res, tmp_path, formats=["html", "xlsx", "gpkg", "parquet"])
    elapsed = time.perf_counter() - t0
    assert elapsed < 30, f"report of {len(res.ranked)} sites took {elapsed:.1f} s"
    doc = parse(paths["html"].read_text(encoding="utf-8"))
    rows = [
        r for r in doc.find("table", id="ranking-table").find_all("tr") if "data-site" in r.attrs
    ]
    assert len(rows) == len(res.ranked) == 30
    assert len(doc.find_all("article")) == 30
    ds = doc.find("table", id="datasets-table").text()
    assert re.search(r"\b[0-9a-f]{64}\b", ds)
