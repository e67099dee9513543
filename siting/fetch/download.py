"""One download: streamed by pooch to a temporary file, sha256 checked, retried, then
moved into place; network and checksum failures as clear errors with secrets redacted."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from siting.errors import ChecksumError, LayerError
from siting.fetch.spec import FetchSpec, redact
from siting.layers.catalog import sha256_file

#: retries after a failed attempt (network error, HTTP error status, checksum mismatch);
#: pooch waits 1 s, 2 s, 3 s ... between attempts
DEFAULT_RETRIES = 3


#: seconds without data after which a download attempt fails (requests timeout)
DOWNLOAD_TIMEOUT_S = 120


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


def download(
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
            f"attempt(s) ({what}: {redact(str(e), spec)[:200]}). {spec.note}".rstrip()
        ) from None
    return sha256_file(dest)
