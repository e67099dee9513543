"""Portfolio of sites: where to put a total IT capacity under water, carbon and cost limits.

Entry points: :func:`portfolio` (one solve), :func:`portfolio_draws` (one solve per Monte
Carlo draw: how often each site is chosen), :func:`after_product` (the product survives
vs is shut down after N years), :func:`load_run` (a ``siting run`` output directory) and
:func:`write_portfolio` (GeoPackage / GeoParquet / CSV). Method: ``docs/method_decide.md``.

Example::

    import siting
    res = siting.run("data/examples/campuses.csv")
    pf = siting.portfolio(res, target_mw=1000, objective="co2_scope2",
                          constraints={"caps_mw": {"country_iso3": 300}})
    pf.chosen[["site_id", "mw", "co2_scope2_t"]]
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.decide.portfolio_milp import solve
from siting.decide.portfolio_model import (
    OBJECTIVES,
    PLANT_MODES,
    QUANTITIES,
    Constraints,
    PortfolioResult,
    _fixed_parts,
    coefficients,
    fixed_shares,
)
from siting.decide.portfolio_robust import (
    AfterProductResult,
    DrawsResult,
    after_product,
    portfolio_draws,
)
from siting.errors import ConfigError, SiteInputError

__all__ = [
    "AfterProductResult",
    "DrawsResult",
    "OBJECTIVES",
    "PLANT_MODES",
    "QUANTITIES",
    "Constraints",
    "LoadedRun",
    "PortfolioResult",
    "after_product",
    "coefficients",
    "fixed_shares",
    "load_run",
    "parse_constraints",
    "portfolio",
    "portfolio_draws",
    "portfolio_tables",
    "solve",
    "write_portfolio",
]

#: Columns carried into the portfolio's site table when present (for maps and GIS).
_CARRY = ("name", "country_iso3", "region_code", "grid_zone", "aware_basin_id", "rank", "score")


@dataclasses.dataclass
class LoadedRun:
    """A run read back from its output directory (see :func:`load_run`)."""

    ranked: Any
    assessment: Any
    joined: Any
    weights: dict[str, float] = dataclasses.field(default_factory=dict)
    exclusions: list = dataclasses.field(default_factory=list)
    inputs: list[str] = dataclasses.field(default_factory=list)

    @property
    def fleet(self):
        return self.assessment.fleet

    @property
    def scenario(self):
        return self.assessment.scenario

    @property
    def facility(self):
        return self.assessment.facility


def _objective_column(objective: str) -> str:
    if objective in OBJECTIVES:
        return OBJECTIVES[objective]
    if objective in OBJECTIVES.values():
        return objective
    raise ConfigError(
        f"unknown objective {objective!r}; known: {', '.join(OBJECTIVES)}", field="objective"
    )


def _table_and_fixed(result: Any, design_mw: float | None):
    """``(table, design_mw, fixed parts or None)`` from a run or a plain table."""
    if isinstance(result, pd.DataFrame):
        if design_mw is None:
            raise ConfigError(
                "a plain site table needs design_mw: the IT capacity its totals are for [MW]",
                field="design_mw",
            )
        return result, float(design_mw), None
    ranked = getattr(result, "ranked", None)
    a = getattr(result, "assessment", None)
    if ranked is None or a is None:
        raise ConfigError(
            "result must be a RunResult, a loaded run or a site table", field="result"
        )
    d = float(design_mw) if design_mw is not None else float(a.fleet.design_it_mw)
    fixed = None
    if getattr(a, "annual", None) is not None and a.facility is not None:
        fixed = _fixed_parts(ranked, a.annual, fixed_shares(a.fleet, a.facility, a.scenario))
    return ranked, d, fixed


def _blocked(table: pd.DataFrame, cons: Constraints) -> np.ndarray:
    n = len(table)
    reason = np.full(n, "", dtype=object)
    ids = table["site_id"].astype(str).to_numpy()
    if cons.use_run_exclusions and "excluded" in table.columns:
        exc = table["excluded"].fillna(False).to_numpy(dtype=bool)
        why = (
            table["exclusion_reason"].fillna("").astype(str).to_numpy()
            if "exclusion_reason" in table.columns
            else np.full(n, "", dtype=object)
        )
        reason[exc] = ["excluded" + (f" ({w})" if w else "") for w in why[exc]]
    extra = {str(s) for s in cons.exclude_sites}
    unknown = extra - set(ids)
    if unknown:
        raise ConfigError(
            f"exclude_sites names unknown site(s) {', '.join(sorted(unknown)[:3])}",
            field="exclude_sites",
        )
    hit = np.isin(ids, list(extra)) & (reason == "")
    reason[hit] = "excluded by the portfolio settings"
    return reason


def portfolio(
    result: Any,
    target_mw: float,
    *,
    objective: str = "co2_scope2",
    constraints: Constraints | Mapping[str, Any] | None = None,
    plant: str = "as_built",
    max_mw: str | float | None = None,
    min_block_mw: float = 0.0,
    design_mw: float | None = None,
    mip_rel_gap: float = 1e-3,
    time_limit_s: float | None = None,
    diagnose: bool = True,
) -> PortfolioResult:
    """Choose the sites and sizes that meet ``target_mw`` at least ``objective``.

    Parameters
    ----------
    result
        :class:`siting.pipeline.RunResult`, a :class:`LoadedRun`, or a per-site table of
        lifetime totals at ``design_mw`` (``site_id`` and the quantity columns; optional
        ``<quantity>_fixed`` columns hold their fixed parts).
    target_mw
        Total IT capacity to build [MW].
    objective
        ``co2_scope2`` (lifetime location-based scope 2), ``water_onsite``,
        ``water_scarcity_weighted``, ``energy_cost`` or ``score`` (the ranking's weighted
        score per MW; lower is better).
    constraints
        :class:`Constraints` or a mapping of its fields (``caps_mw``, ``budgets``,
        ``use_run_exclusions``, ``exclude_sites``).
    plant
        ``as_built`` (plant sized to the IT built) or ``full`` (a built site's plant is
        sized to its maximum; the fixed loads and building carbon go on the build
        decision). See :func:`coefficients`.
    max_mw
        Column with each site's maximum IT capacity [MW] or one value (default: the
        fleet's design IT capacity).
    min_block_mw
        Smallest capacity built at a site that is built [MW].
    design_mw
        Design IT capacity of the assessed totals [MW] (default ``Fleet.design_it_mw``).
    mip_rel_gap, time_limit_s
        HiGHS relative optimality gap and time limit [s]. Default gap 1e-3 (0.1 % of the
        objective, far inside the uncertainty of the totals; HiGHS's own default 1e-4 can
        take a minute on 10,000 sites with a full plant). Without a fixed part or a block
        size the program is a plain LP, solved exactly (gap 0).
    diagnose
        On infeasibility, find the constraints that bind (extra solves).

    Returns
    -------
    PortfolioResult
    """
    col = _objective_column(objective)
    cons = Constraints.from_any(constraints)
    table, d, fixed = _table_and_fixed(result, design_mw)
    if "site_id" not in table.columns:
        raise ConfigError("the site table needs a 'site_id' column", field="site_id")
    if col not in table.columns:
        hint = " (rank the sites first)" if col == "score" else ""
        raise ConfigError(f"objective needs column '{col}'{hint}", field="objective")
    coef = coefficients(table, d, fixed=fixed, plant=plant, max_mw=max_mw)
    carry = [c for c in dict.fromkeys([*_CARRY, *cons.caps_mw]) if c in table.columns]
    groups = pd.DataFrame({c: table[c].to_numpy() for c in carry}, index=pd.RangeIndex(len(table)))
    geom = getattr(table, "geometry", None) if hasattr(table, "crs") else None
    if geom is not None:
        groups["geometry"] = geom.to_numpy()
    pr = solve(
        coef,
        target_mw,
        objective=col,
        groups=groups,
        caps_mw=cons.caps_mw,
        budgets=cons.budgets,
        blocked=_blocked(table, cons),
        min_block_mw=min_block_mw,
        mip_rel_gap=mip_rel_gap,
        time_limit_s=time_limit_s,
        diagnose=diagnose,
    )
    if geom is not None:
        import geopandas as gpd

        pr.sites = gpd.GeoDataFrame(pr.sites, geometry="geometry", crs=table.crs)
    pr.settings = {
        "objective": objective,
        "plant": plant,
        "max_mw": max_mw if max_mw is not None else d,
        "min_block_mw": float(min_block_mw),
        "design_mw": d,
        "caps_mw": dict(cons.caps_mw),
        "budgets": dict(cons.budgets),
        "use_run_exclusions": cons.use_run_exclusions,
        "exclude_sites": list(cons.exclude_sites),
    }
    return pr


# --------------------------------------------------------------------------------------
# a run directory in, GIS files out
# --------------------------------------------------------------------------------------

# columns the model adds to the joined table (dropped before a re-assessment); the
# resolved price and EWIF are kept: assessing them again gives the same numbers
_RESOLVED = ("price_usd_per_mwh", "price_level", "ewif_l_per_kwh")


def load_run(run_dir: str | os.PathLike) -> LoadedRun:
    """Read a ``siting run`` output directory (``sites.parquet`` and ``footprint.nc``).

    The fleet, facility and scenario are rebuilt from the attributes of ``footprint.nc``
    (GPU model and count, cooling and preset, commitment, product life and after-product
    mode); any other setting takes its default, so a run made with other overrides
    (utilization, carbon-free share ...) should be passed as a ``RunResult`` instead.
    """
    import geopandas as gpd
    import xarray as xr

    from siting.model import Assessment, Facility, Fleet, Scenario

    d = Path(run_dir)
    sites_p, nc_p = d / "sites.parquet", d / "footprint.nc"
    for p in (sites_p, nc_p):
        if not p.is_file():
            raise SiteInputError(
                "not a run directory: no such file (write one with `siting run`)", file=p
            )
    try:
        ranked = gpd.read_parquet(sites_p)
    except Exception as e:  # noqa: BLE001 - pyarrow raises many types
        raise SiteInputError(f"not a readable GeoParquet file: {e}", file=sites_p) from None
    with xr.open_dataset(nc_p, engine="h5netcdf") as ds:
        annual = ds.load()
    at = annual.attrs
    try:
        fleet = Fleet(gpu=str(at["gpu"]), gpus=int(at["gpus"]))
        facility = Facility(cooling=str(at["cooling"]), preset=str(at["preset"]))
        py = float(at["product_years"])
        scenario = Scenario(
            commitment_years=int(at["commitment_years"]),
            product_years=None if py < 0 else py,
            after=str(at["after"]),
        )
    except KeyError as e:
        raise SiteInputError(f"footprint.nc has no attribute {e}", file=nc_p) from None
    if "it_energy_mwh" in ranked.columns:
        cut = list(ranked.columns).index("it_energy_mwh")
        keep = list(ranked.columns[:cut]) + [c for c in _RESOLVED if c in ranked.columns]
        joined = ranked[keep]
    else:
        joined = ranked
    a = Assessment(
        annual=annual,
        summary=ranked,
        assumptions=pd.DataFrame(),
        fleet=fleet,
        facility=facility,
        scenario=scenario,
    )
    return LoadedRun(ranked=ranked, assessment=a, joined=joined, inputs=[str(sites_p)])


def portfolio_tables(pr: PortfolioResult) -> dict[str, pd.DataFrame]:
    """``sites`` (every candidate with size or reason) and ``constraints`` (used / limit)."""
    summary = pd.DataFrame(
        {
            "item": ["status", "objective", "objective_value", "mip_gap", "target_mw", "built_mw"],
            "value": [
                pr.status,
                pr.objective,
                pr.objective_value,
                pr.mip_gap,
                pr.target_mw,
                pr.built_mw,
            ],
        }
    )
    summary["value"] = summary["value"].astype(str)
    return {"sites": pr.sites, "constraints": pr.constraints, "summary": summary}


def write_portfolio(
    pr: PortfolioResult,
    out_dir: str | os.PathLike,
    *,
    formats: Sequence[str] = ("gpkg", "parquet", "csv"),
    inputs: Sequence[str] = (),
    name: str = "portfolio",
) -> dict[str, Path]:
    """Write the portfolio atomically: ``{name}.gpkg`` (layers ``sites``, ``constraints``,
    ``summary``), ``{name}.parquet`` (GeoParquet of the sites), ``{name}_sites.csv`` and
    ``{name}_constraints.csv``. Never over an input file."""
    import warnings

    import geopandas as gpd

    from siting.io import _plain, write_csv, write_geoparquet
    from siting.safe_io import atomic_write, safe_output_path

    bad = set(formats) - {"gpkg", "parquet", "csv"}
    if bad:
        raise ConfigError(f"unknown portfolio format(s) {', '.join(sorted(bad))}", field="format")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tabs = portfolio_tables(pr)
    sites = tabs["sites"]
    written: dict[str, Path] = {}
    if "gpkg" in formats:
        path = safe_output_path(out, f"{name}.gpkg", inputs)
        if not isinstance(sites, gpd.GeoDataFrame):
            raise ConfigError(
                "a GeoPackage needs site geometries (run on a site table with points)"
            )

        def _gpkg(tmp: Path) -> None:
            import pyogrio

            tmp.unlink(missing_ok=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # extension is not .gpkg
                _plain(sites).to_file(tmp, driver="GPKG", layer="sites")
                for lyr in ("constraints", "summary"):
                    pyogrio.write_dataframe(
                        _plain(tabs[lyr]), tmp, driver="GPKG", layer=lyr, append=False
                    )

        written["gpkg"] = atomic_write(path, _gpkg)
    if "parquet" in formats:
        path = safe_output_path(out, f"{name}.parquet", inputs)
        if isinstance(sites, gpd.GeoDataFrame):
            written["parquet"] = write_geoparquet(sites, path, inputs=inputs)
        else:
            data = _plain(pd.DataFrame(sites))
            written["parquet"] = atomic_write(path, lambda t: data.to_parquet(t, index=False))
    if "csv" in formats:
        for key in ("sites", "constraints"):
            path = safe_output_path(out, f"{name}_{key}.csv", inputs)
            written[f"csv_{key}"] = write_csv(tabs[key], path, inputs=inputs)
    return written


def parse_constraints(
    caps: Sequence[str] = (),
    budgets: Sequence[str] = (),
    exclude_sites: Sequence[str] = (),
    use_run_exclusions: bool = True,
) -> Constraints:
    """Constraints from CLI strings.

    ``caps``: ``"country_iso3=300"`` (every value of the column) or
    ``"grid_zone:US-MIDA-PJM=400"`` (one named group); ``budgets``:
    ``"water_onsite_m3=2e7"``.
    """
    cap_map: dict[str, Any] = {}
    for text in caps:
        left, sep, right = str(text).rpartition("=")
        try:
            value = float(right)
        except ValueError:
            value = float("nan")
        if not sep or not left or not np.isfinite(value):
            raise ConfigError(f"cap {text!r}: expected COLUMN=MW or COLUMN:VALUE=MW", field="cap")
        col, colon, group = left.partition(":")
        if colon:
            prev = cap_map.setdefault(col, {})
            if not isinstance(prev, dict):
                raise ConfigError(f"cap {text!r}: '{col}' is already capped for every value")
            prev[group] = value
        else:
            cap_map[col] = value
    bud: dict[str, float] = {}
    for text in budgets:
        col, sep, right = str(text).partition("=")
        try:
            bud[col] = float(right)
        except ValueError:
            raise ConfigError(f"budget {text!r}: expected COLUMN=LIMIT", field="budget") from None
        if not sep:
            raise ConfigError(f"budget {text!r}: expected COLUMN=LIMIT", field="budget")
    return Constraints(
        caps_mw=cap_map,
        budgets=bud,
        use_run_exclusions=use_run_exclusions,
        exclude_sites=tuple(exclude_sites),
    )
