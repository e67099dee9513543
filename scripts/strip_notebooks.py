"""Strip outputs, execution counts and run metadata from Jupyter notebooks.

Usage::

    python scripts/strip_notebooks.py                 # every notebooks/*.ipynb, in place
    python scripts/strip_notebooks.py a.ipynb dir/    # given files / folders
    python scripts/strip_notebooks.py --check         # exit 1 if any notebook needs stripping

Cell tags (e.g. the papermill ``parameters`` tag) and sources are kept. A notebook is
rewritten only when something changes, atomically (temporary file, then rename).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
#: Cell metadata written by Jupyter/nbclient when a cell runs.
RUN_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
#: Notebook metadata written by a run.
RUN_NB_METADATA = ("widgets", "papermill")


def strip(nb) -> bool:
    """Strip a notebook in memory; return whether anything changed."""
    changed = False
    for cell in nb.cells:
        md = cell.setdefault("metadata", {})
        for key in RUN_CELL_METADATA:
            if key in md:
                del md[key]
                changed = True
        if cell.cell_type == "code":
            if cell.get("outputs"):
                cell.outputs = []
                changed = True
            if cell.get("execution_count") is not None:
                cell.execution_count = None
                changed = True
        elif "attachments" in cell and not cell["attachments"]:
            del cell["attachments"]
            changed = True
    for key in RUN_NB_METADATA:
        if key in nb.metadata:
            del nb.metadata[key]
            changed = True
    lang = nb.metadata.get("language_info")
    if isinstance(lang, dict) and set(lang) - {"name"}:
        nb.metadata["language_info"] = {"name": lang.get("name", "python")}
        changed = True
    return changed


def _write_atomic(nb, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def notebooks(paths: list[str]) -> list[Path]:
    if not paths:
        paths = [str(REPO / "notebooks")]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.glob("*.ipynb") if not q.name.startswith(".")))
        elif p.suffix == ".ipynb" and p.is_file():
            out.append(p)
        else:
            raise SystemExit(f"{p}: not a notebook or a folder")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    ap.add_argument("--check", action="store_true", help="report, do not write; exit 1 if dirty")
    args = ap.parse_args(argv)
    dirty = []
    for path in notebooks(args.paths):
        nb = nbformat.read(path, as_version=4)
        if strip(nb):
            dirty.append(path)
            if not args.check:
                _write_atomic(nb, path)
    verb = "need stripping" if args.check else "stripped"
    for p in dirty:
        print(f"{verb}: {p}")
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
