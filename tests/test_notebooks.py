"""Every analyst notebook in ``notebooks/`` runs from top to bottom.

Each notebook is executed with nbclient in a temporary working directory, with its
parameters overridden papermill-style (a cell inserted after the cell tagged
``parameters``) so that every output file goes to the temporary directory. The executed
copy is written there too (for debugging), never back into the repository.

* ``test_notebook_runs[<name>]``: embedded data only (``DATA_DIR = None``).
* ``test_notebook_runs_raw[<name>]``: the shared raw datasets as ``DATA_DIR`` (marked
  ``raw``; skipped where they are absent), for the notebooks that take ``DATA_DIR``.
* ``test_committed_notebooks_are_clean``: no outputs, no execution counts, one
  ``parameters`` cell first among the code cells (``scripts/strip_notebooks.py`` strips).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
#: Wall-clock limit per notebook [s] (each runs in well under a minute on 2 cores).
TIME_LIMIT_S = 300
#: Kernel start-up and shutdown allowance on top of the notebook limit [s].
KERNEL_MARGIN_S = 60


def _parameter_cell(nb) -> tuple[int, object]:
    hits = [
        (i, c)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    assert len(hits) == 1, f"expected exactly one cell tagged 'parameters', found {len(hits)}"
    return hits[0]


def _parameter_names(nb) -> set[str]:
    _, cell = _parameter_cell(nb)
    names = set()
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _inject(nb, overrides: dict) -> None:
    """Papermill convention: a cell tagged ``injected-parameters`` after ``parameters``."""
    i, _ = _parameter_cell(nb)
    known = _parameter_names(nb)
    lines = ["# Parameters injected by tests/test_notebooks.py"]
    lines += [f"{k} = {v!r}" for k, v in overrides.items() if k in known]
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(i + 1, cell)


def _execute(path: Path, work: Path, overrides: dict) -> float:
    """Run the notebook; return the wall time [s]; every notebook must draw a figure."""
    nb = nbformat.read(path, as_version=4)
    out_dir = work / "out"
    _inject(nb, {"OUT_DIR": str(out_dir), **overrides})
    client = nbclient.NotebookClient(
        nb,
        timeout=TIME_LIMIT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    )
    t0 = time.monotonic()
    try:
        client.execute()
    finally:
        elapsed = time.monotonic() - t0
        nbformat.write(nb, work / f"executed_{path.name}")
    print(f"{path.name}: {elapsed:.1f} s")
    images = sum(
        "image/png" in o.get("data", {})
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert images > 0, f"{path.name} rendered no figure"
    return elapsed


@pytest.fixture(autouse=True)
def _inline_figures(monkeypatch):
    """Render figures in the kernel whatever MPLBACKEND the test process inherited."""
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def _ids(paths):
    return [p.stem for p in paths]


def test_notebooks_present():
    names = {p.stem for p in NOTEBOOKS}
    for stem in (
        "01_quickstart",
        "02_committed_footprint",
        "03_screen_a_region",
        "04_uncertainty_and_sensitivity",
        "05_validation",
    ):
        assert stem in names, f"notebooks/{stem}.ipynb is missing"


@pytest.mark.timeout(TIME_LIMIT_S + KERNEL_MARGIN_S)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(NOTEBOOK_DIR.rglob("*"))
    elapsed = _execute(path, tmp_path, {"DATA_DIR": None})
    assert elapsed < TIME_LIMIT_S
    assert sorted(NOTEBOOK_DIR.rglob("*")) == before, "the notebook wrote into notebooks/"


_WITH_DATA_DIR = [p for p in NOTEBOOKS if "DATA_DIR" in _parameter_names(nbformat.read(p, 4))]


@pytest.mark.raw
@pytest.mark.slow
@pytest.mark.timeout(TIME_LIMIT_S + KERNEL_MARGIN_S)
@pytest.mark.parametrize("path", _WITH_DATA_DIR, ids=_ids(_WITH_DATA_DIR))
def test_notebook_runs_raw(path, tmp_path, monkeypatch, raw_dir):
    monkeypatch.chdir(tmp_path)
    elapsed = _execute(path, tmp_path, {"DATA_DIR": str(raw_dir)})
    assert elapsed < TIME_LIMIT_S


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_notebooks_are_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    i, _ = _parameter_cell(nb)
    first_code = next(j for j, c in enumerate(nb.cells) if c.cell_type == "code")
    assert i == first_code, "the 'parameters' cell must be the first code cell"
    for j, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        assert c.outputs == [], f"cell {j} has outputs; run scripts/strip_notebooks.py"
        assert c.execution_count is None, f"cell {j} has an execution count"


def test_strip_script_check_passes_on_committed_notebooks():
    script = str(REPO / "scripts" / "strip_notebooks.py")
    res = subprocess.run(
        [sys.executable, script, "--check", str(NOTEBOOK_DIR)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_strip_script_removes_outputs(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    cell.execution_count = 3
    cell.metadata["tags"] = ["parameters"]
    cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    nb.cells.append(cell)
    p = tmp_path / "x.ipynb"
    nbformat.write(nb, p)
    script = str(REPO / "scripts" / "strip_notebooks.py")
    assert subprocess.run([sys.executable, script, "--check", str(p)]).returncode == 1
    assert subprocess.run([sys.executable, script, str(p)]).returncode == 0
    out = nbformat.read(p, as_version=4)
    c = out.cells[0]
    assert c.outputs == [] and c.execution_count is None
    assert c.metadata["tags"] == ["parameters"]
    assert "execution" not in c.metadata
    assert subprocess.run([sys.executable, script, "--check", str(p)]).returncode == 0
