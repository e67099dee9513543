"""Electricity price per site [USD/MWh]: industrial / large-customer, nominal.

Levels, finest first (every value keeps its layer, level, vintage, source text and
jurisdiction; a row applies only inside its own country or region):

1. ``region``: a row for one ISO 3166-2 subdivision (``CA-QC``...), matched on the
   site's ``region_code``: the curated official tariffs
   (:func:`siting.layers.price_tariffs.read_official_tariffs`) and country-table rows
   whose source is a regional tariff (Hydro-Quebec Rate L -> ``CA-QC``).
2. ``us_state``: U.S. EIA average retail price to ultimate *industrial* customers by
   state (EIA API v2 ``electricity/retail-sales``, cents per kWh), latest year. Read
   from the EIA API v2 export (CSV with the API's field names, or the API's JSON
   response), joined on ``region_code`` (``US-TX``...).
3. ``country``:

   * the EIA "U.S. Total" row, for a U.S. site without state coverage;
   * Eurostat ``nrg_pc_205`` (non-household consumers, bi-annual), excluding all
     taxes and levies (``X_TAX``), in EUR, consumption band 20-70 GWh/yr
     (``MWH20000-69999``; the nearest band where that one is not reported, flagged in
     ``price_source``), mean of the two latest semesters with a value, converted to
     USD at a stated rate (:data:`USD_PER_EUR_2024`, join option ``usd_per_eur``);
   * curated official country figures, and a regional figure flagged
     ``national_proxy`` for a site of that country whose region is unknown (never for
     a site in another known region);
   * the 62-country table of ``country-industrial-electricity-prices`` (Eurostat,
     EIA and compiled ``research`` rows; the latter are flagged
     ``price_indicative = True``).
4. ``assumption``: where nothing covers the site, the user's assumption
   (join option ``price_usd_per_mwh_default``) or NaN with a reason when none was
   given (the model then applies its scenario assumption). ``price_layer`` and
   ``price_level`` are ``"assumption"`` so every output says so.

Columns (``docs/columns.md``): ``price_usd_per_mwh``, ``price_indicative``,
``price_source`` (the row's origin as text: dataset, band, periods, conversion),
``price_jurisdiction``, the escalation fit ``price_escalation_per_yr`` /
``_low_per_yr`` / ``_high_per_yr`` / ``price_escalation_source`` and the provenance
columns ``price_layer``, ``price_level``, ``price_vintage``, ``price_reason``.

Offline, the embedded starter pack holds compact extracts (EIA states 2001-2024, the
Eurostat/EIA rows of the country table) and the curated official tariffs; the full
files are read from a data directory or from the cache after ``siting data fetch``.

References
----------
.. [1] U.S. Energy Information Administration, Open Data API v2,
   ``electricity/retail-sales``: average price, industrial sector, annual.
.. [2] Eurostat, nrg_pc_205, Electricity prices for non-household consumers -
   bi-annual data (from 2007 onwards). Source: Eurostat.
.. [3] European Central Bank, euro foreign exchange reference rates, US dollar,
   annual average 2024 (ECB Data Portal series ``EXR.A.USD.EUR.SP00.A``).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting import provenance
from siting.errors import ConfigError, LayerError
from siting.layers.price_tariffs import (
    ESCALATION_COLUMNS,
    KWH_PER_MWH,
    escalation_text,
    fit_escalation,
    read_country_prices,
)

#: 1 c/kWh = 0.01 USD/kWh, and 1 MWh = 1000 kWh, so c/kWh x 10 = USD/MWh (exact).
CENTS_PER_KWH_TO_USD_PER_MWH = 10.0
#: USD per EUR: ECB euro foreign exchange reference rate against the US dollar,
#: annual average 2024 (ECB Data Portal series EXR.A.USD.EUR.SP00.A) [USD/EUR].
#: Cross-check: Eurostat "Exchange rates and interest rates" (2025) reports an 18.5 %
#: depreciation of the euro against the dollar 2014-2024 (2014 average 1.3285).
USD_PER_EUR_2024 = 1.0824
#: Year of :data:`USD_PER_EUR_2024`, written into ``price_source``.
USD_PER_EUR_YEAR = 2024

#: EIA API v2 unit string of the ``price`` field of electricity/retail-sales.
EIA_PRICE_UNITS = "cents per kilowatt-hour"
#: EIA API v2 export columns (electricity/retail-sales, data = price).
EIA_COLUMNS = (
    "period",
    "stateid",
    "stateDescription",
    "sectorid",
    "sectorName",
    "price",
    "price-units",
)

#: Eurostat nrg_pc_205 band of annual consumption 20,000-69,999 MWh (20-70 GWh/yr),
#: i.e. an average facility load of 2.3-8.0 MW (GWh/yr / 8.76 thousand h/yr); larger
#: campuses fall in bigger bands, which Eurostat reports for fewer countries.
EUROSTAT_BAND = "MWH20000-69999"
#: Bands tried, in order, where a country reports nothing in :data:`EUROSTAT_BAND`:
#: the next larger, then the next smaller band (bands of Regulation (EU) 2016/1952).
EUROSTAT_FALLBACK_BANDS = ("MWH70000-149999", "MWH2000-19999")
#: Number of latest semesters with a value averaged per country (two = about a year).
EUROSTAT_SEMESTERS = 2
#: Eurostat geo codes -> ISO 3166-1 alpha-3. Eurostat uses ISO alpha-2 except EL
#: (Greece) and UK (United Kingdom), and XK for Kosovo (code XKX as in the boundary
#: layer). Aggregates (EU27_2020, EA, ...) are not countries and are skipped.
EUROSTAT_GEO_ISO3 = {
    "AL": "ALB",
    "AT": "AUT",
    "BA": "BIH",
    "BE": "BEL",
    "BG": "BGR",
    "CY": "CYP",
    "CZ": "CZE",
    "DE": "DEU",
    "DK": "DNK",
    "EE": "EST",
    "EL": "GRC",
    "ES": "ESP",
    "FI": "FIN",
    "FR": "FRA",
    "GE": "GEO",
    "HR": "HRV",
    "HU": "HUN",
    "IE": "IRL",
    "IS": "ISL",
    "IT": "ITA",
    "LI": "LIE",
    "LT": "LTU",
    "LU": "LUX",
    "LV": "LVA",
    "MD": "MDA",
    "ME": "MNE",
    "MK": "MKD",
    "MT": "MLT",
    "NL": "NLD",
    "NO": "NOR",
    "PL": "POL",
    "PT": "PRT",
    "RO": "ROU",
    "RS": "SRB",
    "SE": "SWE",
    "SI": "SVN",
    "SK": "SVK",
    "TR": "TUR",
    "UA": "UKR",
    "UK": "GBR",
    "XK": "XKX",
}

#: Levels, finest first: ``region`` = ISO 3166-2 subdivision of any country (matched on
#: ``region_code``), ``us_state`` = EIA state rows, ``country`` = ISO3.
LEVELS = ("region", "us_state", "country")
#: Columns of the tables returned by the readers.
TABLE_COLUMNS = (
    "code",
    "level",
    "price_usd_per_mwh",
    "price_indicative",
    "price_source",
    "vintage",
)
#: join option names
OPT_DEFAULT = "price_usd_per_mwh_default"
OPT_USD_PER_EUR = "usd_per_eur"


# ----------------------------------------------------------------------------- EIA


def _read_eia_frame(path: Path) -> pd.DataFrame:
    """EIA API v2 retail-sales rows from the CSV export or the JSON response."""
    if path.suffix.lower() == ".json":
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
            rows = obj["response"]["data"]
        except (ValueError, KeyError, TypeError) as e:
            raise LayerError(
                f"not an EIA API v2 response (expected response.data): {e}", file=path
            ) from None
        df = pd.DataFrame.from_records(rows)
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in ("period", "stateid", "sectorid", "price", "price-units") if c not in df]
    if missing:
        raise LayerError(
            f"EIA retail-sales file misses column(s) {missing}; expected the EIA API v2 "
            f"electricity/retail-sales fields {list(EIA_COLUMNS)}",
            file=path,
        )
    return df


def read_eia_states(files: dict[str, Path]) -> pd.DataFrame:
    """Reader named in the catalog: EIA industrial price by state and U.S. total.

    Parameters
    ----------
    files
        ``{catalog path: local path}`` of the layer (from ``Catalog.locate``).

    Returns
    -------
    DataFrame
        Columns :data:`TABLE_COLUMNS`: one ``us_state`` row per state and DC
        (``code`` = ``US-XX``) and one ``country`` row for the U.S. total
        (``code`` = ``USA``), each at its latest year with a price.
        ``price_usd_per_mwh`` = EIA cents/kWh x :data:`CENTS_PER_KWH_TO_USD_PER_MWH`.
    """
    path = next(iter(files.values()))
    return _eia_table(str(path), path.stat().st_mtime_ns).copy()


@lru_cache(maxsize=8)
def _eia_table(path_str: str, _mtime: int) -> pd.DataFrame:
    path = Path(path_str)
    df = _read_eia_frame(path)
    df = df[df["sectorid"].astype(str).str.upper() == "IND"].copy()
    units = set(df["price-units"].astype(str).str.strip().str.lower()) - {""}
    if units and units != {EIA_PRICE_UNITS}:
        raise LayerError(f"EIA price units {sorted(units)} are not '{EIA_PRICE_UNITS}'", file=path)
    df["price"] = pd.to_numeric(df["price"], errors="coerce")
    df["period"] = df["period"].astype(str).str.strip()
    sid = df["stateid"].astype(str).str.strip().str.upper()
    # two-letter ids are states, DC and US (U.S. total); longer ids are census divisions
    df = df[(sid.str.len() == 2) & df["price"].notna()].assign(stateid=sid)
    if df.empty:
        raise LayerError("no industrial (sectorid IND) price rows found", file=path)
    year = pd.to_numeric(df["period"].str[:4], errors="coerce").to_numpy(float)
    fit = fit_escalation(year, df["price"].to_numpy(float), df["stateid"].to_numpy(object))
    fit["esc_source"] = escalation_text(fit, "the EIA annual industrial price series")
    df = df.sort_values(["stateid", "period"]).groupby("stateid", sort=True).tail(1)
    is_us = (df["stateid"] == "US").to_numpy()
    desc = df.get("stateDescription", df["stateid"]).astype(str)
    out = pd.DataFrame(
        {
            "code": np.where(is_us, "USA", "US-" + df["stateid"]),
            "level": np.where(is_us, "country", "us_state"),
            "price_usd_per_mwh": df["price"].to_numpy(float) * CENTS_PER_KWH_TO_USD_PER_MWH,
            "price_indicative": False,
            "price_source": (
                "EIA average retail price, industrial sector, "
                + desc
                + " "
                + df["period"]
                + ": "
                + df["price"].map("{:g}".format)
                + " c/kWh x 10"
            ).to_numpy(),
            "vintage": df["period"].to_numpy(),
        }
    )
    out["jurisdiction"] = out["code"]
    out["proxy_region"] = ""
    out["_k"] = df["stateid"].to_numpy()
    out = out.join(fit[list(ESCALATION_COLUMNS)], on="_k").drop(columns="_k")
    return out.reset_index(drop=True)


def build_eia_api(fetched: dict[str, Path] | str | Path, out_dir: Path) -> list[Path]:
    """Fetch converter: EIA API v2 JSON response -> CSV with the API's field names.

    The JSON response echoes the request (it may hold the API key); the CSV keeps
    only the data rows, in the column order of the EIA API v2 CSV export
    (:data:`EIA_COLUMNS`), sorted by period (descending) and state.

    Parameters
    ----------
    fetched
        ``{cache-relative path: local path}`` of the downloaded files (the ``.json``
        file is converted), or the path of the JSON response itself.
    out_dir
        Directory that mirrors the cache root; the catalog file
        ``eia-api-v2/eia_industrial_price_by_state.csv`` is written under it.

    Returns
    -------
    list of Path
        The files written.
    """
    if isinstance(fetched, str | Path):
        fetched = {Path(fetched).name: Path(fetched)}
    src = [p for p in fetched.values() if Path(p).suffix.lower() == ".json"]
    if not src:
        raise LayerError(f"no EIA API JSON response among the fetched files {sorted(fetched)}")
    path = Path(src[0])
    obj = json.loads(path.read_text(encoding="utf-8"))
    try:
        resp = obj["response"]
        rows = resp["data"]
    except (KeyError, TypeError):
        raise LayerError(
            "not an EIA API v2 response (no response.data); an error answer reads: "
            f"{str(obj)[:300]}",
            file=path,
        ) from None
    total = resp.get("total")
    if total is not None and int(total) > len(rows):
        raise LayerError(
            f"EIA API response is truncated ({len(rows)} of {total} rows); raise 'length' "
            "or page with 'offset' in the catalog URL",
            file=path,
        )
    df = pd.DataFrame.from_records(rows)
    missing = [c for c in EIA_COLUMNS if c not in df]
    if missing:
        raise LayerError(f"EIA API rows miss field(s) {missing}", file=path)
    df = df[list(EIA_COLUMNS)].sort_values(["period", "stateid"], ascending=[False, True])
    out = Path(out_dir) / "eia-api-v2" / "eia_industrial_price_by_state.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    _eia_table.cache_clear()
    return [out]


# ------------------------------------------------------------------------ Eurostat


def _open_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip magic number (RFC 1952)
        raw = gzip.decompress(raw)
    return raw.decode("utf-8-sig")


def read_eurostat_long(path: Path) -> pd.DataFrame:
    """Observations of a Eurostat dataset download, in long form.

    Reads both official download formats of the Eurostat dissemination API (and of the
    data browser), plain or gzip-compressed:

    * **TSV**: first column the comma-separated dimension codes, header
      ``freq,siec,nrg_cons,unit,tax,currency,geo\\TIME_PERIOD``, then one column per
      period; cells hold ``value flags`` (``0.0942 p``) or ``:`` when missing.
    * **SDMX-CSV**: one row per observation with the dimension columns,
      ``TIME_PERIOD``, ``OBS_VALUE`` and ``OBS_FLAG``.

    Returns
    -------
    DataFrame
        One column per dimension (lower-case code names as in the file), plus
        ``TIME_PERIOD`` (str), ``OBS_VALUE`` (float, NaN where missing), ``OBS_FLAG``.
    """
    text = _open_text(path)
    first = text.split("\n", 1)[0]
    if "\\" in first.split("\t", 1)[0]:
        head = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
        first_col = head.columns[0]
        dims = first_col.split("\\")[0].split(",")
        keys = head[first_col].str.split(",", expand=True)
        if keys.shape[1] != len(dims):
            raise LayerError(
                f"Eurostat TSV: {keys.shape[1]} codes per row for {len(dims)} dimensions {dims}",
                file=path,
            )
        keys.columns = [d.strip() for d in dims]
        wide = pd.concat([keys, head.drop(columns=first_col)], axis=1)
        wide.columns = [str(c).strip() for c in wide.columns]
        long = wide.melt(id_vars=list(keys.columns), var_name="TIME_PERIOD", value_name="cell")
        cell = long.pop("cell").astype(str).str.strip()
        num = cell.str.extract(r"^([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)")[0]
        long["OBS_VALUE"] = pd.to_numeric(num, errors="coerce")
        long["OBS_FLAG"] = cell.str.replace(r"^[-+0-9.eE:]+", "", regex=True).str.strip()
        return long
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if "TIME_PERIOD" not in df or "OBS_VALUE" not in df:
        raise LayerError(
            "neither a Eurostat TSV (first header cell 'dims\\TIME_PERIOD') nor SDMX-CSV "
            "(columns TIME_PERIOD, OBS_VALUE)",
            file=path,
        )
    df["OBS_VALUE"] = pd.to_numeric(df["OBS_VALUE"], errors="coerce")
    if "OBS_FLAG" not in df:
        df["OBS_FLAG"] = ""
    return df


def read_eurostat_nrg_pc_205(
    files: dict[str, Path],
    *,
    usd_per_eur: float = USD_PER_EUR_2024,
    band: str = EUROSTAT_BAND,
    fallback_bands: tuple[str, ...] = EUROSTAT_FALLBACK_BANDS,
    semesters: int = EUROSTAT_SEMESTERS,
) -> pd.DataFrame:
    """Reader named in the catalog: Eurostat nrg_pc_205 country prices in USD/MWh.

    Keeps ``tax == X_TAX`` (excluding all taxes and levies), ``currency == EUR`` and
    ``unit == KWH``; per country the band ``band`` (else the first of
    ``fallback_bands`` with data), the mean of its ``semesters`` latest semesters with a
    value, x :data:`KWH_PER_MWH` x ``usd_per_eur``.

    Parameters
    ----------
    files
        ``{catalog path: local path}``; the first file found is read (SDMX-CSV, TSV or
        TSV.gz).
    usd_per_eur
        Exchange rate [USD/EUR]; default :data:`USD_PER_EUR_2024`.
    band, fallback_bands
        Eurostat ``nrg_cons`` codes.
    semesters
        Number of latest semesters averaged.

    Returns
    -------
    DataFrame
        Columns :data:`TABLE_COLUMNS`, level ``country``, ``code`` ISO3; ``vintage`` is
        the averaged periods joined by ``/`` (e.g. ``2024-S2/2025-S1``).
    """
    if not (math.isfinite(usd_per_eur) and usd_per_eur > 0):
        raise ConfigError(f"usd_per_eur must be a positive number [USD/EUR], got {usd_per_eur}")
    path = next(iter(files.values()))
    long = _eurostat_long(str(path), path.stat().st_mtime_ns)
    return _eurostat_table(long, usd_per_eur, band, tuple(fallback_bands), int(semesters), path)


@lru_cache(maxsize=4)
def _eurostat_long(path_str: str, _mtime: int) -> pd.DataFrame:
    return read_eurostat_long(Path(path_str))


def _eurostat_table(
    long: pd.DataFrame,
    usd_per_eur: float,
    band: str,
    fallback_bands: tuple[str, ...],
    semesters: int,
    path: Path,
) -> pd.DataFrame:
    need = ("nrg_cons", "tax", "currency", "geo")
    missing = [c for c in need if c not in long]
    if missing:
        raise LayerError(f"not nrg_pc_205: dimension(s) {missing} absent", file=path)
    keep = (long["tax"] == "X_TAX") & (long["currency"] == "EUR") & long["OBS_VALUE"].notna()
    if "unit" in long:
        keep &= long["unit"] == "KWH"
    if "freq" in long:
        keep &= long["freq"] == "S"
    bands = (band, *fallback_bands)
    keep &= long["nrg_cons"].isin(bands) & long["geo"].isin(EUROSTAT_GEO_ISO3.keys())
    df = long.loc[keep, ["geo", "nrg_cons", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG"]].copy()
    cols = list(TABLE_COLUMNS)
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["TIME_PERIOD"] = df["TIME_PERIOD"].astype(str).str.strip()
    df = df.sort_values(["geo", "nrg_cons", "TIME_PERIOD"])
    fit = _eurostat_escalation(df)
    df = df.groupby(["geo", "nrg_cons"], sort=False).tail(semesters)
    df["OBS_FLAG"] = df["OBS_FLAG"].fillna("").astype(str)
    agg = df.groupby(["geo", "nrg_cons"], sort=True).agg(
        eur_per_kwh=("OBS_VALUE", "mean"),
        periods=("TIME_PERIOD", "/".join),
        flags=("OBS_FLAG", lambda s: "".join(sorted(set("".join(s))))),
    )
    agg = agg.reset_index()
    agg["rank"] = agg["nrg_cons"].map({b: i for i, b in enumerate(bands)})
    agg = agg.sort_values(["geo", "rank"]).groupby("geo", sort=True).head(1)
    usd = agg["eur_per_kwh"].to_numpy(float) * KWH_PER_MWH * usd_per_eur
    band_note = np.where(
        agg["nrg_cons"] == band,
        "",
        f" (band {band} not reported; nearest band used)",
    )
    flag_note = np.where(agg["flags"] == "", "", "; Eurostat flags: " + agg["flags"])
    source = (
        "Eurostat nrg_pc_205, "
        + agg["nrg_cons"]
        + band_note
        + ", excl. taxes and levies (X_TAX), mean of "
        + agg["periods"]
        + ": "
        + agg["eur_per_kwh"].map("{:.4f}".format)
        + f" EUR/kWh x 1000 x {usd_per_eur:g} USD/EUR"
        + (f" (ECB {USD_PER_EUR_YEAR} annual average)" if usd_per_eur == USD_PER_EUR_2024 else "")
        + flag_note
    )
    out = pd.DataFrame(
        {
            "code": agg["geo"].map(EUROSTAT_GEO_ISO3).to_numpy(),
            "level": "country",
            "price_usd_per_mwh": usd,
            "price_indicative": False,
            "price_source": source.to_numpy(),
            "vintage": agg["periods"].to_numpy(),
        }
    )
    out["jurisdiction"] = out["code"]
    out["proxy_region"] = ""
    out["_k"] = (agg["geo"] + "|" + agg["nrg_cons"]).to_numpy()
    out = out.join(fit[list(ESCALATION_COLUMNS)], on="_k").drop(columns="_k")
    return out.reset_index(drop=True)


def _eurostat_escalation(df: pd.DataFrame) -> pd.DataFrame:
    """Escalation fit per (geo, band) over every semester with a value (EUR/kWh).

    A semester is placed at its middle: ``YYYY-S1`` = YYYY + 0.25, ``YYYY-S2`` = YYYY +
    0.75 [yr]. The fit is in EUR (no exchange-rate effect).
    """
    per = df["TIME_PERIOD"].str.extract(r"^(\d{4})-S([12])$")
    t = pd.to_numeric(per[0], errors="coerce") + np.where(per[1] == "1", 0.25, 0.75)
    key = (df["geo"] + "|" + df["nrg_cons"]).to_numpy(object)
    fit = fit_escalation(t.to_numpy(float), df["OBS_VALUE"].to_numpy(float), key)
    fit["esc_source"] = escalation_text(fit, "Eurostat nrg_pc_205 semesters (EUR, X_TAX)")
    return fit


# ------------------------------------------------------------------------- join


def _user_default(options: dict) -> float | None:
    val = options.get(OPT_DEFAULT)
    if val is None or (isinstance(val, str) and not val.strip()):
        return None
    try:
        x = float(val)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{OPT_DEFAULT} must be a number [USD/MWh], got {val!r}", field=OPT_DEFAULT
        ) from None
    if not math.isfinite(x):
        return None
    if x < 0:
        raise ConfigError(f"{OPT_DEFAULT} must be >= 0 USD/MWh, got {x:g}", field=OPT_DEFAULT)
    return x


def _read_layer(lyr, files: dict[str, Path], options: dict) -> pd.DataFrame:
    reader = lyr.reader_func()
    if reader is read_eurostat_nrg_pc_205 and options.get(OPT_USD_PER_EUR) is not None:
        rate = float(options[OPT_USD_PER_EUR])
        tab = reader(files, usd_per_eur=rate)
    elif reader is read_country_prices:
        tab = reader(files, vintage=lyr.vintage)
    else:
        tab = reader(files)
    missing = [c for c in TABLE_COLUMNS if c not in tab]
    if missing:
        raise LayerError(f"price reader of layer '{lyr.name}' returned no {missing}")
    tab = tab.copy()
    if "jurisdiction" not in tab:
        tab["jurisdiction"] = tab["code"]
    if "proxy_region" not in tab:
        tab["proxy_region"] = ""
    for c in ESCALATION_COLUMNS:
        if c not in tab:
            tab[c] = "" if c == "esc_source" else np.nan
    return tab


def _codes(sites: pd.DataFrame, col: str) -> pd.Series:
    if col not in sites:
        return pd.Series(None, index=sites.index, dtype=object)
    return sites[col].astype(object).where(sites[col].notna(), None)


def join(sites: gpd.GeoDataFrame, ctx) -> pd.DataFrame:
    """Electricity price per site with provenance (see the module docstring).

    Parameters
    ----------
    sites
        Sites after the boundary family (uses ``country_iso3`` and ``region_code``;
        sites without them get the assumption with a reason).
    ctx
        :class:`siting.join.JoinContext`. Options: ``price_usd_per_mwh_default``
        [USD/MWh] (the user's assumption where no data covers a site) and
        ``usd_per_eur`` [USD/EUR] (override of :data:`USD_PER_EUR_2024` for Eurostat
        values).

    Returns
    -------
    DataFrame
        Indexed like ``sites``: ``price_usd_per_mwh``, ``price_indicative``,
        ``price_source``, ``price_layer``, ``price_level``, ``price_vintage``,
        ``price_reason``.
    """
    idx = sites.index
    n = len(idx)
    default = _user_default(ctx.options)
    price = np.full(n, np.nan)
    indicative = np.zeros(n, dtype=bool)
    source = np.full(n, "", dtype=object)
    juris = np.full(n, "", dtype=object)
    esc = np.full((3, n), np.nan)
    esc_src = np.full(n, "", dtype=object)
    prov = provenance.empty(idx, "price", "")

    iso3 = _codes(sites, "country_iso3")
    region = _codes(sites, "region_code")
    # the string test runs once per distinct code (a few thousand), not once per site
    codes, distinct = pd.factorize(region.fillna(""))
    is_us = pd.Series(np.asarray(distinct, dtype=object), dtype=object).str.startswith("US-")
    us_region = region.where(pd.Series(is_us.to_numpy()[codes], index=region.index), None)
    region_arr = region.to_numpy(object)
    keys = {
        "region": region_arr,
        "us_state": us_region.to_numpy(object),
        "country": iso3.to_numpy(object),
    }

    tables = []
    for lyr in ctx.catalog.family("price"):
        files = ctx.locate(lyr)
        if files:
            tables.append((lyr, _read_layer(lyr, files, ctx.options)))

    for level in LEVELS:
        key = keys[level]
        for lyr, tab in tables:
            sub = tab[tab["level"] == level]
            if sub.empty:
                continue
            pos = pd.Index(sub["code"]).get_indexer(key)
            hit = np.isnan(price) & (pos >= 0)
            if level == "country":
                hit &= _inside(sub["proxy_region"].to_numpy(object), pos, region_arr)
            if not hit.any():
                continue
            take = pos[hit]
            price[hit] = sub["price_usd_per_mwh"].to_numpy(float)[take]
            indicative[hit] = sub["price_indicative"].to_numpy(bool)[take]
            source[hit] = sub["price_source"].to_numpy(object)[take]
            juris[hit] = sub["jurisdiction"].to_numpy(object)[take]
            for k, c in enumerate(ESCALATION_COLUMNS[:3]):
                esc[k, hit] = sub[c].to_numpy(float)[take]
            esc_src[hit] = sub["esc_source"].to_numpy(object)[take]
            provenance.set_source(prov, "price", hit, lyr.name, level, "")
            prov.loc[hit, "price_vintage"] = sub["vintage"].astype(str).to_numpy()[take]
            ctx.count("price", level, lyr.name, int(hit.sum()))

    miss = np.isnan(price)
    if miss.any():
        if not tables:
            why = pd.Series(
                "no electricity-price layer found in any data directory (point --data-dir "
                "at the raw datasets or run `siting data fetch`, see docs/method_price.md)",
                index=idx,
            )
        else:
            why = pd.Series(
                np.where(
                    iso3.isna().to_numpy(),
                    "no country found for this site, so no price data applies",
                    "no price data for country " + iso3.fillna("").astype(str),
                ),
                index=idx,
            )
        esc_src[miss] = "no price data, so no series"
        prov.loc[miss, "price_layer"] = "assumption"
        prov.loc[miss, "price_level"] = "assumption"
        prov.loc[miss, "price_vintage"] = ""
        if default is None:
            prov.loc[miss, "price_reason"] = (
                why[miss] + f"; no {OPT_DEFAULT} given: the model applies its scenario assumption"
            )
            source[miss] = "assumption: none given (the model's scenario assumption applies)"
        else:
            price[miss] = default
            prov.loc[miss, "price_reason"] = ""
            source[miss] = (
                f"assumption: user value {OPT_DEFAULT} = {default:g} USD/MWh (" + why[miss] + ")"
            ).to_numpy(object)
        ctx.count("price", "assumption", "assumption", int(miss.sum()))

    out = pd.DataFrame(
        {
            "price_usd_per_mwh": price,
            "price_indicative": indicative,
            "price_source": source,
            "price_jurisdiction": juris,
            "price_escalation_per_yr": esc[0],
            "price_escalation_low_per_yr": esc[1],
            "price_escalation_high_per_yr": esc[2],
            "price_escalation_source": esc_src,
        },
        index=idx,
    )
    return pd.concat([out, prov], axis=1)


def _inside(proxy_region: np.ndarray, pos: np.ndarray, site_region: np.ndarray) -> np.ndarray:
    """Country-level hits allowed by the border rule.

    A country row that stands for one region (``proxy_region`` set, e.g. ``IN-MH``)
    applies to a site of that country only when the site's region is unknown or is that
    region; a site in another known region never gets it.
    """
    pr = np.where(pos >= 0, proxy_region[np.maximum(pos, 0)], "")
    pr = np.asarray(pr, dtype=object)
    known = (pd.Series(site_region, dtype=object).fillna("").astype(str) != "").to_numpy()
    return (pr == "") | ~known | (pr == site_region)
