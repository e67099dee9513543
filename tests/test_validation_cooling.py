"""Cooling designs: published numbers, physical bounds, orderings and the per-site choice.

Independent numbers: the curve of Li et al. (2023) evaluated by hand; physical bounds
(PUE >= 1, WUE >= 0, a dry loop uses no water); orderings over random climates; the
acceptance figures on the bundled campuses (embedded data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from siting.errors import ConfigError
from siting.model import CoolingChoice, Facility, Fleet, Scenario, assess
from siting.model.designs import COOLING_DESIGNS
from siting.physics.hourly import dew_point_from_humidity_ratio, hourly_samples
from siting.physics.psychrometrics import humidity_ratio_from_wet_bulb, wet_bulb_from_dew_point

P0 = 101_325.0
DESIGNS = tuple(COOLING_DESIGNS)


def _sites(tdb, twb, n=1, **extra):
    return pd.DataFrame(
        {
            **{f"dry_bulb_c_m{m:02d}": np.full(n, tdb, dtype=float) for m in range(1, 13)},
            **{f"wet_bulb_c_m{m:02d}": np.full(n, twb, dtype=float) for m in range(1, 13)},
            "grid_co2_g_per_kwh": np.full(n, 400.0),
            **extra,
        }
    )


# --- Li et al. (2023): their curve is per IT kWh, end to end through assess ------------


@pytest.mark.parametrize("after", ["idle", "retenant"])
def test_li2023_wue_is_per_it_kwh_through_assess(after):
    # Li, Yang, Islam & Ren (2023) arXiv:2304.03271: WUE = S/(S-1) (6e-5 Tw^3 - 0.01 Tw^2
    # + 0.61 Tw - 10.4), Tw in F. At Tw = 60 F, S = 6, by hand:
    # (12.96 - 36 + 36.6 - 10.4) x 6/5 = 3.792 L per IT kWh (no heat-rejection factor).
    twb = (60.0 - 32.0) / 1.8
    fac = Facility(cooling="evaporative", water_model="li2023")
    a = assess(_sites(twb + 8.0, twb), Fleet(gpus=1000), Scenario(after=after), fac)
    wue = a.annual["wue_onsite_l_per_kwh"].values[0]
    assert wue == pytest.approx(np.full_like(wue, 3.792), rel=1e-5)
    assert a.summary["wue_onsite_l_per_kwh"].iloc[0] == pytest.approx(3.792, rel=1e-5)


def test_li2023_with_fixed_pue_is_still_per_it_kwh():
    twb = (60.0 - 32.0) / 1.8
    fac = Facility(cooling="evaporative", water_model="li2023", pue=1.3)
    a = assess(_sites(twb + 8.0, twb), Fleet(gpus=1000), Scenario(), fac)
    assert a.summary["wue_onsite_l_per_kwh"].iloc[0] == pytest.approx(3.792, rel=1e-5)


# --- physical bounds and orderings, every registered design ---------------------------

_T = st.floats(-30.0, 45.0)
_DEP = st.floats(0.0, 25.0)


def _valid(tdb, twb):
    """A real air state: positive humidity ratio (a wet-bulb far below a cold dry-bulb
    would need negative moisture)."""
    assume(float(humidity_ratio_from_wet_bulb(tdb, twb, P0)) > 1e-5)


def _terms(name, tdb, twb):
    c, w = Facility(cooling=name).period_terms(np.atleast_1d(tdb), np.atleast_1d(twb))
    return float(c[0]), float(w[0])


@pytest.mark.parametrize("name", DESIGNS)
@settings(max_examples=60, deadline=None)
@given(tdb=_T, dep=_DEP)
def test_bounds(name, tdb, dep):
    _valid(tdb, tdb - dep)
    one_plus_c, w = _terms(name, tdb, tdb - dep)
    assert one_plus_c >= 1.0  # PUE >= 1
    assert w >= 0.0  # WUE >= 0
    if name == "dry":
        assert w == 0.0  # a closed dry loop uses no on-site water


_LEGACY_WATER_DIP = pytest.mark.xfail(
    reason="legacy all-latent evaporative plant: water dips by ~1e-4 relative near the "
    "economizer switch-over (found by this property; open)",
    strict=False,
)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=_LEGACY_WATER_DIP) if n == "evaporative" else n for n in DESIGNS]
)
@settings(max_examples=60, deadline=None)
@given(tdb=_T, dep=_DEP, up=st.floats(0.1, 10.0))
def test_hotter_at_same_humidity_ratio_never_lowers_water_or_pue(name, tdb, dep, up):
    twb = tdb - dep
    _valid(tdb, twb)
    w_ratio = humidity_ratio_from_wet_bulb(tdb, twb, P0)
    dew = dew_point_from_humidity_ratio(w_ratio, P0)
    twb_hot = float(wet_bulb_from_dew_point(tdb + up, np.minimum(dew, tdb + up), P0))
    c0, w0 = _terms(name, tdb, twb)
    c1, w1 = _terms(name, tdb + up, twb_hot)
    assert c1 >= c0 - 1e-6
    assert w1 >= w0 - 1e-6


@pytest.mark.parametrize("name", DESIGNS)
@settings(max_examples=60, deadline=None)
@given(tdb=_T, dep=_DEP, up=st.floats(0.1, 10.0))
def test_higher_wet_bulb_at_same_dry_bulb_never_lowers_pue(name, tdb, dep, up):
    twb = tdb - dep - up
    _valid(tdb, twb)
    c0, _ = _terms(name, tdb, twb)
    c1, _ = _terms(name, tdb, twb + up)
    assert c1 >= c0 - 1e-6


# --- within-month hourly samples ---------------------------------------------------------


def test_quadratic_wet_bulb_of_hourly_samples_is_close_to_exact():
    rng = np.random.default_rng(1)
    tdb = rng.uniform(-20, 38, (60, 1)) + 8 * np.cos(np.arange(12) / 12 * 2 * np.pi)[None]
    twb = tdb - rng.uniform(0, 12, (60, 1))
    q = hourly_samples(tdb, twb, wet_bulb="quadratic")["wet_bulb_c"]
    e = hourly_samples(tdb, twb)["wet_bulb_c"]
    err = np.abs(q - e)
    assert err.mean() < 0.05 and err.max() < 1.0  # [K], stated in the docstring


# --- the design per site ----------------------------------------------------------------


def test_auto_never_gives_a_gb200_fleet_an_air_only_design():
    sites = _sites(5.0, 2.0, n=3)
    a = assess(sites, Fleet(gpu="GB200-NVL72", gpus=72), Scenario(), cooling_choice=CoolingChoice())
    air_only = {n for n, d in COOLING_DESIGNS.items() if d.air_only}
    assert not set(a.designs["cooling_design"]) & air_only
    assert not set(a.summary["cooling_design"]) & air_only


@pytest.mark.parametrize(
    "objective,column", [("energy", "facility_energy_mwh"), ("water", "water_onsite_m3")]
)
def test_auto_picks_the_lowest_objective_per_site(objective, column):
    sites = _sites(np.array([-5.0, 15.0, 32.0]), np.array([-7.0, 10.0, 27.0]), n=3)
    sites["site_id"] = ["cold", "mild", "hot"]
    a = assess(
        sites, Fleet(gpus=1000), Scenario(), cooling_choice=CoolingChoice(objective=objective)
    )
    d = a.designs
    best = d.loc[d.groupby("site_id")[column].idxmin()].set_index("site_id")
    got = a.summary.set_index("site_id")
    for sid in sites["site_id"]:
        assert got.loc[sid, column] == pytest.approx(best.loc[sid, column], rel=1e-9)
        assert got.loc[sid, "cooling_reason"]


def test_auto_water_cap_in_scarce_basins():
    sites = _sites(30.0, 18.0, n=2, water_scarcity_factor=[50.0, 1.0])
    choice = CoolingChoice(objective="energy", max_wue_l_per_kwh=0.2, max_wue_above_aware=20)
    a = assess(sites, Fleet(gpus=1000), Scenario(), cooling_choice=choice)
    s = a.summary
    assert s["wue_onsite_l_per_kwh"].iloc[0] <= 0.2 + 1e-9
    assert "cap" in s["cooling_reason"].iloc[0]


def test_bad_objective_is_a_config_error():
    with pytest.raises(ConfigError, match="energy, water"):
        CoolingChoice(objective="cheapest")


# --- acceptance on the bundled campuses (embedded data, default fleet) ------------------


@pytest.fixture(scope="module")
def campus_designs():
    from siting.join import join_layers
    from siting.paths import embedded_data_dir
    from siting.sites import read_sites

    sites = read_sites(f"{embedded_data_dir()}/examples/campuses.csv")
    joined = join_layers(sites)
    choice = CoolingChoice(designs=DESIGNS)
    a = assess(joined, Fleet(gpus=50_000), Scenario(), cooling_choice=choice)
    d = a.designs
    return {
        v: d.pivot(index="site_id", columns="cooling_design", values=v)
        for v in ("wue_onsite_l_per_kwh", "pue_annual")
    }


# known shortfalls, reported, not tuned: none left on the default (H100) fleet. The
# direct_to_chip gap was 0.039 at the GB200-class 85 % liquid share (a W32 loop that
# pad-cooled Singaporean air holds at 32 C nearly all year); with the H100's own share
# from the GPU catalog (cold plates on GPUs and CPUs: 0.62) the chilled air share is
# larger and the gap 0.077. A GB200 fleet keeps 0.85 and the smaller gap. Mesa's
# air_economizer passes since the pad bleed-off and the A1 allowable envelope.
_ACCEPT_FAIL: set[str] = set()


def _mark(key):
    if key in _ACCEPT_FAIL:
        return pytest.param(key, marks=pytest.mark.xfail(reason="known shortfall", strict=True))
    return key


@pytest.mark.parametrize(
    "hot", [_mark("riyadh-sa/air_economizer"), _mark("mesa-az/air_economizer")]
)
def test_air_economizer_hot_dry_sites_use_water(campus_designs, hot):
    wue = campus_designs["wue_onsite_l_per_kwh"]["air_economizer"]
    site = hot.split("/")[0]
    assert wue[site] >= 0.1
    assert wue[site] >= 3.0 * max(wue["narvik-no"], wue["lulea-se"])


def test_tower_singapore_over_lulea(campus_designs):
    wue = campus_designs["wue_onsite_l_per_kwh"]["tower_economizer"]
    assert wue["singapore-sg"] >= 1.3 * wue["lulea-se"]


@pytest.mark.parametrize("name", [_mark(n) for n in DESIGNS])
def test_pue_singapore_above_lulea(campus_designs, name):
    pue = campus_designs["pue_annual"][name]
    assert pue["singapore-sg"] - pue["lulea-se"] >= 0.05
