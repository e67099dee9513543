"""The spreadsheet report (openpyxl): one sheet per table.

Sheets: ``ranking``, ``sites`` (every result column of every site), ``annual`` (site x
year, long format), ``explain`` (the "why this number" rows of the sites that get a card),
``assumptions``, ``datasets``, ``coverage`` and ``run`` (settings). Headers carry units
(``"water_onsite_m3 [m3]"``); numbers are stored as numbers (NaN as an empty cell); text
that a spreadsheet would run as a formula (beginning with ``= + - @``, tab or CR) gets a
leading apostrophe, as in :func:`siting.safe_io.neutralize_formulas`; control characters
that the XLSX format cannot hold are removed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.report import (
    annual_table,
    column_unit,
    header,
    ranking_table,
    run_table,
    site_order,
    site_table,
)

__all__ = ["SHEETS", "cell_value", "workbook_tables", "write_xlsx"]

#: Sheet names in workbook order.
SHEETS = (
    "note",
    "ranking",
    "sites",
    "annual",
    "explain",
    "assumptions",
    "datasets",
    "coverage",
    "run",
)
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_MAX_CELL = 32_767  # characters an Excel cell can hold
#: units whose values are shown with thousands separators and no decimals
_BIG_UNITS = {"m3", "m3 world-eq", "MWh", "USD", "t CO2e"}


def _clean_text(s: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    s = ILLEGAL_CHARACTERS_RE.sub("", s)
    if len(s) > _MAX_CELL:
        s = s[: _MAX_CELL - 14] + " [truncated]"
    if s.startswith(_FORMULA_PREFIXES) and s != "-":
        # a lone "-" (the dimensionless unit) cannot be a formula
        s = "'" + s
    return s


def cell_value(v: Any) -> Any:
    """A value as openpyxl should store it: number, bool, None or neutralized text.

    Parameters
    ----------
    v
        Any table value.

    Returns
    -------
    int, float, bool, str or None
        NaN, infinities and missing values become ``None`` (an empty cell); text is
        cleaned of illegal control characters and formula prefixes.
    """
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, str):
        return _clean_text(v)
    if hasattr(v, "wkt"):
        return _clean_text(v.wkt)
    return _clean_text(str(v))


def _explain_all(result: Any, ranked: pd.DataFrame) -> pd.DataFrame:
    try:
        from siting.decide import explain
    except ImportError:  # pragma: no cover - decide ships with the package
        return pd.DataFrame()
    frames = []
    for _, row in ranked.iterrows():
        t = explain(row, result.assessment)
        t = t.loc[t["section"] != "assumption"]  # one copy in the 'assumptions' sheet
        t.insert(0, "site_id", str(row["site_id"]))
        frames.append(t)
    if not frames:
        return pd.DataFrame(columns=["site_id", "section", "item", "value", "unit", "source"])
    return pd.concat(frames, ignore_index=True)


def workbook_tables(result: Any, *, explain_top_n: int | None = None) -> dict[str, pd.DataFrame]:
    """The tables of the workbook, by sheet name, with their final headers.

    Parameters
    ----------
    result
        :class:`siting.pipeline.RunResult`.
    explain_top_n
        The ``explain`` sheet covers the first ``explain_top_n`` sites in rank order (the
        sites that get a card in the HTML report); ``None`` for every site. Every other
        sheet lists every site.
    """
    from siting.report.large_section import large_note

    ranked = site_order(result.ranked)
    tables: dict[str, pd.DataFrame] = {"ranking": ranking_table(ranked)}
    note = large_note(result)
    if note is not None:
        tables["note"] = pd.DataFrame({"note": [note]})
    sites = site_table(ranked)
    tables["sites"] = sites.rename(columns={c: header(c) for c in sites.columns})
    annual = getattr(result.assessment, "annual", None)
    if annual is not None:
        a = annual_table(annual, [str(s) for s in ranked["site_id"]])
        units = {str(k): annual[k].attrs.get("units", "") for k in annual.data_vars}
        tables["annual"] = a.rename(
            columns={c: header(c, units.get(c, column_unit(c))) for c in a.columns}
        )
    tables["explain"] = _explain_all(
        result, ranked if explain_top_n is None else ranked.iloc[:explain_top_n]
    )
    assumptions = getattr(result.assessment, "assumptions", None)
    if isinstance(assumptions, pd.DataFrame):
        a = assumptions.copy()
        src = a.get("source", pd.Series("", index=a.index)).fillna("").astype(str).str.lower()
        a["is_assumption"] = src.str.contains("assumption")
        tables["assumptions"] = a
    datasets = getattr(result, "datasets", None)
    if isinstance(datasets, pd.DataFrame):
        tables["datasets"] = datasets
    coverage = getattr(result, "coverage", None)
    if isinstance(coverage, pd.DataFrame):
        cov = coverage.copy()
        if "share" in cov.columns:
            cov = cov.rename(columns={"share": "share [fraction of sites]"})
        tables["coverage"] = cov
    tables["run"] = run_table(result)
    return {k: tables[k] for k in SHEETS if k in tables}


def _number_format(head: str) -> str | None:
    unit = head[head.rfind("[") + 1 : -1] if head.endswith("]") and "[" in head else ""
    if unit in _BIG_UNITS:
        return "#,##0"
    return None


def _write_sheet(wb, name: str, df: pd.DataFrame) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=name)
    heads = [cell_value(str(c)) for c in df.columns]
    for j, h in enumerate(heads, start=1):
        width = min(max(len(str(h)) + 2, 9), 48)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    row = []
    for h in heads:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        row.append(c)
    ws.append(row)
    formats: Sequence[str | None] = [_number_format(str(h)) for h in heads]
    columns = [df.iloc[:, j].to_numpy(dtype=object) for j in range(df.shape[1])]
    for i in range(len(df)):
        out = []
        for j, col in enumerate(columns):
            v = cell_value(col[i])
            fmt = formats[j]
            if fmt is not None and isinstance(v, int | float) and not isinstance(v, bool):
                c = WriteOnlyCell(ws, value=v)
                c.number_format = fmt
                out.append(c)
            else:
                out.append(v)
        ws.append(out)
    if len(heads):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(len(df) + 1, 1)}"


def write_xlsx(
    result: Any,
    path: str | os.PathLike,
    *,
    explain_top_n: int | None = None,
    portfolio: Any = None,
) -> Path:
    """Write the workbook atomically.

    Parameters
    ----------
    result
        :class:`siting.pipeline.RunResult`.
    path
        Target ``.xlsx`` file.
    explain_top_n
        Sites covered by the ``explain`` sheet (see :func:`workbook_tables`).
    portfolio
        Optional :class:`siting.decide.PortfolioResult`: adds the ``portfolio`` and
        ``portfolio_constraints`` sheets.
    """
    from openpyxl import Workbook

    from siting.safe_io import atomic_write

    tables = workbook_tables(result, explain_top_n=explain_top_n)
    if portfolio is not None:
        from siting.report.portfolio import portfolio_sheets

        tables.update(portfolio_sheets(portfolio))
    wb = Workbook(write_only=True)
    for name, df in tables.items():
        _write_sheet(wb, name, df)
    return atomic_write(Path(path), lambda tmp: wb.save(tmp))
