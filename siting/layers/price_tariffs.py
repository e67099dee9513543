"""Electricity price: curated official tariffs, escalation fit, offline starter extracts.

Companion of :mod:`siting.layers.price` (the join and the EIA / Eurostat readers).

* :func:`read_official_tariffs`: the curated table ``data/prices/official_tariffs.csv``
  (one row per country or ISO 3166-2 region, each with publisher, document, year, URL and
  the exchange rate used, see ``docs/method_price.md``). The reader recomputes every
  USD/MWh value from ``price``, ``unit`` and ``fx_rate`` and refuses a row that disagrees.
* :func:`fit_escalation`: log-linear least-squares fit of a price series,
  ``ln p(t) = a + b t``; escalation ``exp(b) - 1`` per year with the 95 % range of ``b``.
* :func:`build_starter_raw`: compact extracts of the official files of a raw data
  directory for the offline starter pack (EIA public domain; Eurostat re-use with
  acknowledgement). Compiled rows of unclear licence are left out.

References
----------
.. [1] Montgomery, D. C., Peck, E. A., Vining, G. G. (2012). Introduction to Linear
   Regression Analysis, 5th ed., Wiley: sec. 2.3 (confidence interval of the slope,
   ``b +- t_{0.975, n-2} * se(b)``).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # Student t quantile (scipy.stats costs ~1 s to import)

from siting.errors import LayerError

#: kWh per MWh (SI prefixes, exact): a price per kWh x 1000 = price per MWh.
KWH_PER_MWH = 1000.0
#: Country-table rows whose ``source`` names a sub-national tariff: ISO3 -> (words in
#: ``source``, ISO 3166-2 region). Such a row is a region row: a site elsewhere in the
#: country never gets it (Hydro-Quebec Rate L is a Quebec tariff).
SUBNATIONAL_SOURCES = {"CAN": ("Hydro-Quebec", "CA-QC"), "IND": ("MSEDCL", "IN-MH")}
#: Unit of the ``price`` column -> factor to "currency per MWh". Sub-units are 1/100 of
#: the currency (cent, halala, fils, sen: ISO 4217 minor unit exponent 2), and
#: 1 MWh = 1000 kWh, so x/100 per kWh x 1000 = 10 x per MWh (exact).
UNIT_TO_PER_MWH = {
    "c/kWh": 10.0,
    "halala/kWh": 10.0,
    "fils/kWh": 10.0,
    "sen/kWh": 10.0,
    "INR/kWh": 1000.0,
    "JPY/kWh": 1000.0,
    "MXN/kWh": 1000.0,
    "AUD/MWh": 1.0,
    "USD/MWh": 1.0,
}
#: Columns of ``data/prices/official_tariffs.csv``.
TARIFF_COLUMNS = (
    "country",
    "region",
    "national_proxy",
    "price",
    "currency",
    "unit",
    "year",
    "usd_per_mwh",
    "fx_rate",
    "fx_source",
    "source",
    "url",
    "licence",
    "notes",
)
#: Largest accepted difference [USD/MWh] between the stored and the recomputed value
#: (the file stores two decimals).
USD_TOLERANCE = 0.006
#: Two-sided coverage of the escalation range.
ESCALATION_COVERAGE = 0.95
#: Fewest points for a fit (two points give no range).
ESCALATION_MIN_POINTS = 3
#: Escalation columns carried by a price table (NaN / "" where no series exists).
ESCALATION_COLUMNS = ("esc_per_yr", "esc_low_per_yr", "esc_high_per_yr", "esc_source")


def _bool(cell: str, path: Path, line: int) -> bool:
    v = str(cell).strip().lower()
    if v in ("true", "1", "yes"):
        return True
    if v in ("false", "0", "no", ""):
        return False
    raise LayerError(f"national_proxy must be true/false, got {cell!r}", file=path, row=line)


def read_official_tariffs(files: dict[str, Path]) -> pd.DataFrame:
    """Reader named in the catalog: curated official tariffs, USD/MWh.

    A row with ``region`` (ISO 3166-2, e.g. ``CA-QC``) is a **region** row: it applies
    only to a site whose ``region_code`` is that region. With ``national_proxy = true``
    it is also offered at country level, but only to a site of that country whose region
    is unknown (no admin-1 boundaries for that country); a site in another known region
    never gets it. A row without ``region`` is a country row.

    Returns
    -------
    DataFrame
        Columns of :data:`siting.layers.price.TABLE_COLUMNS` plus ``jurisdiction``,
        ``proxy_region`` and :data:`ESCALATION_COLUMNS`.
    """
    path = next(iter(files.values()))
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in TARIFF_COLUMNS if c not in df]
    if missing:
        raise LayerError(f"official tariff table misses column(s) {missing}", file=path)
    out = []
    for i, r in enumerate(df.itertuples(index=False), start=2):
        unit = r.unit.strip()
        if unit not in UNIT_TO_PER_MWH:
            raise LayerError(
                f"unit {unit!r} unknown; expected one of {sorted(UNIT_TO_PER_MWH)}",
                file=path,
                row=i,
            )
        try:
            price, fx, usd = float(r.price), float(r.fx_rate), float(r.usd_per_mwh)
        except ValueError:
            raise LayerError(
                "price, fx_rate and usd_per_mwh must be numbers", file=path, row=i
            ) from None
        if not (fx > 0 and math.isfinite(price) and price >= 0):
            raise LayerError(f"price {price} / fx_rate {fx} out of range", file=path, row=i)
        calc = price * UNIT_TO_PER_MWH[unit] / fx
        if abs(calc - usd) > USD_TOLERANCE:
            raise LayerError(
                f"usd_per_mwh {usd} disagrees with price x unit / fx_rate = {calc:.3f}",
                file=path,
                row=i,
            )
        if not r.source.strip() or not r.url.strip() or not r.year.strip():
            raise LayerError("every row needs source, url and year", file=path, row=i)
        country = r.country.strip().upper()
        region = r.region.strip().upper()
        proxy = _bool(r.national_proxy, path, i)
        text = (
            f"{r.source.strip()} ({r.year.strip()}): {price:g} {unit} {r.currency.strip()}"
            f" / {fx:g} {r.currency.strip()}/USD ({r.fx_source.strip()}) = {calc:.1f} USD/MWh;"
            f" {r.notes.strip()}; {r.url.strip()}"
        )
        base = {
            "price_usd_per_mwh": calc,
            "price_indicative": False,
            "price_source": text,
            "vintage": r.year.strip(),
            "jurisdiction": region or country,
        }
        if region:
            out.append({**base, "code": region, "level": "region", "proxy_region": ""})
        if not region or proxy:
            out.append({**base, "code": country, "level": "country", "proxy_region": region})
    tab = pd.DataFrame(out)
    dup = tab.duplicated(["code", "level"])
    if dup.any():
        raise LayerError(
            f"official tariff table repeats {tab.loc[dup, 'code'].tolist()}", file=path
        )
    for c in ESCALATION_COLUMNS:
        tab[c] = "" if c == "esc_source" else np.nan
    tab.loc[:, "esc_source"] = "no historical series in this layer (single published figure)"
    return tab


# ---------------------------------------------------------------- country table


def read_country_prices(files: dict[str, Path], vintage: str = "2024-2025") -> pd.DataFrame:
    """Reader named in the catalog: the 62-country industrial price table.

    ``price_usd_per_mwh`` = ``price_usd_kwh`` x :data:`KWH_PER_MWH`, as published (the
    table converts its EUR values at 0.92 EUR/USD). Rows with
    ``consumption_band == "research"`` are compiled non-official figures:
    ``price_indicative = True``. Each row's ``source`` is kept in ``price_source``.

    Parameters
    ----------
    files
        ``{catalog path: local path}`` of the layer.
    vintage
        Vintage written for every row (the table's 2024-2025).

    Returns
    -------
    DataFrame
        Columns :data:`TABLE_COLUMNS`, level ``country``, ``code`` ISO3.
    """
    path = next(iter(files.values()))
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    need = ("iso3", "price_usd_kwh", "consumption_band", "source")
    missing = [c for c in need if c not in df]
    if missing:
        raise LayerError(f"country price table misses column(s) {missing}", file=path)
    dup = df["iso3"][df["iso3"].duplicated()].unique().tolist()
    if dup:
        raise LayerError(f"country price table repeats iso3 {dup}", file=path)
    usd_kwh = pd.to_numeric(df["price_usd_kwh"], errors="coerce")
    band = df["consumption_band"].str.strip()
    research = (band == "research").to_numpy()
    src = df["source"].str.strip()
    source = np.where(
        research,
        "compiled non-official figure (indicative): " + src,
        src + " (" + band + ", country table)",
    )
    code = df["iso3"].str.strip().str.upper()
    region = pd.Series("", index=df.index, dtype=object)
    for iso3, (words, reg) in SUBNATIONAL_SOURCES.items():
        region[(code == iso3) & src.str.contains(words, case=False, regex=False)] = reg
    sub = (region != "").to_numpy()
    out = pd.DataFrame(
        {
            "code": np.where(sub, region, code),
            "level": np.where(sub, "region", "country"),
            "price_usd_per_mwh": usd_kwh.to_numpy(float) * KWH_PER_MWH,
            "price_indicative": research,
            "price_source": source,
            "vintage": vintage,
            "jurisdiction": np.where(sub, region, code),
            "proxy_region": "",
        }
    )
    for c in ESCALATION_COLUMNS:
        out[c] = "" if c == "esc_source" else np.nan
    out["esc_source"] = "no historical series in this layer (single published figure)"
    return out[out["price_usd_per_mwh"].notna()].reset_index(drop=True)


# ------------------------------------------------------------------ escalation fit


def fit_escalation(t_yr: np.ndarray, price: np.ndarray, group: np.ndarray) -> pd.DataFrame:
    """Per-group log-linear escalation fit (vectorised with group sums).

    ``ln p = a + b t`` by ordinary least squares for each group; escalation
    ``exp(b) - 1`` [1/yr] and its range ``exp(b +- t_{0.975, n-2} se(b)) - 1`` [1]_.

    Parameters
    ----------
    t_yr
        Time of each observation [yr] (e.g. 2001.0; a semester S1 = year + 0.25).
    price
        Price of each observation (> 0; any unit, the fit is scale-free).
    group
        Group key of each observation (state or country code).

    Returns
    -------
    DataFrame
        Indexed by group: ``esc_per_yr``, ``esc_low_per_yr``, ``esc_high_per_yr``,
        ``n``, ``t_first``, ``t_last``. Groups with fewer than
        :data:`ESCALATION_MIN_POINTS` positive prices get NaN.
    """
    t = np.asarray(t_yr, float)
    p = np.asarray(price, float)
    ok = np.isfinite(t) & np.isfinite(p) & (p > 0)
    d = pd.DataFrame({"g": np.asarray(group)[ok], "t": t[ok], "y": np.log(p[ok])})
    # centre time and log-price per group: the sums below then lose no precision
    t_first = d.groupby("g")["t"].transform("min")
    t_last = d.groupby("g")["t"].transform("max")
    d["t"] = d["t"] - d.groupby("g")["t"].transform("mean")
    d["y"] = d["y"] - d.groupby("g")["y"].transform("mean")
    d["t_first"], d["t_last"] = t_first, t_last
    d["tt"], d["ty"] = d["t"] ** 2, d["t"] * d["y"]
    d["yy"] = d["y"] ** 2
    s = d.groupby("g").agg(
        n=("t", "size"),
        st=("t", "sum"),
        sy=("y", "sum"),
        stt=("tt", "sum"),
        sty=("ty", "sum"),
        syy=("yy", "sum"),
        t_first=("t_first", "min"),
        t_last=("t_last", "max"),
    )
    n = s["n"].to_numpy(float)
    sxx = s["stt"] - s["st"] ** 2 / n
    sxy = s["sty"] - s["st"] * s["sy"] / n
    syy = s["syy"] - s["sy"] ** 2 / n
    with np.errstate(invalid="ignore", divide="ignore"):
        b = sxy / sxx
        sse = np.maximum(syy - b * sxy, 0.0)
        se = np.sqrt(sse / (n - 2) / sxx)
        tq = stdtrit(np.maximum(n - 2, 1), 0.5 + ESCALATION_COVERAGE / 2)
    few = n < ESCALATION_MIN_POINTS
    out = pd.DataFrame(
        {
            "esc_per_yr": np.where(few, np.nan, np.expm1(b)),
            "esc_low_per_yr": np.where(few, np.nan, np.expm1(b - tq * se)),
            "esc_high_per_yr": np.where(few, np.nan, np.expm1(b + tq * se)),
            "n": s["n"].to_numpy(),
            "t_first": s["t_first"].to_numpy(),
            "t_last": s["t_last"].to_numpy(),
        },
        index=s.index,
    )
    return out


def escalation_text(fit: pd.DataFrame, series: str) -> pd.Series:
    """``esc_source`` text per group: series, span, points, rate and range in %/yr."""
    return (
        "log-linear fit of "
        + series
        + " "
        + fit["t_first"].map("{:.0f}".format)
        + "-"
        + fit["t_last"].map("{:.0f}".format)
        + " ("
        + fit["n"].astype(str)
        + " points): "
        + (100 * fit["esc_per_yr"]).map("{:+.2f}".format)
        + " %/yr, 95 % range "
        + (100 * fit["esc_low_per_yr"]).map("{:+.2f}".format)
        + " to "
        + (100 * fit["esc_high_per_yr"]).map("{:+.2f}".format)
        + " %/yr (nominal)"
    )


# ------------------------------------------------------------- starter pack build

#: Family name under which ``scripts/build_starter_pack.py`` lists this builder.
STARTER_FAMILY = "price"
#: Raw-dir folders read by :func:`build_starter_raw` (``scripts/build_starter_pack.py
#: --raw DIR``), relative to the raw data directory.
RAW_SOURCES = {
    "eia": "eia-industrial-prices-states/eia_industrial_price_by_state_2001_2024.csv",
    "country": (
        "country-industrial-electricity-prices/country_industrial_electricity_prices_2024.csv"
    ),
}
#: Output files under ``data/`` (catalog paths of the embedded layers).
STARTER_EIA = "starter/price/eia_industrial_price_states_2001_2024.csv"
STARTER_COUNTRY = "starter/price/country_prices_eurostat_eia_2024.csv"


def build_starter_raw(raw_dir: Path, out_dir: Path) -> list[Path]:
    """Write the compact offline price extracts from a raw data directory.

    * EIA: two-letter ids only (50 states, DC, ``US``), industrial sector; columns
      ``period,stateid,sectorid,price,price-units`` (the reader's fields).
    * Country table: the Eurostat and EIA rows only; the ``research`` (compiled, unclear
      licence) rows stay out.

    Returns
    -------
    list of Path
        The files written.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    src = raw_dir / RAW_SOURCES["eia"]
    if not src.is_file():
        raise LayerError("EIA state price file not found", file=src)
    eia = pd.read_csv(src, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    eia = eia[(eia["stateid"].str.len() == 2) & (eia["sectorid"] == "IND")]
    eia = eia[["period", "stateid", "sectorid", "price", "price-units"]]
    eia = eia.sort_values(["stateid", "period"])
    p1 = out_dir / STARTER_EIA
    p1.parent.mkdir(parents=True, exist_ok=True)
    eia.to_csv(p1, index=False, lineterminator="\n")

    src = raw_dir / RAW_SOURCES["country"]
    if not src.is_file():
        raise LayerError("country price table not found", file=src)
    ct = pd.read_csv(src, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    keep = ct["consumption_band"].str.strip() != "research"
    keep &= ct["source"].str.strip().isin(["Eurostat", "EIA"])
    ct = ct[keep].sort_values("iso3")
    p2 = out_dir / STARTER_COUNTRY
    ct.to_csv(p2, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return [p1, p2]
