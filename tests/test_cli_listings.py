"""CLI listings fit a terminal, options are checked before any work starts."""

from __future__ import annotations

import pandas as pd
import pytest

from siting.cli import build_parser, main
from siting.cli_tables import fit_table
from tests.conftest import EXAMPLES


def test_fit_table_cuts_long_cells_to_width():
    df = pd.DataFrame({"a": ["x" * 50, "y"], "b": ["short", "z"]})
    text = fit_table(df, {"a": 10, "b": 8}, total=30)
    lines = text.splitlines()
    assert lines[1].startswith("x" * 9 + "…")  # 10 characters, the last one an ellipsis
    assert max(len(line) for line in lines) <= 10 + 2 + 5
    with pytest.raises(ValueError):
        fit_table(df, {"a": 20, "b": 20}, total=20)


def test_layers_fit_100_columns(capsys):
    assert main(["layers"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "ne_admin0_50m" in out


def test_criteria_command_exists_and_help_names_it(capsys):
    assert main(["criteria"]) == 0
    out = capsys.readouterr().out
    for key in ("water_onsite", "co2_scope2", "energy_cost"):
        assert key in out
    assert max(len(line) for line in out.splitlines()) <= 100
    run_help = build_parser()._subparsers._group_actions[0].choices["run"].format_help()
    assert "siting criteria" in run_help


def test_bad_weights_rejected_before_any_work(tmp_path, capsys):
    assert main(["run", str(EXAMPLES), "--out", str(tmp_path / "o"), "--weights", "foo=1"]) == 2
    captured = capsys.readouterr()
    assert "unknown criterion 'foo'" in captured.err
    # no stage of the job ran: no progress line, no output directory
    assert "[1/4]" not in captured.err + captured.out
    assert not (tmp_path / "o").exists()


def test_bad_exclusion_rule_rejected_before_any_work(tmp_path, capsys):
    rc = main(["run", str(EXAMPLES), "--out", str(tmp_path / "o"), "--exclude", "cheap sites"])
    captured = capsys.readouterr()
    assert rc == 2
    assert "cannot read the rule 'cheap sites'" in captured.err
    assert "[1/4]" not in captured.err + captured.out
