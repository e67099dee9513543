"""Moist-air psychrometrics: wet-bulb temperature and station pressure.

Plain vectorized numpy functions (pvlib style): every argument broadcasts, units are
in the parameter names, temperatures are in degrees Celsius, pressures in pascals,
relative humidity in percent (0-100).

Two wet-bulb paths:

* :func:`wet_bulb_stull` -- the closed-form fit of Stull (2011), fast, valid at sea-level
  pressure for RH 5-99 % and -20..50 C (error within about +-1 C, mean about 0.3 C).
* :func:`wet_bulb_from_dew_point` / :func:`wet_bulb_from_rh` -- the thermodynamic
  (psychrometric) wet-bulb of ASHRAE Fundamentals (2017) ch. 1, solved by a fixed
  number of bisection steps over whole arrays (in cache-sized blocks), at the station
  pressure (e.g. from :func:`pressure_from_elevation`).

References
----------
.. [1] ASHRAE (2017). ASHRAE Handbook -- Fundamentals, chapter 1 "Psychrometrics",
   eqs. (3), (5), (6), (20), (33), (35) and Tables 1-3.
.. [2] Stull, R. (2011). Wet-bulb temperature from relative humidity and air
   temperature. J. Appl. Meteor. Climatol. 50, 2267-2269. doi:10.1175/JAMC-D-11-0143.1
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "KELVIN",
    "dew_point_from_rh",
    "dew_point_from_vapor_pressure",
    "humidity_ratio_from_vapor_pressure",
    "humidity_ratio_from_wet_bulb",
    "pressure_from_elevation",
    "saturation_vapor_pressure",
    "wet_bulb_from_dew_point",
    "wet_bulb_from_rh",
    "wet_bulb_stull",
]

KELVIN = 273.15  # K at 0 C

# ASHRAE 2017 Fundamentals ch.1 eq. (3): standard atmosphere, Z in m, p in kPa.
_STD_P0_PA = 101_325.0  # Pa, sea-level standard pressure (ASHRAE 2017 ch.1 Table 1)
_STD_LAPSE = 2.25577e-5  # 1/m (ASHRAE 2017 ch.1 eq. 3)
_STD_EXP = 5.2559  # - (ASHRAE 2017 ch.1 eq. 3)

# Hyland-Wexler saturation pressure, ASHRAE 2017 ch.1 eq. (5): over ice, -100..0 C.
_C1, _C2, _C3 = -5.6745359e03, 6.3925247e00, -9.6778430e-03
_C4, _C5, _C6, _C7 = 6.2215701e-07, 2.0747825e-09, -9.4840240e-13, 4.1635019e00
# ASHRAE 2017 ch.1 eq. (6): over liquid water, 0..200 C.
_C8, _C9, _C10 = -5.8002206e03, 1.3914993e00, -4.8640239e-02
_C11, _C12, _C13 = 4.1764768e-05, -1.4452093e-08, 6.5459673e00

_MW_RATIO = 0.621945  # - ratio of molar masses water/dry air (ASHRAE 2017 ch.1 eq. 20)

_BISECTION_STEPS = 40  # bracket width <= 80 C -> 80 / 2**40 < 1e-10 C

# Magnus-form inverse used only as the starting point of the dew-point Newton solve:
# Alduchov & Eskridge (1996) AERK (water) and AERKi (ice) coefficients,
# p_ws = c exp(a t / (b + t)) with t [C], c [Pa], b [C].
_MAGNUS_WATER = (17.625, 243.04, 610.94)
_MAGNUS_ICE = (22.587, 273.86, 611.21)
#: Newton steps of :func:`dew_point_from_vapor_pressure`: from the Magnus start (within
#: 0.09 K of the root on -80..60 C) two steps reach 3e-12 K, the third is margin
_NEWTON_STEPS = 3


def pressure_from_elevation(elevation_m):
    """Standard-atmosphere station pressure [Pa] from elevation [m].

    ``p = 101325 * (1 - 2.25577e-5 * Z) ** 5.2559``

    Parameters
    ----------
    elevation_m : array_like
        Elevation above mean sea level [m]; valid about -5000..11000 m.

    Returns
    -------
    numpy.ndarray
        Pressure [Pa].

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eq. (3) and Table 1.
    """
    z = np.asarray(elevation_m, dtype=float)
    return _STD_P0_PA * (1.0 - _STD_LAPSE * z) ** _STD_EXP


def saturation_vapor_pressure(temp_c):
    """Saturation vapour pressure [Pa] over water (T >= 0 C) or ice (T < 0 C).

    Hyland-Wexler formulation as given by ASHRAE (2017), stated accurate to within
    300 ppm of the tabulated values over -100..200 C.

    Parameters
    ----------
    temp_c : array_like
        Temperature [C].

    Returns
    -------
    numpy.ndarray
        Saturation vapour pressure [Pa].

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eqs. (5)-(6), Table 3.
    """
    t = np.asarray(temp_c, dtype=float)
    tk = t + KELVIN
    with np.errstate(invalid="ignore", divide="ignore"):
        ln_ice = (
            _C1 / tk + _C2 + _C3 * tk + _C4 * tk**2 + _C5 * tk**3 + _C6 * tk**4 + _C7 * np.log(tk)
        )
        ln_water = _C8 / tk + _C9 + _C10 * tk + _C11 * tk**2 + _C12 * tk**3 + _C13 * np.log(tk)
    return np.exp(np.where(t < 0.0, ln_ice, ln_water))


def _ln_sat_newton(y, coef, lo_c, hi_c, magnus):
    """Root ``t`` [C] in [lo_c, hi_c] of ``ln p_ws(t) = y`` on one branch of eq. (5)/(6).

    ``coef``: the seven coefficients of ``ln p_ws = c1/T + c2 + c3 T + c4 T^2 + c5 T^3 +
    c6 T^4 + c7 ln T`` (T [K]); Newton steps from the Magnus inverse, each iterate
    clipped to the bracket (safeguard).
    """
    c1, c2, c3, c4, c5, c6, c7 = coef
    a, b, c = magnus
    g = y - np.log(c)
    tk = b * g / (a - g) + KELVIN
    lo, hi = lo_c + KELVIN, hi_c + KELVIN
    for _ in range(_NEWTON_STEPS):
        f = c1 / tk + c2 + tk * (c3 + tk * (c4 + tk * (c5 + tk * c6))) + c7 * np.log(tk) - y
        df = c7 / tk - c1 / (tk * tk) + c3 + tk * (2.0 * c4 + tk * (3.0 * c5 + tk * (4.0 * c6)))
        tk = np.clip(tk - f / df, lo, hi)
    return tk - KELVIN


def dew_point_from_vapor_pressure(vapor_pressure_pa, lower_c=-80.0, upper_c=60.0):
    """Dew (frost) point [C]: the root of ``p_ws(t_d) = p_w``, clamped to [lower, upper].

    Inverts :func:`saturation_vapor_pressure` (over ice below 0 C, over water at and
    above, as ASHRAE defines frost and dew point) by :data:`_NEWTON_STEPS` Newton steps
    on ``ln p_ws`` from the Magnus-form inverse of Alduchov & Eskridge (1996), each
    iterate kept in its branch's bracket; converged to about 1e-12 K. A ``p_w`` between
    the ice value just below 0 C and the water value at 0 C (the two formulas differ by
    0.06 Pa there) gives 0 C; a ``p_w`` outside ``[p_ws(lower), p_ws(upper)]`` gives the
    bound; NaN gives NaN. ``lower_c`` < 0 <= ``upper_c``.

    Parameters
    ----------
    vapor_pressure_pa : array_like
        Partial pressure of water vapour [Pa].
    lower_c, upper_c : float
        Bracket of the root [C].

    Returns
    -------
    numpy.ndarray
        Dew point [C].

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eqs. (5)-(6).
    .. [2] Alduchov, O. A., Eskridge, R. E. (1996). Improved Magnus form approximation
       of saturation vapor pressure. J. Appl. Meteor. 35, 601-609 (starting point only).
    """
    pw = np.asarray(vapor_pressure_pa, dtype=float)
    shape = pw.shape
    pw = pw.reshape(-1)
    p_lo, p_ice0, p_water0, p_hi = saturation_vapor_pressure(
        [lower_c, -np.finfo(float).tiny, 0.0, upper_c]
    )
    out = np.full(pw.size, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        pc = np.clip(pw, p_lo, p_hi)  # NaN stays NaN, drops out of the three sets
        ice = np.flatnonzero(pc < p_ice0)
        water = np.flatnonzero(pc >= p_water0)
        ice_c = (_C1, _C2, _C3, _C4, _C5, _C6, _C7)
        water_c = (_C8, _C9, _C10, _C11, _C12, 0.0, _C13)
        out[ice] = _ln_sat_newton(np.log(pc[ice]), ice_c, lower_c, 0.0, _MAGNUS_ICE)
        out[water] = _ln_sat_newton(np.log(pc[water]), water_c, 0.0, upper_c, _MAGNUS_WATER)
        out[(pc >= p_ice0) & (pc < p_water0)] = 0.0
    return out.reshape(shape)


def humidity_ratio_from_vapor_pressure(vapor_pressure_pa, pressure_pa):
    """Humidity ratio [kg water / kg dry air] from partial vapour pressure.

    ``W = 0.621945 * p_w / (p - p_w)``

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eq. (20).
    """
    pw = np.asarray(vapor_pressure_pa, dtype=float)
    p = np.asarray(pressure_pa, dtype=float)
    return _MW_RATIO * pw / (p - pw)


def humidity_ratio_from_wet_bulb(dry_bulb_c, wet_bulb_c, pressure_pa):
    """Humidity ratio [kg/kg] of moist air from dry-bulb and thermodynamic wet-bulb.

    Above freezing (wet-bulb >= 0 C)::

        W = ((2501 - 2.326 t*) Ws* - 1.006 (t - t*)) / (2501 + 1.86 t - 4.186 t*)

    below freezing::

        W = ((2830 - 0.24 t*) Ws* - 1.006 (t - t*)) / (2830 + 1.86 t - 2.1 t*)

    with ``Ws*`` the saturation humidity ratio at the wet-bulb temperature ``t*``.

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eqs. (33) and (35).
    """
    t = np.asarray(dry_bulb_c, dtype=float)
    tw = np.asarray(wet_bulb_c, dtype=float)
    ws = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure(tw), pressure_pa)
    above = ((2501.0 - 2.326 * tw) * ws - 1.006 * (t - tw)) / (2501.0 + 1.86 * t - 4.186 * tw)
    below = ((2830.0 - 0.24 * tw) * ws - 1.006 * (t - tw)) / (2830.0 + 1.86 * t - 2.1 * tw)
    return np.where(tw >= 0.0, above, below)


#: elements per block of the bisection: the ~10 temporaries of one block stay in the
#: CPU cache (a block of 16,384 float64 is 128 kB); found by timing, any size gives
#: the same numbers
_BLOCK = 16_384


def _wet_bulb_from_humidity_ratio(dry_bulb_c, humidity_ratio, pressure_pa):
    """Solve W(t, t*) = W for t* by bisection on [t - 80, t] (vectorized, fixed steps).

    Elementwise, the same 40 bisection steps as a whole-array loop over
    :func:`humidity_ratio_from_wet_bulb` (same operations in the same order, so the
    same numbers to the last bit), run block by block so that the temporaries stay in
    the CPU cache. Within a block, the saturation pressure over ice (or over water) is
    evaluated only when some midpoint is below (at or above) 0 C.
    """
    t, w, p = np.broadcast_arrays(
        np.asarray(dry_bulb_c, dtype=float),
        np.asarray(humidity_ratio, dtype=float),
        np.asarray(pressure_pa, dtype=float),
    )
    shape = t.shape
    t, w, p = (np.ascontiguousarray(a).reshape(-1) for a in (t, w, p))
    bad = ~(np.isfinite(t) & np.isfinite(w) & np.isfinite(p))
    out = np.full(t.size, np.nan)
    # elements of similar dry-bulb (same 1 C bin) share a block, so that the midpoints
    # of a block are mostly on one side of 0 C (one saturation-pressure branch per
    # block); a stable sort of a 16-bit key is a radix sort
    order = np.flatnonzero(~bad)
    key = np.clip(np.floor(t[order]), -30_000, 30_000).astype(np.int16)
    order = order[np.argsort(key, kind="stable")]
    ts, ws, ps = t[order], w[order], p[order]
    res = np.empty(order.size)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for s in range(0, order.size, _BLOCK):
            blk = slice(s, s + _BLOCK)
            res[blk] = _bisect_block(ts[blk], ws[blk], ps[blk])
    out[order] = res
    return out.reshape(shape)


def _bisect_block(t, w, p):
    """The bisection of :func:`_wet_bulb_from_humidity_ratio` on one 1-d block.

    Every expression repeats, term by term and in the same order,
    :func:`saturation_vapor_pressure`, :func:`humidity_ratio_from_vapor_pressure` and
    :func:`humidity_ratio_from_wet_bulb` (ASHRAE 2017 ch. 1 eqs. 5, 6, 20, 33, 35),
    written into preallocated buffers; terms that do not change during the bisection
    (the dry-bulb parts of the eq. 33/35 denominators) are computed once.
    """
    n = t.size
    lo = t - 80.0
    hi = t.copy()
    den_above = 2501.0 + 1.86 * t  # eq. (33) denominator before its t* term
    den_below = 2830.0 + 1.86 * t  # eq. (35)
    mid, tk, ln_tk, tk2, tk3 = (np.empty(n) for _ in range(5))
    acc, term, ln_ice, hum, alt = (np.empty(n) for _ in range(5))
    ice, too_wet = np.empty(n, dtype=bool), np.empty(n, dtype=bool)

    def poly(out, *terms):
        # c0 / tk + c1 + c2 * x2 + ... + cn * xn, summed left to right
        (c0, c1), rest = terms[:2], terms[2:]
        np.divide(c0, tk, out=out)
        out += c1
        for c, x in rest:
            np.multiply(c, x, out=term)
            out += term

    def humidity(out, a0, a1, den, b1):
        # ((a0 - a1 t*) Ws* - 1.006 (t - t*)) / (den - b1 t*), eq. (33) or (35)
        np.multiply(a1, mid, out=out)
        np.subtract(a0, out, out=out)
        out *= acc  # acc holds Ws*
        np.subtract(t, mid, out=term)
        np.multiply(1.006, term, out=term)
        out -= term
        np.multiply(b1, mid, out=term)
        np.subtract(den, term, out=term)
        out /= term

    for _ in range(_BISECTION_STEPS):
        np.add(lo, hi, out=mid)
        np.multiply(0.5, mid, out=mid)
        np.less(mid, 0.0, out=ice)
        any_ice = bool(ice.any())
        all_ice = any_ice and bool(ice.all())
        np.add(mid, KELVIN, out=tk)
        np.log(tk, out=ln_tk)
        np.square(tk, out=tk2)
        np.power(tk, 3, out=tk3)
        if any_ice:
            np.power(tk, 4, out=alt)
            poly(ln_ice, _C1, _C2, (_C3, tk), (_C4, tk2), (_C5, tk3), (_C6, alt), (_C7, ln_tk))
        if not all_ice:
            poly(acc, _C8, _C9, (_C10, tk), (_C11, tk2), (_C12, tk3), (_C13, ln_tk))
            if any_ice:
                acc = np.where(ice, ln_ice, acc)
        else:
            acc, ln_ice = ln_ice, acc
        np.exp(acc, out=acc)  # saturation pressure p_ws(t*), eqs. (5)-(6)
        np.subtract(p, acc, out=term)
        np.multiply(_MW_RATIO, acc, out=acc)
        acc /= term  # Ws*, eq. (20)
        if not any_ice:
            humidity(hum, 2501.0, 2.326, den_above, 4.186)
        elif all_ice:
            humidity(hum, 2830.0, 0.24, den_below, 2.1)
        else:
            humidity(hum, 2501.0, 2.326, den_above, 4.186)
            humidity(alt, 2830.0, 0.24, den_below, 2.1)
            hum = np.where(mid >= 0.0, hum, alt)
        np.greater(hum, w, out=too_wet)  # W increases with t*
        hi = np.where(too_wet, mid, hi)
        lo = np.where(too_wet, lo, mid)
    return 0.5 * (lo + hi)


def wet_bulb_from_dew_point(dry_bulb_c, dew_point_c, pressure_pa=_STD_P0_PA):
    """Thermodynamic wet-bulb temperature [C] from dry-bulb, dew point and pressure.

    The humidity ratio follows from the dew point (``p_w = p_ws(t_d)``, ASHRAE eq. 20);
    the wet-bulb ``t*`` solving ASHRAE eq. (33)/(35) for that humidity ratio is found by
    40 bisection steps applied to whole arrays, block by block (no per-element loop).

    Parameters
    ----------
    dry_bulb_c : array_like
        Dry-bulb temperature [C].
    dew_point_c : array_like
        Dew-point temperature [C]; values above the dry-bulb are clipped to it.
    pressure_pa : array_like, default 101325
        Station pressure [Pa], e.g. ``pressure_from_elevation(elevation_m)``.

    Returns
    -------
    numpy.ndarray
        Wet-bulb temperature [C]; NaN where an input is NaN.

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eqs. (5), (6), (20), (33), (35).
    """
    t = np.asarray(dry_bulb_c, dtype=float)
    td = np.minimum(np.asarray(dew_point_c, dtype=float), t)
    w = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure(td), pressure_pa)
    return _wet_bulb_from_humidity_ratio(t, w, pressure_pa)


def wet_bulb_from_rh(dry_bulb_c, relative_humidity_pct, pressure_pa=_STD_P0_PA):
    """Thermodynamic wet-bulb temperature [C] from dry-bulb, relative humidity, pressure.

    ``p_w = RH/100 * p_ws(t)`` then as :func:`wet_bulb_from_dew_point`.

    Parameters
    ----------
    dry_bulb_c : array_like
        Dry-bulb temperature [C].
    relative_humidity_pct : array_like
        Relative humidity [%], 0-100 (clipped to that range).
    pressure_pa : array_like, default 101325
        Station pressure [Pa].

    Returns
    -------
    numpy.ndarray
        Wet-bulb temperature [C].

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eqs. (5), (6), (20), (33), (35).
    """
    t = np.asarray(dry_bulb_c, dtype=float)
    rh = np.clip(np.asarray(relative_humidity_pct, dtype=float), 0.0, 100.0)
    pw = rh / 100.0 * saturation_vapor_pressure(t)
    w = humidity_ratio_from_vapor_pressure(pw, pressure_pa)
    return _wet_bulb_from_humidity_ratio(t, w, pressure_pa)


def dew_point_from_rh(dry_bulb_c, relative_humidity_pct):
    """Dew-point temperature [C] from dry-bulb and relative humidity.

    Inverts the saturation-pressure curve of :func:`saturation_vapor_pressure` by
    bisection (over water for t >= 0 C, over ice below, as ASHRAE defines dew/frost
    point).

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eqs. (5)-(6).
    """
    t = np.asarray(dry_bulb_c, dtype=float)
    rh = np.clip(np.asarray(relative_humidity_pct, dtype=float), 1e-6, 100.0)
    target = rh / 100.0 * saturation_vapor_pressure(t)
    lo = np.full(np.broadcast(t, rh).shape, -100.0)
    hi = np.broadcast_to(t, lo.shape).copy()
    with np.errstate(invalid="ignore"):
        for _ in range(_BISECTION_STEPS + 8):
            mid = 0.5 * (lo + hi)
            high = saturation_vapor_pressure(mid) > target
            hi = np.where(high, mid, hi)
            lo = np.where(high, lo, mid)
    out = 0.5 * (lo + hi)
    return np.where(np.isfinite(target), out, np.nan)


def wet_bulb_stull(dry_bulb_c, relative_humidity_pct):
    """Wet-bulb temperature [C] by the empirical formula of Stull (2011).

    ``Tw = T atan(0.151977 (RH + 8.313659)^0.5) + atan(T + RH) - atan(RH - 1.676331)
    + 0.00391838 RH^1.5 atan(0.023101 RH) - 4.686035`` (atan in radians, RH in %).

    Valid for RH 5-99 % and T -20..50 C at standard sea-level pressure; outside that
    domain use :func:`wet_bulb_from_rh`.

    Parameters
    ----------
    dry_bulb_c : array_like
        Air temperature [C].
    relative_humidity_pct : array_like
        Relative humidity [%].

    Returns
    -------
    numpy.ndarray
        Wet-bulb temperature [C].

    References
    ----------
    .. [1] Stull, R. (2011). J. Appl. Meteor. Climatol. 50, 2267-2269, eq. (1).
    """
    t = np.asarray(dry_bulb_c, dtype=float)
    rh = np.asarray(relative_humidity_pct, dtype=float)
    return (
        t * np.arctan(0.151977 * np.sqrt(rh + 8.313659))
        + np.arctan(t + rh)
        - np.arctan(rh - 1.676331)
        + 0.00391838 * rh**1.5 * np.arctan(0.023101 * rh)
        - 4.686035
    )
