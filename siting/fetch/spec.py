"""A layer's ``[layer.fetch]`` table validated (schema in :mod:`siting.fetch`), the
sha256 a download is checked against, and the URL with its secrets filled in or redacted."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit, urlunsplit

from siting.errors import LayerError
from siting.layers.catalog import Layer

#: environment variable overriding scheme and host of every fetch URL
BASE_URL_ENV = "SITING_FETCH_BASE_URL"


#: cache sub-directory of raw downloads that are not themselves catalog files
DOWNLOAD_DIR = "_downloads"


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


def safe_rel(rel: str, *, what: str, layer: str) -> str:
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
    raw = _fetch_table(layer)
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
        extract_to = safe_rel(extract_to, what="extract_to", layer=layer.name)
    members, prefixes = _members(raw.get("members") or {}, layer.name, extract_to)
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
        build_from = safe_rel(build_from, what="build_from", layer=layer.name)
    filename = raw.get("filename")
    if filename is None:
        # the download is the layer's file unless it is unpacked or converted
        derived = bool(members or prefixes or build)
        derived = derived or extract_to is not None or archive is not None
        filename = _default_filename(layer, url, unpacked=derived)
    filename = safe_rel(filename, what="filename", layer=layer.name)
    for f in layer.files:
        safe_rel(f.path, what="catalog file path", layer=layer.name)
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


def _fetch_table(layer: Layer) -> dict:
    """The layer's raw ``[layer.fetch]`` table; an error when absent or with unknown keys."""
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
    return raw


def _members(
    members_raw, layer_name: str, extract_to: str | None
) -> tuple[dict[str, str], tuple[str, ...]]:
    """``members`` as ``(member -> cache-relative path, ())`` for a table, or
    ``({}, prefixes)`` for a list of member names / folder prefixes."""
    if isinstance(members_raw, dict):
        members = {
            str(k): safe_rel(v, what="member destination", layer=layer_name)
            for k, v in members_raw.items()
        }
        return members, ()
    if isinstance(members_raw, list) and all(isinstance(m, str) for m in members_raw):
        if extract_to is None:
            raise LayerError(
                f"layer '{layer_name}': a list of members needs extract_to (or unpack_to)"
            )
        return {}, tuple(members_raw)
    raise LayerError(
        f"layer '{layer_name}': [layer.fetch] members must be a table (archive member = "
        "cache-relative path) or a list of member names / folder prefixes ending in '/'"
    )


def _default_filename(layer: Layer, url: str, *, unpacked: bool) -> str:
    """Where the download is kept without ``filename``: the layer's only catalog file
    when the download is that file, else ``_downloads/<layer>/<last URL segment>``."""
    if len(layer.files) == 1 and not unpacked:
        return layer.files[0].path
    last = PurePosixPath(urlsplit(url).path).name or "download"
    last = re.sub(r"[^A-Za-z0-9._-]", "_", last)
    return f"{DOWNLOAD_DIR}/{layer.name}/{last}"


def catalog_sha(layer: Layer, rel: str) -> str | None:
    for f in layer.files:
        if f.path == rel:
            return f.sha256
    return None


def expected_sha256(layer: Layer, spec: FetchSpec | None = None) -> str | None:
    """sha256 the download is verified against (None: a live, unpinned dataset)."""
    spec = spec or fetch_spec(layer)
    return spec.sha256 or catalog_sha(layer, spec.filename)


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


def redact(text: str, spec: FetchSpec) -> str:
    for v in spec.env_vars:
        val = os.environ.get(v)
        if val:
            text = text.replace(val, "{" + v + "}")
    return text
