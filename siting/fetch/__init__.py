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

Layout: :mod:`siting.fetch.spec` (the fetch table, URLs), :mod:`siting.fetch.download`
(pooch download), :mod:`siting.fetch.archive` (archive safety and extraction),
:mod:`siting.fetch.cache` (manifests, verify, install, status), :mod:`siting.fetch.steps`
(:func:`fetch` and :func:`build`) and :mod:`siting.fetch.cli` (``siting data``).
"""

from __future__ import annotations

from siting.fetch.cache import MANIFEST_DIR, fetch_status, read_manifest
from siting.fetch.cli import add_cli
from siting.fetch.download import DEFAULT_RETRIES, DOWNLOAD_TIMEOUT_S
from siting.fetch.spec import (
    ARCHIVE_KINDS,
    BASE_URL_ENV,
    DOWNLOAD_DIR,
    FETCH_KEYS,
    FetchSpec,
    expected_sha256,
    fetch_spec,
    resolve_url,
)
from siting.fetch.steps import build, fetch

__all__ = [
    "ARCHIVE_KINDS",
    "BASE_URL_ENV",
    "DEFAULT_RETRIES",
    "DOWNLOAD_DIR",
    "DOWNLOAD_TIMEOUT_S",
    "FETCH_KEYS",
    "MANIFEST_DIR",
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
