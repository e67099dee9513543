"""On-site cooling water: evaporative towers and evaporative (adiabatic) air assist.

Vectorized numpy functions; water is given per kWh of *heat rejected*
(``l_per_kwh_heat``) unless the name says per IT kWh. A facility's on-site WUE
[L per IT kWh] is the water per heat times the heat rejected per IT kWh, which
:mod:`siting.physics.pue` provides.

References
----------
.. [1] Lei, N., Masanet, E. (2022). Climate- and technology-specific PUE and WUE
   estimations for U.S. data centers using a hybrid statistical and thermodynamics-based
   approach. Resources, Conservation & Recycling 182, 106323.
   doi:10.1016/j.resconrec.2022.106323
.. [2] Li, P., Yang, J., Islam, M. A., Ren, S. (2023). Making AI Less "Thirsty":
   Uncovering and Addressing the Secret Water Footprint of AI Models.
   arXiv:2304.03271.
.. [3] ASHRAE (2017). Handbook -- Fundamentals, ch. 1 (moist-air properties).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CP_AIR_KJ_PER_KG_K",
    "CP_WATER_KJ_PER_KG_K",
    "KJ_PER_KWH",
    "direct_evaporative_water_l_per_kwh_heat",
    "latent_heat_vaporization",
    "li2023_wue",
    "tower_water_components",
    "tower_water_l_per_kwh_heat",
    "tower_water_temperature",
]

KJ_PER_KWH = 3600.0  # kJ per kWh (definition)
CP_WATER_KJ_PER_KG_K = 4.186  # kJ/(kg K), liquid water near 20 C (ASHRAE 2017 ch.1 eq. 33)
CP_AIR_KJ_PER_KG_K = 1.006  # kJ/(kg K), dry air (ASHRAE 2017 ch.1 eqs. 32-33)
WATER_DENSITY_KG_PER_L = 1.0  # kg/L, makeup water taken as 1 kg per litre (0.3 % error at 25 C)

# Li et al. (2023) curve: clipping floor stated with the curve [L/kWh].
_LI2023_FLOOR_L_PER_KWH = 0.05


def latent_heat_vaporization(temp_c):
    """Latent heat of vaporization of water [kJ/kg].

    ``h_fg(T) = 2500.5 - 2.3097 T - 0.0013 T^2`` (T in C), the fit used by Lei &
    Masanet (2022) for the tower water temperature.

    Parameters
    ----------
    temp_c : array_like
        Water temperature [C].

    Returns
    -------
    numpy.ndarray
        h_fg [kJ/kg].

    References
    ----------
    .. [1] Lei & Masanet (2022), Resour. Conserv. Recycl. 182, 106323.
    """
    t = np.asarray(temp_c, dtype=float)
    return 2500.5 - 2.3097 * t - 0.0013 * t * t


def tower_water_temperature(wet_bulb_c, approach_c, range_c):
    """Mean water temperature in a cooling tower [C].

    ``T_w = wet_bulb + approach + range / 2``: the cold-water temperature (wet-bulb plus
    approach) raised by half the cooling range, as in Lei & Masanet (2022).

    Parameters
    ----------
    wet_bulb_c : array_like
        Ambient wet-bulb temperature [C].
    approach_c : array_like
        Tower approach (cold water minus wet-bulb) [K]; typical 2.8-6.7 K [1].
    range_c : array_like
        Tower range (hot minus cold water) [K]; typical 4-6 K [1].

    References
    ----------
    .. [1] Lei & Masanet (2022), Resour. Conserv. Recycl. 182, 106323.
    """
    return (
        np.asarray(wet_bulb_c, dtype=float)
        + np.asarray(approach_c, dtype=float)
        + 0.5 * np.asarray(range_c, dtype=float)
    )


def tower_water_components(
    wet_bulb_c,
    approach_c=4.0,
    range_c=5.0,
    cycles_of_concentration=6.0,
    drift_fraction=5e-5,
):
    """Evaporation, drift and blowdown of a cooling tower per kWh of heat rejected.

    Energy balance of Lei & Masanet (2022): all heat rejected leaves as latent heat,

    * evaporation ``E = 3600 / h_fg(T_w)`` [kg per kWh heat],
    * drift ``D = drift_fraction * m_circ`` with circulating flow
      ``m_circ = 3600 / (c_p,water * range)`` [kg per kWh heat],
    * blowdown ``B = max(E / (CoC - 1) - D, 0)``,

    and makeup water (consumption) ``M = E + D + B``. With 1 kg = 1 L.

    Parameters
    ----------
    wet_bulb_c : array_like
        Ambient wet-bulb [C].
    approach_c, range_c : array_like
        Tower approach and range [K] (typical 2.8-6.7 and 4-6 K [1]).
    cycles_of_concentration : array_like
        Cycles of concentration CoC [-], typical 3-15 [1]; must be > 1.
    drift_fraction : array_like
        Drift as a fraction of circulating flow [-]; modern drift eliminators are
        rated 0.0005 %-0.005 % of circulating flow (default 0.005 % = 5e-5) [2].

    Returns
    -------
    dict of numpy.ndarray
        ``evaporation``, ``drift``, ``blowdown``, ``makeup`` in L per kWh of heat.

    References
    ----------
    .. [1] Lei & Masanet (2022), Resour. Conserv. Recycl. 182, 106323.
    .. [2] Brentwood Industries, "What does drift rate mean?" (drift eliminator ratings
       0.0005 %-0.002 %); Tower Components Inc., drift eliminators (< 0.001 %).
    """
    coc = np.asarray(cycles_of_concentration, dtype=float)
    t_w = tower_water_temperature(wet_bulb_c, approach_c, range_c)
    evap = KJ_PER_KWH / latent_heat_vaporization(t_w) / WATER_DENSITY_KG_PER_L
    circ = KJ_PER_KWH / (CP_WATER_KJ_PER_KG_K * np.asarray(range_c, dtype=float))
    drift = np.asarray(drift_fraction, dtype=float) * circ / WATER_DENSITY_KG_PER_L
    with np.errstate(divide="ignore", invalid="ignore"):
        blow = np.maximum(evap / (coc - 1.0) - drift, 0.0)
    drift = np.broadcast_to(drift, evap.shape)
    return {"evaporation": evap, "drift": drift, "blowdown": blow, "makeup": evap + drift + blow}


def tower_water_l_per_kwh_heat(
    wet_bulb_c,
    approach_c=4.0,
    range_c=5.0,
    cycles_of_concentration=6.0,
    drift_fraction=5e-5,
):
    """Cooling-tower makeup water [L per kWh of heat rejected].

    Sum of evaporation, drift and blowdown of :func:`tower_water_components`. At
    typical tower temperatures (20-30 C) evaporation alone is about 1.47 L/kWh and the
    makeup 1.5-2.5 L/kWh for CoC 15 down to 3.

    References
    ----------
    .. [1] Lei & Masanet (2022), Resour. Conserv. Recycl. 182, 106323.
    """
    return tower_water_components(
        wet_bulb_c, approach_c, range_c, cycles_of_concentration, drift_fraction
    )["makeup"]


def li2023_wue(wet_bulb_c, cycles_of_concentration=6.0):
    """Empirical on-site WUE of Li et al. (2023) [L per IT kWh].

    ``WUE = S / (S - 1) * (6e-5 Tw^3 - 0.01 Tw^2 + 0.61 Tw - 10.4)`` with ``Tw`` the
    wet-bulb in degrees Fahrenheit and ``S`` the cycles of concentration, clipped at
    >= 0.05 L/kWh.

    Parameters
    ----------
    wet_bulb_c : array_like
        Wet-bulb temperature [C] (converted to F internally: ``F = 9/5 C + 32``).
    cycles_of_concentration : array_like, default 6
        S [-], must be > 1.

    Returns
    -------
    numpy.ndarray
        WUE [L/kWh].

    References
    ----------
    .. [1] Li, Yang, Islam & Ren (2023). arXiv:2304.03271.
    """
    tw_f = np.asarray(wet_bulb_c, dtype=float) * 9.0 / 5.0 + 32.0
    s = np.asarray(cycles_of_concentration, dtype=float)
    poly = 6e-5 * tw_f**3 - 0.01 * tw_f**2 + 0.61 * tw_f - 10.4
    return np.maximum(s / (s - 1.0) * poly, _LI2023_FLOOR_L_PER_KWH)


def direct_evaporative_water_l_per_kwh_heat(
    dry_bulb_c,
    wet_bulb_c,
    supply_air_c,
    effectiveness=0.85,
    air_delta_t_c=12.0,
):
    """Water evaporated by a direct evaporative (adiabatic) air cooler [L/kWh heat].

    Outside air is used when it is at or below the supply set-point (no water). Above
    it, a direct evaporative pad of saturation effectiveness ``eps`` can cool the air to
    ``T_db - eps (T_db - T_wb)``. The air mass flow that removes 1 kWh of IT heat with a
    supply-to-return rise ``dT`` is ``m_a = 3600 / (c_p,air dT)`` kg, and evaporating water
    removes sensible heat ``m_a c_p,air (T_db - T_supply_reached)`` at ``h_fg``::

        W = 3600 * (T_db - T_reached) / (dT * h_fg(T_wb))

    with ``T_reached = max(T_supply, T_db - eps (T_db - T_wb))``.

    Parameters
    ----------
    dry_bulb_c, wet_bulb_c : array_like
        Outside dry-bulb and wet-bulb [C].
    supply_air_c : array_like
        Supply-air set-point [C] (ASHRAE recommended inlet envelope is 18-27 C [2]).
    effectiveness : array_like
        Direct evaporative saturation effectiveness [-] (typ. 0.70-0.95 [3]).
    air_delta_t_c : array_like
        Air temperature rise across the IT equipment [K].

    Returns
    -------
    numpy.ndarray
        Water evaporated [L per kWh of heat removed].

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1 (adiabatic saturation).
    .. [2] ASHRAE TC 9.9 (2021). Thermal Guidelines for Data Processing Environments,
       5th ed. (recommended envelope 18-27 C).
    .. [3] ASHRAE (2020). Handbook -- HVAC Systems and Equipment, ch. 41 "Evaporative
       Air-Cooling Equipment".
    """
    tdb = np.asarray(dry_bulb_c, dtype=float)
    twb = np.asarray(wet_bulb_c, dtype=float)
    eps = np.asarray(effectiveness, dtype=float)
    reached = np.maximum(np.asarray(supply_air_c, dtype=float), tdb - eps * (tdb - twb))
    cooled = np.maximum(tdb - reached, 0.0)
    return (
        KJ_PER_KWH
        * cooled
        / (np.asarray(air_delta_t_c, dtype=float) * latent_heat_vaporization(twb))
        / WATER_DENSITY_KG_PER_L
    )
