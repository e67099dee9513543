"""Boundaries joined to sites: known answers written in the test."""

from __future__ import annotations

import pandas as pd
import pytest

from siting.join import coverage, join_layers
from siting.sites import from_frame


def joined(points, **kw):
    df = pd.DataFrame(points, columns=["site_id", "lat", "lon"])
    return join_layers(from_frame(df), families=("boundary",), **kw).set_index("site_id")


def test_known_countries_and_regions():
    j = joined(
        [
            ("paris", 48.8566, 2.3522),
            ("quebec", 46.9, -72.2),
            ("wv", 38.35, -81.63),
            ("narvik", 68.35, 17.50),
            ("fairbanks", 64.84, -147.72),
            ("chukotka", 66.0, 175.0),
            ("suva", -18.1, 178.4),
        ]
    )
    assert j.loc["paris", "country_iso3"] == "FRA"
    assert pd.isna(j.loc["paris", "region_code"])
    assert j.loc["quebec", ["country_iso3", "region_code"]].tolist() == ["CAN", "CA-QC"]
    assert j.loc["wv", ["country_iso3", "region_code"]].tolist() == ["USA", "US-WV"]
    # polygons that cross the antimeridian are repaired (world-atlas stores them spherical)
    assert j.loc["narvik", "country_iso3"] == "NOR"
    assert j.loc["fairbanks", ["country_iso3", "region_code"]].tolist() == ["USA", "US-AK"]
    assert j.loc["chukotka", "country_iso3"] == "RUS"
    assert j.loc["suva", "country_iso3"] == "FJI"
    assert (j["boundary_layer"] == "ne_admin0_50m").all()
    assert not j["boundary_snapped"].any()


def test_offshore_site_snapped_with_geodesic_distance():
    # 0.1 deg of longitude west of the French Atlantic coast near Biarritz (43.48 N, -1.56):
    # the coast is within a few km, far below the 20 km default.
    j = joined([("off", 43.48, -1.70), ("mid-atlantic", 0.0, -30.0)])
    assert j.loc["off", "country_iso3"] == "FRA"
    assert bool(j.loc["off", "boundary_snapped"])
    # 0.14 deg of longitude at 43.5 N is 0.14 * 111.32 * cos(43.5 deg) = 11.3 km: an upper bound
    assert 0 < j.loc["off", "boundary_snap_km"] < 11.3
    assert pd.isna(j.loc["mid-atlantic", "country_iso3"])
    assert "20 km" in j.loc["mid-atlantic", "boundary_reason"]
    cov = coverage(j)
    assert cov.query("family == 'boundary' and level == 'missing'")["sites"].item() == 1


def test_snap_disabled():
    j = joined([("off", 43.48, -1.70)], snap_km=0)
    assert pd.isna(j.loc["off", "country_iso3"])


def test_no_site_dropped_order_kept():
    pts = [(f"s{i}", -50 + i, -170 + 7 * i) for i in range(48)]
    j = joined(pts)
    assert list(j.index) == [p[0] for p in pts]


def test_catalog_lists_boundaries_with_checksums():
    from siting.layers.catalog import load_catalog

    cat = load_catalog()
    lyr = cat["ne_admin0_50m"]
    assert lyr.family == "boundary" and lyr.embedded
    assert all(f.sha256 and len(f.sha256) == 64 for f in lyr.files)
    assert cat.locate(lyr) is not None


@pytest.mark.parametrize("bad", [-1.0])
def test_negative_snap_rejected(bad):
    from siting.errors import SiteInputError

    with pytest.raises(SiteInputError, match="snap_km"):
        joined([("a", 0, 0)], snap_km=bad)


def test_claimed_location_checked():
    # a cloud-region list with a "Dallas" region at Oregon coordinates (The Dalles)
    df = pd.DataFrame(
        {
            "site_id": ["dallas", "ok", "wrong-country", "iso2", "blank"],
            "lat": [45.6, 32.8, 48.85, 48.85, 48.85],
            "lon": [-121.2, -96.8, 2.35, 2.35, 2.35],
            "country": ["USA", "United States of America", "DEU", "FR", ""],
            "state": ["TX", "Texas", "", "", ""],
        }
    )
    j = join_layers(from_frame(df), families=("boundary",)).set_index("site_id")
    assert "state 'TX'" in j.loc["dallas", "location_flag"]
    assert "US-OR" in j.loc["dallas", "location_flag"]
    assert j.loc["ok", "location_flag"] == ""
    assert "country 'DEU'" in j.loc["wrong-country", "location_flag"]
    assert j.loc["iso2", "location_flag"] == ""
    assert j.loc["blank", "location_flag"] == ""


def test_user_column_never_overwritten():
    df = pd.DataFrame({"site_id": ["a"], "lat": [48.85], "lon": [2.35], "country_iso3": ["XXX"]})
    with pytest.warns(UserWarning, match="input_country_iso3"):
        j = join_layers(from_frame(df), families=("boundary",))
    assert j.loc[0, "input_country_iso3"] == "XXX"
    assert j.loc[0, "country_iso3"] == "FRA"


def test_region_provenance_names_the_region_layer():
    from siting.provenance import source_of

    j = joined([("wv", 38.35, -81.63), ("paris", 48.8566, 2.3522)])
    assert source_of(j.loc["wv"], "region_code") == "us_ca_admin1 (admin1)"
    assert source_of(j.loc["wv"], "country_iso3").startswith("ne_admin0_50m (country")
    assert source_of(j.loc["paris"], "region_code").startswith("missing")
