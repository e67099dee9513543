"""Response table of the hourly cooling designs: month terms from the two monthly means.

On the hourly path of :func:`siting.model.footprint.cooling_profile`, a (site, month)
with mean dry-bulb ``T`` and mean wet-bulb ``T_wb`` is expanded into ``K = 24 x 5``
within-month samples (:func:`siting.physics.hourly.hourly_samples`: fixed diurnal
range, day-to-day spread and standard pressure) and the plant is evaluated on each.
The hour-weighted month means::

    F(T, D) = (sum_k h_k (1 + c_k) / sum_k h_k,  sum_k h_k w_k / sum_k h_k)

depend only on ``T`` and the wet-bulb depression ``D = T - min(T_wb, T)`` for given
design parameters (every month has the same within-month hour shares). They are
tabulated once per design and parameter set and read by bilinear interpolation:

* grid: wet-bulb ``T_wb = T - D`` from :data:`TWB_RANGE_C` (-66..50 C) and ``D`` from
  :data:`DEP_RANGE_K` (0..36 K) at :data:`STEP_K` (0.25 K) in both directions, in two
  pieces split at ``T_wb = 0`` (the psychrometric equations switch from water to ice
  there and ``F`` steps; the piece below ends with the limit from below);
* error control at build: ``F`` is also evaluated exactly at every cell centre; a cell
  whose centre differs from the bilinear value by more than :data:`CHECK_TOL` (or
  with a missing node) is *flagged*, and so are its 8 neighbours. ``F`` has kinks and
  small steps where samples cross plant thresholds (economizer limits, the humidity
  envelope of the air-side economizer, saturation of the samples, the ice/water switch
  of the wet-bulb equations), and there the flagged cells send a month to the exact
  path;
* a month outside the grid or in a flagged cell is evaluated exactly
  (:func:`month_terms_exact`); a missing value in either mean gives NaN.

The table is used at every input size, so a site gets the same numbers whichever
command computes it. Measured error against the exact path on random climates of
every hourly design (tested): ``|d(1 + c)| < 1e-3`` and ``|dw| < 0.005 L/kWh`` or
1 % of ``w``, see docs/method_model.md. Tables are built in memory once per process
(``functools.lru_cache``) and kept on disk under the user cache, keyed by a hash of
the source of every module that computes ``F`` and of the parameters
(``SITING_TABLE_CACHE=0`` disables the disk copy).

Further per-site inputs of the samples (pressure, diurnal range, spread) are not
table axes: the kernel calls the samples with their fixed defaults; per-site values
would become extra axes (a key of :func:`response_table`) or take the exact path.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from siting.model.facility import Facility

__all__ = [
    "CHECK_TOL",
    "DEP_RANGE_K",
    "STEP_K",
    "TWB_RANGE_C",
    "ResponseTable",
    "month_terms",
    "month_terms_exact",
    "response_table",
]

#: wet-bulb axis of the table [C] (dry-bulb = wet-bulb + depression): monthly means
#: from -66 C (about the coldest month of any station, Vostok) to 50 C
TWB_RANGE_C = (-66.0, 50.0)
#: wet-bulb depression axis [K]: monthly means of the driest deserts stay below ~30 K
DEP_RANGE_K = (0.0, 36.0)
#: grid step in both directions [K]
STEP_K = 0.25
#: centre-check tolerances (1 + c [-], w [L/kWh]): half the stated error bound
CHECK_TOL = (5e-4, 2.5e-3)
#: Gauss-Hermite day nodes of the within-month samples (K = 24 x nodes per month)
HOURLY_DAY_NODES = 5
#: (site, month) values per chunk of the exact path: 1,024 x 12 x 120 samples
EXACT_CHUNK = 12 * 1_024


def month_terms_exact(tdb, twb, facility: Facility) -> tuple[np.ndarray, np.ndarray]:
    """Hour-weighted month means of ``(1 + c, w)`` on the within-month samples.

    ``tdb``, ``twb`` [C] of any (equal) shape, one monthly mean per element; every month
    has the same within-month hour shares, so months are packed 12 to a row of
    :func:`siting.physics.hourly.hourly_samples` in chunks of :data:`EXACT_CHUNK`.
    """
    from siting.physics.hourly import hourly_samples

    a = np.asarray(tdb, dtype=float)
    b = np.asarray(twb, dtype=float)
    shape = a.shape
    a, b = a.reshape(-1), b.reshape(-1)
    out_c, out_w = np.empty(a.size), np.empty(a.size)
    for s in range(0, a.size, EXACT_CHUNK):
        x, y = a[s : s + EXACT_CHUNK], b[s : s + EXACT_CHUNK]
        n = x.size
        rows = -(-n // 12)
        xp, yp = np.full(rows * 12, 10.0), np.full(rows * 12, 5.0)  # padding: a mild month
        xp[:n], yp[:n] = x, y
        smp = hourly_samples(
            xp.reshape(rows, 12),
            yp.reshape(rows, 12),
            n_days=HOURLY_DAY_NODES,
            wet_bulb="quadratic",
        )
        hrs = smp["hours"][0, 0]  # (K,): every month has the same hour shares; one
        wts = hrs / hrs.sum()  # set of weights keeps a month's value position-independent
        one_plus_c, w = facility.period_terms(smp["dry_bulb_c"], smp["wet_bulb_c"])
        out_c[s : s + n] = (one_plus_c * wts).sum(axis=-1).reshape(-1)[:n]
        out_w[s : s + n] = (w * wts).sum(axis=-1).reshape(-1)[:n]
    return out_c.reshape(shape), out_w.reshape(shape)


@dataclass(frozen=True)
class _Piece:
    """``F`` on one regular grid: wet-bulb ``x0 + i STEP_K``, depression ``j STEP_K``."""

    x0: float
    one_plus_c: np.ndarray  # (n_x, n_d)
    water: np.ndarray  # (n_x, n_d)
    exact: np.ndarray  # (n_x - 1, n_d - 1) bool: cells evaluated exactly

    def lookup(self, twb: np.ndarray, dep: np.ndarray) -> tuple[np.ndarray, ...]:
        """Bilinear values at ``(twb, dep)`` (1-d) and the mask of usable points."""
        n_x, n_d = self.one_plus_c.shape
        fi = (twb - self.x0) / STEP_K
        fj = (dep - DEP_RANGE_K[0]) / STEP_K
        with np.errstate(invalid="ignore"):
            inside = (fi >= 0) & (fi <= n_x - 1) & (fj >= 0) & (fj <= n_d - 1)
        i = np.clip(np.where(inside, fi, 0).astype(np.intp), 0, n_x - 2)
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


@dataclass(frozen=True)
class ResponseTable:
    """``F`` below and above a monthly wet-bulb of 0 C (module docstring)."""

    below: _Piece  # wet-bulb < 0 C
    above: _Piece  # wet-bulb >= 0 C

    def lookup(self, twb: np.ndarray, dep: np.ndarray) -> tuple[np.ndarray, ...]:
        """Bilinear ``(1 + c, w)`` at ``(twb, dep)`` (1-d) and the mask of usable points."""
        c_lo, w_lo, ok_lo = self.below.lookup(twb, dep)
        c_hi, w_hi, ok_hi = self.above.lookup(twb, dep)
        up = twb >= 0.0
        return np.where(up, c_hi, c_lo), np.where(up, w_hi, w_lo), np.where(up, ok_hi, ok_lo)


def _piece(x: np.ndarray, x_end: float, facility: Facility) -> _Piece:
    """Evaluate ``F`` exactly at the nodes and cell centres of one piece; flag cells.

    ``x`` are the wet-bulb nodes; the last one is evaluated at ``x_end`` (the limit
    from below at 0 C for the piece below freezing).
    """
    d = np.arange(DEP_RANGE_K[0], DEP_RANGE_K[1] + STEP_K / 2, STEP_K)
    xe = x.copy()
    xe[-1] = x_end
    xx, dd = np.meshgrid(xe, d, indexing="ij")
    c, w = month_terms_exact(xx + dd, xx, facility)
    xm, dm = np.meshgrid(x[:-1] + STEP_K / 2, d[:-1] + STEP_K / 2, indexing="ij")
    cm, wm = month_terms_exact(xm + dm, xm, facility)
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
    return _Piece(float(x[0]), c, w, flagged)


def _build(facility: Facility) -> ResponseTable:
    """Both pieces of the table (module docstring)."""
    lo, hi = TWB_RANGE_C
    below = np.arange(lo, STEP_K / 2, STEP_K)  # ..., -STEP_K, 0 (limit from below)
    above = np.arange(0.0, hi + STEP_K / 2, STEP_K)
    return ResponseTable(_piece(below, -1e-9, facility), _piece(above, float(above[-1]), facility))


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


def _table_key(facility: Facility) -> Facility:
    """The facility with the settings that do not enter ``F`` reset (the memo key)."""
    return replace(facility, building_embodied_t_per_mw=0.0)


def _digest(facility: Facility) -> str:
    """sha256 of the source of the modules computing ``F``, the grid and the facility."""
    import importlib

    h = hashlib.sha256()
    mods = [*_SOURCE_MODULES, facility.design.plant.__module__]
    for name in mods:
        h.update(inspect.getsource(importlib.import_module(name)).encode())
    h.update(repr((TWB_RANGE_C, DEP_RANGE_K, STEP_K, CHECK_TOL, HOURLY_DAY_NODES)).encode())
    h.update(repr(facility).encode())
    return h.hexdigest()[:32]


def _disk_cached(facility: Facility) -> ResponseTable:
    if os.environ.get("SITING_TABLE_CACHE", "1") in ("0", "false", "no"):
        return _build(facility)
    try:
        from siting.paths import user_cache_dir

        path = user_cache_dir() / "cooling_table" / f"{facility.cooling}-{_digest(facility)}.npz"
    except Exception:  # noqa: BLE001 - no cache directory or no source: build in memory
        return _build(facility)
    if path.is_file():
        try:
            with np.load(path) as z:
                pieces = [
                    _Piece(float(z[f"{k}_x0"]), z[f"{k}_c"], z[f"{k}_w"], z[f"{k}_exact"])
                    for k in ("below", "above")
                ]
            return ResponseTable(*pieces)
        except Exception:  # noqa: BLE001 - corrupt file: rebuild and overwrite
            pass
    table = _build(facility)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            arrays = {}
            for k in ("below", "above"):
                pc = getattr(table, k)
                arrays.update(
                    {f"{k}_x0": pc.x0, f"{k}_c": pc.one_plus_c, f"{k}_w": pc.water},
                    **{f"{k}_exact": pc.exact},
                )
            np.savez(f, **arrays)
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


def month_terms(tdb, twb, facility: Facility, *, exact: bool = False):
    """Month means of ``(1 + c, w)`` at monthly means ``tdb``, ``twb`` [C], any shape.

    From the response table (module docstring); months outside the grid or in a
    flagged cell by :func:`month_terms_exact`. ``exact=True``: every month exactly.
    NaN in either input gives NaN.
    """
    a = np.asarray(tdb, dtype=float)
    b = np.asarray(twb, dtype=float)
    shape = a.shape
    a, b = a.reshape(-1), b.reshape(-1)
    if exact:
        c, w = month_terms_exact(a, b, facility)
        return c.reshape(shape), w.reshape(shape)
    nan = np.isnan(a) | np.isnan(b)
    b = np.minimum(b, a)  # as the samples: wet-bulb at most the dry-bulb
    c, w, ok = response_table(facility).lookup(b, a - b)
    rest = np.flatnonzero(~ok & ~nan)
    if rest.size:
        c[rest], w[rest] = month_terms_exact(a[rest], b[rest], facility)
    c[nan] = np.nan
    w[nan] = np.nan
    return c.reshape(shape), w.reshape(shape)
