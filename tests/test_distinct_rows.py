"""The distinct-row reduction of a chunk (each distinct model-input row assessed once,
then gathered back): checked against grouping by the rows' values in plain Python."""

import numpy as np
import pandas as pd
import pytest

from siting.scale import chunk


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 500
    t = rng.choice([12.5, np.nan, -3.0], n)
    zone = pd.array(rng.choice(["US-CA", "US-TX", None], n), dtype="str")
    label = np.array(rng.choice(["a", "b", "c"], n), dtype=object)
    label[rng.random(n) < 0.2] = None
    count = rng.integers(0, 3, n)
    return pd.DataFrame({"t": t, "zone": zone, "label": label, "count": count})


def _key(row) -> tuple:
    return tuple("<missing>" if pd.isna(v) else v for v in row)


def test_distinct_rows_match_grouping_by_value():
    df = _frame()
    first, inv = chunk._distinct_rows(df)
    keys = [_key(r) for r in df.itertuples(index=False)]
    # one representative per distinct row, NaN equal to NaN and None to NaN
    assert len(first) == len(set(keys))
    assert len({keys[i] for i in first}) == len(first)
    # every row maps to a representative with the same values
    assert all(keys[first[inv[i]]] == keys[i] for i in range(len(df)))


def test_hash_collision_falls_back_to_every_row_distinct(monkeypatch):
    df = _frame()
    constant = pd.Series(np.zeros(len(df), dtype=np.uint64))
    monkeypatch.setattr(pd.util, "hash_pandas_object", lambda *a, **k: constant)
    first, inv = chunk._distinct_rows(df)
    assert np.array_equal(first, np.arange(len(df)))
    assert np.array_equal(inv, np.arange(len(df)))


@pytest.mark.parametrize(
    "values",
    [
        np.array([1.0, np.nan, 1.0, np.nan]),
        np.array(["x", None, "x", np.nan], dtype=object),
        np.array([4, 5, 4, 5]),
    ],
)
def test_same_values_treats_missing_as_equal(values):
    # rows 2 and 3 stand for rows 0 and 1: equal values, missing equal to missing
    assert chunk._same_values(values, np.array([0, 1, 0, 1]))
    assert not chunk._same_values(values, np.array([1, 1, 0, 1]))
