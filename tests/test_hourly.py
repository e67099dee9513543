"""Hourly samples from monthly means: conservation, shape and the TMY check."""

from __future__ import annotations

import numpy as np
import pytest

from siting.model import CARNOT_FRACTION_AIR
from siting.physics import plants as P
from siting.physics.hourly import (
    DEW_SLOPE_MAX,
    DEW_SLOPE_MIN,
    coincident_design_point,
    dew_anomaly_slope,
    dew_point_from_humidity_ratio,
    hourly_samples,
)
from siting.physics.psychrometrics import (
    humidity_ratio_from_vapor_pressure,
    humidity_ratio_from_wet_bulb,
    saturation_vapor_pressure,
    wet_bulb_from_dew_point,
)

LOSS = dict(
    load_fraction=0.76, dist_loss_proportional=0.02, dist_loss_fixed=0.005, misc_fixed=0.005
)


def test_hours_and_mean_are_conserved():
    tdb = np.array([[-5.0 + 2 * m for m in range(12)], [25.0] * 12])
    twb = tdb - 3.0
    s = hourly_samples(tdb, twb, diurnal_range_c=12.0, day_sd_c=2.5)
    assert s["dry_bulb_c"].shape == (2, 12, 120)
    # a non-leap year: 8760 h; each month its calendar hours (Jan 744, Feb 672)
    assert np.allclose(s["hours"].sum(axis=(-1, -2)), 8760.0)
    assert np.isclose(s["hours"][0, 1].sum(), 672.0)
    mean = (s["dry_bulb_c"] * s["hours"]).sum(-1) / s["hours"].sum(-1)
    assert np.allclose(mean, tdb)
    assert np.all(s["wet_bulb_c"] <= s["dry_bulb_c"] + 1e-9)


def test_spread_matches_the_stated_parameters():
    # variance of T = sigma^2 + (DTR/2)^2 / 2 (sinusoid), exact for Gauss-Hermite
    s = hourly_samples(np.full(12, 20.0), np.full(12, 15.0), diurnal_range_c=10.0, day_sd_c=3.0)
    t, h = s["dry_bulb_c"][0], s["hours"][0]
    var = (h * (t - 20.0) ** 2).sum() / h.sum()
    assert np.isclose(var, 9.0 + 25.0 / 2.0)


def test_dew_point_inverse():
    w = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure(12.0), 101_325.0)
    assert abs(float(dew_point_from_humidity_ratio(w, 101_325.0)) - 12.0) < 1e-6


# Gauss-Hermite (probabilists') 5-point nodes, Abramowitz & Stegun 25.4.46 (x sqrt 2)
_Z5 = np.array([-2.856970, -1.355626, 0.0, 1.355626, 2.856970])


def _sample_dew(s, p=101_325.0):
    w = humidity_ratio_from_wet_bulb(s["dry_bulb_c"], s["wet_bulb_c"], p)
    return dew_point_from_humidity_ratio(w, p)


def test_dew_slope_shifts_the_dew_point_by_k_times_the_day_anomaly():
    # dry month (T 30 C, Td 0 C): coldest sample 30 - 3 x 2.857 - 5 = 16.4 C stays above
    # its dew point 0 + 8.6 K even at k = -1; daily dew point = Td + k 3 z
    twb = float(wet_bulb_from_dew_point(30.0, 0.0, 101_325.0))
    for k in (1.0, 0.0, -1.0):
        s = hourly_samples(np.full(12, 30.0), np.full(12, twb), dew_slope=k)
        dew = _sample_dew(s)[0].reshape(5, 24)
        assert np.allclose(dew, 0.0 + k * 3.0 * _Z5[:, None], atol=1e-3)


def test_symmetric_slope_keeps_the_monthly_mean_dew_point():
    # coldest sample 32 - 8.6 - 5 = 18.4 C, its dew point 0 + 1.5 x 8.6 = 12.9 C: no cap
    twb = float(wet_bulb_from_dew_point(32.0, 0.0, 101_325.0))
    s = hourly_samples(np.full(12, 32.0), np.full(12, twb), dew_slope=-1.5)
    dew, h = _sample_dew(s)[0], s["hours"][0]
    assert np.isclose((dew * h).sum() / h.sum(), 0.0, atol=1e-3)
    # the hottest sample is the driest one
    t = s["dry_bulb_c"][0]
    assert dew.reshape(-1)[np.argmax(t)] == pytest.approx(dew.min())


def test_coincident_design_point_by_hand():
    # 1000 h: 2 h at 40 C (WB 20), 6 h at 38 C (WB 22), 992 h at 20 C (WB 15); 0.4 % = 4 h
    t = np.array([20.0, 40.0, 38.0])
    wb = np.array([15.0, 20.0, 22.0])
    h = np.array([992.0, 2.0, 6.0])
    db, mc = coincident_design_point(t, wb, h, exceed=0.004, band=0.002)
    assert db == 38.0  # cumulative hours 2 at 40 C, 8 at 38 C: 4 h reached at 38 C
    # band 2..6 h: all of it inside the 38 C sample
    assert mc == pytest.approx(22.0)
    _, mc_wide = coincident_design_point(t, wb, h, exceed=0.004, band=0.004)
    # band 0..8 h: 2 h at WB 20, 6 h at WB 22
    assert mc_wide == pytest.approx((2 * 20.0 + 6 * 22.0) / 8.0)


def test_fitted_slope_dry_deserts_below_humid_climates_and_bounded():
    p = 101_325.0
    t = np.vstack([30 + 8 * np.cos(np.arange(12) / 12 * 2 * np.pi), np.full(12, 27.0)])
    dew = np.vstack([np.full(12, 0.0), np.full(12, 24.0)])  # desert; humid tropics
    k = dew_anomaly_slope(t, dew)
    assert k[0] < 0.0 < 1.0 + 1e-12 and k[0] < k[1]
    assert np.all((k >= DEW_SLOPE_MIN) & (k <= DEW_SLOPE_MAX))
    twb = wet_bulb_from_dew_point(t, dew, p)
    a = hourly_samples(t, twb, p)
    b = hourly_samples(t, twb, p, dew_slope=k)
    assert np.allclose(a["wet_bulb_c"], b["wet_bulb_c"])  # 'fitted' is the default


def _annual(plant, tdb, twb, hours):
    return P.annual_pue_wue(
        plant["cooling_kw_per_kw_heat"], plant["water_l_per_kwh_heat"], hours, axis=-1, **LOSS
    )


def test_monthly_derived_path_against_tmy3_greensboro(raw_dir):
    from siting.layers import climate

    d, _ = climate.read_weather_file(raw_dir / "pvlib-tmy" / "723170TYA.CSV")
    tdb = d["dry_bulb_c"].to_numpy(float)
    p = d["pressure_pa"].to_numpy(float)
    twb = wet_bulb_from_dew_point(tdb, d["dew_point_c"].to_numpy(float), p)
    month = d.index.month.to_numpy()
    tdb_m = np.array([tdb[month == m].mean() for m in range(1, 13)])
    twb_m = np.array([twb[month == m].mean() for m in range(1, 13)])
    s = hourly_samples(tdb_m, twb_m, float(p.mean()))
    ts, ws, hs = (s[k].reshape(-1) for k in ("dry_bulb_c", "wet_bulb_c", "hours"))

    def plant(t, w):
        return P.hybrid_dry_cooler_plant(
            t,
            w,
            supply_c=18.0,
            return_c=24.0,
            carnot_fraction_air=CARNOT_FRACTION_AIR,
            fan_pump_fraction=0.0537,
        )

    pue_h, wue_h = _annual(plant(tdb, twb), tdb, twb, np.ones_like(tdb))
    pue_m, wue_m = _annual(plant(tdb_m, twb_m), tdb_m, twb_m, np.ones(12))
    pue_s, wue_s = _annual(plant(ts, ws), ts, ws, hs)
    # the derived hours see the warm tail: closer to the 8760-h water than monthly means
    assert abs(wue_s - wue_h) < abs(wue_m - wue_h)
    assert abs(wue_s / wue_h - 1.0) < 0.15
    assert abs(pue_s - pue_h) < 0.01


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
