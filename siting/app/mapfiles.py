"""The map's layer data as JSON: compact bytes, ``data:`` URLs and content-named files."""

from __future__ import annotations

import math
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MAP_FILES_KEEP", "MapFiles", "data_url", "json_bytes"]

#: Map data files kept in the app's static folder by :class:`MapFiles`: the most recently
#: used ones (a disk bound, not a physical constant: about 1 MB per 10,000 sites, 0.6 MB
#: for the world's boundaries). Older files are deleted when a new one is written.
MAP_FILES_KEEP = 64


def json_bytes(obj: Any) -> bytes:
    """Compact JSON (UTF-8) of a layer's data: a GeoJSON dict, a list or a DataFrame.

    A DataFrame becomes a list of records (pandas' C encoder, NaN -> null); elsewhere
    NaN / inf become null (JSON has no such numbers). The same data always gives the same
    bytes, so a file named by their hash names the content (:class:`MapFiles`).
    """
    import json

    if isinstance(obj, pd.DataFrame):
        return obj.to_json(orient="records", double_precision=10).encode()
    try:
        text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a NaN / inf somewhere
        text = json.dumps(_nan_to_none(obj), separators=(",", ":"), allow_nan=False)
    return text.encode()


def data_url(obj: Any) -> str:
    """``data:application/json;base64,...`` of a layer's data (:func:`json_bytes`)."""
    import base64

    return "data:application/json;base64," + base64.b64encode(json_bytes(obj)).decode("ascii")


def _nan_to_none(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_nan_to_none(v) for v in obj]
    if isinstance(obj, np.generic):
        return _nan_to_none(obj.item())
    return obj


class MapFiles:
    """The map's layer data as content-addressed JSON files served by the app's server.

    Streamlit serves the files of the ``static`` folder next to the app at
    ``<base URL>/app/static/<name>`` (``server.enableStaticServing``); deck.gl layers
    accept such a URL as their ``data`` and fetch it themselves. The map spec sent on
    each rerun then holds a short URL per layer instead of the data, and a layer whose
    data did not change keeps the same URL, which deck.gl does not load again.

    * Names are ``map-<kind>-<hash>.json``: ``kind`` is one of :attr:`KINDS` (never user
      text) and ``hash`` the first 24 hex digits of the content's SHA-256, so a name
      always means the same content (safe to cache, safe to share between sessions).
    * Files are written to a temporary file in the same folder and renamed into place
      (readers never see a partial file; concurrent writers of one name write the same
      bytes).
    * At most ``keep`` files (the most recently used; a reuse touches the file) are kept:
      writing a new file deletes the older ones. Only names of this form are ever
      deleted.

    Parameters
    ----------
    directory
        The app's static folder (created if missing).
    url_prefix
        URL path under which Streamlit serves ``directory`` (``/app/static``, or
        ``/<baseUrlPath>/app/static``): same origin as the page.
    keep
        Number of files kept (:data:`MAP_FILES_KEEP`).
    """

    KINDS = ("base", "shaded", "sites")
    _NAME = re.compile(r"^map-(?:base|shaded|sites)-[0-9a-f]{24}\.json$")
    _TMP = re.compile(r"^\.map-tmp-[A-Za-z0-9_]+\.part$")

    def __init__(
        self, directory: str | Path, url_prefix: str = "/app/static", keep: int = MAP_FILES_KEEP
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.url_prefix = "/" + url_prefix.strip("/")
        self.keep = max(int(keep), 1)
        # id(obj) -> (obj, name) of objects passed with stable=True (kept alive here so
        # their id is not reused); bounded; shared by the app's sessions (threads)
        self._stable: dict[int, tuple[Any, str]] = {}
        self._lock = threading.Lock()

    @classmethod
    def usable(cls, directory: str | Path, url_prefix: str = "/app/static") -> MapFiles | None:
        """A :class:`MapFiles` on ``directory``, or None when it cannot be written."""
        import os

        try:
            files = cls(directory, url_prefix)
        except OSError:
            return None
        return files if os.access(files.directory, os.W_OK | os.X_OK) else None

    def url(self, obj: Any, kind: str, *, stable: bool = False) -> str:
        """The URL of ``obj``'s JSON (:func:`json_bytes`), written if not there yet.

        ``stable=True`` says ``obj`` is never modified (e.g. held by
        ``st.cache_resource``): its name is remembered by identity and its JSON is not
        built again on later calls.
        """
        if kind not in self.KINDS:
            raise ValueError(f"unknown map file kind {kind!r}; expected one of {self.KINDS}")
        with self._lock:
            hit = self._stable.get(id(obj)) if stable else None
        try:
            if hit is not None and hit[0] is obj:
                name = hit[1]
                if not self._touch(self.directory / name):
                    self._write(self.directory / name, json_bytes(obj))
            else:
                name = self.put(json_bytes(obj), kind)
                if stable:
                    with self._lock:
                        if len(self._stable) >= 16:
                            self._stable.pop(next(iter(self._stable)))
                        self._stable[id(obj)] = (obj, name)
        except OSError:  # folder gone or not writable: the data travels inline instead
            return data_url(obj)
        return f"{self.url_prefix}/{name}"

    def put(self, payload: bytes, kind: str) -> str:
        """Store ``payload`` under its content name; returns the file name."""
        import hashlib

        if kind not in self.KINDS:
            raise ValueError(f"unknown map file kind {kind!r}; expected one of {self.KINDS}")
        name = f"map-{kind}-{hashlib.sha256(payload).hexdigest()[:24]}.json"
        path = self.directory / name
        if not self._touch(path):
            self._write(path, payload)
        return name

    @staticmethod
    def _touch(path: Path) -> bool:
        """Mark ``path`` as just used; False when it does not exist."""
        import os

        try:
            os.utime(path)
        except FileNotFoundError:
            return False
        return True

    def _write(self, path: Path, payload: bytes) -> None:
        import os

        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".map-tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.prune()

    def prune(self) -> list[str]:
        """Delete map files beyond the ``keep`` most recently used (and temporary files
        left by an interrupted write over an hour ago); returns the deleted names."""
        import os
        import time

        ours: list[tuple[float, str]] = []
        gone: list[str] = []
        now = time.time()
        with os.scandir(self.directory) as it:
            for e in it:
                try:
                    if self._NAME.match(e.name):
                        ours.append((e.stat().st_mtime, e.name))
                    elif self._TMP.match(e.name) and now - e.stat().st_mtime > 3600:
                        gone.append(e.name)
                except FileNotFoundError:  # deleted meanwhile by another session
                    continue
        ours.sort(reverse=True)
        gone += [name for _, name in ours[self.keep :]]
        for name in gone:
            (self.directory / name).unlink(missing_ok=True)
        return gone
