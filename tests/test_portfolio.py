"""Portfolio MILP: hand-solved instances, infeasibility, greedy vs optimal, determinism,
accounting, and the bundled campuses end to end.

Every optimum below is worked out by hand in the comments (per-MW coefficient =
lifetime total / design capacity); none is read back from the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from siting.decide.portfolio import (
    Constraints,
    coefficients,
    fixed_shares,
    load_run,
    portfolio,
    portfolio_draws,
    write_portfolio,
)
from siting.errors import ConfigError


def _table(**cols):
    return pd.DataFrame(cols)


# ---------------------------------------------------------------------------------------
# hand-solvable instances
# ---------------------------------------------------------------------------------------


def test_three_sites_cheapest_first():
    # design 100 MW: per MW 1, 2, 3 tCO2e; 150 MW -> a full (100) + b half (50) = 200
    t = _table(site_id=["a", "b", "c"], co2_scope2_t=[100.0, 200.0, 300.0])
    p = portfolio(t, 150, design_mw=100)
    assert p.status == "optimal"
    assert p.objective_value == pytest.approx(200.0, rel=1e-9)
    mw = p.sites.set_index("site_id")["mw"]
    assert mw.to_dict() == pytest.approx({"a": 100.0, "b": 50.0, "c": 0.0})
    assert p.mip_gap == pytest.approx(0.0, abs=1e-6)


def test_country_cap_moves_capacity_abroad():
    # a, b in X capped at 120 MW: a 100, b 20, c 30 -> 100 + 40 + 90 = 230
    t = _table(
        site_id=["a", "b", "c"],
        co2_scope2_t=[100.0, 200.0, 300.0],
        country_iso3=["X", "X", "Y"],
    )
    p = portfolio(t, 150, design_mw=100, constraints={"caps_mw": {"country_iso3": 120}})
    assert p.objective_value == pytest.approx(230.0, rel=1e-9)
    assert p.sites.set_index("site_id")["mw"].to_dict() == pytest.approx(
        {"a": 100.0, "b": 20.0, "c": 30.0}
    )
    cons = p.constraints.set_index(["constraint", "group"])
    assert cons.loc[("cap country_iso3", "X"), "used"] == pytest.approx(120.0)
    assert bool(cons.loc[("cap country_iso3", "X"), "binding"])
    assert not bool(cons.loc[("cap country_iso3", "Y"), "binding"])
    assert "cap country_iso3=X" in p.binding


def test_named_group_cap_only_caps_that_group():
    t = _table(site_id=["a", "b"], co2_scope2_t=[100.0, 200.0], grid_zone=["Z1", "Z2"])
    # only Z1 capped at 40: a 40 (40) + b 60 (120) = 160
    p = portfolio(t, 100, design_mw=100, constraints={"caps_mw": {"grid_zone": {"Z1": 40}}})
    assert p.objective_value == pytest.approx(160.0)


def test_fixed_part_on_build_decision_changes_choice():
    # design 100 MW, each site max 100 MW; target 50 MW
    # a: total 100 of which 40 fixed; b: total 110, nothing fixed
    # as built: a 1.0/MW, b 1.1/MW -> a 50 MW = 50
    # full plant: a = 0.6/MW x 50 + 40 (fixed of its 100 MW plant) = 70; b = 55 -> b
    t = _table(
        site_id=["a", "b"],
        co2_scope2_t=[100.0, 110.0],
        co2_scope2_t_fixed=[40.0, 0.0],
    )
    p1 = portfolio(t, 50, design_mw=100, plant="as_built")
    assert p1.objective_value == pytest.approx(50.0)
    assert p1.sites.set_index("site_id").loc["a", "mw"] == pytest.approx(50.0)
    p2 = portfolio(t, 50, design_mw=100, plant="full")
    assert p2.objective_value == pytest.approx(55.0)
    assert p2.sites.set_index("site_id").loc["b", "mw"] == pytest.approx(50.0)


def test_full_plant_fixed_part_scales_with_site_maximum():
    # a has max 200 MW: fixed part 40/100 x 200 = 80 on build; v = 0.6/MW
    # target 150: a alone 0.6 x 150 + 80 = 170; b (max 100, 1.1) 100 + a 50 -> 110 + 30 + 80
    # = 220; so a alone = 170
    t = _table(
        site_id=["a", "b"],
        co2_scope2_t=[100.0, 110.0],
        co2_scope2_t_fixed=[40.0, 0.0],
        cap=[200.0, 100.0],
    )
    p = portfolio(t, 150, design_mw=100, plant="full", max_mw="cap")
    assert p.objective_value == pytest.approx(170.0)


def test_min_block_size():
    # block 50 MW: a (1/MW, max 80) + b (2/MW) -> a 50 + b 50 = 150
    # (a 80 + b 20 breaks the block; a 50 + c 50 = 160; b alone 200)
    t = _table(site_id=["a", "b", "c"], co2_scope2_t=[100.0, 200.0, 220.0], cap=[80.0, 100, 100])
    p = portfolio(t, 100, design_mw=100, max_mw="cap", min_block_mw=50)
    assert p.objective_value == pytest.approx(150.0)
    assert p.sites.set_index("site_id")["mw"].to_dict() == pytest.approx(
        {"a": 50.0, "b": 50.0, "c": 0.0}
    )
    # without the block: a 80 + b 20 = 120
    assert portfolio(t, 100, design_mw=100, max_mw="cap").objective_value == pytest.approx(120.0)


def test_water_budget_and_other_objectives():
    # objective water: per MW a 1, b 2; budget on scope 2 of 150 t; co2 per MW a 3, b 1
    # min x_a + 2 x_b, x_a + x_b = 100, 3 x_a + x_b <= 150 -> x_a = 25, x_b = 75: 175 m3
    t = _table(site_id=["a", "b"], water_onsite_m3=[100.0, 200.0], co2_scope2_t=[300.0, 100.0])
    p = portfolio(
        t,
        100,
        design_mw=100,
        objective="water_onsite",
        constraints={"budgets": {"co2_scope2_t": 150}},
    )
    assert p.objective_value == pytest.approx(175.0)
    assert p.totals["co2_scope2_t"] == pytest.approx(150.0)
    assert "budget co2_scope2_t" in p.binding


# ---------------------------------------------------------------------------------------
# infeasibility
# ---------------------------------------------------------------------------------------


def test_infeasible_names_the_binding_cap():
    # 250 MW asked; X (a, b) capped at 120, Y (c) holds 100 -> at most 220: X short by 30
    t = _table(
        site_id=["a", "b", "c"],
        co2_scope2_t=[100.0, 200.0, 300.0],
        country_iso3=["X", "X", "Y"],
    )
    p = portfolio(t, 250, design_mw=100, constraints={"caps_mw": {"country_iso3": 120}})
    assert p.status == "infeasible"
    assert not p.feasible
    assert p.binding == ["cap country_iso3"]
    assert "cap country_iso3=X by 30 MW" in p.message
    relax = p.constraints.set_index(["constraint", "group"])["relax_by"]
    assert relax[("cap country_iso3", "X")] == pytest.approx(30.0)
    assert relax[("cap country_iso3", "Y")] == pytest.approx(0.0)


def test_infeasible_budget_named():
    # 100 MW at >= 1 tCO2e/MW needs >= 100 t; a budget of 80 t cannot hold
    t = _table(site_id=["a", "b"], co2_scope2_t=[100.0, 200.0])
    p = portfolio(t, 100, design_mw=100, constraints={"budgets": {"co2_scope2_t": 80}})
    assert p.status == "infeasible"
    assert p.binding == ["budget co2_scope2_t"]
    assert "budget co2_scope2_t by 20 tCO2e" in p.message


def test_infeasible_target_beyond_capacity():
    t = _table(site_id=["a", "b"], co2_scope2_t=[100.0, 200.0], excluded=[False, True])
    p = portfolio(t, 150, design_mw=100)
    assert p.status == "infeasible"
    assert p.binding == ["target"]
    assert "100 MW" in p.message


# ---------------------------------------------------------------------------------------
# greedy by rank is not optimal
# ---------------------------------------------------------------------------------------


def test_solver_beats_greedy_by_rank():
    # per MW (design 1 MW): co2 / water; target 100 MW, water budget 250 m3
    #   a: 1.0 / 3.0 max 60   b: 1.2 / 2.0 max 60   c: 3.0 / 0.5 max 100   d: 5.0 / 0.0 max 100
    # greedy in co2 rank order, each site as large as need and budget allow:
    #   a 60 (water 180), b 35 (water 70, budget spent), c 0, d 5 -> co2 60 + 42 + 25 = 127
    # optimum: a 50, b 50 (water 150 + 100 = 250) -> co2 50 + 60 = 110; with water
    # multiplier 0.2 and capacity price 1.6, c (3 + 0.1 - 1.6) and d (5 - 1.6) price out
    t = _table(
        site_id=["a", "b", "c", "d"],
        co2_scope2_t=[1.0, 1.2, 3.0, 5.0],
        water_onsite_m3=[3.0, 2.0, 0.5, 0.0],
        cap=[60.0, 60.0, 100.0, 100.0],
    )
    greedy_co2 = 60 * 1.0 + 35 * 1.2 + 5 * 5.0
    assert greedy_co2 == pytest.approx(127.0)
    p = portfolio(
        t, 100, design_mw=1, max_mw="cap", constraints={"budgets": {"water_onsite_m3": 250}}
    )
    assert p.objective_value == pytest.approx(110.0)
    assert p.objective_value < greedy_co2
    assert p.sites.set_index("site_id")["mw"].to_dict() == pytest.approx(
        {"a": 50.0, "b": 50.0, "c": 0.0, "d": 0.0}, abs=1e-6
    )


# ---------------------------------------------------------------------------------------
# determinism and accounting
# ---------------------------------------------------------------------------------------


def _random_instance(n=40, seed=3):
    rng = np.random.default_rng(seed)
    co2 = rng.integers(1, 6, n).astype(float) * 100.0  # many ties
    t = _table(
        site_id=[f"s{i:03d}" for i in range(n)],
        co2_scope2_t=co2,
        water_onsite_m3=rng.uniform(0, 1000, n),
        country_iso3=rng.choice(["A", "B", "C"], n),
        cap=rng.uniform(20, 80, n),
        excluded=rng.random(n) < 0.1,
        exclusion_reason="exclude: test rule",
    )
    t.loc[5, "co2_scope2_t"] = np.nan  # an incomplete site
    return t


def test_permutation_does_not_change_the_answer():
    t = _random_instance()
    kw = dict(design_mw=50, max_mw="cap", constraints={"caps_mw": {"country_iso3": 300}})
    p0 = portfolio(t, 600, **kw)
    assert p0.feasible
    for seed in range(3):
        perm = t.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        p = portfolio(perm, 600, **kw)
        a = p0.sites.set_index("site_id")["mw"]
        b = p.sites.set_index("site_id")["mw"].reindex(a.index)
        np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), atol=1e-9)
        assert p.objective_value == pytest.approx(p0.objective_value, rel=1e-12)


def test_every_site_chosen_or_explained_and_totals_add_up():
    t = _random_instance()
    p = portfolio(
        t,
        600,
        design_mw=50,
        max_mw="cap",
        constraints={"caps_mw": {"country_iso3": 300}, "exclude_sites": ["s001"]},
    )
    s = p.sites.set_index("site_id")
    assert len(s) == len(t)
    full = s["chosen"] & (s["mw"] >= s["max_mw"] - 1e-6)
    assert (s.loc[full, "reason"] == "").all()
    assert (s.loc[~full, "reason"].str.len() > 0).all()
    assert s.loc["s005", "reason"] == "cannot be built: no assessed value of co2_scope2_t"
    assert s.loc["s001", "reason"].startswith("cannot be built: excluded")
    exc = t.set_index("site_id")["excluded"]
    assert not s.loc[exc[exc].index, "chosen"].any()
    # totals = sum of each built site's assessed total x size / design capacity
    tt = t.set_index("site_id").loc[s.index]
    expect = float((tt["co2_scope2_t"].fillna(0) * s["mw"] / 50.0).sum())
    assert abs(p.totals["co2_scope2_t"] - expect) <= 1e-6 * expect
    assert p.built_mw == pytest.approx(600.0)


def test_bad_inputs_are_named():
    t = _table(site_id=["a"], co2_scope2_t=[1.0])
    with pytest.raises(ConfigError, match="design_mw"):
        portfolio(t, 10)
    with pytest.raises(ConfigError, match="objective"):
        portfolio(t, 10, design_mw=1, objective="happiness")
    with pytest.raises(ConfigError, match="target_mw"):
        portfolio(t, -5, design_mw=1)
    with pytest.raises(ConfigError, match="grid_zone"):
        portfolio(t, 1, design_mw=1, constraints={"caps_mw": {"grid_zone": 5}})
    with pytest.raises(ConfigError, match="unknown constraint"):
        Constraints.from_any({"cap": 1})


# ---------------------------------------------------------------------------------------
# per-MW split and robustness
# ---------------------------------------------------------------------------------------


def test_fixed_share_is_b_over_heat():
    from siting.model import Facility, Fleet, Scenario

    fa = Facility()
    p = fa.parameters()
    # heat per design kW = (1 + dist_loss_proportional) L + dist_loss_fixed + misc_fixed
    a = 1.0 + p["dist_loss_proportional"][0]
    b = p["dist_loss_fixed"][0] + p["misc_fixed"][0]
    fl = Fleet(gpus=1000, utilization=0.76)
    load = max(0.76, fl.spec["idle_fraction"][0])
    s = fixed_shares(fl, fa, Scenario(commitment_years=5))
    np.testing.assert_allclose(s["heat"], b / (a * load + b), rtol=1e-12)
    assert s["building_t"] == 0.0  # default: building embodied not counted
    s2 = fixed_shares(fl, Facility(pue=1.2), Scenario(commitment_years=5))
    assert np.all(s2["heat"] == 0.0)  # a fixed PUE has no load-independent part


def test_coefficients_as_built_and_full():
    t = _table(site_id=["a"], co2_scope2_t=[100.0], co2_scope2_t_fixed=[40.0])
    c = coefficients(t, 100, plant="as_built")
    assert c.loc[0, "co2_scope2_t_per_mw"] == pytest.approx(1.0)
    assert c.loc[0, "co2_scope2_t_fixed"] == 0.0
    c = coefficients(t, 100, plant="full", max_mw=50.0)
    assert c.loc[0, "co2_scope2_t_per_mw"] == pytest.approx(0.6)
    assert c.loc[0, "co2_scope2_t_fixed"] == pytest.approx(20.0)  # 0.4/MW x 50 MW


def test_selection_frequency_over_draws():
    # draw 0: a cheaper; draws 1, 2: b cheaper. Target 100 fits one site: a 1/3, b 2/3
    t = _table(site_id=["a", "b"], co2_scope2_t=[100.0, 200.0])
    samples = xr.Dataset(
        {"co2_scope2_t": (("draw", "site"), [[100.0, 200.0], [300.0, 200.0], [250.0, 150.0]])},
        coords={"draw": [0, 1, 2], "site": ["a", "b"]},
    )

    class MC:
        pass

    mc = MC()
    mc.samples = samples
    d = portfolio_draws(t, 100, mc=mc, design_mw=100)
    f = d.frequency.set_index("site_id")
    assert f.loc["a", "selection_frequency"] == pytest.approx(1 / 3)
    assert f.loc["b", "selection_frequency"] == pytest.approx(2 / 3)
    assert f.loc["a", "nominal_mw"] == pytest.approx(100.0)
    np.testing.assert_allclose(d.objective_values, [100.0, 200.0, 150.0])


# ---------------------------------------------------------------------------------------
# the bundled campuses, end to end (embedded data)
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def campus_run(tmp_path_factory):
    from siting.paths import embedded_data_dir
    from siting.pipeline import run, write_outputs

    res = run(embedded_data_dir() / "examples" / "campuses.csv")
    out = tmp_path_factory.mktemp("run")
    write_outputs(res, out)
    return res, out


def test_campuses_1000_mw_with_country_cap(campus_run):
    res, out = campus_run
    p = portfolio(res, 1000, constraints={"caps_mw": {"country_iso3": 300}})
    assert p.status == "optimal"
    assert p.built_mw == pytest.approx(1000.0)
    d = res.fleet.design_it_mw
    s = p.sites.set_index("site_id")
    r = res.ranked.set_index("site_id").loc[s.index]
    for q in ("co2_scope2_t", "water_onsite_m3", "energy_cost_usd"):
        expect = float((r[q] * s["mw"] / d).sum())
        assert abs(p.totals[q] - expect) <= 1e-6 * expect
    per_country = s.groupby("country_iso3")["mw"].sum()
    assert per_country.max() <= 300 + 1e-6
    # the loaded run directory gives the same answer
    p2 = portfolio(load_run(out), 1000, constraints={"caps_mw": {"country_iso3": 300}})
    assert p2.objective_value == pytest.approx(p.objective_value, rel=1e-9)


def test_campuses_full_plant_fixed_part_from_model(campus_run):
    res, _ = campus_run
    a = portfolio(res, 500, plant="as_built")
    b = portfolio(res, 500, plant="full")
    # a full plant charges the whole site's fixed loads even where it is built in part,
    # so it can never be cheaper than the as-built plant for the same target
    assert b.objective_value >= a.objective_value - 1e-6 * a.objective_value


def test_campuses_after_product_and_export(campus_run, tmp_path):
    import geopandas as gpd
    import pyogrio

    from siting.decide.portfolio import after_product

    res, _ = campus_run
    ap = after_product(res, 500, 2, after="power_down", objective="water_onsite")
    assert ap.survives.feasible and ap.shutdown.feasible
    tot = ap.totals.set_index("quantity")
    # shut down after 2 of 15 years with the fleet off: less water than running 15 years
    assert tot.loc["water_onsite_m3", "shutdown"] < tot.loc["water_onsite_m3", "survives"]
    assert set(ap.comparison["change"]) <= {"", "added", "dropped", "resized"}
    paths = write_portfolio(ap.survives, tmp_path)
    layers = {n for n, _ in pyogrio.list_layers(paths["gpkg"])}
    assert {"sites", "constraints", "summary"} <= layers
    g = gpd.read_parquet(paths["parquet"])
    assert len(g) == len(res.ranked) and g.crs is not None
    assert g["mw"].sum() == pytest.approx(500.0)


def test_cli_portfolio(campus_run, tmp_path, capsys):
    from siting.cli import main

    _, out = campus_run
    rc = main(
        [
            "portfolio",
            str(out),
            "--target-mw",
            "1000",
            "--cap",
            "country_iso3=300",
            "--out",
            str(tmp_path),
        ]
    )
    assert rc == 0
    text = capsys.readouterr().out
    assert "optimal" in text
    assert (tmp_path / "portfolio.gpkg").is_file()
    rc = main(["portfolio", str(out), "--target-mw", "5000", "--cap", "country_iso3=100"])
    assert rc == 1
    assert "infeasible" in capsys.readouterr().out


def test_report_portfolio_section(campus_run, tmp_path):
    import openpyxl
    import pyogrio

    from siting.report import write_report

    res, _ = campus_run
    p = portfolio(res, 1000, constraints={"caps_mw": {"country_iso3": 300}})
    paths = write_report(res, tmp_path, formats="html,xlsx,gpkg", top_n=3, portfolio=p)
    html = paths["html"].read_text()
    assert 'id="portfolio"' in html and 'id="portfolio-constraints"' in html
    n_built = int(p.sites["chosen"].sum())
    body = html.split('id="portfolio-sites"')[1].split("</table>")[0]
    assert body.count("<tr><td>") == n_built
    wb = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    assert {"portfolio", "portfolio_constraints"} <= set(wb.sheetnames)
    assert "portfolio" in {n for n, _ in pyogrio.list_layers(paths["gpkg"])}
    # without a portfolio the report has no such section
    plain = write_report(res, tmp_path / "plain", formats="html", top_n=3)
    assert 'id="portfolio"' not in plain["html"].read_text()
