"""Small helpers shared by the water-stress family modules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.errors import LayerError


def one_file(files: dict[str, Path], suffix: str) -> Path:
    """The layer file whose catalog path ends with ``suffix``."""
    for k, p in files.items():
        if k.endswith(suffix):
            return Path(p)
    raise LayerError(f"layer files hold no '*{suffix}' (got {sorted(files)})")


def object_column(values: np.ndarray, index: pd.Index) -> pd.Series:
    """An object-dtype column (text values, None where missing)."""
    return pd.Series(values, index=index, dtype=object)


def known_codes(codes: np.ndarray) -> np.ndarray:
    """True where a region code is present (not None/NaN and not blank)."""
    s = pd.Series(codes, dtype=object)
    return (s.notna() & (s.astype(str).str.strip() != "")).to_numpy(bool)
