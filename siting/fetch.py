"""Download official datasets into the user cache, verify them, and build compact files.

``siting data fetch LAYER`` downloads what a catalog layer's ``[layer.fetch]`` table
names, with pooch (streamed to a temporary file, sha256 checked, retries, tqdm progress
bar), into the user cache (:func:`siting.paths.user_cache_dir`) laid out exactly like a
data directory, so :meth:`siting.layers.catalog.Catalog.locate` finds the files there.
``siting data build`` runs the layer's converter on what was fetched.

Schema of ``[layer.fetch]`` (see ``docs/data_fetch.md``)::

    [layer.fetch]
    url = "https://host/path?query&api_key={EIA_API_KEY}"  # required; {NAME} = env var
    sha256 = "64 hex digits"          # optional: sha256 of the downloaded bytes
    filename = "dir/file.ext"         # optional: where the download is kept (cache-relative)
    build = "package.module:function" # optional: converter, see below
    build_from = "dir/file"           # optional: cache-relative path handed to build
    extract_to = "dir"                # optional (alias unpack_to): archive unpacked here
    archive = "zip"                   # optional: "zip" or "tar", checked against the file
    note = "text shown with errors"   # optional: e.g. how to get an API key
    [layer.fetch.members]             # optional: archive member -> cache-relative path
    "folder/in/archive.csv" = "my-dataset/file.csv"

``members`` may instead be a list of member names or folder prefixes ending in ``/``
(``members = ["Aq40/GDB/x.gdb/"]``): those members are extracted under ``extract_to``
keeping their archive paths.

Rules:

* The download is verified against ``sha256``; without it, when the download *is* a
  catalog file (``filename`` is a ``[[layer.files]] path``), against that file's
  sha256. Otherwise the dataset is *live* (revised in place by its publisher): the
  sha256 of what was downloaded is recorded in the manifest and reported.
* Default ``filename``: the layer's only catalog file when it has one file and neither
  ``members`` nor ``build``/``extract_to``; else ``_downloads/<layer>/<last URL segment>``.
* Archives (zip, tar, tar.gz) are refused whole when any member has an absolute path,
  a ``..`` component, or is a link or device; members are extracted to a temporary
  directory, checked against the catalog sha256, then moved into place.
* ``build(fetched, out_dir) -> list[Path]``: ``fetched`` maps cache-relative paths of
  the download and extracted members to local paths (with ``build_from``: the local
  path of that file or folder instead); the converter writes under ``out_dir`` (a
  temporary directory that mirrors the cache root; its files are moved into the cache
  when it returns).
* Nothing unverified ever lands at a catalog path: a corrupted download raises
  :class:`siting.errors.ChecksumError` and leaves the cache as it was.
* ``SITING_FETCH_BASE_URL`` (or ``base_url=``) replaces scheme and host of every URL
  (a mirror, or a local test server); path and query are kept.

Each fetch writes ``_fetch/<layer>.json`` in the cache: URL (secrets redacted), sha256,
size, time, files.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, urlunsplit

from siting.errors import ChecksumError, LayerError
from siting.layers.catalog import Catalog, Layer, load_catalog, sha256_file
from siting.paths import user_cache_dir

#: environment variable overriding scheme and host of every fetch URL
BASE_URL_ENV = "SITING_FETCH_BASE_URL"
#: cache sub-directory of raw downloads that are not themselves catalog files
DOWNLOAD_DIR = "_downloads"
#: cache sub-directory of the per-layer fetch manifests
MANIFEST_DIR = "_fetch"
#: retries after a failed attempt (network error, HTTP error status, checksum mismatch);
#: pooch waits 1 s, 2 s, 3 s ... between attempts
DEFAULT_RETRIES = 3
#: seconds without data after which a download attempt fails (requests timeout)
DOWNLOAD_TIMEOUT_S = 120
FETCH_KEYS = frozenset(
    {
        "url",
        "sha256",
        "filename",
        "members",
        "build",
        "build_from",
        "extract_to",
        "unpack_to",
        "archive",
        "note",
    }
)
ARCHIVE_KINDS = ("zip", "tar")
_ENV_RE = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class FetchSpec:
    """A layer's validated ``[layer.fetch]`` table."""

    layer: str
    url: str
    sha256: str | None = None
    filename: str = ""
    members: dict[str, str] = field(default_factory=dict)
    member_prefixes: tuple[str, ...] = ()
    extract_to: str | None = None
    build: str | None = None
    build_from: str | None = None
    archive: str | None = None
    note: str = ""

    @property
    def is_archive(self) -> bool:
        """Whether the download is unpacked."""
        return bool(
            self.members or self.member_prefixes or self.extract_to is not None or self.archive
        )

    @property
    def env_vars(self) -> list[str]:
        """Environment variables the URL needs (``{NAME}`` placeholders)."""
        return _ENV_RE.findall(self.url)


def _safe_rel(rel: str, *, what: str, layer: str) -> str:
    """A cache-relative POSIX path that cannot leave the cache, or LayerError."""
    p = PurePosixPath(str(rel).replace("\\", "/"))
    if (
        not str(rel).strip()
        or p.is_absolute()
        or ".." in p.parts
        or (p.parts and ":" in p.parts[0])
    ):
        raise LayerError(
            f"layer '{layer}': {what} '{rel}' must be a relative path inside the cache "
            "(no leading '/', no '..', no drive)"
        )
    return p.as_posix()


def fetch_spec(layer: Layer) -> FetchSpec:
    """Validate and normalise a layer's ``[layer.fetch]`` table.

    Parameters
    ----------
    layer
        A catalog layer.

    Returns
    -------
    FetchSpec

    Raises
    ------
    LayerError
        The layer has no fetch table, or the table breaks the schema of the module
        docstring (unknown key, missing url, malformed sha256, unsafe path...).
    """
    raw = dict(layer.fetch or {})
    if not raw:
        raise LayerError(
            f"layer '{layer.name}' has no [layer.fetch] table: it cannot be downloaded; "
            f"get it from {', '.join(layer.urls) or layer.source} and point --data-dir at it"
        )
    unknown = sorted(set(raw) - FETCH_KEYS)
    if unknown:
        raise LayerError(
            f"layer '{layer.name}': unknown key(s) {unknown} in [layer.fetch]; "
            f"allowed: {sorted(FETCH_KEYS)}"
        )
    url = str(raw.get("url", "")).strip()
    if not url or urlsplit(url).scheme not in ("http", "https"):
        raise LayerError(f"layer '{layer.name}': [layer.fetch] url must be an http(s) URL")
    sha = raw.get("sha256")
    if sha is not None:
        sha = str(sha).lower()
        if len(sha) != 64 or not set(sha) <= _HEX:
            raise LayerError(f"layer '{layer.name}': [layer.fetch] sha256 is not 64 hex digits")
    if "extract_to" in raw and "unpack_to" in raw:
        raise LayerError(f"layer '{layer.name}': give extract_to or unpack_to, not both")
    extract_to = raw.get("extract_to", raw.get("unpack_to"))
    if extract_to is not None:
        extract_to = _safe_rel(extract_to, what="extract_to", layer=layer.name)
    members_raw = raw.get("members") or {}
    members: dict[str, str] = {}
    prefixes: tuple[str, ...] = ()
    if isinstance(members_raw, dict):
        members = {
            str(k): _safe_rel(v, what="member destination", layer=layer.name)
            for k, v in members_raw.items()
        }
    elif isinstance(members_raw, list) and all(isinstance(m, str) for m in members_raw):
        prefixes = tuple(members_raw)
        if extract_to is None:
            raise LayerError(
                f"layer '{layer.name}': a list of members needs extract_to (or unpack_to)"
            )
    else:
        raise LayerError(
            f"layer '{layer.name}': [layer.fetch] members must be a table (archive member = "
            "cache-relative path) or a list of member names / folder prefixes ending in '/'"
        )
    archive = raw.get("archive")
    if archive is not None and archive not in ARCHIVE_KINDS:
        raise LayerError(
            f"layer '{layer.name}': [layer.fetch] archive must be one of {ARCHIVE_KINDS}"
        )
    build = raw.get("build")
    if build is not None and ":" not in str(build):
        raise LayerError(
            f"layer '{layer.name}': [layer.fetch] build must be 'module:function', got '{build}'"
        )
    build_from = raw.get("build_from")
    if build_from is not None:
        if not build:
            raise LayerError(f"layer '{layer.name}': build_from without build")
        build_from = _safe_rel(build_from, what="build_from", layer=layer.name)
    filename = raw.get("filename")
    if filename is None:
        direct = (
            len(layer.files) == 1
            and not members
            and not prefixes
            and not build
            and extract_to is None
            and archive is None
        )
        if direct:
            filename = layer.files[0].path
        else:
            last = PurePosixPath(urlsplit(url).path).name or "download"
            last = re.sub(r"[^A-Za-z0-9._-]", "_", last)
            filename = f"{DOWNLOAD_DIR}/{layer.name}/{last}"
    filename = _safe_rel(filename, what="filename", layer=layer.name)
    for f in layer.files:
        _safe_rel(f.path, what="catalog file path", layer=layer.name)
    return FetchSpec(
        layer=layer.name,
        url=url,
        sha256=sha,
        filename=filename,
        members=members,
        member_prefixes=prefixes,
        extract_to=extract_to,
        build=str(build) if build else None,
        build_from=build_from,
        archive=archive,
        note=str(raw.get("note", "")),
    )


def _catalog_sha(layer: Layer, rel: str) -> str | None:
    for f in layer.files:
        if f.path == rel:
            return f.sha256
    return None


def expected_sha256(layer: Layer, spec: FetchSpec | None = None) -> str | None:
    """sha256 the download is verified against (None: a live, unpinned dataset)."""
    spec = spec or fetch_spec(layer)
    return spec.sha256 or _catalog_sha(layer, spec.filename)


def resolve_url(spec: FetchSpec, base_url: str | None = None) -> tuple[str, str]:
    """The URL to download and its redacted form for messages.

    ``{NAME}`` placeholders are filled from the environment (their values never
    appear in the redacted form); ``base_url`` (else ``SITING_FETCH_BASE_URL``)
    replaces scheme and host, keeping the path and query.
    """
    missing = [v for v in spec.env_vars if not os.environ.get(v)]
    if missing:
        raise LayerError(
            f"layer '{spec.layer}': set the environment variable(s) {missing} to fetch it. "
            + spec.note
        )
    url = spec.url
    base = base_url if base_url is not None else os.environ.get(BASE_URL_ENV)
    if base:
        b = urlsplit(base.rstrip("/"))
        u = urlsplit(url)
        url = urlunsplit((b.scheme, b.netloc, b.path + u.path, u.query, ""))
    shown = url
    for v in spec.env_vars:
        url = url.replace("{" + v + "}", os.environ[v])
    return url, shown


def _redact(text: str, spec: FetchSpec) -> str:
    for v in spec.env_vars:
        val = os.environ.get(v)
        if val:
            text = text.replace(val, "{" + v + "}")
    return text


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Pooch logs full URLs (which may hold an API key): silence it while we fetch."""
    import pooch

    log = pooch.get_logger()
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


def _download(
    url: str,
    dest: Path,
    sha256: str | None,
    *,
    spec: FetchSpec,
    shown: str,
    progress: bool,
    retries: int,
) -> str:
    """Download ``url`` to ``dest`` atomically; return the sha256 of the bytes.

    Pooch streams to a temporary file next to ``dest``, checks the hash and only then
    moves it to ``dest``; a failed or mismatching attempt leaves nothing behind.
    """
    import pooch
    import requests

    dest.parent.mkdir(parents=True, exist_ok=True)
    known = f"sha256:{sha256}" if sha256 else None
    p = pooch.create(
        path=dest.parent,
        base_url="",
        registry={dest.name: known},
        urls={dest.name: url},
        retry_if_failed=max(int(retries), 0),
        allow_updates=True,
    )
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=DOWNLOAD_TIMEOUT_S)
    if dest.exists():
        dest.unlink()
    try:
        with _quiet_pooch():
            p.fetch(dest.name, downloader=downloader, progressbar=progress)
    except ValueError as e:
        if "hash" not in str(e).lower():
            raise
        raise ChecksumError(
            f"layer '{spec.layer}': the download from {shown} does not match the catalog's "
            f"sha256 {sha256[:12]}... (after {retries} retries). It was discarded and the "
            "cache was left as it was. The publisher may have changed the file (update the "
            "catalog sha256 after checking the new version) or the transfer was corrupted.",
            file=str(dest),
        ) from None
    except requests.exceptions.RequestException as e:
        status = getattr(getattr(e, "response", None), "status_code", None)
        what = f"HTTP {status}" if status else type(e).__name__
        raise LayerError(
            f"layer '{spec.layer}': download from {shown} failed after {1 + retries} "
            f"attempt(s) ({what}: {_redact(str(e), spec)[:200]}). {spec.note}".rstrip()
        ) from None
    return sha256_file(dest)


def _is_safe_member(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return not (p.is_absolute() or ".." in p.parts or (p.parts and ":" in p.parts[0]))


def _archive_entries(path: Path) -> tuple[str, list[str]]:
    """Kind (zip/tar) and file member names; refuse unsafe archives whole."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
        bad = [i.filename for i in infos if not _is_safe_member(i.filename)]
        names = [i.filename for i in infos if not i.is_dir()]
        kind = "zip"
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            infos = t.getmembers()
        bad = [
            m.name for m in infos if not _is_safe_member(m.name) or not (m.isfile() or m.isdir())
        ]
        names = [m.name for m in infos if m.isfile()]
        kind = "tar"
    else:
        raise LayerError("the download is not a zip or tar archive", file=str(path))
    if bad:
        raise LayerError(
            f"archive refused: member(s) {bad[:5]} would be written outside the target "
            "directory (absolute path, '..') or are links/devices; nothing was extracted",
            file=str(path),
        )
    return kind, names


def _extract(path: Path, plan: dict[str, str], tmp: Path) -> dict[str, Path]:
    """Extract members ``plan`` (member -> cache-relative path) under ``tmp``."""
    kind, _ = _archive_entries(path)
    out: dict[str, Path] = {}
    if kind == "zip":
        with zipfile.ZipFile(path) as z:
            for member, rel in plan.items():
                dest = tmp / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                with z.open(member) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                out[rel] = dest
    else:
        with tarfile.open(path) as t:
            for member, rel in plan.items():
                dest = tmp / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                src = t.extractfile(member)
                if src is None:
                    raise LayerError(f"archive member '{member}' is not a file", file=str(path))
                with src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                out[rel] = dest
    return out


def _extract_plan(spec: FetchSpec, names: list[str], archive: Path) -> dict[str, str]:
    if spec.members:
        absent = [m for m in spec.members if m not in names]
        if absent:
            raise LayerError(
                f"layer '{spec.layer}': archive has no member(s) {absent}; it holds e.g. "
                f"{names[:10]}",
                file=str(archive),
            )
        return dict(spec.members)
    if spec.member_prefixes:
        picked = []
        for pre in spec.member_prefixes:
            hit = [n for n in names if n == pre or (pre.endswith("/") and n.startswith(pre))]
            if not hit:
                raise LayerError(
                    f"layer '{spec.layer}': archive has no member or folder '{pre}'; it holds "
                    f"e.g. {names[:10]}",
                    file=str(archive),
                )
            picked.extend(hit)
        names = list(dict.fromkeys(picked))
    if spec.extract_to is None:
        raise LayerError(
            f"layer '{spec.layer}': an archive needs members (a table) or extract_to",
            file=str(archive),
        )
    return {n: f"{spec.extract_to}/{PurePosixPath(n).as_posix()}" for n in names}


def _install(staged: dict[str, Path], root: Path) -> dict[str, Path]:
    """Move staged files (cache-relative -> temp path) into the cache atomically each."""
    out = {}
    for rel, src in staged.items():
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
        out[rel] = dest
    return out


def _verify_staged(layer: Layer, staged: dict[str, Path]) -> None:
    for rel, p in staged.items():
        want = _catalog_sha(layer, rel)
        if want:
            got = sha256_file(p)
            if got != want:
                raise ChecksumError(
                    f"layer '{layer.name}': '{rel}' has sha256 {got[:12]}..., the catalog "
                    f"expects {want[:12]}...; nothing was installed (the cache is unchanged)",
                    file=str(p),
                )


def _present(layer: Layer, root: Path) -> dict[str, Path] | None:
    """Catalog files of ``layer`` in ``root`` with a matching sha256; None if incomplete."""
    found: dict[str, Path] = {}
    for f in layer.files:
        p = root / f.path
        if p.is_file() and (not f.sha256 or sha256_file(p) == f.sha256):
            found[f.path] = p
        elif not f.optional:
            return None
    return found or None


def _manifest_path(root: Path, layer: str) -> Path:
    return root / MANIFEST_DIR / f"{layer}.json"


def read_manifest(layer_name: str, cache_dir: str | os.PathLike | None = None) -> dict | None:
    """The fetch manifest of a layer in the cache (None if never fetched)."""
    root = Path(cache_dir) if cache_dir is not None else user_cache_dir()
    p = _manifest_path(root, layer_name)
    if not p.is_file():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def _write_manifest(root: Path, layer: str, data: dict) -> None:
    p = _manifest_path(root, layer)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=True)
    os.replace(tmp, p)


def _rel_files(paths: dict[str, Path], root: Path) -> dict[str, str]:
    return {rel: sha256_file(p) for rel, p in paths.items() if p.is_file()}


def _say(msg: str, quiet: bool) -> None:
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
        have = _present(layer, root)
        if have is not None:
            _say(f"{layer.name}: already in the cache ({root}); --force to download again", quiet)
            return have
    url, shown = resolve_url(spec, base_url)
    sha = expected_sha256(layer, spec)
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{layer.name}-", dir=root))
    try:
        staged_download = work / "download" / PurePosixPath(spec.filename).name
        _say(f"{layer.name}: downloading {shown}", quiet)
        t0 = time.monotonic()
        got = _download(
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
            _say(
                f"{layer.name}: live dataset, no pinned sha256; downloaded sha256 {got} "
                f"({size / 1e6:.2f} MB, recorded in {MANIFEST_DIR}/{layer.name}.json)",
                quiet,
            )
        staged: dict[str, Path] = {}
        if spec.is_archive:
            kind, names = _archive_entries(staged_download)
            if spec.archive and kind != spec.archive:
                raise LayerError(
                    f"layer '{layer.name}': the download is a {kind} archive, the catalog "
                    f"says {spec.archive}",
                    file=str(staged_download),
                )
            plan = _extract_plan(spec, names, staged_download)
            staged.update(_extract(staged_download, plan, work / "tree"))
        staged[spec.filename] = staged_download
        _verify_staged(layer, staged)
        installed = _install(staged, root)
        manifest = {
            "layer": layer.name,
            "url": shown,
            "sha256": got,
            "pinned": sha is not None,
            "bytes": size,
            "download": spec.filename,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - t0, 3),
            "files": _rel_files(installed, root),
        }
        _write_manifest(root, layer.name, manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = dict(installed)
    if convert and spec.build:
        out.update(build(layer.name, catalog=cat, cache_dir=root, quiet=quiet))
    have = _present(layer, root)
    if have is None and (not spec.build or convert):
        want = [f.path for f in layer.files]
        raise LayerError(
            f"layer '{layer.name}': fetched, but the cache does not hold its catalog files "
            f"{want} (check [layer.fetch] filename/members/build)",
            file=str(root),
        )
    out.update(have or {})
    _say(f"{layer.name}: ready in {root}", quiet)
    return out


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
            if lyr.fetch.get("build") and _manifest_path(root, lyr.name).is_file()
        ]
    else:
        names = [layer_name]
    out: dict[str, Path] = {}
    for name in names:
        layer = cat[name]
        spec = fetch_spec(layer)
        if not spec.build:
            _say(f"{name}: nothing to build (no converter; the download is the data)", quiet)
            continue
        manifest = read_manifest(name, root)
        if manifest is None:
            raise LayerError(f"layer '{name}' was not fetched; run `siting data fetch {name}`")
        fetched = {rel: root / rel for rel in manifest.get("files", {}) if (root / rel).is_file()}
        if spec.filename not in fetched:
            raise LayerError(
                f"layer '{name}': the download {spec.filename} is no longer in the cache; "
                f"run `siting data fetch {name} --force`",
                file=str(root),
            )
        source: dict[str, Path] | Path = fetched
        if spec.build_from is not None:
            source = root / spec.build_from
            if not source.exists():
                raise LayerError(
                    f"layer '{name}': build_from '{spec.build_from}' is not in the cache; "
                    f"run `siting data fetch {name} --force`",
                    file=str(root),
                )
        mod, _, fn = spec.build.partition(":")
        func = getattr(import_module(mod), fn)
        tmp = Path(tempfile.mkdtemp(prefix=f".build-{name}-", dir=root))
        try:
            func(source, tmp)
            staged = {
                p.relative_to(tmp).as_posix(): p for p in sorted(tmp.rglob("*")) if p.is_file()
            }
            if not staged:
                raise LayerError(f"layer '{name}': converter {spec.build} wrote no file")
            for rel in staged:
                _safe_rel(rel, what="built file", layer=name)
            _verify_staged(layer, staged)
            written = _install(staged, root)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        manifest["built"] = _rel_files(written, root)
        manifest["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        _write_manifest(root, name, manifest)
        for rel in written:
            _say(f"{name}: built {rel}", quiet)
        out.update(written)
    return out


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


# ------------------------------------------------------------------------------ CLI


def _cmd_fetch(args) -> int:
    progress = not args.quiet
    for name in args.layers:
        files = fetch(
            name,
            force=args.force,
            progress=progress,
            convert=not args.no_build,
            base_url=args.base_url,
        )
        for rel, p in sorted(files.items()):
            print(f"{name}\t{rel}\t{p}")
    return 0


def _cmd_build(args) -> int:
    names = args.layers or [None]
    n = 0
    for name in names:
        written = build(name, quiet=args.quiet)
        for rel, p in sorted(written.items()):
            print(f"{rel}\t{p}")
        n += len(written)
    if n == 0:
        print("nothing to build (no fetched layer has a converter)", file=sys.stderr)
    return 0


def _cmd_list(args) -> int:
    import pandas as pd

    df = fetch_status(data_dir=args.data_dir, include_all=args.all)
    cols = ["layer", "family", "fetchable", "pinned", "needs", "fetched", "available"]
    if args.verbose:
        cols += ["fetched_at", "location", "url"]
    with pd.option_context("display.max_colwidth", 120, "display.width", 250):
        print(df[cols].to_string(index=False) if len(df) else "no fetchable layer")
    print(f"cache: {user_cache_dir()}", file=sys.stderr)
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``siting data fetch|build|list`` on the CLI's sub-command parsers.

    Parameters
    ----------
    subparsers
        The object returned by ``ArgumentParser.add_subparsers`` in
        :func:`siting.cli.build_parser`. Each command sets ``func`` (returns an exit
        status), as the other sub-commands do.
    """
    p = subparsers.add_parser(
        "data", help="download official datasets into the cache and build compact files"
    )
    sub = p.add_subparsers(dest="data_command", required=True)

    f = sub.add_parser("fetch", help="download (and verify, and build) catalog layers")
    f.add_argument("layers", nargs="+", metavar="LAYER", help="catalog layer name(s)")
    f.add_argument("--force", action="store_true", help="download again even if cached")
    f.add_argument("--no-build", action="store_true", help="do not run the converter")
    f.add_argument("--quiet", action="store_true", help="no progress bar or status lines")
    f.add_argument(
        "--base-url",
        default=None,
        help=f"mirror replacing scheme and host of the URLs (default: ${BASE_URL_ENV})",
    )
    f.set_defaults(func=_cmd_fetch)

    b = sub.add_parser("build", help="run the converters of fetched layers")
    b.add_argument("layers", nargs="*", metavar="LAYER", help="default: every fetched layer")
    b.add_argument("--quiet", action="store_true", help="no status lines")
    b.set_defaults(func=_cmd_build)

    ls = sub.add_parser("list", help="fetchable layers: pinned or live, fetched, available")
    ls.add_argument("--data-dir", help="extra data directory for the availability column")
    ls.add_argument("--all", action="store_true", help="also layers without a fetch table")
    ls.add_argument("-v", "--verbose", action="store_true", help="show time, location, URL")
    ls.set_defaults(func=_cmd_list)


__all__ = [
    "BASE_URL_ENV",
    "FetchSpec",
    "add_cli",
    "build",
    "expected_sha256",
    "fetch",
    "fetch_spec",
    "fetch_status",
    "read_manifest",
    "resolve_url",
]
