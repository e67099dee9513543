"""The main job end to end: library pipeline and the CLI, as the README runs them."""

from __future__ import annotations

import subprocess
import sys
import warnings

import geopandas as gpd
import pandas as pd
import pytest
import xarray as xr

from siting.cli import main
from siting.pipeline import run, write_outputs
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(EXAMPLES)


def test_every_site_in_every_output(result, tmp_path):
    n = len(pd.read_csv(EXAMPLES))
    assert len(result.joined) == len(result.assessment.summary) == len(result.ranked) == n
    assert result.assessment.annual.sizes["site"] == n
    paths = write_outputs(result, tmp_path)
    assert len(gpd.read_parquet(paths["sites.parquet"])) == n
    assert len(pd.read_csv(paths["sites.csv"])) == n
    with xr.open_dataset(paths["footprint.nc"], engine="h5netcdf") as ds:
        assert ds.sizes["site"] == n
        assert ds["water_onsite_m3"].attrs.get("units")


def test_datasets_table_lists_the_layers_used(result):
    layers = set(result.datasets["layer"])
    assert {"ne_admin0_50m", "owid_country_mix", "aware12_watersheds"} <= layers
    assert result.datasets["sha256"].str.len().min() >= 64


def test_user_columns_survive_to_the_ranking(result):
    assert {"name", "operator", "source", "notes"} <= set(result.ranked.columns)
    # the campus list's own status column ("operating", "announced") is kept
    assert set(result.ranked["input_status"]) >= {"operating", "announced"}


def test_cli_run_writes_tables_and_report(tmp_path, capsys):
    rc = main(
        [
            "run",
            str(EXAMPLES),
            "--out",
            str(tmp_path),
            "--gpus",
            "1000",
            "--product-years",
            "2",
            "--after",
            "power_down",
            "--format",
            "html,xlsx",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert "shut down after 2 y, then power_down" in out
    for name in ("sites.parquet", "sites.csv", "footprint.nc", "report.html", "report.xlsx"):
        assert (tmp_path / name).stat().st_size > 0


def test_cli_errors_are_clear_not_tracebacks(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("lat,lon\n95,1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "siting.cli", "run", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "row 1" in proc.stderr and "latitude" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "siting.cli",
            "run",
            str(EXAMPLES),
            "--out",
            str(tmp_path / "o"),
            "--gpu",
            "Z9000",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "known GPUs" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_grid_and_screen(tmp_path, capsys):
    pytest.importorskip("h3")
    grid = tmp_path / "lux.parquet"
    assert main(["grid", "LUX", "--kind", "regular", "--spacing-km", "10", "--out", str(grid)]) == 0
    cells = gpd.read_parquet(grid)
    # Luxembourg is 2,586 km2 (STATEC); 10 km cells -> about 26 of them
    assert 15 <= len(cells) <= 40
    out = tmp_path / "screen.parquet"
    assert main(["screen", str(grid), "--gpus", "1000", "--out", str(out)]) == 0
    screened = gpd.read_parquet(out)
    assert len(screened) == len(cells)
    assert set(screened["site_id"]) == set(cells["site_id"])
    assert {"rank", "score", "water_onsite_m3"} <= set(screened.columns)
