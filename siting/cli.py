"""Command-line interface: ``siting join | layers | run | report | portfolio | data``.

The CLI is a thin user of the library: it parses options, calls the public
functions and prints results. Errors from the :class:`SitingError` family are
printed without a traceback and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from siting.cli_tables import fit_table
from siting.errors import SitingError


def _add_site_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("sites", help="sites file (CSV, GeoJSON, GeoPackage, GeoParquet, zip)")
    p.add_argument("--lat", help="latitude column (default: detected)")
    p.add_argument("--lon", help="longitude column (default: detected)")
    p.add_argument("--id-column", help="column with unique site ids (default: detected)")
    p.add_argument("--crs", help="CRS of CSV coordinates if not WGS84 degrees, e.g. EPSG:3857")
    p.add_argument("--data-dir", help="data directory searched before the cache and embedded pack")
    p.add_argument(
        "--snap-km", type=float, default=None, help="snap sites within this distance [km]"
    )


def _read_and_join(args):
    from siting.join import DEFAULT_SNAP_KM, join_layers
    from siting.sites import read_sites

    sites = read_sites(
        args.sites, lat=args.lat, lon=args.lon, id_column=args.id_column, crs=args.crs
    )
    print(f"read {len(sites)} sites from {args.sites}", file=sys.stderr)
    snap = DEFAULT_SNAP_KM if args.snap_km is None else args.snap_km
    joined = join_layers(sites, data_dir=args.data_dir, snap_km=snap)
    return sites, joined


def cmd_join(args) -> int:
    from siting.io import write_geoparquet

    if args.large_threshold >= 0:
        from siting.sites import read_sites

        sites = read_sites(
            args.sites, lat=args.lat, lon=args.lon, id_column=args.id_column, crs=args.crs
        )
        print(f"read {len(sites)} sites from {args.sites}", file=sys.stderr)
        if len(sites) >= args.large_threshold:
            return _join_chunked(sites, args)
    _, joined = _read_and_join(args)
    out = Path(args.out)
    write_geoparquet(joined, out, inputs=[args.sites])
    cov = joined.attrs.get("coverage")
    if cov is not None and len(cov):
        print("coverage (sites per layer and level):")
        print(cov.to_string(index=False))
    print(f"wrote {out} ({len(joined)} sites, {joined.shape[1]} columns)")
    return 0


def _join_chunked(sites, args) -> int:
    """``siting join`` on the chunked engine (climate once per climate cell)."""
    from siting.scale.join_large import join_to_parquet

    out, cov, ncol = join_to_parquet(
        sites,
        args.out,
        data_dir=args.data_dir,
        snap_km=args.snap_km,
        chunk_size=args.chunk_size,
        workers=args.workers,
    )
    if len(cov):
        print("coverage (sites per layer and level):")
        print(cov.to_string(index=False))
    print(f"wrote {out} ({len(sites)} sites, {ncol} columns; climate per 0.25-degree cell)")
    return 0


def cmd_layers(args) -> int:

    from siting.layers.catalog import load_catalog

    df = load_catalog().to_frame(args.data_dir)
    df["available"] = df["available"].map({True: "yes", False: "no"})
    widths = {"layer": 26, "family": 12, "level": 12, "vintage": 10, "available": 9, "licence": 21}
    print(fit_table(df, widths))
    if args.verbose:
        for _, r in df.iterrows():
            print(f"\n{r['layer']}: {r['variables']}")
            for key in ("licence", "source", "files", "sha256", "urls"):
                print(
                    textwrap.fill(
                        f"{key}: {r[key]}", 98, initial_indent="  ", subsequent_indent="    "
                    )
                )
            print(f"  found in: {r['location'] or '-'}")
    else:
        print("(licence cut to fit; `siting layers -v` for the full licence, source and files)")
    return 0


def cmd_criteria(args) -> int:
    from siting.decide.rank import DEFAULT_WEIGHTS, criteria_table

    df = criteria_table()
    df["default weight"] = df["key"].map(lambda k: f"{DEFAULT_WEIGHTS.get(k, 0):g}")
    df["better"] = df["direction"].map({"min": "lower", "max": "higher"}).fillna(df["direction"])
    widths = {"key": 31, "unit": 14, "better": 6, "default weight": 14, "label": 27}
    print(fit_table(df, widths))
    if args.verbose:
        for _, r in df.iterrows():
            print(f"\n{r['key']} (column {r['column']}):")
            print(
                textwrap.fill(
                    str(r["description"]), 98, initial_indent="  ", subsequent_indent="  "
                )
            )
    print("\nuse as --weights key=weight,... (weights >= 0, normalised to sum 1)")
    return 0


def _check_decision_options(args) -> None:
    """Weights and exclusion rules are checked before any join or model work starts."""
    from siting import decide
    from siting.decide.exclude import parse_rule

    if getattr(args, "weights", None):
        decide.normalize_weights(decide.parse_weights(args.weights))
    for rule in getattr(args, "exclude", None) or []:
        parse_rule(rule)


def _add_model_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("fleet")
    g.add_argument("--gpu", default="H100-SXM", help="GPU model (see `siting gpus`)")
    g.add_argument("--gpus", type=int, default=50_000, help="number of GPUs")
    g.add_argument("--utilization", type=float, help="mean load while the product lives [0-1]")
    g.add_argument("--refresh-years", type=float, help="hardware refresh cycle [years]")
    g = p.add_argument_group("facility")
    from siting.model.auto import COOLING_OBJECTIVES
    from siting.model.designs import COOLING_TECHNOLOGIES

    g.add_argument(
        "--cooling",
        default="tower_economizer",
        help=" | ".join((*COOLING_TECHNOLOGIES, "auto"))
        + " (auto: the design chosen per site by --cooling-objective)",
    )
    g.add_argument(
        "--cooling-objective",
        default="energy",
        help=" | ".join(COOLING_OBJECTIVES) + " (with --cooling auto)",
    )
    g.add_argument(
        "--max-wue", type=float, help="with --cooling auto: on-site WUE cap [L/kWh] in dry basins"
    )
    g.add_argument(
        "--max-wue-above-aware",
        type=float,
        default=20.0,
        help="AWARE factor above which --max-wue applies (default 20)",
    )
    g.add_argument("--preset", default="hyperscale", help="hyperscale | enterprise")
    g = p.add_argument_group("commitment")
    g.add_argument("--commitment-years", type=int, default=15, help="facility/contract life")
    g.add_argument(
        "--product-years", type=float, help="years until the product is shut down (default: never)"
    )
    g.add_argument(
        "--after", default="idle", help="after the product: idle | retenant | power_down"
    )
    g.add_argument("--start-year", type=int, help="first calendar year")
    g.add_argument("--carbon-free-share", type=float, help="contracted carbon-free share [0-1]")
    g.add_argument(
        "--decarbonization",
        type=float,
        help="grid intensity decline per year [0-1]; overrides --grid-pathway",
    )
    g.add_argument(
        "--grid-pathway",
        help="current | cambium_midcase | cambium_95by2050 | cambium_100by2035 "
        "(yearly grid intensity per region, docs/method_pathways.md; default current)",
    )
    g.add_argument(
        "--embodied",
        help="purchase | amortized: embodied carbon charged at purchase (default) or "
        "spread over the hardware life by use share",
    )
    g.add_argument("--price-escalation", type=float, help="electricity price change per year")
    g.add_argument("--price-default", type=float, help="price assumed where none is known [$/MWh]")
    g.add_argument(
        "--carbon-price", type=float, help="carbon price for the after-shutdown CO2e [$/t]"
    )
    g.add_argument(
        "--hydro-evaporation",
        choices=("include", "exclude"),
        default="include",
        help="charge hydro reservoir evaporation to electricity in off-site water "
        "(include: Macknick et al. 2012 median; exclude: zero, as Li et al. 2023)",
    )
    g = p.add_argument_group("decision")
    g.add_argument("--weights", help="criterion=weight,... (see `siting criteria`)")
    g.add_argument(
        "--exclude", action="append", default=[], help="rule, e.g. 'grid_co2_g_per_kwh > 600'"
    )
    g.add_argument("--force-include", action="append", default=[], help="site id kept anyway")


def _add_grid_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("grid")
    g.add_argument("--kind", default="h3", help="h3 | regular")
    g.add_argument("--resolution", type=int, help="H3 resolution 0-15")
    g.add_argument("--spacing-km", type=float, help="regular grid spacing [km]")
    g.add_argument("--max-cells", type=int, default=5_000_000, help="refuse larger grids")


def _configs(args):
    from siting.model import Facility, Fleet, Scenario

    fleet_kw = {"gpu": args.gpu, "gpus": args.gpus}
    if args.utilization is not None:
        fleet_kw["utilization"] = args.utilization
    if args.refresh_years is not None:
        fleet_kw["refresh_years"] = args.refresh_years
    scen_kw = {
        "commitment_years": args.commitment_years,
        "product_years": args.product_years,
        "after": args.after,
        "hydro_evaporation": getattr(args, "hydro_evaporation", "include"),
    }
    for opt, name in (
        ("start_year", "start_year"),
        ("carbon_free_share", "carbon_free_share"),
        ("decarbonization", "grid_decarbonization_per_yr"),
        ("price_escalation", "price_escalation_per_yr"),
        ("price_default", "price_usd_per_mwh_default"),
        ("grid_pathway", "grid_pathway"),
        ("embodied", "embodied"),
    ):
        v = getattr(args, opt)
        if v is not None:
            scen_kw[name] = v
    cooling = "tower_economizer" if args.cooling == "auto" else args.cooling
    return (
        Fleet(**fleet_kw),
        Scenario(**scen_kw),
        Facility(cooling=cooling, preset=args.preset),
    )


def _cooling_choice(args):
    """The per-site design choice of ``--cooling auto`` (None otherwise)."""
    from siting.model import CoolingChoice

    if args.cooling != "auto":
        if args.max_wue is not None or args.cooling_objective != "energy":
            raise SitingError("--cooling-objective and --max-wue need --cooling auto")
        return None
    weights = None
    if args.cooling_objective == "weights":
        from siting import decide
        from siting.model.auto import weights_from_ranking

        raw = decide.parse_weights(args.weights) if args.weights else decide.DEFAULT_WEIGHTS
        weights = weights_from_ranking(raw)
    kw = {} if weights is None else {"weights": weights}
    return CoolingChoice(
        objective=args.cooling_objective,
        max_wue_l_per_kwh=args.max_wue,
        max_wue_above_aware=args.max_wue_above_aware,
        **kw,
    )


def cmd_run(args) -> int:
    from siting import decide
    from siting.pipeline import run, write_outputs

    _check_decision_options(args)
    fleet, scenario, facility = _configs(args)
    weights = decide.parse_weights(args.weights) if args.weights else None
    formats = [] if args.no_report else [f.strip() for f in args.format.split(",") if f.strip()]
    result = run(
        args.sites,
        fleet,
        scenario,
        facility,
        data_dir=args.data_dir,
        weights=weights,
        exclusions=args.exclude,
        force_include=args.force_include or None,
        read_options={
            "lat": args.lat,
            "lon": args.lon,
            "id_column": args.id_column,
            "crs": args.crs,
        },
        join_options={} if args.snap_km is None else {"snap_km": args.snap_km},
        progress=True,
        carbon_price_usd_per_t=args.carbon_price,
        cooling_choice=_cooling_choice(args),
        large_threshold=None if args.large_threshold < 0 else args.large_threshold,
        out_dir=args.out,
        chunk_size=args.chunk_size,
        report_top=args.report_top,
        workers=args.workers,
        large_gpkg=_large_gpkg_target(args, formats),
        wait=False,
    )
    try:
        paths = write_outputs(result, args.out, footprint=args.footprint or None)
        if formats:
            paths.update(_write_reports(result, args, formats))
        if result.large is not None:
            paths.update(result.large.finish())
    except BaseException:
        if result.large is not None:
            result.large.abort()
        raise
    _print_ranking(result, limit=args.top)
    for p in paths.values():
        print(f"wrote {p}")
    return 0


def _large_gpkg_target(args, formats: list[str]) -> Path | None:
    """Where a run on the chunked engine writes its every-site GeoPackage (alongside
    ``sites.parquet``, while the other reports render), or None."""
    from siting.safe_io import safe_output_path

    if not {"gpkg", "geopackage"} & set(formats):
        return None
    return safe_output_path(Path(args.out), "report.gpkg", [args.sites])


def _write_reports(result, args, formats: list[str]) -> dict:
    """The report formats; on the chunked engine the GeoPackage (every site) is written
    by the run itself (``large_gpkg``), the others hold the top sites."""
    from siting.report import write_report

    if result.large is not None:
        formats = [f for f in formats if f not in ("gpkg", "geopackage")]
    if not formats:
        return {}
    return write_report(result, args.out, formats=tuple(formats), top_n=args.cards)


def _add_large_options(p: argparse.ArgumentParser) -> None:
    from siting.pipeline import DEFAULT_LARGE_THRESHOLD

    g = p.add_argument_group("large inputs")
    g.add_argument(
        "--large-threshold",
        type=int,
        default=DEFAULT_LARGE_THRESHOLD,
        help="from this many sites on, use the chunked engine of `screen` (0: always, -1: never)",
    )
    g.add_argument("--chunk-size", type=int, default=None, help="sites per chunk (chunked engine)")
    _add_workers_option(g)
    g.add_argument(
        "--report-top",
        type=int,
        default=None,
        help="chunked engine: sites listed in the HTML/PDF/XLSX report (default 200)",
    )
    g.add_argument(
        "--footprint",
        action="store_true",
        help="chunked engine: also write footprint.nc for every site x year (batch by batch)",
    )


def _add_workers_option(p) -> None:
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="chunked engine: worker processes computing chunks (default min(2, CPUs); 1: "
        "one process; the same output for any number)",
    )


def _print_ranking(result, limit: int = 15) -> None:
    import pandas as pd

    r = result.ranked.sort_values(["rank", "site_id"], na_position="last")
    cols = [
        ("rank", "rank"),
        ("site_id", "site"),
        ("score", "score"),
        ("water_onsite_m3", "water on-site [m3]"),
        ("water_offsite_m3", "water off-site [m3]"),
        ("water_scarcity_weighted_total_m3", "scarcity-weighted total [m3 eq]"),
        ("co2_scope2_t", "scope-2 [tCO2e]"),
        ("energy_cost_usd", "energy cost [$]"),
        ("pue_annual", "PUE"),
        ("rank_shut_down", "rank if shut down"),
        ("status", "status"),
    ]
    cols = [(c, h) for c, h in cols if c in r.columns]
    view = r[[c for c, _ in cols]].head(limit).rename(columns=dict(cols))
    with pd.option_context("display.width", 200, "display.float_format", "{:,.3g}".format):
        print(view.to_string(index=False))
    if "excluded" in r.columns and r["excluded"].any():
        print(f"{int(r['excluded'].sum())} site(s) excluded (see exclusion_reason)")
    f = result.fleet
    s = result.scenario
    print(
        f"fleet {f.gpus:,} x {f.gpu}, {s.commitment_years}-year commitment, product "
        + ("survives" if s.product_years is None else f"shut down after {s.product_years:g} y")
        + f", then {s.after}; hydro reservoir evaporation {s.hydro_evaporation}d in "
        "off-site water (--hydro-evaporation)"
    )
    _print_futures(result, r.head(limit))


def _print_futures(result, top) -> None:
    """Both futures: what each top site keeps costing after an early shutdown."""
    from siting.decide.futures import after_shutdown_line

    sd = getattr(result, "shutdown_scenario", None)
    if sd is None or "after_shutdown_years" not in top.columns:
        return
    label = (
        f"if the product is shut down after {sd.product_years:g} years"
        + (" (an example: set --product-years)" if result.shutdown_is_example else "")
        + f", then {sd.after}:"
    )
    print(label)
    width = max(len(str(v)) for v in top["site_id"])
    for _, row in top.iterrows():
        print(f"  {str(row['site_id']).ljust(width)}  {after_shutdown_line(row)}")


def cmd_grid(args) -> int:
    from siting.grid import generate_grid
    from siting.io import write_csv, write_geoparquet

    sites = generate_grid(
        _region_arg(args.region),
        kind=args.kind,
        resolution=args.resolution,
        spacing_km=args.spacing_km,
        land_only=not args.include_sea,
        max_cells=args.max_cells,
    )
    out = Path(args.out)
    if out.suffix.lower() == ".csv":
        write_csv(sites, out)
    else:
        write_geoparquet(sites, out)
    print(f"wrote {out} ({len(sites):,} cells)")
    return 0


def _region_arg(text: str):
    """'US-VA', 'FRA' or a bounding box 'minlon,minlat,maxlon,maxlat'."""
    parts = text.split(",")
    if len(parts) == 4:
        try:
            return tuple(float(p) for p in parts)
        except ValueError:
            pass
    return text


def cmd_screen(args) -> int:
    from siting import decide

    _check_decision_options(args)
    choice = _cooling_choice(args)
    if choice is not None and (args.dask or args.scheduler):
        raise SitingError(
            "--cooling auto screens on one machine (drop --dask/--scheduler; --chunk-size "
            "bounds memory, the per-site choice is the same at every size)"
        )
    fleet, scenario, facility = _configs(args)
    if args.region:
        from siting.grid import generate_grid

        sites = generate_grid(
            _region_arg(args.region),
            kind=args.kind,
            resolution=args.resolution,
            spacing_km=args.spacing_km,
            max_cells=args.max_cells,
        )
        print(f"generated {len(sites):,} candidate cells over {args.region}", file=sys.stderr)
    elif args.sites:
        from siting.sites import read_sites

        sites = read_sites(
            args.sites, lat=args.lat, lon=args.lon, id_column=args.id_column, crs=args.crs
        )
    else:
        raise SitingError("give a sites file or --region")
    kw = dict(
        facility=facility,
        out=args.out,
        data_dir=args.data_dir,
        weights=decide.parse_weights(args.weights) if args.weights else None,
        exclusions=args.exclude or None,
        force_include=args.force_include or None,
    )
    if args.dask or args.scheduler:
        from siting.scale import screen_dask

        res = screen_dask(sites, fleet, scenario, scheduler_address=args.scheduler, **kw)
    else:
        from siting.scale import screen

        res = screen(
            sites, fleet, scenario, chunk_size=args.chunk_size, progress=True,
            cooling_choice=choice, workers=args.workers, **kw,
        )  # fmt: skip
    import pandas as pd

    show = [c for c in ("rank", "site_id", "score") if c in res.ranked.columns]
    with pd.option_context("display.width", 200):
        print(res.ranked[show].head(args.top).to_string(index=False))
    print(
        f"hydro reservoir evaporation {scenario.hydro_evaporation}d in off-site water "
        "(--hydro-evaporation)"
    )
    print(f"wrote {res.path} ({res.n_sites:,} sites)")
    if res.designs_path is not None:
        print(f"wrote {res.designs_path} (every site x feasible cooling design; no CSV)")
    return 0


def cmd_gpus(args) -> int:
    from siting.model import gpu_catalog

    cat = gpu_catalog()
    cols = [c for c in cat.columns if not c.endswith("_source")]
    print(cat[cols].to_string())
    if args.verbose:
        for name, row in cat.iterrows():
            print(f"\n{name}")
            for c in cols:
                print(f"  {c} = {row[c]}  [{row.get(c + '_source', '')}]")
    return 0


# --- portfolio: which sites, at what size, for a target capacity --------------------------


def _add_portfolio_parser(sub) -> None:
    # names listed here, not imported: building the parser must not import the library
    p = sub.add_parser("portfolio", help="choose sites and sizes for a target capacity (MILP)")
    p.add_argument("run_dir", help="output directory of `siting run` (sites.parquet, footprint.nc)")
    p.add_argument("--target-mw", type=float, required=True, help="total IT capacity [MW]")
    p.add_argument(
        "--objective",
        default="co2_scope2",
        help="co2_scope2 | water_onsite | water_scarcity_weighted | energy_cost | score",
    )
    p.add_argument(
        "--cap",
        action="append",
        default=[],
        help="COLUMN=MW or COLUMN:VALUE=MW, e.g. country_iso3=300",
    )
    p.add_argument(
        "--budget", action="append", default=[], help="COLUMN=LIMIT, e.g. water_onsite_m3=2e7"
    )
    p.add_argument("--max-mw", help="column or value: site maximum [MW] (default: fleet design IT)")
    p.add_argument("--min-block-mw", type=float, default=0.0, help="smallest size built [MW]")
    p.add_argument(
        "--plant", default="as_built", help="as_built | full (plant built to the site maximum)"
    )
    p.add_argument("--exclude-site", action="append", default=[], help="site id not built")
    p.add_argument(
        "--ignore-run-exclusions", action="store_true", help="excluded sites may be built"
    )
    p.add_argument("--draws", type=int, default=0, help="also solve per Monte Carlo draw (N draws)")
    p.add_argument("--seed", type=int, default=0, help="Monte Carlo seed")
    p.add_argument(
        "--product-years", type=float, help="also compare: product shut down after N years"
    )
    p.add_argument("--after", help="after-product mode for that comparison (default: the run's)")
    p.add_argument("--time-limit", type=float, help="solver time limit [s]")
    p.add_argument("--out", help="output directory (default: RUN_DIR)")
    p.add_argument("--format", default="gpkg,parquet,csv", help="gpkg,parquet,csv")
    p.set_defaults(func=cmd_portfolio)


def cmd_portfolio(args) -> int:
    import importlib

    import pandas as pd

    pf = importlib.import_module("siting.decide.portfolio")  # the module, not the function

    run = pf.load_run(args.run_dir)
    cons = pf.parse_constraints(
        args.cap, args.budget, args.exclude_site, not args.ignore_run_exclusions
    )
    mx = args.max_mw
    if mx is not None:
        try:
            mx = float(mx)
        except ValueError:
            pass
    kw = dict(
        objective=args.objective,
        constraints=cons,
        plant=args.plant,
        max_mw=mx,
        min_block_mw=args.min_block_mw,
        time_limit_s=args.time_limit,
    )
    res = pf.portfolio(run, args.target_mw, **kw)
    show = [c for c in ("site_id", "mw", "country_iso3", res.objective_column) if c in res.sites]
    with pd.option_context("display.width", 200, "display.float_format", "{:,.6g}".format):
        if res.feasible:
            print(res.chosen[show].to_string(index=False))
        print(res.constraints.to_string(index=False))
    print(
        f"status {res.status}; {res.objective} {res.objective_value:,.6g}; gap {res.mip_gap:.2g}; "
        f"{res.built_mw:g} of {res.target_mw:g} MW; solved in {res.solve_seconds:.2f} s"
    )
    if not res.feasible:
        print(res.message)
        return 1
    written = pf.write_portfolio(
        res, args.out or args.run_dir, formats=args.format.split(","), inputs=run.inputs
    )
    if args.draws:
        d = pf.portfolio_draws(run, args.target_mw, n_draws=args.draws, seed=args.seed, **kw)
        print(f"selection frequency over {d.n_feasible} feasible of {len(d.status)} draws:")
        print(d.frequency[d.frequency["selection_frequency"] > 0].to_string(index=False))
    if args.product_years is not None:
        ap = pf.after_product(run, args.target_mw, args.product_years, after=args.after, **kw)
        print(f"product shut down after {ap.product_years:g} y, then {ap.after}:")
        ch = ap.comparison[ap.comparison["change"] != ""]
        print(ch.to_string(index=False) if len(ch) else "same sites and sizes")
        with pd.option_context("display.float_format", "{:,.6g}".format):
            print(ap.totals.to_string(index=False))
    for p in written.values():
        print(f"wrote {p}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="siting", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("join", help="join sites to every data layer, write GeoParquet")
    _add_site_options(p)
    p.add_argument("--out", required=True, help="output GeoParquet path")
    p.add_argument(
        "--large-threshold",
        type=int,
        default=10_000,
        help="from this many sites on, join in chunks with climate per 0.25-degree cell"
        " (0: always, -1: never)",
    )
    p.add_argument("--chunk-size", type=int, default=None, help="sites per chunk")
    _add_workers_option(p)
    p.set_defaults(func=cmd_join)

    p = sub.add_parser("run", help="join, model, rank and report (the main job)")
    _add_site_options(p)
    _add_model_options(p)
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--format", default="html,xlsx,gpkg", help="report formats (html,pdf,xlsx,gpkg)")
    p.add_argument("--no-report", action="store_true", help="write tables only")
    p.add_argument("--top", type=int, default=15, help="rows of the printed ranking")
    p.add_argument("--cards", type=int, default=30, help="site cards in the report (top N)")
    _add_large_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "report", help="the same job as run, with the report formats chosen (html,pdf,xlsx,gpkg)"
    )
    _add_site_options(p)
    _add_model_options(p)
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument(
        "--format", default="html,pdf,xlsx,gpkg", help="report formats (html,pdf,xlsx,gpkg,parquet)"
    )
    p.add_argument("--top", type=int, default=15, help="rows of the printed ranking")
    p.add_argument("--cards", type=int, default=30, help="site cards in the report (top N)")
    _add_large_options(p)
    p.set_defaults(func=cmd_run, no_report=False)

    p = sub.add_parser("grid", help="generate candidate cells over a region")
    p.add_argument(
        "region", help="ISO3 country, ISO 3166-2 region (US-VA) or minlon,minlat,maxlon,maxlat"
    )
    _add_grid_options(p)
    p.add_argument("--include-sea", action="store_true", help="keep cells outside land")
    p.add_argument("--out", required=True, help="output .parquet (GeoParquet) or .csv")
    p.set_defaults(func=cmd_grid)

    p = sub.add_parser("screen", help="screen many sites in chunks (or on Dask) to GeoParquet")
    p.add_argument("sites", nargs="?", help="sites file (or use --region)")
    p.add_argument("--region", help="generate a grid over this region instead of a file")
    _add_grid_options(p)
    for opt in ("--lat", "--lon", "--id-column", "--crs", "--data-dir"):
        p.add_argument(opt)
    _add_model_options(p)
    p.add_argument("--out", required=True, help="output GeoParquet path")
    p.add_argument(
        "--chunk-size", type=int, default=None, help="sites per chunk (default 250,000 / workers)"
    )
    _add_workers_option(p)
    p.add_argument("--dask", action="store_true", help="run on Dask (LocalCluster by default)")
    p.add_argument(
        "--scheduler", help="dask.distributed scheduler address (else SITING_DASK_SCHEDULER)"
    )
    p.add_argument("--top", type=int, default=15, help="rows of the printed ranking")
    p.set_defaults(func=cmd_screen)

    p = sub.add_parser("gpus", help="list the GPU catalog")
    p.add_argument("-v", "--verbose", action="store_true", help="show the source of every number")
    p.set_defaults(func=cmd_gpus)

    p = sub.add_parser("criteria", help="list the ranking criteria and their default weights")
    p.add_argument("-v", "--verbose", action="store_true", help="show how each is computed")
    p.set_defaults(func=cmd_criteria)

    p = sub.add_parser("layers", help="list the layer catalog and local availability")
    p.add_argument("--data-dir", help="extra data directory")
    p.add_argument("-v", "--verbose", action="store_true", help="show files, checksums, URLs")
    p.set_defaults(func=cmd_layers)

    _add_portfolio_parser(sub)

    from siting.fetch import add_cli as add_data_cli

    add_data_cli(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SitingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
