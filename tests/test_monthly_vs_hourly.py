"""How close the monthly path gets to 8760 hours: annual PUE and on-site WUE per design.

Reference: the hourly typical-year files available offline (Greensboro NC and Sand Point
AK TMY3, Miami FL TMY2), evaluated hour by hour by the kernel. Against it: (b) the
file's 12 monthly means through the kernel's monthly path (within-month hourly samples
for the designs with ``design.hourly``), (c) plain monthly means. Method, table and the
reasoning behind the tolerances: docs/method_model.md, section 5a, "Hourly samples from
monthly means"; the table is printed by ``scripts/compare_monthly_hourly.py``.

Tolerances (stated from the measured spread, not tuned):

* PUE: |PUE(b) - PUE(a)| <= 0.01 for every design (the resolution at which published
  annual PUEs are quoted, e.g. 1.10 for Google's 2023 fleet). Measured: at most 0.0085
  for every design but the air economizer, which misses it at Greensboro and Miami
  (humidity envelope; strict xfail with the measured value).
* WUE: |WUE(b) - WUE(a)| <= 15 % of WUE(a) + 0.02 L/kWh (15 %: the bound of the hybrid
  check in tests/test_hourly.py; 0.02 L/kWh: about 1 % of a cooling-tower plant's WUE,
  so that near-dry designs are not held to a relative bound of a near-zero number).
  Miami's direct-to-chip and hybrid plants miss it (+48 %, +22 %: the default
  within-month spread is twice Miami's summer spread; strict xfail). With the file's
  own spread the sampler meets it there (diagnostic (d), tested below).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SITES = ("Greensboro NC TMY3", "Sand Point AK TMY3", "Miami FL TMY2")
HOURLY_DESIGNS = ("air_economizer", "tower_economizer", "hybrid", "direct_to_chip")
MONTHLY_DESIGNS = ("evaporative", "adiabatic", "dry")
PUE_TOL = 0.01  # [-]
WUE_REL, WUE_ABS = 0.15, 0.02  # [-], [L/kWh IT]

# measured misses (design, site): value of (b) - (a) when recorded
PUE_MISSES = {
    ("air_economizer", "Greensboro NC TMY3"): "PUE(b)-(a) = -0.018: humidity envelope",
    ("air_economizer", "Miami FL TMY2"): "PUE(b)-(a) = -0.027: humidity envelope",
    # legacy adiabatic on monthly means only: the envelope (refused humid air, DX with the
    # 16.7 K condenser ITD) is applied to Miami's monthly mean air, not to its hours
    ("adiabatic", "Miami FL TMY2"): "PUE(b)-(a) = +0.018: monthly means, humidity envelope",
}
WUE_MISSES = {
    ("direct_to_chip", "Miami FL TMY2"): "WUE(b)-(a) = +0.089 of 0.187 L/kWh (+48 %)",
    ("hybrid", "Miami FL TMY2"): "WUE(b)-(a) = +0.081 of 0.367 L/kWh (+22 %)",
}


def _script():
    spec = importlib.util.spec_from_file_location(
        "compare_monthly_hourly", ROOT / "scripts" / "compare_monthly_hourly.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def table(raw_dir):
    mod = _script()
    files = mod.weather_files(raw_dir)
    if not files:
        pytest.skip("no hourly typical-year file found")
    return mod.compare(files).set_index(["design", "site"])


def _row(table, design, site):
    if (design, site) not in table.index:
        pytest.skip(f"weather file of {site} not available")
    return table.loc[(design, site)]


def _cases(designs, misses):
    out = []
    for d in designs:
        for s in SITES:
            why = misses.get((d, s))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            out.append(pytest.param(d, s, marks=marks, id=f"{d}-{s.split()[0]}"))
    return out


def _wue_bound(wue_a):
    return WUE_REL * wue_a + WUE_ABS


def test_every_registered_design_is_compared(table):
    from siting.model import COOLING_DESIGNS, COOLING_TECHNOLOGIES

    assert set(table.index.get_level_values("design")) == set(COOLING_TECHNOLOGIES)
    assert {d for d in COOLING_TECHNOLOGIES if COOLING_DESIGNS[d].hourly} == set(HOURLY_DESIGNS)


@pytest.mark.parametrize(("design", "site"), _cases(HOURLY_DESIGNS + MONTHLY_DESIGNS, PUE_MISSES))
def test_monthly_path_pue_within_0_01_of_8760_hours(table, design, site):
    r = _row(table, design, site)
    assert abs(r.pue_b - r.pue_a) <= PUE_TOL, f"PUE (a) {r.pue_a:.4f}, (b) {r.pue_b:.4f}"


@pytest.mark.parametrize(("design", "site"), _cases(HOURLY_DESIGNS + MONTHLY_DESIGNS, WUE_MISSES))
def test_monthly_path_wue_within_bound_of_8760_hours(table, design, site):
    r = _row(table, design, site)
    assert abs(r.wue_b - r.wue_a) <= _wue_bound(r.wue_a), (
        f"WUE (a) {r.wue_a:.3f}, (b) {r.wue_b:.3f} L/kWh"
    )


@pytest.mark.parametrize("design", ["hybrid", "direct_to_chip"])
def test_samples_see_the_hot_tail_that_monthly_means_hide(table, design):
    # Greensboro: within-month spread of the file (summer 3.7-4.4 K) close to the
    # sampler's default (4.6 K); the plain means miss the evaporative-assist hours
    r = _row(table, design, "Greensboro NC TMY3")
    assert r.wue_c < r.wue_a  # plain means under-count the hot hours
    assert abs(r.wue_b - r.wue_a) < abs(r.wue_c - r.wue_a)


@pytest.mark.parametrize("design", ["hybrid", "direct_to_chip"])
def test_miami_miss_is_the_default_spread(table, design):
    # with Miami's own monthly diurnal range and day-to-day spread (diagnostic (d)) the
    # sampler meets the WUE bound that the default spread misses
    r = _row(table, design, "Miami FL TMY2")
    assert abs(r.wue_d - r.wue_a) <= _wue_bound(r.wue_a)
    assert abs(r.wue_d - r.wue_a) < abs(r.wue_b - r.wue_a)


def test_errors_are_finite(table):
    cols = [f"{q}_{x}" for q in ("pue", "wue") for x in "abcd"]
    assert np.isfinite(table[cols].to_numpy(float)).all()
