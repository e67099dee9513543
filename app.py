"""siting: the interactive map. Run with ``streamlit run app.py``.

Pick candidate sites (bundled examples, an upload or a generated grid), a GPU fleet, a
facility and a commitment; see the sites on a map, the ranking and, for each site, its
committed footprint year by year with the product shutdown marked.

This file holds no model or ranking logic: it builds :class:`siting.Fleet`,
:class:`siting.Scenario` and :class:`siting.Facility` from the widgets and calls the
library through the package :mod:`siting.app` (read / join / assess / rank / explain), caching
each stage on its own inputs so that a weight change only re-ranks.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import streamlit as st

from siting import app as sup
from siting.errors import SitingError

st.set_page_config(page_title="siting - where to build a GPU data center", layout="wide")


# ----------------------------------------------------------------------------- caches
# The stages (sites, joined table, model) are kept with st.cache_resource: every rerun
# gets the same objects back instead of unpickling copies (about 50 ms a rerun on 13,000
# sites). They are read-only here: the app and the library derive new tables from them
# (siting.decide.rank returns a copy) and never modify them.
@st.cache_resource(show_spinner="Loading the layer catalog and boundaries")
def layer_resources(data_dir: str) -> dict[str, Any]:
    """Catalog and boundary polygons, loaded once per process and data directory."""
    from siting.layers.catalog import load_catalog

    catalog = load_catalog()
    files = {
        name: catalog.locate(name, data_dir or None) for name in ("ne_admin0_50m", "us_ca_admin1")
    }
    if not files["ne_admin0_50m"]:
        raise SitingError(
            "the country boundary layer 'ne_admin0_50m' is missing; it ships with the package "
            "(data/starter/boundaries): reinstall siting"
        )
    # the simplified base map is kept on disk between starts (public polygons only)
    base = sup.cached_base_boundaries(files["ne_admin0_50m"], files["us_ca_admin1"])
    return {"catalog": catalog, "base": base}


@st.cache_resource(show_spinner=False)
def boundary_values(layer_key: str, data_dir: str) -> sup.BoundaryData:
    """Country / state values of a map data layer, read once per process."""
    layer = sup.DATA_LAYERS[layer_key]
    catalog = layer_resources(data_dir)["catalog"]
    return sup.boundary_values(layer.family, layer.column, catalog, data_dir or None)


@st.cache_resource(show_spinner=False)
def map_files(static_dir: str, url_prefix: str) -> sup.MapFiles | None:
    """Writer of the map's data files in the app's static folder (None: not writable)."""
    return sup.MapFiles.usable(static_dir, url_prefix)


def static_map_files() -> sup.MapFiles | None:
    """The map's data files when Streamlit serves the app's ``static`` folder, else None
    (the map data then travels inside the map spec)."""
    if not st.get_option("server.enableStaticServing"):
        return None
    base_path = str(st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = ("/" + base_path if base_path else "") + "/app/static"
    return map_files(str(Path(__file__).resolve().parent / "static"), prefix)


@st.cache_resource(max_entries=16, show_spinner="Reading sites")
def example_sites(path: str, mtime_ns: int) -> tuple[Any, list[str]]:
    """A bundled example file, read with :func:`siting.read_sites`."""
    from siting.sites import read_sites

    return sup.capture_warnings(read_sites, path)


@st.cache_resource(max_entries=4, show_spinner="Reading the upload")
def upload_sites(
    file_id: str, name: str, size: int, max_bytes: int, _data: bytes
) -> tuple[Any, list[str]]:
    """An uploaded file (keyed on the uploader's file id, name and size)."""
    return sup.read_upload(name, _data, max_bytes)


@st.cache_resource(max_entries=8, show_spinner="Generating the grid")
def grid_sites(
    region: str, kind: str, resolution: int, spacing_km: float, data_dir: str
) -> tuple[Any, list[str]]:
    """Grid cells over a region as candidate sites."""
    return sup.capture_warnings(
        sup.grid_sites,
        region,
        kind=kind,
        resolution=resolution if kind == "h3" else None,
        spacing_km=spacing_km if kind == "regular" else None,
        data_dir=data_dir or None,
    )


@st.cache_resource(max_entries=4, show_spinner="Joining the sites to the data layers")
def joined_sites(sites_key: tuple, data_dir: str, _sites: Any) -> tuple[Any, list[str]]:
    """Sites joined to every layer; cached on (sites, data directory). A bundled
    example's join is also kept on disk between starts (public data only)."""
    catalog = layer_resources(data_dir)["catalog"]
    if sites_key[0] == "example":
        return sup.cached_join(_sites, sites_key[1], data_dir or None, catalog)
    return sup.join_sites(_sites, data_dir or None, catalog)


@st.cache_resource(max_entries=8, show_spinner="Modelling the committed footprint")
def assessed_sites(
    sites_key: tuple,
    data_dir: str,
    fleet_key: str,
    scenario_key: str,
    facility_key: str,
    _joined: Any,
    _fleet: Any,
    _scenario: Any,
    _facility: Any,
    choice_key: str = "",
    _choice: Any = None,
) -> Any:
    """Footprint model; cached on (joined table, fleet, scenario, facility, per-site
    cooling choice) keys."""
    return sup.assess_sites(_joined, _fleet, _scenario, _facility, _choice)


@st.cache_resource(max_entries=32, show_spinner="Evaluating every cooling design here")
def site_trade_off(
    sites_key: tuple,
    data_dir: str,
    site_id: str,
    fleet_key: str,
    scenario_key: str,
    facility_key: str,
    _joined: Any,
    _fleet: Any,
    _scenario: Any,
    _facility: Any,
) -> Any:
    """Every design the fleet allows at one site, when the page runs one design."""
    return sup.design_trade_off(_joined, site_id, _fleet, _scenario, _facility)


@st.cache_data(max_entries=8, show_spinner=False)
def datasets_table(sites_key: tuple, data_dir: str, _joined: Any) -> Any:
    """Catalog rows of the layers that supplied values (checksums), per joined table."""
    from siting.pipeline import used_datasets

    return used_datasets(_joined, data_dir or None)


# ----------------------------------------------------------------------------- helpers
def fail(err: BaseException) -> None:
    """Show an error in the page (never a traceback) and stop this run."""
    if isinstance(err, SitingError):
        st.error(str(err))
    else:
        st.error(f"Unexpected error ({type(err).__name__}): {err}")
    st.stop()


def field_defaults(cls: type) -> dict[str, Any]:
    """Default values of a configuration dataclass (the library's own defaults)."""
    return {
        f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING
    }


# ----------------------------------------------------------------------------- sidebar
from siting.decide import CRITERIA, DEFAULT_WEIGHTS  # noqa: E402
from siting.grid import DEFAULT_H3_RESOLUTION, DEFAULT_SPACING_KM  # noqa: E402
from siting.model import (  # noqa: E402
    AFTER_MODES,
    ANNUAL_VARIABLES,
    COOLING_OBJECTIVES,
    FACILITY_PRESETS,
    CoolingChoice,
    Facility,
    Fleet,
    Scenario,
    known_gpus,
)

FLEET = field_defaults(Fleet)
SCEN = field_defaults(Scenario)
FAC = field_defaults(Facility)
max_upload_mb = int(st.get_option("server.maxUploadSize") or sup.MAX_UPLOAD_MB)
max_upload_mb = min(max_upload_mb, sup.MAX_UPLOAD_MB)

sb = st.sidebar
sb.title("siting")
sb.caption("Where should a GPU data center be built, and what does it commit us to?")

sb.header("Candidate sites")
source = sb.radio(
    "Sites from", ["Bundled example", "Upload a file", "Generated grid"], key="sites_source"
)
data_dir = sb.text_input(
    "Data directory (optional)",
    value=os.environ.get("SITING_DATA_DIR", ""),
    key="data_dir",
    help="Directory with official datasets (see `siting data fetch`); searched before the "
    "user cache and the embedded starter pack. Default: $SITING_DATA_DIR.",
).strip()

site_spec: dict[str, Any] = {}
if source == "Bundled example":
    examples = sup.example_files()
    names = list(examples)
    default = names.index("campuses.csv") if "campuses.csv" in names else 0
    site_spec["example"] = sb.selectbox("Example file", names, index=default, key="example")
elif source == "Upload a file":
    site_spec["upload"] = sb.file_uploader(
        f"Sites file (up to {max_upload_mb} MB)",
        type=list(sup.UPLOAD_TYPES),
        key="upload",
        max_upload_size=max_upload_mb,
        help="CSV with latitude/longitude columns, GeoJSON, GeoPackage, GeoParquet, or a "
        "zipped shapefile. Every site needs a location; ids are generated if absent.",
    )
    sb.caption(
        f"Limit {max_upload_mb} MB per file. CSV columns lat/latitude and lon/longitude "
        "(any case), WGS84 degrees."
    )
else:
    site_spec["region"] = sb.text_input(
        "Region",
        value="US-VA",
        key="grid_region",
        help="ISO3 country code (FRA), U.S. state / Canadian province code (US-VA, CA-QC) "
        "or a box 'minlon, minlat, maxlon, maxlat' in degrees.",
    )
    site_spec["kind"] = sb.radio("Grid", ["h3", "regular"], key="grid_kind", horizontal=True)
    site_spec["res"] = int(sb.slider("H3 resolution", 0, 15, DEFAULT_H3_RESOLUTION, key="grid_res"))
    site_spec["spacing"] = float(
        sb.number_input(
            "Regular spacing [km]", 1.0, 500.0, float(DEFAULT_SPACING_KM), key="grid_spacing"
        )
    )
    site_spec["estimate"] = sb.empty()


def load_sites(spec: dict[str, Any]) -> tuple[Any, list[str], tuple, list[str]]:
    """Sites, reader warnings, cache key and input paths for the chosen source."""
    if source == "Bundled example":
        examples = sup.example_files()
        if spec["example"] not in examples:
            raise SitingError("no bundled example files found (data/examples)")
        p = examples[spec["example"]]
        mtime = p.stat().st_mtime_ns
        gdf, msgs = example_sites(str(p), mtime)
        return gdf, msgs, ("example", str(p), mtime), [str(p)]
    if source == "Upload a file":
        up = spec["upload"]
        if up is None:
            st.info("Upload a sites file in the sidebar to start.")
            st.stop()
        data = up.getvalue()
        gdf, msgs = upload_sites(up.file_id, up.name, len(data), max_upload_mb * 1_000_000, data)
        return gdf, msgs, ("upload", up.file_id, up.name, len(data)), []
    from siting.grid import estimate_cells

    kind, res, spacing = spec["kind"], spec["res"], spec["spacing"]
    est = estimate_cells(
        sup.parse_region(spec["region"]),
        kind=kind,
        resolution=res if kind == "h3" else None,
        spacing_km=spacing if kind == "regular" else None,
        data_dir=data_dir or None,
    )
    spec["estimate"].caption(f"About {est:,} cells (app limit {sup.APP_MAX_GRID_CELLS:,}).")
    gdf, msgs = grid_sites(spec["region"], kind, res, spacing, data_dir)
    return gdf, msgs, ("grid", spec["region"], kind, res, spacing, data_dir), []


sb.header("Fleet")
gpus_known = known_gpus()
gpu = sb.selectbox("GPU model", gpus_known, index=gpus_known.index(FLEET["gpu"]), key="gpu")
n_gpus = sb.number_input("Number of GPUs", 1, 100_000_000, sup.DEFAULT_GPUS, step=1000, key="gpus")
utilization = sb.slider(
    "Utilization (fraction of full-load power while the product runs)",
    0.0,
    1.0,
    float(FLEET["utilization"]),
    0.01,
    key="utilization",
)
refresh = sb.number_input(
    "Hardware refresh [years]", 0.5, 50.0, float(FLEET["refresh_years"]), 0.5, key="refresh"
)

sb.header("Facility")
cooling = sb.selectbox(
    "Cooling technology",
    sup.COOLING_OPTIONS,
    index=sup.COOLING_OPTIONS.index(FAC["cooling"]),
    key="cooling",
    format_func=lambda n: sup.cooling_label(n, gpu),
    help="A registered design for every site, or auto: every design the GPU allows is "
    "evaluated at each site and the best for the objective is taken (siting.model.auto).",
)
auto_cooling = cooling == sup.AUTO
cooling_objective, max_wue, max_wue_aware = "energy", None, None
if auto_cooling:
    cooling_objective = sb.selectbox(
        "Choose the design with the lowest",
        COOLING_OBJECTIVES,
        format_func=lambda o: {
            "energy": "facility energy",
            "water": "on-site water",
            "scarcity_water": "scarcity-weighted on-site water (AWARE)",
            "weights": "weighted score (the ranking weights below)",
        }.get(o, o),
        key="cooling_objective",
    )
    if sb.checkbox("Cap on-site WUE in water-scarce basins", key="wue_cap_on"):
        CHOICE = field_defaults(CoolingChoice)
        # the README's example cap (`--max-wue 0.2`): a user setting, not a model number
        max_wue = float(
            sb.number_input("WUE cap [L per IT kWh]", 0.0, 50.0, 0.2, 0.05, key="max_wue")
        )
        max_wue_aware = float(
            sb.number_input(
                "...where the AWARE factor is above",
                0.0,
                100.0,
                float(CHOICE["max_wue_above_aware"]),
                1.0,
                key="max_wue_aware",
                help="AWARE water-scarcity factor above which the cap applies (0: everywhere).",
            )
        )
    refused = sup.design_infeasibility(gpu)
    if refused:
        sb.caption(f"Not considered for {gpu}: " + "; ".join(sorted(set(refused.values()))))
preset = sb.selectbox(
    "Preset", FACILITY_PRESETS, index=FACILITY_PRESETS.index(FAC["preset"]), key="preset"
)

sb.header("Commitment")
commitment = sb.slider(
    "Commitment [years]", 1, 60, int(SCEN["commitment_years"]), key="commitment_years"
)
product_dies = sb.checkbox(
    "The product is shut down before the commitment ends", value=False, key="product_dies"
)
product_years = None
if product_dies:
    product_years = sb.slider(
        "Product shut down after [years]",
        0.5,
        float(commitment),
        min(sup.DEFAULT_PRODUCT_YEARS, float(commitment)),
        0.5,
        key="product_years",
    )
after = sb.selectbox(
    "After the product",
    AFTER_MODES,
    index=AFTER_MODES.index(SCEN["after"]),
    key="after",
    help="idle: fleet kept powered at its idle floor; retenant: a share re-leased after a "
    "delay; power_down: fleet off, facility baseline and take-or-pay remain.",
)
with sb.expander("Contracts and trends"):
    start_year = st.number_input("Start year", 1990, 2100, int(SCEN["start_year"]), key="start")
    retenant_fraction = st.slider(
        "Re-tenanted share", 0.0, 1.0, float(SCEN["retenant_fraction"]), 0.05, key="ret_f"
    )
    retenant_delay = st.number_input(
        "Re-tenant delay [years]",
        0.0,
        float(commitment),
        min(float(SCEN["retenant_delay_years"]), float(commitment)),
        0.5,
        key="ret_d",
    )
    take_or_pay = st.slider(
        "Take-or-pay minimum (share of running energy)",
        0.0,
        1.0,
        float(SCEN["take_or_pay_fraction"]),
        0.05,
        key="top",
    )
    cfe = st.slider(
        "Contracted carbon-free share", 0.0, 1.0, float(SCEN["carbon_free_share"]), 0.05, key="cfe"
    )
    decarb = st.number_input(
        "Grid decarbonization [per year]",
        -0.5,
        1.0,
        float(SCEN["grid_decarbonization_per_yr"]),
        0.01,
        key="decarb",
    )
    escal = st.number_input(
        "Price escalation [per year]",
        -0.5,
        1.0,
        float(SCEN["price_escalation_per_yr"]),
        0.01,
        key="escal",
    )
    warming = st.number_input(
        "Warming [C per decade]", -2.0, 5.0, float(SCEN["warming_c_per_decade"]), 0.1, key="warm"
    )
    price_default = st.number_input(
        "Price where no data [USD/MWh]",
        1.0,
        10_000.0,
        float(SCEN["price_usd_per_mwh_default"]),
        1.0,
        key="price_default",
    )

sb.header("Ranking")
sb.caption("Weights are relative; lower score is better.")
weights: dict[str, float] = {}
for k in DEFAULT_WEIGHTS:
    weights[k] = sb.slider(
        f"{CRITERIA[k].label} [{CRITERIA[k].unit}]",
        0.0,
        10.0,
        float(DEFAULT_WEIGHTS[k]),
        0.5,
        key=f"w_{k}",
    )
extra = sb.multiselect(
    "More criteria",
    [k for k in CRITERIA if k not in DEFAULT_WEIGHTS],
    format_func=lambda k: f"{CRITERIA[k].label} [{CRITERIA[k].unit}]",
    key="extra_criteria",
)
for k in extra:
    weights[k] = sb.slider(
        f"{CRITERIA[k].label} [{CRITERIA[k].unit}]", 0.0, 10.0, 1.0, 0.5, key=f"w_{k}"
    )
rules_text = sb.text_area(
    "Exclusions (one rule per line)",
    value="",
    key="exclusions",
    placeholder="grid_co2_g_per_kwh > 600\nbws_cat >= high\ncountry_iso3 in USA,CAN",
    help="Screening rules (siting.decide): a site matching any rule is excluded but kept "
    "in the table with the reason.",
)
force_text = sb.text_input("Always keep these site ids (comma-separated)", key="force_include")

sb.header("Portfolio")
sb.caption("Which set of sites meets a capacity target (siting.decide.portfolio). 0 = off.")
portfolio_target_mw = sb.number_input(
    "Target IT capacity [MW]", 0.0, 1e6, 0.0, 50.0, key="portfolio_target"
)
portfolio_objective = sb.selectbox(
    "Least",
    list(sup.PORTFOLIO_OBJECTIVES),
    format_func=sup.PORTFOLIO_OBJECTIVES.get,
    key="portfolio_objective",
)
portfolio_country_cap = sb.number_input(
    "Cap per country [MW] (0 = none)", 0.0, 1e6, 0.0, 50.0, key="portfolio_cap"
)

# ----------------------------------------------------------------------------- run
# the title and the sidebar are on the page before the slow first join (a spinner says
# what runs): the page is usable while the data load
st.title("Where to build, and what it commits us to")
try:
    fleet = Fleet(gpu=gpu, gpus=int(n_gpus), utilization=float(utilization), refresh_years=refresh)
    # with auto the library ignores facility.cooling (as `siting run --cooling auto`)
    facility = Facility(cooling=FAC["cooling"] if auto_cooling else cooling, preset=preset)
    choice = (
        sup.cooling_choice(cooling_objective, max_wue, max_wue_aware, weights)
        if auto_cooling
        else None
    )
    scenario = Scenario(
        commitment_years=int(commitment),
        product_years=None if product_years is None else float(product_years),
        after=after,
        start_year=int(start_year),
        retenant_fraction=float(retenant_fraction),
        retenant_delay_years=float(retenant_delay),
        take_or_pay_fraction=float(take_or_pay),
        carbon_free_share=float(cfe),
        grid_decarbonization_per_yr=float(decarb),
        price_escalation_per_yr=float(escal),
        warming_c_per_decade=float(warming),
        price_usd_per_mwh_default=float(price_default),
    )
    layer_resources(data_dir)
    sites, site_msgs, sites_key, inputs = load_sites(site_spec)
    rules = sup.parse_exclusions(rules_text)
    force = sup.parse_ids(force_text)
    joined, join_msgs = joined_sites(sites_key, data_dir, sites)
    assessment = assessed_sites(
        sites_key,
        data_dir,
        sup.config_key(fleet),
        sup.config_key(scenario),
        sup.config_key(facility),
        joined,
        fleet,
        scenario,
        facility,
        sup.config_key(choice),
        choice,
    )
    ranked = sup.rank_sites(assessment.summary, weights, rules, force)
    # both futures (siting.decide.futures): the page's scenario is one of them, the other
    # is assessed with the same fleet, facility and data (cached like the first)
    survives_scen, shut_scen, shut_is_example = sup.futures_scenarios(scenario)
    other_scen = shut_scen if scenario.product_years is None else survives_scen
    other = assessed_sites(
        sites_key,
        data_dir,
        sup.config_key(fleet),
        sup.config_key(other_scen),
        sup.config_key(facility),
        joined,
        fleet,
        other_scen,
        facility,
        sup.config_key(choice),
        choice,
    )
    surv_a, shut_a = (assessment, other) if scenario.product_years is None else (other, assessment)
    futures = sup.futures_table(surv_a.summary, shut_a.summary, shut_scen, weights, rules, force)
except SitingError as e:
    fail(e)
except Exception as e:  # noqa: BLE001 - shown in the page, never as a traceback
    fail(e)

# ----------------------------------------------------------------------------- page
n_sites = len(ranked)
n_ranked = int(ranked["rank"].notna().sum())
n_excl = int(ranked["excluded"].sum())
st.caption(
    f"{n_sites:,} sites ({n_ranked:,} ranked, {n_excl:,} excluded) - {int(n_gpus):,} x {gpu}, "
    + (
        f"cooling design per site (lowest {cooling_objective}), "
        if auto_cooling
        else f"{cooling} cooling, "
    )
    + f"{commitment}-year commitment"
    + (
        f", product shut down after {product_years:g} years, then {after}"
        if product_years is not None
        else ", product runs the whole commitment"
    )
)
for m in site_msgs + join_msgs:
    st.warning(m)

top = ranked[ranked["rank"].notna()].head(1)
if len(top):
    t = top.iloc[0]
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    sig = sup.round_sig  # three significant figures, as in the tables
    c1.metric("Best site", sup.site_name(t), help=sup.site_label(t))
    c2.metric(f"On-site water over {commitment} years", f"{sig(t['water_onsite_m3'] / 1e6):g} M m3")
    c3.metric("Scope-2 CO2e", f"{sig(t['co2_scope2_t'] / 1e3):g} kt")
    c4.metric("Energy cost", f"{sig(t['energy_cost_usd'] / 1e6):g} M USD")
    top5 = ranked[ranked["rank"].notna()].head(5)
    # plain text (st.text): site ids come from user files and are never rendered as markdown
    st.text(
        "Top sites: "
        + "  ".join(f"{int(row['rank'])}. {sup.site_label(row)}" for _, row in top5.iterrows())
    )
    st.text(f"{sup.site_label(t)}, {sup.futures_line(futures, str(t['site_id']))}")
else:
    st.warning("No site could be ranked (every site is excluded or misses a weighted value).")

# -- both futures
sd_years = float(shut_scen.product_years)
st.subheader("Two futures: the product survives, or it is shut down")
st.caption(
    f"Same sites, fleet, facility and weights. Shut down after {sd_years:g} of {commitment} "
    "years"
    + (
        " - an example, not a forecast: tick 'The product is shut down before the commitment "
        "ends' in the sidebar to set the year"
        if shut_is_example
        else " (your setting)"
    )
    + f"; after it the facility is {after}. Per year after the shutdown: energy cost, "
    "scope-2 CO2e and water (on- + off-site) that keep coming with no product to pay for them."
)
st.dataframe(
    sup.futures_view(futures, ranked, sd_years),
    hide_index=True,
    height=280,
    key="futures",
    column_config={
        c: st.column_config.NumberColumn(format="localized")
        for c in sup.futures_view(futures.head(0), ranked.head(0), sd_years).columns
        if c.startswith("After")
    },
)

# -- map
st.subheader("Map")
layer_labels = {"none": "Sites by result", **{k: v.label for k, v in sup.DATA_LAYERS.items()}}
layer_key = st.radio(
    "Data layer",
    list(layer_labels),
    format_func=lambda k: {
        "none": "Sites by result",
        "water": "Water stress",
        "grid": "Grid carbon",
        "price": "Electricity price",
        "climate": "Climate",
    }[k],
    horizontal=True,
    key="map_layer",
    help="Colour the sites by a data layer; countries and states are shaded by their own "
    "value where the layer has one per country or state.",
)
shaded: list[dict] = []
sources_note = ""
base = layer_resources(data_dir)["base"]
if layer_key == "none":
    options = sup.numeric_columns(ranked)
    colour_col = st.selectbox("Colour sites by", options, index=0, key="colour_by")
    values = ranked[colour_col].to_numpy(dtype=float, na_value=float("nan"))
    crit = next((c for c in CRITERIA.values() if c.column == colour_col), None)
    label = crit.label if crit else colour_col
    unit = crit.unit if crit else ""
    if colour_col == "score":
        label = "Score (0 best, 1 worst)"
    _, scale = sup.colour_scale(values, column=colour_col, label=label, unit=unit)
else:
    layer = sup.DATA_LAYERS[layer_key]
    values = sup.site_layer_values(ranked, layer)
    bvals = boundary_values(layer_key, data_dir)
    extra_vals = list(bvals.country.values()) + list(bvals.region.values())
    _, scale = sup.colour_scale(
        values,
        column=layer.column,
        label=layer.label,
        unit=layer.unit,
        extra=extra_vals,
        log=layer.log,
    )
    if bvals.country:
        shaded.append(sup.shaded_boundaries(base["admin0"], bvals.country, scale))
    if bvals.region and "admin1" in base:
        shaded.append(sup.shaded_boundaries(base["admin1"], bvals.region, scale))
    if bvals.sources:
        sources_note = "Shaded countries/states: " + "; ".join(bvals.sources) + "."
    else:
        sources_note = (
            "This layer has no value per country or state here: only the sites are coloured."
        )
points = sup.site_points(ranked, values, scale, commitment_years=int(commitment))
# an upload is commercially sensitive: its sites travel inside this session's map spec,
# never as a file of the shared static folder
st.pydeck_chart(
    sup.deck(
        points,
        base,
        shaded,
        files=static_map_files(),
        private_sites=source == "Upload a file",
    ),
    height=520,
    key="map",
)
lc1, lc2 = st.columns([1, 3])
lc1.image(sup.legend_image(scale.cmap), width="stretch")
lc2.caption(scale.describe() + (" " + sources_note if sources_note else ""))

# -- ranking
st.subheader("Ranking")
st.caption(
    "Lifetime totals over the commitment. Score: weighted sum of min-max normalised criteria "
    "(0 best, 1 worst; siting.decide, docs/method_decide.md). Weights: "
    + ", ".join(f"{k} {v:.2f}" for k, v in ranked.attrs.get("weights", {}).items())
)
table = sup.display_table(sup.ranking_table(ranked), keep=(sup.table_header("score"),))
number_format = {
    c: st.column_config.NumberColumn(format="localized")
    for c in table.columns
    if table[c].dtype.kind == "f"
}
number_format[sup.table_header("score")] = st.column_config.NumberColumn(format="%.4f")
st.dataframe(table, hide_index=True, height=360, key="ranking", column_config=number_format)

# -- portfolio
if portfolio_target_mw > 0:
    st.subheader("Portfolio")
    try:
        pf = sup.build_portfolio(
            ranked,
            fleet.design_it_mw,
            portfolio_target_mw,
            portfolio_objective,
            portfolio_country_cap or None,
        )
    except SitingError as e:
        fail(e)
    else:
        st.caption(
            f"{pf.status}: {pf.message or ''} Each site up to {fleet.design_it_mw:,.1f} MW "
            "(the fleet's design IT capacity); totals scale linearly with the size built."
        )
        pf_sites, pf_cons = sup.portfolio_view(pf)
        st.dataframe(sup.display_table(pf_sites), hide_index=True, key="portfolio_sites")
        st.dataframe(pf_cons, hide_index=True, key="portfolio_constraints")

# -- site detail
st.subheader("Site detail")
ids = ranked["site_id"].astype(str).tolist()
pick_from = ids[:1000]
d1, d2 = st.columns([2, 2])
labels = {str(r["site_id"]): sup.site_label(r) for _, r in ranked.head(1000).iterrows()}
site = d1.selectbox(
    "Site (ranked order)", pick_from, index=0, key="site", format_func=lambda i: labels.get(i, i)
)
typed = d2.text_input("...or type any site id", key="site_typed").strip()
if typed:
    if typed in set(ids):
        site = typed
    else:
        st.error(f"unknown site id {typed!r}")
row = ranked.loc[ranked["site_id"].astype(str) == str(site)].iloc[0]
st.text(
    f"{sup.site_label(row)}, if the product is shut down after {sd_years:g} years: "
    + sup.futures_line(futures, str(site))
)
var_names = [v for v in ANNUAL_VARIABLES if v != "product_alive"]
var = st.selectbox(
    "Yearly series",
    var_names,
    index=var_names.index("water_onsite_m3"),
    format_func=lambda v: f"{ANNUAL_VARIABLES[v][1]} [{ANNUAL_VARIABLES[v][0]}]",
    key="series_var",
)
series = sup.annual_table(assessment.annual, str(site), var)
shut = sup.shutdown_year(scenario)
import altair as alt  # noqa: E402 - only needed from here on

unit = ANNUAL_VARIABLES[var][0]
bars = (
    alt.Chart(series)
    .mark_rect(stroke="white", strokeWidth=0.5)
    .encode(
        x=alt.X(
            "year:Q",
            title="year (each bar covers one calendar year)",
            scale=alt.Scale(
                domain=[int(series["year"].min()), int(series["year_end"].max())], nice=False
            ),
            axis=alt.Axis(format="d", tickMinStep=1),
        ),
        x2="year_end:Q",
        y=alt.Y("value:Q", title=f"{var} [{unit}]"),
        y2=alt.datum(0),
        color=alt.Color(
            "phase:N",
            scale=alt.Scale(
                domain=["product running", "shutdown year", "after shutdown"],
                range=["#3b528b", "#21918c", "#fde725"],
            ),
            title=None,
        ),
        tooltip=["year:Q", alt.Tooltip("value:Q", format=",.4g", title=unit), "phase:N"],
    )
)
chart = bars
if shut is not None:
    rule = (
        alt.Chart({"values": [{"x": shut, "label": "product shut down"}]})
        .mark_rule(color="#c0392b", strokeWidth=2, strokeDash=[6, 3])
        .encode(x="x:Q")
    )
    text = (
        alt.Chart({"values": [{"x": shut, "label": "product shut down"}]})
        .mark_text(align="left", dx=4, dy=-6, color="#c0392b")
        .encode(x="x:Q", y=alt.value(8), text="label:N")
    )
    chart = bars + rule + text
st.altair_chart(chart, width="stretch")

# -- cooling designs at this site: what another design would cost in PUE / save in water
if auto_cooling:
    designs_here, taken = assessment.designs, str(row["cooling_design"])
else:
    try:
        designs_here = site_trade_off(
            sites_key,
            data_dir,
            str(site),
            sup.config_key(fleet),
            sup.config_key(scenario),
            sup.config_key(facility),
            joined,
            fleet,
            scenario,
            facility,
        )
    except SitingError as e:
        fail(e)
    taken = cooling
trade = sup.site_design_table(designs_here, str(site), taken)
st.markdown("**Cooling designs at this site: annual PUE against on-site water**")
t1, t2 = st.columns([3, 2])
t1.altair_chart(
    sup.trade_off_chart(trade, f"{sup.site_name(row)}: every design {gpu} allows"),
    width="stretch",
    key="trade_off_chart",
)
t2.caption(
    (
        f"Design taken here: {taken} ({row['cooling_reason']})."
        if auto_cooling
        else f"Design of this run: {taken}; the others evaluated at this site alone "
        "(siting.model.assess with a per-site choice)."
    )
    + " Ringed: the design taken. Same fleet, preset and commitment."
)
answer = sup.dry_answer(trade, taken)
if answer:
    t2.text(answer)
st.dataframe(
    trade,
    hide_index=True,
    key="trade_off_table",
    column_config={
        c: st.column_config.NumberColumn(format="%+.3f" if "vs" in c else "%.3f")
        for c in trade.columns
        if trade[c].dtype.kind == "f"
    },
)

b1, b2 = st.columns([3, 2])
with b1:
    st.markdown("**While the product ran / after it was shut down** (lifetime totals)")
    split = sup.display_table(sup.before_after(row))
    st.dataframe(
        split,
        hide_index=True,
        column_config={
            c: st.column_config.NumberColumn(format="localized")
            for c in split.columns
            if split[c].dtype.kind == "f"
        },
    )
why = sup.explain_site(ranked, str(site), assessment)
with b2:
    st.markdown("**Site inputs**")
    st.dataframe(
        why.query("section == 'layer'")[["item", "value", "unit", "source"]], hide_index=True
    )
with st.expander("Why this number: every value, its unit and its source", expanded=False):
    st.dataframe(why, hide_index=True)

# -- downloads
st.subheader("Downloads")
st.caption(
    "Files are written by the library when you click (siting.pipeline.write_outputs and "
    "siting.report.write_report) for the sites, fleet, commitment, weights and exclusions "
    "shown on this page. The HTML and PDF reports take a few seconds."
)


def _result() -> Any:
    """This page's run as a RunResult (built only when a download is asked for)."""
    return sup.make_result(sites, joined, assessment, ranked, weights, rules, data_dir, inputs)


dl_cols = st.columns(len(sup.REPORT_FORMATS) + 1)
dl_cols[0].download_button(
    "Results (.zip: csv, parquet, nc)",
    data=lambda: sup.outputs_zip(_result()),
    file_name="siting-results.zip",
    mime="application/zip",
    key="dl_outputs",
    on_click="ignore",
)
if not sup.REPORT_FORMATS:
    st.caption("Report downloads appear here once siting.report is installed.")
for col, (fmt, (suffix, mime)) in zip(dl_cols[1:], sup.REPORT_FORMATS.items(), strict=True):
    col.download_button(
        f"Report {suffix}",
        data=lambda fmt=fmt: sup.report_bytes(_result(), fmt),
        file_name=f"siting-report{suffix}",
        mime=mime,
        key=f"dl_report_{fmt}",
        on_click="ignore",
    )

# -- provenance
with st.expander("Data sources, coverage and assumptions"):
    st.markdown("**Layers that supplied values**")
    st.dataframe(datasets_table(sites_key, data_dir, joined), hide_index=True)
    st.markdown("**Coverage (sites per layer and level)**")
    st.dataframe(joined.attrs.get("coverage"), hide_index=True)
    st.markdown("**Model assumptions**")
    st.dataframe(assessment.assumptions.astype({"value": str}), hide_index=True)
