"""Shared fixtures.

``raw_dir``: the shared folder of real datasets (``../shared/data/raw`` or
``SITING_RAW_DIR``). Tests that need it skip with a clear reason where it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from siting.paths import raw_data_dir

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples" / "campuses.csv"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    d = raw_data_dir()
    if d is None:
        pytest.skip(
            "shared raw datasets not found (expected ../shared/data/raw next to the checkout "
            "or SITING_RAW_DIR)"
        )
    return d


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never read or write the real user cache or a user's SITING_DATA_DIR in tests."""
    monkeypatch.setenv("SITING_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("SITING_DATA_DIR", raising=False)
