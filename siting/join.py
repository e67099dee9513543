"""Join candidate sites to every data layer, vectorized, with coverage.

``join_layers(sites)`` runs each layer family's ``join`` in a fixed order
(boundaries first: later families use the country and region found), and
returns the sites with the new columns of ``docs/columns.md``. No site is ever
dropped: a site a layer does not cover gets NaN plus a ``{family}_reason``.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from importlib import import_module

import geopandas as gpd
import pandas as pd

from siting.errors import SiteInputError
from siting.layers.catalog import Catalog, Layer, load_catalog

#: family joiners, in dependency order ("module:function")
JOINERS: tuple[tuple[str, str], ...] = (
    ("boundary", "siting.layers.boundaries:join"),
    ("grid", "siting.layers.grid_carbon:join"),
    ("marginal", "siting.layers.grid_marginal:join"),
    ("water", "siting.layers.water_stress:join"),
    ("climate", "siting.layers.climate:join"),
    ("price", "siting.layers.price:join"),
)
#: default snapping distance for sites just outside a polygon layer [km] (a user
#: option; 20 km covers coastal sites against 1:50m coastlines, whose generalisation
#: moves coasts by a few km)
DEFAULT_SNAP_KM = 20.0


@dataclass
class JoinContext:
    """What a family joiner needs: the catalog, the data dirs and a coverage log."""

    catalog: Catalog
    data_dir: str | os.PathLike | None = None
    snap_km: float = DEFAULT_SNAP_KM
    options: dict = field(default_factory=dict)
    coverage_rows: list[dict] = field(default_factory=list)

    def locate(self, layer: Layer | str):
        return self.catalog.locate(layer, self.data_dir)

    def count(self, family: str, level: str, layer: str, n: int) -> None:
        self.coverage_rows.append({"family": family, "level": level, "layer": layer, "sites": n})


def join_layers(
    sites: gpd.GeoDataFrame,
    *,
    data_dir: str | os.PathLike | None = None,
    families: tuple[str, ...] | None = None,
    snap_km: float = DEFAULT_SNAP_KM,
    catalog: Catalog | None = None,
    climate_cell_deg: float | str | None = "auto",
    **options,
) -> gpd.GeoDataFrame:
    """Join every available layer to ``sites``.

    Parameters
    ----------
    sites
        Output of :func:`siting.read_sites` (needs ``site_id``, ``lat``, ``lon``).
    data_dir
        Extra data directory searched first (see :mod:`siting.paths`).
    families
        Subset of ``("boundary", "grid", "water", "climate", "price")``.
    snap_km
        Largest distance [km] at which a site outside all polygons of a layer is
        snapped to the nearest one (flagged in the output).
    climate_cell_deg
        ``"auto"`` (default): from :data:`LARGE_JOIN_SITES` sites on, the climate family
        is evaluated once per cell of the 0.25-degree ERA5 grid at the cell centre and
        gathered to the sites, as :func:`siting.scale.screen` does (column
        ``climate_at``); below it per site. A number: that cell size [degrees];
        ``None``: always per site.
    options
        Passed to the family joiners (e.g. ``price_usd_per_mwh_default``).

    Returns
    -------
    GeoDataFrame
        The sites (same rows, same order) with the layer columns. ``.attrs['coverage']``
        holds the coverage table (see :func:`coverage`).
    """
    for col in ("site_id", "lat", "lon"):
        if col not in sites.columns:
            raise SiteInputError(
                f"sites table has no '{col}' column; read sites with siting.read_sites first"
            )
    if snap_km < 0:
        raise SiteInputError(f"snap_km must be >= 0 km, got {snap_km}")
    cell = _climate_cell(climate_cell_deg, len(sites), families)
    if cell is not None:
        return _join_by_cell(sites, cell, data_dir, snap_km, catalog, options)
    ctx = JoinContext(catalog or load_catalog(), data_dir, snap_km, dict(options))
    out = sites.copy()
    geom_name = sites.geometry.name
    user_columns = set(sites.columns) - {"site_id", "lat", "lon", geom_name}
    for fam, target in JOINERS:
        if families is not None and fam not in families:
            continue
        mod_name, _, fn_name = target.partition(":")
        try:
            mod = import_module(mod_name)
        except ModuleNotFoundError as e:
            if e.name != mod_name:
                raise
            warnings.warn(f"layer family '{fam}' is not available ({mod_name})", stacklevel=2)
            continue
        cols = getattr(mod, fn_name)(out, ctx)
        # never overwrite a user's column: keep it as input_<name>
        clash = [c for c in cols.columns if c in user_columns]
        if clash:
            warnings.warn(
                f"input column(s) {clash} share a name with layer output; kept as "
                + ", ".join(f"input_{c}" for c in clash),
                stacklevel=2,
            )
            out = out.rename(columns={c: f"input_{c}" for c in clash})
            user_columns -= set(clash)
        overlap = [c for c in cols.columns if c in out.columns]
        if overlap:
            out = out.drop(columns=overlap)
        out = pd.concat([out, cols], axis=1)
    # copy=False: the columns as they are (a copy consolidates ~100 columns' blocks,
    # ~0.5 s per 125,000 sites; pandas copy-on-write keeps ``out`` itself untouched)
    out = gpd.GeoDataFrame(out, geometry=geom_name, crs=sites.crs, copy=False)
    out.attrs["coverage"] = coverage_table(ctx, len(out))
    return out


#: Sites from which ``join_layers`` evaluates climate once per climate cell (the engine
#: of :func:`siting.scale.screen`); a speed switch, the same as the run's threshold.
LARGE_JOIN_SITES = 10_000


def _climate_cell(climate_cell_deg, n: int, families) -> float | None:
    if families is not None and "climate" not in families:
        return None
    if climate_cell_deg == "auto":
        from siting.scale.common import DEFAULT_CLIMATE_CELL_DEG

        return DEFAULT_CLIMATE_CELL_DEG if n >= LARGE_JOIN_SITES else None
    if climate_cell_deg is None:
        return None
    if isinstance(climate_cell_deg, str) or not float(climate_cell_deg) > 0:
        raise SiteInputError(
            f"climate_cell_deg must be > 0 degrees, 'auto' or None, got {climate_cell_deg!r}"
        )
    return float(climate_cell_deg)


def _join_by_cell(sites, cell: float, data_dir, snap_km, catalog, options) -> gpd.GeoDataFrame:
    """Every family but climate per site, climate per cell (as the chunked engine)."""
    from siting.scale.chunk import _other_families
    from siting.scale.climate_cells import _join_climate_by_cell

    catalog = catalog or load_catalog()
    joined = join_layers(
        sites, data_dir=data_dir, families=_other_families(), snap_km=snap_km,
        catalog=catalog, climate_cell_deg=None, **options,
    )  # fmt: skip
    clim = _join_climate_by_cell(
        joined, cell_deg=cell, data_dir=data_dir, catalog=catalog, join_options=dict(options)
    )
    cov = joined.attrs.get("coverage")
    out = gpd.GeoDataFrame(
        pd.concat([pd.DataFrame(joined), clim], axis=1),
        geometry=sites.geometry.name,
        crs=sites.crs,
        copy=False,  # no block consolidation (see join_layers)
    )
    levels = coverage(clim[[c for c in clim.columns if c.startswith("climate_l")]])
    out.attrs["coverage"] = (
        pd.concat([cov, levels], ignore_index=True) if cov is not None else levels
    )
    return out


def coverage_table(ctx: JoinContext, n_sites: int) -> pd.DataFrame:
    """Sites covered per family, level and layer (and share of all sites)."""
    df = pd.DataFrame(ctx.coverage_rows, columns=["family", "level", "layer", "sites"])
    df["share"] = df["sites"] / max(n_sites, 1)
    return df


def coverage(joined: pd.DataFrame) -> pd.DataFrame:
    """Coverage recomputed from a joined table's ``{family}_level`` columns."""
    rows = []
    for col in joined.columns:
        if col.endswith("_level") and f"{col[:-6]}_layer" in joined.columns:
            fam = col[:-6]
            counts = joined[col].fillna("").replace("", "missing").value_counts()
            for level, n in counts.items():
                rows.append({"family": fam, "level": level, "sites": int(n)})
    df = pd.DataFrame(rows, columns=["family", "level", "sites"])
    df["share"] = df["sites"] / max(len(joined), 1)
    return df
