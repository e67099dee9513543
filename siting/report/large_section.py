"""What the report says and shows when a run has more sites than a report can list
(a run on the chunked engine): the top sites in full, every site as distributions and
as a hexagon-binned map."""

from __future__ import annotations

from typing import Any

import numpy as np

#: Hexagons across the map of every site (a drawing choice, not data).
HEX_GRID = 60


def large_note(result: Any) -> str | None:
    """One sentence saying which rows the report and workbook hold, or None."""
    large = getattr(result, "large", None)
    if large is None:
        return None
    return (
        f"This run assessed {large.n_sites:,} sites. The report and the workbook list the "
        f"best {len(result.ranked):,} by rank (option --report-top, now {large.report_top:,}); "
        "every site, with every column, is in sites.parquet (GeoParquet); report.gpkg "
        "(GeoPackage) holds every site with the ranking and summary columns "
        "(location, rank, score and its normalised criteria, exclusion, lifetime "
        "totals, their main inputs, both futures; list in docs/method_scale.md)."
    )


def gpkg_note(result: Any) -> str | None:
    """The description stored in the GeoPackage of a large run, or None."""
    large = getattr(result, "large", None)
    if large is None:
        return None
    from siting.scale.large_outputs import gpkg_description

    return gpkg_description(large.n_sites)


def large_context(result: Any) -> dict[str, Any] | None:
    """The note, a hexbin map of every site's best score and distributions, or None."""
    large = getattr(result, "large", None)
    if large is None:
        return None
    return {
        "note": large_note(result),
        "map": _hexbin_map(large.points),
        "distributions": _distributions(large.points),
    }


def _hexbin_map(points) -> str | None:
    from siting.report.charts import _figure, png_data_uri

    if not {"lon", "lat", "score"} <= set(points.columns) or not len(points):
        return None
    fig = _figure(7.5, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    score = points["score"].to_numpy(float)
    ok = np.isfinite(score)
    hb = ax.hexbin(
        points["lon"].to_numpy(float)[ok],
        points["lat"].to_numpy(float)[ok],
        C=score[ok],
        reduce_C_function=np.min,
        gridsize=HEX_GRID,
        cmap="viridis_r",
        mincnt=1,
        linewidths=0,
    )
    fig.colorbar(hb, ax=ax, label="best (lowest) score in the hexagon")
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.set_title(f"Every ranked site ({int(ok.sum()):,}), hexagon-binned")
    fig.tight_layout()
    return png_data_uri(fig)


def _distributions(points) -> str | None:
    from siting.report.charts import _figure, compact_number, png_data_uri

    cols = [
        (c, t)
        for c, t in (
            ("score", "score [-]"),
            ("co2_scope2_t", "scope-2 CO2e [t]"),
            ("water_onsite_m3", "on-site water [m3]"),
            ("energy_cost_usd", "energy cost [$]"),
        )
        if c in points.columns
    ]
    if not cols:
        return None
    fig = _figure(7.5, 2.2 * ((len(cols) + 1) // 2))
    for i, (c, title) in enumerate(cols):
        ax = fig.add_subplot((len(cols) + 1) // 2, 2, i + 1)
        v = points[c].to_numpy(float)
        v = v[np.isfinite(v)]
        ax.hist(v, bins=60, color="#4c72b0")
        ax.set_xlabel(title)
        ax.set_ylabel("sites")
        ax.xaxis.set_major_formatter(compact_number)
    fig.tight_layout()
    return png_data_uri(fig)
