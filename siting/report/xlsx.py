"""The spreadsheet report (XlsxWriter): one sheet per table.

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
import re
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
#: control characters that XML 1.0, so the XLSX format, cannot hold (tab, LF and CR can):
#: the same set as openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE (XML 1.0 section 2.2, "Char")
_ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
#: units whose values are shown with thousands separators and no decimals
_BIG_UNITS = {"m3", "m3 world-eq", "MWh", "USD", "t CO2e"}
#: built-in number formats by id (ECMA-376 Part 1, section 18.8.30 "numFmt")
_BUILTIN_FORMATS = {"#,##0": 3}


def _clean_text(s: str) -> str:
    s = _ILLEGAL_CHARACTERS_RE.sub("", s)
    if len(s) > _MAX_CELL:
        s = s[: _MAX_CELL - 14] + " [truncated]"
    if s.startswith(_FORMULA_PREFIXES) and s != "-":
        # a lone "-" (the dimensionless unit) cannot be a formula
        s = "'" + s
    return s


def cell_value(v: Any) -> Any:
    """A value as the workbook stores it: number, bool, None or neutralized text.

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


def _explain_all(ranked: pd.DataFrame) -> pd.DataFrame:
    try:
        from siting.decide import explain
    except ImportError:  # pragma: no cover - decide ships with the package
        return pd.DataFrame()
    frames = []
    for _, row in ranked.iterrows():
        # without the assessment explain() adds no 'assumption' rows: the run's assumptions
        # have one copy, in the 'assumptions' sheet
        t = explain(row)
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
        ranked if explain_top_n is None else ranked.iloc[:explain_top_n]
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


def _column_values(col: pd.Series) -> list[Any]:
    """The cells of one column, each as :func:`cell_value` gives it.

    Plain numpy float, integer and bool columns are converted in one pass (``tolist``
    gives Python numbers; NaN and infinities become ``None``); every other column goes
    through :func:`cell_value` value by value.
    """
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        arr = col.to_numpy()
        values = arr.tolist()
        if dtype.kind == "f":
            for i in np.flatnonzero(~np.isfinite(arr)).tolist():
                values[i] = None
        return values
    return [cell_value(v) for v in col.to_numpy(dtype=object)]


def _write_sheet(wb, name: str, df: pd.DataFrame, bold, number_formats: dict) -> None:
    """One table as one sheet: bold header row, frozen under the header, autofilter.

    ``number_formats`` maps a number format to its (shared) XlsxWriter format.
    """
    ws = wb.add_worksheet(name)
    heads = [cell_value(str(c)) for c in df.columns]
    for j, h in enumerate(heads):
        width = min(max(len(str(h)) + 2, 9), 48)  # characters
        # given in pixels, 7 per character (the digit width of Excel's default Calibri 11,
        # XlsxWriter's own character-to-pixel unit), so that the file stores exactly
        # `width` characters, as openpyxl's column_dimensions[...].width did
        ws.set_column_pixels(j, j, 7 * width)
    ws.freeze_panes(1, 0)
    # page margins in inches: openpyxl's defaults, which the workbook had before it was
    # written with XlsxWriter (assumption: keep a printout laid out as before)
    ws.set_margins(left=0.75, right=0.75, top=1.0, bottom=1.0)
    ws.set_header("", margin=0.5)
    ws.set_footer("", margin=0.5)
    write_number, write_string, write_boolean = ws.write_number, ws.write_string, ws.write_boolean
    for j, h in enumerate(heads):
        if h:
            write_string(0, j, h, bold)
        else:  # an unnamed column: an empty (bold) cell
            ws.write_blank(0, j, None, bold)
    formats = []
    for h in heads:
        fmt = _number_format(str(h))
        if fmt is not None and fmt not in number_formats:
            # a built-in format by its id (ECMA-376 Part 1, 18.8.30), as openpyxl stored it
            number_formats[fmt] = wb.add_format({"num_format": _BUILTIN_FORMATS.get(fmt, fmt)})
        formats.append(None if fmt is None else number_formats[fmt])
    columns = [_column_values(df.iloc[:, j]) for j in range(df.shape[1])]
    for j, (values, fmt) in enumerate(zip(columns, formats, strict=True)):
        for i, v in enumerate(values, start=1):
            t = type(v)
            if t is float or t is int:
                write_number(i, j, v, fmt)
            elif t is str:
                if v:  # an empty text cell is an empty cell
                    write_string(i, j, v)
            elif t is bool:
                write_boolean(i, j, v)
            elif v is not None:  # a subclass of one of those (None: no cell)
                if isinstance(v, bool):
                    write_boolean(i, j, bool(v))
                elif isinstance(v, int | float):
                    write_number(i, j, v, fmt)
                elif str(v):
                    write_string(i, j, str(v))
    if len(heads):
        ws.autofilter(0, 0, len(df), len(heads) - 1)


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
    from siting.safe_io import atomic_write

    tables = workbook_tables(result, explain_top_n=explain_top_n)
    if portfolio is not None:
        from siting.report.portfolio import portfolio_sheets

        tables.update(portfolio_sheets(portfolio))

    def write(tmp: Path) -> None:
        import xlsxwriter

        # text is written with write_string only, so no string turns into a formula or a
        # link; the options say so again for any other call
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True},
        )
        bold = wb.add_format({"bold": True})
        number_formats: dict = {}
        for name, df in tables.items():
            _write_sheet(wb, name, df, bold, number_formats)
        wb.close()  # writes the file

    return atomic_write(Path(path), write)
