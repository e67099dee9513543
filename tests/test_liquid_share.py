"""The cold-plate (liquid) share of a direct-to-chip build comes from the fleet's GPU.

Independent numbers: the shares are recomputed here from the datasheet figures the
catalog cites (GPU TDP, host-CPU TDP, DGX system maximum power).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting.model import Facility, Fleet, Scenario, assess

# (GPUs x GPU TDP [W] + CPUs x CPU TDP [W]) / DGX max system power [W]
# NVIDIA DGX A100 / H100 / H200 / B200 datasheets; AMD EPYC 7742 225 W; Intel Xeon
# Platinum 8480C and 8570 350 W (Intel ARK).
HAND = {
    "A100-SXM": (8 * 400 + 2 * 225) / 6500,
    "H100-SXM": (8 * 700 + 2 * 350) / 10200,
    "H200-SXM": (8 * 700 + 2 * 350) / 10200,
    "B200": (8 * 1000 + 2 * 350) / 14300,
}


@pytest.mark.parametrize("gpu", sorted(HAND))
def test_catalog_share_is_the_datasheet_ratio(gpu):
    value, source = Fleet(gpu=gpu, gpus=8).liquid_fraction
    assert value == pytest.approx(HAND[gpu], abs=0.005)
    assert source.startswith("GPU catalog")
    assert "datasheet" in source


def test_liquid_rack_keeps_the_rack_share():
    value, _ = Fleet(gpu="GB200-NVL72", gpus=72).liquid_fraction
    assert 0.8 <= value <= 0.95  # Vertiv GB200 NVL72 reference: ~85 % to cold plates


def test_for_fleet_sets_the_share_and_user_override_wins():
    h100 = Fleet(gpu="H100-SXM", gpus=1000)
    got = Facility(cooling="direct_to_chip").for_fleet(h100).parameters()["liquid_fraction"]
    assert got[0] == pytest.approx(HAND["H100-SXM"], abs=0.005)
    assert got[2].startswith("GPU catalog")
    mine = Facility(cooling="direct_to_chip", liquid_fraction=0.9).for_fleet(h100)
    assert mine.parameters()["liquid_fraction"] == (0.9, "-", "user override")
    # designs without a GPU-dependent parameter are left as they are
    evap = Facility(cooling="evaporative")
    assert evap.for_fleet(h100) is evap


def _hot_site() -> pd.DataFrame:
    # Singapore-like: 27-29 C dry-bulb, 25-26 C wet-bulb all year
    m = np.arange(12)
    row = {"site_id": "hot", "grid_co2_g_per_kwh": 400.0, "price_usd_per_mwh": 80.0}
    for i in m:
        row[f"dry_bulb_c_m{i + 1:02d}"] = 27.0 + 2.0 * np.sin(2 * np.pi * i / 12)
        row[f"wet_bulb_c_m{i + 1:02d}"] = 25.0 + 1.0 * np.sin(2 * np.pi * i / 12)
    return pd.DataFrame([row])


def test_assess_uses_the_fleet_share():
    sites, sc = _hot_site(), Scenario(commitment_years=1)
    h100 = Fleet(gpu="H100-SXM", gpus=1000)
    share = h100.liquid_fraction[0]
    by_gpu = assess(sites, h100, sc, Facility(cooling="direct_to_chip")).summary
    forced = Facility(cooling="direct_to_chip", liquid_fraction=share)
    same = assess(sites, h100, sc, forced).summary
    rack = Facility(cooling="direct_to_chip", liquid_fraction=0.85)
    high = assess(sites, h100, sc, rack).summary
    assert by_gpu["pue_annual"].iloc[0] == same["pue_annual"].iloc[0]
    # a larger air share needs more chiller hours in a hot climate: higher PUE
    assert by_gpu["pue_annual"].iloc[0] > high["pue_annual"].iloc[0]
