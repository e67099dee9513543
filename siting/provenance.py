"""Provenance columns: every joined value says where it came from.

For a layer family ``fam`` the joined table carries ``fam_layer`` (catalog
layer name), ``fam_level`` (the spatial level that supplied the value),
``fam_vintage`` and ``fam_reason`` (why the value is missing; empty when it is
present). :func:`source_of` turns these into the text shown to users.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SUFFIXES = ("layer", "level", "vintage", "reason")

#: value column -> family whose provenance columns describe it
VALUE_FAMILY: dict[str, str] = {
    "country_iso3": "boundary",
    "country_name": "boundary",
    "grid_co2_g_per_kwh": "grid",
    "aware_cf": "aware",
    "water_scarcity_factor": "aware",
    "bws_raw": "bws",
    "bws_score": "bws",
    "bws_cat": "bws",
    "bws_label": "bws",
    "sdg642_water_stress_pct": "sdg642",
    "price_usd_per_mwh": "price",
    "marginal_co2_g_per_kwh": "marginal",
}


#: column-name prefix -> family, for value columns not listed in VALUE_FAMILY
_PREFIX_FAMILY: tuple[tuple[str, str], ...] = (
    ("dry_bulb_c", "climate"),
    ("wet_bulb", "climate"),
    ("koppen", "climate"),
    ("precip_", "climate"),
    ("aridity", "climate"),
    ("elevation", "climate"),
    ("weather_station", "climate"),
    ("ashrae_climate", "climate"),
    ("grid_", "grid"),
    ("aware_", "aware"),
    ("bws_", "bws"),
    ("sdg642_", "sdg642"),
    ("price_", "price"),
    ("country_", "boundary"),
    ("boundary_", "boundary"),
)


def empty(index: pd.Index, family: str, reason: str) -> pd.DataFrame:
    """Provenance columns for ``family``, all missing with ``reason``."""
    return pd.DataFrame(
        {
            f"{family}_layer": pd.Series("", index=index, dtype=object),
            f"{family}_level": pd.Series("", index=index, dtype=object),
            f"{family}_vintage": pd.Series("", index=index, dtype=object),
            f"{family}_reason": pd.Series(reason, index=index, dtype=object),
        }
    )


def set_source(
    prov: pd.DataFrame, family: str, mask: np.ndarray, layer: str, level: str, vintage: str
) -> None:
    """Mark rows ``mask`` of ``prov`` as supplied by ``layer`` at ``level`` (in place)."""
    mask = np.asarray(mask, dtype=bool)
    prov.loc[mask, f"{family}_layer"] = layer
    prov.loc[mask, f"{family}_level"] = level
    prov.loc[mask, f"{family}_vintage"] = str(vintage)
    prov.loc[mask, f"{family}_reason"] = ""


def source_of(row: pd.Series, column: str) -> str:
    """Human-readable source of ``row[column]`` (layer, level, vintage or reason)."""
    if column in ("region_code", "region_name"):
        layer = row.get("region_layer", "")
        return f"{layer} (admin1)" if layer else "missing: no first-level region layer covers it"
    if column.startswith("mix_") and column != "mix_layer":
        layer = row.get("mix_layer", "")
        return f"{layer} (fuel mix)" if layer else "missing: no fuel-mix source covers it"
    if column.startswith("water_scarcity_factor_offsite"):
        level = row.get("water_scarcity_factor_offsite_level", "")
        region = row.get("water_scarcity_factor_offsite_region", "")
        if not level:
            return "missing: no AWARE layer or grid region for the off-site factor"
        return f"AWARE 1.2 over grid region {region} ({level})"
    fam = VALUE_FAMILY.get(column)
    if fam is None and f"{column}_layer" in row.index:
        fam = column  # a family name itself, e.g. source_of(row, "climate")
    if fam is None:
        for prefix, f in _PREFIX_FAMILY:
            if column.startswith(prefix):
                fam = f
                break
    if fam is None or f"{fam}_layer" not in row.index:
        return "unknown"
    level = row.get(f"{fam}_level", "")
    if level == "assumption":
        return "assumption"
    if level == "user":
        return "user override"
    layer = row.get(f"{fam}_layer", "")
    if not layer:
        reason = row.get(f"{fam}_reason", "")
        return f"missing: {reason}" if reason else "missing"
    return f"{layer} ({level}, {row.get(f'{fam}_vintage', '')})"
