#!/usr/bin/env python
"""Rewrite the sha256 of catalog files found in the given data directories.

    python scripts/update_checksums.py data [../shared/data/raw ...]

For every ``[[layer.files]]`` entry of ``data/catalog/*.toml`` whose ``path``
exists under one of the directories, the ``sha256 = "..."`` line following the
``path = "..."`` line is replaced (or inserted) with the file's digest.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "data" / "catalog"


def _sha(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def update(dirs: list[Path]) -> None:
    for toml in sorted(CATALOG.glob("*.toml")):
        lines = toml.read_text().splitlines()
        out: list[str] = []
        i = 0
        changed = False
        while i < len(lines):
            line = lines[i]
            out.append(line)
            m = re.match(r'^(\s*)path\s*=\s*"([^"]+)"', line)
            if m:
                rel = m.group(2)
                hit = next((d / rel for d in dirs if (d / rel).is_file()), None)
                nxt = lines[i + 1] if i + 1 < len(lines) else ""
                has_sha = re.match(r"^\s*sha256\s*=", nxt) is not None
                if hit is not None:
                    new = f'{m.group(1)}sha256 = "{_sha(hit)}"'
                    if has_sha:
                        changed |= nxt != new
                        i += 1
                    else:
                        changed = True
                    out.append(new)
            i += 1
        if changed:
            toml.write_text("\n".join(out) + "\n")
            print(f"updated checksums in {toml.relative_to(ROOT)}")


if __name__ == "__main__":
    update([Path(a) for a in sys.argv[1:]] or [ROOT / "data"])
