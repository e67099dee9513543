"""Response table of the hourly cooling designs: day terms from a day's mean and dew point.

On the hourly path of :func:`siting.model.footprint.cooling_profile`, a (site, month)
with mean dry-bulb ``T_m`` and mean wet-bulb is expanded into ``K = 24 x 5`` within-month
samples (:func:`siting.physics.hourly.hourly_samples`, ``wet_bulb='quadratic'``, fixed
diurnal range, day-to-day spread ``sd`` and standard pressure): 5 Gauss-Hermite day
nodes ``z_i`` (weights ``w_i``), each one day of 24 hours at the day mean
``T_m + sd z_i`` with the dew point ``dew_m + k sd z_i`` held through the day. ``dew_m``
is the month's mean dew point and ``k`` the site's dew-point anomaly slope
(:func:`siting.physics.hourly.dew_anomaly_slope` of the site's own 12 months, given by
the caller: it is a property of the site, not of a month). The month terms are::

    F(T_m, dew_m; k) = sum_i w_i G(T_m + sd z_i, dew_m + k sd z_i)

with ``G(T_day, dew_day) = (mean_h (1 + c_h), mean_h w_h)`` over the day's 24 hours
(:func:`day_terms_exact`; every hour of a day has the same weight). ``G`` depends only
on the day mean and the day dew point for given design parameters, so it is tabulated
once per design and parameter set and read by bilinear interpolation; ``k`` needs no
table axis and a month costs 5 lookups:

* grid: day-mean dry-bulb from :data:`DAY_T_RANGE_C` and day dew-point depression
  ``D = T_day - dew_day`` from :data:`DEP_RANGE_K` at :data:`STEP_K` in both directions.
  ``D`` starts at ``-DTR / 2``: a dew point at or above the day's warmest node is
  saturated at every hour, and ``G`` is constant below (depressions are clipped there);
* error control at build: ``G`` is also evaluated exactly at every cell centre; a cell
  whose centre differs from the bilinear value by more than :data:`CHECK_TOL` (or with a
  missing node) is *flagged*, and so are its 8 neighbours. ``G`` has kinks and small
  steps where hours cross plant thresholds (economizer limits, the humidity envelope of
  the air-side economizer, saturation, the ice/water switch of the psychrometric
  equations), and there the flagged cells send a day to the exact path;
* a day outside the grid or in a flagged cell is evaluated exactly; a missing value in
  either monthly mean gives NaN.

The month's mean dew point is computed exactly from its two means (no table), so the
ice/water switch of the wet-bulb equation at a monthly wet-bulb of 0 C needs no split.
Every operation is element-wise per day and per month, so a site gets the same numbers
(bit for bit) whichever other sites or months are in the batch and whichever command
computes it. Measured error against the exact path on random climates and slopes of
every hourly design (tested): ``|d(1 + c)| < 1e-3`` and ``|dw| < 0.005 L/kWh`` or 1 % of
``w``, see docs/method_model.md. Tables are built in memory once per process
(``functools.lru_cache``) and kept on disk under the user cache, keyed by a hash of the
source of every module that computes ``G`` and of the parameters
(``SITING_TABLE_CACHE=0`` disables the disk copy).

Further per-site inputs of the samples (pressure, diurnal range, spread) are not table
axes: the kernel uses their fixed defaults; per-site values would become extra axes (a
key of :func:`response_table`) or take the exact path.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import inspect
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from siting.physics.hourly import DEFAULT_DAY_SD_C, DEFAULT_DTR_C

if TYPE_CHECKING:  # pragma: no cover
    from siting.model.facility import Facility

__all__ = [
    "CHECK_TOL",
    "DAY_T_RANGE_C",
    "DEP_RANGE_K",
    "HOURLY_DAY_NODES",
    "STEP_K",
    "ResponseTable",
    "exact_evaluation",
    "day_anomalies",
    "day_terms",
    "day_terms_exact",
    "month_dew_point",
    "month_terms",
    "month_terms_exact",
    "response_table",
    "site_dew_slope",
]

#: day-mean dry-bulb axis [C]: monthly means from about -66 C (coldest month of any
#: station, Vostok) to 50 C, +/- the outer day node (2.86 sd = 8.6 K)
DAY_T_RANGE_C = (-76.0, 60.0)
#: day dew-point depression axis [K]: from -DTR/2 (every hour saturated) to 60 K (a
#: desert month's ~45 K plus the day anomaly (1 - k) sd z of a dry-air slope)
DEP_RANGE_K = (-0.5 * DEFAULT_DTR_C, 60.0)
#: grid step in both directions [K]
STEP_K = 0.25
#: centre-check tolerances (1 + c [-], w [L/kWh]): half the stated error bound
CHECK_TOL = (5e-4, 2.5e-3)
#: Gauss-Hermite day nodes of the within-month samples (K = 24 x nodes per month)
HOURLY_DAY_NODES = 5
#: days per chunk of the exact path (x 24 hourly samples)
EXACT_CHUNK = 65_536
#: pressure of the kernel's samples [Pa] (standard atmosphere, the sampler's default)
_P0_PA = 101_325.0


def day_anomalies() -> tuple[np.ndarray, np.ndarray]:
    """Day-mean anomalies ``sd z_i`` [K] and weights ``w_i`` (sum 1) of the day nodes.

    The same floats as :func:`siting.physics.hourly.hourly_samples` (probabilists'
    Gauss-Hermite rule of :data:`HOURLY_DAY_NODES` nodes, ``sd`` its default).
    """
    z, wz = np.polynomial.hermite_e.hermegauss(HOURLY_DAY_NODES)
    return np.asarray(DEFAULT_DAY_SD_C, dtype=float) * z, wz / wz.sum()


def month_dew_point(tdb, twb) -> np.ndarray:
    """Mean dew point [C] of months with mean dry-bulb ``tdb`` and wet-bulb ``twb`` [C].

    As :func:`siting.physics.hourly.hourly_samples` at 101,325 Pa: wet-bulb capped at the
    dry-bulb, humidity ratio (ASHRAE 2017 ch. 1 eq. 33/35), then its dew point.
    """
    from siting.physics.hourly import dew_point_from_humidity_ratio
    from siting.physics.psychrometrics import humidity_ratio_from_wet_bulb

    a = np.asarray(tdb, dtype=float)
    b = np.minimum(np.asarray(twb, dtype=float), a)
    return dew_point_from_humidity_ratio(humidity_ratio_from_wet_bulb(a, b, _P0_PA), _P0_PA)


def site_dew_slope(tdb, twb, dew=None) -> np.ndarray:
    """Per-site dew-point anomaly slope ``k`` (...,) from the site's 12 months (..., 12).

    :func:`siting.physics.hourly.dew_anomaly_slope` of the monthly means, as
    ``hourly_samples(..., dew_slope='fitted')`` computes it for one site's row (``dew``:
    the months' dew points if already known). A site without any finite month gives NaN.
    """
    import warnings

    from siting.physics.hourly import dew_anomaly_slope

    a = np.asarray(tdb, dtype=float)
    d = month_dew_point(a, twb) if dew is None else np.asarray(dew, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: NaN below
        return dew_anomaly_slope(a, d)


def day_terms_exact(t_day, dew_day, facility: Facility) -> tuple[np.ndarray, np.ndarray]:
    """``G``: means of ``(1 + c, w)`` over the 24 hours of days (module docstring).

    ``t_day`` day-mean dry-bulb and ``dew_day`` day dew point [C], any (equal) shape;
    the hours are :func:`siting.physics.hourly.day_hours` at the kernel's defaults.
    """
    from siting.physics.hourly import day_hours

    a = np.asarray(t_day, dtype=float)
    b = np.asarray(dew_day, dtype=float)
    shape = a.shape
    a, b = a.reshape(-1), b.reshape(-1)
    out_c, out_w = np.empty(a.size), np.empty(a.size)
    for s in range(0, a.size, EXACT_CHUNK):
        t, wb = day_hours(a[s : s + EXACT_CHUNK], b[s : s + EXACT_CHUNK], _P0_PA, DEFAULT_DTR_C)
        one_plus_c, w = facility.period_terms(t, wb)
        out_c[s : s + t.shape[0]] = one_plus_c.mean(axis=-1)
        out_w[s : s + t.shape[0]] = w.mean(axis=-1)
    return out_c.reshape(shape), out_w.reshape(shape)


@dataclass(frozen=True)
class ResponseTable:
    """``G`` on a regular grid: day mean ``t0 + i STEP_K``, depression ``d0 + j STEP_K``."""

    t0: float
    d0: float
    one_plus_c: np.ndarray  # (n_t, n_d)
    water: np.ndarray  # (n_t, n_d)
    exact: np.ndarray  # (n_t - 1, n_d - 1) bool: cells evaluated exactly

    def lookup(self, t_day: np.ndarray, dep: np.ndarray) -> tuple[np.ndarray, ...]:
        """Bilinear ``(1 + c, w)`` at ``(t_day, dep)`` (1-d) and the mask of usable points."""
        n_t, n_d = self.one_plus_c.shape
        fi = (t_day - self.t0) / STEP_K
        fj = (np.maximum(dep, self.d0) - self.d0) / STEP_K  # saturated below d0: constant
        with np.errstate(invalid="ignore"):
            inside = (fi >= 0) & (fi <= n_t - 1) & (fj >= 0) & (fj <= n_d - 1)
        i = np.clip(np.where(inside, fi, 0).astype(np.intp), 0, n_t - 2)
        j = np.clip(np.where(inside, fj, 0).astype(np.intp), 0, n_d - 2)
        ok = inside & ~self.exact[i, j]
        u = np.where(ok, fi - i, 0.0)
        v = np.where(ok, fj - j, 0.0)
        out = []
        for g in (self.one_plus_c, self.water):
            lo = g[i, j] + u * (g[i + 1, j] - g[i, j])
            hi = g[i, j + 1] + u * (g[i + 1, j + 1] - g[i, j + 1])
            out.append(lo + v * (hi - lo))
        return out[0], out[1], ok


def _build(facility: Facility) -> ResponseTable:
    """Evaluate ``G`` exactly at the nodes and cell centres of the grid; flag cells."""
    t = np.arange(DAY_T_RANGE_C[0], DAY_T_RANGE_C[1] + STEP_K / 2, STEP_K)
    d = np.arange(DEP_RANGE_K[0], DEP_RANGE_K[1] + STEP_K / 2, STEP_K)
    tt, dd = np.meshgrid(t, d, indexing="ij")
    c, w = day_terms_exact(tt, tt - dd, facility)
    tm, dm = np.meshgrid(t[:-1] + STEP_K / 2, d[:-1] + STEP_K / 2, indexing="ij")
    cm, wm = day_terms_exact(tm, tm - dm, facility)
    bad = np.zeros(cm.shape, dtype=bool)
    for g, gm, tol in ((c, cm, CHECK_TOL[0]), (w, wm, CHECK_TOL[1])):
        mean4 = 0.25 * (g[:-1, :-1] + g[1:, :-1] + g[:-1, 1:] + g[1:, 1:])
        with np.errstate(invalid="ignore"):
            bad |= ~(np.abs(mean4 - gm) <= tol)  # NaN anywhere flags the cell
    pad = np.pad(bad, 1)  # a flagged cell flags its 8 neighbours too
    n_i, n_j = bad.shape
    flagged = np.zeros_like(bad)
    for di in range(3):
        for dj in range(3):
            flagged |= pad[di : di + n_i, dj : dj + n_j]
    return ResponseTable(float(t[0]), float(d[0]), c, w, flagged)


# --------------------------------------------------------------------------------------
# memo: per process (lru_cache) and on disk (user cache)
# --------------------------------------------------------------------------------------

_SOURCE_MODULES = (
    "siting.model.cooling_table",
    "siting.model.facility",
    "siting.physics.hourly",
    "siting.physics.psychrometrics",
    "siting.physics.plants",
    "siting.physics.pue",
    "siting.physics.tower",
    "siting.physics.cooling",
)
#: layout version of the cached table (part of the key): 2 = day table G(T_day, D_day)
_TABLE_FORMAT = 2


def _table_key(facility: Facility) -> Facility:
    """The facility with the settings that do not enter ``G`` reset (the memo key)."""
    return replace(facility, building_embodied_t_per_mw=0.0)


def _digest(facility: Facility) -> str:
    """sha256 of the source of the modules computing ``G``, the grid and the facility."""
    import importlib

    h = hashlib.sha256()
    mods = [*_SOURCE_MODULES, facility.design.plant.__module__]
    for name in mods:
        h.update(inspect.getsource(importlib.import_module(name)).encode())
    grid = (_TABLE_FORMAT, DAY_T_RANGE_C, DEP_RANGE_K, STEP_K, CHECK_TOL, HOURLY_DAY_NODES)
    h.update(repr(grid).encode())
    h.update(repr(facility).encode())
    return h.hexdigest()[:32]


_FIELDS = ("t0", "d0", "one_plus_c", "water", "exact")


def _disk_cached(facility: Facility) -> ResponseTable:
    if os.environ.get("SITING_TABLE_CACHE", "1") in ("0", "false", "no"):
        return _build(facility)
    try:
        from siting.paths import user_cache_dir

        name = f"day-{facility.cooling}-{_digest(facility)}.npz"
        path = user_cache_dir() / "cooling_table" / name
    except Exception:  # noqa: BLE001 - no cache directory or no source: build in memory
        return _build(facility)
    if path.is_file():
        try:
            with np.load(path) as z:
                return ResponseTable(
                    float(z["t0"]), float(z["d0"]), z["one_plus_c"], z["water"], z["exact"]
                )
        except Exception:  # noqa: BLE001 - corrupt file: rebuild and overwrite
            pass
    table = _build(facility)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.savez(f, **{k: getattr(table, k) for k in _FIELDS})
        os.replace(tmp, path)
    except OSError:
        pass
    return table


@functools.lru_cache(maxsize=16)
def _memo(key: Facility) -> ResponseTable:
    return _disk_cached(key)


def response_table(facility: Facility) -> ResponseTable:
    """The response table of the facility's design and parameters (built once)."""
    return _memo(_table_key(facility))


#: set by :func:`exact_evaluation`: every day on the exact path
_EXACT = contextvars.ContextVar("siting_cooling_exact", default=False)


@contextlib.contextmanager
def exact_evaluation() -> Iterator[None]:
    """Evaluate every day exactly inside the block (no response table is built or read).

    For many one-off parameter sets on few sites, where building a table per parameter
    set would cost more than the exact path: the Monte Carlo and tornado draws of design
    parameters (:func:`siting.decide.uncertainty.assess_model`). Results differ from the
    table path by less than its stated error bound.
    """
    token = _EXACT.set(True)
    try:
        yield
    finally:
        _EXACT.reset(token)


def day_terms(t_day, dew_day, facility: Facility, *, exact: bool = False):
    """``G`` at day means ``t_day`` and day dew points ``dew_day`` [C] (1-d arrays).

    From the response table; days outside the grid or in a flagged cell (and every day
    with ``exact``, or inside :func:`exact_evaluation`) by :func:`day_terms_exact`.
    """
    if exact or _EXACT.get():
        return day_terms_exact(t_day, dew_day, facility)
    c, w, ok = response_table(facility).lookup(t_day, t_day - dew_day)
    rest = np.flatnonzero(~ok)
    if rest.size:
        c[rest], w[rest] = day_terms_exact(t_day[rest], dew_day[rest], facility)
    return c, w


def month_terms(tdb, twb, dew_slope, facility: Facility, *, exact: bool = False, dew=None):
    """Month means of ``(1 + c, w)`` at monthly means ``tdb``, ``twb`` [C], any shape.

    ``dew_slope``: the site's slope ``k`` broadcast against the months (e.g. shape
    (n, 1) for (n, 12) months, from :func:`site_dew_slope`). Five day terms per month
    (module docstring), from the table or exactly (``exact=True``: every day exactly).
    NaN in either mean gives NaN. ``dew``: the months' :func:`month_dew_point` if known.
    """
    a = np.asarray(tdb, dtype=float)
    b = np.asarray(twb, dtype=float)
    k = np.broadcast_to(np.asarray(dew_slope, dtype=float), a.shape).reshape(-1)
    shape = a.shape
    a, b = a.reshape(-1), b.reshape(-1)
    dew = month_dew_point(a, b) if dew is None else np.asarray(dew, dtype=float).reshape(-1)
    anomaly, wz = day_anomalies()
    t_day = (a[:, None] + anomaly).reshape(-1)  # (month, day) as hourly_samples
    dew_day = (dew[:, None] + k[:, None] * anomaly).reshape(-1)
    nan = np.isnan(a) | np.isnan(b)
    c, w = (np.full(t_day.size, np.nan) for _ in range(2))
    live = np.flatnonzero(~(np.repeat(nan, wz.size) | np.isnan(dew_day)))
    c[live], w[live] = day_terms(t_day[live], dew_day[live], facility, exact=exact)
    c = (c.reshape(-1, wz.size) * wz).sum(axis=-1)
    w = (w.reshape(-1, wz.size) * wz).sum(axis=-1)
    return c.reshape(shape), w.reshape(shape)


def month_terms_exact(tdb, twb, dew_slope, facility: Facility):
    """:func:`month_terms` with every day evaluated exactly (the table's reference)."""
    return month_terms(tdb, twb, dew_slope, facility, exact=True)
