"""The main job, end to end: sites -> layers joined -> model -> decisions -> outputs.

The CLI (``siting run``), the app and the notebooks call :func:`run`; none of them
hold a second copy of this logic.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

#: Sites from which :func:`run` uses the chunked engine (climate per 0.25-degree cell,
#: results streamed to GeoParquet); below it the in-memory path with climate sampled at
#: each site. A speed/memory switch, not a physical constant: at 10,000 sites the
#: in-memory path takes about 1 s of climate per 10,000 sites and under 1 GB.
DEFAULT_LARGE_THRESHOLD = 10_000


@dataclass
class RunResult:
    """Everything one run produced, for outputs and reports.

    Attributes
    ----------
    sites : GeoDataFrame
        The validated input sites.
    joined : GeoDataFrame
        Sites with every layer column (``docs/columns.md``).
    assessment : siting.model.Assessment
        ``.annual`` (xarray, site x year), ``.summary`` (per-site totals),
        ``.assumptions`` (parameter, value, unit, source).
    ranked : GeoDataFrame
        The summary with ``score``, ``rank``, ``excluded``, ``exclusion_reason``.
    coverage : DataFrame
        Sites per layer family and level.
    weights, exclusions : the decision settings used.
    futures : DataFrame or None
        Both futures per site (:func:`siting.decide.futures.compare_futures`): rank and
        lifetime totals if the product survives and if it is shut down early, and what
        each year after the shutdown costs. ``shutdown_scenario`` is the scenario of the
        shut-down future; ``shutdown_is_example`` says its product life is the stated
        example rather than the user's.
    large : siting.scale.run_large.LargeRun or None
        Set when the run went through the chunked engine (``large_threshold``): then
        ``sites``, ``joined``, ``ranked``, ``assessment`` and ``futures`` hold only the
        top ``large.report_top`` sites, and every site is in ``large.path``.
    datasets : DataFrame
        The catalog layers that supplied values (name, vintage, source, licence, sha256).
    """

    sites: gpd.GeoDataFrame
    joined: gpd.GeoDataFrame
    assessment: Any
    ranked: gpd.GeoDataFrame
    coverage: pd.DataFrame
    weights: dict[str, float] = field(default_factory=dict)
    exclusions: list = field(default_factory=list)
    datasets: pd.DataFrame | None = None
    inputs: list[str] = field(default_factory=list)
    futures: pd.DataFrame | None = None
    shutdown_scenario: Any = None
    shutdown_is_example: bool = False
    carbon_price_usd_per_t: float | None = None
    large: Any = None

    @property
    def fleet(self):
        return self.assessment.fleet

    @property
    def scenario(self):
        return self.assessment.scenario

    @property
    def facility(self):
        return self.assessment.facility


def used_datasets(joined: pd.DataFrame, data_dir=None) -> pd.DataFrame:
    """Catalog rows of the layers that supplied at least one joined value."""
    from siting.layers.catalog import load_catalog, sha256_file

    cat = load_catalog()
    used: set[str] = set()
    for col in joined.columns:
        if col.endswith("_layer") and (
            joined[col].dtype == object or pd.api.types.is_string_dtype(joined[col])
        ):
            used.update(v for v in joined[col].dropna().unique() if isinstance(v, str) and v)
    rows = []
    for lyr in cat:
        if lyr.name not in used:
            continue
        try:
            files = cat.locate(lyr, data_dir, verify=False) or {}
        except Exception:  # noqa: BLE001 - listing only
            files = {}
        rows.append(
            {
                "layer": lyr.name,
                "title": lyr.title,
                "level": lyr.level,
                "vintage": lyr.vintage,
                "source": lyr.source,
                "licence": lyr.licence,
                "citation": lyr.citation,
                "url": lyr.urls[0] if lyr.urls else "",
                "sha256": "; ".join(sha256_file(p) for p in files.values()),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "layer",
            "title",
            "level",
            "vintage",
            "source",
            "licence",
            "citation",
            "url",
            "sha256",
        ],
    )


def run(
    sites: str | os.PathLike | gpd.GeoDataFrame,
    fleet=None,
    scenario=None,
    facility=None,
    *,
    data_dir: str | os.PathLike | None = None,
    weights: Mapping[str, float] | None = None,
    exclusions: Sequence | None = None,
    force_include: Sequence[str] | None = None,
    join_options: Mapping[str, Any] | None = None,
    read_options: Mapping[str, Any] | None = None,
    progress: bool = False,
    futures: bool = True,
    carbon_price_usd_per_t: float | None = None,
    cooling_choice=None,
    large_threshold: int | None = DEFAULT_LARGE_THRESHOLD,
    out_dir: str | os.PathLike | None = None,
    chunk_size: int | None = None,
    report_top: int | None = None,
    workers: int | None = None,
    large_gpkg: str | os.PathLike | None = None,
    wait: bool = True,
) -> RunResult:
    """Run the whole job on a sites file or table.

    Parameters
    ----------
    sites
        Path to a sites file, or a table already read with :func:`siting.read_sites`.
    fleet, scenario, facility
        :class:`siting.Fleet`, :class:`siting.Scenario`, :class:`siting.Facility`
        (defaults: 50,000 H100-SXM, the default scenario, hyperscale tower_economizer).
    data_dir
        Extra data directory (see :mod:`siting.paths`).
    weights
        Criterion -> weight for the ranking (default: :data:`siting.decide.DEFAULT_WEIGHTS`).
    exclusions
        Exclusion rules (strings like ``"grid_co2_g_per_kwh > 600"`` or dicts).
    force_include
        Site ids kept whatever the exclusions say.
    futures
        Also assess the other future (product survives / shut down early, see
        :mod:`siting.decide.futures`) and add both futures' ranks and the
        after-shutdown cost per year to ``ranked`` (default True).
    carbon_price_usd_per_t
        Carbon price [$ per t CO2e] for the after-shutdown carbon cost (default none).
    cooling_choice
        A :class:`siting.model.CoolingChoice` to choose the cooling design per site
        (``--cooling auto``); the trade-off table is written as ``designs.csv``. On
        the chunked engine the same choice is made per chunk: every site's trade-off
        rows go to ``designs.parquet`` and ``designs.csv`` holds the top sites'.
    large_threshold
        From this many sites on (default :data:`DEFAULT_LARGE_THRESHOLD`; 0: always;
        None: never) the run goes through the chunked engine of
        :func:`siting.scale.screen`: climate once per 0.25-degree climate cell, the
        model once per distinct input row, memory bounded by ``chunk_size``, every site
        streamed to ``out_dir/sites.parquet``; the result then holds the top
        ``report_top`` sites (default 200) and ``large`` (see :class:`RunResult`). The
        same site gets bit-identical numbers from this path and from ``screen``.
    out_dir
        Where the chunked engine writes ``sites.parquet`` (default: a new temporary
        directory).
    workers
        Chunked engine: worker processes computing chunks (default ``min(2,
        os.cpu_count())``; 1: in this process); the same results for any number (see
        :func:`siting.scale.screen`).
    large_gpkg
        Chunked engine: also write every site to this GeoPackage (its summary columns,
        :func:`siting.scale.large_outputs.gpkg_columns`), from the same tables as
        ``sites.parquet`` and at the same time. Ignored by the in-memory path, whose
        GeoPackage :func:`siting.report.write_report` writes.
    wait
        Chunked engine: False returns once the top sites are known, with
        ``sites.parquet`` (and ``large_gpkg``) still being written in the background;
        then call ``result.large.finish()`` before reading them (``abort()`` on an
        error). The CLI renders its reports meanwhile.
    """
    from siting import decide
    from siting.join import join_layers
    from siting.model import Facility, Fleet, Scenario, assess
    from siting.sites import read_sites

    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    inputs: list[str] = []
    if isinstance(sites, (str, os.PathLike)):
        inputs.append(str(sites))
        say(f"[1/4] reading sites from {sites}")
        sites = read_sites(sites, **dict(read_options or {}))
    fleet = fleet or Fleet(gpus=50_000)
    scenario = scenario or Scenario()
    facility = facility or Facility()
    if large_threshold is not None and len(sites) >= large_threshold:
        # read here: handed over in a list so that the engine can release the table
        # after its chunk pass (about 0.3 GB per million sites)
        owned = [sites] if inputs else sites
        del sites
        return _run_chunked(
            owned, fleet, scenario, facility, say, data_dir=data_dir, weights=weights,
            exclusions=exclusions, force_include=force_include, join_options=join_options,
            futures=futures, carbon_price_usd_per_t=carbon_price_usd_per_t, out_dir=out_dir,
            chunk_size=chunk_size, report_top=report_top, progress=progress, inputs=inputs,
            cooling_choice=cooling_choice, workers=workers, gpkg=large_gpkg, wait=wait,
        )  # fmt: skip
    say(f"[2/4] joining {len(sites)} sites to the data layers")
    joined = join_layers(sites, data_dir=data_dir, **dict(join_options or {}))
    say("[3/4] modelling the committed footprint")
    assessment = assess(joined, fleet, scenario, facility, cooling_choice=cooling_choice)
    say("[4/4] ranking")
    w = dict(weights) if weights else dict(decide.DEFAULT_WEIGHTS)
    ranked = decide.rank(
        assessment.summary, w, exclusions=list(exclusions or []), force_include=force_include
    )
    table = shutdown_scenario = None
    is_example = False
    if futures:
        table, shutdown_scenario, is_example = _both_futures(
            joined, assessment, fleet, scenario, facility, w, exclusions, force_include,
            carbon_price_usd_per_t, cooling_choice,
        )  # fmt: skip
        ranked = _with_futures(ranked, table)
    return RunResult(
        sites=sites,
        joined=joined,
        assessment=assessment,
        ranked=ranked,
        coverage=joined.attrs.get("coverage", pd.DataFrame()),
        weights=w,
        exclusions=list(exclusions or []),
        datasets=used_datasets(joined, data_dir),
        inputs=inputs,
        futures=table,
        shutdown_scenario=shutdown_scenario,
        shutdown_is_example=is_example,
        carbon_price_usd_per_t=carbon_price_usd_per_t,
    )


def _run_chunked(sites, fleet, scenario, facility, say, *, out_dir, chunk_size, report_top, **kw):
    """:func:`run` on the chunked engine (:func:`siting.scale.run_large.run_large`)."""
    import tempfile

    from siting.scale.run_large import DEFAULT_REPORT_TOP, run_large

    n = len(sites[0]) if isinstance(sites, list) else len(sites)
    say(f"[2/4] {n:,} sites: chunked engine (join, model, rank per chunk)")
    return run_large(
        sites,
        fleet,
        scenario,
        facility,
        out_dir=out_dir if out_dir is not None else tempfile.mkdtemp(prefix="siting-run-"),
        chunk_size=chunk_size or None,
        report_top=DEFAULT_REPORT_TOP if report_top is None else report_top,
        **kw,
    )


def _both_futures(
    joined,
    assessment,
    fleet,
    scenario,
    facility,
    weights,
    exclusions,
    force_include,
    carbon,
    cooling_choice=None,
):
    """The other future assessed, then both compared (see :mod:`siting.decide.futures`)."""
    from siting.decide.futures import compare_futures, futures_scenarios
    from siting.model import assess

    survives, shut_down, is_example = futures_scenarios(scenario)
    if scenario.product_years is None:
        a_shut = assess(joined, fleet, shut_down, facility, cooling_choice=cooling_choice)
        a_survives = assessment
    else:
        a_survives = assess(joined, fleet, survives, facility, cooling_choice=cooling_choice)
        a_shut = assessment
    table = compare_futures(
        a_survives.summary,
        a_shut.summary,
        shut_down,
        weights=weights,
        exclusions=exclusions,
        force_include=force_include,
        carbon_price_usd_per_t=carbon,
    )
    return table, shut_down, is_example


def _with_futures(ranked, table: pd.DataFrame):
    """``ranked`` with the futures columns joined by site id (rows and order unchanged)."""
    extra = table.drop(columns=[c for c in table.columns if c in ranked.columns and c != "site_id"])
    idx = pd.Index(extra["site_id"]).get_indexer(ranked["site_id"])
    cols = {c: extra[c].to_numpy()[idx] for c in extra.columns if c != "site_id"}
    return ranked.assign(**cols)


def write_outputs(
    result: RunResult, out_dir: str | os.PathLike, *, footprint: bool | None = None
) -> dict[str, Path]:
    """Write ``sites.parquet`` (GeoParquet), ``sites.csv`` and ``footprint.nc`` atomically.

    A run on the chunked engine (``result.large``) already streamed every site to its
    ``sites.parquet`` (copied here if ``out_dir`` is elsewhere); it writes no CSV and
    writes ``footprint.nc`` (every site x year, batch by batch) only with
    ``footprint=True`` (waiting for ``sites.parquet`` when it reads it, see
    ``run(wait=False)``). ``designs.csv`` (the site x cooling-design trade-off) is
    written when the design was chosen per site (on the chunked engine: the top
    sites', every site's being in ``designs.parquet``).
    """
    from siting.io import write_csv, write_geoparquet
    from siting.safe_io import atomic_write, safe_output_path

    if result.large is not None:
        return _write_large_outputs(result, Path(out_dir), bool(footprint))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "sites.parquet": safe_output_path(out, "sites.parquet", result.inputs),
        "sites.csv": safe_output_path(out, "sites.csv", result.inputs),
        "footprint.nc": safe_output_path(out, "footprint.nc", result.inputs),
    }
    write_geoparquet(result.ranked, paths["sites.parquet"], inputs=result.inputs)
    write_csv(result.ranked, paths["sites.csv"], inputs=result.inputs)
    ds = result.assessment.annual

    def _nc(tmp: Path) -> None:
        ds.to_netcdf(tmp, engine="h5netcdf")

    atomic_write(paths["footprint.nc"], _nc)
    designs = getattr(result.assessment, "designs", None)
    if designs is not None:
        paths["designs.csv"] = safe_output_path(out, "designs.csv", result.inputs)
        write_csv(designs, paths["designs.csv"], inputs=result.inputs)
    return paths


def _write_large_outputs(result: RunResult, out: Path, footprint: bool) -> dict[str, Path]:
    import shutil

    from siting.safe_io import safe_output_path

    out.mkdir(parents=True, exist_ok=True)
    target = safe_output_path(out, "sites.parquet", result.inputs)
    src = Path(result.large.path)
    copy = src.resolve() != target.resolve()
    if copy or footprint:
        result.large.finish()  # both read the written file
    if copy:
        shutil.copyfile(src, target)
    paths = {"sites.parquet": target}
    if result.large.designs_path is not None:
        paths.update(_write_large_designs(result, out))
    if footprint:
        from siting.scale.large_outputs import write_footprint_chunked

        nc = safe_output_path(out, "footprint.nc", result.inputs)
        paths["footprint.nc"] = write_footprint_chunked(
            target, nc, result.fleet, result.scenario, result.facility,
            cooling_choice=result.large.cooling_choice,
        )  # fmt: skip
    return paths


def _write_large_designs(result: RunResult, out: Path) -> dict[str, Path]:
    """``designs.parquet`` (every site, copied if ``out`` is elsewhere) and
    ``designs.csv`` (the top sites of the report) of a chunked run."""
    import shutil

    from siting.io import write_csv
    from siting.safe_io import safe_output_path

    target = safe_output_path(out, "designs.parquet", result.inputs)
    src = Path(result.large.designs_path)
    if src.resolve() != target.resolve():
        shutil.copyfile(src, target)
    paths = {"designs.parquet": target}
    designs = getattr(result.assessment, "designs", None)
    if designs is not None:
        paths["designs.csv"] = safe_output_path(out, "designs.csv", result.inputs)
        write_csv(designs, paths["designs.csv"], inputs=result.inputs)
    return paths
