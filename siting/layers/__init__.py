"""Data layers: the catalog and one module per layer family."""

from siting.layers.catalog import Catalog, Layer, load_catalog

__all__ = ["Catalog", "Layer", "load_catalog"]
