"""Moved to the package :mod:`siting.app`; this module re-exports its names unchanged."""

from __future__ import annotations

from siting.app import *  # noqa: F403 - the old module's names, from their new home
from siting.app import __all__ as __all__
from siting.app.uploads import capture_warnings as _capture  # noqa: F401 - old private name
