"""Cooling-design registry: every design keeps the interface the model relies on.

A new design added to ``siting/model/designs/`` is checked here without writing a test:
parameters per preset with unit and source, ranges holding the preset values, an
override field on Facility, plant outputs within physical bounds, NaN where the climate
is unknown. Reference values are hand calculations written in the test.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from siting.errors import ConfigError
from siting.model import (
    COOLING_TECHNOLOGIES,
    FACILITY_PRESETS,
    Facility,
    Fleet,
    Scenario,
    assess,
    known_gpus,
)
from siting.model.designs import COOLING_DESIGNS, CoolingDesign, get_design

DESIGNS = list(COOLING_DESIGNS.values())
IDS = [d.name for d in DESIGNS]


def test_technologies_are_the_registry():
    assert COOLING_TECHNOLOGIES == tuple(COOLING_DESIGNS)
    assert COOLING_TECHNOLOGIES[0] == Facility().cooling  # the first is the default
    for name, d in COOLING_DESIGNS.items():
        assert isinstance(d, CoolingDesign) and d.name == name and get_design(name) is d
        assert d.description.strip()


@pytest.mark.parametrize("design", DESIGNS, ids=IDS)
def test_parameters_per_preset_with_unit_source_and_range(design):
    assert set(design.parameters) == set(FACILITY_PRESETS)
    names = design.parameter_names()
    fields = {f.name for f in dataclasses.fields(Facility)}
    for preset in FACILITY_PRESETS:
        table = design.params(preset)
        assert tuple(table) == names  # same parameters, same order in every preset
        for name, (value, unit, source) in table.items():
            assert unit and source.strip(), (preset, name)
            assert name in fields, f"Facility needs an override field '{name}'"
            if name in design.ranges:
                lo, hi = design.ranges[name]
                assert lo < hi and lo <= value <= hi, (preset, name, value)
            else:
                assert isinstance(value, bool), f"'{name}' has no range and is no switch"
    for lo_name, hi_name in design.ordered_pairs:
        for preset in FACILITY_PRESETS:
            assert design.params(preset)[hi_name].value > design.params(preset)[lo_name].value
    assert "energy_balance" in design.water_models


@pytest.mark.parametrize("design", DESIGNS, ids=IDS)
@pytest.mark.parametrize("preset", FACILITY_PRESETS)
def test_plant_bounds_shapes_and_gaps(design, preset):
    tdb = np.array([[-25.0, 0.0, 15.0, 30.0, 45.0, np.nan]] * 2)
    twb = np.array([[-26.0, -2.0, 10.0, 22.0, 28.0, 20.0]] * 2)
    one_plus_c, water = Facility(cooling=design.name, preset=preset).period_terms(tdb, twb)
    assert one_plus_c.shape == water.shape == tdb.shape
    ok = np.isfinite(tdb) & np.isfinite(twb)
    assert np.all(one_plus_c[ok] >= 1.0) and np.all(one_plus_c[ok] < 3.0)
    assert np.all(water[ok] >= 0.0) and np.all(water[ok] < 20.0)  # L/kWh of heat
    if design.name != "evaporative":  # towers follow the wet-bulb only
        assert np.all(np.isnan(one_plus_c[~ok])) and np.all(np.isnan(water[~ok]))


@pytest.mark.parametrize("cooling", ["evaporative", "adiabatic", "dry"])
def test_free_cooling_in_deep_cold_leaves_fans_and_pumps_only(cooling):
    # hyperscale preset at -25 C dry-bulb / -26 C wet-bulb: every plant is below its
    # supply temperature (evaporative: -26 + 4 K approach + 1.5 K HX << 17 C; adiabatic:
    # air << 27 C; dry: -25 + 6 K << 27 C), so no compressor runs and the cooling
    # electricity is the fan/pump fraction 0.0503 kW/kW heat of the preset. The dry
    # coolers add their fan law, by hand: design ITD 33 - 27 + 6 = 12 K, actual
    # 33 + 25 = 58 K -> airflow 12/58, fan 0.7457/51.581 x (16.667/12) x (12/58)^3
    # = 0.020080 x 0.0088565 = 0.000178 kW/kW
    one_plus_c, _ = Facility(cooling=cooling).period_terms(np.array([-25.0]), np.array([-26.0]))
    fan = 0.000178 if cooling == "dry" else 0.0
    assert one_plus_c[0] == pytest.approx(1.0503 + fan, abs=1e-6)


def test_dry_design_uses_no_water():
    _, water = Facility(cooling="dry").period_terms(np.array([35.0, 5.0]), np.array([25.0, 2.0]))
    assert np.all(water == 0.0)


@pytest.mark.parametrize("gpu", known_gpus())
def test_feasibility_follows_the_gpu_catalog_cooling_column(gpu):
    fleet = Fleet(gpu=gpu, gpus=8)
    kind = fleet.gpu_cooling[0]
    assert kind in ("air", "liquid", "either") and fleet.gpu_cooling[1]
    for d in DESIGNS:
        if d.air_only:
            assert d.feasible(fleet) == (kind != "liquid")
    assert any(d.feasible(fleet) for d in DESIGNS)


def test_liquid_cooled_gpu_never_gets_an_air_only_design():
    sites = pd.DataFrame(
        {
            **{f"dry_bulb_c_m{m:02d}": [10.0] for m in range(1, 13)},
            **{f"wet_bulb_c_m{m:02d}": [8.0] for m in range(1, 13)},
            "grid_co2_g_per_kwh": [400.0],
        }
    )
    fleet = Fleet(gpu="GB200-NVL72", gpus=72)
    assert fleet.gpu_cooling[0] == "liquid"  # NVIDIA: liquid-cooled rack-scale system
    for name in ("air_economizer", "adiabatic"):
        with pytest.raises(ConfigError, match="GB200-NVL72.*direct_to_chip") as err:
            assess(sites, fleet, Scenario(), Facility(cooling=name))
        assert err.value.field == "cooling"


def test_infeasible_design_is_refused_by_assess(monkeypatch):
    reason = "liquid-cooled GPUs need a liquid loop"
    dry = dataclasses.replace(COOLING_DESIGNS["dry"], infeasibility=lambda fleet: reason)
    monkeypatch.setitem(COOLING_DESIGNS, "dry", dry)
    sites = pd.DataFrame(
        {
            **{f"dry_bulb_c_m{m:02d}": [10.0] for m in range(1, 13)},
            **{f"wet_bulb_c_m{m:02d}": [8.0] for m in range(1, 13)},
            "grid_co2_g_per_kwh": [400.0],
        }
    )
    with pytest.raises(ConfigError, match="liquid loop") as err:
        assess(sites, Fleet(gpus=8), Scenario(), Facility(cooling="dry"))
    assert err.value.field == "cooling"
