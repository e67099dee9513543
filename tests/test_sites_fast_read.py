"""The pyarrow fast path of the site reader gives the pandas reading, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import siting.sites as sites_mod
from siting.errors import SiteInputError
from siting.sites import _plain_decimals, _read_plain_csv, read_sites


def _both(tmp_path, text: bytes, monkeypatch):
    p = tmp_path / "s.csv"
    p.write_bytes(text)
    fast = read_sites(p)
    monkeypatch.setattr(sites_mod, "_read_plain_csv", lambda raw: None)
    monkeypatch.setattr(sites_mod, "_plain_decimals", lambda s: None)
    slow = read_sites(p)
    return fast, slow


@pytest.mark.parametrize(
    "text",
    [
        b"site_id,lat,lon\nb,1.5,-2.25\na,-0.000001,179.999\n",
        b"\xef\xbb\xbfid,latitude,longitude,name\r\nx,45,9,\r\ny,1e1,+2.0,caf\xc3\xa9\r\n",
        b"lat ,lon,note\n10.,.5,a b\n\n-3,4e-3,z\n",
        b"lat,lon\n 1,2\n",  # leading blank: pandas path
        b'lat,lon,n\n1,2,"a,b"\n',  # quotes: pandas path
    ],
)
def test_fast_and_pandas_readings_identical(tmp_path, text, monkeypatch):
    fast, slow = _both(tmp_path, text, monkeypatch)
    pd.testing.assert_frame_equal(fast, slow)


def test_fast_values_by_hand(tmp_path):
    p = tmp_path / "s.csv"
    p.write_bytes(b"site_id,lat,lon,name\nb,1.5,-2.25,\na,-0.000001,359.5,x y\n")
    with pytest.warns(sites_mod.SiteWarning, match="0-360"):
        s = read_sites(p)
    assert s["site_id"].tolist() == ["b", "a"]
    assert s["lat"].tolist() == [1.5, -0.000001]
    assert s["lon"].tolist() == [-2.25, -0.5]
    assert s["name"].tolist() == ["", "x y"]


@pytest.mark.parametrize(
    "raw",
    [b"lat,lon\n1,2,3\n", b"lat,lon\n1\n", b"lat,\n1,2\n", b"lat,lat\n1,2\n", b"a\tb\n1\t2\n"],
)
def test_irregular_files_left_to_pandas(raw):
    assert _read_plain_csv(raw) is None


def test_plain_decimals_refuses_markers_and_text():
    for bad in (["1", ""], ["1", "nan"], ["1", "N/A"], ["1", "1,5"], ["1", "0x10"], ["1", "inf"]):
        assert _plain_decimals(pd.Series(bad, dtype="str")) is None
    got = _plain_decimals(pd.Series([" 12.5", "-7e-3 ", "+.25", "3."], dtype="str"))
    np.testing.assert_array_equal(got, [12.5, -0.007, 0.25, 3.0])


def test_bad_number_error_still_names_row_and_field(tmp_path):
    p = tmp_path / "s.csv"
    p.write_bytes(b"site_id,lat,lon\na,1,2\nb,north,3\n")
    with pytest.raises(SiteInputError, match="'north' is not a number") as e:
        read_sites(p)
    assert "lat" in str(e.value) and "2" in str(e.value)
