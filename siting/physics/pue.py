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
economizer, and the chiller COP a fixed fraction of the Carnot COP between the
refrigerant evaporating and condensing temperatures of the time step: the fluid
temperatures plus the evaporator approach and the condenser approach (water-cooled) or
ITD (air-cooled), so a small fluid lift still costs a finite COP. Dry-cooler plants
(:func:`dry_plant` and those of :mod:`siting.physics.plants`) add their fan power by
the fan law of :mod:`siting.physics.drycooler`.

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
.. [5] Wetter, M., Zuo, W., Nouidui, T. S., Pang, X. (2014). Modelica Buildings
   library. J. Building Performance Simulation 7(4), 253-270; model
   ``Buildings.Fluid.Chillers.BaseClasses.Carnot`` (lbl-srg/modelica-buildings):
   Carnot COP between refrigerant temperatures, default approach between refrigerant
   and leaving fluid 2 K for liquids, 5 K for air (``TAppEva_nominal``,
   ``TAppCon_nominal``).
.. [6] Trane (2024). "Expected approach temperatures", technical support article
   DOC-84842 (water-cooled RTHD/RTWD chillers): 1-2 F (0.6-1.1 K) evaporator and
   condenser approach with clean tubes, tube cleaning advised above 5 F (2.8 K).
.. [7] ASHRAE (2019). Standard 90.1-2019, Table 6.8.1-7: air-cooled condensers rated
   at 125 F (51.7 C) condensing with 95 F (35 C) entering air, ITD 30 F = 16.7 K
   (cf. condensing temperature difference 20-30 F for 45 F evaporating, Wang, S. K.
   (2001), Handbook of Air Conditioning and Refrigeration, 2nd ed., McGraw-Hill).
"""

from __future__ import annotations

import numpy as np

from siting.physics.drycooler import RATED_FAN_KW_PER_KW, dry_cooler_fan_kw_per_kw_heat
from siting.physics.psychrometrics import KELVIN

__all__ = [
    "CONDENSER_APPROACH_WATER_K",
    "CONDENSER_ITD_AIR_K",
    "EVAPORATOR_APPROACH_AIR_K",
    "EVAPORATOR_APPROACH_LIQUID_K",
    "adiabatic_plant",
    "carnot_fraction_from_rating",
    "chiller_kw_per_kw_cooling",
    "dry_plant",
    "evaporative_plant",
    "facility_power_per_design_kw",
    "heat_to_reject_per_design_kw",
    "pue",
]


#: evaporator approach: refrigerant evaporating below the leaving liquid (chilled water,
#: loop fluid) [K]; 2 K default of [5], inside 0.6-2.8 K of [6]
EVAPORATOR_APPROACH_LIQUID_K = 2.0
#: evaporator approach of a DX air coil: refrigerant below the leaving air [K] [5]
EVAPORATOR_APPROACH_AIR_K = 5.0
#: water-cooled condenser approach: condensing above the leaving condenser water [K];
#: 2 K default of [5], inside 0.6-2.8 K of [6]
CONDENSER_APPROACH_WATER_K = 2.0
#: air-cooled condenser ITD: condensing above the entering air, 125 F at 95 F [K] [7]
CONDENSER_ITD_AIR_K = (125.0 - 95.0) * 5.0 / 9.0


def chiller_kw_per_kw_cooling(
    evaporator_c, condenser_c, carnot_fraction, *, evaporator_approach_c, condenser_approach_c
):
    """Compressor electricity per unit of cooling, ``1 / COP`` [kW/kW].

    The refrigerant evaporates at ``T_e = T_evap - a_e`` and condenses at
    ``T_c = T_cond + a_c``; ``COP = eta * T_e / (T_c - T_e)`` (K), so
    ``1/COP = max(T_c - T_e, 0) / (eta * T_e)``. With the approaches a zero fluid lift
    still needs the refrigerant lift ``a_e + a_c`` (callers multiply by the share of
    heat the compressors carry, zero when free cooling suffices). The approaches are
    those at the chillers' rated load: a plant stages its units, so running units work
    near full load.

    Parameters
    ----------
    evaporator_c : array_like
        Leaving chilled-water (or supply-air / supply-fluid) temperature [C].
    condenser_c : array_like
        Heat-sink temperature [C]: leaving condenser water for water-cooled chillers,
        air entering the condenser coil for air-cooled ones.
    carnot_fraction : array_like
        Fraction of the Carnot COP between refrigerant temperatures [-]; see
        :func:`carnot_fraction_from_rating` (ASHRAE 90.1-2019 minimum at AHRI 550/590
        rating conditions with the same approaches).
    evaporator_approach_c : array_like
        Leaving fluid minus evaporating temperature [K] (``EVAPORATOR_APPROACH_*_K``).
    condenser_approach_c : array_like
        Condensing temperature minus ``condenser_c`` [K]: approach to leaving condenser
        water (``CONDENSER_APPROACH_WATER_K``) or ITD to entering air
        (``CONDENSER_ITD_AIR_K``).

    Returns
    -------
    numpy.ndarray
        kW of compressor power per kW of cooling.

    References
    ----------
    .. [1] ASHRAE (2019). Standard 90.1-2019, Tables 6.8.1-3 and 6.8.1-7.
    .. [2] AHRI (2020). Standard 550/590 (I-P), standard rating conditions.
    .. [3] Wetter et al. (2014), Modelica Buildings library, ``Chillers.BaseClasses.Carnot``.
    """
    te = np.asarray(evaporator_c, dtype=float) - np.asarray(evaporator_approach_c, float)
    tc = np.asarray(condenser_c, dtype=float) + np.asarray(condenser_approach_c, float)
    lift = np.maximum(tc - te, 0.0)
    return lift / (np.asarray(carnot_fraction, dtype=float) * (te + KELVIN))


def carnot_fraction_from_rating(
    cop, evaporator_c, condenser_c, *, evaporator_approach_c, condenser_approach_c
):
    """Carnot fraction [-] that reproduces a rated COP at rating temperatures.

    ``eta = COP * (T_c - T_e) / T_e`` with the refrigerant temperatures
    ``T_e = T_evap - a_e``, ``T_c = T_cond + a_c`` (K): the inverse of
    :func:`chiller_kw_per_kw_cooling` with the same approaches.

    Parameters
    ----------
    cop : array_like
        Rated coefficient of performance [-] (kW cooling per kW electric).
    evaporator_c, condenser_c : array_like
        Evaporator-side and condenser-side fluid temperatures at the rating point [C],
        defined as in :func:`chiller_kw_per_kw_cooling`.
    evaporator_approach_c, condenser_approach_c : array_like
        Refrigerant-side approaches [K], as in :func:`chiller_kw_per_kw_cooling`.

    References
    ----------
    .. [1] AHRI (2020). Standard 550/590, standard rating conditions.
    .. [2] Wetter et al. (2014), Modelica Buildings library, ``Chillers.BaseClasses.Carnot``
       (``etaCarnot_nominal`` from ``COP_nominal`` with the approaches).
    """
    te = np.asarray(evaporator_c, dtype=float) - np.asarray(evaporator_approach_c, float)
    tc = np.asarray(condenser_c, dtype=float) + np.asarray(condenser_approach_c, float)
    return np.asarray(cop, dtype=float) * (tc - te) / (te + KELVIN)


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
    chiller_evaporator_approach_c=EVAPORATOR_APPROACH_LIQUID_K,
    chiller_condenser_approach_c=CONDENSER_APPROACH_WATER_K,
):
    """Chilled-water plant with cooling towers and an integrated water-side economizer.

    Tower cold water ``T_ct = T_wb + approach``. With the economizer, a plate heat
    exchanger pre-cools the chilled-water return, so the share of heat left to the
    chillers is ``m = clip((T_ct + hx_approach - T_chws) / (T_chwr - T_chws), 0, 1)``;
    without it ``m = 1``. Chillers lift from ``T_chws`` to the leaving condenser water
    ``T_ct + range``, plus their refrigerant-side approaches.

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
    chiller_evaporator_approach_c, chiller_condenser_approach_c : float
        Chiller refrigerant approaches to leaving chilled and condenser water [K]
        (:func:`chiller_kw_per_kw_cooling`).

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
    chiller = m * chiller_kw_per_kw_cooling(
        chw_supply_c,
        t_ct + range_c,
        carnot_fraction,
        evaporator_approach_c=chiller_evaporator_approach_c,
        condenser_approach_c=chiller_condenser_approach_c,
    )
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
    condenser_approach_c=CONDENSER_ITD_AIR_K,
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
    between ``T_supply`` and ``T_db`` (plus the DX evaporator approach and the condenser
    ITD ``condenser_approach_c``). Outside air more humid than
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
    chiller_evaporator_approach_c=EVAPORATOR_APPROACH_LIQUID_K,
    chiller_condenser_itd_c=CONDENSER_ITD_AIR_K,
):
    """Closed loop with dry coolers (free cooling) and air-cooled chiller trim.

    Dry-cooler leaving fluid ``T_f = T_db + approach`` at maximum airflow; share needing
    compressors ``m = clip((T_f - T_supply) / (T_return - T_supply), 0, 1)``, compressor
    lift from ``T_supply`` to air-cooled condensers on the ambient ``T_db`` (refrigerant
    at ``T_supply - chiller_evaporator_approach`` and ``T_db + chiller_condenser_itd``;
    the dry-cooler approach is a fluid temperature and does not enter). Dry-cooler fans
    follow the fan law (:func:`siting.physics.drycooler.dry_cooler_fan_kw_per_kw_heat`, design ITD
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
    chiller = m * chiller_kw_per_kw_cooling(
        supply_c,
        tdb,
        carnot_fraction_air,
        evaporator_approach_c=chiller_evaporator_approach_c,
        condenser_approach_c=chiller_condenser_itd_c,
    )
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
