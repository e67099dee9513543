"""One chunk of sites, start to finish in memory: every layer family joined, the model
assessed once per distinct input row. Both screening paths run this per chunk."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.scale.climate_cells import _join_climate_by_cell
from siting.scale.common import DEFAULT_CLIMATE_CELL_DEG


def screen_chunk(
    sites: gpd.GeoDataFrame,
    fleet=None,
    scenario=None,
    facility=None,
    *,
    data_dir: str | os.PathLike | None = None,
    climate_cell_deg: float | None = DEFAULT_CLIMATE_CELL_DEG,
    join_options: Mapping[str, Any] | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Join every layer and assess the fleet for one chunk of sites.

    Parameters
    ----------
    sites
        Sites (``site_id``, ``lat``, ``lon``, Point geometry in EPSG:4326).
    fleet, scenario, facility
        Model configuration (defaults as in :func:`siting.pipeline.run`).
    data_dir
        Extra data directory.
    climate_cell_deg
        Climate computed once per cell of this size [degrees] (None: per site).
    join_options
        Options passed to :func:`siting.join.join_layers`.

    Returns
    -------
    summary, assumptions
        ``Assessment.summary`` (same rows and order as ``sites``; with ``climate_at``)
        and ``Assessment.assumptions``.
    """
    base, block, assumptions = screen_parts(
        sites,
        fleet,
        scenario,
        facility,
        data_dir=data_dir,
        climate_cell_deg=climate_cell_deg,
        join_options=join_options,
    )[:3]
    geom = base.geometry.name
    wide = pd.concat([pd.DataFrame(base), block], axis=1)
    # copy=False: no consolidation of the blocks (copy-on-write protects the parts)
    return gpd.GeoDataFrame(wide, geometry=geom, crs=base.crs, copy=False), assumptions


def _other_families() -> tuple[str, ...]:
    """Every family of :data:`siting.join.JOINERS` but climate, in their order (a family
    added there is joined here too)."""
    from siting.join import JOINERS

    return tuple(fam for fam, _ in JOINERS if fam != "climate")


class ChunkParts(NamedTuple):
    """One chunk's result, unjoined: the summary is ``base`` followed by ``block``.

    ``other``: the other future's model columns (same rows as ``block``) or None;
    ``designs``: with a cooling choice, the trade-off table site x design of every site
    of the chunk (:func:`siting.model.auto.trade_off_table` layout), else None."""

    base: gpd.GeoDataFrame
    block: pd.DataFrame
    assumptions: pd.DataFrame
    other: pd.DataFrame | None = None
    designs: pd.DataFrame | None = None


def screen_parts(
    sites: gpd.GeoDataFrame,
    fleet,
    scenario,
    facility,
    *,
    data_dir,
    climate_cell_deg,
    join_options,
    other_scenario=None,
    cooling_choice=None,
) -> ChunkParts:
    """:func:`screen_chunk` as (layer columns, model columns, assumptions, ...),
    unjoined: the summary is ``base`` followed by ``block`` (no copy of the wide table).

    With ``other_scenario`` (the other future of :mod:`siting.decide.futures`) the same
    distinct model-input rows are also assessed under it (``other``: that future's
    model columns). With ``cooling_choice`` (:class:`siting.model.CoolingChoice`) the
    design is chosen per site by :func:`siting.model.assess` itself (``designs``: the
    trade-off rows of every site)."""
    from siting.join import join_layers
    from siting.layers.catalog import load_catalog
    from siting.model import Facility, Fleet, Scenario, assess

    fleet = fleet if fleet is not None else Fleet(gpus=50_000)
    scenario = scenario if scenario is not None else Scenario()
    facility = facility if facility is not None else Facility()
    opts = dict(join_options or {})
    catalog = load_catalog()
    per_site = (
        climate_cell_deg is None or "weather_file" in sites.columns or "weather_files" in opts
    )
    if per_site:
        joined = join_layers(
            sites, data_dir=data_dir, catalog=catalog, climate_cell_deg=None, **opts
        )
        joined["climate_at"] = "site"
    else:
        # one join of the other families on the narrow input (join_layers copies its
        # input: joining the wide table again would copy every column), then the
        # climate columns computed per cell are appended
        joined = join_layers(
            sites,
            data_dir=data_dir,
            families=_other_families(),
            catalog=catalog,
            climate_cell_deg=None,
            **opts,
        )
        clim = _join_climate_by_cell(
            joined,
            cell_deg=float(climate_cell_deg),
            data_dir=data_dir,
            catalog=catalog,
            join_options=opts,
        )
        joined = gpd.GeoDataFrame(
            pd.concat([joined, clim], axis=1),
            geometry=sites.geometry.name,
            crs=sites.crs,
            copy=False,
        )
    return _assess_parts(joined, fleet, scenario, facility, assess, other_scenario, cooling_choice)


#: Columns :func:`siting.model.assess` reads from a site table (besides the
#: ``dry_bulb_c_m*``, ``wet_bulb_c_m*`` and ``mix_*`` families and the geometry).
_MODEL_INPUTS = (
    "site_id",
    "lat",
    "lon",
    "grid_co2_g_per_kwh",
    "ewif_l_per_kwh",
    "price_usd_per_mwh",
    "price_level",
    "water_scarcity_factor",
    "climate_reason",
    "grid_reason",
    "region_code",
    "marginal_co2_g_per_kwh",
    "marginal_layer",
)


def _assess_parts(
    joined: gpd.GeoDataFrame, fleet, scenario, facility, assess, other=None, choice=None
) -> ChunkParts:
    """``assess(joined)`` without copying the ~100 layer columns the model does not read.

    The model gets the columns it reads. Its summary is the input columns followed by
    a block of new columns (input columns it recomputes, such as ``price_level``, are
    moved into that block). Returns :class:`ChunkParts` with ``base`` the joined table
    minus the block's columns: ``base`` then ``block`` has the columns, order and values
    of ``assess(joined).summary`` (tested).

    With a cooling ``choice`` the same :func:`siting.model.assess` call chooses the
    design (``cooling_design``, ``cooling_reason`` join the block): the choice is a
    function of the site's own input row only (the ``weights`` objective normalises
    each criterion by its best design at the same site, not over sites), so choosing on
    the distinct rows of a chunk and gathering equals choosing on every site at once.
    """
    geom = joined.geometry.name
    keep = [
        c
        for c in joined.columns
        if c == geom or c in _MODEL_INPUTS or c.startswith(("dry_bulb_c_m", "wet_bulb_c_m", "mix_"))
    ]
    # built column by column: ``joined[keep]`` would first consolidate all of
    # ``joined``'s ~100 blocks into copies (copy-on-write shares the columns here)
    narrow = gpd.GeoDataFrame(
        pd.DataFrame({c: joined[c] for c in keep}, copy=False),
        geometry=geom,
        crs=joined.crs,
        copy=False,
    )
    # sites with identical model inputs (same climate cell, grid zone, price, water
    # factor...) get identical outputs: assess each distinct input row once, gather
    first, inv = _distinct_rows(
        narrow[[c for c in keep if c not in (geom, "site_id", "lat", "lon")]]
    )
    unique = narrow if first.size == len(narrow) else narrow.iloc[first]
    result = assess(unique, fleet, scenario, facility, cooling_choice=choice)
    summary = result.summary
    cols, ncols = list(summary.columns), list(narrow.columns)
    i = j = 0
    while i < len(cols) and j < len(ncols):
        if cols[i] == ncols[j]:
            i += 1
        j += 1
    block_cols = cols[i:]
    block = _gather(summary[block_cols], first.size != len(narrow), inv, joined.index)
    base = joined.drop(columns=[c for c in block_cols if c in joined.columns])
    designs = None
    if choice is not None:
        rows = inv if first.size != len(narrow) else np.arange(len(narrow))
        sid = narrow["site_id"].astype(str).to_numpy(object)
        designs = _gather_designs(result.designs, rows, len(unique), sid)
    if other is None:
        return ChunkParts(base, block, result.assumptions, None, designs)
    # the other future: the same distinct rows, a second (cheap) model call
    s2 = assess(unique, fleet, other, facility, cooling_choice=choice).summary
    block2 = _gather(
        s2[[c for c in block_cols if c in s2.columns]], first.size != len(narrow), inv, joined.index
    )
    return ChunkParts(base, block, result.assumptions, block2, designs)


def _gather_designs(designs: pd.DataFrame, rows: np.ndarray, nu: int, site_ids) -> pd.DataFrame:
    """The trade-off table of the ``nu`` assessed rows (design-major: one block of
    ``nu`` rows per design) gathered to every site of the chunk (``rows``: the assessed
    row of each site), in the same layout, with the sites' own ids."""
    nd = len(designs) // max(nu, 1)
    idx = (np.arange(nd)[:, None] * nu + np.asarray(rows)[None, :]).ravel()
    out = designs.iloc[idx].reset_index(drop=True)
    out["site_id"] = np.tile(site_ids, nd)
    return out


def _gather(frame: pd.DataFrame, gather: bool, inv: np.ndarray, index) -> pd.DataFrame:
    """Rows of the distinct-row result ``frame`` gathered back to every site."""
    block = pd.DataFrame(frame)
    if gather:
        block = block.iloc[inv]
    block.index = index
    return block


def _distinct_rows(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """First row of each distinct row of ``df`` (NaN equal to NaN) and the inverse map.

    Rows are hashed (``pandas.util.hash_pandas_object``, 64-bit); the result is then
    checked value by value, and any hash collision falls back to every row distinct.
    """
    n = len(df)
    if n == 0 or df.shape[1] == 0:
        return np.arange(n), np.arange(n)
    h = pd.util.hash_pandas_object(df, index=False).to_numpy()
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    if first.size == n:
        return first, inv
    rep = first[inv]  # the row standing for each row
    for c in df.columns:
        if not _same_values(df[c].to_numpy(), rep):
            return np.arange(n), np.arange(n)
    return first, inv


def _same_values(a: np.ndarray, rep: np.ndarray) -> bool:
    """Whether ``a[i]`` equals ``a[rep[i]]`` for every row (missing equal to missing)."""
    b = a[rep]
    if a.dtype.kind == "f":
        return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))
    if a.dtype.kind in "biu":
        return bool(np.array_equal(a, b))
    same = a == b
    if not np.all(same):
        same |= pd.isna(a) & pd.isna(b)
    return bool(np.all(same))
