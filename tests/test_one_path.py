"""One engine at every size: ``run`` on the chunked engine gives the same numbers as
``screen`` for the same sites, and its large outputs degrade as documented."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting.model import Fleet, Scenario
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
)


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    """2,000 uniform random points over the contiguous United States box (seed 0)."""
    rng = np.random.default_rng(0)
    n = 2_000
    lon, lat = rng.uniform(-124.0, -67.0, n), rng.uniform(25.0, 49.0, n)
    return gpd.GeoDataFrame(
        {"site_id": [f"p{i:04d}" for i in range(n)], "lat": lat, "lon": lon},
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def both(sites, tmp_path_factory):
    d = tmp_path_factory.mktemp("one_path")
    screened = screen(sites, FLEET, SCENARIO, out=d / "screen.parquet", progress=False)
    result = run(
        sites, FLEET, SCENARIO, large_threshold=0, out_dir=d / "run", report_top=25,
        chunk_size=700,
    )  # fmt: skip
    return d, gpd.read_parquet(screened.path), result


def test_run_equals_screen_bit_for_bit(both):
    _, scr, result = both
    ran = gpd.read_parquet(result.large.path)
    assert list(ran["site_id"]) == list(scr["site_id"])
    for col in (*TOTALS, "score"):
        np.testing.assert_array_equal(ran[col].to_numpy(float), scr[col].to_numpy(float))
    assert ran["rank"].astype("Int64").equals(scr["rank"].astype("Int64"))


def test_other_future_equals_a_screen_of_that_future(both, sites):
    """The shut-down/survives columns equal a separate screen of each scenario."""
    d, scr, result = both
    ran = gpd.read_parquet(result.large.path)
    np.testing.assert_array_equal(
        ran["rank_shut_down"].to_numpy(float), scr["rank"].to_numpy(float)
    )
    surv = dataclasses.replace(SCENARIO, product_years=None)
    other = gpd.read_parquet(screen(sites, FLEET, surv, out=d / "s.parquet", progress=False).path)
    np.testing.assert_array_equal(
        ran["rank_survives"].to_numpy(float), other["rank"].to_numpy(float)
    )
    np.testing.assert_array_equal(
        ran["co2_scope2_t_survives"].to_numpy(float), other["co2_scope2_t"].to_numpy(float)
    )
    # after the shutdown: 13 of 15 years remain (hand count)
    assert (ran["after_shutdown_years"] == 13.0).all()


def test_large_result_holds_the_top_sites_and_the_file_every_site(both, sites):
    d, _, result = both
    assert result.large.n_sites == len(sites)
    assert len(result.large.points) == len(sites)
    assert len(result.ranked) <= 25 + 5  # ties at rank 25 may add a few
    assert result.ranked["rank"].max() <= 25
    assert list(result.ranked["rank"]) == sorted(result.ranked["rank"])
    # the per-year model of the top sites equals their streamed totals
    s = result.assessment.summary.set_index("site_id")
    r = result.ranked.set_index("site_id")
    np.testing.assert_array_equal(s["co2_scope2_t"].loc[r.index], r["co2_scope2_t"])
    paths = write_outputs(result, d / "out")
    assert set(paths) == {"sites.parquet"}  # no CSV, no footprint unless asked
    assert len(pd.read_parquet(paths["sites.parquet"], columns=["site_id"])) == len(sites)


def test_top_sites_kept_while_writing_equal_the_file_read_back(both):
    """The top rows and the per-site points are taken from the stream being written:
    they equal what ``geopandas.read_parquet`` reads back from the file."""
    _, _, result = both
    back = gpd.read_parquet(result.large.path, filters=[("rank", "<=", 25)])
    back = back.sort_values(["rank", "site_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.DataFrame(result.ranked), pd.DataFrame(back))
    assert result.ranked.crs == back.crs
    pts = pd.read_parquet(result.large.path, columns=list(result.large.points.columns))
    pd.testing.assert_frame_equal(result.large.points, pts)


def test_gpkg_every_site_with_the_documented_columns(both, tmp_path):
    import pyogrio

    from siting.report.large_section import gpkg_note
    from siting.scale.large_outputs import GPKG_COLUMNS, write_gpkg_all

    _, _, result = both
    path = write_gpkg_all(result.large.path, tmp_path / "r.gpkg", note=gpkg_note(result))
    g = pyogrio.read_dataframe(path, layer="sites")
    full = gpd.read_parquet(result.large.path)
    assert len(g) == len(full) == 2_000  # every site, none dropped
    assert list(g["site_id"]) == list(full["site_id"])
    cols = [c for c in g.columns if c != "geometry"]
    assert set(cols) <= set(GPKG_COLUMNS) | {c for c in full.columns if c.startswith("norm_")}
    for c in ("rank", "score", "co2_scope2_t", "water_onsite_m3", "rank_survives"):
        assert c in cols
        np.testing.assert_array_equal(g[c].to_numpy(float), full[c].to_numpy(float))
    np.testing.assert_array_equal(shapely.get_x(g.geometry.values), full["lon"].to_numpy())
    info = pyogrio.read_info(path, layer="sites")
    assert "sites.parquet" in info["layer_metadata"]["DESCRIPTION"]


def test_footprint_written_in_batches_on_request(both, sites, monkeypatch):
    import xarray as xr

    import siting.scale.large_outputs as lo

    d, _, result = both
    monkeypatch.setattr(lo, "BATCH_ROWS", 600)
    paths = write_outputs(result, d / "fp", footprint=True)
    with xr.open_dataset(paths["footprint.nc"], engine="h5netcdf") as ds:
        assert ds.sizes["site"] == len(sites)
        assert ds.sizes["year"] == 15
        top = result.assessment.annual
        sid = str(top["site"].values[0])
        i = list(ds["site"].values).index(sid)
        for v in top.data_vars:
            if top[v].dims[:1] == ("site",):
                np.testing.assert_allclose(ds[v].values[i], top[v].values[0], rtol=0, atol=0)


def test_gpkg_process_only_under_the_cli_entry_points():
    """A spawned process re-imports ``__main__``: only the CLI's own entry points get
    one (a user's unguarded script would run itself again); others write in a thread."""
    from types import ModuleType, SimpleNamespace

    from siting.cli import _main_is_the_cli

    def main(spec=None, file=None):
        m = ModuleType("__main__")
        m.__spec__ = None if spec is None else SimpleNamespace(name=spec)
        if file is not None:
            m.__file__ = file
        return m

    assert _main_is_the_cli(main(spec="siting.cli"))
    assert _main_is_the_cli(main(file="/venv/bin/siting"))
    assert not _main_is_the_cli(main(file="/home/me/my_script.py"))
    assert not _main_is_the_cli(main())  # interactive
    assert not _main_is_the_cli(None)
