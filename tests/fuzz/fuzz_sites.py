#!/usr/bin/env python
"""Coverage-guided fuzz target for the site reader (atheris / libFuzzer).

    python tests/fuzz/fuzz_sites.py tests/fuzz/corpus -max_total_time=60

The first input byte picks the file type (CSV, GeoJSON, GeoPackage, GeoParquet, zip);
the rest is the file content. Any exception other than ``SiteInputError`` is a crash,
as is a result that drops a site or holds invalid coordinates.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings

import atheris

with atheris.instrument_imports(include=["siting"]):
    from siting.errors import SiteInputError
    from siting.sites import read_sites

SUFFIXES = (".csv", ".geojson", ".gpkg", ".parquet", ".zip")
TMP = tempfile.mkdtemp(prefix="siting-fuzz-")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    suffix = SUFFIXES[data[0] % len(SUFFIXES)]
    path = os.path.join(TMP, "input" + suffix)
    with open(path, "wb") as f:
        f.write(data[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            s = read_sites(path)
        except SiteInputError:
            return
    if len(s) == 0 or not s["site_id"].is_unique:
        raise AssertionError("reader returned an empty table or duplicate ids")
    if (s["lat"].abs() > 90).any() or (s["lon"].abs() > 180).any():
        raise AssertionError("reader returned out-of-range coordinates")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
