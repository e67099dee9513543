"""Glue between the Streamlit app (``app.py``) and the library, with no Streamlit in it.

The app builds configuration objects from its widgets and calls the functions here;
they call the library (:func:`siting.read_sites`, :func:`siting.grid.generate_grid`,
:func:`siting.join.join_layers`, :func:`siting.model.assess`, :func:`siting.decide.rank`,
:func:`siting.decide.explain`) and prepare what the page shows: the ranking table with
units, the map layers (colour scales, GeoJSON of the boundaries, tooltips) and the
per-site annual series. Nothing here computes a footprint or a score of its own.

One module per concern:

* :mod:`siting.app.uploads`: sites the page asks for (examples, uploads, grids) and the
  page's text inputs (exclusion rules, site ids);
* :mod:`siting.app.stages`: the library stages the page caches (join, assess, rank) and
  the downloads built from them (reports, output files);
* :mod:`siting.app.cooling`: the cooling design (one or ``auto`` per site), the
  designs a GPU refuses and the water-versus-energy trade-off at a site;
* :mod:`siting.app.tables`: the ranking table, the per-site tables and value formatting;
* map data: :mod:`siting.app.colours` (colour scales, legend),
  :mod:`siting.app.boundaries` (data layers, base map, boundary shading),
  :mod:`siting.app.mapfiles` (layer data as JSON, ``data:`` URLs, static map files) and
  :mod:`siting.app.deck` (site points, view, the pydeck map).

The work is split so that the app can cache each stage on its own inputs:

1. sites (example file, upload or generated grid) -> :func:`read_upload` / :func:`grid_sites`
2. sites + data directory -> :func:`join_sites` (the slow, data-bound step)
3. joined + fleet + scenario + facility -> :func:`assess_sites`
4. summary + weights + exclusions -> :func:`rank_sites` (fast: a weight change only re-ranks)

Every stage raises :class:`siting.SitingError` (or a subclass) with a message the page
shows as it is.
"""

from __future__ import annotations

from siting.app.boundaries import (
    BOUNDARY_SIMPLIFY_DEG,
    DATA_LAYERS,
    LAND_TONES,
    BoundaryData,
    DataLayer,
    base_boundaries,
    boundary_values,
    cached_base_boundaries,
    shaded_boundaries,
    site_layer_values,
)
from siting.app.colours import NO_VALUE_RGB, ColourScale, colour_scale, colours_on, legend_image
from siting.app.cooling import (
    AUTO,
    COOLING_OPTIONS,
    cooling_choice,
    cooling_label,
    design_infeasibility,
    design_trade_off,
    dry_answer,
    site_design_table,
    trade_off_chart,
)
from siting.app.deck import OFFLINE_MAP_STYLE, SITE_SQUARES_ABOVE, deck, site_points, view_state
from siting.app.mapfiles import MAP_FILES_KEEP, MapFiles, data_url, json_bytes
from siting.app.portfolio import PORTFOLIO_OBJECTIVES, build_portfolio, portfolio_view
from siting.app.stages import (
    DEFAULT_GPUS,
    DEFAULT_PRODUCT_YEARS,
    REPORT_FORMATS,
    assess_sites,
    cached_join,
    config_key,
    futures_scenarios,
    futures_table,
    join_sites,
    make_result,
    outputs_zip,
    rank_sites,
    report_bytes,
)
from siting.app.tables import (
    MISSING_TEXT,
    TABLE_SIG_FIGS,
    annual_table,
    before_after,
    display_table,
    explain_site,
    format_value,
    futures_line,
    futures_view,
    numeric_columns,
    ranking_table,
    round_sig,
    shutdown_year,
    site_label,
    site_name,
    table_header,
)
from siting.app.uploads import (
    APP_MAX_GRID_CELLS,
    MAX_UPLOAD_MB,
    UPLOAD_TYPES,
    capture_warnings,
    example_files,
    grid_sites,
    parse_exclusions,
    parse_ids,
    parse_region,
    read_upload,
)

__all__ = [
    "AUTO",
    "COOLING_OPTIONS",
    "cooling_choice",
    "cooling_label",
    "design_infeasibility",
    "design_trade_off",
    "dry_answer",
    "site_design_table",
    "trade_off_chart",
    "PORTFOLIO_OBJECTIVES",
    "build_portfolio",
    "portfolio_view",
    "site_name",
    "cached_join",
    "cached_base_boundaries",
    "site_label",
    "round_sig",
    "futures_view",
    "futures_table",
    "futures_scenarios",
    "futures_line",
    "display_table",
    "APP_MAX_GRID_CELLS",
    "BOUNDARY_SIMPLIFY_DEG",
    "DATA_LAYERS",
    "DEFAULT_GPUS",
    "DEFAULT_PRODUCT_YEARS",
    "LAND_TONES",
    "MAP_FILES_KEEP",
    "MAX_UPLOAD_MB",
    "MISSING_TEXT",
    "NO_VALUE_RGB",
    "OFFLINE_MAP_STYLE",
    "REPORT_FORMATS",
    "SITE_SQUARES_ABOVE",
    "TABLE_SIG_FIGS",
    "UPLOAD_TYPES",
    "BoundaryData",
    "ColourScale",
    "DataLayer",
    "MapFiles",
    "annual_table",
    "assess_sites",
    "base_boundaries",
    "before_after",
    "boundary_values",
    "capture_warnings",
    "colour_scale",
    "colours_on",
    "config_key",
    "data_url",
    "deck",
    "example_files",
    "explain_site",
    "format_value",
    "grid_sites",
    "join_sites",
    "json_bytes",
    "legend_image",
    "make_result",
    "numeric_columns",
    "outputs_zip",
    "parse_exclusions",
    "parse_ids",
    "parse_region",
    "rank_sites",
    "ranking_table",
    "read_upload",
    "report_bytes",
    "shaded_boundaries",
    "shutdown_year",
    "site_layer_values",
    "site_points",
    "table_header",
    "view_state",
]
