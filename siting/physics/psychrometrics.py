"""Moist-air psychrometrics: wet-bulb temperature and station pressure.

Plain vectorized numpy functions (pvlib style): every argument broadcasts, units are
in the parameter names, temperatures are in degrees Celsius, pressures in pascals,
relative humidity in percent (0-100).

Two wet-bulb paths:

* :func:`wet_bulb_stull` -- the closed-form fit of Stull (2011), fast, valid at sea-level
  pressure for RH 5-99 % and -20..50 C (error within about +-1 C, mean about 0.3 C).
* :func:`wet_bulb_from_dew_point` / :func:`wet_bulb_from_rh` -- the thermodynamic
  (psychrometric) wet-bulb of ASHRAE Fundamentals (2017) ch. 1 at the station pressure
  (e.g. from :func:`pressure_from_elevation`), solved by a safeguarded Halley iteration
  (Newton's method with the second derivative; 3 steps below 0 C, 4 above, converged
  to about 1e-12 K) over whole arrays in cache-sized blocks.

References
----------
.. [1] ASHRAE (2017). ASHRAE Handbook -- Fundamentals, chapter 1 "Psychrometrics",
   eqs. (3), (5), (6), (20), (33), (35) and Tables 1-3.
.. [2] Stull, R. (2011). Wet-bulb temperature from relative humidity and air
   temperature. J. Appl. Meteor. Climatol. 50, 2267-2269. doi:10.1175/JAMC-D-11-0143.1
.. [3] Press, W. H., Teukolsky, S. A., Vetterling, W. T., Flannery, B. P. (2007).
   Numerical Recipes, 3rd ed., Cambridge University Press, section 9.4 (Newton's
   method kept inside a bracket with bisection steps; Halley's method).
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


# Saturation pressure [Pa] at 0 C over ice (eq. 5, its limit from below; 611.154 Pa) and
# over water (eq. 6; 611.213 Pa): where eq. (35) hands over to eq. (33).
_P_WS_ICE_0, _P_WS_WATER_0 = (float(v) for v in saturation_vapor_pressure([-1e-300, 0.0]))

# One branch of the wet-bulb equation: the seven coefficients c1..c7 of
# ln p_ws = c1/T + c2 + c3 T + c4 T^2 + c5 T^3 + c6 T^4 + c7 ln T (eq. 5 over ice; eq. 6
# over water, c6 = 0) and a0, a1, b1 of W = ((a0 - a1 t*) Ws* - 1.006 (t - t*)) /
# (a0 + 1.86 t - b1 t*) (eq. 35 below 0 C, eq. 33 at and above), all ASHRAE (2017) ch. 1.
_ICE_BRANCH = (_C1, _C2, _C3, _C4, _C5, _C6, _C7, 2830.0, 0.24, 2.1)
_WATER_BRANCH = (_C8, _C9, _C10, _C11, _C12, 0.0, _C13, 2501.0, 2.326, 4.186)

#: Halley steps of the wet-bulb solve on the ice branch (eq. 35) and the water branch
#: (eq. 33), each started at the top of its bracket. Measured against a 10-step solve on
#: 4.5 million points (dry-bulb -60..60 C, dew point -80 C..dry-bulb incl. saturated air,
#: 50-110 kPa, dense near t* = 0 C): ice 5e-9 K after 2 steps, 9e-14 K after 3; water
#: 0.17 K after 2, 4.6e-7 K after 3 (slowest: 60 C, dew point -80 C, 50 kPa, a 47 K
#: depression), 2.6e-13 K after 4. The last step of each is past convergence (cubic),
#: so the margin is large. Beyond the domain (dry-bulb 60..80 C, 30-110 kPa) the result
#: is still within 4e-11 K of the bisection wherever p_ws(t) < 0.9 p.
_WET_BULB_STEPS_ICE = 3
_WET_BULB_STEPS_WATER = 4

#: elements per block of the wet-bulb solve: the ~13 temporaries of one block stay in
#: the CPU cache (a block of 16,384 float64 is 128 kB); found by timing, any size gives
#: the same numbers
_BLOCK = 16_384


def _wet_bulb_from_humidity_ratio(dry_bulb_c, humidity_ratio, pressure_pa):
    """Solve ``W(t, t*) = W`` for the wet-bulb ``t*`` (ASHRAE eqs. 33/35), vectorized.

    A safeguarded Halley iteration (Newton's method with the second derivative), a
    fixed number of steps for whole arrays in blocks (no per-element loop, no
    data-dependent stopping), converged to about 1e-12 K: :data:`_WET_BULB_STEPS_ICE` = 3
    steps on the ice branch, :data:`_WET_BULB_STEPS_WATER` = 4 on the water branch, gives
    each branch's root; the 40-step bisection on ``[t - 80, t]`` is then replayed from
    those roots (:func:`_bisection_replay`: a comparison per step, ``W`` evaluated only
    within 1e-10 K of a root), so the result is that bisection's, bit for bit (the
    roots' own last bits can depend on the array layout; the result does not: the same
    number for a site whatever batch or worker solves it). About 2.3 times faster than
    the bisection evaluating ``W`` at every step (2M values, measured).

    ``W(t, t*)`` has two branches, eq. (35) with ``p_ws`` over ice (eq. 5) for ``t* < 0``
    and eq. (33) over water (eq. 6) for ``t* >= 0``; each is smooth, increasing and
    convex in ``t*``. They do not meet at 0 C: for air above freezing eq. (35) at
    ``t* -> 0-`` exceeds eq. (33) at ``t* = 0`` (a sublimating versus an evaporating
    bulb; e.g. by 2.3e-4 kg/kg at 5 C dry-bulb and 101.325 kPa). Each element is first
    assigned the branch holding its root, from ``W(t, 0-)`` and ``W(t, 0)``:

    * ``t <= 0``, or ``W`` below both: ice branch, root in ``[t - 80, min(t, 0)]``.
    * ``t > 0`` and ``W`` at or above both: water branch, root in ``[max(t - 80, 0), t]``.
    * ``t > 0`` and ``W(t, 0-) <= W < W(t, 0)``: no root (a gap, only for dry-bulb
      0..0.016 C, where the two ``p_ws`` differ by 0.06 Pa); 0 C, as the bisection gave
      (solved on the ice branch, whose root then lies just above 0 C, clipped to 0).
    * ``t > 0`` and ``W(t, 0) <= W < W(t, 0-)``: a root on both branches, an ice-bulb
      ``r1 < 0`` and a wet-bulb ``r2 >= 0`` (up to about 1 K apart; dry-bulb up to about
      10.6 C at 101.325 kPa, 21.6 C at 50 kPa). Both are solved and the replay keeps
      the one the bisection converged to (the side of 0 C of its first midpoint between
      ``r1`` and ``r2``). Which root is physical is not decided here.

    On a branch the iteration solves ``g(t*) = (a0 - a1 t*) Ws*(t*) - 1.006 (t - t*) -
    W (a0 + 1.86 t - b1 t*) = 0`` (the equation times its positive denominator, so ``g``
    has the sign of ``W(t, t*) - W``), with ``dg/dt*`` and ``d2g/dt*2`` from the
    analytic derivatives of the ``ln p_ws`` polynomial of eq. (5)/(6) (see
    :func:`_halley_block`). It starts at the top of the branch interval, where
    ``g >= 0`` (for a root inside). Safeguard: each element keeps a bracket, 1 K wider
    than its branch interval so that a root on the interval's edge (saturated air, the
    0 C gap) lies strictly inside, updated from the sign of ``g`` at every iterate; a
    step that would leave the bracket is replaced by a bisection step, so the iteration
    converges on every element, across the 0 C switch included (on the grid described
    at :data:`_WET_BULB_STEPS_ICE`, a bisection step was only ever taken once the
    bracket was narrower than 3e-13 K). The result is clipped to the branch interval.

    NaN where an input is not finite; the inputs broadcast; the result has their shape.

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 1, eqs. (5), (6), (20), (33), (35).
    .. [2] Press, W. H. et al. (2007). Numerical Recipes, 3rd ed., section 9.4.
    """
    t, w, p = np.broadcast_arrays(
        np.asarray(dry_bulb_c, dtype=float),
        np.asarray(humidity_ratio, dtype=float),
        np.asarray(pressure_pa, dtype=float),
    )
    shape = t.shape
    t, w, p = (np.ascontiguousarray(a).reshape(-1) for a in (t, w, p))
    out = np.full(t.size, np.nan)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for s in range(0, t.size, _BLOCK):
            blk = slice(s, s + _BLOCK)
            tb, wb, pb = t[blk], w[blk], p[blk]
            # W(t, t*) at t* -> 0- (eq. 35) and at t* = 0 (eq. 33), Ws* from eq. (20)
            w_ice0 = 2830.0 * _MW_RATIO * _P_WS_ICE_0 / (pb - _P_WS_ICE_0) - 1.006 * tb
            w_ice0 /= 2830.0 + 1.86 * tb
            w_water0 = 2501.0 * _MW_RATIO * _P_WS_WATER_0 / (pb - _P_WS_WATER_0) - 1.006 * tb
            w_water0 /= 2501.0 + 1.86 * tb
            good = np.isfinite(tb) & np.isfinite(wb) & np.isfinite(pb)
            above = tb > 0.0
            ice = (~above | (wb < w_ice0) | (wb < w_water0)) & good
            water = above & (wb >= w_water0) & good
            # each branch's root; +inf (-inf): no root on the ice (water) branch, so that
            # every midpoint below (at or above) 0 C is on the dry (wet) side
            r_ice = np.full(tb.size, np.inf)
            r_water = np.full(tb.size, -np.inf)
            i = np.flatnonzero(ice)
            ti = tb[i]
            lo, hi = ti - 80.0, np.minimum(ti, 0.0)
            r_ice[i] = _halley_block(ti, wb[i], pb[i], lo, hi, _ICE_BRANCH, _WET_BULB_STEPS_ICE)
            i = np.flatnonzero(water)
            ti = tb[i]
            lo, hi = np.maximum(ti - 80.0, 0.0), ti
            r_water[i] = _halley_block(
                ti, wb[i], pb[i], lo, hi, _WATER_BRANCH, _WET_BULB_STEPS_WATER
            )
            g = np.flatnonzero(good)
            out[s + g] = _bisection_replay(tb[g], wb[g], pb[g], r_ice[g], r_water[g])
    return out.reshape(shape)


def _halley_block(t, w, p, lo, hi, branch, steps):
    """Halley steps of :func:`_wet_bulb_from_humidity_ratio` on one branch, one 1-d block.

    ``lo``, ``hi``: the branch interval of each element [C]; ``branch``: ``_ICE_BRANCH``
    or ``_WATER_BRANCH``. Written into preallocated buffers. With ``T = t* + 273.15``,
    ``L = d ln p_ws/dT`` and ``L' = dL/dT`` from the eq. (5)/(6) polynomial, and
    ``u = Ws* p / (p - p_ws)``: ``dWs*/dt* = u L`` and
    ``d2Ws*/dt*2 = u (L^2 (p + p_ws) / (p - p_ws) + L')``.
    """
    c1, c2, c3, c4, c5, c6, c7, a0, a1, b1 = branch
    n = t.size
    k1 = 1.006 + b1 * w  # g(t*) = (a0 - a1 t*) Ws* + k1 t* - k0
    k0 = 1.006 * t + w * (a0 + 1.86 * t)
    x = hi.copy()
    lo_g, hi_g = lo - 1.0, hi + 1.0  # safeguard bracket, roots strictly inside
    tk, r, a, dl, ddl, q, m, g, dg, ddg, tmp = (np.empty(n) for _ in range(11))
    pos, ok = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
    if c6:
        poly, dpoly, ddpoly = (
            (c6, c5, c4, c3),
            (4.0 * c6, 3.0 * c5, 2.0 * c4),
            (12.0 * c6, 6.0 * c5),
        )
    else:
        poly, dpoly, ddpoly = (c5, c4, c3), (3.0 * c5, 2.0 * c4), (6.0 * c5,)

    def horner(out, coefs):
        # out = (((k0 T + k1) T + k2) T ...) T for coefs = (k0, k1, ...)
        np.multiply(tk, coefs[0], out=out)
        for c in coefs[1:]:
            out += c
            out *= tk

    for _ in range(steps):
        np.add(x, KELVIN, out=tk)
        np.divide(1.0, tk, out=r)
        # ln p_ws = c1/T + c2 + c3 T + c4 T^2 + c5 T^3 + c6 T^4 + c7 ln T, eq. (5)/(6)
        horner(a, poly)
        np.log(tk, out=tmp)
        tmp *= c7
        a += tmp
        np.multiply(r, c1, out=tmp)  # c1/T
        a += tmp
        a += c2
        # L = (c7 - c1/T) / T + c3 + 2 c4 T + 3 c5 T^2 + 4 c6 T^3
        horner(dl, dpoly)
        dl += c3
        np.subtract(c7, tmp, out=ddl)
        ddl *= r
        dl += ddl
        # L' = (2 c1/T - c7) / T^2 + 2 c4 + 6 c5 T + 12 c6 T^2
        tmp *= 2.0
        tmp -= c7
        tmp *= r
        tmp *= r
        horner(ddl, ddpoly)
        ddl += 2.0 * c4
        ddl += tmp
        np.exp(a, out=a)  # p_ws(t*)
        np.subtract(p, a, out=q)
        np.divide(1.0, q, out=q)  # 1 / (p - p_ws)
        np.add(p, a, out=tmp)
        tmp *= q
        tmp *= dl
        tmp *= dl
        ddl += tmp  # L^2 (p + p_ws) / (p - p_ws) + L'
        a *= q
        a *= _MW_RATIO  # Ws*, eq. (20)
        np.multiply(a, p, out=tmp)
        tmp *= q  # u
        dl *= tmp  # dWs*/dt*
        ddl *= tmp  # d2Ws*/dt*2
        np.multiply(x, -a1, out=m)
        m += a0  # a0 - a1 t*
        np.multiply(m, a, out=tmp)
        np.multiply(k1, x, out=g)
        g += tmp
        g -= k0  # g
        np.multiply(m, dl, out=dg)
        np.multiply(a, a1, out=tmp)
        dg -= tmp
        dg += k1  # dg/dt*
        np.multiply(m, ddl, out=ddg)
        np.multiply(dl, 2.0 * a1, out=tmp)
        ddg -= tmp  # d2g/dt*2
        np.greater(g, 0.0, out=pos)  # the root is below t*
        np.copyto(hi_g, x, where=pos)
        np.logical_not(pos, out=pos)
        np.copyto(lo_g, x, where=pos)
        # Halley: t* - 2 g g' / (2 g'^2 - g g'')
        ddg *= g
        np.multiply(dg, dg, out=tmp)
        tmp *= 2.0
        tmp -= ddg
        dg *= g
        dg *= 2.0
        dg /= tmp
        np.subtract(x, dg, out=g)  # the Halley iterate
        np.greater_equal(g, lo_g, out=ok)
        np.less_equal(g, hi_g, out=pos)
        ok &= pos  # False also for NaN
        np.add(lo_g, hi_g, out=x)
        x *= 0.5  # bisection step, unless the Halley iterate is inside the bracket
        np.copyto(x, g, where=ok)
    return np.clip(x, lo, hi)


#: Distance [K] from a branch root within which a replayed bisection step
#: evaluates ``W(t, mid) > W`` itself instead of comparing ``mid`` with the root: 400
#: times the roots' worst error (2.6e-13 K, :data:`_WET_BULB_STEPS_WATER`) plus the
#: ~2e-14 K by which floating-point ``W`` can move the point where that comparison
#: flips; above the bisection's final bracket (7.3e-11 K), so only its last steps or
#: two evaluate ``W``.
_REPLAY_TOL_K = 1e-10


def _bisection_replay(t, w, p, ice_root, water_root):
    """The result of the 40-step bisection on ``[t - 80, t]``, replayed from the roots.

    The bisection sets ``hi = mid`` where ``W(t, mid) > W`` (eq. 35 for ``mid < 0``,
    eq. 33 else, :func:`humidity_ratio_from_wet_bulb`) and ``lo = mid`` otherwise; each
    branch being increasing, ``W(t, mid) > W`` exactly when ``mid`` lies above that
    branch's root (``ice_root`` / ``water_root``; +inf / -inf where the branch has
    none). So every step is that comparison of ``mid`` with the root of its side (the
    side chosen as the bisection chose it, ``mid < 0``), except within
    :data:`_REPLAY_TOL_K` of that root, where ``W(t, mid) > W`` is evaluated as the
    bisection evaluated it. The result is the bisection's to the last
    bit, whatever the roots' last bits, hence the same whatever the batch an element is
    solved in (the roots of a Newton-type iteration can differ in their last bits with
    the array layout; the comparisons do not). Where ``W`` has a root on both branches
    (air just above freezing) this keeps the root the bisection converged to.
    """
    n = t.size
    lo, hi = t - 80.0, t.copy()
    mid, d = np.empty(n), np.empty(n)
    side, flag = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
    for _ in range(_BISECTION_STEPS):
        np.add(lo, hi, out=mid)
        mid *= 0.5  # as the bisection: 0.5 * (lo + hi)
        np.less(mid, 0.0, out=side)  # the ice branch (eq. 35), as the bisection chose it
        np.copyto(d, water_root)
        np.copyto(d, ice_root, where=side)
        np.subtract(mid, d, out=d)  # mid - root of its side
        np.greater(d, 0.0, out=side)  # too wet: hi = mid
        np.abs(d, out=d)
        np.less_equal(d, _REPLAY_TOL_K, out=flag)
        near = np.flatnonzero(flag)
        if near.size:
            side[near] = humidity_ratio_from_wet_bulb(t[near], mid[near], p[near]) > w[near]
        np.copyto(hi, mid, where=side)
        np.logical_not(side, out=side)
        np.copyto(lo, mid, where=side)
    return 0.5 * (lo + hi)


def wet_bulb_from_dew_point(dry_bulb_c, dew_point_c, pressure_pa=_STD_P0_PA):
    """Thermodynamic wet-bulb temperature [C] from dry-bulb, dew point and pressure.

    The humidity ratio follows from the dew point (``p_w = p_ws(t_d)``, ASHRAE eq. 20);
    the wet-bulb ``t*`` solving ASHRAE eq. (33)/(35) for that humidity ratio is found by
    a safeguarded Halley (second-order Newton) iteration with a fixed number of steps
    (3 on the ice branch, 4 on the water branch), applied to whole arrays block by block
    (no per-element loop), converged to about 1e-12 K; see
    :func:`_wet_bulb_from_humidity_ratio`, also for air just above freezing, where
    eqs. (33) and (35) can both have a root.

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
