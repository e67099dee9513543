"""Water stress, UN SDG 6.4.2 level of water stress (family ``sdg642``), country level.

**UN SDG 6.4.2 level of water stress** (family ``sdg642``): national freshwater
withdrawal as a share of available freshwater resources after environmental flow
requirements, % (FAO AQUASTAT via Our World in Data) [5]_ [6]_, latest year per
country, with the FAO category.

References
----------
.. [5] FAO and UN-Water (2021). Progress on Level of Water Stress. Global status and
   acceleration needs for SDG Indicator 6.4.2. Rome. doi:10.4060/cb6241en
.. [6] Our World in Data (2023), grapher "water-use-stress" (FAO AQUASTAT, ER_H2O_STRESS).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from siting import provenance
from siting.errors import LayerError
from siting.layers._water_tables import known_codes, object_column, one_file

#: FAO severity thresholds of SDG 6.4.2 [% of available freshwater withdrawn]:
#: <25 no stress, 25-50 low, 50-75 medium, 75-100 high, >100 critical.
#: Ref: FAO and UN-Water (2021), Progress on Level of Water Stress, doi:10.4060/cb6241en [5]_.
SDG642_THRESHOLDS_PCT = (25.0, 50.0, 75.0, 100.0)
SDG642_CATEGORIES = ("no stress", "low", "medium", "high", "critical")
SDG642_VALUE_COLUMN = (
    "6.4.2 - Level of water stress: freshwater withdrawal as a proportion of available "
    "freshwater resources (%) - ER_H2O_STRESS - No breakdown"
)


# ============================================================================ readers
@lru_cache(maxsize=4)
def _sdg642(path: str) -> pd.DataFrame:
    d = pd.read_csv(path)
    value = SDG642_VALUE_COLUMN if SDG642_VALUE_COLUMN in d.columns else None
    if value is None:
        cand = [c for c in d.columns if "ER_H2O_STRESS" in str(c) or "6.4.2" in str(c)]
        if not cand or not {"Code", "Year"} <= set(d.columns):
            raise LayerError(
                "not the OWID SDG 6.4.2 export (columns Entity, Code, Year, 6.4.2 ...)",
                file=path,
            )
        value = cand[0]
    d = d[d["Code"].notna() & ~d["Code"].astype(str).str.startswith("OWID_")]
    d = d[np.isfinite(pd.to_numeric(d[value], errors="coerce"))]
    d = d.sort_values(["Code", "Year"]).groupby("Code", sort=True).tail(1)
    return pd.DataFrame(
        {
            "country_iso3": d["Code"].astype(str).to_numpy(),
            "country_name": d["Entity"].astype(str).to_numpy() if "Entity" in d else None,
            "sdg642_water_stress_pct": pd.to_numeric(d[value]).to_numpy(float),
            "sdg642_year": d["Year"].astype(int).to_numpy(),
        }
    ).reset_index(drop=True)


def read_sdg642(files: dict[str, Path]) -> pd.DataFrame:
    """Catalog reader: latest SDG 6.4.2 value per ISO3 country (UN regions dropped)."""
    return _sdg642(str(one_file(files, ".csv")))


def sdg642_category(pct) -> np.ndarray:
    """FAO severity category of SDG 6.4.2 values [%].

    ``<25`` no stress, ``25-<50`` low, ``50-<75`` medium, ``75-100`` high, ``>100``
    critical; NaN gives None. Ref: FAO and UN-Water (2021), doi:10.4060/cb6241en.
    """
    p = np.asarray(pct, dtype=float)
    t25, t50, t75, t100 = SDG642_THRESHOLDS_PCT
    bins = np.select([p < t25, p < t50, p < t75, p <= t100, p > t100], [0, 1, 2, 3, 4], default=-1)
    cats = np.array(SDG642_CATEGORIES + (None,), dtype=object)
    return cats[bins]


# =============================================================================== join
def join_sdg642(iso3, idx, ctx) -> pd.DataFrame:
    """SDG 6.4.2 columns and provenance: the latest value of the site's country."""
    n = len(iso3)
    val = np.full(n, np.nan)
    year = np.full(n, -1, dtype=np.int64)
    prov = provenance.empty(
        idx,
        "sdg642",
        "SDG 6.4.2 table not in any data directory "
        "(owid-sdg642-water-stress/water_stress_sdg642_owid_2000_2019.csv)",
    )
    for lyr in ctx.catalog.family("sdg642"):
        todo = np.isnan(val)
        if not todo.any():
            break
        files = ctx.locate(lyr)
        if not files:
            continue
        tab = lyr.reader_func()(files)
        pos = pd.Index(tab["country_iso3"]).get_indexer(pd.Index(iso3))
        take = todo & (pos >= 0)
        val[take] = tab["sdg642_water_stress_pct"].to_numpy(float)[pos[take]]
        year[take] = tab["sdg642_year"].to_numpy(np.int64)[pos[take]]
        provenance.set_source(prov, "sdg642", take, lyr.name, "country", lyr.vintage)
        prov.loc[take, "sdg642_vintage"] = year[take].astype(str)
        ctx.count("sdg642", "country", lyr.name, int(take.sum()))
        no_ctry = todo & ~take
        prov.loc[no_ctry, "sdg642_reason"] = np.where(
            known_codes(iso3)[no_ctry],
            f"country not in the SDG 6.4.2 table ({lyr.name})",
            "no country for this site (boundary family found none)",
        )
    out = pd.DataFrame(
        {
            "sdg642_water_stress_pct": val,
            "sdg642_year": pd.array(np.where(year >= 0, year, 0), dtype="Int64"),
            "sdg642_category": object_column(sdg642_category(val), idx),
        },
        index=idx,
    )
    out.loc[year < 0, "sdg642_year"] = pd.NA
    return pd.concat([out, prov], axis=1)
