"""Marginal grid emission rate per site [gCO2/kWh] (family "marginal").

A new 100+ MW load is met at the margin, not at the average. Where a source gives a
marginal rate it is joined here, labelled with its layer, beside the average intensity of
:mod:`siting.layers.grid_carbon`:

* ``country``: the IFI harmonised default grid factors 2021 (v3.1, UNFCCC), operating
  margin ("Operating Margin Grid Emission"), via Green Web Foundation CO2.js
  ``marginal-intensities-2021.json`` (CC BY-SA 4.0: read from a data directory, never
  shipped). The operating margin is the emission rate of the dispatchable fossil units
  that respond to a change of load: a proxy of the long-run marginal rate, labelled so.

References
----------
.. [1] IFI Technical Working Group on GHG Accounting (2022). IFI Dataset of Default Grid
   Factors v3.1. UNFCCC.
.. [2] Gagnon, P., Cole, W. (2022). Planning for the evolution of the electric grid with a
   long-run marginal emission rate. iScience 25(3), 103915.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import provenance

_OM_KEY = "Operating Margin Grid Emission"


@lru_cache(maxsize=2)
def _ifi(path: str) -> pd.DataFrame:
    with open(path) as f:
        d = json.load(f)
    rows = []
    for name, v in d.items():
        iso3 = v.get("country_code_iso_3")
        try:
            om = float(v.get(_OM_KEY, "nan"))
        except (TypeError, ValueError):
            om = float("nan")
        if iso3 and np.isfinite(om) and om > 0:  # 0 means no value in the source
            rows.append({"country_iso3": iso3, "country": name, "marginal_co2_g_per_kwh": om})
    return pd.DataFrame(rows).drop_duplicates("country_iso3")


def read_ifi_marginal(files: dict[str, Path]) -> pd.DataFrame:
    """IFI 2021 operating-margin factors per country: ``country_iso3``, ``country``,
    ``marginal_co2_g_per_kwh`` [gCO2/kWh] (entries with 0 = no value are dropped)."""
    path = next(p for k, p in files.items() if k.endswith("marginal_intensities_2021.json"))
    return _ifi(str(path)).copy()


def join(sites: gpd.GeoDataFrame, ctx) -> pd.DataFrame:
    """Marginal emission rate per site (country level) with provenance."""
    idx = sites.index
    n = len(sites)
    value = np.full(n, np.nan)
    prov = provenance.empty(idx, "marginal", "no marginal-rate source covers this site")
    iso3 = (
        sites["country_iso3"].to_numpy(object)
        if "country_iso3" in sites
        else np.full(n, None, dtype=object)
    )
    for lyr in ctx.catalog.family("marginal"):
        todo = np.isnan(value)
        if not todo.any():
            break
        files = ctx.locate(lyr)
        if not files:
            continue
        tab = lyr.reader_func()(files)
        pos = pd.Index(tab["country_iso3"]).get_indexer(pd.Index(iso3))
        hit = pos >= 0
        v = np.where(
            hit, tab["marginal_co2_g_per_kwh"].to_numpy(float)[np.where(hit, pos, 0)], np.nan
        )
        take = todo & hit & np.isfinite(v)
        if take.any():
            value[take] = v[take]
            provenance.set_source(prov, "marginal", take, lyr.name, lyr.level, lyr.vintage)
            ctx.count("marginal", lyr.level, lyr.name, int(take.sum()))
    out = pd.DataFrame({"marginal_co2_g_per_kwh": value}, index=idx)
    return pd.concat([out, prov], axis=1)
