"""Shared by both screening paths: defaults, the result type, input and output checks,
the coverage table and the decision table the global ranking reads."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.errors import ConfigError

#: Sites per chunk on one machine (about 1 GB of intermediate tables per 250k sites).
DEFAULT_CHUNK_SIZE = 250_000


#: Pass-1 results kept in memory before spilling to a temporary file [bytes] (a memory
#: bound, not a physical constant).
DEFAULT_MEMORY_BYTES = 1_500_000_000


#: Climate cell [degrees]: the ERA5 0.25-degree grid of the embedded climate layer
#: (cell centres at multiples of 0.25 degree; Hersbach et al. 2020, QJRMS 146:1999).
DEFAULT_CLIMATE_CELL_DEG = 0.25


RANK_COLUMNS = ("score", "rank", "excluded", "exclusion_reason", "rank_note")


ROW = "_screen_row"


@dataclass
class ScreenResult:
    """What a screening run produced.

    Attributes
    ----------
    path : Path
        The GeoParquet file: one row per site, every joined column, the model totals,
        ``score``, ``rank``, ``excluded``, ``exclusion_reason``, ``rank_note``,
        ``norm_*``.
    ranked : DataFrame
        The decision table sorted by rank (``site_id``, criteria, rank columns).
    coverage : DataFrame
        Sites per layer family and level (from the ``{family}_level`` columns).
    assumptions : DataFrame
        The model's parameter table (parameter, value, unit, source).
    timings : dict
        Wall time per stage [s].
    n_sites : int
    climate_cells : int
        Climate cells evaluated (0 with per-site climate).
    designs_path : Path or None
        With a cooling choice: the trade-off rows site x design (``x.designs.parquet``).
    """

    path: Path
    ranked: pd.DataFrame
    coverage: pd.DataFrame
    assumptions: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    n_sites: int = 0
    climate_cells: int = 0
    designs_path: Path | None = None


@dataclass
class PassOne:
    """What the chunk pass keeps in memory for ranking and the result.

    Attributes
    ----------
    decisions : list of DataFrame
        Decision tables (:func:`decision_columns` and ``ROW``, the row in the pass-1
        store) of the chunks or partitions, in stored order.
    coverage : DataFrame
        Sites per layer family and level (:func:`coverage_table`).
    assumptions : DataFrame
        The model's parameter table.
    climate_cells : int
        Distinct climate cells of the sites (0 with per-site climate).
    """

    decisions: list[pd.DataFrame]
    coverage: pd.DataFrame
    assumptions: pd.DataFrame
    climate_cells: int = 0


def check_out(out) -> Path:
    if out is None:
        raise ConfigError("give the output GeoParquet path (out=...)", field="out")
    p = Path(out)
    if p.suffix.lower() not in (".parquet", ".geoparquet", ".pq"):
        raise ConfigError(f"output must be a .parquet file, got '{p.name}'", field="out")
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def prepare_sites(sites) -> gpd.GeoDataFrame:
    from siting.sites import from_frame, read_sites

    if isinstance(sites, str | os.PathLike):
        return read_sites(sites)
    if not isinstance(sites, pd.DataFrame):
        raise ConfigError("sites must be a path or a (Geo)DataFrame", field="sites")
    if isinstance(sites, gpd.GeoDataFrame) and {"site_id", "lat", "lon"} <= set(sites.columns):
        if not sites["site_id"].is_unique:
            raise ConfigError("site_id values must be unique", field="site_id")
        if not isinstance(sites.index, pd.RangeIndex) or not sites.index.is_unique:
            sites = sites.reset_index(drop=True)  # chunks align columns on the index
        return sites
    return from_frame(sites)


def coverage_table(counts: list[pd.DataFrame], n: int) -> pd.DataFrame:
    if not counts:
        return pd.DataFrame(columns=["family", "level", "sites", "share"])
    df = pd.concat(counts).groupby(["family", "level"], as_index=False)["sites"].sum()
    df["share"] = df["sites"] / max(n, 1)
    return df


def decision_columns(
    columns: Sequence[str], weights=None, exclusions=None, criteria=None
) -> list[str]:
    """Columns of the summary that :func:`siting.decide.rank` needs.

    ``site_id``, each weighted criterion's column (or the columns it is derived
    from), the columns read by the exclusion rules and ``reason``.
    """
    from siting.decide.exclude import ExclusionSpec
    from siting.decide.rank import CRITERIA, DEFAULT_WEIGHTS, normalize_weights, resolve_criteria

    crit = CRITERIA if criteria is None else criteria
    w = normalize_weights(DEFAULT_WEIGHTS if weights is None else weights, crit)
    want = ["site_id"]
    for c in resolve_criteria(w, crit):
        want.extend([c.column] if c.column in columns else list(c.requires) or [c.column])
    want.extend(ExclusionSpec.from_any(exclusions).columns)
    want.append("reason")
    cols = set(columns)
    return [c for c in dict.fromkeys(want) if c in cols]


def rank_table(decision: pd.DataFrame, weights, exclusions, force_include) -> pd.DataFrame:
    from siting.decide import rank

    return rank(decision, weights, exclusions, force_include=force_include)


def rank_rows(decision: pd.DataFrame, weights, exclusions, force_include) -> pd.DataFrame:
    """The ranking of :func:`rank_table` without sorting the table: for each row of
    ``decision``, in its order, ``ROW``, ``site_id``, :data:`RANK_COLUMNS` and the
    ``norm_*`` columns, with the values :func:`siting.decide.rank` gives (the same
    arrays; only the final reordering of every column by rank is skipped)."""
    from siting.decide.rank import _rank_arrays

    r = _rank_arrays(decision, weights, exclusions, force_include, None)
    out = {
        ROW: decision[ROW].to_numpy() if ROW in decision else np.arange(len(decision)),
        "site_id": decision["site_id"].array,  # the same array (no conversion)
        "score": r.score,
        "rank": r.rank,
        "excluded": r.excluded,
        "exclusion_reason": pd.Series(r.reason, dtype=object),
        "rank_note": pd.Series(r.note, dtype=object),
    }
    out.update({f"norm_{c.key}": r.norm[:, j] for j, c in enumerate(r.criteria)})
    table = pd.DataFrame(out)
    table.attrs["weights"] = dict(r.weights)
    return table


def level_columns(names: Sequence[str]) -> list[str]:
    """The ``{family}_level`` and ``{family}_layer`` columns of a summary (the pairs
    :func:`siting.join.coverage` counts), in ``names`` order."""
    cols = set(names)
    return [
        c
        for c in names
        if (c.endswith("_level") and f"{c[:-6]}_layer" in cols)
        or (c.endswith("_layer") and f"{c[:-6]}_level" in cols)
    ]
