"""The library stages the page caches one by one, and the downloads built from them.

1. sites + data directory -> :func:`join_sites` (the slow, data-bound step)
2. joined + fleet + scenario + facility -> :func:`assess_sites`
3. summary + weights + exclusions -> :func:`rank_sites` (fast: a weight change only re-ranks)
4. the cached stages -> :func:`make_result` -> :func:`report_bytes` / :func:`outputs_zip`

Nothing here computes a footprint or a score of its own.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from siting.app.uploads import capture_warnings
from siting.errors import ConfigError, LayerError

__all__ = [
    "DEFAULT_GPUS",
    "DEFAULT_PRODUCT_YEARS",
    "REPORT_FORMATS",
    "assess_sites",
    "cached_join",
    "config_key",
    "futures_scenarios",
    "futures_table",
    "join_sites",
    "make_result",
    "outputs_zip",
    "rank_sites",
    "report_bytes",
]

#: Fleet size used when the user does not change it: the same default as
#: :func:`siting.pipeline.run` (``Fleet(gpus=50_000)``), so the app opens on the CLI's numbers.
DEFAULT_GPUS = 50_000
#: Product shut-down year offered when the user says the product dies before the end of
#: the commitment: the README's worked example (product shut down after 2 of 15 years).
DEFAULT_PRODUCT_YEARS = 2.0


def config_key(obj: Any) -> str:
    """A hashable, deterministic cache key for a configuration dataclass (its repr)."""
    return repr(obj)


def join_sites(
    sites: gpd.GeoDataFrame, data_dir: str | None = None, catalog: Any = None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Join the sites to every layer (:func:`siting.join.join_layers`), with warnings."""
    from siting.join import join_layers

    _check_data_dir(data_dir)
    return capture_warnings(join_layers, sites, data_dir=data_dir or None, catalog=catalog)


def _check_data_dir(data_dir: str | None) -> None:
    """Raise :class:`LayerError` for a data directory that does not exist."""
    if data_dir:
        import os

        for part in (p for p in str(data_dir).split(os.pathsep) if p):
            if not Path(part).expanduser().is_dir():
                raise LayerError(f"data directory '{part}' does not exist or is not a directory")


def assess_sites(
    joined: gpd.GeoDataFrame, fleet: Any, scenario: Any, facility: Any, cooling_choice: Any = None
) -> Any:
    """The committed footprint of the fleet at every site (:func:`siting.model.assess`);
    with a :class:`siting.model.CoolingChoice` the cooling design is chosen per site."""
    from siting.model import assess

    return assess(joined, fleet, scenario, facility, cooling_choice=cooling_choice)


def rank_sites(
    summary: pd.DataFrame,
    weights: Mapping[str, float],
    exclusions: Sequence[Any] = (),
    force_include: Sequence[str] = (),
) -> pd.DataFrame:
    """Rank the sites (:func:`siting.decide.rank`); weights of 0 are dropped first.

    Raises
    ------
    ConfigError
        All weights zero, unknown criterion or column, bad rule.
    """
    from siting import decide

    w = {k: float(v) for k, v in weights.items() if float(v) > 0}
    if not w:
        raise ConfigError("set at least one criterion weight above 0", field="weights")
    return decide.rank(
        summary, w, exclusions=list(exclusions), force_include=list(force_include) or None
    )


def make_result(
    sites: gpd.GeoDataFrame,
    joined: gpd.GeoDataFrame,
    assessment: Any,
    ranked: pd.DataFrame,
    weights: Mapping[str, float],
    exclusions: Sequence[Any] = (),
    data_dir: str | None = None,
    inputs: Sequence[str] = (),
) -> Any:
    """A :class:`siting.pipeline.RunResult` from the app's cached stages (for outputs)."""
    from siting.pipeline import RunResult, used_datasets

    return RunResult(
        sites=sites,
        joined=joined,
        assessment=assessment,
        ranked=ranked,
        coverage=joined.attrs.get("coverage", pd.DataFrame()),
        weights=dict(weights),
        exclusions=list(exclusions),
        datasets=used_datasets(joined, data_dir or None),
        inputs=list(inputs),
    )


def _report_formats() -> dict[str, tuple[str, str]]:
    """Report format -> (file suffix, MIME type), empty when siting.report is absent."""
    try:
        from siting.report import FORMATS, write_report  # noqa: F401 - presence check
    except ImportError:
        return {}
    mime = {
        ".html": "text/html",
        ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".gpkg": "application/geopackage+sqlite3",
        ".parquet": "application/vnd.apache.parquet",
    }
    return {f: (sfx, mime.get(sfx, "application/octet-stream")) for f, sfx in FORMATS.items()}


#: Formats of :func:`siting.report.write_report` offered for download, with suffix and MIME.
REPORT_FORMATS: dict[str, tuple[str, str]] = _report_formats()


def report_bytes(result: Any, fmt: str) -> bytes:
    """One report file (:func:`siting.report.write_report`) as bytes, via a temp dir."""
    from siting.report import write_report

    with tempfile.TemporaryDirectory(prefix="siting-report-") as tmp:
        out = write_report(result, tmp, [fmt])
        return Path(out[fmt]).read_bytes()


def outputs_zip(result: Any) -> bytes:
    """``sites.csv``, ``sites.parquet`` and ``footprint.nc``
    (:func:`siting.pipeline.write_outputs`) zipped."""
    import io
    import zipfile

    from siting.pipeline import write_outputs

    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="siting-out-") as tmp:
        paths = write_outputs(result, tmp)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, path in paths.items():
                z.write(path, arcname=name)
    return buf.getvalue()


def futures_scenarios(scenario: Any) -> tuple[Any, Any, bool]:
    """``(survives, shut_down, shutdown_is_example)`` for the page's scenario
    (:func:`siting.decide.futures.futures_scenarios`)."""
    from siting.decide.futures import futures_scenarios as lib

    return lib(scenario)


def futures_table(
    survives: pd.DataFrame,
    shut_down: pd.DataFrame,
    scenario_shut_down: Any,
    weights: Mapping[str, float],
    exclusions: Sequence[Any] = (),
    force_include: Sequence[str] = (),
) -> pd.DataFrame:
    """Both futures per site (:func:`siting.decide.futures.compare_futures`), ranked with
    the page's weights (weights of 0 dropped, as in :func:`rank_sites`)."""
    from siting.decide.futures import compare_futures

    w = {k: float(v) for k, v in weights.items() if float(v) > 0}
    if not w:
        raise ConfigError("set at least one criterion weight above 0", field="weights")
    return compare_futures(
        survives,
        shut_down,
        scenario_shut_down,
        weights=w,
        exclusions=list(exclusions),
        force_include=list(force_include) or None,
    )


#: Package folders whose code the joined table depends on (their sources key the join
#: cache of :func:`cached_join`): the join, the layer readers, the site reader.
_JOIN_CODE = ("join.py", "sites.py", "paths.py", "errors.py", "layers", "io.py", "safe_io.py")


def _join_key(site_file: str | Path, data_dir: str | None) -> str:
    """Key of a bundled example's join: the site file's bytes, every file of the data
    directories searched (path, size, modification time) and the join code's sources."""
    import hashlib
    import os

    from siting.paths import data_dirs, user_cache_dir

    h = hashlib.sha256(Path(site_file).read_bytes())
    own = (user_cache_dir() / "app").resolve()
    for d in data_dirs(data_dir or None):
        for root, dirs, files in os.walk(d):
            if Path(root).resolve() == own:
                dirs[:] = []
                continue
            dirs.sort()
            for f in sorted(files):
                p = Path(root) / f
                try:
                    st = p.stat()
                except OSError:
                    continue
                h.update(f"{p}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    pkg = Path(__file__).resolve().parents[1]
    for part in _JOIN_CODE:
        for src in sorted((pkg / part).rglob("*.py")) if (pkg / part).is_dir() else [pkg / part]:
            h.update(src.read_bytes())
    h.update(os.environ.get("SITING_VERIFY_CHECKSUMS", "").encode())
    return h.hexdigest()[:24]


def cached_join(
    sites: gpd.GeoDataFrame,
    site_file: str | Path,
    data_dir: str | None = None,
    catalog: Any = None,
    cache_dir: str | Path | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """:func:`join_sites` of a *bundled example* file, kept on disk between app starts.

    The join of the bundled campuses is the slowest part of the app's first page and
    depends only on public inputs: the example file, the data directories and the join
    code. It is written once as GeoParquet under ``cache_dir`` (default ``<siting user
    cache>/app``), named by :func:`_join_key`, which changes when any of those change.
    Never used for uploads (a user's sites are never written to disk by the app).
    """
    import json

    if cache_dir is None:
        from siting.paths import user_cache_dir

        cache_dir = user_cache_dir() / "app"
    _check_data_dir(data_dir)
    key = _join_key(site_file, data_dir)
    folder = Path(cache_dir) / f"join-{key}"
    try:
        meta = json.loads((folder / "meta.json").read_text())
        joined = gpd.read_parquet(folder / "joined.parquet")
        joined = joined.astype({c: d for c, d in meta["dtypes"].items() if c in joined.columns})
        joined.attrs["coverage"] = pd.read_parquet(folder / "coverage.parquet")
        return joined, list(meta["warnings"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    joined, msgs = join_sites(sites, data_dir, catalog)
    try:
        tmp = Path(tempfile.mkdtemp(prefix="siting-join-"))
        plain = joined.copy()
        plain.attrs = {}
        plain.to_parquet(tmp / "joined.parquet")
        cov = joined.attrs.get("coverage")
        (cov if cov is not None else pd.DataFrame()).to_parquet(tmp / "coverage.parquet")
        dtypes = {c: str(t) for c, t in joined.dtypes.items() if c != joined.geometry.name}
        (tmp / "meta.json").write_text(json.dumps({"dtypes": dtypes, "warnings": msgs}))
        folder.parent.mkdir(parents=True, exist_ok=True)
        import shutil

        shutil.move(str(tmp), str(folder))
    except (OSError, ValueError, TypeError):
        pass
    return joined, msgs
