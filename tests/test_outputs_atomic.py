"""Outputs are written atomically and never over an input file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from siting.errors import OutputError
from siting.io import write_csv, write_geoparquet
from siting.safe_io import neutralize_formulas, safe_output_path


def test_killed_writer_leaves_previous_file_intact(tmp_path):
    target = tmp_path / "result.parquet"
    previous = gpd.GeoDataFrame({"site_id": ["old"]}, geometry=[Point(0, 0)], crs=4326)
    write_geoparquet(previous, target)
    before = target.read_bytes()
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from siting.safe_io import atomic_write

        def slow(tmp: Path):
            with open(tmp, "wb") as f:
                for _ in range(10_000):
                    f.write(b"x" * 65536)
                    f.flush()
                    time.sleep(0.01)

        atomic_write({str(target)!r}, slow)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 60
    tmp_files = []
    while time.time() < deadline:
        tmp_files = [p for p in tmp_path.iterdir() if p.name.startswith(".result.parquet.")]
        if tmp_files and tmp_files[0].stat().st_size > 200_000:
            break
        time.sleep(0.05)
    assert tmp_files, "writer never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert target.read_bytes() == before
    assert gpd.read_parquet(target)["site_id"].tolist() == ["old"]


def test_failed_write_cleans_temp_and_keeps_old(tmp_path):
    from siting.safe_io import atomic_write

    target = tmp_path / "a.txt"
    target.write_text("old")

    def boom(tmp):
        tmp.write_text("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_refuses_to_overwrite_input(tmp_path):
    inp = tmp_path / "sites.csv"
    inp.write_text("lat,lon\n1,1\n")
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(OutputError, match="input"):
        write_csv(df, inp, inputs=[inp])
    assert inp.read_text() == "lat,lon\n1,1\n"


def test_refuses_path_outside_output_dir(tmp_path):
    with pytest.raises(OutputError, match="outside"):
        safe_output_path(tmp_path / "out", "../escape.html")
    assert safe_output_path(tmp_path / "out", "ok.html").name == "ok.html"


def test_formula_injection_neutralized_in_csv(tmp_path):
    df = pd.DataFrame(
        {"name": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain"], "v": [1, -2, 3, 4, 5]}
    )
    out = neutralize_formulas(df)
    assert out["name"].tolist() == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "plain"]
    assert out["v"].tolist() == [1, -2, 3, 4, 5]  # numbers stay numbers
    p = write_csv(df, tmp_path / "o.csv")
    text = p.read_text()
    assert "'=HYPERLINK" in text and "\n=" not in text


def test_atomic_write_respects_umask(tmp_path):
    from siting.safe_io import atomic_write

    old = os.umask(0o022)
    try:
        p = atomic_write(tmp_path / "x.txt", lambda t: t.write_text("hi"))
    finally:
        os.umask(old)
    assert (p.stat().st_mode & 0o777) == 0o644
