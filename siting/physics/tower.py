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
* outlet air saturated: ``h_sat(T_out) = h_out`` solved for ``T_out`` by bisection;
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
_BISECTION_STEPS = 40  # bracket of 140 K -> 140 / 2**40 < 1e-9 K


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


def _saturated_temperature(enthalpy, pressure_pa):
    """Temperature [C] of saturated air with the given enthalpy (bisection, -60..80 C)."""
    lo = np.full(np.broadcast(enthalpy, pressure_pa).shape, -60.0)
    hi = np.full_like(lo, 80.0)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        h_mid = moist_air_enthalpy_kj_per_kg(mid, _saturation_w(mid, pressure_pa))
        below = h_mid < enthalpy
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


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
