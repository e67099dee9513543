"""Wet cooling tower with a climate-dependent latent share (Merkel, saturated outlet air).

A wet tower rejects heat partly as latent heat (evaporation) and partly as sensible heat
(warming of the air). In cold, dry air the sensible share grows and the evaporation per
kWh falls well below the all-latent bound ``3600 / h_fg`` of
:func:`siting.physics.cooling.tower_water_components`; in hot, dry air the air
is cooled and the all-latent balance is the binding limit.

Model (Merkel's assumptions as stated by Kloppers & Kroger 2005 [1]: outlet air
saturated, Lewis factor 1, evaporated water neglected in the water energy balance):

* water flow per kWh of heat ``L = 3600 / (c_pw * range)`` [kg], air flow ``G = L / (L/G)``;
* air enthalpy rises by ``dh = 3600 / G`` [kJ/kg dry air]:
  ``h_out = h(T_db, W_in) + dh`` with ``h(t, W) = 1.006 t + W (2501 + 1.86 t)`` [2];
* outlet air saturated: ``h_sat(T_out) = h_out`` solved for ``T_out`` (safeguarded Newton);
* evaporation ``E = G (W_s(T_out) - W_in)`` [kg per kWh heat], capped at the all-latent
  bound ``3600 / h_fg(T_w)`` with ``T_w`` the mean water temperature.

Kloppers & Kroger (2005) [1] found that the Merkel method with saturated outlet air
predicts less evaporation than the Poppe method (which allows supersaturated outlet air),
by a few per cent at warm conditions and more in cold, dry air: this model is therefore
a central-to-low estimate of evaporation in winter.

Validity: counterflow or crossflow mechanical-draught towers, inlet dry-bulb -30..50 C,
water temperatures 5..50 C, L/G 0.5-2 (range of the comparisons in [1]); below freezing
the tower is assumed to run with the same balance (no icing control modelled).

References
----------
.. [1] Kloppers, J. C., Kroger, D. G. (2005). A critical investigation into the heat and
   mass transfer analysis of counterflow wet-cooling towers. Int. J. Heat Mass Transfer
   48, 765-777. doi:10.1016/j.ijheatmasstransfer.2004.09.004
.. [2] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eq. (32) (moist-air enthalpy).
.. [3] Merkel, F. (1925). Verdunstungskuhlung. VDI-Forschungsarbeiten 275.
.. [4] Green, D. W., Perry, R. H. (2008). Perry's Chemical Engineers' Handbook, 8th ed.,
   sec. 12 "Cooling towers": evaporation rule of thumb ``E = 0.00085 x circulation x
   range [F]`` (about 1 % of flow per 5.6 K range).
"""

from __future__ import annotations

import numpy as np

from siting.physics.cooling import (
    CP_AIR_KJ_PER_KG_K,
    CP_WATER_KJ_PER_KG_K,
    KJ_PER_KWH,
    latent_heat_vaporization,
)
from siting.physics.psychrometrics import (
    _C1,
    _C3,
    _C4,
    _C5,
    _C6,
    _C7,
    _C8,
    _C10,
    _C11,
    _C12,
    _C13,
    _MW_RATIO,
    KELVIN,
    humidity_ratio_from_vapor_pressure,
    saturation_vapor_pressure,
)

__all__ = [
    "all_latent_evaporation_l_per_kwh_heat",
    "moist_air_enthalpy_kj_per_kg",
    "tower_evaporation_l_per_kwh_heat",
    "tower_makeup_l_per_kwh_heat",
]

H_G0_KJ_PER_KG = 2501.0  # kJ/kg, enthalpy of water vapour at 0 C (ASHRAE 2017 ch.1 eq. 32)
CP_VAPOR_KJ_PER_KG_K = 1.86  # kJ/(kg K), water vapour (ASHRAE 2017 ch.1 eq. 32)
#: assumption: liquid-to-gas mass ratio of a mechanical-draught tower at design; the
#: comparisons of Kloppers & Kroger (2005) span about 0.5-2, 1.2 is mid-range
DEFAULT_L_OVER_G = 1.2
_T_LO, _T_HI = -60.0, 80.0  # C, bracket of the saturated outlet-air temperature
_NEWTON_STEPS = 6  # safeguarded Newton from a 1 K table: < 1e-9 K (tested)


def moist_air_enthalpy_kj_per_kg(dry_bulb_c, humidity_ratio):
    """Moist-air enthalpy [kJ per kg dry air], ``1.006 t + W (2501 + 1.86 t)``.

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eq. (32).
    """
    t = np.asarray(dry_bulb_c, dtype=float)
    w = np.asarray(humidity_ratio, dtype=float)
    return CP_AIR_KJ_PER_KG_K * t + w * (H_G0_KJ_PER_KG + CP_VAPOR_KJ_PER_KG_K * t)


def _saturation_w(temp_c, pressure_pa):
    return humidity_ratio_from_vapor_pressure(saturation_vapor_pressure(temp_c), pressure_pa)


def _saturated_enthalpy_and_slope(temp_c, pressure_pa):
    """Enthalpy of saturated air [kJ/kg dry air] and its derivative [kJ/(kg K)].

    ``h_s(t) = 1.006 t + W_s (2501 + 1.86 t)`` with ``W_s = 0.621945 p_ws / (p - p_ws)``
    and ``p_ws`` of :func:`siting.physics.psychrometrics.saturation_vapor_pressure`;
    ``dp_ws/dt = p_ws d(ln p_ws)/dt`` from the Hyland-Wexler terms (ASHRAE 2017 ch. 1
    eqs. 5, 6, 20, 32).
    """
    t = np.asarray(temp_c, dtype=float)
    tk = t + KELVIN
    pws = saturation_vapor_pressure(t)
    dln_ice = -_C1 / tk**2 + _C3 + 2 * _C4 * tk + 3 * _C5 * tk**2 + 4 * _C6 * tk**3 + _C7 / tk
    dln_water = -_C8 / tk**2 + _C10 + 2 * _C11 * tk + 3 * _C12 * tk**2 + _C13 / tk
    dpws = pws * np.where(t < 0.0, dln_ice, dln_water)
    den = pressure_pa - pws
    ws = _MW_RATIO * pws / den
    dws = _MW_RATIO * pressure_pa * dpws / den**2
    h = CP_AIR_KJ_PER_KG_K * t + ws * (H_G0_KJ_PER_KG + CP_VAPOR_KJ_PER_KG_K * t)
    dh = (
        CP_AIR_KJ_PER_KG_K
        + CP_VAPOR_KJ_PER_KG_K * ws
        + dws * (H_G0_KJ_PER_KG + CP_VAPOR_KJ_PER_KG_K * t)
    )
    return h, dh


def _saturated_temperature(enthalpy, pressure_pa):
    """Temperature [C] of saturated air with the given enthalpy, clipped to -60..80 C.

    ``h_s(t)`` increases with ``t``: safeguarded Newton iterations inside a bracket
    that starts at [-60, 80] C and shrinks at every step (a Newton step leaving the
    bracket is replaced by its midpoint), started from linear interpolation in a 1 K
    table of ``h_s`` at the median pressure. Converges to < 1e-9 K in
    ``_NEWTON_STEPS`` iterations over the validity range (tested against 40 bisection
    steps, the previous solver); the same root as the bisection.
    """
    h = np.asarray(enthalpy, dtype=float)
    p = np.asarray(pressure_pa, dtype=float)
    shape = np.broadcast(h, p).shape
    h = np.broadcast_to(h, shape)
    p_ref = float(np.nanmedian(p)) if p.size else 101_325.0
    grid = np.arange(_T_LO, _T_HI + 0.5, 1.0)
    h_grid, _ = _saturated_enthalpy_and_slope(grid, p_ref)
    with np.errstate(invalid="ignore"):
        t = np.interp(h, h_grid, grid)
    lo = np.full(shape, _T_LO)
    hi = np.full(shape, _T_HI)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for _ in range(_NEWTON_STEPS):
            f, df = _saturated_enthalpy_and_slope(t, p)
            below = f < h
            lo = np.where(below, t, lo)
            hi = np.where(below, hi, t)
            step = t - (f - h) / df
            inside = (step >= lo) & (step <= hi)
            t = np.where(inside, step, 0.5 * (lo + hi))
    # the ends of the bracket, and the 1e-3 kJ/kg step of h_s at 0 C (ice/water
    # saturation pressures of eqs. 5-6 differ by 0.06 Pa there): the bisection's roots
    h_lo, _ = _saturated_enthalpy_and_slope(_T_LO, p)
    h_hi, _ = _saturated_enthalpy_and_slope(_T_HI, p)
    h_ice0, _ = _saturated_enthalpy_and_slope(-1e-300, p)
    h_water0, _ = _saturated_enthalpy_and_slope(0.0, p)
    t = np.where((h >= h_ice0) & (h <= h_water0), 0.0, t)
    t = np.where(h <= h_lo, _T_LO, np.where(h >= h_hi, _T_HI, t))
    return np.where(np.isnan(h) | np.isnan(p), np.nan, t)


def all_latent_evaporation_l_per_kwh_heat(water_in_c, water_out_c):
    """Upper-bound evaporation [L/kWh heat]: all heat leaves as latent heat.

    ``E = 3600 / h_fg(T_w)`` at the mean water temperature ``T_w``: the balance of
    Lei & Masanet (2022) used by :func:`siting.physics.cooling.tower_water_components`.

    References
    ----------
    .. [1] Lei & Masanet (2022), Resour. Conserv. Recycl. 182, 106323.
    """
    t_w = 0.5 * (np.asarray(water_in_c, dtype=float) + np.asarray(water_out_c, dtype=float))
    return KJ_PER_KWH / latent_heat_vaporization(t_w)


def tower_evaporation_l_per_kwh_heat(
    dry_bulb_c,
    humidity_ratio,
    pressure_pa,
    water_in_c,
    water_out_c,
    l_over_g=DEFAULT_L_OVER_G,
    *,
    return_terms: bool = False,
):
    """Evaporation of a wet cooling tower [L per kWh of heat rejected].

    Merkel balance with saturated outlet air (module docstring), capped at
    :func:`all_latent_evaporation_l_per_kwh_heat`; 1 kg = 1 L.

    Parameters
    ----------
    dry_bulb_c : array_like
        Inlet air dry-bulb [C], -30..50 C.
    humidity_ratio : array_like
        Inlet air humidity ratio [kg/kg dry air]
        (e.g. :func:`siting.physics.psychrometrics.humidity_ratio_from_wet_bulb`).
    pressure_pa : array_like
        Station pressure [Pa].
    water_in_c, water_out_c : array_like
        Hot (inlet) and cold (outlet) water temperature [C]; range = in - out > 0.
    l_over_g : array_like, default 1.2
        Water-to-air mass-flow ratio [-] (assumption, see ``DEFAULT_L_OVER_G``).
    return_terms : bool
        Also return the latent share, outlet air temperature and uncapped evaporation.

    Returns
    -------
    numpy.ndarray or dict
        Evaporation [L/kWh heat], >= 0 and <= the all-latent bound; with
        ``return_terms`` a dict with ``evaporation``, ``uncapped``, ``bound``,
        ``air_out_c`` and ``latent_share`` (``E h_fg / 3600``).

    References
    ----------
    .. [1] Kloppers & Kroger (2005), Int. J. Heat Mass Transfer 48, 765-777.
    .. [2] ASHRAE (2017). Handbook -- Fundamentals, ch. 1.
    """
    tdb = np.asarray(dry_bulb_c, dtype=float)
    w_in = np.asarray(humidity_ratio, dtype=float)
    t_hot = np.asarray(water_in_c, dtype=float)
    t_cold = np.asarray(water_out_c, dtype=float)
    rng = t_hot - t_cold
    with np.errstate(divide="ignore", invalid="ignore"):
        water_kg = KJ_PER_KWH / (CP_WATER_KJ_PER_KG_K * rng)
        air_kg = water_kg / np.asarray(l_over_g, dtype=float)
        h_out = moist_air_enthalpy_kj_per_kg(tdb, w_in) + KJ_PER_KWH / air_kg
    t_out = _saturated_temperature(h_out, pressure_pa)
    uncapped = np.maximum(air_kg * (_saturation_w(t_out, pressure_pa) - w_in), 0.0)
    bound = all_latent_evaporation_l_per_kwh_heat(t_hot, t_cold)
    evap = np.minimum(uncapped, bound)
    bad = ~(rng > 0) | np.isnan(tdb) | np.isnan(w_in)
    evap = np.where(bad, np.nan, evap)
    if not return_terms:
        return evap
    t_w = 0.5 * (t_hot + t_cold)
    return {
        "evaporation": evap,
        "uncapped": uncapped,
        "bound": bound,
        "air_out_c": t_out,
        "latent_share": evap * latent_heat_vaporization(t_w) / KJ_PER_KWH,
    }


def tower_makeup_l_per_kwh_heat(
    evaporation_l_per_kwh_heat, range_c, cycles_of_concentration=6.0, drift_fraction=5e-5
):
    """Makeup water [L/kWh heat] = evaporation + drift + blowdown.

    Drift ``D = drift_fraction x L`` with ``L = 3600 / (c_pw range)``; blowdown
    ``B = max(E / (CoC - 1) - D, 0)`` (same accounting as
    :func:`siting.physics.cooling.tower_water_components`).

    References
    ----------
    .. [1] Lei & Masanet (2022), Resour. Conserv. Recycl. 182, 106323.
    """
    evap = np.asarray(evaporation_l_per_kwh_heat, dtype=float)
    coc = np.asarray(cycles_of_concentration, dtype=float)
    drift = (
        np.asarray(drift_fraction, dtype=float)
        * KJ_PER_KWH
        / (CP_WATER_KJ_PER_KG_K * np.asarray(range_c, dtype=float))
    )
    blow = np.maximum(evap / (coc - 1.0) - drift, 0.0)
    return evap + drift + blow
