"""Both futures by default: survives vs shut down early, and what the empty years cost."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from siting.decide.futures import (
    EXAMPLE_SHUTDOWN_YEARS,
    after_shutdown,
    after_shutdown_line,
    futures_scenarios,
)
from siting.model import Scenario
from tests.conftest import EXAMPLES


def test_after_shutdown_per_year_and_day_by_hand():
    # one site, 15-year commitment, product shut down after 2 years: 13 empty years
    summary = pd.DataFrame(
        {
            "site_id": ["a"],
            "facility_energy_mwh_after_product": [1_300_000.0],
            "energy_cost_usd_after_product": [104_000_000.0],
            "co2_scope2_t_after_product": [390_000.0],
            "water_onsite_m3_after_product": [2_600_000.0],
            "water_offsite_m3_after_product": [1_300_000.0],
        }
    )
    s = Scenario(commitment_years=15, product_years=2)
    out = after_shutdown(summary, s, carbon_price_usd_per_t=50.0).iloc[0]
    assert out["after_shutdown_years"] == 13
    assert out["after_shutdown_energy_mwh_per_yr"] == pytest.approx(100_000.0)
    assert out["after_shutdown_energy_cost_usd_per_yr"] == pytest.approx(8_000_000.0)
    assert out["after_shutdown_co2_t_per_yr"] == pytest.approx(30_000.0)
    assert out["after_shutdown_water_m3_per_yr"] == pytest.approx(300_000.0)  # 3.9e6 / 13
    assert out["after_shutdown_energy_cost_usd_per_day"] == pytest.approx(8e6 / 365)
    assert out["after_shutdown_water_m3_per_day"] == pytest.approx(3e5 / 365)
    assert out["after_shutdown_carbon_cost_usd_per_yr"] == pytest.approx(1_500_000.0)
    line = after_shutdown_line(out)
    assert line == (
        "after shutdown: $8.0 M/yr, 30.0 kt CO2e/yr, 300 ML water/yr for 13 years "
        "(+ $1.5 M/yr at the carbon price)"
    )


def test_survives_costs_nothing_after():
    summary = pd.DataFrame({"site_id": ["a"], "co2_scope2_t_after_product": [0.0]})
    out = after_shutdown(summary, Scenario(commitment_years=15)).iloc[0]
    assert out["after_shutdown_years"] == 0 and out["after_shutdown_co2_t_per_yr"] == 0
    assert "survives" in after_shutdown_line(out)


def test_futures_scenarios_use_the_example_or_the_users_years():
    sv, sd, example = futures_scenarios(Scenario(commitment_years=15))
    assert sv.product_years is None and sd.product_years == EXAMPLE_SHUTDOWN_YEARS and example
    sv, sd, example = futures_scenarios(Scenario(commitment_years=15, product_years=5))
    assert sv.product_years is None and sd.product_years == 5 and not example
    # a commitment too short for the example keeps half of it after the shutdown
    _, sd, _ = futures_scenarios(Scenario(commitment_years=3))
    assert sd.product_years == 1.5


@pytest.fixture(scope="module")
def result():
    import siting

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return siting.run(EXAMPLES)


def test_default_run_shows_both_futures(result):
    r = result.ranked
    assert result.shutdown_is_example and result.shutdown_scenario.product_years == 2
    for col in ("rank_survives", "rank_shut_down", "after_shutdown_co2_t_per_yr"):
        assert col in r.columns and r[col].notna().all()
    # the primary ranking is the scenario as given (survives): its rank is rank_survives
    assert (r["rank"].to_numpy() == r["rank_survives"].to_numpy()).all()
    # idle after shutdown still draws power and water at every site
    assert (r["after_shutdown_energy_mwh_per_yr"] > 0).all()
    assert (r["after_shutdown_water_m3_per_yr"] > 0).all()
    # physical bound: the shut-down future never uses more than the surviving one
    f = result.futures
    for col in ("co2_scope2_t", "water_onsite_m3", "facility_energy_mwh"):
        assert (f[f"{col}_shut_down"] <= f[f"{col}_survives"] * (1 + 1e-9)).all()
    share = f["after_shutdown_share_co2"]
    assert ((share > 0) & (share < 1)).all()


def test_idle_year_energy_by_hand(result):
    # an idle year draws the fleet's idle floor times the facility overhead: the
    # after-shutdown energy per year lies between idle IT energy x 1 and x max PUE
    fleet = result.fleet
    system_w, idle = fleet.spec["system_w_per_gpu"][0], fleet.spec["idle_fraction"][0]
    it_idle_mwh = fleet.gpus * system_w * idle * 8760 / 1e6  # 50,000 x 1275 W x 0.2 x 8760 h
    e = result.ranked["after_shutdown_energy_mwh_per_yr"].to_numpy()
    assert np.all(e >= it_idle_mwh * 0.999)
    assert np.all(e <= it_idle_mwh * 2.0 + 1e-9)


def test_compare_futures_takes_given_rankings_row_for_row_or_by_id():
    """A ranking passed in is used, not recomputed: in the summaries' row order or in
    another order (matched by site id). By hand: water a=10, b=30, c=20 survives (ranks
    1, 3, 2); the shut-down future's given ranking says c, a, b."""
    from siting.decide import rank
    from siting.decide.futures import compare_futures

    surv = pd.DataFrame({"site_id": ["a", "b", "c"], "water_onsite_m3": [10.0, 30.0, 20.0]})
    shut = pd.DataFrame({"site_id": ["a", "b", "c"], "water_onsite_m3": [5.0, 9.0, 1.0]})
    w = {"water_onsite": 1.0}
    sd = Scenario(commitment_years=15, product_years=2)
    ranked_surv = rank(surv, w).sort_index()  # row order
    ranked_shut = rank(shut, w)  # sorted by rank: c, a, b
    assert list(ranked_shut["site_id"]) == ["c", "a", "b"]
    out = compare_futures(
        surv, shut, sd, weights=w, ranked_survives=ranked_surv, ranked_shut_down=ranked_shut
    )
    assert list(out["rank_survives"]) == [1, 3, 2]
    assert list(out["rank_shut_down"]) == [2, 3, 1]
    with pytest.raises(ValueError, match="weights"):
        compare_futures(surv, shut, sd, weights={"co2_scope2": 1.0}, ranked_survives=ranked_surv)
