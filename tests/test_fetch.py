"""``siting data fetch/build`` against a local HTTP server (never the real network)."""

from __future__ import annotations

import argparse
import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

from siting.errors import ChecksumError, LayerError
from siting.fetch import add_cli, build, fetch, fetch_spec, fetch_status, read_manifest
from siting.layers.catalog import load_catalog

FIXTURES = Path(__file__).parent / "fixtures" / "price"
EIA_CSV = FIXTURES / "eia_v2_retail_sales_industrial.csv"
EIA_JSON = FIXTURES / "eia_v2_retail_sales_industrial.json"
ESTAT_CSV = FIXTURES / "nrg_pc_205_sdmx.csv"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Server:
    """Serves ``routes`` (URL path -> bytes, or a list of (status, bytes) answered in turn)."""

    def __init__(self) -> None:
        self.routes: dict[str, object] = {}
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                path = urlsplit(self.path).path
                outer.hits[path] = outer.hits.get(path, 0) + 1
                route = outer.routes.get(path)
                status, body = 404, b"not found"
                if isinstance(route, list):
                    status, body = route.pop(0) if len(route) > 1 else route[0]
                elif isinstance(route, bytes):
                    status, body = 200, route
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    with Server() as s:
        yield s


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("SITING_CACHE_DIR", str(d))
    monkeypatch.delenv("SITING_FETCH_BASE_URL", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return d


def catalog(tmp_path: Path, body: str):
    p = tmp_path / f"cat-{abs(hash(body))}.toml"
    p.write_text(body)
    return load_catalog(p)


def layer_toml(name: str, url: str, files: list[tuple[str, str | None]], fetch_extra: str = ""):
    lines = [
        "[[layer]]",
        f'name = "{name}"',
        'family = "price"',
        'level = "us_state"',
        'title = "test layer"',
        'source = "test"',
        'licence = "test"',
        'vintage = "2024"',
        'reader = "siting.layers.price:read_eia_states"',
        "[layer.fetch]",
        f'url = "{url}"',
        fetch_extra,
    ]
    for path, digest in files:
        lines.append("[[layer.files]]")
        lines.append(f'path = "{path}"')
        if digest:
            lines.append(f'sha256 = "{digest}"')
    return "\n".join(lines) + "\n"


def cache_files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_fetch_verifies_sha_and_catalog_locates_file(tmp_path, cache, server):
    data = EIA_CSV.read_bytes()
    server.routes["/files/eia.csv"] = data
    cat = catalog(
        tmp_path,
        layer_toml("t_plain", f"{server.url}/files/eia.csv", [("t-eia/eia.csv", sha(data))]),
    )
    got = fetch("t_plain", catalog=cat, progress=False)
    assert got["t-eia/eia.csv"] == cache / "t-eia" / "eia.csv"
    assert (cache / "t-eia" / "eia.csv").read_bytes() == data
    found = cat.locate("t_plain")
    assert found is not None and found["t-eia/eia.csv"] == cache / "t-eia" / "eia.csv"
    man = read_manifest("t_plain")
    assert man["sha256"] == sha(data) and man["pinned"] is True
    assert man["bytes"] == len(data)
    # no temporary files left behind
    assert cache_files(cache) == ["_fetch/t_plain.json", "t-eia/eia.csv"]
    # second call: served from the cache, no new request
    fetch("t_plain", catalog=cat, progress=False)
    assert server.hits["/files/eia.csv"] == 1
    fetch("t_plain", catalog=cat, progress=False, force=True)
    assert server.hits["/files/eia.csv"] == 2


def test_corrupted_download_raises_and_does_not_poison_cache(tmp_path, cache, server):
    good = EIA_CSV.read_bytes()
    bad = good.replace(b"6.12", b"9.99")
    server.routes["/files/eia.csv"] = bad
    body = layer_toml("t_bad", f"{server.url}/files/eia.csv", [("t-eia/eia.csv", sha(good))])
    cat = catalog(tmp_path, body)
    with pytest.raises(ChecksumError, match="does not match the catalog's sha256"):
        fetch("t_bad", catalog=cat, progress=False, retries=0)
    assert cache_files(cache) == []
    assert cat.locate("t_bad") is None

    # a good copy in the cache survives a corrupted forced re-download
    server.routes["/files/eia.csv"] = good
    fetch("t_bad", catalog=cat, progress=False)
    server.routes["/files/eia.csv"] = bad
    with pytest.raises(ChecksumError):
        fetch("t_bad", catalog=cat, progress=False, retries=0, force=True)
    assert (cache / "t-eia" / "eia.csv").read_bytes() == good
    assert cache_files(cache) == ["_fetch/t_bad.json", "t-eia/eia.csv"]


def test_fetch_block_sha256_checks_the_download(tmp_path, cache, server):
    data = EIA_CSV.read_bytes()
    server.routes["/eia.csv"] = data
    extra = f'sha256 = "{"0" * 64}"'
    cat = catalog(
        tmp_path, layer_toml("t_fsha", f"{server.url}/eia.csv", [("t/eia.csv", None)], extra)
    )
    with pytest.raises(ChecksumError):
        fetch("t_fsha", catalog=cat, progress=False, retries=0)
    assert cache_files(cache) == []


def test_retry_after_transient_500(tmp_path, cache, server):
    data = EIA_CSV.read_bytes()
    server.routes["/flaky/eia.csv"] = [(500, b"server error"), (200, data)]
    cat = catalog(
        tmp_path, layer_toml("t_flaky", f"{server.url}/flaky/eia.csv", [("t/eia.csv", sha(data))])
    )
    fetch("t_flaky", catalog=cat, progress=False, retries=2)
    assert server.hits["/flaky/eia.csv"] == 2
    assert (cache / "t" / "eia.csv").read_bytes() == data


def test_persistent_http_error_is_a_layer_error(tmp_path, cache, server):
    server.routes["/gone.csv"] = [(503, b"down")]
    cat = catalog(tmp_path, layer_toml("t_down", f"{server.url}/gone.csv", [("t/x.csv", None)]))
    with pytest.raises(LayerError, match="HTTP 503"):
        fetch("t_down", catalog=cat, progress=False, retries=1)
    assert server.hits["/gone.csv"] == 2
    assert cache_files(cache) == []


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_members_extracted_to_catalog_paths(tmp_path, cache, server):
    data = EIA_CSV.read_bytes()
    archive = make_zip({"pkg/data/eia.csv": data, "pkg/README.txt": b"readme"})
    server.routes["/dl/pkg.zip"] = archive
    extra = (
        f'sha256 = "{sha(archive)}"\n[layer.fetch.members]\n"pkg/data/eia.csv" = "t-zip/eia.csv"'
    )
    cat = catalog(
        tmp_path,
        layer_toml("t_zip", f"{server.url}/dl/pkg.zip", [("t-zip/eia.csv", sha(data))], extra),
    )
    fetch("t_zip", catalog=cat, progress=False)
    assert cat.locate("t_zip")["t-zip/eia.csv"].read_bytes() == data
    assert "_downloads/t_zip/pkg.zip" in cache_files(cache)
    assert "pkg/README.txt" not in cache_files(cache)


def test_zip_with_path_traversal_member_refused(tmp_path, cache, server):
    archive = make_zip({"ok.csv": b"a,b\n", "../../evil.txt": b"owned"})
    server.routes["/dl/evil.zip"] = archive
    extra = '[layer.fetch.members]\n"ok.csv" = "t-evil/ok.csv"'
    url = f"{server.url}/dl/evil.zip"
    cat = catalog(tmp_path, layer_toml("t_evil", url, [("t-evil/ok.csv", None)], extra))
    with pytest.raises(LayerError, match="archive refused"):
        fetch("t_evil", catalog=cat, progress=False, retries=0)
    assert cache_files(cache) == []
    assert not (tmp_path / "evil.txt").exists()
    assert not any(p.name == "evil.txt" for p in tmp_path.rglob("*"))


def test_unsafe_catalog_paths_rejected(tmp_path):
    up = 'filename = "../x.csv"'
    cat = catalog(tmp_path, layer_toml("t_up", "http://127.0.0.1:9/x.csv", [("t/x.csv", None)], up))
    with pytest.raises(LayerError, match="inside the cache"):
        fetch_spec(cat["t_up"])
    cat = catalog(
        tmp_path,
        layer_toml("t_key", "http://127.0.0.1:9/x.csv", [("t/x.csv", None)], 'md5 = "abc"'),
    )
    with pytest.raises(LayerError, match="unknown key"):
        fetch_spec(cat["t_key"])


def test_layer_without_fetch_block(tmp_path):
    with pytest.raises(LayerError, match="no \\[layer.fetch\\]"):
        fetch("country_industrial_prices", progress=False)
    with pytest.raises(LayerError, match="unknown layer"):
        fetch("no_such_layer", progress=False)


def test_eia_api_fetch_build_and_join(cache, server, monkeypatch):
    """Real catalog entry, URL redirected to the local server; the key never leaks."""
    from siting.join import join_layers
    from siting.sites import from_frame

    monkeypatch.delenv("EIA_API_KEY", raising=False)
    with pytest.raises(LayerError, match="EIA_API_KEY.*register"):
        fetch("eia_industrial_price_api", progress=False)

    monkeypatch.setenv("EIA_API_KEY", "s3cr3t-key")
    monkeypatch.setenv("SITING_FETCH_BASE_URL", server.url)
    server.routes["/v2/electricity/retail-sales/data/"] = EIA_JSON.read_bytes()
    got = fetch("eia_industrial_price_api", progress=False)
    csv_path = cache / "eia-api-v2" / "eia_industrial_price_by_state.csv"
    assert got["eia-api-v2/eia_industrial_price_by_state.csv"] == csv_path
    built = pd.read_csv(csv_path)
    assert list(built.columns) == [
        "period",
        "stateid",
        "stateDescription",
        "sectorid",
        "sectorName",
        "price",
        "price-units",
    ]
    man = read_manifest("eia_industrial_price_api")
    assert "{EIA_API_KEY}" in man["url"] and "s3cr3t" not in man["url"]
    assert man["pinned"] is False and "eia-api-v2/eia_industrial_price_by_state.csv" in man["built"]
    assert "s3cr3t" not in (cache / "_fetch" / "eia_industrial_price_api.json").read_text()

    sites = from_frame(
        pd.DataFrame({"site_id": ["dallas"], "lat": [32.78], "lon": [-96.80]}),
    )
    j = join_layers(sites, families=("boundary", "price")).set_index("site_id")
    assert j.loc["dallas", "price_layer"] == "eia_industrial_price_api"
    assert j.loc["dallas", "price_usd_per_mwh"] == pytest.approx(61.2)
    assert j.loc["dallas", "price_vintage"] == "2024"

    # `siting data build` re-runs the converter from the cached download, offline
    csv_path.unlink()
    assert build() == {"eia-api-v2/eia_industrial_price_by_state.csv": csv_path}
    assert csv_path.is_file()


def test_eurostat_fetch_live_dataset(cache, server, monkeypatch):
    monkeypatch.setenv("SITING_FETCH_BASE_URL", server.url + "/mirror")
    path = "/mirror/eurostat/api/dissemination/sdmx/2.1/data/nrg_pc_205/S.E7000..KWH.X_TAX.EUR."
    server.routes[path] = ESTAT_CSV.read_bytes()
    got = fetch("eurostat_nrg_pc_205", progress=False)
    assert got["eurostat-nrg-pc-205/nrg_pc_205_sdmx.csv"].read_bytes() == ESTAT_CSV.read_bytes()
    found = load_catalog().locate("eurostat_nrg_pc_205")
    assert set(found) == {"eurostat-nrg-pc-205/nrg_pc_205_sdmx.csv"}
    man = read_manifest("eurostat_nrg_pc_205")
    assert man["pinned"] is False and man["sha256"] == sha(ESTAT_CSV.read_bytes())


def test_cli_data_commands(cache, server, monkeypatch, capsys):
    ap = argparse.ArgumentParser(prog="siting")
    add_cli(ap.add_subparsers(dest="command", required=True))

    args = ap.parse_args(["data", "list", "--all"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "eurostat_nrg_pc_205" in out and "country_industrial_prices" in out

    monkeypatch.setenv("SITING_FETCH_BASE_URL", server.url)
    path = "/eurostat/api/dissemination/sdmx/2.1/data/nrg_pc_205/S.E7000..KWH.X_TAX.EUR."
    server.routes[path] = ESTAT_CSV.read_bytes()
    args = ap.parse_args(["data", "fetch", "eurostat_nrg_pc_205", "--quiet"])
    assert args.func(args) == 0
    assert "nrg_pc_205_sdmx.csv" in capsys.readouterr().out

    status = fetch_status().set_index("layer")
    assert bool(status.loc["eurostat_nrg_pc_205", "fetched"])
    assert not bool(status.loc["eurostat_nrg_pc_205", "pinned"])
    assert status.loc["eia_industrial_price_api", "needs"] == "EIA_API_KEY"

    args = ap.parse_args(["data", "build"])
    assert args.func(args) == 0


def make_tar_gz(members: dict[str, bytes], symlink: tuple[str, str] | None = None) -> bytes:
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo(symlink[0])
            info.type = tarfile.SYMTYPE
            info.linkname = symlink[1]
            t.addfile(info)
    return buf.getvalue()


def test_tar_gz_member_extracted_and_symlink_refused(tmp_path, cache, server):
    data = EIA_CSV.read_bytes()
    good = make_tar_gz({"pkg-0.3/data/eia.csv": data})
    server.routes["/sdist/pkg-0.3.tar.gz"] = good
    extra = '[layer.fetch.members]\n"pkg-0.3/data/eia.csv" = "t-tar/eia.csv"'
    url = f"{server.url}/sdist/pkg-0.3.tar.gz"
    cat = catalog(tmp_path, layer_toml("t_tar", url, [("t-tar/eia.csv", sha(data))], extra))
    fetch("t_tar", catalog=cat, progress=False)
    assert (cache / "t-tar" / "eia.csv").read_bytes() == data

    evil = make_tar_gz({"pkg-0.3/data/eia.csv": data}, symlink=("pkg-0.3/link", "/etc/passwd"))
    server.routes["/sdist/evil.tar.gz"] = evil
    url = f"{server.url}/sdist/evil.tar.gz"
    cat = catalog(tmp_path, layer_toml("t_tar_evil", url, [("t-tar2/eia.csv", None)], extra))
    with pytest.raises(LayerError, match="archive refused"):
        fetch("t_tar_evil", catalog=cat, progress=False, retries=0)
    assert not (cache / "t-tar2").exists()


def test_member_checked_against_catalog_sha(tmp_path, cache, server):
    data = EIA_CSV.read_bytes()
    archive = make_zip({"eia.csv": data + b"extra\n"})
    server.routes["/a.zip"] = archive
    extra = '[layer.fetch.members]\n"eia.csv" = "t-m/eia.csv"'
    url = f"{server.url}/a.zip"
    cat = catalog(tmp_path, layer_toml("t_m", url, [("t-m/eia.csv", sha(data))], extra))
    with pytest.raises(ChecksumError, match="nothing was installed"):
        fetch("t_m", catalog=cat, progress=False, retries=0)
    assert cache_files(cache) == []


def test_list_members_unpack_to_and_build_from(tmp_path, cache, server):
    """The list form of members (folder prefixes) with unpack_to, and build_from."""
    resp = EIA_JSON.read_bytes()
    archive = make_zip({"dl/api/resp.json": resp, "dl/api/other.txt": b"x", "dl/skip.txt": b"y"})
    server.routes["/bundle.zip"] = archive
    extra = "\n".join(
        [
            'archive = "zip"',
            'unpack_to = "t-unpack"',
            'members = ["dl/api/"]',
            'build = "siting.layers.price:build_eia_api"',
            'build_from = "t-unpack/dl/api/resp.json"',
        ]
    )
    out = "eia-api-v2/eia_industrial_price_by_state.csv"
    url = f"{server.url}/bundle.zip"
    cat = catalog(tmp_path, layer_toml("t_list", url, [(out, None)], extra))
    got = fetch("t_list", catalog=cat, progress=False)
    assert got[out] == cache / out
    files = cache_files(cache)
    assert "t-unpack/dl/api/resp.json" in files and "t-unpack/dl/api/other.txt" in files
    assert "t-unpack/dl/skip.txt" not in files
    assert cat.locate("t_list")[out] == cache / out

    wrong = extra.replace('archive = "zip"', 'archive = "tar"')
    cat = catalog(tmp_path, layer_toml("t_kind", url, [("t-k/x.csv", None)], wrong))
    with pytest.raises(LayerError, match="zip archive"):
        fetch("t_kind", catalog=cat, progress=False, retries=0)


def test_every_shipped_fetch_table_is_valid():
    for lyr in load_catalog():
        if lyr.fetch:
            spec = fetch_spec(lyr)
            assert spec.url.startswith("https://")
