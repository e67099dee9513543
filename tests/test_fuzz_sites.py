"""Bounded coverage-guided fuzz run of the site reader (atheris), zero crashes expected.

``SITING_FUZZ_SECONDS`` sets the budget (default 60 s, as CI runs it). The number of
inputs tried is printed and written next to the test's tmp dir.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "fuzz"


def test_fuzz_site_reader(tmp_path, capsys):
    pytest.importorskip("atheris")
    seconds = int(os.environ.get("SITING_FUZZ_SECONDS", "60"))
    corpus = tmp_path / "corpus"
    shutil.copytree(HERE / "corpus", corpus)
    proc = subprocess.run(
        [
            sys.executable,
            str(HERE / "fuzz_sites.py"),
            str(corpus),
            f"-max_total_time={seconds}",
            "-seed=12345",
            "-rss_limit_mb=3000",
            "-timeout=20",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 240,
    )
    log = proc.stdout + proc.stderr
    runs = re.findall(r"Done (\d+) runs", log)
    crashes = sorted(
        p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-"))
    )
    assert proc.returncode == 0 and not crashes, f"fuzzer found a crash: {crashes}\n{log[-4000:]}"
    assert runs, log[-2000:]
    (tmp_path / "fuzz_runs.txt").write_text(runs[-1])
    with capsys.disabled():
        print(f"\n[fuzz] site reader: {runs[-1]} inputs in {seconds} s, 0 crashes")
