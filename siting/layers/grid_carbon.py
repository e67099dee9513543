"""Grid carbon intensity [gCO2e/kWh] and generation fuel mix per site.

The finest available level wins, in catalog priority order:

1. ``egrid_subregion``: U.S. EPA eGRID2023 subregion total-output CO2e rates and fuel
   mix (polygons from USEPA/power-profiler; public domain). Data directory only.
2. ``em_zone``: Electricity Maps yearly zone averages (lifecycle, consumption-based),
   2021-2025, zone polygons from electricitymaps-contrib ``world.geojson``
   (ODbL / AGPL: read from a data directory, never shipped).
3. ``us_state`` / ``ca_province``: eGRID2023 state rates (``STC2ERTA``) and Canadian
   provincial generation mixes, both shipped in the pip package ``codecarbon`` 3.3.2
   (embedded). Provincial intensity = sum of generation shares x per-source lifecycle
   factors shipped with codecarbon (``carbon_intensity_per_source.json``).
4. ``country``: Ember yearly country averages (via CO2.js; data directory) and the
   OWID/Ember country table shipped in codecarbon (embedded).

eGRID rates are direct (combustion) emission rates of generation within the
subregion; Electricity Maps and Ember values are lifecycle averages. The level and
layer of every value are recorded (``grid_level``, ``grid_layer``) so a report can
say which is which.

References
----------
.. [1] U.S. EPA (2025). Emissions & Generation Resource Integrated Database (eGRID2023).
.. [2] Electricity Maps (2026). Yearly carbon intensity data, via Green Web Foundation CO2.js.
.. [3] Ember (2025). Yearly electricity data, via CO2.js and Our World in Data.
"""

from __future__ import annotations

import json
import shutil
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import provenance
from siting.layers._spatial import PolygonIndex
from siting.physics.energy import MIX_COLUMNS  # the columns the EWIF model reads

STARTER_SOURCES = ("codecarbon",)
STARTER_DIR = "starter/grid/codecarbon"

#: 1 lb = 0.45359237 kg exactly (international avoirdupois pound; NIST SP 811, 2008,
#: Appendix B.8). lb/MWh x 0.45359237 = kg/MWh, and kg/MWh is numerically g/kWh.
LB_PER_MWH_TO_G_PER_KWH = 0.45359237

# source fuel names -> our mix columns
_EGRID_MIX = {
    "coal": "mix_coal_pct",
    "gas": "mix_gas_pct",
    "oil": "mix_oil_pct",
    "nuclear": "mix_nuclear_pct",
    "hydro": "mix_hydro_pct",
    "wind": "mix_wind_pct",
    "solar": "mix_solar_pct",
    "biomass": "mix_biomass_pct",
    "geothermal": "mix_geothermal_pct",
    "otherFossilFuel": "mix_other_pct",
    "otherUnknownFuel": "mix_other_pct",
}
_OWID_MIX = {
    "coal_TWh": "mix_coal_pct",
    "gas_TWh": "mix_gas_pct",
    "oil_TWh": "mix_oil_pct",
    "nuclear_TWh": "mix_nuclear_pct",
    "hydroelectricity_TWh": "mix_hydro_pct",
    "wind_TWh": "mix_wind_pct",
    "solar_TWh": "mix_solar_pct",
    "biofuel_TWh": "mix_biomass_pct",
    # OWID "other renewables excluding bioenergy": geothermal, wave and tidal
    "other_renewable_exc_biofuel_TWh": "mix_other_pct",
}
_CANADA_MIX = {
    "coal": "mix_coal_pct",
    "naturalGas": "mix_gas_pct",
    "petroleum": "mix_oil_pct",
    "nuclear": "mix_nuclear_pct",
    "hydro": "mix_hydro_pct",
    "wind": "mix_wind_pct",
    "solar": "mix_solar_pct",
    "biomass": "mix_biomass_pct",
    "tidal": "mix_other_pct",
    "other": "mix_other_pct",
}
# Canadian mix key -> key of codecarbon's carbon_intensity_per_source.json
_CANADA_FACTOR_KEY = {
    "coal": "coal",
    "naturalGas": "natural_gas",
    "petroleum": "petroleum",
    "nuclear": "nuclear",
    "hydro": "hydroelectricity",
    "wind": "wind",
    "solar": "solar",
    "biomass": "biomass",
}
# codecarbon Canadian province names -> ISO 3166-2:CA
_CA_CODES = {
    "alberta": "CA-AB",
    "british columbia": "CA-BC",
    "manitoba": "CA-MB",
    "new brunswick": "CA-NB",
    "newfoundland and labrador": "CA-NL",
    "northwest territories": "CA-NT",
    "nova scotia": "CA-NS",
    "nunavut": "CA-NU",
    "ontario": "CA-ON",
    "prince edward island": "CA-PE",
    "quebec": "CA-QC",
    "saskatchewan": "CA-SK",
    "yukon": "CA-YT",
}


def build_starter(sources: dict[str, Path], out_dir: Path) -> list[Path]:
    """Ship codecarbon's grid tables verbatim (MIT; data CC BY 4.0 / public domain)."""
    src = sources["codecarbon"] / "codecarbon" / "data" / "private_infra"
    dst = out_dir / STARTER_DIR
    dst.mkdir(parents=True, exist_ok=True)
    out = []
    for rel in (
        "global_energy_mix.json",
        "carbon_intensity_per_source.json",
        "2023/usa_emissions.json",
        "2023/canada_energy_mix.json",
    ):
        target = dst / Path(rel).name
        shutil.copyfile(src / rel, target)
        out.append(target)
    return out


# ---------------------------------------------------------------- readers
def _one(files: dict[str, Path], suffix: str) -> Path:
    for k, p in files.items():
        if k.endswith(suffix):
            return p
    raise KeyError(suffix)


@lru_cache(maxsize=4)
def _egrid(path: str) -> tuple[gpd.GeoDataFrame, PolygonIndex]:
    with open(path) as f:
        fc = json.load(f)
    rows, geoms = [], []
    from shapely.geometry import shape

    for feat in fc["features"]:
        p = feat["properties"]
        if p.get("type") != "subregion":
            continue
        ef = p["emissionFactor"]
        row = {
            "zone": p["name"],
            "zone_name": p.get("fullName", p["name"]),
            "year": int(p["dataYear"]),
            "co2e_lb_per_mwh": float(ef["co2eEmissionRate"]["value"]),
            "co2_lb_per_mwh": float(ef["co2EmissionRate"]["value"]),
            "grid_loss_fraction": float(p.get("gridLoss", {}).get("value", np.nan)),
        }
        for col in MIX_COLUMNS:
            row[col] = 0.0
        for k, v in (p.get("fuelMix") or {}).items():
            row[_EGRID_MIX[k]] += float(v)
        rows.append(row)
        geoms.append(shape(feat["geometry"]))
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    gdf["grid_co2_g_per_kwh"] = gdf["co2e_lb_per_mwh"] * LB_PER_MWH_TO_G_PER_KWH
    return gdf, PolygonIndex(gdf.geometry.values)


def read_egrid_subregions(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """eGRID subregions from USEPA power-profiler ``subregion.json``.

    Returns one row per subregion: ``zone``, ``year``, ``co2e_lb_per_mwh``,
    ``grid_co2_g_per_kwh`` (= lb/MWh x 0.45359237), fuel-mix ``mix_*_pct`` and geometry.
    """
    return _egrid(str(_one(files, "subregion.json")))[0]


@lru_cache(maxsize=8)
def _em(geo_path: str, year_path: str) -> tuple[gpd.GeoDataFrame, PolygonIndex]:
    zones = gpd.read_file(geo_path)
    with open(year_path) as f:
        vals = json.load(f)
    ci = {k: (v.get("carbonIntensity") or {}).get("value") for k, v in vals.items()}
    re_ = {k: (v.get("renewableEnergy") or {}).get("value") for k, v in vals.items()}
    cfe = {k: (v.get("carbonFreeEnergy") or {}).get("value") for k, v in vals.items()}
    zones["grid_co2_g_per_kwh"] = pd.to_numeric(zones["zoneName"].map(ci), errors="coerce")
    zones["renewable_pct"] = pd.to_numeric(zones["zoneName"].map(re_), errors="coerce")
    zones["carbon_free_pct"] = pd.to_numeric(zones["zoneName"].map(cfe), errors="coerce")
    zones = zones.rename(columns={"zoneName": "zone"})
    return zones, PolygonIndex(zones.geometry.values)


def read_em_zones(files: dict[str, Path], year: int = 2025) -> gpd.GeoDataFrame:
    """Electricity Maps zone polygons with the yearly average of ``year``."""
    return _em(str(_one(files, "world.geojson")), str(_one(files, f"yearly_{year}.json")))[0]


@lru_cache(maxsize=4)
def _codecarbon_country(path: str) -> pd.DataFrame:
    with open(path) as f:
        d = json.load(f)
    rows = []
    for iso3, v in d.items():
        total = float(v.get("total_TWh") or np.nan)
        row = {
            "country_iso3": iso3,
            "year": int(v["year"]),
            "grid_co2_g_per_kwh": float(v["carbon_intensity"]),
        }
        for col in MIX_COLUMNS:
            row[col] = 0.0 if total > 0 else np.nan
        if total > 0:
            for k, col in _OWID_MIX.items():
                row[col] += 100.0 * float(v.get(k) or 0.0) / total
        rows.append(row)
    return pd.DataFrame(rows)


def read_codecarbon_country(files: dict[str, Path]) -> pd.DataFrame:
    """OWID/Ember country intensity and generation mix shipped with codecarbon."""
    return _codecarbon_country(str(_one(files, "global_energy_mix.json")))


def read_ember_country(files: dict[str, Path]) -> pd.DataFrame:
    """Ember yearly country averages (CO2.js ``average-intensities.json``)."""
    with open(_one(files, "ember_average_intensities.json")) as f:
        d = json.load(f)
    rows = [
        {
            "country_iso3": v["country_code"],
            "year": int(v["year"]),
            "grid_co2_g_per_kwh": float(v["emissions_intensity_gco2_per_kwh"]),
        }
        for v in d.values()
        if v.get("country_code")
    ]
    return pd.DataFrame(rows)


def read_codecarbon_us_states(files: dict[str, Path]) -> pd.DataFrame:
    """eGRID2023 state CO2e total-output rates (lb/MWh) shipped with codecarbon."""
    with open(_one(files, "usa_emissions.json")) as f:
        d = json.load(f)
    year = int(d.get("_source", {}).get("year", 2023))
    rows = [
        {
            "region_code": f"US-{v['regionCode']}",
            "year": year,
            "co2e_lb_per_mwh": float(v["emissions"]),
        }
        for k, v in d.items()
        if not k.startswith("_")
    ]
    df = pd.DataFrame(rows)
    df["grid_co2_g_per_kwh"] = df["co2e_lb_per_mwh"] * LB_PER_MWH_TO_G_PER_KWH
    return df


def read_codecarbon_canada(files: dict[str, Path]) -> pd.DataFrame:
    """Canadian provincial generation mix (%) and the intensity it implies.

    Intensity [gCO2e/kWh] = sum over sources of share x lifecycle factor, with the
    per-source factors shipped in codecarbon (coal 995, petroleum 816, natural gas
    743, hydro 26, nuclear 29, solar 48, wind 26, biomass 230 gCO2e/kWh; sources cited
    in that file). Shares of "other" and "tidal" (no factor) are left out and the
    remaining shares renormalised.
    """
    with open(_one(files, "canada_energy_mix.json")) as f:
        mix = json.load(f)
    with open(_one(files, "carbon_intensity_per_source.json")) as f:
        fac = json.load(f)
    rows = []
    for name, shares in mix.items():
        if name.startswith("_") or name.lower() not in _CA_CODES:
            continue
        row = {"region_code": _CA_CODES[name.lower()], "year": 2023}
        for col in MIX_COLUMNS:
            row[col] = 0.0
        covered, g = 0.0, 0.0
        for k, col in _CANADA_MIX.items():
            s = float(shares.get(k) or 0.0)
            row[col] += s
            if k in _CANADA_FACTOR_KEY:
                covered += s
                g += s * float(fac[_CANADA_FACTOR_KEY[k]])
        row["grid_co2_g_per_kwh"] = g / covered if covered > 0 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- join
_LEVEL_READERS = {
    "egrid_subregion": "polygon",
    "em_zone": "polygon",
    "us_state": "region",
    "ca_province": "region",
    "country": "country",
}


def join(sites: gpd.GeoDataFrame, ctx) -> pd.DataFrame:
    """Grid intensity (finest level wins) and fuel mix for each site."""
    idx = sites.index
    n = len(sites)
    lon, lat = sites["lon"].to_numpy(float), sites["lat"].to_numpy(float)
    iso3 = (
        sites["country_iso3"].to_numpy(object)
        if "country_iso3" in sites
        else np.full(n, None, dtype=object)
    )
    region = (
        sites["region_code"].to_numpy(object)
        if "region_code" in sites
        else np.full(n, None, dtype=object)
    )
    value = np.full(n, np.nan)
    zone = np.full(n, None, dtype=object)
    mix = {c: np.full(n, np.nan) for c in MIX_COLUMNS}
    mix_layer = np.full(n, "", dtype=object)
    prov = provenance.empty(idx, "grid", "no grid-intensity layer covers this site")
    em_year = int(ctx.options.get("em_year", 2025))

    for lyr in ctx.catalog.family("grid"):
        todo = np.isnan(value)
        mix_todo = np.isnan(mix["mix_coal_pct"])
        if not todo.any() and not mix_todo.any():
            break
        files = ctx.locate(lyr)
        if not files:
            continue
        kind = _LEVEL_READERS.get(lyr.level)
        has_mix = False
        if kind == "polygon":
            # the cached loaders return the table and its polygon index together
            if lyr.level == "em_zone":
                tab, pindex = _em(
                    str(_one(files, "world.geojson")), str(_one(files, f"yearly_{em_year}.json"))
                )
                vintage = str(em_year)
            else:
                tab, pindex = _egrid(str(_one(files, "subregion.json")))
                vintage = lyr.vintage
                has_mix = True
            m = pindex.match(lon, lat, max_snap_km=ctx.snap_km)
            row = m.index
        else:
            tab = lyr.reader_func()(files)
            key = "region_code" if kind == "region" else "country_iso3"
            keys = region if kind == "region" else iso3
            pos = pd.Index(tab[key]).get_indexer(pd.Index(keys))
            row = pos.astype(np.int64)
            vintage = lyr.vintage
            has_mix = "mix_coal_pct" in tab.columns
        hit = row >= 0
        v = np.where(hit, tab["grid_co2_g_per_kwh"].to_numpy(float)[np.where(hit, row, 0)], np.nan)
        take = todo & hit & np.isfinite(v)
        if take.any():
            value[take] = v[take]
            zkey = (
                "zone"
                if "zone" in tab.columns
                else ("region_code" if kind == "region" else "country_iso3")
            )
            zone[take] = tab[zkey].to_numpy(object)[row[take]]
            provenance.set_source(prov, "grid", take, lyr.name, lyr.level, vintage)
            if "year" in tab.columns and kind != "polygon":
                prov.loc[take, "grid_vintage"] = tab["year"].to_numpy()[row[take]].astype(str)
            ctx.count("grid", lyr.level, lyr.name, int(take.sum()))
        if has_mix:
            mt = mix_todo & hit
            mt &= np.isfinite(tab["mix_coal_pct"].to_numpy(float)[np.where(hit, row, 0)])
            if mt.any():
                for c in MIX_COLUMNS:
                    mix[c][mt] = tab[c].to_numpy(float)[row[mt]]
                mix_layer[mt] = lyr.name
    out = pd.DataFrame(
        {"grid_co2_g_per_kwh": value, "grid_zone": zone, **mix, "mix_layer": mix_layer}, index=idx
    )
    return pd.concat([out, prov], axis=1)
