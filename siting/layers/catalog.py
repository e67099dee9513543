"""The layer catalog: every dataset the tool can read, with its provenance.

The catalog lives in ``data/catalog/*.toml`` (shipped with the package) and is
validated when loaded. Each ``[[layer]]`` entry names the layer, its family
(``boundary``, ``grid``, ``aware``, ``bws``, ``sdg642``, ``climate``,
``price``), the level it resolves (``country``, ``us_state``, ...), the
variables it provides with units, the source organisation, licence, vintage,
original URL(s), the files it is read from (path relative to a data directory,
sha256) and the reader function.

Files are looked up across :func:`siting.paths.data_dirs`; the sha256 of each
file is verified before use so that a truncated or altered file is reported by
name with the way to restore it.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from siting.errors import ChecksumError, LayerError
from siting.paths import data_dirs, embedded_data_dir

FAMILIES = (
    "boundary",
    "grid",
    "aware",
    "bws",
    "sdg642",
    "climate",
    "price",
    "reference",
    "pathway",
    "marginal",
)
_REQUIRED = ("name", "family", "level", "title", "source", "licence", "vintage", "reader")


@dataclass(frozen=True)
class LayerFile:
    path: str
    sha256: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class Variable:
    name: str
    unit: str
    description: str = ""


@dataclass(frozen=True)
class Layer:
    """One catalog entry."""

    name: str
    family: str
    level: str
    title: str
    source: str
    licence: str
    vintage: str
    reader: str
    files: tuple[LayerFile, ...]
    variables: tuple[Variable, ...] = ()
    urls: tuple[str, ...] = ()
    citation: str = ""
    embedded: bool = False
    priority: int = 100
    notes: str = ""
    fetch: dict[str, Any] = field(default_factory=dict)

    def provenance(self) -> dict[str, str]:
        """Short provenance record for outputs."""
        return {
            "layer": self.name,
            "title": self.title,
            "source": self.source,
            "licence": self.licence,
            "vintage": self.vintage,
        }

    def reader_func(self):
        mod, _, fn = self.reader.partition(":")
        return getattr(import_module(mod), fn)


_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def sha256_file(path: Path) -> str:
    """sha256 hex digest of a file, cached on (path, size, mtime)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASH_CACHE:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _HASH_CACHE[key] = h.hexdigest()
    return _HASH_CACHE[key]


def _verify_env() -> bool:
    return os.environ.get("SITING_VERIFY_CHECKSUMS", "1") not in ("0", "false", "no")


class Catalog:
    """All layers, with file resolution over the data directories."""

    def __init__(self, layers: Iterable[Layer], source: Path | None = None) -> None:
        self.layers: dict[str, Layer] = {}
        for layer in layers:
            if layer.name in self.layers:
                raise LayerError(f"duplicate layer name '{layer.name}'", file=source)
            self.layers[layer.name] = layer
        self.source = source

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers.values())

    def __getitem__(self, name: str) -> Layer:
        try:
            return self.layers[name]
        except KeyError:
            raise LayerError(
                f"unknown layer '{name}'; known layers: {', '.join(sorted(self.layers))}"
            ) from None

    def family(self, family: str) -> list[Layer]:
        """Layers of a family, finest (lowest priority number) first."""
        return sorted(
            (lyr for lyr in self if lyr.family == family), key=lambda lyr: (lyr.priority, lyr.name)
        )

    def locate(
        self,
        layer: Layer | str,
        data_dir: str | os.PathLike | None = None,
        *,
        verify: bool | None = None,
    ) -> dict[str, Path] | None:
        """Find every file of a layer in the first data directory that has them all.

        Returns a mapping of catalog path -> local path, or ``None`` when no data
        directory holds the layer. A file present with the wrong sha256 raises
        :class:`ChecksumError` naming the layer and how to restore it.
        """
        lyr = self[layer] if isinstance(layer, str) else layer
        verify = _verify_env() if verify is None else verify
        for d in data_dirs(data_dir):
            found: dict[str, Path] = {}
            complete = True
            for f in lyr.files:
                p = d / f.path
                if p.is_file():
                    found[f.path] = p
                elif not f.optional:
                    complete = False
                    break
            if not complete or not found:
                continue
            if verify:
                for f in lyr.files:
                    p = found.get(f.path)
                    if p is None or not f.sha256:
                        continue
                    got = sha256_file(p)
                    if got != f.sha256:
                        raise ChecksumError(
                            f"layer '{lyr.name}': sha256 mismatch (expected {f.sha256[:12]}..., "
                            f"got {got[:12]}...). The file is truncated, corrupted or a different "
                            f"version. Restore it with `siting data fetch {lyr.name}` (or "
                            f"re-copy it from {lyr.source}); set SITING_VERIFY_CHECKSUMS=0 to "
                            "use it anyway.",
                            file=p,
                        )
            return found
        return None

    def available(self, data_dir: str | os.PathLike | None = None) -> dict[str, Path | None]:
        """Layer name -> directory it is found in (None when absent)."""
        out: dict[str, Path | None] = {}
        for lyr in self:
            try:
                found = self.locate(lyr, data_dir, verify=False)
            except LayerError:
                found = None
            out[lyr.name] = None if not found else next(iter(found.values())).parent
        return out

    def to_frame(self, data_dir: str | os.PathLike | None = None):
        """The catalog as a table (one row per layer), with local availability."""
        import pandas as pd

        avail = self.available(data_dir)
        rows = []
        for lyr in self:
            rows.append(
                {
                    "layer": lyr.name,
                    "family": lyr.family,
                    "level": lyr.level,
                    "vintage": lyr.vintage,
                    "source": lyr.source,
                    "licence": lyr.licence,
                    "variables": "; ".join(f"{v.name} [{v.unit}]" for v in lyr.variables),
                    "files": "; ".join(f.path for f in lyr.files),
                    "sha256": "; ".join((f.sha256 or "")[:12] for f in lyr.files),
                    "urls": " ".join(lyr.urls),
                    "embedded": lyr.embedded,
                    "available": avail[lyr.name] is not None,
                    "location": "" if avail[lyr.name] is None else str(avail[lyr.name]),
                }
            )
        return pd.DataFrame(rows)


def _parse_layer(raw: dict[str, Any], idx: int, source: Path) -> Layer:
    where = f"[[layer]] #{idx + 1}"
    missing = [k for k in _REQUIRED if not str(raw.get(k, "")).strip()]
    if missing:
        raise LayerError(f"{where} misses required key(s) {missing}", file=source)
    if raw["family"] not in FAMILIES:
        raise LayerError(
            f"{where} ('{raw['name']}'): family '{raw['family']}' is not one of {FAMILIES}",
            file=source,
        )
    if ":" not in raw["reader"]:
        raise LayerError(
            f"{where} ('{raw['name']}'): reader must be 'module:function', got '{raw['reader']}'",
            file=source,
        )
    files_raw = raw.get("files") or []
    if not files_raw:
        raise LayerError(f"{where} ('{raw['name']}'): no [[layer.files]]", file=source)
    files = []
    for f in files_raw:
        if "path" not in f:
            raise LayerError(f"{where} ('{raw['name']}'): a file entry has no path", file=source)
        sha = f.get("sha256")
        if sha is not None and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
            raise LayerError(
                f"{where} ('{raw['name']}'): sha256 of '{f['path']}' is not 64 hex digits",
                file=source,
            )
        files.append(LayerFile(path=f["path"], sha256=sha, optional=bool(f.get("optional"))))
    variables = []
    for v in raw.get("variables") or []:
        if "name" not in v or "unit" not in v:
            raise LayerError(
                f"{where} ('{raw['name']}'): every variable needs a name and a unit", file=source
            )
        variables.append(Variable(v["name"], v["unit"], v.get("description", "")))
    return Layer(
        name=raw["name"],
        family=raw["family"],
        level=raw["level"],
        title=raw["title"],
        source=raw["source"],
        licence=raw["licence"],
        vintage=str(raw["vintage"]),
        reader=raw["reader"],
        files=tuple(files),
        variables=tuple(variables),
        urls=tuple(raw.get("urls") or ()),
        citation=raw.get("citation", ""),
        embedded=bool(raw.get("embedded", False)),
        priority=int(raw.get("priority", 100)),
        notes=raw.get("notes", ""),
        fetch=dict(raw.get("fetch") or {}),
    )


_CATALOG: dict[Path, Catalog] = {}


def load_catalog(path: str | os.PathLike | None = None) -> Catalog:
    """Load and validate the catalog.

    ``path`` is a TOML file or a directory of TOML files (default: ``catalog/``
    of the embedded data directory, one file per layer family).
    """
    p = Path(path) if path is not None else embedded_data_dir() / "catalog"
    p = p.resolve()
    if p in _CATALOG:
        return _CATALOG[p]
    files = sorted(p.glob("*.toml")) if p.is_dir() else [p]
    if not files:
        raise LayerError("catalog directory holds no *.toml file", file=p)
    layers: list[Layer] = []
    for fp in files:
        try:
            with open(fp, "rb") as f:
                raw = tomllib.load(f)
        except FileNotFoundError:
            raise LayerError("catalog file not found", file=fp) from None
        except tomllib.TOMLDecodeError as e:
            raise LayerError(f"catalog is not valid TOML: {e}", file=fp) from None
        layers.extend(_parse_layer(r, i, fp) for i, r in enumerate(raw.get("layer", [])))
    cat = Catalog(layers, source=p)
    _CATALOG[p] = cat
    return cat
