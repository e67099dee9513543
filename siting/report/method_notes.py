"""Method notes printed at the end of every report: equations and references.

A condensed copy of ``docs/method_model.md``, ``docs/method_water_stress.md``,
``docs/method_price.md`` and the ranking method of :mod:`siting.decide.rank`. Kept as
plain text (no markup) so the HTML template escapes it like any other text; when the
method documents change, change this file with them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NOTES", "REFERENCES", "Note"]


@dataclass(frozen=True)
class Note:
    """One section of the method notes.

    Parameters
    ----------
    title
        Section heading.
    paragraphs
        Plain-text paragraphs.
    equations
        Plain-text equations, shown preformatted.
    """

    title: str
    paragraphs: tuple[str, ...] = ()
    equations: tuple[str, ...] = ()


NOTES: tuple[Note, ...] = (
    Note(
        "What is counted",
        (
            "Every number is the committed footprint of one GPU fleet at one site over the "
            "whole commitment of the facility and its power contract, split into the part "
            "incurred while the AI product the fleet was bought for runs and the part "
            "incurred after it is shut down (the facility keeps drawing power, water and "
            "money for a product that no longer exists). Years run from start_year to "
            "start_year + commitment_years - 1; every climate-dependent quantity is an "
            "hour-weighted mean over the periods of a typical year (12 months or 8,760 "
            "hours).",
        ),
    ),
    Note(
        "Fleet power and the commitment schedule",
        (
            "Design IT capacity D = gpus x system power per GPU (catalog, incl. host and "
            "network share). While the product runs the load fraction is "
            "u = max(utilization, idle_fraction); after it: idle (f_idle), re-let "
            "(r u + (1 - r) f_idle after a delay) or powered down (0). A year the product "
            "dies in is split by the overlap of the states. The fleet is bought at t = 0 and "
            "at every refresh while the product lives; embodied carbon is charged at each "
            "purchase (default), or amortized: spread over the refresh life by use share, "
            "E x (alive + r x leased) / refresh_years per year (LLMCarbon, Faiz et al. "
            "2024; BLOOM, Luccioni et al. 2023). Both are reported.",
        ),
        (
            "E_IT(y) = D x 8760 h x sum_s frac_s,y L_s",
            "co2_embodied(y) = purchases(y) x gpus x embodied_kg_per_gpu / 1000",
        ),
    ),
    Note(
        "Facility power and PUE (Rasmussen 2011; ASHRAE 90.1-2019)",
        (
            "Losses fixed with the design capacity plus losses proportional to load; "
            "cooling proportional to the heat. A chiller runs at a fixed fraction eta of "
            "the Carnot COP between its refrigerant temperatures: evaporating 2 K below "
            "the leaving chilled fluid (5 K below the air of a DX coil) and condensing 2 K "
            "above the leaving condenser water or 16.7 K above the air of an air-cooled "
            "condenser (Modelica Buildings defaults; ASHRAE 90.1-2019 condenser rating). "
            "eta is calibrated to the ASHRAE 90.1-2019 minimum efficiencies at their "
            "rating points (0.722 water-cooled, 0.501 air-cooled), so a small lift is "
            "never nearly free. Dry-cooler fans follow the fan laws: power rises with the "
            "cube of the airflow the coil needs as the air approaches the fluid "
            "temperature, up to the design airflow. The fan/pump fraction of each preset "
            "is calibrated to a fleet PUE (hyperscale 1.10, Google 2023; enterprise 1.58, "
            "Uptime Institute 2023) in a temperate reference climate at load 0.76.",
        ),
        (
            "heat(L) = L (1 + d_prop) + d_fixed + misc_fixed",
            "facility(L, t) = heat(L) x (1 + fan_pump_fraction + fans_dry(t) + m(t) / COP(t))",
            "1 / COP = max(T_cond,ref - T_evap,ref, 0) / (eta x T_evap,ref[K])",
            "fans_dry = k_d x min(ITD_design / ITD(t), 1)^3",
            "PUE = facility energy / IT energy",
        ),
    ),
    Note(
        "On-site water (Merkel 1925 via Kloppers & Kroger 2005; Lei & Masanet 2022)",
        (
            "Cooling towers (tower_economizer, the default): the evaporation of a counter-"
            "flow tower from the inlet air state (dry-bulb, humidity, pressure) and the "
            "water temperatures; in cold air part of the heat leaves sensibly, so the "
            "latent share falls (1.00 at 35/25.6 C, about 0.70 at 10/7 C, 0.41 at "
            "-10/-11 C) and never exceeds the all-latent bound. The legacy evaporative "
            "design keeps the all-latent bound (as Lei & Masanet 2022 and Li et al. 2023 "
            "assume). Drift and blowdown follow from the cycles of concentration. "
            "Evaporative pads evaporate water only in the hours too warm for outside air, "
            "plus their bleed-off; dry coolers use none.",
        ),
        (
            "E_merkel = min(G (W_s(T_out) - W_in), 3600 / h_fg(T_w))  [L per kWh of heat]",
            "h_fg(T) = 2500.5 - 2.3097 T - 0.0013 T^2        [kJ/kg]",
            "D = drift_fraction x 3600 / (4.186 x range)",
            "B = max(E / (CoC - 1) - D, 0)",
            "WUE_onsite = (E + D + B) x heat rejected / IT energy   [L/kWh IT]",
        ),
    ),
    Note(
        "Cooling designs and the design per site (ASHRAE TC 9.9 2021; Kloppers & Kroger 2005)",
        (
            "Besides towers, the registry holds an air-side economizer that admits outside "
            "air only inside the ASHRAE supply-air humidity envelope (hyperscale: class A1 "
            "allowable, dew point -12 to 17 C, RH 8-80 %; enterprise: recommended) with "
            "evaporative assist and compressor trim, so a tropical site gets no free "
            "cooling; dry coolers with adiabatic pre-cooling (hybrid); and direct-to-chip "
            "liquid cooling (the GPU's cold-plate share of the heat on W32 facility water: "
            "(8 GPU + 2 CPU TDP) / system power, 0.62 for an H100 server, 0.85 for a "
            "GB200 NVL72 rack; the rest air-cooled). "
            "With monthly climate these designs are evaluated on within-month hourly "
            "samples: a diurnal cycle of 10 K and a day-to-day spread of 3 K "
            "(assumptions), with the day's dew point shifted by a fitted share k of the "
            "day's temperature shift (hot days are dry days in deserts: k is fitted to "
            "the ASHRAE 2013 mean coincident wet-bulb at the 0.4 % dry-bulb on stations "
            "with an even WMO number; held-out MAE 1.10 K). The month means are read from "
            "a response table of each design, exact where the table cannot be trusted. A "
            "liquid-cooled GPU (GB200 NVL72) gets no air-only design. With --cooling auto "
            "every feasible design is evaluated at every site and the one with the lowest "
            "objective (energy, on-site water, scarcity-weighted water or the weights) is "
            "taken, optionally under a WUE cap in scarce basins.",
            "Validation against published figures (tests/test_validation_published.py, "
            "docs/method_model.md section 10): Lei & Masanet (2022) PUE bands per U.S. "
            "climate zone for towers and air-side economizers, Google's per-campus PUE "
            "(within 0.05 at most campuses, rank correlation significant), the Singapore "
            "excess over Northern Europe of Google and Microsoft. Known misses are listed "
            "there with the measured value: Lei & Masanet's tower WUE is close to the "
            "all-latent bound, above the Merkel tower in cool climates, and their air-side "
            "case trims with water-cooled chillers, so its WUE is above ours.",
        ),
        (
            "air: T_r = max(T_s, T_db - eps (T_db - T_wb), T_db - (W_max - W) h_fg / c_p)",
            "samples: T = T_m + sd z_i + DTR s(h),  T_dew = T_dew,m + k sd z_i",
            "direct-to-chip: c = f c_liq + (1 - f) c_air, water likewise",
            "auto: design(site) = argmin_d objective(d, site)",
        ),
    ),
    Note(
        "Off-site water, scope-2 carbon and energy cost (Macknick et al. 2012)",
        (
            "Off-site water is the water consumed by the power plants that generate the "
            "electricity: the energy water intensity factor (EWIF) is the generation-"
            "weighted mean of Macknick et al. (2012) median consumption factors over the "
            "site's fuel mix; where no mix is known the U.S. average 3.14 L/kWh (Reig et al. "
            "2020, as used by Li et al. 2023) is applied and marked as an assumption. "
            "Scope 2 is location-based (grid average intensity), held at its current value, "
            "declining at a user rate, or following a published regional pathway "
            "(grid_pathway: NREL Cambium scenarios per U.S. state via Scout, scaled by its "
            "change from 2024; regions without one held flat and flagged); the market-based "
            "value removes the contracted carbon-free share. A marginal scope 2 is shown "
            "beside it where a marginal rate is known (IFI 2021 operating margin per "
            "country, a labelled proxy), since a new large load is met at the margin. "
            "Hydropower reservoir evaporation is a convention: by default it is charged to "
            "the electricity (Macknick et al. 2012 median, 4,491 gal/MWh = 17.0 L/kWh); "
            "with --hydro-evaporation exclude its factor is zero, as Li et al. (2023) set "
            "it; the run's choice is the hydro_evaporation row of the assumptions table. "
            "Energy cost applies the site's industrial price (or the scenario's assumed "
            "price, marked as an assumption), escalated yearly, with an optional "
            "take-or-pay minimum.",
        ),
        (
            "water_offsite_m3 = facility_energy_mwh x EWIF[L/kWh]",
            "co2_scope2_t = facility_energy_mwh x g0 (1 - r)^y / 1000",
            "with a pathway: g(y) = g0 x P_region(min(y, 2050)) / P_region(2024)",
            "co2_scope2_marginal_t = facility_energy_mwh x g_marginal / 1000",
            "energy_cost_usd = price (1 + e)^y x max(E_facility, take_or_pay x E_alive)",
        ),
    ),
    Note(
        "Water stress (WULCA AWARE 1.2; WRI Aqueduct 4.0; UN SDG 6.4.2)",
        (
            "Three indicators that answer different questions and are never mixed. Only "
            "AWARE is a multiplier for a water volume: scarcity-weighted water = on-site "
            "water x AWARE characterization factor (m3 world-eq per m3 consumed; 1 = world "
            "average, 0.1-100), of the site's watershed, else of its country. Aqueduct 4.0 "
            "baseline water stress (withdrawal / available supply of the sub-basin, score "
            "0-5) and the national SDG 6.4.2 level of water stress (% of available "
            "freshwater withdrawn) are screening indicators shown next to it.",
        ),
        (
            "water_scarcity_weighted_m3 = water_onsite_m3 x water_scarcity_factor",
            "water_scarcity_weighted_offsite_m3 = water_offsite_m3 x "
            "water_scarcity_factor_offsite (consumption-weighted AWARE CF of the grid "
            "region of the site's fuel mix; Siddik et al. 2021, Environ. Res. Lett. 16 064017)",
            "water_scarcity_weighted_total_m3 = on-site + off-site scarcity-weighted water",
        ),
    ),
    Note(
        "Electricity price",
        (
            "The price a large industrial customer pays, nominal USD/MWh: EIA average "
            "industrial price by U.S. state, else Eurostat nrg_pc_205 (20-70 GWh/yr band, "
            "excluding taxes, converted at the ECB 2024 average rate), else a compiled "
            "country table whose non-official rows are flagged 'indicative', else the "
            "user's assumption (flagged 'assumption' in every output). Averages, not "
            "negotiated tariffs.",
        ),
    ),
    Note(
        "Ranking and exclusions (NREL reV manner)",
        (
            "Each weighted criterion is min-max normalised over the eligible sites (not "
            "excluded, value known) so that 0 is the best eligible value and 1 the worst; "
            "when all sites tie every site gets 0 (no division by zero). Weights are "
            "divided by their sum and the score is the weighted sum, lower is better. "
            "Ties are broken by site id, so the order never depends on the input row "
            "order. A site with a missing weighted value is ranked after every scored "
            "site; an excluded site keeps its row, without a rank, with the rule that "
            "excluded it. Normalisation is relative to the candidate set: adding or "
            "removing a site can change the others' scores.",
        ),
        (
            "n_c = (x - min) / (max - min)      (lower is better)",
            "score = sum_c w_c n_c / sum_c w_c",
        ),
    ),
    Note(
        "Limits",
        (
            "Monthly climate means smooth out hot afternoons (economizer hours and "
            "evaporative water are underestimated in shoulder months against an hourly "
            "run). GPU idle power, the embodied carbon of recent GPUs, distribution "
            "losses and several plant temperatures are assumptions; they are listed with "
            "their sources in the assumptions table and marked 'assumption'. Prices are "
            "sector averages; grid intensities are annual averages of the zone.",
        ),
    ),
)

REFERENCES: tuple[str, ...] = (
    "ASHRAE (2017). Handbook - Fundamentals, ch. 1 Psychrometrics.",
    "ASHRAE (2019). Standard 90.1-2019, Tables 6.8.1-3 and 6.8.1-7. AHRI (2020). Standard 550/590.",
    "ASHRAE (2013). Handbook - Fundamentals, ch. 14 climatic design conditions (fit and "
    "validation reference of the humidity estimate only; not shipped).",
    "ASHRAE (2020). Handbook - HVAC Systems and Equipment, ch. 21 (fans), 40-41.",
    "ASHRAE TC 9.9 (2021). Thermal Guidelines for Data Processing Environments, 5th ed.",
    "Boulay, A.-M. et al. (2018). The WULCA consensus characterization model for water "
    "scarcity footprints (AWARE). Int J Life Cycle Assess 23:368-378. "
    "doi:10.1007/s11367-017-1333-8",
    "FAO and UN-Water (2021). Progress on Level of Water Stress. SDG Indicator 6.4.2. "
    "doi:10.4060/cb6241en",
    "Faiz, A. et al. (2024). LLMCarbon: Modeling the end-to-end carbon footprint of large "
    "language models. ICLR 2024, arXiv:2309.14393.",
    "Gagnon, P. et al. (2025). Cambium 2024 Scenario Descriptions and Documentation. "
    "NREL/TP-6A40-93005 (state pathways via Scout, Langevin et al. 2019, Joule 3(10)).",
    "Google (2023). Environmental Report (fleet PUE 1.10).",
    "Google (2025). Data center efficiency, trailing twelve-month PUE per campus.",
    "IFI TWG (2022). IFI Dataset of Default Grid Factors v3.1. UNFCCC.",
    "Kloppers, J. C., Kroger, D. G. (2005). Cooling tower performance evaluation: Merkel, "
    "Poppe, and e-NTU methods of analysis. Int. J. Heat Mass Transfer 48, 765-777.",
    "Kuzma, S. et al. (2023). Aqueduct 4.0: Updated decision-relevant global water risk "
    "indicators. WRI Technical Note. doi:10.46830/writn.23.00061",
    "Lei, N., Masanet, E. (2022). Climate- and technology-specific PUE and WUE estimations "
    "for U.S. data centers. Resources, Conservation & Recycling 182, 106323.",
    "Li, P., Yang, J., Islam, M. A., Ren, S. (2023). Making AI Less 'Thirsty'. arXiv:2304.03271.",
    "Luccioni, A. S., Viguier, S., Ligozat, A.-L. (2023). Estimating the Carbon Footprint "
    "of BLOOM. JMLR 24(253).",
    "Macknick, J., Newmark, R., Heath, G., Hallett, K. C. (2012). Operational water "
    "consumption and withdrawal factors for electricity generating technologies. "
    "Environ. Res. Lett. 7, 045802.",
    "Maclaurin, G. et al. (2019). The Renewable Energy Potential (reV) Model. NREL/TP-6A20-73067.",
    "Wetter, M. et al. (2014). Modelica Buildings library. J. Build. Perform. Simul. 7(4) "
    "(chiller approach defaults).",
    "Newkirk, A. C. et al. (2025). Empirically-Calibrated H100 Node Power Models. "
    "arXiv:2506.14551.",
    "Patterson, D. et al. (2021). Carbon Emissions and Large Neural Network Training. "
    "arXiv:2104.10350.",
    "Rasmussen, N. (2011). Electrical Efficiency Modeling for Data Centers. Schneider "
    "Electric White Paper 113.",
    "Reig, P. et al. (2020). Guidance for Calculating Water Use Embedded in Purchased "
    "Electricity. WRI.",
    "Stull, R. (2011). Wet-bulb temperature from relative humidity and air temperature. "
    "J. Appl. Meteor. Climatol. 50, 2267-2269.",
    "Uptime Institute (2023). Global Data Center Survey.",
    "U.S. EIA. Average price of electricity to ultimate customers, industrial sector, by "
    "state (EIA-861). Eurostat nrg_pc_205, electricity prices for non-household consumers.",
)
