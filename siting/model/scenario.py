"""The :class:`Scenario`: commitment, product life, after-product mode, contracts, trends."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.errors import ConfigError
from siting.model.embodied import EMBODIED_CONVENTIONS
from siting.model.fleet import _check_choice, _check_number
from siting.model.pathways import PATHWAY_SCENARIOS
from siting.physics.energy import (
    HYDRO_EVAPORATION_DEFAULT,
    HYDRO_EVAPORATION_MODES,
    HYDRO_EVAPORATION_SOURCE,
)

AFTER_MODES = ("idle", "retenant", "power_down")

DEFAULT_PRICE_USD_PER_MWH = 80.0
DEFAULT_PRICE_SOURCE = (
    "assumption: about the U.S. average industrial retail price, ~8 US cents/kWh in 2023 "
    "(EIA Electric Power Monthly, Table 5.3)"
)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """Commitment, product life, after-product mode, contracts and trends.

    Parameters
    ----------
    commitment_years : int
        Facility / power-contract life [years], 1-60.
    product_years : float or None
        When the product the fleet was bought for is shut down [years from start],
        (0, commitment_years]; None = it survives the commitment.
    after : {'idle', 'retenant', 'power_down'}
        After the product: fleet kept powered at its idle floor; a fraction re-leased
        after a delay (the rest idles); or fleet off (facility baseline and a take-or-pay
        minimum energy charge remain).
    start_year : int
        First calendar year of the commitment.
    retenant_fraction, retenant_delay_years : float
        Share of the fleet re-leased [0, 1] and delay before it is [years].
    take_or_pay_fraction : float
        Minimum energy paid each period as a fraction of the energy the facility draws
        while the product runs, [0, 1]; affects cost only.
    carbon_free_share : float
        Contracted carbon-free share of consumption (PPAs) for market-based scope 2, [0, 1].
    grid_decarbonization_per_yr : float
        Compound yearly decline of grid intensity, [-0.5, 1].
    price_escalation_per_yr : float
        Compound yearly electricity price change, [-0.5, 1].
    warming_c_per_decade : float
        Climate trend added to dry- and wet-bulb [C per decade], [-2, 5].
    price_usd_per_mwh_default : float
        Electricity price assumed where a site has none [$/MWh], (0, 10000].
    grid_pathway : str
        ``'current'`` (intensity held at the grid layer's value, or declining at
        ``grid_decarbonization_per_yr``) or a published pathway scenario of
        :data:`siting.model.pathways.PATHWAY_SCENARIOS` (per-region yearly intensity,
        docs/method_pathways.md). A non-zero ``grid_decarbonization_per_yr`` overrides it.
    embodied : {'purchase', 'amortized'}
        Embodied-carbon convention: each purchase charged whole in its year, or spread
        over the service life (``refresh_years``) by use share
        (:mod:`siting.model.embodied`).
    hydro_evaporation : {'include', 'exclude'}
        Off-site water convention for hydropower: reservoir evaporation charged to the
        electricity (Macknick et al. 2012 median, default) or set to zero (Li et al. 2023).
        Applies where EWIF is computed from a fuel mix.
    """

    commitment_years: int = 15
    product_years: float | None = None
    after: str = "idle"
    start_year: int = 2026
    retenant_fraction: float = 0.5
    retenant_delay_years: float = 1.0
    take_or_pay_fraction: float = 0.0
    carbon_free_share: float = 0.0
    grid_decarbonization_per_yr: float = 0.0
    price_escalation_per_yr: float = 0.0
    warming_c_per_decade: float = 0.0
    price_usd_per_mwh_default: float = DEFAULT_PRICE_USD_PER_MWH
    grid_pathway: str = "current"
    embodied: str = "purchase"
    hydro_evaporation: str = HYDRO_EVAPORATION_DEFAULT

    def __post_init__(self):
        cy = self.commitment_years
        if isinstance(cy, bool) or not isinstance(cy, (int, np.integer)) or not 1 <= cy <= 60:
            if isinstance(cy, float) and cy.is_integer() and 1 <= cy <= 60:
                object.__setattr__(self, "commitment_years", int(cy))
            else:
                raise ConfigError(
                    f"must be a whole number of years in [1, 60], got {cy!r}",
                    field="commitment_years",
                )
        if self.product_years is not None:
            _check_number("product_years", self.product_years, 0.0, 1e9, lo_open=True)
            if float(self.product_years) > self.commitment_years:
                raise ConfigError(
                    f"{self.product_years!r} exceeds commitment_years "
                    f"({self.commitment_years}); allowed range (0, {self.commitment_years}]",
                    field="product_years",
                )
        _check_choice("after", self.after, AFTER_MODES)
        _check_choice("hydro_evaporation", self.hydro_evaporation, HYDRO_EVAPORATION_MODES)
        sy = self.start_year
        if isinstance(sy, bool) or not isinstance(sy, (int, np.integer)) or not 1990 <= sy <= 2100:
            raise ConfigError(f"must be a year in [1990, 2100], got {sy!r}", field="start_year")
        _check_number("retenant_fraction", self.retenant_fraction, 0.0, 1.0)
        _check_number(
            "retenant_delay_years", self.retenant_delay_years, 0.0, float(self.commitment_years)
        )
        _check_number("take_or_pay_fraction", self.take_or_pay_fraction, 0.0, 1.0)
        _check_number("carbon_free_share", self.carbon_free_share, 0.0, 1.0)
        _check_number("grid_decarbonization_per_yr", self.grid_decarbonization_per_yr, -0.5, 1.0)
        _check_number("price_escalation_per_yr", self.price_escalation_per_yr, -0.5, 1.0)
        _check_number("warming_c_per_decade", self.warming_c_per_decade, -2.0, 5.0)
        _check_number(
            "price_usd_per_mwh_default", self.price_usd_per_mwh_default, 0.0, 1e4, lo_open=True
        )
        _check_choice("grid_pathway", self.grid_pathway, PATHWAY_SCENARIOS)
        _check_choice("embodied", self.embodied, EMBODIED_CONVENTIONS)

    @property
    def years(self) -> np.ndarray:
        """Calendar years of the commitment."""
        return self.start_year + np.arange(self.commitment_years)


_SCENARIO_SOURCES = {
    "commitment_years": ("years", "assumption (15-year example commitment)"),
    "product_years": ("years", "assumption: the product survives the commitment"),
    "after": ("-", "assumption"),
    "start_year": ("year", "assumption"),
    "retenant_fraction": ("-", "assumption"),
    "retenant_delay_years": ("years", "assumption"),
    "take_or_pay_fraction": ("-", "assumption: no minimum energy charge"),
    "carbon_free_share": ("-", "assumption: no contracted carbon-free energy"),
    "grid_decarbonization_per_yr": ("1/yr", "assumption: constant grid intensity"),
    "price_escalation_per_yr": ("1/yr", "assumption: constant real price"),
    "warming_c_per_decade": ("C/decade", "assumption: no warming trend (default 0)"),
    "price_usd_per_mwh_default": ("USD/MWh", DEFAULT_PRICE_SOURCE),
    "grid_pathway": ("-", "assumption: grid intensity held at its current value"),
    "embodied": ("-", "assumption: purchases charged whole (committed facility)"),
    "hydro_evaporation": ("-", HYDRO_EVAPORATION_SOURCE),
}
