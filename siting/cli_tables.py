"""Plain-text tables for the terminal that fit a given width (default 100 columns)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

#: Terminal width the CLI's listings fit in [characters].
TERMINAL_COLUMNS = 100


def _cell(value, width: int) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def fit_table(df: pd.DataFrame, widths: Mapping[str, int], total: int = TERMINAL_COLUMNS) -> str:
    """Left-aligned text table of ``widths.keys()`` columns, each cut to its width.

    Columns are separated by two spaces; a column's width is the smaller of its
    allowance and its longest value (header included). Raises ``ValueError`` when the
    allowances cannot fit in ``total`` characters.
    """
    cols = [c for c in widths if c in df.columns]
    sized = {}
    for c in cols:
        longest = max([len(str(c))] + [len(_cell(v, 10_000)) for v in df[c]])
        sized[c] = min(widths[c], longest)
    if sum(sized.values()) + 2 * (len(cols) - 1) > total:
        raise ValueError(f"columns {sized} do not fit in {total} characters")
    lines = ["  ".join(_cell(c, sized[c]).ljust(sized[c]) for c in cols).rstrip()]
    for _, row in df[cols].iterrows():
        lines.append("  ".join(_cell(row[c], sized[c]).ljust(sized[c]) for c in cols).rstrip())
    return "\n".join(lines)
