"""``--cooling auto`` at every size: the chunked engine (``screen``, ``run`` above the
large threshold) chooses the same cooling design per site, with the same lifetime
totals, as the in-memory path, and its trade-off rows obey the choice's definition."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting.model import CoolingChoice, Fleet, Scenario, assess
from siting.pipeline import run, write_outputs
from siting.scale import screen

FLEET = Fleet(gpu="H100-SXM", gpus=50_000)
SCENARIO = Scenario(commitment_years=15, product_years=2.0, after="idle")
TOTALS = (
    "co2_scope2_t",
    "water_onsite_m3",
    "water_offsite_m3",
    "water_scarcity_weighted_m3",
    "energy_cost_usd",
    "facility_energy_mwh",
    "pue_annual",
    "wue_onsite_l_per_kwh",
)
#: the water cap of the test [L per IT kWh] in basins with AWARE above 20 (default)
CAP = 0.3


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    """2,000 sites at centres of the 0.25-degree ERA5 grid over the contiguous US box
    (seed 1): 400 distinct cells, the other 1,600 sites drawn from them again.

    At a cell centre the per-site climate of the in-memory path and the per-cell climate
    of the chunked engine are sampled at the same point, so both paths see the same
    inputs. Repeated locations keep the test fast (the model evaluates each distinct
    climate once) and make the chunked engine gather one assessed row to several sites,
    within and across chunks."""
    rng = np.random.default_rng(1)
    ncol, nrow = 229, 97  # -124..-67 E, 25..49 N at 0.25 degree
    cells = rng.choice(ncol * nrow, size=400, replace=False)
    cells = np.concatenate([cells, rng.choice(cells, size=1_600)])
    lat = 25.0 + 0.25 * (cells // ncol)
    lon = -124.0 + 0.25 * (cells % ncol)
    return gpd.GeoDataFrame(
        {"site_id": [f"s{i:04d}" for i in range(lat.size)], "lat": lat, "lon": lon},
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def in_memory(sites):
    """The in-memory path (``run`` below its large threshold), objective energy."""
    choice = CoolingChoice(objective="energy")
    return run(sites, FLEET, SCENARIO, cooling_choice=choice, large_threshold=None, futures=False)


def _assert_same(mem: pd.DataFrame, chunked: pd.DataFrame) -> None:
    m = mem.set_index("site_id")
    c = chunked.set_index("site_id").loc[m.index]
    assert m["cooling_design"].notna().all()
    np.testing.assert_array_equal(
        c["cooling_design"].astype(object).to_numpy(), m["cooling_design"].to_numpy()
    )
    np.testing.assert_array_equal(
        c["cooling_reason"].astype(object).to_numpy(), m["cooling_reason"].to_numpy()
    )
    for col in TOTALS:
        np.testing.assert_array_equal(c[col].to_numpy(float), m[col].to_numpy(float), err_msg=col)


def _check_trade_off(designs: pd.DataFrame, summary: pd.DataFrame, column: str) -> None:
    """Definition of the choice, checked on the streamed rows with pandas alone: one
    chosen row per site, the chosen row's totals are the site's, and the chosen design
    has the lowest ``column`` of the site's designs."""
    n_design = designs["cooling_design"].nunique()
    assert len(designs) == len(summary) * n_design
    assert (designs.groupby("site_id")["chosen"].sum() == 1).all()
    chosen = designs[designs["chosen"]].set_index("site_id").loc[summary["site_id"]]
    np.testing.assert_array_equal(
        chosen["cooling_design"].astype(object).to_numpy(), summary["cooling_design"].to_numpy()
    )
    known = summary["reason"].fillna("").eq("").to_numpy() & np.isfinite(
        chosen[column].to_numpy(float)
    )
    best = designs.groupby("site_id")[column].min().loc[summary["site_id"]]
    np.testing.assert_array_equal(chosen[column].to_numpy()[known], best.to_numpy()[known])


def test_energy_run_chunked_equals_in_memory(in_memory, sites, tmp_path):
    choice = CoolingChoice(objective="energy")
    big = run(
        sites, FLEET, SCENARIO, cooling_choice=choice, large_threshold=0, futures=False,
        out_dir=tmp_path / "run", chunk_size=700, report_top=20,
    )  # fmt: skip
    assert big.large is not None
    ran = gpd.read_parquet(big.large.path)
    assert len(ran) == len(sites)
    _assert_same(in_memory.assessment.summary, ran)
    # more than one design is chosen over the US (dry in the north, others elsewhere)
    assert ran["cooling_design"].nunique() >= 3
    designs = pd.read_parquet(big.large.designs_path)
    _check_trade_off(designs, in_memory.assessment.summary, "facility_energy_mwh")
    # outputs: every site in designs.parquet, the report's top sites in designs.csv
    paths = write_outputs(big, tmp_path / "out")
    assert {"sites.parquet", "designs.parquet", "designs.csv"} <= set(paths)
    assert len(pd.read_parquet(paths["designs.parquet"])) == len(designs)
    csv = pd.read_csv(paths["designs.csv"], comment="#")
    assert set(csv["site_id"]) == set(big.ranked["site_id"])


@pytest.mark.parametrize(
    "choice, column, chunk",
    [
        (CoolingChoice(objective="water"), "water_onsite_m3", 2_000),
        (CoolingChoice(objective="energy", max_wue_l_per_kwh=CAP), None, 1_000),
        # normalised per site by the best design there: no pass over all sites needed
        (CoolingChoice(objective="weights", weights={"energy": 1.0, "water": 1.0}), "skip", 1_000),
    ],
    ids=["water", "energy-wue-cap", "weights"],
)
def test_screen_equals_in_memory(in_memory, choice, column, chunk, tmp_path):
    joined = in_memory.joined
    mem = assess(joined, FLEET, SCENARIO, cooling_choice=choice).summary
    res = screen(
        joined[["site_id", "lat", "lon", "geometry"]], FLEET, SCENARIO,
        out=tmp_path / "x.parquet", chunk_size=chunk, progress=False, cooling_choice=choice,
    )  # fmt: skip
    assert res.designs_path == tmp_path / "x.designs.parquet"
    _assert_same(mem, gpd.read_parquet(res.path))
    designs = pd.read_parquet(res.designs_path)
    if column == "skip":
        return
    if column is not None:
        _check_trade_off(designs, mem, column)
        return
    # the cap: in basins with AWARE > 20 no chosen design exceeds it unless every
    # design of the site does
    aware = pd.to_numeric(joined["water_scarcity_factor"], errors="coerce").to_numpy(float)
    dry = pd.Series(aware > 20.0, index=joined["site_id"])
    assert dry.sum() > 0
    wue = designs.pivot(index="site_id", columns="cooling_design", values="wue_onsite_l_per_kwh")
    wue = wue.loc[dry.index[dry.to_numpy()]]
    chosen = designs[designs["chosen"]].set_index("site_id")["wue_onsite_l_per_kwh"]
    some_under = (wue <= CAP + 1e-12).any(axis=1)
    assert (chosen.loc[some_under.index[some_under]] <= CAP + 1e-12).all()


def test_cli_screen_cooling_auto(tmp_path, capsys):
    from siting.cli import main

    src = tmp_path / "s.csv"
    pd.DataFrame(
        {"site_id": ["a", "b", "c"], "lat": [45.0, 33.5, 39.0], "lon": [-93.0, -112.0, -77.5]}
    ).to_csv(src, index=False)
    out = tmp_path / "x.parquet"
    assert (
        main(["screen", str(src), "--cooling", "auto", "--max-wue", "0.5", "--out", str(out)]) == 0
    )
    got = gpd.read_parquet(out)
    assert got["cooling_design"].notna().all() and got["cooling_reason"].notna().all()
    designs = pd.read_parquet(tmp_path / "x.designs.parquet")
    assert (designs.groupby("site_id")["chosen"].sum() == 1).all()
    picked = designs[designs["chosen"]].set_index("site_id")["cooling_design"].astype(object)
    assert picked.loc[got["site_id"]].tolist() == got["cooling_design"].astype(object).tolist()
    assert "x.designs.parquet" in capsys.readouterr().out
    # Dask is refused with the alternative named
    assert main(["screen", str(src), "--cooling", "auto", "--dask", "--out", str(out)]) == 2
    assert "--chunk-size" in capsys.readouterr().err
