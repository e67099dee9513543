"""Administrative boundaries: country (ISO3) and first-level region.

Embedded sources (public domain, via registry packages):

* Natural Earth v4.1.0 admin-0 countries at 1:50m, TopoJSON from the npm package
  ``world-atlas`` 2.0.2 (ISC; data public domain), ISO 3166-1 numeric ids mapped to
  alpha-3 with ``pycountry`` at build time.
* U.S. states, territories and DC: U.S. Census Bureau 2017 cartographic boundary
  files, TopoJSON from the npm package ``us-atlas`` 3.0.1 (ISC; data public domain).
* Canadian provinces and territories: ``canada_provinces.geojson`` shipped in the pip
  package ``codecarbon`` 3.3.2 (MIT).

A site outside every polygon (in the sea, just off a coast) is snapped to the
nearest polygon within ``snap_km`` (geodesic distance, see
:mod:`siting.layers._spatial`) and flagged; beyond it, the values are missing
with a reason.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import provenance
from siting.layers._spatial import PolygonIndex

STARTER_SOURCES = ("world-atlas", "us-atlas", "codecarbon")
ADMIN0 = "starter/boundaries/admin0_ne50m.parquet"
ADMIN1 = "starter/boundaries/admin1_us_ca.parquet"

# Natural Earth units without an ISO 3166-1 numeric id in world-atlas 2.0.2, and the
# code used for them here. XKX is the user-assigned code the European Commission and
# the World Bank use for Kosovo; the others take the ISO code of the state that
# administers them in ISO 3166-1. Siachen Glacier (disputed) keeps no code.
_NO_NUMERIC = {
    "Somaliland": "SOM",
    "Kosovo": "XKX",
    "N. Cyprus": "CYP",
    "Indian Ocean Ter.": "AUS",
}
# us-atlas names that differ from ISO 3166-2:US subdivision names (pycountry).
_US_NAME_FIX = {
    "Commonwealth of the Northern Mariana Islands": "US-MP",
    "United States Virgin Islands": "US-VI",
}


def _fix_antimeridian(geom):
    """Planar version of a polygon that crosses the antimeridian.

    world-atlas stores spherical polygons (d3-geo removes the antimeridian cut), so
    Russia, Fiji, the U.S. (Aleutians), New Zealand, Kiribati and Antarctica arrive as
    rings that jump from +180 to -180. Shift negative longitudes of such a ring by
    +360, repair, and cut at 180 degrees, moving the eastern part back by -360.
    Antarctica's ring already runs along the -90 parallel and only needs repair.
    """
    import shapely
    from shapely.affinity import translate
    from shapely.geometry import box

    minx, _, maxx, _ = geom.bounds
    if maxx - minx <= 180:
        return shapely.make_valid(geom)

    def shift(coords):
        x = coords[:, 0]
        return np.c_[np.where(x < 0, x + 360.0, x), coords[:, 1]]

    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        pminx, pminy, pmaxx, _ = poly.bounds
        if pmaxx - pminx <= 180 or pminy <= -89.0:
            # ordinary part, or Antarctica's ring, which already runs along the -90 parallel
            parts.append(shapely.make_valid(poly))
        else:
            parts.append(shapely.make_valid(shapely.transform(poly, shift)))
    g = shapely.union_all(parts)
    east = g.intersection(box(-180, -90, 180, 90))
    west = translate(g.intersection(box(180, -90, 540, 90)), xoff=-360.0)
    return shapely.make_valid(shapely.union_all([east, west]))


def build_starter(sources: dict[str, Path], out_dir: Path) -> list[Path]:
    """Convert the registry-package boundaries to compact GeoParquet."""
    import pycountry
    import pyogrio

    wa = sources["world-atlas"] / "package" / "countries-50m.json"
    a0 = pyogrio.read_dataframe(wa, layer="countries")
    iso3, iso2, names = [], [], []
    for cid, name in zip(a0["id"], a0["name"], strict=True):
        code = None
        if isinstance(cid, str) and cid.strip():
            c = pycountry.countries.get(numeric=cid.zfill(3))
            code = c.alpha_3 if c else None
        code = code or _NO_NUMERIC.get(name)
        c2 = pycountry.countries.get(alpha_3=code) if code else None
        iso3.append(code)
        iso2.append(c2.alpha_2 if c2 else ("XK" if code == "XKX" else None))
        names.append(name)
    a0 = gpd.GeoDataFrame(
        {
            "country_iso3": iso3,
            "country_iso2": iso2,
            "iso_numeric": a0["id"],
            "country_name": names,
        },
        geometry=[_fix_antimeridian(g) for g in a0.geometry],
        crs=4326,
    )

    us = pyogrio.read_dataframe(sources["us-atlas"] / "package" / "states-10m.json", layer="states")
    us_codes = {s.name: s.code for s in pycountry.subdivisions.get(country_code="US")}
    us_codes.update(_US_NAME_FIX)
    us = gpd.GeoDataFrame(
        {
            "country_iso3": "USA",
            "region_code": [us_codes[n] for n in us["name"]],
            "region_name": us["name"],
            "fips": us["id"],
        },
        geometry=us.geometry.make_valid(),
        crs=4326,
    )
    ca = gpd.read_file(sources["codecarbon"] / "codecarbon" / "data" / "canada_provinces.geojson")
    ca_codes = {s.name: s.code for s in pycountry.subdivisions.get(country_code="CA")}
    ca = gpd.GeoDataFrame(
        {
            "country_iso3": "CAN",
            "region_code": [ca_codes[n] for n in ca["name"]],
            "region_name": ca["name"],
            "fips": None,
        },
        geometry=ca.geometry.make_valid(),
        crs=4326,
    )
    a1 = pd.concat([us, ca], ignore_index=True)
    a1 = gpd.GeoDataFrame(a1, geometry="geometry", crs=4326)
    out = []
    for gdf, rel in ((a0, ADMIN0), (a1, ADMIN1)):
        p = out_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        gdf.to_parquet(p, compression="zstd", schema_version="1.0.0")
        out.append(p)
    return out


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[gpd.GeoDataFrame, PolygonIndex]:
    gdf = gpd.read_parquet(path)
    return gdf, PolygonIndex(gdf.geometry.values)


def read_admin(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Reader named in the catalog: the GeoParquet file of the layer."""
    return _load(str(next(iter(files.values()))))[0]


def join(sites: gpd.GeoDataFrame, ctx) -> pd.DataFrame:
    """Country and first-level region for each site, with snapping and provenance."""
    idx = sites.index
    lon, lat = sites["lon"].to_numpy(float), sites["lat"].to_numpy(float)
    out = pd.DataFrame(
        {
            "country_iso3": pd.Series(None, index=idx, dtype=object),
            "country_name": pd.Series(None, index=idx, dtype=object),
            "region_code": pd.Series(None, index=idx, dtype=object),
            "region_name": pd.Series(None, index=idx, dtype=object),
            "region_layer": pd.Series("", index=idx, dtype=object),
            "boundary_snapped": False,
            "boundary_snap_km": np.nan,
        },
        index=idx,
    )
    prov = provenance.empty(idx, "boundary", "no boundary layer available")
    for lyr in ctx.catalog.family("boundary"):
        files = ctx.locate(lyr)
        if not files:
            continue
        gdf, index = _load(str(next(iter(files.values()))))
        m = index.match(lon, lat, max_snap_km=ctx.snap_km)
        hit = m.index >= 0
        if lyr.level == "country":
            out.loc[hit, "country_iso3"] = gdf["country_iso3"].to_numpy()[m.index[hit]]
            out.loc[hit, "country_name"] = gdf["country_name"].to_numpy()[m.index[hit]]
            out["boundary_snapped"] = m.snapped
            out["boundary_snap_km"] = m.snap_km
            provenance.set_source(prov, "boundary", hit, lyr.name, "country", lyr.vintage)
            prov.loc[~hit, "boundary_reason"] = (
                f"not within {ctx.snap_km:g} km of any country polygon ({lyr.name})"
            )
            ctx.count("boundary", "country", lyr.name, int(hit.sum()))
        else:
            # a first-level region only counts where it agrees with the country found
            reg_country = gdf["country_iso3"].to_numpy()[np.where(hit, m.index, 0)]
            ok = hit & (
                (out["country_iso3"].to_numpy() == reg_country) | out["country_iso3"].isna()
            )
            ok &= out["region_code"].isna().to_numpy()
            out.loc[ok, "region_code"] = gdf["region_code"].to_numpy()[m.index[ok]]
            out.loc[ok, "region_name"] = gdf["region_name"].to_numpy()[m.index[ok]]
            out.loc[ok, "region_layer"] = lyr.name
            fill_country = ok & out["country_iso3"].isna().to_numpy()
            out.loc[fill_country, "country_iso3"] = reg_country[fill_country]
            ctx.count("boundary", lyr.level, lyr.name, int(ok.sum()))
    out["location_flag"] = _location_flags(sites, out, ctx)
    return pd.concat([out, prov], axis=1)


_CLAIM_COUNTRY = ("country_iso3", "iso3", "country_code", "country", "iso_a3")
_CLAIM_REGION = ("state", "state_code", "province", "region", "admin1")


def _location_flags(sites: gpd.GeoDataFrame, out: pd.DataFrame, ctx) -> pd.Series:
    """Flag sites whose own country/state column disagrees with where they fall.

    Public lists of cloud regions and campuses are known to carry such errors (a
    "Dallas" region at Oregon coordinates). The claim is compared with the ISO3,
    ISO2 and name of the country found, and with the region code suffix (``VA``) or
    name of the first-level region, case-insensitively. Empty claims are not checked.
    """
    flags = pd.Series("", index=out.index, dtype=object)
    # the boundary family runs first: every column of ``sites`` is the user's
    user_cols = {str(c).lower(): c for c in sites.columns if c not in ("lat", "lon")}
    ccol = next((user_cols[c] for c in _CLAIM_COUNTRY if c in user_cols), None)
    rcol = next((user_cols[c] for c in _CLAIM_REGION if c in user_cols), None)
    if ccol is None and rcol is None:
        return flags
    a0 = None
    lyr0 = next(iter(ctx.catalog.family("boundary")), None)
    files = ctx.locate(lyr0) if lyr0 is not None else None
    if files:
        a0 = _load(str(next(iter(files.values()))))[0]
    if ccol is not None and a0 is not None:
        found = out["country_iso3"]
        iso2 = found.map(
            dict(zip(a0["country_iso3"], a0.get("country_iso2", a0["country_iso3"]), strict=False))
        )
        names = out["country_name"].astype(str).str.casefold()
        claim = sites[ccol].astype(str).str.strip()
        has = claim.ne("") & claim.str.lower().ne("nan") & found.notna()
        ok = (
            claim.str.upper().eq(found)
            | claim.str.upper().eq(iso2.fillna(""))
            | claim.str.casefold().eq(names)
        )
        bad = has & ~ok
        flags[bad] = (
            f"{ccol} '" + claim[bad] + "' but the coordinates fall in " + found[bad].astype(str)
        )
    if rcol is not None:
        code = out["region_code"]
        claim = sites[rcol].astype(str).str.strip()
        has = claim.ne("") & claim.str.lower().ne("nan") & code.notna()
        # the split runs once per distinct code, not once per site
        codes, distinct = pd.factorize(code.fillna(""))
        last = pd.Series(np.asarray(distinct, dtype=object), dtype=object).str.split("-").str[-1]
        suffix = pd.Series(last.to_numpy()[codes], index=code.index, dtype=object)
        ok = (
            claim.str.upper().eq(suffix)
            | claim.str.upper().eq(code.fillna(""))
            | claim.str.casefold().eq(out["region_name"].fillna("").str.casefold())
        )
        bad = has & ~ok
        msg = f"{rcol} '" + claim[bad] + "' but the coordinates fall in " + code[bad].astype(str)
        flags[bad] = np.where(flags[bad].eq(""), msg, flags[bad] + "; " + msg)
    return flags
