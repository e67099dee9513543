"""Facility power overhead (PUE) from cooling technology, climate and IT load.

Every function is a plain vectorized numpy function over arrays of time steps and/or
sites. Powers are normalized: ``load_fraction`` is IT power over the design IT
capacity, and every ``*_kw_per_kw_heat`` is electric power per unit of heat that the
cooling plant removes from the white space.

Facility power per unit of design IT capacity (Rasmussen's fixed + proportional loss
structure, with cooling proportional to the heat to remove)::

    heat     = L (1 + d_prop) + d_fixed + misc_fixed
    facility = heat (1 + c(t))
    PUE      = facility / L

with ``c(t) = fan_pump_fraction + m(t) / COP(t)`` the cooling electricity per unit heat,
``m(t)`` the fraction of the heat that needs mechanical (compressor) cooling after the
economizer, and the chiller COP a fixed fraction of the Carnot COP at the temperatures
of the time step. Dry-cooler plants (:func:`dry_plant` and those of
:mod:`siting.physics.plants`) add their fan power by the fan law of
:mod:`siting.physics.drycooler`.

References
----------
.. [1] Rasmussen, N. (2011). Electrical Efficiency Modeling for Data Centers. Schneider
   Electric White Paper 113, rev. 2 (fixed/no-load + proportional loss model).
.. [2] Lei, N., Masanet, E. (2022). Resour. Conserv. Recycl. 182, 106323 (economizer
   hours, tower approach/range, chiller plant structure).
.. [3] ASHRAE (2019). Standard 90.1-2019, Table 6.8.1-3 (minimum chiller efficiencies
   at AHRI 550/590 rating conditions), used to calibrate the Carnot fractions.
.. [4] AHRI (2020). Standard 550/590: rating conditions 6.7 C (44 F) leaving chilled
   water; 29.4 C (85 F) entering condenser water at 3 gpm/ton; 35 C (95 F) ambient
   for air-cooled chillers.
"""

from __future__ import annotations

import numpy as np

from siting.physics.drycooler import RATED_FAN_KW_PER_KW, dry_cooler_fan_kw_per_kw_heat
from siting.physics.psychrometrics import KELVIN

__all__ = [
    "adiabatic_plant",
    "carnot_fraction_from_rating",
    "chiller_kw_per_kw_cooling",
    "dry_plant",
    "evaporative_plant",
    "facility_power_per_design_kw",
    "heat_to_reject_per_design_kw",
    "pue",
]


def chiller_kw_per_kw_cooling(evaporator_c, condenser_c, carnot_fraction):
    """Compressor electricity per unit of cooling, ``1 / COP`` [kW/kW].

    ``COP = eta * T_evap / (T_cond - T_evap)`` (temperatures in K), so
    ``1/COP = max(T_cond - T_evap, 0) / (eta * T_evap)``; zero when no lift is needed.

    Parameters
    ----------
    evaporator_c : array_like
        Leaving chilled-water (or supply-air / supply-fluid) temperature [C].
    condenser_c : array_like
        Heat-rejection temperature [C]: leaving condenser water for water-cooled
        chillers, ambient dry-bulb for air-cooled ones.
    carnot_fraction : array_like
        Fraction of the Carnot COP achieved [-]. 0.63 reproduces the ASHRAE 90.1-2019
        minimum for water-cooled centrifugal chillers >= 300 tons (0.560 kW/ton,
        COP 6.28) at AHRI rating conditions (6.7 C leaving chilled water, about 34.6 C
        leaving condenser water); see :func:`carnot_fraction_from_rating`.

    Returns
    -------
    numpy.ndarray
        kW of compressor power per kW of cooling.

    References
    ----------
    .. [1] ASHRAE (2019). Standard 90.1-2019, Table 6.8.1-3.
    .. [2] AHRI (2020). Standard 550/590 (I-P), standard rating conditions.
    """
    te = np.asarray(evaporator_c, dtype=float)
    lift = np.maximum(np.asarray(condenser_c, dtype=float) - te, 0.0)
    return lift / (np.asarray(carnot_fraction, dtype=float) * (te + KELVIN))


def carnot_fraction_from_rating(cop, evaporator_c, condenser_c):
    """Carnot fraction [-] that reproduces a rated COP at rating temperatures.

    ``eta = COP * (T_cond - T_evap) / T_evap`` (temperatures in K), the inverse of
    :func:`chiller_kw_per_kw_cooling`.

    Parameters
    ----------
    cop : array_like
        Rated coefficient of performance [-] (kW cooling per kW electric).
    evaporator_c, condenser_c : array_like
        Evaporator-side and condenser-side reference temperatures at the rating
        point [C], defined as in :func:`chiller_kw_per_kw_cooling`.

    References
    ----------
    .. [1] AHRI (2020). Standard 550/590, standard rating conditions.
    """
    te = np.asarray(evaporator_c, dtype=float) + KELVIN
    tc = np.asarray(condenser_c, dtype=float) + KELVIN
    return np.asarray(cop, dtype=float) * (tc - te) / te


def evaporative_plant(
    wet_bulb_c,
    *,
    chw_supply_c,
    chw_return_c,
    approach_c,
    range_c,
    hx_approach_c,
    carnot_fraction,
    fan_pump_fraction,
    economizer=True,
):
    """Chilled-water plant with cooling towers and an integrated water-side economizer.

    Tower cold water ``T_ct = T_wb + approach``. With the economizer, a plate heat
    exchanger pre-cools the chilled-water return, so the share of heat left to the
    chillers is ``m = clip((T_ct + hx_approach - T_chws) / (T_chwr - T_chws), 0, 1)``;
    without it ``m = 1``. Chillers lift from ``T_chws`` to the leaving condenser water
    ``T_ct + range``.

    Parameters
    ----------
    wet_bulb_c : array_like
        Ambient wet-bulb [C].
    chw_supply_c, chw_return_c : float
        Chilled-water supply and return temperatures [C].
    approach_c, range_c : float
        Tower approach and range [K] (2.8-6.7 K and 4-6 K, Lei & Masanet 2022).
    hx_approach_c : float
        Economizer plate heat-exchanger approach [K].
    carnot_fraction : float
        Chiller Carnot fraction [-] (see :func:`chiller_kw_per_kw_cooling`).
    fan_pump_fraction : float
        Fans and pumps (tower fans, CW/CHW pumps, air handlers) per unit heat [kW/kW].
    economizer : bool
        Whether a water-side economizer is installed.

    Returns
    -------
    dict of numpy.ndarray
        ``mechanical_fraction`` m [-], ``chiller_kw_per_kw_heat``,
        ``cooling_kw_per_kw_heat`` (fans/pumps + chillers), and
        ``heat_rejected_per_kw_heat`` (1 + chiller work: what the towers reject).

    References
    ----------
    .. [1] Lei & Masanet (2022), Resour. Conserv. Recycl. 182, 106323.
    """
    twb = np.asarray(wet_bulb_c, dtype=float)
    t_ct = twb + approach_c
    if economizer:
        m = np.clip((t_ct + hx_approach_c - chw_supply_c) / (chw_return_c - chw_supply_c), 0.0, 1.0)
    else:
        m = np.where(np.isnan(twb), np.nan, 1.0)
    chiller = m * chiller_kw_per_kw_cooling(chw_supply_c, t_ct + range_c, carnot_fraction)
    return {
        "mechanical_fraction": m,
        "chiller_kw_per_kw_heat": chiller,
        "cooling_kw_per_kw_heat": fan_pump_fraction + chiller,
        "heat_rejected_per_kw_heat": 1.0 + chiller,
    }


def adiabatic_plant(
    dry_bulb_c,
    wet_bulb_c,
    pressure_pa=101_325.0,
    *,
    supply_air_c,
    effectiveness,
    air_delta_t_c,
    carnot_fraction_air,
    fan_pump_fraction,
    condenser_approach_c=0.0,
    max_dew_point_c=15.0,
    max_rh_pct=60.0,
    min_dew_point_c=-9.0,
):
    """Direct air-side economizer with evaporative assist and DX trim, inside the
    ASHRAE supply-air humidity envelope.

    The same plant as :func:`siting.physics.plants.air_economizer_plant` (called, not
    copied): outside air cools the IT when ``T_db <= T_supply``; above, a direct
    evaporative pad cools it towards ``T_db - eps (T_db - T_wb)`` (no further than the
    moisture the envelope admits), the residual ``m`` goes to air-cooled compressors
    between ``T_supply`` and ``T_db + condenser_approach``. Outside air more humid than
    the envelope (dew point > ``max_dew_point_c`` or RH > ``max_rh_pct`` at the supply
    temperature) is refused: recirculation with compressors cooling all heat, so a
    tropical site gets no free cooling. Dry winter air is humidified to
    ``min_dew_point_c`` on the outside-air share.

    Returns
    -------
    dict of numpy.ndarray
        ``mechanical_fraction``, ``chiller_kw_per_kw_heat``, ``cooling_kw_per_kw_heat``,
        ``water_l_per_kwh_heat`` (per kWh of IT-hall heat), ``humid``.

    References
    ----------
    .. [1] ASHRAE (2020). Handbook -- HVAC Systems and Equipment, ch. 41.
    .. [2] ASHRAE TC 9.9 (2021). Thermal Guidelines for Data Processing Environments:
       recommended dew point -9 to 15 C, RH <= 60 %.
    """
    from siting.physics.plants import air_economizer_plant  # plants imports this module

    return air_economizer_plant(
        dry_bulb_c,
        wet_bulb_c,
        pressure_pa,
        supply_air_c=supply_air_c,
        air_delta_t_c=air_delta_t_c,
        effectiveness=effectiveness,
        carnot_fraction_air=carnot_fraction_air,
        fan_pump_fraction=fan_pump_fraction,
        condenser_approach_c=condenser_approach_c,
        max_dew_point_c=max_dew_point_c,
        max_rh_pct=max_rh_pct,
        min_dew_point_c=min_dew_point_c,
    )


def dry_plant(
    dry_bulb_c,
    *,
    supply_c,
    return_c,
    dry_approach_c,
    carnot_fraction_air,
    fan_pump_fraction,
    dry_cooler_fan_kw_per_kw=RATED_FAN_KW_PER_KW,
):
    """Closed loop with dry coolers (free cooling) and air-cooled chiller trim.

    Dry-cooler leaving fluid ``T_f = T_db + approach`` at maximum airflow; share needing
    compressors ``m = clip((T_f - T_supply) / (T_return - T_supply), 0, 1)``, compressor
    lift from ``T_supply`` to the air-cooled condenser at ``T_db + approach`` (same coil
    approach). Dry-cooler fans follow the fan law
    (:func:`siting.physics.drycooler.dry_cooler_fan_kw_per_kw_heat`, design ITD
    ``T_return - T_supply + approach``), on top of the fixed ``fan_pump_fraction``
    (pumps, in-hall air movers). No on-site water.

    Returns
    -------
    dict of numpy.ndarray
        ``mechanical_fraction``, ``chiller_kw_per_kw_heat``, ``cooling_kw_per_kw_heat``,
        ``fan_kw_per_kw_heat`` (dry-cooler fans alone).

    References
    ----------
    .. [1] ASHRAE TC 9.9 (2021). Liquid Cooling Guidelines for Datacom Equipment Centers
       (facility water classes W17-W45).
    .. [2] ASHRAE (2019). Standard 90.1-2019, Table 6.8.1-3.
    """
    tdb = np.asarray(dry_bulb_c, dtype=float)
    m = np.clip((tdb + dry_approach_c - supply_c) / (return_c - supply_c), 0.0, 1.0)
    chiller = m * chiller_kw_per_kw_cooling(supply_c, tdb + dry_approach_c, carnot_fraction_air)
    fan = dry_cooler_fan_kw_per_kw_heat(
        return_c,
        tdb,
        return_c - supply_c + dry_approach_c,
        rated_fan_kw_per_kw=dry_cooler_fan_kw_per_kw,
    )
    return {
        "mechanical_fraction": m,
        "chiller_kw_per_kw_heat": chiller,
        "cooling_kw_per_kw_heat": fan_pump_fraction + fan + chiller,
        "fan_kw_per_kw_heat": fan,
    }


def heat_to_reject_per_design_kw(
    load_fraction, dist_loss_proportional, dist_loss_fixed, misc_fixed
):
    """Heat released in the facility per kW of design IT capacity [kW/kW].

    ``heat = L (1 + d_prop) + d_fixed + misc_fixed``: IT power, distribution losses
    (UPS, transformers, PDUs: a no-load part fixed with the design capacity plus a part
    proportional to load) and fixed miscellaneous loads (lighting, controls), all of
    which end as heat to remove.

    References
    ----------
    .. [1] Rasmussen (2011), Schneider Electric White Paper 113.
    """
    return (
        np.asarray(load_fraction, dtype=float) * (1.0 + dist_loss_proportional)
        + dist_loss_fixed
        + misc_fixed
    )


def facility_power_per_design_kw(
    load_fraction, cooling_kw_per_kw_heat, dist_loss_proportional, dist_loss_fixed, misc_fixed
):
    """Total facility power per kW of design IT capacity [kW/kW].

    ``facility = heat (1 + c)`` with ``heat`` from :func:`heat_to_reject_per_design_kw`.

    References
    ----------
    .. [1] Rasmussen (2011), Schneider Electric White Paper 113.
    """
    heat = heat_to_reject_per_design_kw(
        load_fraction, dist_loss_proportional, dist_loss_fixed, misc_fixed
    )
    return heat * (1.0 + np.asarray(cooling_kw_per_kw_heat, dtype=float))


def pue(load_fraction, cooling_kw_per_kw_heat, dist_loss_proportional, dist_loss_fixed, misc_fixed):
    """Power usage effectiveness [-] = facility power / IT power (>= 1).

    NaN where the IT load is zero.

    References
    ----------
    .. [1] The Green Grid (2012). PUE: A Comprehensive Examination of the Metric, WP 49.
    """
    load = np.asarray(load_fraction, dtype=float)
    fac = facility_power_per_design_kw(
        load, cooling_kw_per_kw_heat, dist_loss_proportional, dist_loss_fixed, misc_fixed
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(load > 0, fac / load, np.nan)
