"""The array kernel of the footprint model: site x year arrays from climate and configuration.

:func:`cooling_profile` evaluates the climate-dependent terms of the facility once per
unique climate row; :func:`footprint_arrays` combines them with the commitment schedule
of the fleet into the (site, year) outputs named in :data:`ANNUAL_VARIABLES`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from siting.errors import ConfigError
from siting.model.embodied import embodied_by_year
from siting.model.facility import Facility
from siting.model.fleet import Fleet
from siting.model.scenario import Scenario
from siting.physics import energy as _energy

MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
MONTHLY_HOURS = MONTH_DAYS * 24.0  # h per month of a 365-day year (sums to 8760)

# --------------------------------------------------------------------------------------
# climate profile: computed once per unique climate row, gathered to sites
# --------------------------------------------------------------------------------------


def _unique_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the first occurrence of each unique row and the inverse map."""
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    xc = np.ascontiguousarray(x)
    # 64-bit hash of the raw bytes of each row; collisions are checked and resolved.
    u = xc.view(np.uint32).astype(np.uint64) if xc.dtype == np.float32 else None
    if u is None:
        u = xc.view(np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    mult = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for j in range(u.shape[1]):
            h = (h ^ u[:, j]) * mult
            h ^= h >> np.uint64(29)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    if np.array_equal(xc[first[inv]].view(np.uint8), xc.view(np.uint8)):
        return first, inv.reshape(-1)
    # hash collision (practically never): exact but slower path
    v = xc.view(np.dtype((np.void, xc.dtype.itemsize * xc.shape[1]))).ravel()
    _, first, inv = np.unique(v, return_index=True, return_inverse=True)
    return first, inv.reshape(-1)


def _hourly_terms(
    tdb: np.ndarray, twb: np.ndarray, month_weights: np.ndarray, facility: Facility, exact: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Hour-weighted means of ``(1 + c, w)`` over within-month samples of monthly means.

    Each (row, month) stands for ``K`` samples of :func:`siting.physics.hourly.hourly_samples`
    (diurnal cycle + day-to-day spread) with hour weights. The dew-point anomaly slope
    ``k`` of the samples is a property of the site: it is computed here once per row from
    that row's own 12 months (:func:`siting.model.cooling_table.site_dew_slope`) and
    given to the month terms explicitly, which come from the response table of the
    design (:func:`siting.model.cooling_table.month_terms`, exact outside the table or
    with ``exact``); a month keeps its weight ``month_weights``.
    """
    from siting.model.cooling_table import month_dew_point, month_terms, site_dew_slope

    dew = month_dew_point(tdb, twb)
    k = site_dew_slope(tdb, twb, dew)
    one_plus_c, w = month_terms(tdb, twb, k[:, None], facility, exact=exact, dew=dew)
    # row by row (not a BLAS product): a site's value does not depend on the batch
    return (one_plus_c * month_weights).sum(axis=1), (w * month_weights).sum(axis=1)


def cooling_profile(
    dry_bulb_c,
    wet_bulb_c,
    period_hours,
    facility: Facility,
    delta_c=(0.0,),
    *,
    chunk_rows: int = 65_536,
    exact: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Hour-weighted means of the climate-dependent terms, per site and climate shift.

    ``k_fac = sum_t h_t (1 + c_t) / sum_t h_t`` and ``k_water = sum_t h_t w_t / sum_t h_t``
    where ``c_t`` is cooling electricity and ``w_t`` on-site water per unit of heat
    (see :meth:`Facility.period_terms`), evaluated at the climate shifted by each
    ``delta_c`` [C] (added to dry- and wet-bulb). Evaluated once per unique climate row
    (``np.unique`` on the climate matrix) in chunks, then gathered to sites.

    With 12 monthly periods and a design whose plant has economizer or evaporative-assist
    hours (``design.hourly``), each month is expanded into within-month hourly samples
    (:func:`_hourly_terms`): the hot tail of the month drives those hours, which the
    monthly mean hides. The terms of the samples' days are read from a response table
    of the design (:mod:`siting.model.cooling_table`, the same at every input size);
    ``exact=True`` evaluates every month on its samples instead (the table's reference).
    Hourly climates (8760 periods) are used as given.

    Returns
    -------
    k_fac, k_water : numpy.ndarray, shape (n_site, len(delta_c))
    """
    tdb = np.asarray(dry_bulb_c, dtype=np.float32)
    twb = np.asarray(wet_bulb_c, dtype=np.float32)
    if tdb.ndim == 1:
        tdb, twb = tdb[None, :], twb[None, :]
    h = np.asarray(period_hours, dtype=float)
    hw = h / h.sum()
    deltas = np.atleast_1d(np.asarray(delta_c, dtype=float))
    hourly = facility.uses_climate and facility.design.hourly and tdb.shape[1] == 12
    n = tdb.shape[0]
    first, inv = _unique_rows(np.concatenate([tdb, twb], axis=1))
    nu = first.shape[0]
    k_fac_u = np.empty((nu, deltas.size))
    k_w_u = np.empty((nu, deltas.size))
    for s in range(0, nu, chunk_rows):
        idx = first[s : s + chunk_rows]
        a = tdb[idx].astype(float)
        b = twb[idx].astype(float)
        gap = (np.isnan(a).any(axis=1) | np.isnan(b).any(axis=1))[:, None]
        for j, d in enumerate(deltas):
            if hourly:
                k_fac_u[s : s + idx.size, j], k_w_u[s : s + idx.size, j] = _hourly_terms(
                    a + d, b + d, hw, facility, exact
                )
                continue
            one_plus_c, w = facility.period_terms(a + d, b + d)
            k_fac_u[s : s + idx.size, j] = one_plus_c @ hw
            k_w_u[s : s + idx.size, j] = w @ hw
        if facility.uses_climate:  # a gap in either series makes the site's climate unknown
            k_fac_u[s : s + idx.size] = np.where(gap, np.nan, k_fac_u[s : s + idx.size])
            k_w_u[s : s + idx.size] = np.where(gap, np.nan, k_w_u[s : s + idx.size])
    if n == nu and np.array_equal(first, np.arange(n)):
        return k_fac_u, k_w_u
    return k_fac_u[inv], k_w_u[inv]


# --------------------------------------------------------------------------------------
# pure array core
# --------------------------------------------------------------------------------------

ANNUAL_VARIABLES = {
    "it_energy_mwh": ("MWh", "IT (fleet) electricity"),
    "facility_energy_mwh": ("MWh", "facility electricity at the meter"),
    "pue": ("-", "power usage effectiveness (facility / IT energy of the year)"),
    "wue_onsite_l_per_kwh": ("L/kWh", "on-site water per IT kWh"),
    "water_onsite_m3": ("m3", "on-site (cooling) water consumption"),
    "water_offsite_m3": ("m3", "off-site water consumed generating the electricity"),
    "co2_scope2_t": ("tCO2e", "scope 2, location-based"),
    "co2_scope2_market_t": ("tCO2e", "scope 2, market-based (after carbon-free share)"),
    "co2_embodied_t": ("tCO2e", "embodied carbon of GPU purchases (+ building if set)"),
    "energy_cost_usd": ("USD", "electricity cost incl. take-or-pay minimum"),
    "product_alive": ("-", "fraction of the year the product runs"),
}


def _check_climate_hours(period_hours) -> np.ndarray:
    h = np.asarray(period_hours, dtype=float)
    if h.ndim != 1 or h.size == 0:
        raise ConfigError("must be a 1-D array of hours per period", field="period_hours")
    if not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ConfigError(
            "every period must have a positive, finite number of hours", field="period_hours"
        )
    if not 8759.0 <= h.sum() <= 8785.0:
        raise ConfigError(
            f"periods must cover one year (8760-8784 h), got {h.sum():.1f} h",
            field="period_hours",
        )
    return h


def footprint_arrays(
    dry_bulb_c,
    wet_bulb_c,
    period_hours,
    grid_co2_g_per_kwh,
    ewif_l_per_kwh,
    price_usd_per_mwh,
    fleet: Fleet,
    facility: Facility,
    scenario: Scenario,
    *,
    warming_nodes: int | None = 5,
    dtype=np.float32,
) -> dict[str, Any]:
    """Committed footprint per site and commitment year (pure array core).

    Parameters
    ----------
    dry_bulb_c, wet_bulb_c : array_like, shape (n_site, n_period)
        Climate of a typical year [C]: 12 monthly means or 8760 hours.
    period_hours : array_like, shape (n_period,)
        Hours each period represents (sums to one year).
    grid_co2_g_per_kwh : array_like, shape (n_site,) or (n_site, n_year)
        Location-based grid intensity [gCO2e/kWh]; a 1-D value follows the scenario's
        decarbonization rate, a 2-D table is used as given.
    ewif_l_per_kwh : array_like, shape (n_site,)
        Off-site water intensity of electricity [L/kWh].
    price_usd_per_mwh : array_like, shape (n_site,)
        Electricity price in the first year [$/MWh].
    fleet, facility, scenario
        Configuration.
    warming_nodes : int or None
        With a warming trend, the climate terms are evaluated exactly at this many
        evenly spaced climate shifts and interpolated linearly in between (None: exact at
        every year).
    dtype : numpy dtype
        Floating type of the (site, year) outputs (float32 by default).

    Returns
    -------
    dict
        (site, year) arrays named as :data:`ANNUAL_VARIABLES`, plus ``after_share`` (per
        variable, the per-year share incurred after the product was shut down, or the
        absolute after-product amount for ``co2_embodied_t``), ``gpu_hours`` (delivered
        GPU-hours per year), ``years`` and ``schedule``.
    """
    n_year = scenario.commitment_years
    tdb, twb, hours = _checked_climate(dry_bulb_c, wet_bulb_c, period_hours)
    g, ewif, price = _checked_site_arrays(
        grid_co2_g_per_kwh, ewif_l_per_kwh, price_usd_per_mwh, tdb.shape[0], n_year
    )
    loads = _yearly_loads(fleet, facility, scenario, float(hours.sum()))
    k_fac, k_w = _yearly_climate_terms(tdb, twb, hours, facility, scenario, warming_nodes, dtype)
    out = _site_year_outputs(k_fac, k_w, g, ewif, price, loads, facility, scenario, dtype)
    n = tdb.shape[0]
    out["co2_embodied_t"] = np.broadcast_to(loads["emb"].astype(dtype)[None, :], (n, n_year))
    out["product_alive"] = np.broadcast_to(
        loads["sched"]["alive"].astype(dtype)[None, :], (n, n_year)
    )
    out = {name: out[name] for name in ANNUAL_VARIABLES}
    share_fac, share_it = loads["share_fac"], loads["share_it"]
    out["after_share"] = {
        "it_energy_mwh": share_it,
        "facility_energy_mwh": share_fac,
        "water_onsite_m3": share_it
        if (_fixed_wue_climate_pue(facility) or facility.water_per_it)
        else share_fac,
        "water_offsite_m3": share_fac,
        "co2_scope2_t": share_fac,
        "co2_scope2_market_t": share_fac,
        "energy_cost_usd": loads["share_cost"],
        "co2_embodied_t_absolute": loads["emb_after"],
    }
    out["embodied_conventions"] = loads["emb_both"]
    out["gpu_hours"] = loads["gpu_hours"]
    out["years"] = scenario.years
    out["schedule"] = loads["sched"]
    return out


def _checked_climate(dry_bulb_c, wet_bulb_c, period_hours) -> tuple[np.ndarray, ...]:
    """Dry- and wet-bulb as float32 (site, period) arrays and the hours per period."""
    tdb = np.asarray(dry_bulb_c, dtype=np.float32)
    twb = np.asarray(wet_bulb_c, dtype=np.float32)
    if tdb.ndim != 2 or tdb.shape != twb.shape:
        raise ConfigError(
            f"dry_bulb_c and wet_bulb_c must be (site, period) arrays of one shape, got "
            f"{tdb.shape} and {twb.shape}",
            field="dry_bulb_c",
        )
    hours = _check_climate_hours(period_hours)
    n_period = tdb.shape[1]
    if hours.size != n_period:
        raise ConfigError(
            f"has {hours.size} periods but the climate has {n_period}", field="period_hours"
        )
    return tdb, twb, hours


def _checked_site_arrays(
    grid_co2_g_per_kwh, ewif_l_per_kwh, price_usd_per_mwh, n: int, n_year: int
) -> tuple[np.ndarray, ...]:
    """Grid intensity, EWIF and price as float arrays with one row per site."""
    g = np.asarray(grid_co2_g_per_kwh, dtype=float)
    if g.ndim == 2 and g.shape[1] != n_year:
        raise ConfigError(
            f"a (site, year) table needs {n_year} years, got {g.shape[1]}",
            field="grid_co2_g_per_kwh",
        )
    ewif = np.asarray(ewif_l_per_kwh, dtype=float).reshape(-1)
    price = np.asarray(price_usd_per_mwh, dtype=float).reshape(-1)
    for name, arr in (
        ("grid_co2_g_per_kwh", g),
        ("ewif_l_per_kwh", ewif),
        ("price_usd_per_mwh", price),
    ):
        if arr.shape[0] != n:
            raise ConfigError(f"has {arr.shape[0]} sites, the climate has {n}", field=name)
    return g, ewif, price


def _yearly_loads(
    fleet: Fleet, facility: Facility, scenario: Scenario, h_year: float
) -> dict[str, Any]:
    """Site-independent terms per commitment year: schedule, IT energy, heat, embodied.

    ``heat_mwh`` is the heat-equivalent energy of the year [MWh] (``D h q``, multiplied
    by the site's climate term gives facility energy), ``pay_mwh`` the same for the
    energy paid (take-or-pay minimum), ``share_*`` the part incurred after the product.
    """
    spec = fleet.spec
    f_idle = spec["idle_fraction"][0]
    u = fleet.power_fraction_alive
    r = float(scenario.retenant_fraction)
    sched = _energy.commitment_schedule(
        scenario.commitment_years,
        scenario.product_years,
        scenario.after,
        float(fleet.refresh_years),
        r,
        float(scenario.retenant_delay_years),
    )
    l_leased = r * u + (1.0 - r) * f_idle
    states = {  # name: (fraction per year, load fraction)
        "alive": (sched["alive"], u),
        "idle": (sched["idle"], f_idle),
        "leased": (sched["leased"], l_leased),
        "off": (sched["off"], 0.0),
    }
    a, b = facility.heat_coefficients()
    q_alive = a * u + b
    top = float(scenario.take_or_pay_fraction)
    l_bar = sum(fr * ld for fr, ld in states.values())
    q_bar = sum(fr * (a * ld + b) for fr, ld in states.values())
    q_after = sum(fr * (a * ld + b) for k, (fr, ld) in states.items() if k != "alive")
    pay = {k: fr * np.maximum(a * ld + b, top * q_alive) for k, (fr, ld) in states.items()}
    q_pay = sum(pay.values())
    q_pay_after = q_pay - pay["alive"]
    it_after_l = l_bar - sched["alive"] * u

    d_mw = fleet.design_it_mw
    with np.errstate(invalid="ignore", divide="ignore"):
        share_fac = np.where(q_bar > 0, q_after / q_bar, 0.0)
        share_it = np.where(l_bar > 0, it_after_l / l_bar, 0.0)
        share_cost = np.where(q_pay > 0, q_pay_after / q_pay, 0.0)
    emb, emb_after, emb_both = _embodied_t(fleet, facility, scenario, sched)
    return {
        "sched": sched,
        "it_mwh": d_mw * h_year * l_bar,
        "heat_mwh": (d_mw * h_year) * q_bar,
        "pay_mwh": (d_mw * h_year) * q_pay,
        "share_fac": share_fac,
        "share_it": share_it,
        "share_cost": share_cost,
        "emb": emb,
        "emb_after": emb_after,
        "emb_both": emb_both,
        "gpu_hours": int(fleet.gpus) * h_year * (sched["alive"] + r * sched["leased"]),
    }


def _embodied_t(
    fleet: Fleet, facility: Facility, scenario: Scenario, sched: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Embodied carbon per year [tCO2e] in the scenario's convention (GPU purchases or
    their amortized use share, building in year 0), its after-product part, and both
    conventions (:func:`siting.model.embodied.embodied_by_year`)."""
    both = embodied_by_year(
        sched,
        int(fleet.gpus),
        fleet.spec["embodied_kg_per_gpu"][0],
        float(fleet.refresh_years),
        float(scenario.retenant_fraction),
        facility.building_embodied_t_per_mw * fleet.design_it_mw,
    )
    conv = scenario.embodied
    return both[conv], both[f"{conv}_after"], both


def _yearly_climate_terms(
    tdb: np.ndarray,
    twb: np.ndarray,
    hours: np.ndarray,
    facility: Facility,
    scenario: Scenario,
    warming_nodes: int | None,
    dtype,
) -> tuple[np.ndarray, np.ndarray]:
    """``k_fac``, ``k_water`` per (site, year): the climate of each year (warming trend),
    exact at ``warming_nodes`` shifts and linearly interpolated in between."""
    n, n_year = tdb.shape[0], scenario.commitment_years
    years_from_start = np.arange(n_year, dtype=float) + 0.5
    deltas_year = scenario.warming_c_per_decade * years_from_start / 10.0
    if np.all(deltas_year == 0.0):
        nodes = np.zeros(1)
    elif warming_nodes is None or warming_nodes >= n_year:
        nodes = deltas_year
    else:
        nodes = np.linspace(deltas_year.min(), deltas_year.max(), max(int(warming_nodes), 2))
    k_fac_n, k_w_n = _cooling_profile_memo(tdb, twb, hours, facility, nodes)
    k_fac_n = k_fac_n.astype(dtype, copy=False)
    k_w_n = k_w_n.astype(dtype, copy=False)
    if nodes.size == 1:
        return np.broadcast_to(k_fac_n, (n, n_year)), np.broadcast_to(k_w_n, (n, n_year))
    if nodes.size == n_year and np.array_equal(nodes, deltas_year):
        return k_fac_n, k_w_n
    pos = np.interp(deltas_year, nodes, np.arange(nodes.size, dtype=float))
    j0 = np.minimum(np.floor(pos).astype(int), nodes.size - 2)
    wgt = (pos - j0).astype(dtype)
    k_fac = k_fac_n[:, j0] * (1 - wgt) + k_fac_n[:, j0 + 1] * wgt
    k_w = k_w_n[:, j0] * (1 - wgt) + k_w_n[:, j0 + 1] * wgt
    return k_fac, k_w


def _cooling_profile_memo(tdb, twb, hours, facility: Facility, nodes) -> tuple[np.ndarray, ...]:
    """:func:`cooling_profile`, each distinct climate row evaluated once per context
    (:mod:`siting.model.profile_memo`: the same numbers, computed once)."""
    from siting.model.cooling_table import _EXACT
    from siting.model.profile_memo import remembered_profile

    return remembered_profile(tdb, twb, hours, facility, nodes, _EXACT.get(), cooling_profile)


def _fixed_wue_climate_pue(facility: Facility) -> bool:
    """A fixed WUE per IT kWh with a climate-driven PUE: water follows IT energy."""
    return facility.wue_onsite_l_per_kwh is not None and facility.pue is None


def _site_year_outputs(
    k_fac: np.ndarray,
    k_w: np.ndarray,
    g: np.ndarray,
    ewif: np.ndarray,
    price: np.ndarray,
    loads: dict[str, Any],
    facility: Facility,
    scenario: Scenario,
    dtype,
) -> dict[str, np.ndarray]:
    """The climate-dependent (site, year) outputs, computed in ``dtype``."""
    n, n_year = k_fac.shape
    it_mwh = loads["it_mwh"]
    base = loads["heat_mwh"].astype(dtype)  # (year,) MWh of heat-equivalent
    fac = k_fac * base[None, :]
    if _fixed_wue_climate_pue(facility):
        water_on = (
            np.where(np.isnan(k_fac), dtype(np.nan), dtype(1.0))
            * ((facility.wue_onsite_l_per_kwh * it_mwh).astype(dtype)[None, :])
        )
    elif facility.water_per_it:  # WUE per IT kWh (Li et al. 2023 curve)
        water_on = k_w * it_mwh.astype(dtype)[None, :]
    else:
        water_on = k_w * base[None, :]  # MWh x L/kWh = m3
    water_off = fac * ewif.astype(dtype)[:, None]
    if g.ndim == 2:
        co2 = fac * (g / 1e3).astype(dtype)
    else:
        decline = (1.0 - float(scenario.grid_decarbonization_per_yr)) ** np.arange(n_year)
        co2 = fac * (g.astype(dtype) / dtype(1e3))[:, None]
        co2 *= decline.astype(dtype)[None, :]
    co2_mkt = co2 * dtype(1.0 - scenario.carbon_free_share)
    esc = (1.0 + scenario.price_escalation_per_yr) ** np.arange(n_year, dtype=float)
    cost_base = (loads["pay_mwh"] * esc).astype(dtype)  # (year,)
    cost = k_fac * cost_base[None, :]
    cost *= price.astype(dtype)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        inv_it = np.where(it_mwh > 0, 1.0 / it_mwh, np.nan).astype(dtype)
    return {
        "it_energy_mwh": np.broadcast_to(it_mwh.astype(dtype)[None, :], (n, n_year)),
        "facility_energy_mwh": fac,
        "pue": fac * inv_it[None, :],
        "wue_onsite_l_per_kwh": water_on * inv_it[None, :],
        "water_onsite_m3": water_on,
        "water_offsite_m3": water_off,
        "co2_scope2_t": co2,
        "co2_scope2_market_t": co2_mkt,
        "energy_cost_usd": cost,
    }
