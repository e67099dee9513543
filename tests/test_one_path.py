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
    norms = [c for c in scr.columns if c.startswith("norm_")]
    assert norms and norms == [c for c in ran.columns if c.startswith("norm_")]
    for col in (*TOTALS, "score", *norms):
        np.testing.assert_array_equal(ran[col].to_numpy(float), scr[col].to_numpy(float))
    assert ran["rank"].astype("Int64").equals(scr["rank"].astype("Int64"))
    for col in ("excluded", "exclusion_reason", "rank_note"):
        assert ran[col].astype(object).equals(scr[col].astype(object)), col


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


def test_top_sites_futures_table_is_their_rows_of_the_file(both):
    """``result.futures`` lists the top sites in the report's order, each with the
    both-futures values the file holds for that site id."""
    _, _, result = both
    ran = gpd.read_parquet(result.large.path).set_index("site_id")
    fut = result.futures
    assert list(fut["site_id"]) == list(result.ranked["site_id"])
    for col in ("rank_survives", "rank_shut_down", "co2_scope2_t_survives"):
        np.testing.assert_array_equal(
            fut[col].to_numpy(float), ran.loc[fut["site_id"], col].to_numpy(float)
        )


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


def _gpkg_values(path) -> pd.DataFrame:
    import pyogrio

    return pyogrio.read_dataframe(path, layer="sites")


def test_background_writes_equal_the_sequential_files(both, sites, tmp_path):
    """``wait=False`` returns before ``sites.parquet`` and the GeoPackage are written;
    once finished they hold what the sequential writes hold (every site, same values)."""
    from siting.scale.large_outputs import write_gpkg_all

    _, _, result = both
    bg = run(
        sites, FLEET, SCENARIO, large_threshold=0, out_dir=tmp_path / "bg", report_top=25,
        chunk_size=700, large_gpkg=tmp_path / "bg" / "report.gpkg", wait=False,
    )  # fmt: skip
    paths = bg.large.finish()
    assert paths == {"sites.parquet": bg.large.path, "gpkg": tmp_path / "bg" / "report.gpkg"}
    assert bg.large.finish() == paths  # idempotent
    pd.testing.assert_frame_equal(
        gpd.read_parquet(bg.large.path), gpd.read_parquet(result.large.path)
    )
    seq = write_gpkg_all(result.large.path, tmp_path / "seq.gpkg")
    g = _gpkg_values(paths["gpkg"])
    assert len(g) == 2_000
    pd.testing.assert_frame_equal(g, _gpkg_values(seq))
    assert not list((tmp_path / "bg").glob(".*"))  # no part or spill file left


def test_background_gpkg_read_back_when_the_store_spilled(sites, tmp_path, monkeypatch):
    """A store that spilled to disk cannot hand its tables over: ``sites.parquet`` is
    written first and the GeoPackage read back from it (the same rows)."""
    import siting.scale.run_large as rl

    spill = rl.pass1_store
    monkeypatch.setattr(rl, "pass1_store", lambda out, memory_bytes: spill(out, 1))
    res = run(
        sites.iloc[:900], FLEET, SCENARIO, large_threshold=0, out_dir=tmp_path, chunk_size=300,
        large_gpkg=tmp_path / "r.gpkg", wait=False,
    )  # fmt: skip
    paths = res.large.finish()
    g = _gpkg_values(paths["gpkg"])
    full = gpd.read_parquet(paths["sites.parquet"])
    assert list(g["site_id"]) == list(full["site_id"]) == list(sites["site_id"].iloc[:900])
    np.testing.assert_array_equal(g["score"].to_numpy(float), full["score"].to_numpy(float))


def _ranked_tables(both):
    import pyarrow.parquet as pq

    _, _, result = both
    pf = pq.ParquetFile(result.large.path)
    return pf.schema_arrow, [pf.read_row_group(i) for i in range(pf.num_row_groups)]


def test_background_gpkg_error_is_raised_by_finish(both, tmp_path):
    from siting.scale.background import PendingWrites

    schema, tables = _ranked_tables(both)
    (tmp_path / "a_file").write_text("not a directory")
    bad = tmp_path / "a_file" / "r.gpkg"
    pw = PendingWrites(tmp_path / "s.parquet", schema, tables, gpkg=bad)
    with pytest.raises(OSError):
        pw.finish()
    assert (tmp_path / "s.parquet").exists()  # the other write still completed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "s.parquet"]


def test_background_abort_leaves_no_partial_file(both, tmp_path):
    import threading

    from siting.scale.background import PendingWrites

    schema, tables = _ranked_tables(both)
    go = threading.Event()

    def slow():
        yield tables[0]
        go.wait(10)  # the test sets the stop flag meanwhile
        yield from tables[1:]

    pw = PendingWrites(tmp_path / "s.parquet", schema, slow())
    pw._stop.set()
    go.set()
    pw.abort()
    assert not list(tmp_path.iterdir())  # neither the file nor its part file


def _die(_):
    import os

    os._exit(3)


def test_background_gpkg_rewritten_here_if_its_process_dies(both, tmp_path, monkeypatch):
    import siting.scale.background as bgm
    from siting.scale.parallel import can_fork

    if not can_fork():
        pytest.skip("the GeoPackage is written by a thread where the platform cannot fork")
    monkeypatch.setattr(bgm, "_gpkg_in_child", _die)
    schema, tables = _ranked_tables(both)
    pw = bgm.PendingWrites(tmp_path / "s.parquet", schema, tables, gpkg=tmp_path / "r.gpkg")
    paths = pw.finish()
    assert len(_gpkg_values(paths["gpkg"])) == 2_000


def test_background_gpkg_in_a_thread_if_the_fork_fails(both, tmp_path, monkeypatch):
    import multiprocessing.popen_fork as pf

    from siting.scale.background import PendingWrites

    def no_fork(self, process_obj):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(pf.Popen, "_launch", no_fork)
    schema, tables = _ranked_tables(both)
    pw = PendingWrites(tmp_path / "s.parquet", schema, tables, gpkg=tmp_path / "r.gpkg")
    paths = pw.finish()
    assert len(_gpkg_values(paths["gpkg"])) == 2_000
