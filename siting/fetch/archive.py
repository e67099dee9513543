"""Archives (zip, tar, tar.gz): unsafe ones refused whole, members chosen by the fetch
table, extracted to a staging directory."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from siting.errors import LayerError
from siting.fetch.spec import FetchSpec


def _is_safe_member(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return not (p.is_absolute() or ".." in p.parts or (p.parts and ":" in p.parts[0]))


def archive_entries(path: Path) -> tuple[str, list[str]]:
    """Kind (zip/tar) and file member names; refuse unsafe archives whole."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
        bad = [i.filename for i in infos if not _is_safe_member(i.filename)]
        names = [i.filename for i in infos if not i.is_dir()]
        kind = "zip"
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            infos = t.getmembers()
        bad = [
            m.name for m in infos if not _is_safe_member(m.name) or not (m.isfile() or m.isdir())
        ]
        names = [m.name for m in infos if m.isfile()]
        kind = "tar"
    else:
        raise LayerError("the download is not a zip or tar archive", file=str(path))
    if bad:
        raise LayerError(
            f"archive refused: member(s) {bad[:5]} would be written outside the target "
            "directory (absolute path, '..') or are links/devices; nothing was extracted",
            file=str(path),
        )
    return kind, names


def extract(path: Path, plan: dict[str, str], tmp: Path) -> dict[str, Path]:
    """Extract members ``plan`` (member -> cache-relative path) under ``tmp``."""
    kind, _ = archive_entries(path)
    out: dict[str, Path] = {}
    if kind == "zip":
        with zipfile.ZipFile(path) as z:
            for member, rel in plan.items():
                dest = tmp / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                with z.open(member) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                out[rel] = dest
    else:
        with tarfile.open(path) as t:
            for member, rel in plan.items():
                dest = tmp / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                src = t.extractfile(member)
                if src is None:
                    raise LayerError(f"archive member '{member}' is not a file", file=str(path))
                with src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                out[rel] = dest
    return out


def extract_plan(spec: FetchSpec, names: list[str], archive: Path) -> dict[str, str]:
    if spec.members:
        absent = [m for m in spec.members if m not in names]
        if absent:
            raise LayerError(
                f"layer '{spec.layer}': archive has no member(s) {absent}; it holds e.g. "
                f"{names[:10]}",
                file=str(archive),
            )
        return dict(spec.members)
    if spec.member_prefixes:
        picked = []
        for pre in spec.member_prefixes:
            hit = [n for n in names if n == pre or (pre.endswith("/") and n.startswith(pre))]
            if not hit:
                raise LayerError(
                    f"layer '{spec.layer}': archive has no member or folder '{pre}'; it holds "
                    f"e.g. {names[:10]}",
                    file=str(archive),
                )
            picked.extend(hit)
        names = list(dict.fromkeys(picked))
    if spec.extract_to is None:
        raise LayerError(
            f"layer '{spec.layer}': an archive needs members (a table) or extract_to",
            file=str(archive),
        )
    return {n: f"{spec.extract_to}/{PurePosixPath(n).as_posix()}" for n in names}


def unpack(spec: FetchSpec, path: Path, tree: Path) -> dict[str, Path]:
    """The archive members ``spec`` asks for, extracted under ``tree``
    (``{cache-relative path: extracted file}``; empty when the download is not unpacked).
    """
    if not spec.is_archive:
        return {}
    kind, names = archive_entries(path)
    if spec.archive and kind != spec.archive:
        raise LayerError(
            f"layer '{spec.layer}': the download is a {kind} archive, the catalog "
            f"says {spec.archive}",
            file=str(path),
        )
    plan = extract_plan(spec, names, path)
    return extract(path, plan, tree)
