"""Where the tool looks for data.

Resolution order for a data file (first hit wins):

1. an explicit ``data_dir`` given by the caller (CLI ``--data-dir``),
2. the ``SITING_DATA_DIR`` environment variable (``os.pathsep``-separated list allowed),
3. the user cache (``SITING_CACHE_DIR`` or the platform cache dir), where
   ``siting data fetch`` downloads official datasets,
4. the embedded starter pack shipped with the package (``data/`` in a source
   checkout, ``siting/_data`` in a wheel).

A data directory mirrors the layout of the raw dataset folders (one folder per
source, e.g. ``epa-egrid-power-profiler/subregion.json``); the embedded pack
keeps its compact files under ``starter/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import siting

_PKG_DIR = Path(siting.__file__).resolve().parent


def embedded_data_dir() -> Path:
    """The starter pack and catalog shipped with the code."""
    wheel = _PKG_DIR / "_data"
    if wheel.is_dir():
        return wheel
    return _PKG_DIR.parent / "data"


def user_cache_dir() -> Path:
    """Cache of fetched official datasets (``SITING_CACHE_DIR`` overrides)."""
    env = os.environ.get("SITING_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("siting"))


def data_dirs(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Ordered list of directories searched for layer files."""
    dirs: list[Path] = []
    if data_dir is not None:
        for part in str(data_dir).split(os.pathsep):
            if part:
                dirs.append(Path(part).expanduser())
    env = os.environ.get("SITING_DATA_DIR")
    if env:
        dirs.extend(Path(p).expanduser() for p in env.split(os.pathsep) if p)
    dirs.append(user_cache_dir())
    dirs.append(embedded_data_dir())
    seen: set[Path] = set()
    out = []
    for d in dirs:
        r = d.resolve()
        if r not in seen:
            seen.add(r)
            out.append(d)
    return out


def raw_data_dir() -> Path | None:
    """The shared folder of raw datasets if this machine has one (tests use it).

    ``SITING_RAW_DIR`` overrides; otherwise ``../shared/data/raw`` next to the
    source checkout.
    """
    env = os.environ.get("SITING_RAW_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(_PKG_DIR.parent.parent / "shared" / "data" / "raw")
    for c in candidates:
        if c.is_dir():
            return c
    return None
