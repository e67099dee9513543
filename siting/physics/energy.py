"""Fleet energy, commitment schedule, embodied carbon, grid trajectories and EWIF.

Plain vectorized numpy functions; units in names.

References
----------
.. [1] Patterson, D. et al. (2021). Carbon Emissions and Large Neural Network Training.
   arXiv:2104.10350 (energy = chips x hours x mean W x PUE; tCO2e = energy x intensity).
.. [2] Luccioni, A. S., Viguier, S., Ligozat, A.-L. (2023). Estimating the Carbon
   Footprint of BLOOM, a 176B Parameter Language Model. JMLR 24(253).
.. [3] Macknick, J., Newmark, R., Heath, G., Hallett, K. C. (2012). Operational water
   consumption and withdrawal factors for electricity generating technologies: a review
   of existing literature. Environ. Res. Lett. 7, 045802.
.. [4] Li, P., Yang, J., Islam, M. A., Ren, S. (2023). Making AI Less "Thirsty".
   arXiv:2304.03271 (U.S. average EWIF 3.14 L/kWh, after Reig et al. 2020, WRI).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "EWIF_FALLBACK_L_PER_KWH",
    "EWIF_FALLBACK_SOURCE",
    "HYDRO_EVAPORATION_DEFAULT",
    "HYDRO_EVAPORATION_MODES",
    "HYDRO_EVAPORATION_SOURCE",
    "L_PER_US_GALLON",
    "MIX_COLUMNS",
    "accelerator_energy_kwh",
    "co2_t",
    "commitment_schedule",
    "ewif_factors_for_mix",
    "ewif_from_mix",
    "gal_per_mwh_to_l_per_kwh",
    "grid_intensity_trajectory",
    "load_ewif_factors",
]

L_PER_US_GALLON = 3.785411784  # L per U.S. liquid gallon (exact, NIST HB 44 App. C)

# Fallback off-site water intensity where no fuel mix is known [L/kWh]: the U.S. average
# EWIF used by Li et al. (2023, arXiv:2304.03271), from Reig et al. (2020), WRI
# "Guidance for calculating water use embedded in purchased electricity".
EWIF_FALLBACK_L_PER_KWH = 3.14
EWIF_FALLBACK_SOURCE = (
    "assumption: U.S. average EWIF 3.14 L/kWh used by Li et al. (2023) arXiv:2304.03271 "
    "(after Reig et al. 2020, WRI); applied where no fuel mix or EWIF is known"
)

#: Off-site convention for hydropower: ``include`` charges reservoir evaporation to the
#: electricity generated (Macknick et al. 2012, Table 1: median 4,491 gal/MWh for
#: hydropower, evaporation allocated to generation); ``exclude`` sets the hydro factor to
#: zero, as Li et al. (2023, arXiv:2304.03271) do. The hydro share stays in the mix
#: (weight with factor 0): excluding evaporation does not move that generation elsewhere.
HYDRO_EVAPORATION_MODES = ("include", "exclude")
#: Default: include (the tool accounts for the whole committed footprint; evaporation
#: from reservoirs is consumed water, and the Macknick median is the published figure
#: the EWIF table is built on). Argued in docs/method_model.md.
HYDRO_EVAPORATION_DEFAULT = "include"
HYDRO_EVAPORATION_SOURCE = (
    "assumption: hydro reservoir evaporation charged to electricity (Macknick et al. 2012 "
    "Environ. Res. Lett. 7 045802, Table 1, median 4,491 gal/MWh); 'exclude' sets it to "
    "zero as Li et al. (2023) arXiv:2304.03271 do"
)

MIX_COLUMNS = (
    "mix_coal_pct",
    "mix_gas_pct",
    "mix_oil_pct",
    "mix_nuclear_pct",
    "mix_hydro_pct",
    "mix_wind_pct",
    "mix_solar_pct",
    "mix_biomass_pct",
    "mix_geothermal_pct",
    "mix_other_pct",
)


def accelerator_energy_kwh(n_accelerators, hours, mean_power_w, pue=1.0):
    """Energy drawn by accelerators over a period, at the facility meter [kWh].

    ``E = n x hours x mean_power_w / 1000 x PUE`` (Patterson et al. 2021, eq. 1).

    Parameters
    ----------
    n_accelerators : array_like
        Number of accelerators (GPUs / TPUs) [-].
    hours : array_like
        Duration [h].
    mean_power_w : array_like
        Mean power per accelerator including its share of host/network, as the study
        accounts for it [W].
    pue : array_like, default 1
        Power usage effectiveness [-].

    Returns
    -------
    numpy.ndarray
        Energy [kWh].

    References
    ----------
    .. [1] Patterson et al. (2021), arXiv:2104.10350.
    """
    return (
        np.asarray(n_accelerators, dtype=float)
        * np.asarray(hours, dtype=float)
        * np.asarray(mean_power_w, dtype=float)
        / 1000.0
        * np.asarray(pue, dtype=float)
    )


def co2_t(energy_mwh, intensity_g_per_kwh):
    """Emissions [tCO2e] of an energy use at a grid intensity.

    ``t = MWh x g/kWh / 1000`` (1 MWh x 1 g/kWh = 1 kg).

    References
    ----------
    .. [1] Patterson et al. (2021), arXiv:2104.10350.
    """
    return np.asarray(energy_mwh, dtype=float) * np.asarray(intensity_g_per_kwh, dtype=float) / 1e3


def gal_per_mwh_to_l_per_kwh(gal_per_mwh):
    """Convert a water factor from gal/MWh to L/kWh.

    ``L/kWh = gal/MWh x 3.785411784 L/gal / 1000 kWh/MWh``.
    """
    return np.asarray(gal_per_mwh, dtype=float) * L_PER_US_GALLON / 1000.0


def _default_data_dir() -> Path:
    try:
        from siting.paths import embedded_data_dir

        d = embedded_data_dir()
        if (d / "ewif_macknick2012.csv").is_file():
            return d
    except Exception:  # pragma: no cover - paths module unavailable
        pass
    return Path(__file__).resolve().parents[2] / "data"


@lru_cache(maxsize=4)
def _read_ewif(path: str) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["l_per_kwh"] = gal_per_mwh_to_l_per_kwh(df["gal_per_mwh"].to_numpy())
    return df


def load_ewif_factors(path: str | Path | None = None) -> pd.DataFrame:
    """Per-fuel operational water consumption factors (Macknick et al. 2012 medians).

    Returns a table with columns ``fuel``, ``mix_column``, ``technology_basis``,
    ``gal_per_mwh``, ``l_per_kwh`` (recomputed from gal/MWh) and ``source``.

    References
    ----------
    .. [1] Macknick et al. (2012), Environ. Res. Lett. 7, 045802, Tables 1-2.
    """
    p = Path(path) if path is not None else _default_data_dir() / "ewif_macknick2012.csv"
    return _read_ewif(str(p)).copy()


def ewif_factors_for_mix(
    mix_columns, hydro_evaporation: str = HYDRO_EVAPORATION_DEFAULT, path=None
) -> np.ndarray:
    """Per-fuel EWIF factors [L/kWh] aligned with ``mix_columns`` under a hydro convention.

    Columns without a factor (``mix_other_pct``) get NaN (left out of the weighting by
    :func:`ewif_from_mix`). With ``hydro_evaporation="exclude"`` the hydro factor is 0
    (Li et al. 2023), so the hydro share still counts in the mix but adds no water.

    Raises
    ------
    ValueError
        Unknown ``hydro_evaporation``.
    """
    if hydro_evaporation not in HYDRO_EVAPORATION_MODES:
        raise ValueError(
            f"hydro_evaporation must be one of {HYDRO_EVAPORATION_MODES}, got {hydro_evaporation!r}"
        )
    factors = load_ewif_factors(path).set_index("mix_column")["l_per_kwh"]
    f = np.array([factors.get(c, np.nan) for c in mix_columns], dtype=float)
    if hydro_evaporation == "exclude":
        f[[c == "mix_hydro_pct" for c in mix_columns]] = 0.0
    return f


def ewif_from_mix(mix_pct, factors_l_per_kwh):
    """Off-site water intensity of electricity [L/kWh] from a generation mix.

    ``EWIF = sum_k share_k x f_k / sum_k share_k`` over the fuels with a known share;
    shares that do not sum to 100 (rounding, an ``other`` category without a factor) are
    renormalized over the known ones. NaN where no share is known or all are zero.

    Parameters
    ----------
    mix_pct : array_like, shape (n, k)
        Shares of generation [%] per fuel (NaN = unknown).
    factors_l_per_kwh : array_like, shape (k,)
        Water consumption factor per fuel [L/kWh]; NaN marks a category without a
        factor (e.g. ``other``), which is then left out of the weighting.

    Returns
    -------
    numpy.ndarray, shape (n,)
        EWIF [L/kWh].

    References
    ----------
    .. [1] Macknick et al. (2012), Environ. Res. Lett. 7, 045802.
    """
    mix = np.asarray(mix_pct, dtype=float)
    f = np.asarray(factors_l_per_kwh, dtype=float)
    use = np.isfinite(mix) & np.isfinite(f)[None, :] & (mix >= 0)
    w = np.where(use, mix, 0.0)
    total = w.sum(axis=1)
    num = (w * np.where(np.isfinite(f), f, 0.0)[None, :]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, num / total, np.nan)


def grid_intensity_trajectory(intensity_g_per_kwh, n_years, decarbonization_per_yr=0.0):
    """Grid carbon intensity per year of the commitment [gCO2e/kWh], shape (n, n_years).

    ``g(y) = g0 x (1 - r)^y`` for year index y = 0 .. n_years-1 (compound decline at
    rate r per year; negative r means a grid getting dirtier). A 2-D input of shape
    (n, n_years) is returned unchanged (an explicit table by year).

    References
    ----------
    .. [1] GHG Protocol (2015). Scope 2 Guidance (location-based method).
    """
    g = np.asarray(intensity_g_per_kwh, dtype=float)
    if g.ndim == 2:
        if g.shape[1] != n_years:
            raise ValueError(f"grid table has {g.shape[1]} years, expected {n_years}")
        return g
    factor = (1.0 - float(decarbonization_per_yr)) ** np.arange(n_years, dtype=float)
    return g[:, None] * factor[None, :]


def _overlap(a0, a1, b0, b1):
    return np.maximum(0.0, np.minimum(a1, b1) - np.maximum(a0, b0))


def commitment_schedule(
    commitment_years: int,
    product_years: float | None,
    after: str,
    refresh_years: float,
    retenant_fraction: float = 0.0,
    retenant_delay_years: float = 0.0,
) -> dict[str, np.ndarray]:
    """Fraction of each commitment year spent in each fleet state, and GPU purchases.

    States (fractions of year y, summing to 1):

    * ``alive`` -- the product runs the whole fleet: [0, P),
    * ``idle`` -- whole fleet powered at its idle floor: [P, T) for ``after='idle'``,
      [P, P + delay) for ``'retenant'``,
    * ``leased`` -- after the re-lease delay: a ``retenant_fraction`` of the fleet runs
      for a new tenant, the rest idles: [P + delay, T) for ``'retenant'``,
    * ``off`` -- fleet powered down, facility kept: [P, T) for ``'power_down'``.

    Purchases: the whole fleet at t = 0 and every ``refresh_years`` while the product
    lives; for ``'retenant'`` the re-leased fraction keeps being refreshed on the same
    cadence once leased; nothing is bought for an idle or powered-down fleet. Each purchase
    is booked in year ``floor(t)``.

    Returns
    -------
    dict of numpy.ndarray, each shape (commitment_years,)
        ``alive``, ``idle``, ``leased``, ``off`` (fractions of the year),
        ``purchases`` (fleet-equivalents bought), ``purchases_after`` (the part bought
        after the product was shut down).
    """
    t_end = float(commitment_years)
    p = t_end if product_years is None else float(product_years)
    y0 = np.arange(commitment_years, dtype=float)
    y1 = y0 + 1.0
    alive = _overlap(y0, y1, 0.0, p)
    zeros = np.zeros(commitment_years)
    idle, leased, off = zeros.copy(), zeros.copy(), zeros.copy()
    if p < t_end:
        if after == "idle":
            idle = _overlap(y0, y1, p, t_end)
        elif after == "power_down":
            off = _overlap(y0, y1, p, t_end)
        elif after == "retenant":
            start = min(p + float(retenant_delay_years), t_end)
            idle = _overlap(y0, y1, p, start)
            leased = _overlap(y0, y1, start, t_end)
        else:  # pragma: no cover - validated by Scenario
            raise ValueError(f"unknown after-product mode {after!r}")
    purchases = zeros.copy()
    purchases_after = zeros.copy()
    n_buys = math.ceil(t_end / refresh_years - 1e-9)
    for k in range(max(n_buys, 1)):
        t = k * refresh_years
        if t >= t_end:
            break
        year = int(math.floor(t + 1e-9))
        if t < p - 1e-9:
            purchases[year] += 1.0
        elif after == "retenant" and t >= p + retenant_delay_years - 1e-9:
            purchases[year] += retenant_fraction
            purchases_after[year] += retenant_fraction
    return {
        "alive": alive,
        "idle": idle,
        "leased": leased,
        "off": off,
        "purchases": purchases,
        "purchases_after": purchases_after,
    }
