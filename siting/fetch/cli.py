"""``siting data fetch|build|list``: the command-line front of :mod:`siting.fetch`."""

from __future__ import annotations

import argparse
import sys

from siting.fetch.cache import fetch_status
from siting.fetch.spec import BASE_URL_ENV
from siting.fetch.steps import build, fetch
from siting.paths import user_cache_dir


def _cmd_fetch(args) -> int:
    progress = not args.quiet
    for name in args.layers:
        files = fetch(
            name,
            force=args.force,
            progress=progress,
            convert=not args.no_build,
            base_url=args.base_url,
        )
        for rel, p in sorted(files.items()):
            print(f"{name}\t{rel}\t{p}")
    return 0


def _cmd_build(args) -> int:
    names = args.layers or [None]
    n = 0
    for name in names:
        written = build(name, quiet=args.quiet)
        for rel, p in sorted(written.items()):
            print(f"{rel}\t{p}")
        n += len(written)
    if n == 0:
        print("nothing to build (no fetched layer has a converter)", file=sys.stderr)
    return 0


def _cmd_list(args) -> int:
    import pandas as pd

    df = fetch_status(data_dir=args.data_dir, include_all=args.all)
    cols = ["layer", "family", "fetchable", "pinned", "needs", "fetched", "available"]
    if args.verbose:
        cols += ["fetched_at", "location", "url"]
    with pd.option_context("display.max_colwidth", 120, "display.width", 250):
        print(df[cols].to_string(index=False) if len(df) else "no fetchable layer")
    print(f"cache: {user_cache_dir()}", file=sys.stderr)
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``siting data fetch|build|list`` on the CLI's sub-command parsers.

    Parameters
    ----------
    subparsers
        The object returned by ``ArgumentParser.add_subparsers`` in
        :func:`siting.cli.build_parser`. Each command sets ``func`` (returns an exit
        status), as the other sub-commands do.
    """
    p = subparsers.add_parser(
        "data", help="download official datasets into the cache and build compact files"
    )
    sub = p.add_subparsers(dest="data_command", required=True)

    f = sub.add_parser("fetch", help="download (and verify, and build) catalog layers")
    f.add_argument("layers", nargs="+", metavar="LAYER", help="catalog layer name(s)")
    f.add_argument("--force", action="store_true", help="download again even if cached")
    f.add_argument("--no-build", action="store_true", help="do not run the converter")
    f.add_argument("--quiet", action="store_true", help="no progress bar or status lines")
    f.add_argument(
        "--base-url",
        default=None,
        help=f"mirror replacing scheme and host of the URLs (default: ${BASE_URL_ENV})",
    )
    f.set_defaults(func=_cmd_fetch)

    b = sub.add_parser("build", help="run the converters of fetched layers")
    b.add_argument("layers", nargs="*", metavar="LAYER", help="default: every fetched layer")
    b.add_argument("--quiet", action="store_true", help="no status lines")
    b.set_defaults(func=_cmd_build)

    ls = sub.add_parser("list", help="fetchable layers: pinned or live, fetched, available")
    ls.add_argument("--data-dir", help="extra data directory for the availability column")
    ls.add_argument("--all", action="store_true", help="also layers without a fetch table")
    ls.add_argument("-v", "--verbose", action="store_true", help="show time, location, URL")
    ls.set_defaults(func=_cmd_list)
