"""siting: where a GPU data center should (and should not) be built.

The flow is one-directional: sites -> layers joined -> model -> decisions -> outputs.
"""

from __future__ import annotations

__version__ = "0.1.0"

from siting.errors import (  # noqa: E402
    ChecksumError,
    ConfigError,
    LayerError,
    OutputError,
    SiteInputError,
    SitingError,
)

__all__ = [
    "ChecksumError",
    "ConfigError",
    "LayerError",
    "OutputError",
    "SiteInputError",
    "SitingError",
    "__version__",
]
