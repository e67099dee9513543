"""Ranking, exclusions, Pareto front and "why this number" (siting.decide).

Every expected number is computed by hand in the test from the inputs written in it.
"""

from __future__ import annotations

import itertools
import tomllib
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting import decide
from siting.decide import pareto as pareto_mod
from siting.errors import ConfigError

# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _three() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": ["a", "b", "c"],
            "water_onsite_m3": [100.0, 200.0, 300.0],
            "co2_scope2_t": [30.0, 10.0, 20.0],
            "grid_co2_g_per_kwh": [500.0, 100.0, 300.0],
            "country_iso3": ["USA", "CAN", "MEX"],
            "bws_cat": [4.0, 1.0, 3.0],
            "price_usd_per_mwh": [50.0, 95.0, np.nan],
        }
    )


def _brute_front(p: np.ndarray) -> np.ndarray:
    n = len(p)
    out = np.ones(n, dtype=bool)
    for i in range(n):
        if np.isnan(p[i]).any():
            out[i] = False
            continue
        for j in range(n):
            if i == j or np.isnan(p[j]).any():
                continue
            if np.all(p[j] <= p[i]) and np.any(p[j] < p[i]):
                out[i] = False
                break
    return out


# --------------------------------------------------------------------------------------
# ranking
# --------------------------------------------------------------------------------------


def test_hand_computed_weighted_scores():
    # weights 1 and 3 -> 0.25 and 0.75 after normalisation
    # water: min 100 max 300 -> a 0, b 0.5, c 1
    # co2:   min 10  max 30  -> a 1, b 0,   c 0.5
    # score a = 0.25*0 + 0.75*1 = 0.75; b = 0.25*0.5 + 0.75*0 = 0.125; c = 0.25 + 0.375 = 0.625
    r = decide.rank(_three(), {"water_onsite": 1, "co2_scope2": 3})
    by = r.set_index("site_id")
    assert by.loc["a", "score"] == pytest.approx(0.75)
    assert by.loc["b", "score"] == pytest.approx(0.125)
    assert by.loc["c", "score"] == pytest.approx(0.625)
    assert by["rank"].to_dict() == {"b": 1, "c": 2, "a": 3}
    assert list(r["site_id"]) == ["b", "c", "a"]  # sorted by rank
    assert by.loc["b", "norm_water_onsite"] == pytest.approx(0.5)
    assert by.loc["a", "norm_co2_scope2"] == pytest.approx(1.0)
    assert r.attrs["weights"] == pytest.approx({"water_onsite": 0.25, "co2_scope2": 0.75})
    assert not r["excluded"].any()
    assert (r["exclusion_reason"] == "").all()


def test_direction_max_custom_criterion():
    # higher is better: norm = (max - x) / (max - min)
    reg = dict(decide.CRITERIA)
    reg["capacity"] = decide.Criterion("capacity", "capacity_mw", "Grid capacity", "MW", "max")
    df = pd.DataFrame({"site_id": ["x", "y", "z"], "capacity_mw": [10.0, 30.0, 20.0]})
    r = decide.rank(df, {"capacity": 1}, criteria=reg).set_index("site_id")
    assert r["score"].to_dict() == pytest.approx({"x": 1.0, "y": 0.0, "z": 0.5})
    assert r["rank"].to_dict() == {"y": 1, "z": 2, "x": 3}


def test_all_equal_no_division_by_zero_and_order_by_site_id():
    df = pd.DataFrame(
        {"site_id": ["c", "a", "b"], "water_onsite_m3": [5.0] * 3, "co2_scope2_t": [7.0] * 3}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            r = decide.rank(df, {"water_onsite": 2, "co2_scope2": 1})
    assert (r["score"] == 0.0).all()
    assert list(r["site_id"]) == ["a", "b", "c"]
    assert r.set_index("site_id")["rank"].to_dict() == {"a": 1, "b": 2, "c": 3}


def test_single_site_and_empty_table():
    one = pd.DataFrame({"site_id": ["only"], "water_onsite_m3": [1.0]})
    r = decide.rank(one, {"water_onsite": 1})
    assert r["score"].tolist() == [0.0] and r["rank"].tolist() == [1]
    empty = pd.DataFrame({"site_id": pd.Series([], dtype=str), "water_onsite_m3": []})
    assert len(decide.rank(empty, {"water_onsite": 1})) == 0


def test_nan_in_weighted_criterion_ranked_last_with_reason_never_dropped():
    df = pd.DataFrame(
        {
            "site_id": ["a", "b", "c", "d"],
            "water_onsite_m3": [1.0, np.nan, 3.0, 2.0],
            "co2_scope2_t": [1.0, 1.0, np.nan, 5.0],
            "status": ["ok", "incomplete", "ok", "ok"],
            "reason": ["", "missing wet_bulb_c in 12 of 12 periods", "", ""],
        }
    )
    r = decide.rank(df, {"water_onsite": 1})
    by = r.set_index("site_id")
    assert len(r) == 4
    # bounds over a, c, d only: water 1..3 -> a 0, d 0.5, c 1
    assert by.loc["d", "score"] == pytest.approx(0.5)
    assert np.isnan(by.loc["b", "score"])
    assert by["rank"].to_dict() == {"a": 1, "d": 2, "c": 3, "b": 4}
    assert by.loc["b", "rank_note"].startswith("missing: water_onsite_m3")
    assert "missing wet_bulb_c" in by.loc["b", "rank_note"]
    assert list(r["site_id"])[-1] == "b"
    # an unweighted NaN (c's co2) does not matter
    assert by.loc["c", "rank_note"] == ""


def test_excluded_sites_keep_rows_rank_na():
    r = decide.rank(_three(), {"water_onsite": 1}, ["grid_co2_g_per_kwh > 400"])
    by = r.set_index("site_id")
    assert len(r) == 3
    assert bool(by.loc["a", "excluded"]) and pd.isna(by.loc["a", "rank"])
    assert by.loc["a", "exclusion_reason"] == "exclude: grid_co2_g_per_kwh > 400"
    assert by.loc["a", "rank_note"] == "excluded"
    # bounds from the eligible sites b (200) and c (300)
    assert by.loc["b", "score"] == 0.0 and by.loc["c", "score"] == 1.0
    assert list(r["site_id"]) == ["b", "c", "a"]


def test_force_include_argument_like_pipeline():
    r = decide.rank(
        _three(), {"water_onsite": 1}, exclusions=["grid_co2_g_per_kwh > 400"], force_include=["a"]
    )
    by = r.set_index("site_id")
    assert not by["excluded"].any()
    assert by.loc["a", "exclusion_reason"].startswith("force-included; would be excluded by")
    assert by.loc["a", "rank"] == 1


def test_rank_keeps_geodataframe():
    g = gpd.GeoDataFrame(
        _three(), geometry=gpd.points_from_xy([0, 1, 2], [0, 1, 2]), crs="EPSG:4326"
    )
    r = decide.rank(g, {"water_onsite": 1})
    assert isinstance(r, gpd.GeoDataFrame) and r.crs == g.crs


def test_default_weights_used_when_none():
    df = _three().assign(
        water_offsite_m3=[5.0, 6.0, 7.0],
        water_scarcity_weighted_total_m3=[1.0, 2.0, 3.0],
        energy_cost_usd=[3, 2, 1],
    )
    r = decide.rank(df)
    assert set(r.attrs["weights"]) == set(decide.DEFAULT_WEIGHTS)
    assert sum(r.attrs["weights"].values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "weights, field",
    [
        ({}, "weights"),
        ({"water_onsite": -1}, "water_onsite"),
        ({"water_onsite": float("nan")}, "water_onsite"),
        ({"water_onsite": "lots"}, "water_onsite"),
        ({"water_onsite": 0, "co2_scope2": 0}, "weights"),
        ({"no_such_thing": 1}, "weights"),
        ({"water_onsite": 1, "water_onsite_m3": 1}, "water_onsite_m3"),
    ],
)
def test_bad_weights(weights, field):
    with pytest.raises(ConfigError) as e:
        decide.rank(_three(), weights)
    assert e.value.field == field


def test_unknown_criterion_message_lists_known():
    with pytest.raises(ConfigError, match="known criteria: water_onsite"):
        decide.normalize_weights({"wter": 1})


def test_missing_column_message_lists_available():
    with pytest.raises(ConfigError) as e:
        decide.rank(_three(), {"energy_cost": 1})
    assert e.value.field == "energy_cost_usd"
    assert "available columns: site_id, water_onsite_m3" in str(e.value)


def test_duplicate_or_missing_site_id():
    df = _three()
    df.loc[2, "site_id"] = "a"
    with pytest.raises(ConfigError, match="unique"):
        decide.rank(df, {"water_onsite": 1})
    with pytest.raises(ConfigError) as e:
        decide.rank(_three().drop(columns="site_id"), {"water_onsite": 1})
    assert e.value.field == "site_id"


def test_parse_weights_cli_string():
    assert decide.parse_weights("water_onsite=2, co2_scope2=1") == {
        "water_onsite": 2.0,
        "co2_scope2": 1.0,
    }
    r = decide.rank(_three(), "water_onsite=1,co2_scope2=3")
    assert r.set_index("site_id").loc["b", "score"] == pytest.approx(0.125)
    with pytest.raises(ConfigError):
        decide.parse_weights("water_onsite")
    with pytest.raises(ConfigError):
        decide.parse_weights("water_onsite=abc")


def test_derived_criteria_hand_values():
    df = pd.DataFrame(
        {
            "site_id": ["a", "b", "c"],
            "co2_scope2_t": [100.0, 50.0, 0.0],
            "co2_embodied_t": [100.0, 50.0, 0.0],
            "co2_scope2_t_after_product": [60.0, 10.0, 0.0],
            "co2_embodied_t_after_product": [20.0, 0.0, 0.0],
            "water_onsite_m3": [10.0, 20.0, 0.0],
            "water_offsite_m3": [30.0, 20.0, 0.0],
            "water_onsite_m3_after_product": [5.0, 0.0, 0.0],
            "water_offsite_m3_after_product": [5.0, 10.0, 0.0],
            "water_scarcity_factor": [2.0, 0.5, 1.0],
        }
    )
    v = decide.criterion_values(
        df,
        [
            "after_product_share",
            "water_after_product_share",
            "co2_total",
            "water_total",
            "water_scarcity_weighted",
        ],
    )
    # (60 + 20) / 200 = 0.4; 10 / 100 = 0.1; nothing emitted -> 0
    assert v["after_product_share"].tolist() == pytest.approx([0.4, 0.1, 0.0])
    # (5 + 5) / 40 = 0.25; 10 / 40 = 0.25; 0
    assert v["water_after_product_share"].tolist() == pytest.approx([0.25, 0.25, 0.0])
    assert v["co2_total"].tolist() == [200.0, 100.0, 0.0]
    assert v["water_total"].tolist() == [40.0, 40.0, 0.0]
    # fallback: on-site x factor
    assert v["water_scarcity_weighted"].tolist() == [20.0, 10.0, 0.0]


def test_criteria_registry_complete():
    t = decide.criteria_table()
    need = {
        "water_onsite",
        "water_scarcity_weighted",
        "water_offsite",
        "co2_scope2",
        "co2_embodied",
        "energy_cost",
        "water_stress",
        "grid_intensity",
        "after_product_share",
    }
    assert need <= set(t["key"])
    assert (t.set_index("key").loc[sorted(need), "direction"] == "min").all()
    assert t["unit"].str.len().gt(0).all()


_val = st.one_of(st.sampled_from([0.0, 1.0, 2.0, 5.0]), st.just(np.nan))


@st.composite
def _tables(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    ids = draw(
        st.lists(
            st.text("abcdefgh0123456789-", min_size=1, max_size=6),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    cols = {
        "water_onsite_m3": draw(st.lists(_val, min_size=n, max_size=n)),
        "co2_scope2_t": draw(st.lists(_val, min_size=n, max_size=n)),
        "grid_co2_g_per_kwh": draw(st.lists(_val, min_size=n, max_size=n)),
    }
    perm = draw(st.permutations(list(range(n))))
    w = draw(st.tuples(*[st.sampled_from([0.0, 0.5, 1.0, 3.0])] * 3).filter(lambda t: sum(t) > 0))
    return pd.DataFrame({"site_id": ids, **cols}), perm, w


@settings(max_examples=150, deadline=None)
@given(_tables(), st.booleans())
def test_permutation_invariance(data, with_exclusion):
    df, perm, (w1, w2, w3) = data
    weights = {"water_onsite": w1, "co2_scope2": w2, "grid_intensity": w3}
    excl = ["grid_co2_g_per_kwh >= 5"] if with_exclusion else None
    a = decide.rank(df, weights, excl)
    b = decide.rank(df.iloc[list(perm)].reset_index(drop=True), weights, excl)
    assert list(a["site_id"]) == list(b["site_id"])  # identical order
    ra, rb = a.set_index("site_id"), b.set_index("site_id")
    pd.testing.assert_series_equal(ra["rank"], rb["rank"])
    np.testing.assert_array_equal(ra["score"].to_numpy(), rb["score"].to_numpy())
    assert ra["exclusion_reason"].equals(rb["exclusion_reason"])
    # ranks are 1..k without gaps for non-excluded sites, never dropped
    assert len(a) == len(df)
    k = int((~a["excluded"]).sum())
    assert sorted(a["rank"].dropna().astype(int).tolist()) == list(range(1, k + 1))
    s = a["score"].to_numpy()
    assert np.all((s[np.isfinite(s)] >= 0) & (s[np.isfinite(s)] <= 1 + 1e-12))


# --------------------------------------------------------------------------------------
# exclusions
# --------------------------------------------------------------------------------------


def test_exclusions_keep_rows_with_reasons():
    spec = {
        "exclude": ["grid_co2_g_per_kwh > 400", "bws_cat >= high"],
        "include_only": ["country_iso3 in USA,MEX"],
    }
    out = decide.exclude(_three(), spec)
    assert len(out) == 3
    by = out.set_index("site_id")
    assert by["excluded"].to_dict() == {"a": True, "b": True, "c": True}
    assert by.loc["a", "exclusion_reason"] == (
        "exclude: grid_co2_g_per_kwh > 400; exclude: bws_cat >= high"
    )
    assert by.loc["b", "exclusion_reason"] == "not in include-only: country_iso3 in USA,MEX"
    assert by.loc["c", "exclusion_reason"] == "exclude: bws_cat >= high"


def test_exclude_returns_copy_same_type_and_order():
    g = gpd.GeoDataFrame(_three(), geometry=gpd.points_from_xy([0, 1, 2], [0, 1, 2]))
    out = decide.exclude(g, "price_usd_per_mwh > 90")
    assert isinstance(out, gpd.GeoDataFrame)
    assert list(out["site_id"]) == ["a", "b", "c"]
    assert "excluded" not in g.columns
    assert out["excluded"].tolist() == [False, True, False]


def test_nan_never_satisfies_a_comparison_but_missing_rule_catches_it():
    df = _three()  # c has no price
    assert decide.exclude(df, "price_usd_per_mwh > 0")["excluded"].tolist() == [True, True, False]
    assert decide.exclude(df, "price_usd_per_mwh missing")["excluded"].tolist() == [
        False,
        False,
        True,
    ]
    # include-only: membership of a missing value cannot be confirmed -> excluded
    out = decide.exclude(df, {"include_only": ["price_usd_per_mwh between 40,100"]})
    assert out["excluded"].tolist() == [False, False, True]


def test_force_include_overrides_and_says_so():
    out = decide.exclude(
        _three(), {"exclude": ["grid_co2_g_per_kwh > 200"], "force_include": ["c", "b"]}
    )
    by = out.set_index("site_id")
    assert by["excluded"].to_dict() == {"a": True, "b": False, "c": False}
    assert by.loc["c", "exclusion_reason"] == (
        "force-included; would be excluded by: exclude: grid_co2_g_per_kwh > 200"
    )
    assert by.loc["b", "exclusion_reason"] == "force-included"


def test_force_include_unknown_id():
    with pytest.raises(ConfigError) as e:
        decide.exclude(_three(), {"force_include": ["zz"]})
    assert e.value.field == "force_include" and "zz" in str(e.value)


@pytest.mark.parametrize(
    "text, rule",
    [
        ("grid_co2_g_per_kwh>400", decide.Rule("grid_co2_g_per_kwh", ">", 400.0)),
        ("grid_co2_g_per_kwh >= 400", decide.Rule("grid_co2_g_per_kwh", ">=", 400.0)),
        ("bws_cat = 3", decide.Rule("bws_cat", "==", 3.0)),
        ("country_iso3 in USA,CAN", decide.Rule("country_iso3", "in", ("USA", "CAN"))),
        ("country_iso3 not in USA", decide.Rule("country_iso3", "not in", ("USA",))),
        ("price_usd_per_mwh between 40, 90", decide.Rule("price_usd_per_mwh", "between", (40, 90))),
        ("aware_cf missing", decide.Rule("aware_cf", "missing")),
        ("aware_cf is missing", decide.Rule("aware_cf", "missing")),
        ("bws_label == 'High (40-80%)'", decide.Rule("bws_label", "==", "High (40-80%)")),
    ],
)
def test_parse_rule_strings(text, rule):
    assert decide.parse_rule(text) == rule


def test_rule_string_roundtrip():
    for text in [
        "grid_co2_g_per_kwh > 400",
        "country_iso3 in USA,CAN",
        "price_usd_per_mwh between 40,90",
        "aware_cf missing",
        "country_iso3 not in CHN",
    ]:
        assert str(decide.parse_rule(text)) == text
        assert decide.parse_rule(str(decide.parse_rule(text))) == decide.parse_rule(text)


def test_dict_and_toml_spec():
    toml = """
    exclude = [
      "grid_co2_g_per_kwh > 400",
      { column = "price_usd_per_mwh", min = 90, max = 100 },
    ]
    include_only = [{ column = "country_iso3", in = ["USA", "CAN"] }]
    force_include = ["a"]
    """
    spec = decide.ExclusionSpec.from_any(tomllib.loads(toml))
    assert spec.to_dict() == {
        "exclude": ["grid_co2_g_per_kwh > 400", "price_usd_per_mwh between 90,100"],
        "include_only": ["country_iso3 in USA,CAN"],
        "force_include": ["a"],
    }
    out = decide.exclude(_three(), spec).set_index("site_id")
    assert out["excluded"].to_dict() == {"a": False, "b": True, "c": True}
    assert out.loc["b", "exclusion_reason"] == "exclude: price_usd_per_mwh between 90,100"
    # the same through to_dict (strings) gives the same result
    again = decide.exclude(_three(), spec.to_dict()).set_index("site_id")
    assert again["exclusion_reason"].equals(out["exclusion_reason"])
    single = decide.ExclusionSpec.from_any({"column": "bws_cat", "op": ">=", "value": "high"})
    assert single.exclude == (decide.Rule("bws_cat", ">=", "high"),)
    assert decide.parse_rule({"column": "x", "max": 3}) == decide.Rule("x", "<=", 3)


def test_bws_cat_named_categories():
    # Aqueduct 4.0: 3 = high, 4 = extremely high; -1 (arid) is not ">= high"
    df = pd.DataFrame({"site_id": list("pqrs"), "bws_cat": [-1.0, 2.0, 3.0, 4.0]})
    assert decide.exclude(df, "bws_cat >= high")["excluded"].tolist() == [False, False, True, True]
    assert decide.exclude(df, "bws_cat in arid,extremely high")["excluded"].tolist() == [
        True,
        False,
        False,
        True,
    ]


def test_unknown_column_names_it_and_lists_available():
    with pytest.raises(ConfigError) as e:
        decide.exclude(_three(), "grid_co2 > 400")
    assert e.value.field == "grid_co2"
    assert "available columns: site_id, water_onsite_m3" in str(e.value)


@pytest.mark.parametrize(
    "spec, field",
    [
        ("grid_co2_g_per_kwh > lots", "grid_co2_g_per_kwh"),
        ("country_iso3 > USA", "country_iso3"),
        ("grid_co2_g_per_kwh ~ 3", "exclusions"),
        ("price_usd_per_mwh between 90,40", "price_usd_per_mwh"),
        ("price_usd_per_mwh between 90", "price_usd_per_mwh"),
        ({"column": "x"}, "x"),
        ({"column": "x", "op": "like", "value": 1}, "x"),
        ({"colum": "x"}, "exclusions"),
        ({"exclude": [], "exlude": []}, "exclusions"),
        (42, "exclusions"),
    ],
)
def test_bad_rules(spec, field):
    with pytest.raises(ConfigError) as e:
        decide.exclude(_three().assign(x=1.0), spec)
    assert e.value.field == field


def test_text_column_equality():
    out = decide.exclude(_three(), ["country_iso3 == CAN", "country_iso3 != CAN"])
    by = out.set_index("site_id")["exclusion_reason"]
    assert by["b"] == "exclude: country_iso3 == CAN"
    assert by["a"] == "exclude: country_iso3 != CAN"


# --------------------------------------------------------------------------------------
# Pareto front
# --------------------------------------------------------------------------------------


def test_pareto_2d_hand_set_with_duplicates():
    # (1,5) (2,3) (2,3) dup (3,3) dominated by (2,3); (4,1); (5,1) dominated by (4,1);
    # (1,6) dominated by (1,5); (3,2) on the front; NaN never
    pts = pd.DataFrame(
        {
            "a": [1, 2, 2, 3, 4, 5, 1, 3, np.nan],
            "b": [5, 3, 3, 3, 1, 1, 6, 2, 0],
        },
        dtype=float,
    )
    front = decide.pareto_front(pts, ["a", "b"])
    assert front.tolist() == [True, True, True, False, True, False, False, True, False]
    np.testing.assert_array_equal(front, _brute_front(pts.to_numpy()))


def test_pareto_3d_hand_set():
    pts = pd.DataFrame(
        {
            "water_onsite_m3": [1, 2, 1, 3, 1, 2],
            "co2_scope2_t": [1, 1, 2, 3, 1, 2],
            "energy_cost_usd": [3, 1, 1, 3, 3, 2],
        },
        dtype=float,
    )
    # rows 0 and 4 are equal (both on the front); row 3 (3,3,3) dominated by all;
    # row 5 (2,2,2) dominated by row 1 (2,1,1)
    front = decide.pareto_front(pts, ["water_onsite", "co2_scope2", "energy_cost"])
    assert front.tolist() == [True, True, True, False, True, False]


def test_pareto_respects_direction_and_exclusions():
    reg = dict(decide.CRITERIA)
    reg["capacity"] = decide.Criterion("capacity", "capacity_mw", "capacity", "MW", "max")
    df = pd.DataFrame(
        {
            "water_onsite_m3": [1.0, 2.0, 3.0],
            "capacity_mw": [10.0, 30.0, 20.0],
            "excluded": [False, False, True],
        }
    )
    # minimise water, maximise capacity: (1,10) and (2,30) on the front, (3,20) dominated
    assert decide.pareto_front(df, ["water_onsite", "capacity"], registry=reg).tolist() == [
        True,
        True,
        False,
    ]
    df["excluded"] = [False, True, False]
    # with b excluded, c (3,20) is no longer dominated by it
    got = decide.pareto_front(df, ["water_onsite", "capacity"], registry=reg)
    assert got.tolist() == [True, False, True]
    assert decide.pareto_front(
        df, ["water_onsite", "capacity"], registry=reg, respect_exclusions=False
    ).tolist() == [True, True, False]


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=2, max_value=3),
    st.lists(st.tuples(*[st.integers(0, 4)] * 3), min_size=1, max_size=40),
)
def test_pareto_matches_brute_force(d, rows):
    p = np.array(rows, dtype=float)[:, :d]
    np.testing.assert_array_equal(decide.pareto_points(p), _brute_front(p))


def test_pareto_3d_chunked_equals_brute_force(monkeypatch):
    rng = np.random.default_rng(7)
    p = np.round(rng.random((400, 3)) * 10)  # many ties
    p[rng.random(400) < 0.05, 1] = np.nan
    expected = _brute_front(p)
    monkeypatch.setattr(pareto_mod, "_BLOCK_ELEMENTS", 90)  # force many small blocks
    np.testing.assert_array_equal(decide.pareto_points(p), expected)


def test_pareto_3d_large_runs():
    rng = np.random.default_rng(0)
    p = rng.random((100_000, 3))
    front = decide.pareto_points(p)
    assert 0 < front.sum() < 5_000
    # spot check: no front point is dominated by another front point
    f = p[front]
    assert not decide.pareto_points(f).__invert__().any()


def test_pareto_rank_layers():
    df = pd.DataFrame({"x": [1, 2, 3, 2, 3, np.nan], "y": [3, 2, 1, 3, 3, 0]}, dtype=float)
    # layer 1: (1,3) (2,2) (3,1); layer 2: (2,3); layer 3: (3,3); NaN -> 0
    assert decide.pareto_rank(df, ["x", "y"]).tolist() == [1, 1, 1, 2, 3, 0]
    assert decide.pareto_rank(df, ["x", "y"], max_rank=1).tolist() == [1, 1, 1, 2, 2, 0]


def test_pareto_bad_criteria():
    df = pd.DataFrame({"x": [1.0], "y": [2.0]})
    with pytest.raises(ConfigError):
        decide.pareto_front(df, ["x"])
    with pytest.raises(ConfigError):
        decide.pareto_front(df, ["x", "y", "x", "y"])
    with pytest.raises(ConfigError) as e:
        decide.pareto_front(df, ["x", "nope"])
    assert e.value.field == "nope"


# --------------------------------------------------------------------------------------
# explain
# --------------------------------------------------------------------------------------


def _prov_row() -> pd.Series:
    return pd.Series(
        {
            "site_id": "s1",
            "grid_co2_g_per_kwh": 350.0,
            "grid_layer": "egrid2022_subregions",
            "grid_level": "egrid_subregion",
            "grid_vintage": "2022",
            "grid_reason": "",
            "price_usd_per_mwh": 80.0,
            "price_layer": "",
            "price_level": "assumption",
            "price_vintage": "",
            "price_reason": "",
            "water_scarcity_factor": 12.0,
            "aware_layer": "aware12",
            "aware_level": "user",
            "aware_vintage": "1.2",
            "aware_reason": "",
            "ewif_l_per_kwh": 2.0,
            "ewif_level": "fuel_mix_macknick2012",
            "mix_layer": "ember2023",
            "water_onsite_m3": 1000.0,
            "water_onsite_m3_after_product": 400.0,
            "water_offsite_m3": 500.0,
            "rank": 2,
            "score": 0.25,
            "norm_water_onsite": 0.5,
        }
    )


def test_explain_row_sources():
    t = decide.explain(_prov_row()).set_index("item")
    assert t.loc["grid_co2_g_per_kwh", "source"] == "egrid2022_subregions (egrid_subregion, 2022)"
    assert t.loc["grid_co2_g_per_kwh", "unit"] == "g CO2e/kWh"
    assert t.loc["grid_co2_g_per_kwh", "value"] == 350.0
    assert t.loc["price_usd_per_mwh", "source"].startswith("assumption")
    assert t.loc["water_scarcity_factor", "source"] == "user override"
    assert "Macknick" in t.loc["ewif_l_per_kwh", "source"]
    assert "ember2023" in t.loc["ewif_l_per_kwh", "source"]
    assert t.loc["water_offsite_m3", "how"] == "facility energy x EWIF"
    assert t.loc["water_onsite_m3_after_product", "value"] == 400.0
    assert t.loc["rank", "section"] == "decision"
    assert t.loc["norm_water_onsite", "value"] == 0.5


def test_explain_climate_rows_by_hand():
    row = _prov_row()
    for m in range(1, 13):
        row[f"dry_bulb_c_m{m:02d}"] = float(m)  # mean of 1..12 = 6.5
        row[f"wet_bulb_c_m{m:02d}"] = float(m) / 2  # mean 3.25, warmest month 6
    row["wet_bulb_c_m03"] = "n/a"  # not a number: left out of the mean and the maximum
    row["dry_bulb_c_m12"] = None
    t = decide.explain(row).set_index("item")
    assert t.loc["dry_bulb_c (annual mean of months)", "value"] == pytest.approx(66 / 11)
    assert t.loc["wet_bulb_c (annual mean of months)", "value"] == pytest.approx(37.5 / 11)
    assert t.loc["wet_bulb_c (warmest month)", "value"] == 6.0


def test_explain_site_id_lookup_errors():
    summary = pd.DataFrame([_prov_row()])
    assert len(decide.explain("s1", summary=summary)) > 0
    with pytest.raises(ConfigError, match="unknown site id"):
        decide.explain("nope", summary=summary)
    with pytest.raises(ConfigError):
        decide.explain("s1")


# --------------------------------------------------------------------------------------
# with the real model
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assessed():
    from siting.model import Facility, Fleet, Scenario, assess, reference_climate

    rows = []
    spec = [
        ("temperate", 400.0, 60.0, 1.5),
        ("hot", 200.0, 90.0, 40.0),
        ("temperate", 50.0, 120.0, 0.5),
    ]
    for i, (clim, grid, price, cf) in enumerate(spec):
        tdb, twb = reference_climate(clim)
        r = {
            "site_id": f"s{i}",
            "lat": 40.0 + i,
            "lon": -100.0,
            "grid_co2_g_per_kwh": grid,
            "price_usd_per_mwh": price,
            "water_scarcity_factor": cf,
            "water_scarcity_factor_offsite": cf,
            "aware_cf": cf,
        }
        r.update({f"dry_bulb_c_m{m + 1:02d}": float(tdb[m]) for m in range(12)})
        r.update({f"wet_bulb_c_m{m + 1:02d}": float(twb[m]) for m in range(12)})
        rows.append(r)
    return assess(pd.DataFrame(rows), Fleet(gpus=800), Scenario(product_years=3), Facility())


def test_rank_real_summary(assessed):
    s = assessed.summary
    r = decide.rank(s, {"co2_scope2": 1, "after_product_share": 1})
    assert len(r) == len(s)
    assert r["rank"].tolist() == [1, 2, 3]
    # scope 2 is proportional to grid intensity for equal energy: site s2 (50 g) best
    assert r.iloc[0]["site_id"] == "s2"
    all_w = {k: 1 for k in decide.DEFAULT_WEIGHTS}
    assert decide.rank(s, all_w)["score"].notna().all()


def test_explain_real_assessment(assessed):
    t = decide.explain("s1", assessed)
    assert set(t["section"]) >= {"layer", "total", "assumption"}
    a = t[t["section"] == "assumption"].set_index("item")
    assert a.loc["gpus", "source"] == "user override"
    assert a.loc["gpus", "value"] == 800
    assert "Newkirk" in a.loc["utilization", "source"]
    tot = t[t["section"] == "total"].set_index("item")
    row = assessed.summary.set_index("site_id").loc["s1"]
    assert tot.loc["co2_scope2_t", "value"] == pytest.approx(row["co2_scope2_t"])
    assert (t["source"].str.len() > 0).all()


def test_pareto_real_summary(assessed):
    m = decide.pareto_front(assessed.summary, ["water_scarcity_weighted", "co2_scope2"])
    assert m.dtype == bool and len(m) == 3 and m.any()
    # each pair of criteria: result equals the brute-force front
    for pair in itertools.combinations(["water_onsite", "co2_scope2", "energy_cost"], 2):
        x = decide.criterion_values(assessed.summary, pair).to_numpy()
        np.testing.assert_array_equal(
            decide.pareto_front(assessed.summary, list(pair)), _brute_front(x)
        )
