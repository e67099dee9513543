"""Grid carbon pathways over the commitment: an (n_site, year) intensity table per scenario.

A pathway is a published projection of a region's annual average intensity (NREL Cambium
via Scout for U.S. states, ``data/starter/pathways/us_state_cambium.csv``). It enters the
model as a relative change applied to the site's current intensity from the grid layer:

``g(s, y) = g0(s) x P_r(min(y, y_last)) / P_r(y_base)``

with ``P_r`` the pathway of the site's region ``r``, ``y_base`` the pathway's first year
(the last historical year of the source, 2024) and the last published year
(2050) held beyond. Years before ``y_base`` keep ``g0``. A region without a pathway keeps
its current value (flat), flagged ``grid_pathway_level = 'none (held flat)'``. See
``docs/method_pathways.md``.

References
----------
.. [1] Gagnon, P. et al. (2025). Cambium 2024 Scenario Descriptions and Documentation.
   NREL/TP-6A40-93005.
.. [2] U.S. EIA (2025). Annual Energy Outlook 2025.
.. [3] Langevin, J., Harris, C. B., Reyna, J. L. (2019). Assessing the potential to reduce
   U.S. building CO2 emissions 80% by 2050. Joule 3(10), 2403-2424 (Scout).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from siting.errors import LayerError

#: scenario names accepted by ``Scenario(grid_pathway=...)``; "current" = no pathway
PATHWAY_SCENARIOS = ("current", "cambium_midcase", "cambium_95by2050", "cambium_100by2035")
PATHWAY_FILE = "starter/pathways/us_state_cambium.csv"
NO_PATHWAY = "none (held flat)"


def _default_path() -> Path:
    from siting.paths import embedded_data_dir

    return Path(embedded_data_dir()) / PATHWAY_FILE


@lru_cache(maxsize=4)
def _read(path: str) -> pd.DataFrame:
    wide = pd.read_csv(path)
    need = {"scenario", "region_code", "source"}
    if not need <= set(wide.columns):
        raise LayerError(
            f"pathway table lacks columns {sorted(need - set(wide.columns))}", file=path
        )
    ycols = [c for c in wide.columns if c.startswith("g") and c[1:].isdigit()]
    if not ycols:
        raise LayerError("pathway table has no year columns g<YYYY>", file=path)
    long = wide.melt(
        id_vars=["scenario", "region_code", "source"],
        value_vars=ycols,
        var_name="year",
        value_name="grid_co2_g_per_kwh",
    )
    long["year"] = long["year"].str[1:].astype(int)
    return long.sort_values(["scenario", "region_code", "year"]).reset_index(drop=True)


def read_pathways(files: dict[str, Path] | None = None) -> pd.DataFrame:
    """The pathway table in long form: ``scenario, region_code, year, grid_co2_g_per_kwh,
    source`` [gCO2/kWh]."""
    path = next(iter(files.values())) if files else _default_path()
    return _read(str(path)).copy()


def pathway_factors(
    region_code, scenario: str, years, table: pd.DataFrame | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Relative intensity per site and calendar year, and the pathway used per site.

    Parameters
    ----------
    region_code : array_like of str, shape (n_site,)
        ISO 3166-2 code of each site's region (``US-VA``); None/NaN = unknown.
    scenario : str
        One of :data:`PATHWAY_SCENARIOS` other than ``current``.
    years : array_like of int, shape (n_year,)
        Calendar years of the commitment.

    Returns
    -------
    factor : numpy.ndarray, shape (n_site, n_year)
        ``P_r(min(y, y_last)) / P_r(y_base)`` (1 before ``y_base`` and where no pathway).
    level : numpy.ndarray of str, shape (n_site,)
        ``'<scenario>:<region>'`` or :data:`NO_PATHWAY`.
    """
    tab = read_pathways() if table is None else table
    tab = tab[tab["scenario"] == scenario]
    yrs = np.asarray(years, dtype=int)
    codes = pd.Index(pd.Series(region_code, dtype=object).fillna("").astype(str))
    n = len(codes)
    factor = np.ones((n, yrs.size))
    level = np.full(n, NO_PATHWAY, dtype=object)
    if tab.empty:
        return factor, level
    grid = tab.pivot(index="region_code", columns="year", values="grid_co2_g_per_kwh")
    p_years = grid.columns.to_numpy(int)
    y_base, y_last = int(p_years.min()), int(p_years.max())
    vals = grid.to_numpy(float)
    base = vals[:, 0]
    # years before the base keep the current value; beyond the last, the last is held
    col = np.searchsorted(p_years, np.clip(yrs, y_base, y_last))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(base[:, None] > 0, vals[:, col] / base[:, None], 1.0)
    rel = np.where(yrs[None, :] < y_base, 1.0, rel)
    pos = grid.index.get_indexer(codes)
    hit = pos >= 0
    factor[hit] = rel[pos[hit]]
    level[hit] = np.char.add(f"{scenario}:", codes.to_numpy(str)[hit]).astype(object)
    return factor, level


def intensity_table(df: pd.DataFrame, scenario, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The site's grid intensity per commitment year under ``scenario.grid_pathway``.

    ``grid`` is the current intensity per site (1-D) [gCO2e/kWh]. With ``'current'`` or
    an explicit ``grid_decarbonization_per_yr`` (the override), ``grid`` is returned
    unchanged (the kernel applies the rate). Otherwise a (n_site, n_year) table
    ``g0 x factor`` (:func:`pathway_factors`) on the sites' ``region_code``.

    Returns the intensity (1-D or 2-D) and the pathway used per site.
    """
    n = len(df)
    if grid.ndim == 2:
        return grid, np.full(n, "table given", dtype=object)
    if scenario.grid_pathway == "current":
        return grid, np.full(n, "current", dtype=object)
    if float(scenario.grid_decarbonization_per_yr) != 0.0:
        return grid, np.full(n, "decarbonization rate (override)", dtype=object)
    region = df["region_code"] if "region_code" in df.columns else np.full(n, None, dtype=object)
    factor, level = pathway_factors(region, scenario.grid_pathway, scenario.years)
    return grid[:, None] * factor, level


def marginal_for_sites(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Marginal intensity per site [gCO2/kWh] from the ``marginal_co2_g_per_kwh`` column
    (grid_marginal layer) and its label; NaN and ``'none'`` where no source covers it."""
    n = len(df)
    if "marginal_co2_g_per_kwh" not in df.columns:
        return np.full(n, np.nan), np.full(n, "none", dtype=object)
    v = pd.to_numeric(df["marginal_co2_g_per_kwh"], errors="coerce").to_numpy(dtype=float)
    v = np.where(np.isfinite(v) & (v >= 0), v, np.nan)
    if "marginal_layer" in df.columns:
        lab = df["marginal_layer"].fillna("").astype(str).to_numpy(object)
    else:
        lab = np.full(n, "layer", dtype=object)
    lab = np.where(np.isfinite(v), lab, "none").astype(object)
    return v, lab
