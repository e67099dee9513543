"""``assess``: the joined site table in, an :class:`Assessment` out.

Reads the climate, grid, water-intensity and price columns of ``docs/columns.md`` (or a
climate Dataset), runs the array kernel :func:`siting.model.footprint.footprint_arrays`
and returns the annual (site, year) Dataset, the per-site summary with lifetime totals,
status and reason, and the table of every assumption with its source.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from siting.errors import ConfigError, LayerError
from siting.model.auto import CoolingChoice
from siting.model.facility import CALIBRATION_LOAD_FRACTION, Facility
from siting.model.fleet import (
    DEFAULT_REFRESH_SOURCE,
    DEFAULT_REFRESH_YEARS,
    DEFAULT_UTILIZATION,
    DEFAULT_UTILIZATION_SOURCE,
    Fleet,
)
from siting.model.footprint import ANNUAL_VARIABLES, MONTHLY_HOURS, footprint_arrays
from siting.model.pathways import intensity_table, marginal_for_sites
from siting.model.scenario import _SCENARIO_SOURCES, Scenario
from siting.physics import energy as _energy

SUMMARY_TOTALS = (
    "it_energy_mwh",
    "facility_energy_mwh",
    "water_onsite_m3",
    "water_offsite_m3",
    "co2_scope2_t",
    "co2_embodied_t",
    "energy_cost_usd",
)


@dataclass
class Assessment:
    """Result of :func:`assess`.

    Attributes
    ----------
    annual : xarray.Dataset
        Variables of :data:`ANNUAL_VARIABLES` with dims (site, year), units in attrs.
    summary : geopandas.GeoDataFrame
        One row per input site in input order, all input columns kept, plus lifetime
        totals, their ``_after_product`` parts, intensities per delivered GPU-hour,
        ``status`` and ``reason`` (and ``cooling_design``, ``cooling_reason`` when
        the design is chosen per site).
    assumptions : pandas.DataFrame
        parameter, value, unit, source (citation, "assumption" or "user override").
    designs : pandas.DataFrame or None
        With ``cooling_choice``: the trade-off table site x design (PUE, WUE, lifetime
        facility energy and on-site water, ``chosen``).
    """

    annual: Any
    summary: Any
    assumptions: pd.DataFrame
    fleet: Fleet = field(repr=False, default=None)
    facility: Facility = field(repr=False, default=None)
    scenario: Scenario = field(repr=False, default=None)
    designs: pd.DataFrame | None = field(repr=False, default=None)


def _climate_from_columns(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dry_cols = [f"dry_bulb_c_m{m:02d}" for m in range(1, 13)]
    wet_cols = [f"wet_bulb_c_m{m:02d}" for m in range(1, 13)]
    missing = [c for c in dry_cols + wet_cols if c not in df.columns]
    if missing:
        raise LayerError(
            f"the site table has no climate column(s) {', '.join(missing[:3])}"
            f"{' ...' if len(missing) > 3 else ''}; join the climate layer first or pass "
            "climate=",
            field=missing[0],
        )
    return _numeric_block(df, dry_cols), _numeric_block(df, wet_cols), MONTHLY_HOURS.copy()


def _numeric_block(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Columns as a float32 matrix; text and +-inf become NaN (a gap with a reason)."""
    block = df[cols]
    if not all(pd.api.types.is_numeric_dtype(t) for t in block.dtypes):
        block = block.apply(pd.to_numeric, errors="coerce")
    out = block.to_numpy(dtype=np.float32, na_value=np.nan)
    bad = ~np.isfinite(out)
    if bad.any():
        out = np.array(out, copy=True)  # pandas may hand out a read-only view
        out[bad] = np.nan
    return out


def _climate_from_dataset(climate, df: pd.DataFrame, site_ids: np.ndarray):
    for var in ("dry_bulb_c", "wet_bulb_c"):
        if var not in climate:
            raise LayerError(f"climate dataset has no variable '{var}'", field=var)
    dry = climate["dry_bulb_c"].transpose("site", "period")
    wet = climate["wet_bulb_c"].transpose("site", "period")
    if "period_hours" in climate:
        hours = np.asarray(climate["period_hours"].values, dtype=float)
    elif dry.sizes["period"] == 12:
        hours = MONTHLY_HOURS.copy()
    elif dry.sizes["period"] in (8760, 8784):
        hours = np.ones(dry.sizes["period"])
    else:
        raise LayerError(
            f"climate dataset needs a 'period_hours' variable for {dry.sizes['period']} periods",
            field="period_hours",
        )
    if "site" in climate.coords and set(map(str, site_ids)) <= set(
        map(str, climate["site"].values)
    ):
        dry = dry.sel(site=list(site_ids))
        wet = wet.sel(site=list(site_ids))
    elif dry.sizes["site"] != len(df):
        raise LayerError(
            f"climate dataset has {dry.sizes['site']} sites and no matching site ids; the "
            f"site table has {len(df)}",
            field="site",
        )
    tdb = np.array(dry.values, dtype=np.float32)
    twb = np.array(wet.values, dtype=np.float32)
    tdb[~np.isfinite(tdb)] = np.nan
    twb[~np.isfinite(twb)] = np.nan
    return tdb, twb, hours


def _ewif_for_sites(
    df: pd.DataFrame, hydro_evaporation: str = _energy.HYDRO_EVAPORATION_DEFAULT
) -> tuple[np.ndarray, np.ndarray]:
    """EWIF per site [L/kWh]: a layer value, else from the fuel mix under the hydro
    convention (:func:`siting.physics.energy.ewif_factors_for_mix`), else the fallback."""
    n = len(df)
    ewif = np.full(n, np.nan)
    level = np.full(n, "", dtype=object)
    if "ewif_l_per_kwh" in df.columns:
        v = pd.to_numeric(df["ewif_l_per_kwh"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(v)
        ewif[ok] = v[ok]
        level[ok] = "layer"
    mix_cols = [c for c in _energy.MIX_COLUMNS if c in df.columns]
    if mix_cols:
        f = _energy.ewif_factors_for_mix(mix_cols, hydro_evaporation)
        mix = df[mix_cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        from_mix = _energy.ewif_from_mix(mix, f)
        use = ~np.isfinite(ewif) & np.isfinite(from_mix)
        ewif[use] = from_mix[use]
        level[use] = "fuel_mix_macknick2012"
    rest = ~np.isfinite(ewif)
    ewif[rest] = _energy.EWIF_FALLBACK_L_PER_KWH
    level[rest] = "assumption"
    return ewif, level


def _reasons(
    n_dry_missing: np.ndarray,
    n_wet_missing: np.ndarray,
    grid_missing: np.ndarray,
    n_period: int,
    climate_used: bool,
) -> np.ndarray:
    if not climate_used:
        n_dry_missing = np.zeros_like(n_dry_missing)
        n_wet_missing = np.zeros_like(n_wet_missing)
    code = (
        n_dry_missing.astype(np.int64) * (n_period + 1) * 2
        + n_wet_missing.astype(np.int64) * 2
        + grid_missing.astype(np.int64)
    )
    uniq, inv = np.unique(code, return_inverse=True)
    texts = []
    for c in uniq:
        parts = []
        nd = c // ((n_period + 1) * 2)
        nw = (c // 2) % (n_period + 1)
        if nd:
            parts.append(f"missing dry_bulb_c in {nd} of {n_period} periods")
        if nw:
            parts.append(f"missing wet_bulb_c in {nw} of {n_period} periods")
        if c % 2:
            parts.append("missing grid_co2_g_per_kwh")
        texts.append("; ".join(parts))
    return np.asarray(texts, dtype=object)[inv.reshape(-1)]


# --------------------------------------------------------------------------------------
# assumptions table
# --------------------------------------------------------------------------------------

_Row = tuple[str, Any, str, str]


def _default(cls: type, name: str) -> Any:
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def _assumptions(fleet: Fleet, facility: Facility, scenario: Scenario, ewif_level) -> pd.DataFrame:
    rows = _fleet_rows(fleet) + _facility_rows(facility) + _scenario_rows(scenario)
    rows.append(
        (
            "calibration_load_fraction",
            CALIBRATION_LOAD_FRACTION,
            "-",
            DEFAULT_UTILIZATION_SOURCE,
        )
    )
    rows += _ewif_rows(ewif_level, scenario.hydro_evaporation)
    df = pd.DataFrame(rows, columns=["parameter", "value", "unit", "source"])
    df["value"] = df["value"].astype(object)
    return df


def _fleet_rows(fleet: Fleet) -> list[_Row]:
    is_default_gpu = fleet.gpu == _default(Fleet, "gpu")
    rows: list[_Row] = [
        ("gpu", fleet.gpu, "-", "assumption (default)" if is_default_gpu else "user override"),
        ("gpus", int(fleet.gpus), "GPUs", "user override"),
        (
            "utilization",
            float(fleet.utilization),
            "fraction of full-load power",
            DEFAULT_UTILIZATION_SOURCE
            if fleet.utilization == DEFAULT_UTILIZATION
            else "user override",
        ),
        (
            "refresh_years",
            float(fleet.refresh_years),
            "years",
            DEFAULT_REFRESH_SOURCE
            if fleet.refresh_years == DEFAULT_REFRESH_YEARS
            else "user override",
        ),
    ]
    units = {
        "gpu_tdp_w": "W",
        "system_w_per_gpu": "W per GPU",
        "idle_fraction": "fraction of full-load power",
        "embodied_kg_per_gpu": "kgCO2e per GPU",
    }
    for name, (value, source) in fleet.spec.items():
        rows.append((name, value, units[name], source))
    return rows


def _facility_rows(facility: Facility) -> list[_Row]:
    rows: list[_Row] = []
    for name in ("cooling", "preset"):
        value = getattr(facility, name)
        src = "assumption (default)" if value == _default(Facility, name) else "user override"
        rows.append((name, value, "-", src))
    rows.append(
        (
            "water_model",
            facility.water_model,
            "-",
            "Lei & Masanet (2022) RCR 182:106323"
            if facility.water_model == "energy_balance"
            else "Li et al. (2023) arXiv:2304.03271",
        )
    )
    if facility.pue is not None:
        rows.append(("pue (fixed)", facility.pue, "-", "user override"))
    if facility.wue_onsite_l_per_kwh is not None:
        rows.append(
            (
                "wue_onsite_l_per_kwh (fixed)",
                facility.wue_onsite_l_per_kwh,
                "L/kWh",
                "user override",
            )
        )
    for name, (value, unit, source) in facility.parameters().items():
        rows.append((name, value, unit, source))
    rows.append(
        (
            "building_embodied_t_per_mw",
            facility.building_embodied_t_per_mw,
            "tCO2e/MW design IT",
            "assumption: not counted"
            if facility.building_embodied_t_per_mw == 0
            else "user override",
        )
    )
    return rows


def _scenario_rows(scenario: Scenario) -> list[_Row]:
    rows: list[_Row] = []
    for name, (unit, source) in _SCENARIO_SOURCES.items():
        value = getattr(scenario, name)
        src = source if value == _default(Scenario, name) else "user override"
        rows.append((name, value, unit, src))
    return rows


def _ewif_rows(ewif_level, hydro_evaporation: str = "include") -> list[_Row]:
    rows: list[_Row] = []
    lv = pd.Series(ewif_level)
    if (lv == "assumption").any():
        rows.append(
            (
                "ewif_fallback_l_per_kwh",
                _energy.EWIF_FALLBACK_L_PER_KWH,
                "L/kWh",
                _energy.EWIF_FALLBACK_SOURCE,
            )
        )
    if (lv == "fuel_mix_macknick2012").any():
        for rec in _energy.load_ewif_factors().itertuples():
            value, source = round(float(rec.l_per_kwh), 6), rec.source
            if rec.fuel == "hydro" and hydro_evaporation == "exclude":
                value = 0.0
                source = "hydro_evaporation=exclude: set to zero as Li et al. (2023) do"
            rows.append((f"ewif_factor_{rec.fuel}", value, "L/kWh", source))
    return rows


# --------------------------------------------------------------------------------------
# assess
# --------------------------------------------------------------------------------------


def assess(
    sites,
    fleet: Fleet,
    scenario: Scenario,
    facility: Facility | None = None,
    climate=None,
    *,
    grid_co2_g_per_kwh_by_year=None,
    warming_nodes: int | None = 5,
    cooling_choice: CoolingChoice | None = None,
) -> Assessment:
    """Committed footprint of a fleet at every candidate site.

    Parameters
    ----------
    sites : pandas.DataFrame or geopandas.GeoDataFrame
        The joined site table (``docs/columns.md``): ``dry_bulb_c_m01..12``,
        ``wet_bulb_c_m01..12`` (unless ``climate`` is given), ``grid_co2_g_per_kwh``,
        optionally ``mix_*_pct`` or ``ewif_l_per_kwh``, ``price_usd_per_mwh``,
        ``water_scarcity_factor``.
    fleet, scenario, facility
        Configuration (``facility`` defaults to ``Facility()``: hyperscale tower_economizer).
    climate : xarray.Dataset, optional
        ``dry_bulb_c`` and ``wet_bulb_c`` with dims (site, period) and ``period_hours``
        (e.g. an hourly typical year); replaces the monthly columns.
    grid_co2_g_per_kwh_by_year : array_like, optional
        (n_site, commitment_years) intensity table overriding the decarbonization rate.
    warming_nodes : int or None
        See :func:`footprint_arrays`.
    cooling_choice : CoolingChoice, optional
        Choose the cooling design per site (``--cooling auto``): every design the fleet
        allows is evaluated with the facility's preset and the one with the lowest
        objective is taken per site (:mod:`siting.model.auto`); ``facility.cooling`` is
        then ignored and design-specific overrides are not applied.

    Returns
    -------
    Assessment
    """
    facility = _checked_config(fleet, scenario, facility)
    df = sites if isinstance(sites, pd.DataFrame) else pd.DataFrame(sites)
    n = len(df)
    if "site_id" in df.columns:
        site_ids = df["site_id"].astype(str).to_numpy()
    else:
        site_ids = np.array([f"site-{i + 1:04d}" for i in range(n)], dtype=object)

    if climate is not None:
        tdb, twb, hours = _climate_from_dataset(climate, df, site_ids)
    else:
        tdb, twb, hours = _climate_from_columns(df)
    grid, grid_missing = _grid_for_sites(df, scenario, grid_co2_g_per_kwh_by_year)
    grid, pathway_level = intensity_table(df, scenario, grid)
    ewif, ewif_level = _ewif_for_sites(df, scenario.hydro_evaporation)
    price, price_assumed = _price_for_sites(df, scenario)

    args = (tdb, twb, hours, grid, ewif, price, fleet)
    if cooling_choice is None:
        res = footprint_arrays(*args, facility, scenario, warming_nodes=warming_nodes)
        new, designs = _lifetime_totals(res, n), None
    else:
        res, new, designs, facility = _chosen_per_site(
            args, df, site_ids, facility, scenario, warming_nodes, cooling_choice
        )
    new.update(_carbon_conventions(df, res, n, pathway_level))
    water = (new["water_onsite_m3"], new["water_offsite_m3"])
    new.update(_site_columns(df, water, ewif, ewif_level, price, price_assumed))
    new["status"], new["reason"] = _status_and_reason(df, tdb, twb, grid_missing, facility)
    return Assessment(
        annual=_annual_dataset(
            res, site_ids, fleet, facility, scenario, auto=cooling_choice is not None
        ),
        summary=_summary_table(df, new),
        assumptions=_assumptions(fleet, facility, scenario, ewif_level),
        fleet=fleet,
        facility=facility,
        scenario=scenario,
        designs=designs,
    )


def _chosen_per_site(args, df, site_ids, facility, scenario, warming_nodes, choice):
    """Run every feasible design, choose per site, gather the chosen arrays."""
    from siting.model.auto import choose_designs, combine, trade_off_table
    from siting.model.designs import COOLING_DESIGNS

    fleet = args[-1]
    names = [
        name
        for name, d in COOLING_DESIGNS.items()
        if (name in choice.designs if choice.designs is not None else d.auto_candidate)
        and d.feasible(fleet)
    ]
    if not names:
        raise ConfigError(f"no candidate design can cool GPU {fleet.gpu}", field="cooling_choice")
    n = len(site_ids)
    results, totals = [], []
    for name in names:
        fac = Facility(
            cooling=name,
            preset=facility.preset,
            building_embodied_t_per_mw=facility.building_embodied_t_per_mw,
        ).for_fleet(fleet)
        r = footprint_arrays(*args, fac, scenario, warming_nodes=warming_nodes)
        results.append(r)
        totals.append(_lifetime_totals(r, n))
    aware = np.full(n, np.nan)
    if "water_scarcity_factor" in df.columns:
        aware = pd.to_numeric(df["water_scarcity_factor"], errors="coerce").to_numpy(float)
    chosen, reason, crit = choose_designs(names, totals, aware, choice)
    res = combine(results, chosen, ANNUAL_VARIABLES)
    j = np.arange(n)
    new = {k: np.stack([t[k] for t in totals])[chosen, j] for k in totals[0]}
    new["cooling_design"] = np.asarray(names, dtype=object)[chosen]
    new["cooling_reason"] = reason
    return res, new, trade_off_table(site_ids, names, crit, chosen), facility


def _checked_config(fleet: Fleet, scenario: Scenario, facility: Facility | None) -> Facility:
    """The configuration objects checked; the facility (default ``Facility()``)."""
    if not isinstance(fleet, Fleet):
        raise ConfigError(
            f"must be a siting.model.Fleet, got {type(fleet).__name__}", field="fleet"
        )
    if not isinstance(scenario, Scenario):
        raise ConfigError(
            f"must be a siting.model.Scenario, got {type(scenario).__name__}", field="scenario"
        )
    facility = Facility() if facility is None else facility
    if not isinstance(facility, Facility):
        raise ConfigError(
            f"must be a siting.model.Facility, got {type(facility).__name__}", field="facility"
        )
    reason = facility.design.infeasibility(fleet)
    if reason:
        raise ConfigError(
            f"the {facility.cooling!r} design cannot cool this fleet: {reason}", field="cooling"
        )
    return facility.for_fleet(fleet)


def _grid_for_sites(df: pd.DataFrame, scenario: Scenario, by_year) -> tuple[np.ndarray, np.ndarray]:
    """Grid intensity per site (or per site and year) [gCO2e/kWh] and where it is missing."""
    n = len(df)
    if "grid_co2_g_per_kwh" not in df.columns and by_year is None:
        raise LayerError(
            "the site table has no 'grid_co2_g_per_kwh' column; join the grid layer first",
            field="grid_co2_g_per_kwh",
        )
    if by_year is not None:
        grid = np.asarray(by_year, dtype=float)
        if grid.shape != (n, scenario.commitment_years):
            raise ConfigError(
                f"must have shape ({n}, {scenario.commitment_years}), got {grid.shape}",
                field="grid_co2_g_per_kwh_by_year",
            )
        return grid, ~np.all(np.isfinite(grid), axis=1)
    grid = pd.to_numeric(df["grid_co2_g_per_kwh"], errors="coerce").to_numpy(dtype=float).copy()
    grid[~np.isfinite(grid) | (grid < 0)] = np.nan
    return grid, ~np.isfinite(grid)


def _price_for_sites(df: pd.DataFrame, scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Electricity price per site [$/MWh] (the scenario default where a site has none)
    and where the default was assumed."""
    if "price_usd_per_mwh" in df.columns:
        price = pd.to_numeric(df["price_usd_per_mwh"], errors="coerce").to_numpy(dtype=float)
    else:
        price = np.full(len(df), np.nan)
    price_assumed = ~np.isfinite(price)
    return np.where(price_assumed, scenario.price_usd_per_mwh_default, price), price_assumed


def _site_columns(
    df: pd.DataFrame,
    water_m3: tuple[np.ndarray, np.ndarray],
    ewif: np.ndarray,
    ewif_level: np.ndarray,
    price: np.ndarray,
    price_assumed: np.ndarray,
) -> dict[str, np.ndarray]:
    """Summary columns from the site's layers: scarcity-weighted water, EWIF, price.

    On-site water [m3] is weighted by the site's factor, off-site water by the grid
    region's (``water_scarcity_factor_offsite``); the total is their sum (Siddik et al.
    2021, Environ. Res. Lett. 16 064017, weight both where each is drawn)."""
    new: dict[str, np.ndarray] = {}
    onsite, offsite = water_m3
    if "water_scarcity_factor" in df.columns:
        wsf = pd.to_numeric(df["water_scarcity_factor"], errors="coerce").to_numpy(dtype=float)
        new["water_scarcity_weighted_m3"] = onsite * wsf
    if "water_scarcity_factor_offsite" in df.columns:
        col = df["water_scarcity_factor_offsite"]
        wsf_off = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    elif "country_iso3" in df.columns:
        # a table not joined: the country's value from the embedded AWARE table
        from siting.layers.water_offsite import country_offsite_factors

        wsf_off, off_level = country_offsite_factors(df["country_iso3"])
        new["water_scarcity_factor_offsite"] = wsf_off
        new["water_scarcity_factor_offsite_level"] = off_level
    else:
        wsf_off = None
    if wsf_off is not None:
        new["water_scarcity_weighted_offsite_m3"] = offsite * wsf_off
        if "water_scarcity_weighted_m3" in new:
            new["water_scarcity_weighted_total_m3"] = (
                new["water_scarcity_weighted_m3"] + new["water_scarcity_weighted_offsite_m3"]
            )
    new["ewif_l_per_kwh"] = ewif
    new["ewif_level"] = ewif_level
    new["price_usd_per_mwh"] = price
    if "price_level" in df.columns:
        lvl = df["price_level"].astype(object).to_numpy().copy()
        lvl[price_assumed] = "assumption"
    else:
        lvl = np.where(price_assumed, "assumption", "layer").astype(object)
    new["price_level"] = lvl
    return new


def _annual_dataset(
    res: dict[str, Any],
    site_ids: np.ndarray,
    fleet: Fleet,
    facility: Facility,
    scenario: Scenario,
    *,
    auto: bool = False,
):
    """The (site, year) arrays as an xarray Dataset with units and run attributes."""
    import xarray as xr

    data_vars = {}
    for name, (unit, long_name) in ANNUAL_VARIABLES.items():
        data_vars[name] = xr.Variable(
            ("site", "year"), res[name], attrs={"units": unit, "long_name": long_name}
        )
    return xr.Dataset(
        data_vars,
        coords={"site": ("site", site_ids), "year": ("year", res["years"])},
        attrs={
            "title": "siting committed footprint, per site and commitment year",
            "gpu": fleet.gpu,
            "gpus": int(fleet.gpus),
            "cooling": "auto (per site, see summary cooling_design)" if auto else facility.cooling,
            "preset": facility.preset,
            "commitment_years": scenario.commitment_years,
            "product_years": -1.0
            if scenario.product_years is None
            else float(scenario.product_years),
            "after": scenario.after,
            "grid_pathway": scenario.grid_pathway,
            "embodied": scenario.embodied,
            "hydro_evaporation": scenario.hydro_evaporation,
            "method": "docs/method_model.md",
        },
    )


def _lifetime_totals(res: dict[str, Any], n: int) -> dict[str, np.ndarray]:
    """Per site: lifetime totals, their after-product parts and the intensities."""
    new: dict[str, np.ndarray] = {}
    shares = res["after_share"]
    for name in SUMMARY_TOTALS:
        arr = res[name]
        new[name] = arr.sum(axis=1, dtype=np.float64)
        if name == "co2_embodied_t":
            after_val = float(np.sum(shares["co2_embodied_t_absolute"]))
            new[f"{name}_after_product"] = np.full(n, after_val)
        else:
            new[f"{name}_after_product"] = arr.astype(np.float64) @ shares[name]
    with np.errstate(invalid="ignore", divide="ignore"):
        for suffix in ("", "_after_product"):
            it = new[f"it_energy_mwh{suffix}"]
            new[f"pue_annual{suffix}"] = np.where(
                it > 0, new[f"facility_energy_mwh{suffix}"] / it, np.nan
            )
            new[f"wue_onsite_l_per_kwh{suffix}"] = np.where(
                it > 0, new[f"water_onsite_m3{suffix}"] / it, np.nan
            )
        gh = float(np.sum(res["gpu_hours"]))
        water_l = (new["water_onsite_m3"] + new["water_offsite_m3"]) * 1e3
        co2_kg = (new["co2_scope2_t"] + new["co2_embodied_t"]) * 1e3
        new["water_l_per_gpu_hour"] = water_l / gh if gh > 0 else np.full(n, np.nan)
        new["co2_kg_per_gpu_hour"] = co2_kg / gh if gh > 0 else np.full(n, np.nan)
    new["co2_scope2_market_t"] = res["co2_scope2_market_t"].sum(axis=1, dtype=np.float64)
    return new


def _carbon_conventions(df: pd.DataFrame, res: dict[str, Any], n: int, pathway_level):
    """Marginal scope 2 beside the average one, both embodied conventions, the pathway."""
    marginal, marginal_level = marginal_for_sites(df)
    fac = res["facility_energy_mwh"].astype(np.float64)
    emb = res["embodied_conventions"]
    return {
        "co2_scope2_marginal_t": fac.sum(axis=1) * marginal / 1e3,
        "marginal_co2_g_per_kwh": marginal,
        "marginal_source": marginal_level,
        "co2_embodied_purchase_t": np.full(n, float(np.sum(emb["purchase"]))),
        "co2_embodied_amortized_t": np.full(n, float(np.sum(emb["amortized"]))),
        "grid_pathway_level": np.asarray(pathway_level, dtype=object),
    }


def _status_and_reason(
    df: pd.DataFrame,
    tdb: np.ndarray,
    twb: np.ndarray,
    grid_missing: np.ndarray,
    facility: Facility,
) -> tuple[np.ndarray, np.ndarray]:
    """``status`` (ok / incomplete) and ``reason`` per site, with the layers' own reasons."""
    n_dry = np.isnan(tdb).sum(axis=1)
    n_wet = np.isnan(twb).sum(axis=1)
    reason = _reasons(n_dry, n_wet, grid_missing, tdb.shape[1], facility.uses_climate)
    incomplete = reason != ""
    for fam in ("climate", "grid"):
        col = f"{fam}_reason"
        if col in df.columns and incomplete.any():
            layer_reason = df[col].fillna("").astype(str).to_numpy()
            add = incomplete & (layer_reason != "")
            reason = reason.copy()
            reason[add] = reason[add] + f" ({col}: " + layer_reason[add] + ")"
    return np.where(incomplete, "incomplete", "ok").astype(object), reason


#: Model columns of the summary, in order (after the input columns).
_SUMMARY_ORDER = [
    "it_energy_mwh",
    "facility_energy_mwh",
    "pue_annual",
    "wue_onsite_l_per_kwh",
    "water_onsite_m3",
    "water_offsite_m3",
    "co2_scope2_t",
    "co2_scope2_market_t",
    "co2_embodied_t",
    "energy_cost_usd",
]
_SUMMARY_ORDER += [f"{c}_after_product" for c in _SUMMARY_ORDER if c != "co2_scope2_market_t"]
_SUMMARY_ORDER += ["water_l_per_gpu_hour", "co2_kg_per_gpu_hour", "water_scarcity_weighted_m3"]
_SUMMARY_ORDER += ["water_scarcity_weighted_offsite_m3", "water_scarcity_weighted_total_m3"]
_SUMMARY_ORDER += ["water_scarcity_factor_offsite", "water_scarcity_factor_offsite_level"]
_SUMMARY_ORDER += [
    "ewif_l_per_kwh",
    "ewif_level",
    "price_usd_per_mwh",
    "price_level",
    "co2_scope2_marginal_t",
    "marginal_co2_g_per_kwh",
    "marginal_source",
    "co2_embodied_purchase_t",
    "co2_embodied_amortized_t",
    "grid_pathway_level",
    "status",
    "reason",
    "cooling_design",
    "cooling_reason",
]


def _sites_frame(df: pd.DataFrame):
    """The input table as a GeoDataFrame (points from lat/lon when it has no geometry)."""
    import geopandas as gpd

    # the input columns are not copied (``copy=False``: geopandas would copy a plain
    # DataFrame): under pandas copy-on-write the summary shares them with ``sites``
    # until either is modified, and nothing here modifies ``sites``
    if isinstance(df, gpd.GeoDataFrame):
        return df
    if "geometry" in df.columns:
        return gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326", copy=False)
    if {"lat", "lon"} <= set(df.columns):
        return gpd.GeoDataFrame(
            df,
            geometry=gpd.points_from_xy(
                pd.to_numeric(df["lon"], errors="coerce"), pd.to_numeric(df["lat"], errors="coerce")
            ),
            crs="EPSG:4326",
            copy=False,
        )
    return gpd.GeoDataFrame(df, copy=False)


def _summary_table(df: pd.DataFrame, new: dict[str, np.ndarray]):
    """Input columns (a clashing name kept as ``input_<name>``) then the model columns."""
    import geopandas as gpd

    summary = _sites_frame(df)
    order = [c for c in _SUMMARY_ORDER if c in new]
    geom_name = summary.geometry.name if summary._geometry_column_name in summary else None
    crs = summary.crs if geom_name is not None else None
    # a user's own column named like a model output (e.g. a campus "status") is kept
    # as input_<name>; layer columns the model resolves (price, EWIF) are replaced
    resolved = {
        "price_usd_per_mwh",
        "price_level",
        "ewif_l_per_kwh",
        "ewif_level",
        "marginal_co2_g_per_kwh",
    }
    clash = [c for c in order if c in summary.columns and c not in resolved]
    if clash:
        summary = summary.rename(columns={c: f"input_{c}" for c in clash})
    keep = [c for c in summary.columns if c not in new]
    block = pd.DataFrame({c: new[c] for c in order}, index=summary.index)
    summary = pd.concat([pd.DataFrame(summary[keep]), block], axis=1)
    if geom_name is not None:
        return gpd.GeoDataFrame(summary, geometry=geom_name, crs=crs, copy=False)
    return gpd.GeoDataFrame(summary, copy=False)
