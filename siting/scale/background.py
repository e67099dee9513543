"""The every-site files of a large run written while its reports render.

After the global ranking every site's row is in memory (the pass-1 store's tables
with the rank columns appended, buffers shared). From those tables

* ``sites.parquet`` is written by a thread of this process (Arrow's Parquet writer
  releases the GIL while it encodes and compresses, so the reports rendered here
  meanwhile keep their core), and
* the every-site GeoPackage, when asked for, by a *forked* process (GDAL holds the GIL
  for the whole write, which would stall this process; the fork shares the tables
  copy-on-write, nothing is pickled or re-read from disk).

When the tables did not fit in memory (the pass-1 store spilled to disk),
``sites.parquet`` is written first, in the caller's thread, and the forked process
reads the GeoPackage's columns back from it. Both writes are atomic (a hidden part file
moved into place when complete). The caller collects them with
:meth:`PendingWrites.finish` (which raises the first error) or, on its own error,
:meth:`PendingWrites.abort` (which stops them; no partial file stays). Where the
platform cannot fork (:func:`siting.scale.parallel.can_fork`) the GeoPackage is written
by a second thread (correct, but sharing the GIL).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pyarrow as pa

#: What the forked GeoPackage process reads (set in this process just before the fork).
_GPKG_STATE: dict | None = None


def _gpkg_in_child(_: int) -> Path:
    s = _GPKG_STATE
    return s["write"]()


class PendingWrites:
    """``sites.parquet`` and optionally the every-site GeoPackage, being written.

    Parameters
    ----------
    parquet : Path
        Where ``sites.parquet`` goes (with ``tables`` None: where it already is).
    schema : pyarrow.Schema, optional
        The output schema of ``tables`` (GeoParquet metadata included).
    tables : list of pyarrow.Table, optional
        Every site's row, in row order; None when ``parquet`` is already written.
    gpkg : Path, optional
        Where the every-site GeoPackage goes (``note``: its layer description).
    """

    def __init__(
        self,
        parquet: Path,
        schema: pa.Schema | None = None,
        tables: list[pa.Table] | None = None,
        gpkg: Path | None = None,
        note: str | None = None,
    ) -> None:
        self.parquet, self.gpkg = Path(parquet), None if gpkg is None else Path(gpkg)
        self.seconds: dict[str, float] = {}
        self._tables, self._schema, self._note = tables, schema, note
        self._stop = threading.Event()
        self._errors: list[BaseException] = []
        self._done: dict[str, Path] | None = None
        self._t0 = time.perf_counter()
        # the fork comes first: no thread of ours is running while the process forks
        self._gpkg: Future | None = None if gpkg is None else self._start_gpkg()
        self._thread = None
        if tables is not None:
            self._thread = threading.Thread(target=self._write_parquet, name="siting-parquet")
            self._thread.start()

    def _write_parquet(self) -> None:
        from siting.scale.store import write_parquet_tables

        try:
            write_parquet_tables(self.parquet, self._schema, self._tables, stop=self._stop.is_set)
        except BaseException as e:  # raised by finish(), in the caller's thread
            self._errors.append(e)
        self.seconds["sites.parquet"] = time.perf_counter() - self._t0

    def _write_gpkg(self, stop=None) -> Path:
        from siting.scale.large_outputs import write_gpkg_all, write_gpkg_tables

        if self._tables is None:
            return write_gpkg_all(self.parquet, self.gpkg, note=self._note)
        return write_gpkg_tables(self._tables, self._schema, self.gpkg, note=self._note, stop=stop)

    def _start_gpkg(self) -> Future:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

        from siting.scale.parallel import can_fork

        global _GPKG_STATE
        if can_fork():
            _GPKG_STATE = {"write": self._write_gpkg}
            pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"))
            try:
                fut = pool.submit(_gpkg_in_child, 0)  # the process forks here
                pool.shutdown(wait=False)
                return fut
            except OSError:  # the fork failed (e.g. no memory for the process table)
                pool.shutdown(wait=False, cancel_futures=True)
            finally:
                _GPKG_STATE = None
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="siting-gpkg")
        fut = pool.submit(self._write_gpkg, self._stop.is_set)
        pool.shutdown(wait=False)
        return fut

    def _gpkg_result(self) -> Path:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._gpkg.result()
        except BrokenProcessPool:
            # the process died (e.g. killed for memory; its part file is never moved
            # into place): the GeoPackage is written here instead
            return self._write_gpkg()

    def finish(self) -> dict[str, Path]:
        """Wait for the writes; their paths (``sites.parquet``, ``gpkg``). Raises the
        first error of either write (after waiting for both)."""
        if self._done is not None:
            return dict(self._done)
        if self._thread is not None:
            self._thread.join()
        paths = {"sites.parquet": self.parquet}
        try:
            if self._gpkg is not None:
                paths["gpkg"] = self._gpkg_result()
                self.seconds["gpkg"] = time.perf_counter() - self._t0
        finally:
            self._tables = None
        if self._errors:
            raise self._errors[0]
        self._done = paths
        return dict(paths)

    def abort(self) -> None:
        """Stop the writes and wait for them (the thread stops before its next table
        and removes its part file; the GeoPackage process is left to finish); their
        errors are dropped, the caller being on its way out with its own."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._gpkg is not None:
            self._gpkg.exception()
        self._tables = None
        self._done = {}
