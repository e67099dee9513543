"""Command-line interface: ``siting join | layers | run | report | data``.

The CLI is a thin user of the library: it parses options, calls the public
functions and prints results. Errors from the :class:`SitingError` family are
printed without a traceback and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from siting.errors import SitingError


def _add_site_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("sites", help="sites file (CSV, GeoJSON, GeoPackage, GeoParquet, zip)")
    p.add_argument("--lat", help="latitude column (default: detected)")
    p.add_argument("--lon", help="longitude column (default: detected)")
    p.add_argument("--id-column", help="column with unique site ids (default: detected)")
    p.add_argument("--crs", help="CRS of CSV coordinates if not WGS84 degrees, e.g. EPSG:3857")
    p.add_argument("--data-dir", help="data directory searched before the cache and embedded pack")
    p.add_argument(
        "--snap-km", type=float, default=None, help="snap sites within this distance [km]"
    )


def _read_and_join(args):
    from siting.join import DEFAULT_SNAP_KM, join_layers
    from siting.sites import read_sites

    sites = read_sites(
        args.sites, lat=args.lat, lon=args.lon, id_column=args.id_column, crs=args.crs
    )
    print(f"read {len(sites)} sites from {args.sites}", file=sys.stderr)
    snap = DEFAULT_SNAP_KM if args.snap_km is None else args.snap_km
    joined = join_layers(sites, data_dir=args.data_dir, snap_km=snap)
    return sites, joined


def cmd_join(args) -> int:
    from siting.io import write_geoparquet

    _, joined = _read_and_join(args)
    out = Path(args.out)
    write_geoparquet(joined, out, inputs=[args.sites])
    cov = joined.attrs.get("coverage")
    if cov is not None and len(cov):
        print("coverage (sites per layer and level):")
        print(cov.to_string(index=False))
    print(f"wrote {out} ({len(joined)} sites, {joined.shape[1]} columns)")
    return 0


def cmd_layers(args) -> int:
    import pandas as pd

    from siting.layers.catalog import load_catalog

    df = load_catalog().to_frame(args.data_dir)
    cols = ["layer", "family", "level", "vintage", "available", "licence", "source"]
    with pd.option_context("display.max_colwidth", 48, "display.width", 200):
        print(df[cols].to_string(index=False))
    if args.verbose:
        for _, r in df.iterrows():
            print(
                f"\n{r['layer']}: {r['variables']}\n  files: {r['files']}\n  sha256: {r['sha256']}"
            )
            print(f"  urls: {r['urls']}\n  found in: {r['location'] or '-'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="siting", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("join", help="join sites to every data layer, write GeoParquet")
    _add_site_options(p)
    p.add_argument("--out", required=True, help="output GeoParquet path")
    p.set_defaults(func=cmd_join)

    p = sub.add_parser("layers", help="list the layer catalog and local availability")
    p.add_argument("--data-dir", help="extra data directory")
    p.add_argument("-v", "--verbose", action="store_true", help="show files, checksums, URLs")
    p.set_defaults(func=cmd_layers)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SitingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
