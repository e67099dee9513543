"""The two steps of ``siting data``: fetch (download, unpack, verify, install, record) and
build (run the layer's converter on what was fetched)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path, PurePosixPath

from siting.errors import LayerError
from siting.fetch.archive import unpack
from siting.fetch.cache import (
    MANIFEST_DIR,
    install,
    manifest_path,
    present_files,
    read_manifest,
    rel_files,
    verify_staged,
    write_manifest,
)
from siting.fetch.download import DEFAULT_RETRIES, download
from siting.fetch.spec import FetchSpec, expected_sha256, fetch_spec, resolve_url, safe_rel
from siting.layers.catalog import Catalog, Layer, load_catalog
from siting.paths import user_cache_dir


def say(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr)


def fetch(
    layer_name: str,
    *,
    force: bool = False,
    progress: bool = True,
    convert: bool = True,
    catalog: Catalog | None = None,
    cache_dir: str | os.PathLike | None = None,
    base_url: str | None = None,
    retries: int = DEFAULT_RETRIES,
) -> dict[str, Path]:
    """Download a catalog layer's official files into the cache and verify them.

    Parameters
    ----------
    layer_name
        Catalog layer with a ``[layer.fetch]`` table.
    force
        Download again even when the cache already holds the layer.
    progress
        Show a tqdm progress bar and status lines on stderr.
    convert
        Run the layer's ``build`` converter after the download (see :func:`build`).
    catalog
        Catalog to use (default: the shipped one).
    cache_dir
        Cache root (default :func:`siting.paths.user_cache_dir`).
    base_url
        Replaces scheme and host of the URL (default: ``SITING_FETCH_BASE_URL``).
    retries
        Attempts after the first one (network errors, HTTP errors, checksum mismatch).

    Returns
    -------
    dict
        ``{cache-relative path: local path}`` of the layer's catalog files now in the
        cache (plus the raw download when it is not a catalog file).

    Raises
    ------
    ChecksumError
        The download (or an extracted member) does not match the catalog sha256; the
        cache is left unchanged.
    LayerError
        Unknown layer, no fetch table, download failure, unsafe archive, or the
        fetched/built files do not provide the layer's catalog files.
    """
    cat = catalog or load_catalog()
    layer = cat[layer_name]
    spec = fetch_spec(layer)
    root = Path(cache_dir) if cache_dir is not None else user_cache_dir()
    quiet = not progress
    if not force:
        have = present_files(layer, root)
        if have is not None:
            say(f"{layer.name}: already in the cache ({root}); --force to download again", quiet)
            return have
    installed = _download_and_install(
        layer, spec, root, base_url=base_url, progress=progress, retries=retries
    )
    out = dict(installed)
    if convert and spec.build:
        out.update(build(layer.name, catalog=cat, cache_dir=root, quiet=quiet))
    have = present_files(layer, root)
    if have is None and (not spec.build or convert):
        want = [f.path for f in layer.files]
        raise LayerError(
            f"layer '{layer.name}': fetched, but the cache does not hold its catalog files "
            f"{want} (check [layer.fetch] filename/members/build)",
            file=str(root),
        )
    out.update(have or {})
    say(f"{layer.name}: ready in {root}", quiet)
    return out


def _download_and_install(
    layer: Layer,
    spec: FetchSpec,
    root: Path,
    *,
    base_url: str | None,
    progress: bool,
    retries: int,
) -> dict[str, Path]:
    """Download into a staging directory under ``root``, unpack, verify against the
    catalog, move into the cache and write the manifest; return the installed files.
    The staging directory is removed whatever happens."""
    quiet = not progress
    url, shown = resolve_url(spec, base_url)
    sha = expected_sha256(layer, spec)
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{layer.name}-", dir=root))
    try:
        staged_download = work / "download" / PurePosixPath(spec.filename).name
        say(f"{layer.name}: downloading {shown}", quiet)
        t0 = time.monotonic()
        got = download(
            url,
            staged_download,
            sha,
            spec=spec,
            shown=shown,
            progress=progress,
            retries=retries,
        )
        size = staged_download.stat().st_size
        if sha is None:
            say(
                f"{layer.name}: live dataset, no pinned sha256; downloaded sha256 {got} "
                f"({size / 1e6:.2f} MB, recorded in {MANIFEST_DIR}/{layer.name}.json)",
                quiet,
            )
        staged = unpack(spec, staged_download, work / "tree")
        staged[spec.filename] = staged_download
        verify_staged(layer, staged)
        installed = install(staged, root)
        manifest = {
            "layer": layer.name,
            "url": shown,
            "sha256": got,
            "pinned": sha is not None,
            "bytes": size,
            "download": spec.filename,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - t0, 3),
            "files": rel_files(installed, root),
        }
        write_manifest(root, layer.name, manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return installed


def build(
    layer_name: str | None = None,
    *,
    catalog: Catalog | None = None,
    cache_dir: str | os.PathLike | None = None,
    quiet: bool = False,
) -> dict[str, Path]:
    """Run the ``build`` converter of fetched layers.

    Parameters
    ----------
    layer_name
        One layer; None: every layer of the catalog that was fetched into the cache and
        has a ``build`` converter.
    catalog, cache_dir
        As in :func:`fetch`.
    quiet
        No status lines.

    Returns
    -------
    dict
        ``{cache-relative path: local path}`` of the files written.
    """
    cat = catalog or load_catalog()
    root = Path(cache_dir) if cache_dir is not None else user_cache_dir()
    if layer_name is None:
        names = [
            lyr.name
            for lyr in cat
            if lyr.fetch.get("build") and manifest_path(root, lyr.name).is_file()
        ]
    else:
        names = [layer_name]
    out: dict[str, Path] = {}
    for name in names:
        layer = cat[name]
        spec = fetch_spec(layer)
        if not spec.build:
            say(f"{name}: nothing to build (no converter; the download is the data)", quiet)
            continue
        out.update(_build_layer(layer, spec, root, quiet))
    return out


def _build_layer(layer: Layer, spec: FetchSpec, root: Path, quiet: bool) -> dict[str, Path]:
    """Run one layer's converter on its fetched files, verify and install what it wrote,
    record it in the manifest; return the files written."""
    name = layer.name
    manifest = read_manifest(name, root)
    if manifest is None:
        raise LayerError(f"layer '{name}' was not fetched; run `siting data fetch {name}`")
    source = _build_source(spec, manifest, root)
    mod, _, fn = spec.build.partition(":")
    func = getattr(import_module(mod), fn)
    tmp = Path(tempfile.mkdtemp(prefix=f".build-{name}-", dir=root))
    try:
        func(source, tmp)
        staged = {p.relative_to(tmp).as_posix(): p for p in sorted(tmp.rglob("*")) if p.is_file()}
        if not staged:
            raise LayerError(f"layer '{name}': converter {spec.build} wrote no file")
        for rel in staged:
            safe_rel(rel, what="built file", layer=name)
        verify_staged(layer, staged)
        written = install(staged, root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    manifest["built"] = rel_files(written, root)
    manifest["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    write_manifest(root, name, manifest)
    for rel in written:
        say(f"{name}: built {rel}", quiet)
    return written


def _build_source(spec: FetchSpec, manifest: dict, root: Path) -> dict[str, Path] | Path:
    """What the converter gets: the fetched files (``{cache-relative: local path}``), or
    the local path of ``build_from``; an error when the cache no longer holds them."""
    name = spec.layer
    fetched = {rel: root / rel for rel in manifest.get("files", {}) if (root / rel).is_file()}
    if spec.filename not in fetched:
        raise LayerError(
            f"layer '{name}': the download {spec.filename} is no longer in the cache; "
            f"run `siting data fetch {name} --force`",
            file=str(root),
        )
    if spec.build_from is None:
        return fetched
    source = root / spec.build_from
    if not source.exists():
        raise LayerError(
            f"layer '{name}': build_from '{spec.build_from}' is not in the cache; "
            f"run `siting data fetch {name} --force`",
            file=str(root),
        )
    return source
