"""Dry-cooler fan power from the fan affinity laws and the coil heat balance.

A dry cooler (air-cooled fluid cooler) rejects ``Q`` from fluid entering at
``T_fluid_in`` to air entering at ``T_air_in``. With an air-side effectiveness ``eps``
the air mass flow it needs is::

    m_air = Q / (c_p eps (T_fluid_in - T_air_in)) = Q / (c_p eps ITD)

so, at a fixed heat and fixed coil, the airflow relative to design is
``r = ITD_design / ITD``. Fans on a fixed system follow the affinity laws, power
``~ flow^3`` [1]; with variable-speed fans::

    P_fan / Q = k_design * min(r, 1)^3

The bank is sized so that at its design point (the coldest coil inlet air at which the
dry coolers alone just hold the loop supply temperature: ``ITD_design = T_return -
T_supply + approach``) it runs at its maximum airflow; in hotter air the fans stay at
maximum (``r`` capped at 1) and the plant falls back to adiabatic pre-cooling, then to
chiller trim. The design fan power per unit heat follows from a rated specific fan
power at a rating ITD, scaling the number of units at the rated face velocity with the
ITD (a unit's capacity is ``~ ITD`` at fixed airflow)::

    k_design = k_rated * ITD_rated / ITD_design

Rated value: ASHRAE 90.1-2019 Table 6.8.1-7 requires air-cooled condensers to reject
at least 176,000 Btu/h per hp of fan motor at 125 F condensing and 95 F entering air
(ITD 30 F = 16.7 K) [2]: 0.7457 kW / (176,000 / 3412.14 kW) = 0.0145 kW of fan per kW
rejected. A condenser's refrigerant is isothermal, so a liquid cooler at the same ITD
has a smaller mean temperature difference and needs somewhat more air: the figure is a
code-minimum (upper) efficiency bound, i.e. a lower bound on fan power, comparable with
the 0.0105 W/W that EnergyPlus assumes for an autosized fluid cooler [3].

References
----------
.. [1] ASHRAE (2020). Handbook -- HVAC Systems and Equipment, ch. 21 "Fans": fan laws,
   power proportional to the cube of the flow at fixed system and air density.
.. [2] ASHRAE (2019). Standard 90.1-2019, Table 6.8.1-7, performance requirements for
   heat rejection equipment: air-cooled condensers >= 176,000 Btu/h.hp at 125 F
   condensing temperature, 95 F entering dry-bulb.
.. [3] EnergyPlus Engineering Reference / source ``FluidCoolers.cc``: autosized design
   fan power of ``FluidCooler:SingleSpeed`` = 0.0105 x nominal capacity.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "RATED_FAN_KW_PER_KW",
    "RATED_ITD_C",
    "dry_cooler_airflow_ratio",
    "dry_cooler_fan_kw_per_kw_heat",
]

#: rating ITD of [2]: 125 F condensing - 95 F entering air = 30 F [K]
RATED_ITD_C = 30.0 / 1.8
#: fan power per heat rejected at ``RATED_ITD_C`` [kW/kW]: 1 hp (0.7457 kW) per
#: 176,000 Btu/h (51.58 kW), ASHRAE 90.1-2019 Table 6.8.1-7 [2]
RATED_FAN_KW_PER_KW = 0.7457 / (176_000.0 / 3412.14)


def dry_cooler_airflow_ratio(fluid_in_c, air_in_c, design_itd_c):
    """Airflow over its design (maximum) value [-], ``min(ITD_design / ITD, 1)``.

    ``ITD = T_fluid_in - T_air_in`` [K]; at or below the design ITD (air too warm) the
    fans run at maximum (1). NaN where a temperature is NaN.

    Parameters
    ----------
    fluid_in_c : array_like
        Fluid entering the dry cooler (loop return) [C].
    air_in_c : array_like
        Air entering the coil (after any adiabatic pre-cooling) [C].
    design_itd_c : array_like
        ITD at which the bank runs at maximum airflow [K] (> 0).

    References
    ----------
    .. [1] ASHRAE (2020). Handbook -- HVAC Systems and Equipment, ch. 21.
    """
    itd = np.asarray(fluid_in_c, dtype=float) - np.asarray(air_in_c, dtype=float)
    d = np.asarray(design_itd_c, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(itd > d, d / itd, 1.0)
    return np.where(np.isnan(itd), np.nan, r)


def dry_cooler_fan_kw_per_kw_heat(
    fluid_in_c,
    air_in_c,
    design_itd_c,
    *,
    rated_fan_kw_per_kw=RATED_FAN_KW_PER_KW,
    rated_itd_c=RATED_ITD_C,
):
    """Dry-cooler fan electricity per unit of heat rejected [kW/kW].

    ``k_design r^3`` with ``r`` from :func:`dry_cooler_airflow_ratio` and
    ``k_design = rated_fan_kw_per_kw * rated_itd_c / design_itd_c`` (module docstring).

    Parameters
    ----------
    fluid_in_c, air_in_c : array_like
        Fluid entering the dry cooler and coil inlet air [C].
    design_itd_c : array_like
        ITD of the design (maximum-airflow) point [K].
    rated_fan_kw_per_kw : array_like
        Rated fan power per heat rejected at ``rated_itd_c`` [kW/kW] (default
        ASHRAE 90.1-2019 Table 6.8.1-7, 0.0145).
    rated_itd_c : array_like
        ITD of that rating [K] (default 16.7 K).

    Returns
    -------
    numpy.ndarray
        Fan kW per kW of heat (NaN where a temperature is NaN).

    References
    ----------
    .. [1] ASHRAE (2020). Handbook -- HVAC Systems and Equipment, ch. 21.
    .. [2] ASHRAE (2019). Standard 90.1-2019, Table 6.8.1-7.
    """
    d = np.asarray(design_itd_c, dtype=float)
    k_design = np.asarray(rated_fan_kw_per_kw, dtype=float) * rated_itd_c / d
    return k_design * dry_cooler_airflow_ratio(fluid_in_c, air_in_c, d) ** 3
