"""Monte Carlo and tornado (siting.decide.uncertainty).

Toy models are written here with coefficients chosen in the test, so the expected
swings and draws are computed by hand, independently of the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting import decide
from siting.decide import UncertainInput
from siting.errors import ConfigError

# toy model: out = A * x + B * y + base_site (+ z_site per-site input, default 0)
A, B = 2.0, -5.0
X0, Y0 = 1.0, 0.5  # nominal values the toy model uses when an input is absent


def _sites() -> pd.DataFrame:
    return pd.DataFrame({"site_id": ["s1", "s2", "s3"], "base": [10.0, 20.0, 15.0]})


def _toy(sites: pd.DataFrame, params) -> pd.DataFrame:
    x = params.get("x", X0)
    y = params.get("y", Y0)
    z = np.asarray(params.get("z", 0.0), dtype=float)
    out = A * x + B * y + sites["base"].to_numpy() + z
    # return rows in reverse order: the MC must align by site_id
    return pd.DataFrame(
        {"site_id": sites["site_id"], "out": out, "water_onsite_m3": out, "co2_scope2_t": 1.0}
    ).iloc[::-1]


def _toy_vec(sites: pd.DataFrame, params):
    x = np.asarray(params.get("x", X0), dtype=float)
    y = np.asarray(params.get("y", Y0), dtype=float)
    z = np.asarray(params.get("z", 0.0), dtype=float)
    base = sites["base"].to_numpy()
    out = (A * x + B * y)[..., None] + base if x.ndim or y.ndim else A * x + B * y + base
    out = out + z
    return {"out": out, "water_onsite_m3": out, "co2_scope2_t": np.ones_like(out)}


_toy_vec.vectorized = True

INPUTS = [
    UncertainInput("x", "uniform", 0.0, 3.0, unit="-", source="test"),
    UncertainInput("y", "triangular", 0.0, 1.0, mode=0.2, unit="-", source="test"),
]


# --------------------------------------------------------------------------------------
# tornado
# --------------------------------------------------------------------------------------


def test_tornado_linear_toy_swings_by_hand():
    t = decide.tornado(_toy, _sites(), INPUTS, "out")
    assert len(t) == 6
    # swing of x: |A| * (3 - 0) = 6; of y: |B| * (1 - 0) = 5  (same for every site)
    s1 = t[t["site_id"] == "s1"].set_index("input")
    assert s1.loc["x", "swing"] == pytest.approx(6.0)
    assert s1.loc["y", "swing"] == pytest.approx(5.0)
    # base = A*X0 + B*Y0 + 10 = 2 - 2.5 + 10 = 9.5
    assert s1.loc["x", "base"] == pytest.approx(9.5)
    # x at low (0) with y nominal: 0 - 2.5 + 10 = 7.5; at high (3): 6 - 2.5 + 10 = 13.5
    assert s1.loc["x", "at_low"] == pytest.approx(7.5)
    assert s1.loc["x", "at_high"] == pytest.approx(13.5)
    # y at high (1): 2 - 5 + 10 = 7 (negative coefficient: high value lowers the output)
    assert s1.loc["y", "at_high"] == pytest.approx(7.0)
    # sorted: per site (input order), largest swing first
    assert t["site_id"].tolist() == ["s1", "s1", "s2", "s2", "s3", "s3"]
    assert t["input"].tolist() == ["x", "y"] * 3
    assert t["swing_rank"].tolist() == [1, 2] * 3


def test_tornado_per_site_normal_input_uses_p10_p90():
    # z ~ N(0, 2) truncated to [-10, 10]: tornado at P10/P90 = -/+ 1.2815515655446004 * 2
    inp = [UncertainInput("z", "normal", -10, 10, mean=0.0, sd=2.0, source="test", per_site=True)]
    t = decide.tornado(_toy, _sites(), inp, "out")
    assert t["low"].iloc[0] == pytest.approx(-2 * 1.2815515655446004)
    assert t["swing"].tolist() == pytest.approx([4 * 1.2815515655446004] * 3)


def test_tornado_vectorized_equals_loop():
    a = decide.tornado(_toy, _sites(), INPUTS, "out")
    b = decide.tornado(_toy_vec, _sites(), INPUTS, "out")
    pd.testing.assert_frame_equal(a, b)


def test_tornado_ties_sorted_by_name():
    inp = [
        UncertainInput("y", "uniform", 0.0, 0.4, source="test"),  # swing 5 * 0.4 = 2
        UncertainInput("x", "uniform", 0.0, 1.0, source="test"),  # swing 2 * 1 = 2
    ]
    t = decide.tornado(_toy, _sites(), inp, "out")
    assert t["swing"].tolist() == pytest.approx([2.0] * 6)
    assert t["input"].tolist()[:2] == ["x", "y"]


# --------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------


def test_mc_reproducible_and_ordered_percentiles():
    a = decide.monte_carlo(_toy, _sites(), INPUTS, n_draws=300, seed=42, outputs=["out"])
    b = decide.monte_carlo(_toy, _sites(), INPUTS, n_draws=300, seed=42, outputs=["out"])
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    assert a.samples.identical(b.samples)
    c = decide.monte_carlo(_toy, _sites(), INPUTS, n_draws=300, seed=43, outputs=["out"])
    assert not np.allclose(a.draws["x"], c.draws["x"])
    s = a.summary
    assert (s["out_p10"] <= s["out_p50"]).all() and (s["out_p50"] <= s["out_p90"]).all()
    assert (s["n_valid_draws"] == 300).all()
    assert list(s["site_id"]) == ["s1", "s2", "s3"]


def test_mc_draws_follow_declared_generator_and_model():
    # the draws are those of numpy's Generator in declared order
    rng = np.random.default_rng(5)
    x = rng.uniform(0.0, 3.0, size=50)
    y = rng.triangular(0.0, 0.2, 1.0, size=50)
    r = decide.monte_carlo(_toy, _sites(), INPUTS, n_draws=50, seed=5, outputs=["out"])
    np.testing.assert_array_equal(r.draws["x"], x)
    np.testing.assert_array_equal(r.draws["y"], y)
    out_s2 = A * x + B * y + 20.0
    np.testing.assert_allclose(r.samples["out"].sel(site="s2").values, out_s2)
    assert r.summary.loc[1, "out_p50"] == pytest.approx(np.quantile(out_s2, 0.5))
    assert r.summary.loc[1, "out_p10"] == pytest.approx(np.quantile(out_s2, 0.1))


def test_mc_vectorized_equals_loop():
    kw = dict(n_draws=64, seed=9, outputs=["out"], weights={"water_onsite": 1})
    inp = [
        *INPUTS,
        UncertainInput("z", "normal", -3, 3, mean=0, sd=4, source="test", per_site=True),
    ]
    a = decide.monte_carlo(_toy, _sites(), inp, **kw)
    b = decide.monte_carlo(_toy_vec, _sites(), inp, **kw)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    np.testing.assert_allclose(a.samples["out"].values, b.samples["out"].values)


def test_mc_probability_rank_first():
    # without the per-site input s1 (base 10) always has the lowest water -> P = 1
    r = decide.monte_carlo(_toy, _sites(), INPUTS, n_draws=40, seed=1, weights={"water_onsite": 1})
    assert r.summary["p_rank_first"].tolist() == [1.0, 0.0, 0.0]
    # excluded sites never rank first
    ex = decide.monte_carlo(
        _toy,
        _sites(),
        INPUTS,
        n_draws=40,
        seed=1,
        weights={"water_onsite": 1},
        exclusions=["base < 12"],
    )
    assert ex.summary["p_rank_first"].tolist() == [0.0, 0.0, 1.0]
    # ties are split equally: two identical sites share first place
    tie = pd.DataFrame({"site_id": ["p", "q", "r"], "base": [5.0, 5.0, 9.0]})
    t = decide.monte_carlo(_toy, tie, INPUTS, n_draws=10, seed=1, weights={"water_onsite": 1})
    assert t.summary["p_rank_first"].tolist() == [0.5, 0.5, 0.0]
    # with a per-site error large enough to reorder sites, probabilities sum to 1
    inp = [*INPUTS, UncertainInput("z", "normal", -30, 30, mean=0, sd=8, source="t", per_site=True)]
    m = decide.monte_carlo(_toy, _sites(), inp, n_draws=400, seed=3, weights={"water_onsite": 1})
    p = m.summary["p_rank_first"]
    assert p.sum() == pytest.approx(1.0)
    assert (p > 0).all()
    # hand check against the drawn scores: s1 first when its out is the smallest
    o = m.samples["water_onsite_m3"].values
    assert p.iloc[0] == pytest.approx(np.mean(np.argmin(o, axis=1) == 0))


def test_mc_nan_outputs_counted_not_dropped():
    def model(sites, params):
        out = _toy(sites, params)
        out.loc[out["site_id"] == "s3", "out"] = np.nan
        return out

    r = decide.monte_carlo(model, _sites(), INPUTS, n_draws=5, seed=0, outputs=["out"])
    assert len(r.summary) == 3
    assert r.summary["n_valid_draws"].tolist() == [5, 5, 0]
    assert np.isnan(r.summary.loc[2, "out_p50"])


def test_uncertain_input_sampling_bounds():
    rng = np.random.default_rng(0)
    n = UncertainInput("n", "normal", -1.0, 2.0, mean=0.5, sd=3.0, source="t")
    v = n.sample(rng, 20_000, 1)
    assert v.min() >= -1.0 and v.max() <= 2.0
    tri = UncertainInput("t", "triangular", 1.0, 4.0, mode=1.5, source="t")
    v = tri.sample(rng, 20_000, 1)
    # mean of a triangular = (a + b + c) / 3 = 6.5 / 3
    assert v.mean() == pytest.approx(6.5 / 3, abs=0.03)
    ps = UncertainInput("p", "uniform", 0, 1, source="t", per_site=True).sample(rng, 7, 4)
    assert ps.shape == (7, 4)


@pytest.mark.parametrize(
    "kw",
    [
        dict(distribution="beta", low=0, high=1),
        dict(distribution="uniform", low=2, high=1),
        dict(distribution="uniform", low=0, high=np.inf),
        dict(distribution="triangular", low=0, high=1),
        dict(distribution="triangular", low=0, high=1, mode=2),
        dict(distribution="normal", low=0, high=1, mean=0.5),
        dict(distribution="normal", low=0, high=1, mean=0.5, sd=0),
        dict(distribution="normal", low=0, high=1, mean=5, sd=1),
        dict(distribution="uniform", low=0, high=1, source=" "),
    ],
)
def test_bad_uncertain_input(kw):
    with pytest.raises(ConfigError) as e:
        UncertainInput("q", **kw)
    assert e.value.field == "q"


def test_mc_bad_arguments():
    with pytest.raises(ConfigError) as e:
        decide.monte_carlo(_toy, _sites(), INPUTS, n_draws=0)
    assert e.value.field == "n_draws"
    with pytest.raises(ConfigError):
        decide.monte_carlo(_toy, _sites(), INPUTS, quantiles=(0.9, 0.5, 0.1))
    with pytest.raises(ConfigError, match="repeat"):
        decide.monte_carlo(_toy, _sites(), [INPUTS[0], INPUTS[0]], n_draws=2)
    with pytest.raises(ConfigError) as e:
        decide.monte_carlo(_toy, _sites(), INPUTS, n_draws=2, outputs=["nope"])
    assert e.value.field == "nope"

    def drops_a_site(sites, params):
        return _toy(sites, params).iloc[1:]

    with pytest.raises(ConfigError, match="lacks site"):
        decide.monte_carlo(drops_a_site, _sites(), INPUTS, n_draws=2, outputs=["out"])


# --------------------------------------------------------------------------------------
# declared distributions
# --------------------------------------------------------------------------------------


def test_default_inputs_ranges_and_sources():
    t = decide.inputs_table(decide.default_inputs()).set_index("name")
    # Lei & Masanet (2022): CoC 3-15, approach 2.8-6.7 C, range 4-6 C
    assert tuple(t.loc["cycles_of_concentration", ["low", "high"]]) == (3.0, 15.0)
    assert tuple(t.loc["approach_c", ["low", "high"]]) == (2.8, 6.7)
    assert tuple(t.loc["range_c", ["low", "high"]]) == (4.0, 6.0)
    assert "Lei & Masanet" in t.loc["approach_c", "source"]
    # Denmark 890 -> 152 gCO2e/kWh over 1990-2023: 1 - (152/890)**(1/33) = 0.0521
    assert t.loc["grid_decarbonization_per_yr", "high"] == pytest.approx(
        1 - (152 / 890) ** (1 / 33), abs=5e-4
    )
    assert {"product_years", "utilization", "ewif_multiplier"} <= set(t.index)
    assert t["source"].str.len().gt(10).all()
    assert "wet_bulb_error_sd" not in t.index
    with_sd = decide.default_inputs(sites=pd.DataFrame({"wet_bulb_sd_c": [1.0]}))
    assert with_sd[-1].name == "wet_bulb_error_sd" and with_sd[-1].per_site
    dry = {i.name for i in decide.default_inputs(cooling="dry")}
    assert not dry & {"cycles_of_concentration", "approach_c", "range_c"}
    adia = {i.name for i in decide.default_inputs(cooling="adiabatic")}
    assert "evap_effectiveness" in adia
    assert decide.default_inputs(commitment_years=8)[4].high == 8.0
    with pytest.raises(ConfigError):
        decide.default_inputs(cooling="magic")


# --------------------------------------------------------------------------------------
# the real model (siting.model.assess)
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    from siting.model import Facility, Fleet, Scenario, reference_climate

    rows = []
    for i, (clim, grid, sd) in enumerate([("temperate", 400.0, 0.5), ("hot", 100.0, 1.0)]):
        tdb, twb = reference_climate(clim)
        r = {
            "site_id": f"r{i}",
            "grid_co2_g_per_kwh": grid,
            "price_usd_per_mwh": 70.0,
            "water_scarcity_factor": 2.0,
            "wet_bulb_sd_c": sd,
            "mix_coal_pct": 50.0,
            "mix_gas_pct": 50.0,
        }
        r.update({f"dry_bulb_c_m{m + 1:02d}": float(tdb[m]) for m in range(12)})
        r.update({f"wet_bulb_c_m{m + 1:02d}": float(twb[m]) for m in range(12)})
        rows.append(r)
    fleet, scen, fac = Fleet(gpus=500), Scenario(commitment_years=10, product_years=3), Facility()
    return pd.DataFrame(rows), fleet, scen, fac


def test_assess_model_nominal_equals_assess(real):
    from siting.model import assess

    sites, fleet, scen, fac = real
    m = decide.assess_model(fleet, scen, fac)
    got = m(sites, {})
    want = assess(sites, fleet, scen, fac).summary
    np.testing.assert_allclose(got["water_onsite_m3"], want["water_onsite_m3"])


def test_assess_model_ewif_multiplier_is_linear(real):
    sites, fleet, scen, fac = real
    m = decide.assess_model(fleet, scen, fac)
    inp = [UncertainInput("ewif_multiplier", "uniform", 0.5, 1.5, source="t")]
    t = decide.tornado(m, sites, inp, "water_offsite_m3")
    # off-site water = facility energy x EWIF: x0.5 and x1.5 of the nominal run
    np.testing.assert_allclose(t["at_low"], 0.5 * t["base"], rtol=1e-6)
    np.testing.assert_allclose(t["at_high"], 1.5 * t["base"], rtol=1e-6)
    np.testing.assert_allclose(t["swing"], t["base"], rtol=1e-6)


def test_assess_model_parameters_reach_the_model(real):
    sites, fleet, scen, fac = real
    m = decide.assess_model(fleet, scen, fac)
    inputs = decide.default_inputs(scenario=scen, facility=fac, sites=sites)
    t = decide.tornado(m, sites, inputs, "water_onsite_m3").set_index(["site_id", "input"])
    # on-site water depends on the cooling parameters, utilization, product life, wet-bulb
    for name in ("cycles_of_concentration", "approach_c", "utilization", "product_years"):
        assert (t.xs(name, level="input")["swing"] > 0).all(), name
    assert (t.xs("wet_bulb_error_sd", level="input")["swing"] > 0).all()
    # ...and not on the grid or EWIF
    for name in ("grid_decarbonization_per_yr", "ewif_multiplier"):
        assert (t.xs(name, level="input")["swing"] == 0).all(), name
    # more cycles of concentration -> less blowdown -> less water
    coc = t.xs("cycles_of_concentration", level="input")
    assert (coc["at_high"] < coc["at_low"]).all()
    co2 = decide.tornado(m, sites, inputs, "co2_scope2_t").set_index("input")
    g = co2.loc["grid_decarbonization_per_yr"]
    assert (g["at_high"] < g["at_low"]).all()


def test_assess_model_monte_carlo_reproducible(real):
    sites, fleet, scen, fac = real
    m = decide.assess_model(fleet, scen, fac)
    inputs = decide.default_inputs(scenario=scen, facility=fac, sites=sites)
    kw = dict(n_draws=6, seed=11, weights={"water_scarcity_weighted": 1, "co2_scope2": 1})
    a = decide.monte_carlo(m, sites, inputs, **kw)
    b = decide.monte_carlo(decide.assess_model(fleet, scen, fac), sites, inputs, **kw)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    s = a.summary
    for out in ("water_onsite_m3", "co2_scope2_t", "water_scarcity_weighted_m3"):
        assert (s[f"{out}_p10"] <= s[f"{out}_p50"]).all()
        assert (s[f"{out}_p50"] <= s[f"{out}_p90"]).all()
    assert s["p_rank_first"].sum() == pytest.approx(1.0)
    assert a.samples["input_wet_bulb_error_sd"].dims == ("draw", "site")
    assert a.inputs_table()["source"].str.len().gt(0).all()


def test_assess_model_wet_bulb_capped_at_dry_bulb(real):
    from siting.model import assess

    sites, fleet, scen, fac = real
    m = decide.assess_model(fleet, scen, fac)
    # a +3 sigma error on a 50-sigma site would lift the wet-bulb above the dry-bulb
    big = sites.assign(wet_bulb_sd_c=50.0)
    out = m(big, {"wet_bulb_error_sd": np.array([3.0, 3.0])})
    dry = [f"dry_bulb_c_m{k:02d}" for k in range(1, 13)]
    capped = big.copy()
    capped[[c.replace("dry", "wet") for c in dry]] = big[dry].to_numpy()
    want = assess(capped, fleet, scen, fac).summary
    np.testing.assert_allclose(out["water_onsite_m3"], want["water_onsite_m3"])


def test_assess_model_bad_targets(real):
    sites, fleet, scen, fac = real
    with pytest.raises(ConfigError, match="has no field"):
        decide.assess_model(fleet, scen, fac, targets={"x": "facility.nope"})
    with pytest.raises(ConfigError, match="unknown target"):
        decide.assess_model(fleet, scen, fac, targets={"x": "moon.x"})
    m = decide.assess_model(fleet, scen, fac)
    with pytest.raises(ConfigError, match="no target"):
        m(sites, {"mystery": 1.0})
    # the model's own validation applies: product_years beyond the 10-year commitment
    with pytest.raises(ConfigError) as e:
        m(sites, {"product_years": 12.0})
    assert e.value.field == "product_years"


def test_assess_model_default_inputs_follow_its_scenario(real):
    sites, fleet, scen, fac = real  # 10-year commitment
    m = decide.assess_model(fleet, scen, fac)
    t = decide.tornado(m, sites, output="co2_scope2_t")
    assert t.loc[t["input"] == "product_years", "high"].unique().tolist() == [10.0]
    dry = decide.assess_model(fleet, scen, type(fac)(cooling="dry"))
    names = set(decide.tornado(dry, sites, output="water_onsite_m3")["input"])
    assert "cycles_of_concentration" not in names and "wet_bulb_error_sd" in names
