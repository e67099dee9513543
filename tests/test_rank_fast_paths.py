"""Ranking fast paths: id tie-break by sorted codes, notes built per pattern, futures
compared without re-ranking or re-indexing. Expected orders are written out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting.decide import rank
from siting.decide.futures import compare_futures
from siting.errors import ConfigError
from siting.model import Scenario


def _tied(ids, dtype=None):
    return pd.DataFrame(
        {"site_id": pd.Series(ids, dtype=dtype), "water_onsite_m3": 5.0 * np.ones(len(ids))}
    )


@pytest.mark.parametrize("dtype", [None, object, "str"])
def test_ties_broken_by_site_id_in_python_text_order(dtype):
    ids = ["b", "a", "\u00e9", "Z", "a10", "a9", "\U0001f600", "\u4e2d"]
    out = rank(_tied(ids, dtype), {"water_onsite": 1})
    # code-point order: 'Z' (0x5a) < 'a...' < 'b' < e-acute (0xe9) < CJK < emoji
    assert out["site_id"].tolist() == ["Z", "a", "a10", "a9", "b", "\u00e9", "\u4e2d", "\U0001f600"]
    assert out["rank"].tolist() == list(range(1, 9))


def test_numeric_ids_are_ordered_as_text():
    out = rank(_tied([10, 9, 100, 1]), {"water_onsite": 1})
    assert out["site_id"].tolist() == [1, 10, 100, 9]  # "1" < "10" < "100" < "9"


@pytest.mark.parametrize("ids", [["a", "b", "a", "c", "b"], [1, 2, 1]])
def test_repeated_ids_still_named(ids):
    with pytest.raises(ConfigError, match="site_id values must be unique; repeated: "):
        rank(_tied(ids, object), {"water_onsite": 1})


def test_missing_notes_name_criteria_and_reason():
    s = pd.DataFrame(
        {
            "site_id": ["a", "b", "c", "d", "e"],
            "water_onsite_m3": [1.0, np.nan, np.nan, 2.0, np.nan],
            "co2_scope2_t": [1.0, 3.0, np.nan, np.nan, np.nan],
            "reason": ["", "at sea", None, "no grid", "at sea"],
        }
    )
    out = rank(s, {"water_onsite": 1, "co2_scope2": 1}).set_index("site_id")
    assert out.loc["a", "rank_note"] == ""
    assert out.loc["b", "rank_note"] == "missing: water_onsite_m3 (at sea)"
    assert out.loc["c", "rank_note"] == "missing: water_onsite_m3, co2_scope2_t"
    assert out.loc["d", "rank_note"] == "missing: co2_scope2_t (no grid)"
    assert out.loc["e", "rank_note"] == "missing: water_onsite_m3, co2_scope2_t (at sea)"
    # unranked sites after the scored one, by site_id
    assert out["rank"].tolist() == [1, 2, 3, 4, 5]


def _futures_pair():
    # survives: water 1,2,3,4 ; shut down: water reversed; site "d" tie-broken by id
    ids = ["d", "c", "b", "a"]
    common = {"site_id": ids, "co2_scope2_t_after_product": [0.0] * 4, "co2_scope2_t": [1.0] * 4}
    survives = pd.DataFrame({**common, "water_onsite_m3": [1.0, 2.0, 3.0, 3.0]})
    shut = pd.DataFrame({**common, "water_onsite_m3": [4.0, 3.0, 2.0, 1.0]})
    return survives, shut


def test_compare_futures_ranks_by_hand_aligned_shuffled_and_given():
    survives, shut = _futures_pair()
    sc = Scenario(commitment_years=15, product_years=2)
    w = {"water_onsite": 1}
    base = compare_futures(survives, shut, sc, weights=w)
    assert base["site_id"].tolist() == ["d", "c", "b", "a"]
    assert base["rank_survives"].tolist() == [1, 2, 4, 3]  # b and a tie at 3.0: "a" first
    assert base["rank_shut_down"].tolist() == [4, 3, 2, 1]
    # shut-down rows in another order: re-indexed by site_id, same answer
    shuffled = compare_futures(survives, shut.iloc[[2, 0, 3, 1]], sc, weights=w)
    pd.testing.assert_frame_equal(shuffled, base)
    # an already-ranked future is reused, same answer
    given = compare_futures(survives, shut, sc, weights=w, ranked_survives=rank(survives, w))
    pd.testing.assert_frame_equal(given, base)
    with pytest.raises(ValueError, match="ranked with weights"):
        compare_futures(
            survives, shut, sc, weights=w, ranked_shut_down=rank(shut, {"co2_scope2": 1})
        )
