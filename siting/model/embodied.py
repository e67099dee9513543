"""Embodied carbon of the GPU fleet per commitment year, in two accounting conventions.

* ``purchase``: each purchase is charged whole in the year it is bought (the default for
  a committed facility: the hardware is bought for it).
* ``amortized``: the embodied carbon of the hardware is spread over its service life
  (the refresh cycle) and charged by use share: year ``y`` carries
  ``E x (alive_y + r x leased_y) / L``, with ``E`` the fleet's embodied carbon [tCO2e],
  ``L`` the service life [years], ``alive_y`` the fraction of the year the product runs,
  ``leased_y`` the re-leased fraction ``r``. A job shorter than the life is charged its
  share: 512 GPUs for 20.4 days with a 5-year life carry ``20.4 / (5 x 365)`` of their
  embodied carbon (LLMCarbon, Faiz et al. 2024: embodied carbon x the job's share of the
  hardware lifetime; BLOOM, Luccioni et al. 2023: embodied carbon amortized by use).

References
----------
.. [1] Faiz, A. et al. (2024). LLMCarbon: Modeling the end-to-end carbon footprint of
   large language models. ICLR 2024, arXiv:2309.14393 (embodied = time share x CO2 of
   the hardware over its lifetime).
.. [2] Luccioni, A. S., Viguier, S., Ligozat, A.-L. (2023). Estimating the Carbon
   Footprint of BLOOM. JMLR 24(253) (embodied carbon amortized over the hardware life).
"""

from __future__ import annotations

import numpy as np

EMBODIED_CONVENTIONS = ("purchase", "amortized")
DAYS_PER_YEAR = 365.0  # days in a 365-day year, as the usage-share example is written


def amortized_embodied_t(n_gpus, kg_per_gpu, use_days, life_years):
    """Embodied carbon charged to a use of ``use_days`` of hardware living ``life_years``.

    ``t = n x kg / 1000 x use_days / (life_years x 365)`` [tCO2e].
    """
    return (
        np.asarray(n_gpus, dtype=float)
        * np.asarray(kg_per_gpu, dtype=float)
        / 1e3
        * np.asarray(use_days, dtype=float)
        / (np.asarray(life_years, dtype=float) * DAYS_PER_YEAR)
    )


def embodied_by_year(
    sched: dict[str, np.ndarray],
    n_gpus: int,
    kg_per_gpu: float,
    life_years: float,
    retenant_fraction: float,
    building_t: float,
) -> dict[str, np.ndarray]:
    """Embodied carbon per commitment year [tCO2e] in both conventions, and the parts
    incurred after the product is shut down.

    Returns ``purchase``, ``purchase_after``, ``amortized``, ``amortized_after`` (each
    shape (commitment_years,)); the building (``building_t``) is charged in year 0 in
    both conventions.
    """
    fleet_t = int(n_gpus) * float(kg_per_gpu) / 1e3
    purchase = sched["purchases"] * fleet_t
    purchase_after = sched["purchases_after"] * fleet_t
    leased = float(retenant_fraction) * sched["leased"]
    amortized = fleet_t * (sched["alive"] + leased) / float(life_years)
    amortized_after = fleet_t * leased / float(life_years)
    purchase = purchase.copy()
    purchase[0] += building_t
    amortized = amortized.copy()
    amortized[0] += building_t
    return {
        "purchase": purchase,
        "purchase_after": purchase_after,
        "amortized": amortized,
        "amortized_after": amortized_after,
    }
