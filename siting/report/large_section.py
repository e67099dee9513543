"""What the report says and shows when a run has more sites than a report can list
(a run on the chunked engine): the top sites in full, every site as distributions and
as a hexagon-binned map."""

from __future__ import annotations

import math
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


def _widen(lo: float, hi: float, expander: float = 0.1) -> tuple[float, float]:
    """A range of zero width widened as ``Axes.hexbin`` widens it (matplotlib's
    ``transforms._nonsingular`` with ``expander=0.1``, ``tiny=1e-15``)."""
    lo, hi = float(lo), float(hi)
    big = max(abs(lo), abs(hi))
    if big < 1e21 * np.finfo(float).tiny:  # both about zero
        return -expander, expander
    if hi - lo <= big * 1e-15:
        if lo == 0 and hi == 0:
            return -expander, expander
        return lo - expander * abs(lo), hi + expander * abs(hi)
    return lo, hi


def hex_minima(x, y, c, gridsize: int = HEX_GRID):
    """The smallest ``c`` and the number of points in each hexagon of ``Axes.hexbin``'s grid.

    The grid is matplotlib's (``gridsize`` hexagons across the points' x extent, two
    interleaved rectangular lattices, each point in the hexagon of the nearer lattice
    centre), computed with vectorized numpy instead of ``hexbin``'s per-point Python
    loop when ``C`` is given. Points where ``x``, ``y`` or ``c`` is not finite are left
    out, as ``hexbin`` leaves them out.

    Returns
    -------
    centres : (n, 2) array
        Centre (x, y) of each hexagon holding at least one point.
    minima : (n,) array
        The smallest ``c`` in that hexagon.
    counts : (n,) int array
        Points in that hexagon.
    extent : tuple
        ``(xmin, xmax, ymin, ymax)`` of the points (widened when of zero width): the
        ``extent`` to give ``Axes.hexbin`` for the same grid.
    """
    x, y, c = (np.asarray(v, dtype=float) for v in (x, y, c))
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(c)
    x, y, c = x[ok], y[ok], c[ok]
    nx = int(gridsize)
    ny = int(nx / math.sqrt(3))
    if len(x):
        xmin, xmax = _widen(x.min(), x.max())
        ymin, ymax = _widen(y.min(), y.max())
    else:
        xmin, xmax, ymin, ymax = 0.0, 1.0, 0.0, 1.0
    extent = (xmin, xmax, ymin, ymax)
    pad = 1e-9 * (xmax - xmin)  # as hexbin: the hexagons exactly cover [xmin, xmax]
    x0 = xmin - pad
    sx = (xmax + pad - x0) / nx
    sy = (ymax - ymin) / ny
    ix, iy = (x - x0) / sx, (y - ymin) / sy
    ix1, iy1 = np.round(ix), np.round(iy)  # lattice 1: (nx + 1) x (ny + 1) centres
    ix2, iy2 = np.floor(ix), np.floor(iy)  # lattice 2: nx x ny centres, offset by half
    near1 = (ix - ix1) ** 2 + 3.0 * (iy - iy1) ** 2 < (ix - ix2 - 0.5) ** 2 + 3.0 * (
        iy - iy2 - 0.5
    ) ** 2
    in1 = (ix1 >= 0) & (ix1 < nx + 1) & (iy1 >= 0) & (iy1 < ny + 1)
    in2 = (ix2 >= 0) & (ix2 < nx) & (iy2 >= 0) & (iy2 < ny)
    n1 = (nx + 1) * (ny + 1)
    cell = np.where(near1, ix1 * (ny + 1) + iy1, n1 + ix2 * ny + iy2)
    keep = np.where(near1, in1, in2)
    cell, c = cell[keep].astype(np.int64), c[keep]
    n = n1 + nx * ny
    counts = np.bincount(cell, minlength=n)
    low = np.full(n, np.inf)
    np.minimum.at(low, cell, c)
    full = np.flatnonzero(counts)
    first = full < n1
    k = np.where(first, full, full - n1)
    cx = np.where(first, k // (ny + 1), k // ny + 0.5) * sx + x0
    cy = np.where(first, k % (ny + 1), k % ny + 0.5) * sy + ymin
    return np.column_stack([cx, cy]), low[full], counts[full], extent


def _hexbin_map(points) -> str | None:
    """Every site with a score, hexagon-binned, coloured by the best (lowest) score in
    each hexagon. The minima come from :func:`hex_minima`; ``Axes.hexbin`` then draws
    one point per hexagon (its centre, carrying that minimum) on the same grid, which
    is the figure of ``hexbin`` over every point with ``reduce_C_function=np.min``."""
    from siting.report.charts import _figure, png_data_uri

    if not {"lon", "lat", "score"} <= set(points.columns) or not len(points):
        return None
    fig = _figure(7.5, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    score = points["score"].to_numpy(float)
    ok = np.isfinite(score)
    centres, minima, _, extent = hex_minima(
        points["lon"].to_numpy(float)[ok], points["lat"].to_numpy(float)[ok], score[ok]
    )
    hb = ax.hexbin(
        centres[:, 0],
        centres[:, 1],
        C=minima,
        reduce_C_function=np.min,
        gridsize=HEX_GRID,
        extent=extent,
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
    """Histograms (60 equal bins over each column's finite values, ``np.histogram``)
    of the score and three totals over every site, each drawn as one filled step
    outline (the look of ``Axes.hist``, without one rectangle per bin)."""
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
        counts, edges = np.histogram(v, bins=60)
        ax.stairs(counts, edges, fill=True, color="#4c72b0")
        ax.set_xlabel(title)
        ax.set_ylabel("sites")
        ax.xaxis.set_major_formatter(compact_number)
    fig.tight_layout()
    return png_data_uri(fig)
