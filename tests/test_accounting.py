"""Every input site appears in every output, with results or with a status and reason.

Property test over generated site sets (land, sea, poles, duplicates of coordinates,
antimeridian) through the whole pipeline; corrupted and missing layer files.
"""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.errors import ChecksumError
from siting.join import join_layers
from siting.layers.catalog import load_catalog
from siting.model import Fleet, Scenario
from siting.pipeline import run
from siting.sites import from_frame

coords = st.tuples(st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=st.lists(coords, min_size=1, max_size=25))
def test_every_site_accounted_for(points):
    df = pd.DataFrame(points, columns=["lat", "lon"])
    df["site_id"] = [f"s{i}" for i in range(len(df))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = run(from_frame(df), Fleet(gpus=8), Scenario(commitment_years=3))
    for table in (r.joined, r.assessment.summary, r.ranked):
        assert sorted(table["site_id"]) == sorted(df["site_id"])
    assert r.assessment.annual.sizes["site"] == len(df)
    s = r.ranked.set_index("site_id")
    ok = s["status"].eq("ok")
    # a site without results says why
    assert (s.loc[~ok, "reason"].str.len() > 0).all()
    # a site with results has finite totals
    assert np.isfinite(s.loc[ok, "water_onsite_m3"].astype(float)).all()
    # unranked sites carry a note
    unranked = s["rank"].isna()
    assert (
        s.loc[unranked, "rank_note"].fillna("").str.len()
        + s.loc[unranked, "exclusion_reason"].fillna("").str.len()
        > 0
    ).all()


def _copy_layer(tmp_path, name):
    cat = load_catalog()
    files = cat.locate(name)
    out = {}
    for rel, p in files.items():
        dst = tmp_path / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, dst)
        out[rel] = dst
    return out


def test_truncated_layer_file_is_named_with_the_fix(tmp_path):
    files = _copy_layer(tmp_path, "owid_country_mix")
    p = next(iter(files.values()))
    p.write_bytes(p.read_bytes()[:1000])  # truncated download
    sites = from_frame(pd.DataFrame({"lat": [48.85], "lon": [2.35]}))
    with pytest.raises(ChecksumError) as e:
        join_layers(sites, data_dir=tmp_path, families=("boundary", "grid"))
    msg = str(e.value)
    assert "owid_country_mix" in msg and "sha256 mismatch" in msg
    assert "siting data fetch owid_country_mix" in msg and str(p) in msg


def test_missing_optional_layer_degrades_to_nan_with_reason():
    # the embedded pack has no Aqueduct, and no price for Brazil: NaN / assumption, reasons
    sites = from_frame(pd.DataFrame({"lat": [48.85, -23.55], "lon": [2.35, -46.63]}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        j = join_layers(sites)
    assert np.isnan(j.loc[0, "bws_score"])
    assert "aqueduct40" in j.loc[0, "bws_reason"]
    assert j.loc[1, "price_level"] == "assumption"
