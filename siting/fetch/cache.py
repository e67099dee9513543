"""What the cache holds: catalog files present and verified, the per-layer fetch
manifests, staged files checked and moved in, and the status table of fetchable layers."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from siting.errors import ChecksumError, LayerError
from siting.fetch.spec import catalog_sha, expected_sha256, fetch_spec
from siting.layers.catalog import Catalog, Layer, load_catalog, sha256_file
from siting.paths import user_cache_dir

#: cache sub-directory of the per-layer fetch manifests
MANIFEST_DIR = "_fetch"


def present_files(layer: Layer, root: Path) -> dict[str, Path] | None:
    """Catalog files of ``layer`` in ``root`` with a matching sha256; None if incomplete."""
    found: dict[str, Path] = {}
    for f in layer.files:
        p = root / f.path
        if p.is_file() and (not f.sha256 or sha256_file(p) == f.sha256):
            found[f.path] = p
        elif not f.optional:
            return None
    return found or None


def manifest_path(root: Path, layer: str) -> Path:
    return root / MANIFEST_DIR / f"{layer}.json"


def read_manifest(layer_name: str, cache_dir: str | os.PathLike | None = None) -> dict | None:
    """The fetch manifest of a layer in the cache (None if never fetched)."""
    root = Path(cache_dir) if cache_dir is not None else user_cache_dir()
    p = manifest_path(root, layer_name)
    if not p.is_file():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def write_manifest(root: Path, layer: str, data: dict) -> None:
    p = manifest_path(root, layer)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=True)
    os.replace(tmp, p)


def rel_files(paths: dict[str, Path], root: Path) -> dict[str, str]:
    return {rel: sha256_file(p) for rel, p in paths.items() if p.is_file()}


def install(staged: dict[str, Path], root: Path) -> dict[str, Path]:
    """Move staged files (cache-relative -> temp path) into the cache atomically each."""
    out = {}
    for rel, src in staged.items():
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
        out[rel] = dest
    return out


def verify_staged(layer: Layer, staged: dict[str, Path]) -> None:
    for rel, p in staged.items():
        want = catalog_sha(layer, rel)
        if want:
            got = sha256_file(p)
            if got != want:
                raise ChecksumError(
                    f"layer '{layer.name}': '{rel}' has sha256 {got[:12]}..., the catalog "
                    f"expects {want[:12]}...; nothing was installed (the cache is unchanged)",
                    file=str(p),
                )


def fetch_status(
    catalog: Catalog | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    include_all: bool = False,
):
    """Table of fetchable layers: pinned or live, fetched, available, where.

    Parameters
    ----------
    catalog
        Default: the shipped catalog.
    data_dir
        Extra data directory for the availability column.
    cache_dir
        Cache root (default :func:`siting.paths.user_cache_dir`).
    include_all
        Also list layers without a fetch table.

    Returns
    -------
    pandas.DataFrame
        Columns ``layer``, ``family``, ``fetchable``, ``pinned``, ``needs``,
        ``fetched``, ``fetched_at``, ``available``, ``location``, ``url``.
    """
    import pandas as pd

    cat = catalog or load_catalog()
    root = Path(cache_dir) if cache_dir is not None else user_cache_dir()
    avail = cat.available(data_dir)
    rows = []
    for lyr in cat:
        if not lyr.fetch and not include_all:
            continue
        spec = None
        if lyr.fetch:
            try:
                spec = fetch_spec(lyr)
            except LayerError:
                spec = None
        man = read_manifest(lyr.name, root)
        rows.append(
            {
                "layer": lyr.name,
                "family": lyr.family,
                "fetchable": spec is not None,
                "pinned": bool(spec and expected_sha256(lyr, spec)),
                "needs": " ".join(spec.env_vars) if spec else "",
                "fetched": man is not None,
                "fetched_at": (man or {}).get("fetched_at", ""),
                "available": avail[lyr.name] is not None,
                "location": "" if avail[lyr.name] is None else str(avail[lyr.name]),
                "url": spec.url if spec else "",
            }
        )
    cols = [
        "layer",
        "family",
        "fetchable",
        "pinned",
        "needs",
        "fetched",
        "fetched_at",
        "available",
        "location",
        "url",
    ]
    return pd.DataFrame(rows, columns=cols)
