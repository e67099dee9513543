"""Screening at scale: chunked equals unchunked, spill equals memory, per-site climate
equals the standard pipeline, Dask equals the single-process path."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from siting.errors import ConfigError
from siting.grid import generate_grid
from siting.model import Fleet, Scenario
from siting.scale import climate_cell_keys, screen, screen_dask

pytest.importorskip("h3")

FLEET = Fleet(gpu="H100-SXM", gpus=10_000)
SCENARIO = Scenario(commitment_years=10, product_years=3.0, after="idle")


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    """H3 cells over Virginia plus a few coastal/sea cells off the Atlantic coast."""
    land = generate_grid("US-VA", kind="h3", resolution=5)
    sea = generate_grid((-75.6, 36.5, -74.8, 37.5), kind="h3", resolution=5, land_only=False)
    g = pd.concat([land, sea[~sea["site_id"].isin(land["site_id"])]], ignore_index=True)
    return gpd.GeoDataFrame(g, geometry="geometry", crs=4326)


def _read(path) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path).sort_values("site_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def single(sites, tmp_path_factory):
    out = tmp_path_factory.mktemp("scale") / "single.parquet"
    res = screen(sites, FLEET, SCENARIO, out=out, chunk_size=10**6, progress=False)
    return res, gpd.read_parquet(out)


def test_output_is_geoparquet_with_every_site_in_input_order(single, sites):
    res, df = single
    assert isinstance(df, gpd.GeoDataFrame) and df.crs.to_epsg() == 4326
    assert df["site_id"].tolist() == sites["site_id"].tolist()
    np.testing.assert_array_equal(df.geometry.x, sites["lon"])
    for c in ("score", "rank", "excluded", "water_onsite_m3", "aware_cf", "climate_at"):
        assert c in df.columns
    assert res.n_sites == len(sites) and len(res.ranked) == len(sites)
    assert res.ranked["rank"].dropna().tolist() == list(
        range(1, res.ranked["rank"].notna().sum() + 1)
    )
    assert set(res.timings) >= {"join_model", "rank", "write", "total"}


def test_chunked_equals_unchunked(single, sites, tmp_path):
    _, whole = single
    for chunk in (37, 200):
        out = tmp_path / f"c{chunk}.parquet"
        screen(sites, FLEET, SCENARIO, out=out, chunk_size=chunk, progress=False)
        pd.testing.assert_frame_equal(gpd.read_parquet(out), whole, check_exact=True)


def test_spill_to_disk_equals_memory(single, sites, tmp_path):
    _, whole = single
    out = tmp_path / "spill.parquet"
    screen(sites, FLEET, SCENARIO, out=out, chunk_size=100, memory_bytes=1, progress=False)
    pd.testing.assert_frame_equal(gpd.read_parquet(out), whole, check_exact=True)
    assert not list(tmp_path.glob(".*"))  # temporary files removed


def test_ranking_is_global(single):
    """Scores equal decide.rank on the whole summary (global min-max normalisation)."""
    from siting.decide import rank

    _, df = single
    model_cols = [c for c in df.columns if c not in ("score", "rank", "excluded")]
    again = rank(pd.DataFrame(df[model_cols]))
    a = df.set_index("site_id").sort_index()
    b = again.set_index("site_id").sort_index()
    np.testing.assert_array_equal(a["score"].to_numpy(), b["score"].to_numpy())
    np.testing.assert_array_equal(
        a["rank"].to_numpy(float, na_value=np.nan), b["rank"].to_numpy(float, na_value=np.nan)
    )


def test_climate_once_per_cell(single):
    res, df = single
    keys = climate_cell_keys(df["lat"].to_numpy(), df["lon"].to_numpy(), 0.25)
    at_cell = (df["climate_at"] == "cell_centre").to_numpy()
    assert at_cell.mean() > 0.9
    cols = [f"wet_bulb_c_m{m:02d}" for m in range(1, 13)] + ["elevation_m"]
    g = df.loc[at_cell, cols].assign(key=keys[at_cell]).groupby("key")
    assert (g.nunique(dropna=False) <= 1).all().all()  # one climate per cell
    assert res.climate_cells == np.unique(keys).size
    # the model's PUE follows: same cell, same climate, same PUE
    p = df.loc[at_cell, ["pue_annual"]].assign(key=keys[at_cell]).groupby("key")
    assert (p.nunique(dropna=False) <= 1).all().all()


def test_per_site_climate_equals_standard_pipeline(sites, tmp_path):
    from siting.pipeline import run

    sub = sites.iloc[::9].reset_index(drop=True)
    out = tmp_path / "site.parquet"
    screen(sub, FLEET, SCENARIO, out=out, climate_cell_deg=None, chunk_size=20, progress=False)
    got = _read(out)
    ref = run(sub, FLEET, SCENARIO).ranked.sort_values("site_id").reset_index(drop=True)
    for c in ("wet_bulb_c_m07", "water_onsite_m3", "co2_scope2_t", "energy_cost_usd", "score"):
        np.testing.assert_array_equal(got[c].to_numpy(float), ref[c].to_numpy(float))
    assert (got["climate_at"] == "site").all()


def test_weights_and_exclusions_pass_through(sites, tmp_path):
    out = tmp_path / "ex.parquet"
    res = screen(
        sites,
        FLEET,
        SCENARIO,
        out=out,
        chunk_size=150,
        weights={"co2_scope2": 1.0},
        exclusions=["aware_cf > 1.2"],
        progress=False,
    )
    df = gpd.read_parquet(out)
    hit = df["aware_cf"].to_numpy(float) > 1.2
    assert hit.any() and (df["excluded"].to_numpy() == hit).all()
    assert df.loc[hit, "rank"].isna().all()
    assert "norm_co2_scope2" in df.columns and "norm_water_onsite" not in df.columns
    best = res.ranked.iloc[0]
    assert best["co2_scope2_t"] == df.loc[~hit, "co2_scope2_t"].min()


def test_bad_arguments(sites, tmp_path):
    with pytest.raises(ConfigError, match="parquet"):
        screen(sites, FLEET, SCENARIO, out=tmp_path / "x.csv", progress=False)
    with pytest.raises(ConfigError, match="chunk_size"):
        screen(sites, FLEET, SCENARIO, out=tmp_path / "x.parquet", chunk_size=0, progress=False)
    with pytest.raises(ConfigError, match="out="):
        screen(sites, FLEET, SCENARIO, progress=False)


def test_dask_equals_single_process(single, sites, tmp_path):
    """A 2-worker LocalCluster with process workers (spawned, one thread each)."""
    pytest.importorskip("dask_geopandas")
    pytest.importorskip("distributed")
    _, whole = single
    out = tmp_path / "dask.parquet"
    res = screen_dask(sites, FLEET, SCENARIO, out=out, npartitions=3, n_workers=2, processes=True)
    got = _read(out)
    ref = whole.sort_values("site_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    assert res.ranked["site_id"].tolist() == single[0].ranked["site_id"].tolist()


def test_worker_pool_equals_single(single, sites, tmp_path):
    _, whole = single
    out = tmp_path / "pool.parquet"
    screen(sites, FLEET, SCENARIO, out=out, chunk_size=120, workers=2, progress=False)
    pd.testing.assert_frame_equal(gpd.read_parquet(out), whole, check_exact=True)


def test_dask_threads_with_text_exclusions_equals_single(sites, tmp_path):
    """Thread workers (processes=False), exclusions on a text and a numeric column."""
    pytest.importorskip("dask_geopandas")
    sub = sites.iloc[::3].reset_index(drop=True)
    rules = ["region_code in US-NC,US-MD", "aware_cf > 1.5"]
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    screen(sub, FLEET, SCENARIO, out=a, exclusions=rules, chunk_size=50, progress=False)
    screen_dask(sub, FLEET, SCENARIO, out=b, exclusions=rules, npartitions=4, processes=False)
    got, ref = _read(b), _read(a)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    assert ref["excluded"].any() and not ref["excluded"].all()
