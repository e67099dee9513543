"""Cooling plants of AI campuses: economizers, towers, hybrid dry coolers, direct-to-chip.

Every plant is a plain vectorized function over arrays of time steps x sites and returns
the dict of today's plants (:mod:`siting.physics.pue`):

* ``mechanical_fraction`` [-]: share of the heat left to compressors,
* ``chiller_kw_per_kw_heat`` [kW/kW heat]: compressor power,
* ``cooling_kw_per_kw_heat`` [kW/kW heat]: ``c`` = fans/pumps + compressors,
* ``water_l_per_kwh_heat`` [L per kWh of IT-hall heat]: on-site water, already including
  the compressor heat the towers reject (no further factor needed).

Per design kW, facility power is ``heat x (1 + c)`` and on-site water ``heat x water``
(:func:`siting.physics.pue.facility_power_per_design_kw`).

Air-side designs keep the supply air inside the ASHRAE TC 9.9 humidity envelope [1]:
recommended dew point -9..15 C and RH <= 60 %. Outside air more humid than that is not
admitted: the hall recirculates and compressors cool and dehumidify (coil at the 15 C
dew-point limit), so a tropical site gets no free cooling. Evaporative assist is limited
to the moisture the envelope still admits; dry winter air is humidified up to the lower
dew-point limit on the outside-air share.

References
----------
.. [1] ASHRAE TC 9.9 (2021). Thermal Guidelines for Data Processing Environments, 5th ed.:
   recommended envelope 18-27 C dry-bulb, dew point -9 to 15 C, RH <= 60 %; class A1
   allowable 15-32 C, dew point >= -12 C and RH >= 8 %, dew point <= 17 C, RH <= 80 %.
.. [2] ASHRAE TC 9.9 (2021). Liquid Cooling Guidelines for Datacom Equipment Centers /
   Emergence and Expansion of Liquid Cooling in Mainstream Data Centers, white paper:
   facility-water classes W17, W27, W32, W40, W45 (maximum facility supply 17, 27, 32,
   40 and 45 C) and W+ (> 45 C).
.. [3] ASHRAE (2020). Handbook -- HVAC Systems and Equipment, ch. 41 (direct evaporative
   coolers, saturation effectiveness 0.70-0.95) and ch. 40 (dry coolers, adiabatic
   pre-cooling).
.. [4] Lei, N., Masanet, E. (2022). Resour. Conserv. Recycl. 182, 106323.
.. [6] ASHRAE (2019). Standard 90.1-2019, Table 6.8.1-7 (air-cooled heat rejection fan
   power), used by the dry-cooler fan law (:mod:`siting.physics.drycooler`).
"""

from __future__ import annotations

import numpy as np

from siting.physics.cooling import CP_AIR_KJ_PER_KG_K, KJ_PER_KWH, latent_heat_vaporization
from siting.physics.drycooler import RATED_FAN_KW_PER_KW, dry_cooler_fan_kw_per_kw_heat
from siting.physics.psychrometrics import (
    humidity_ratio_from_vapor_pressure,
    humidity_ratio_from_wet_bulb,
    saturation_vapor_pressure,
)
from siting.physics.pue import (
    CONDENSER_ITD_AIR_K,
    EVAPORATOR_APPROACH_AIR_K,
    EVAPORATOR_APPROACH_LIQUID_K,
    chiller_kw_per_kw_cooling,
    evaporative_plant,
)
from siting.physics.tower import (
    CP_VAPOR_KJ_PER_KG_K,
    tower_evaporation_l_per_kwh_heat,
    tower_makeup_l_per_kwh_heat,
)

__all__ = [
    "LIQUID_CLASS_SUPPLY_C",
    "air_economizer_plant",
    "annual_pue_wue",
    "direct_to_chip_plant",
    "hybrid_dry_cooler_plant",
    "supply_air_humidity_limits",
    "tower_economizer_plant",
]

STD_PRESSURE_PA = 101_325.0  # Pa (ASHRAE 2017 Fundamentals ch.1 Table 1)
#: maximum facility-water supply temperature per ASHRAE liquid-cooling class [C] [2]
LIQUID_CLASS_SUPPLY_C = {"W17": 17.0, "W27": 27.0, "W32": 32.0, "W40": 40.0, "W45": 45.0}
#: assumption: share of rack heat captured by cold plates in GB200 NVL72-class racks; the
#: vendor reference designs for these racks describe roughly 85 % liquid / 15 % air
#: (Vertiv, "NVIDIA GB200 NVL72 reference architecture", 2024) -- verify per fleet
DEFAULT_LIQUID_FRACTION = 0.85


def supply_air_humidity_limits(
    supply_air_c,
    pressure_pa=STD_PRESSURE_PA,
    *,
    max_dew_point_c=15.0,
    max_rh_pct=60.0,
    min_dew_point_c=-9.0,
    min_rh_pct=0.0,
):
    """Humidity-ratio band [kg/kg] of supply air inside the ASHRAE envelope.

    ``W_max = min(W(dew = max_dew_point), W(RH = max_rh at T_supply))`` and
    ``W_min = max(W(dew = min_dew_point), W(RH = min_rh at T_supply))`` (defaults:
    recommended envelope [1], which has no RH floor; class A1 allowable: dew point
    -12..17 C, RH 8..80 %).

    Returns
    -------
    tuple of numpy.ndarray
        ``(w_min, w_max)`` [kg water / kg dry air].

    References
    ----------
    .. [1] ASHRAE TC 9.9 (2021). Thermal Guidelines for Data Processing Environments.
    """
    p = np.asarray(pressure_pa, dtype=float)
    w_dew = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure(max_dew_point_c), p)
    p_rh = max_rh_pct / 100.0 * saturation_vapor_pressure(np.asarray(supply_air_c, float))
    w_max = np.minimum(w_dew, humidity_ratio_from_vapor_pressure(p_rh, p))
    w_min = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure(min_dew_point_c), p)
    p_rh_min = min_rh_pct / 100.0 * saturation_vapor_pressure(np.asarray(supply_air_c, float))
    w_min = np.maximum(w_min, humidity_ratio_from_vapor_pressure(p_rh_min, p))
    return np.broadcast_to(w_min, np.shape(w_max)), w_max


def air_economizer_plant(
    dry_bulb_c,
    wet_bulb_c,
    pressure_pa=STD_PRESSURE_PA,
    *,
    supply_air_c=27.0,
    air_delta_t_c=12.0,
    effectiveness=0.85,
    carnot_fraction_air,
    fan_pump_fraction,
    condenser_approach_c=CONDENSER_ITD_AIR_K,
    max_dew_point_c=15.0,
    max_rh_pct=60.0,
    min_dew_point_c=-9.0,
    min_rh_pct=0.0,
    pad_cycles_of_concentration=None,
    chiller_evaporator_approach_c=EVAPORATOR_APPROACH_AIR_K,
):
    """Direct air-side economizer with evaporative assist, humidity limits and DX trim.

    Per time step, with ``W`` the outside humidity ratio and ``(W_min, W_max)`` from
    :func:`supply_air_humidity_limits`:

    * ``W > W_max`` (too humid): no outside air; recirculation with compressors cooling
      all heat, evaporator at ``min(T_supply, max_dew_point)``; no water.
    * otherwise outside air is used. Above ``T_supply`` a pad cools it to
      ``T_r = max(T_s, T_db - eps (T_db - T_wb), T_db - (W_max - W) h_fg / c_p)``
      (the last term: no more moisture than the envelope admits); water
      ``m_a c_p (T_db - T_r) / h_fg`` with ``m_a = 3600 / (c_p dT)`` kg air per kWh; the
      rest ``m = clip((T_r - T_s) / dT, 0, 1)`` goes to air-cooled DX (lift from
      ``T_s`` to ``T_db + condenser_approach``).
    * below ``T_s`` outside air is mixed with return air (share
      ``f = (T_s + dT - T_s) / (T_s + dT - T_db)``) and humidified to ``W_min`` when
      drier: water ``f m_a (W_min - W)``.
    * the wetted media are fed more than they evaporate: the bleed-off that limits the
      dissolved solids ``E / (S - 1)`` at ``S`` cycles of concentration [4][5], so the
      water drawn is ``E S / (S - 1)`` (``S = None``: evaporation only).

    Parameters
    ----------
    dry_bulb_c, wet_bulb_c : array_like
        Outside air [C].
    pressure_pa : array_like
        Station pressure [Pa].
    supply_air_c : float
        Supply set-point [C] (recommended 18-27 C [1]).
    air_delta_t_c : float
        Air rise across the IT [K] (assumption, as in the existing plants).
    effectiveness : float
        Pad saturation effectiveness [-] (0.70-0.95 [3]).
    carnot_fraction_air, fan_pump_fraction : float
        Air-cooled DX Carnot fraction [-] and fans per unit heat [kW/kW].
    condenser_approach_c : float
        Air-cooled condenser ITD: condensing temperature above ambient [K] (16.7 K,
        ASHRAE 90.1-2019 Table 6.8.1-7 rating).
    chiller_evaporator_approach_c : float
        DX coil evaporator approach: refrigerant below the leaving air [K]
        (:func:`siting.physics.pue.chiller_kw_per_kw_cooling`).
    max_dew_point_c, max_rh_pct, min_dew_point_c, min_rh_pct : float
        Envelope limits (default ASHRAE recommended [1]; A1 allowable: 17, 80, -12, 8).
    pad_cycles_of_concentration : float or None
        Cycles of concentration ``S`` of the pad / humidifier water [-] (Lei & Masanet
        sample 3-15 for this technology [4]); ``None``: no bleed-off counted.

    Returns
    -------
    dict of numpy.ndarray
        ``mechanical_fraction``, ``chiller_kw_per_kw_heat``, ``cooling_kw_per_kw_heat``,
        ``water_l_per_kwh_heat``, ``humid`` (bool: outside air refused).

    References
    ----------
    .. [1] ASHRAE TC 9.9 (2021). Thermal Guidelines for Data Processing Environments.
    .. [3] ASHRAE (2020). Handbook -- HVAC Systems and Equipment, ch. 41.
    .. [4] Lei, N., Masanet, E. (2022). Resour. Conserv. Recycl. 182, 106323; calculator
       github.com/nuoaleon/UEcalculator_dash_app, case 1 inputs: cycles 3-15.
    .. [5] Same mass balance as the tower make-up,
       :func:`siting.physics.tower.tower_makeup_l_per_kwh_heat` (without drift).
    """
    tdb = np.asarray(dry_bulb_c, dtype=float)
    twb = np.asarray(wet_bulb_c, dtype=float)
    w = humidity_ratio_from_wet_bulb(tdb, twb, pressure_pa)
    w_min, w_max = supply_air_humidity_limits(
        supply_air_c,
        pressure_pa,
        max_dew_point_c=max_dew_point_c,
        max_rh_pct=max_rh_pct,
        min_dew_point_c=min_dew_point_c,
        min_rh_pct=min_rh_pct,
    )
    humid = w > w_max
    h_fg = latent_heat_vaporization(twb)
    cp_moist = CP_AIR_KJ_PER_KG_K + CP_VAPOR_KJ_PER_KG_K * w
    air_kg = KJ_PER_KWH / (CP_AIR_KJ_PER_KG_K * air_delta_t_c)
    t_pad = tdb - effectiveness * (tdb - twb)
    t_moist = tdb - np.maximum(w_max - w, 0.0) * h_fg / cp_moist
    t_reached = np.minimum(tdb, np.maximum(np.maximum(t_pad, supply_air_c), t_moist))
    evap = air_kg * cp_moist * (tdb - t_reached) / h_fg
    t_ret = supply_air_c + air_delta_t_c
    with np.errstate(divide="ignore", invalid="ignore"):
        f_oa = np.where(tdb < supply_air_c, np.clip(air_delta_t_c / (t_ret - tdb), 0, 1), 1.0)
    humidify = f_oa * air_kg * np.maximum(w_min - w, 0.0)
    m_econ = np.clip((t_reached - supply_air_c) / air_delta_t_c, 0.0, 1.0)
    dx = dict(
        evaporator_approach_c=chiller_evaporator_approach_c,
        condenser_approach_c=condenser_approach_c,
    )
    chill_econ = m_econ * chiller_kw_per_kw_cooling(supply_air_c, tdb, carnot_fraction_air, **dx)
    t_coil = min(supply_air_c, max_dew_point_c)
    chill_humid = chiller_kw_per_kw_cooling(t_coil, tdb, carnot_fraction_air, **dx)
    m = np.where(humid, 1.0, m_econ)
    chiller = np.where(humid, chill_humid, chill_econ)
    s_coc = pad_cycles_of_concentration
    bleed = 1.0 if s_coc is None else s_coc / (s_coc - 1.0)
    water = np.where(humid, 0.0, (evap + humidify) * bleed)
    nan = np.isnan(tdb) | np.isnan(twb)
    m, chiller, water = (np.where(nan, np.nan, a) for a in (m, chiller, water))
    return {
        "mechanical_fraction": m,
        "chiller_kw_per_kw_heat": chiller,
        "cooling_kw_per_kw_heat": fan_pump_fraction + chiller,
        "water_l_per_kwh_heat": water,
        "humid": humid,
    }


def tower_economizer_plant(
    dry_bulb_c,
    wet_bulb_c,
    pressure_pa=STD_PRESSURE_PA,
    *,
    chw_supply_c=17.0,
    chw_return_c=23.0,
    approach_c=4.0,
    range_c=5.0,
    hx_approach_c=1.5,
    carnot_fraction,
    fan_pump_fraction,
    l_over_g=1.2,
    cycles_of_concentration=6.0,
    drift_fraction=5e-5,
):
    """Chilled water from towers with a water-side economizer; Merkel tower evaporation.

    Electricity as :func:`siting.physics.pue.evaporative_plant` (reused). The towers reject
    ``1 + chiller`` per unit of hall heat, with cold water ``T_wb + approach`` and hot
    water ``+ range``; evaporation per kWh rejected from
    :func:`siting.physics.tower.tower_evaporation_l_per_kwh_heat` (inlet air state from
    dry-bulb, wet-bulb and pressure), makeup adds drift and blowdown.

    Returns
    -------
    dict of numpy.ndarray
        Plant keys plus ``latent_share`` [-] of the tower.

    References
    ----------
    .. [4] Lei & Masanet (2022), Resour. Conserv. Recycl. 182, 106323.
    .. [5] Kloppers & Kroger (2005), Int. J. Heat Mass Transfer 48, 765-777.
    """
    tdb = np.asarray(dry_bulb_c, dtype=float)
    twb = np.asarray(wet_bulb_c, dtype=float)
    plant = evaporative_plant(
        twb,
        chw_supply_c=chw_supply_c,
        chw_return_c=chw_return_c,
        approach_c=approach_c,
        range_c=range_c,
        hx_approach_c=hx_approach_c,
        carnot_fraction=carnot_fraction,
        fan_pump_fraction=fan_pump_fraction,
        economizer=True,
    )
    w = humidity_ratio_from_wet_bulb(tdb, twb, pressure_pa)
    t_cold = twb + approach_c
    terms = tower_evaporation_l_per_kwh_heat(
        tdb, w, pressure_pa, t_cold + range_c, t_cold, l_over_g, return_terms=True
    )
    makeup = tower_makeup_l_per_kwh_heat(
        terms["evaporation"], range_c, cycles_of_concentration, drift_fraction
    )
    return {
        "mechanical_fraction": plant["mechanical_fraction"],
        "chiller_kw_per_kw_heat": plant["chiller_kw_per_kw_heat"],
        "cooling_kw_per_kw_heat": plant["cooling_kw_per_kw_heat"],
        "water_l_per_kwh_heat": makeup * plant["heat_rejected_per_kw_heat"],
        "latent_share": terms["latent_share"],
    }


def hybrid_dry_cooler_plant(
    dry_bulb_c,
    wet_bulb_c,
    *,
    supply_c,
    return_c,
    dry_approach_c=6.0,
    effectiveness=0.85,
    coil_air_rise_c=10.0,
    carnot_fraction_air,
    fan_pump_fraction,
    dry_cooler_fan_kw_per_kw=RATED_FAN_KW_PER_KW,
    chiller_evaporator_approach_c=EVAPORATOR_APPROACH_LIQUID_K,
    chiller_condenser_itd_c=CONDENSER_ITD_AIR_K,
):
    """Closed fluid loop on dry coolers with adiabatic pre-cooling and chiller trim.

    Dry coolers deliver ``T_db + approach``. When that exceeds ``T_supply`` the pads wet
    the coil inlet air, cooling it to
    ``T_a = max(T_db - eps (T_db - T_wb), T_supply - approach)`` (only as much as needed);
    water ``m_a c_p (T_db - T_a) / h_fg(T_wb)`` with coil air
    ``m_a = 3600 / (c_p coil_air_rise)`` kg per kWh rejected. The remainder
    ``m = clip((T_a + approach - T_s) / (T_r - T_s), 0, 1)`` is cooled by air-cooled
    chillers whose condensers see the same pre-cooled air (refrigerant at
    ``T_s - chiller_evaporator_approach`` and ``T_a + chiller_condenser_itd``; the
    dry-cooler approach is a fluid temperature and does not enter the chiller lift);
    their heat is rejected in the same air stream (water scaled by ``1 + chiller``).
    ``effectiveness = 0`` is a plain dry loop without water. The loop is closed: no
    supply-air humidity limit.

    Electricity: ``c = fan_pump_fraction + fan + chiller``. The dry-cooler fans follow
    the fan law of :func:`siting.physics.drycooler.dry_cooler_fan_kw_per_kw_heat`:
    return fluid ``T_r`` onto coil air ``T_a``, maximum airflow at the design ITD
    ``T_r - T_s + approach`` (the air at which the dry coolers alone just hold
    ``T_s``), ``fan = k_design min((T_r - T_s + approach) / (T_r - T_a), 1)^3``. The
    pads and the chillers only run with the fans at maximum. ``fan_pump_fraction``
    stays a fixed share (pumps, in-hall air movers).

    Parameters
    ----------
    supply_c, return_c : float
        Loop supply and return temperatures [C].
    dry_approach_c : float
        Dry-cooler approach to the coil inlet air at maximum airflow [K].
    effectiveness : float
        Pad saturation effectiveness [-] (0.70-0.95 [3]); 0 for dry only.
    coil_air_rise_c : float
        Air temperature rise across the dry-cooler coil [K] (assumption: 10 K).
    dry_cooler_fan_kw_per_kw : float
        Rated dry-cooler fan power per heat rejected at the 16.7 K rating ITD [kW/kW]
        (default ASHRAE 90.1-2019 Table 6.8.1-7 [6]).
    chiller_evaporator_approach_c, chiller_condenser_itd_c : float
        Trim-chiller refrigerant approaches [K]: below the leaving loop fluid, above the
        coil inlet air (:func:`siting.physics.pue.chiller_kw_per_kw_cooling`).

    Returns
    -------
    dict of numpy.ndarray
        Plant keys plus ``fan_kw_per_kw_heat`` (dry-cooler fans alone).

    References
    ----------
    .. [3] ASHRAE (2020). Handbook -- HVAC Systems and Equipment, chs. 40-41; ch. 21
       (fan laws).
    .. [6] ASHRAE (2019). Standard 90.1-2019, Table 6.8.1-7.
    """
    tdb = np.asarray(dry_bulb_c, dtype=float)
    twb = np.asarray(wet_bulb_c, dtype=float)
    t_pad = tdb - effectiveness * (tdb - twb)
    t_air = np.minimum(tdb, np.maximum(t_pad, supply_c - dry_approach_c))
    m = np.clip((t_air + dry_approach_c - supply_c) / (return_c - supply_c), 0.0, 1.0)
    chiller = m * chiller_kw_per_kw_cooling(
        supply_c,
        t_air,
        carnot_fraction_air,
        evaporator_approach_c=chiller_evaporator_approach_c,
        condenser_approach_c=chiller_condenser_itd_c,
    )
    air_kg = KJ_PER_KWH / (CP_AIR_KJ_PER_KG_K * coil_air_rise_c)
    water = air_kg * CP_AIR_KJ_PER_KG_K * (tdb - t_air) / latent_heat_vaporization(twb)
    fan = dry_cooler_fan_kw_per_kw_heat(
        return_c,
        t_air,
        return_c - supply_c + dry_approach_c,
        rated_fan_kw_per_kw=dry_cooler_fan_kw_per_kw,
    )
    return {
        "mechanical_fraction": m,
        "chiller_kw_per_kw_heat": chiller,
        "cooling_kw_per_kw_heat": fan_pump_fraction + fan + chiller,
        "water_l_per_kwh_heat": water * (1.0 + chiller),
        "fan_kw_per_kw_heat": fan,
    }


def direct_to_chip_plant(
    dry_bulb_c,
    wet_bulb_c,
    *,
    liquid_class="W32",
    liquid_fraction=DEFAULT_LIQUID_FRACTION,
    liquid_rise_c=10.0,
    air_supply_c=18.0,
    air_return_c=24.0,
    hybrid=True,
    dry_approach_c=6.0,
    effectiveness=0.85,
    coil_air_rise_c=10.0,
    carnot_fraction_air,
    fan_pump_fraction,
    dry_cooler_fan_kw_per_kw=RATED_FAN_KW_PER_KW,
):
    """Closed-loop direct-to-chip liquid cooling plus the residual air-cooled share.

    The cold plates take ``liquid_fraction`` of the heat on facility water at the class
    supply limit ``T_W`` (W32: 32 C ...) and ``T_W + liquid_rise``; the rest is air
    cooled by CRAHs/rear doors on a cooler loop (``air_supply_c``/``air_return_c``,
    closed recirculation: no humidity limit). Both loops reject heat with
    :func:`hybrid_dry_cooler_plant` (``hybrid=False``: dry only, no water)::

        c = f c_liq + (1 - f) c_air,   water = f w_liq + (1 - f) w_air

    Parameters
    ----------
    liquid_class : str
        ASHRAE class ``W17``..``W45`` [2].
    liquid_fraction : float
        Share of heat into the liquid [-] (assumption, see ``DEFAULT_LIQUID_FRACTION``).
    liquid_rise_c : float
        Facility-water temperature rise [K] (assumption: 10 K).
    air_supply_c, air_return_c : float
        Chilled-water loop of the air-cooled share [C] (assumption: 18/24 C).

    References
    ----------
    .. [2] ASHRAE TC 9.9 (2021). Liquid-cooling classes W17-W45.
    """
    if liquid_class not in LIQUID_CLASS_SUPPLY_C:
        raise ValueError(
            f"liquid_class {liquid_class!r}: expected one of {sorted(LIQUID_CLASS_SUPPLY_C)}"
        )
    if not 0.0 <= liquid_fraction <= 1.0:
        raise ValueError(f"liquid_fraction {liquid_fraction}: expected a value in [0, 1]")
    eps = effectiveness if hybrid else 0.0
    t_w = LIQUID_CLASS_SUPPLY_C[liquid_class]
    common = dict(
        dry_approach_c=dry_approach_c,
        effectiveness=eps,
        coil_air_rise_c=coil_air_rise_c,
        carnot_fraction_air=carnot_fraction_air,
        fan_pump_fraction=fan_pump_fraction,
        dry_cooler_fan_kw_per_kw=dry_cooler_fan_kw_per_kw,
    )
    liq = hybrid_dry_cooler_plant(
        dry_bulb_c, wet_bulb_c, supply_c=t_w, return_c=t_w + liquid_rise_c, **common
    )
    air = hybrid_dry_cooler_plant(
        dry_bulb_c, wet_bulb_c, supply_c=air_supply_c, return_c=air_return_c, **common
    )
    f = liquid_fraction
    return {k: f * liq[k] + (1.0 - f) * air[k] for k in liq}


def annual_pue_wue(
    cooling_kw_per_kw_heat,
    water_l_per_kwh_heat,
    hours,
    *,
    load_fraction,
    dist_loss_proportional,
    dist_loss_fixed,
    misc_fixed,
    axis=0,
):
    """Hour-weighted annual PUE [-] and on-site WUE [L per IT kWh].

    ``PUE = sum(h heat (1 + c)) / sum(h L)`` and ``WUE = sum(h heat w) / sum(h L)`` with
    ``heat = L (1 + d_prop) + d_fixed + misc`` (:mod:`siting.physics.pue`), summed over
    ``axis`` (the time steps; ``hours`` broadcast against the plant arrays).

    References
    ----------
    .. [1] The Green Grid (2012). WP 49 (PUE); The Green Grid (2011). WP 35 (WUE).
    """
    heat = load_fraction * (1.0 + dist_loss_proportional) + dist_loss_fixed + misc_fixed
    h = np.broadcast_to(np.asarray(hours, float), np.shape(cooling_kw_per_kw_heat))
    it = np.sum(h * load_fraction, axis=axis)
    fac = np.sum(h * heat * (1.0 + np.asarray(cooling_kw_per_kw_heat)), axis=axis)
    wat = np.sum(h * heat * np.asarray(water_l_per_kwh_heat), axis=axis)
    return fac / it, wat / it
