"""siting: where a GPU data center should (and should not) be built.

The flow is one-directional: sites -> layers joined -> model -> decisions -> outputs::

    import siting
    sites = siting.read_sites("data/examples/campuses.csv")
    joined = siting.join_layers(sites)
    result = siting.assess(joined, siting.Fleet(gpu="H100-SXM", gpus=50_000), siting.Scenario())
    ranked = siting.rank(result.summary, weights={...})
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from siting.errors import (
    ChecksumError,
    ConfigError,
    LayerError,
    OutputError,
    SiteInputError,
    SitingError,
)

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use, keeps `import siting` light)
_LAZY = {
    "read_sites": "siting.sites",
    "from_frame": "siting.sites",
    "join_layers": "siting.join",
    "coverage": "siting.join",
    "load_catalog": "siting.layers.catalog",
    "assess": "siting.model",
    "Assessment": "siting.model",
    "Fleet": "siting.model",
    "Facility": "siting.model",
    "Scenario": "siting.model",
    "rank": "siting.decide",
    "exclude": "siting.decide",
    "pareto_front": "siting.decide",
    "monte_carlo": "siting.decide",
    "tornado": "siting.decide",
    "explain": "siting.decide",
    "portfolio": "siting.decide",
    "generate_grid": "siting.grid",
    "screen": "siting.scale",
    "screen_dask": "siting.scale",
    "run": "siting.pipeline",
    "write_report": "siting.report",
}


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'siting' has no attribute '{name}'")
    return getattr(import_module(mod), name)


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))


__all__ = [
    "ChecksumError",
    "ConfigError",
    "LayerError",
    "OutputError",
    "SiteInputError",
    "SitingError",
    "__version__",
    *_LAZY,
]
