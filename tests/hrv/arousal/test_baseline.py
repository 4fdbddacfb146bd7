"""Calibration, rolling update and the population baseline."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tolerance.hrv import BeatUpdate, Engine, HrvInputError
from tolerance.hrv.arousal import (
    POPULATION_BASELINE,
    Baseline,
    Calibration,
    CalibrationRefusal,
    CalibrationRefused,
    CalmWindow,
    ToleranceTracker,
    calibrate,
    pooled_spread,
    rolling_update,
)
from tolerance.hrv.arousal.baseline import (
    CONFIRM_WINDOWS,
    HR_SPREAD_FLOOR_BPM,
    LN_RMSSD_SPREAD_FLOOR,
    PRIOR_HR_SPREAD_BPM,
    PRIOR_LN_RMSSD_SPREAD,
    PRIOR_WEIGHT_WINDOWS,
)
from tolerance.sensors import HeartRateSample
from tolerance.simulations import load_scenario, simulate


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_calibration_reproduces_a_simulated_rest_within_ten_percent(seed: int, windows_of) -> None:
    scenario = load_scenario("calm")
    w = windows_of(simulate(scenario, seed=seed, duration_s=300))
    b = calibrate(w.t_s, w.hr, w.rmssd, w.corrected, source="calibration")
    assert b.source == "calibration" and not b.hr_only
    assert b.hr_center_bpm == pytest.approx(scenario.heart.hr_bpm, rel=0.10)
    assert b.rmssd_center_ms == pytest.approx(scenario.heart.rmssd_ms, rel=0.10)
    assert b.hr_spread_bpm >= HR_SPREAD_FLOOR_BPM and b.ln_rmssd_spread >= LN_RMSSD_SPREAD_FLOOR


def test_calibration_of_a_clean_synthetic_rest_is_its_median_and_a_spread_pooled_with_the_prior() -> None:
    """Its own spread (4.0 bpm, 0.3) is near the within-person prior (3.9, 0.29): pooled, the same."""
    rng = np.random.default_rng(4)
    t = np.arange(0.0, 300.0, 1.0)
    hr = 70 + rng.normal(0, 4.0, t.size)
    rmssd = np.exp(math.log(35) + rng.normal(0, 0.3, t.size))
    cal = Calibration(sample_every_s=1.0)
    for ti, h, r in zip(t, hr, rmssd, strict=True):
        cal.add(ti, float(h), float(r), 0.0)
    assert cal.progress().done
    b = cal.finish()
    assert b.hr_center_bpm == pytest.approx(70, abs=0.6)
    assert b.hr_spread_bpm == pytest.approx(4.0, rel=0.15)
    assert b.ln_rmssd_spread == pytest.approx(0.3, rel=0.15)
    assert b.n_windows == t.size


def test_calibration_refuses_a_short_span_with_a_reason() -> None:
    cal = Calibration()
    for t in range(0, 120):
        cal.add(float(t), 65.0, 40.0, 0.0)
    p = cal.progress()
    assert not p.done and p.elapsed_s == pytest.approx(115, abs=5)
    with pytest.raises(CalibrationRefused) as err:
        cal.finish()
    assert err.value.code is CalibrationRefusal.TOO_SHORT
    assert "need 180 s" in err.value.reason
    assert isinstance(err.value, HrvInputError)


def test_calibration_refuses_a_noisy_span() -> None:
    cal = Calibration()
    for t in range(0, 300):
        usable = t % 3 != 0  # a third of the windows give no number
        cal.add(float(t), 65.0 if usable else None, 40.0 if usable else None, 0.01)
    with pytest.raises(CalibrationRefused) as err:
        cal.finish()
    assert err.value.code is CalibrationRefusal.TOO_FEW_USABLE
    assert "usable" in err.value.reason


def test_calibration_refuses_many_corrected_beats() -> None:
    cal = Calibration()
    for t in range(0, 300):
        cal.add(float(t), 65.0, 40.0, 0.12)
    with pytest.raises(CalibrationRefused) as err:
        cal.finish()
    assert err.value.code is CalibrationRefusal.TOO_MANY_CORRECTED
    assert err.value.corrected_share == pytest.approx(0.12)


def test_calibration_of_a_simulated_strap_with_artifacts_is_refused(windows_of) -> None:
    w = windows_of(simulate("artifacts", seed=0, duration_s=300))
    with pytest.raises(CalibrationRefused):
        calibrate(w.t_s, w.hr, w.rmssd, w.corrected)


def test_no_signal_is_refused() -> None:
    cal = Calibration()
    for t in range(0, 300):
        cal.add(float(t), None, None, None)
    with pytest.raises(CalibrationRefused) as err:
        cal.finish()
    assert err.value.code is CalibrationRefusal.NO_SIGNAL


def test_hr_only_calibration_has_no_rmssd() -> None:
    cal = Calibration(hr_only=True)
    for t in range(0, 300):
        cal.add(float(t), 60.0 + (t % 7), None, None)  # sampled every 5 s: all residues
    b = cal.finish()
    assert b.hr_only and b.ln_rmssd_center is None and b.hr_center_bpm == pytest.approx(63.0)


def test_population_baseline_maps_nunan_2010() -> None:
    b = POPULATION_BASELINE
    assert b.source == "population"
    assert b.hr_center_bpm == pytest.approx(60_000 / 926, rel=1e-9)
    assert b.rmssd_center_ms < 42.0  # median of a log-normal is below its mean
    assert 0.3 < b.ln_rmssd_spread < 0.4


def _calm(n: int, hr: float, rmssd: float, **kw) -> list[CalmWindow]:
    base = {"activity": False, "breathing": False, "in_excursion": False, "since_excursion_s": None}
    base.update(kw)
    return [CalmWindow(float(i), hr + (i % 3 - 1), rmssd, **base) for i in range(n)]


BASE = Baseline(65.0, 3.0, math.log(40.0), 0.2, "calibration", 36)


def test_rolling_update_moves_towards_calm_windows_with_a_cap() -> None:
    b = rolling_update(BASE, _calm(100, 66.0, 40.0))
    assert b.source == "rolling"
    assert b.hr_center_bpm == pytest.approx(65.2)  # 20 % of the way
    far = rolling_update(BASE, _calm(100, 90.0, 40.0))
    assert far.hr_center_bpm == pytest.approx(65.0 + 0.5 * 3.0)  # capped at half a spread


def test_rolling_update_never_learns_from_breathing_activity_or_excursions() -> None:
    for kw in ({"breathing": True}, {"activity": True}, {"in_excursion": True}, {"since_excursion_s": 120.0}):
        assert rolling_update(BASE, _calm(100, 80.0, 20.0, **kw)) == BASE
    assert rolling_update(BASE, _calm(10, 80.0, 20.0)) == BASE  # too few windows


def test_the_pooled_spread_weighs_the_prior_as_thirty_independent_minutes() -> None:
    own, span = 1.0, 180.0  # three independent 60 s windows
    expected = math.sqrt((PRIOR_WEIGHT_WINDOWS * 3.9**2 + 3 * own**2) / (PRIOR_WEIGHT_WINDOWS + 3))
    assert pooled_spread(own, span, 3.9, 0.0) == pytest.approx(expected)
    assert pooled_spread(own, 100 * 3600.0, 3.9, 0.0) == pytest.approx(own, rel=0.05)  # 100 h: its own
    assert pooled_spread(0.0, 10.0, 0.1, 2.0) == 2.0  # floored


def test_a_very_still_calibration_gets_a_band_as_wide_as_a_calm_day_not_its_minutes_noise() -> None:
    """The trial in the issue: both calibrated spreads landed on their floors (2 bpm, 0.15)."""
    rng = np.random.default_rng(9)
    cal = Calibration()
    for t in np.arange(0.0, 250.0, 1.0):
        cal.add(float(t), 66 + float(rng.normal(0, 0.5)), 42 * math.exp(float(rng.normal(0, 0.03))), 0.0)
    b = cal.finish()
    assert b.hr_spread_bpm == pytest.approx(PRIOR_HR_SPREAD_BPM, rel=0.10)
    assert b.ln_rmssd_spread == pytest.approx(PRIOR_LN_RMSSD_SPREAD, rel=0.10)


def _calm_wear(n: int, hr: float, rmssd: float) -> list[CalmWindow]:
    return [CalmWindow(5.0 * i, hr, rmssd, False, False, False, None) for i in range(n)]


def test_a_provisional_baseline_is_pooled_with_calm_wear_and_confirmed_after_thirty_minutes() -> None:
    b = Baseline(70.0, 3.9, math.log(40), 0.29, "provisional", 12)
    once = rolling_update(b, _calm_wear(120, 80.0, 40.0))  # 10 minutes at 80 bpm: the first minute is outweighed
    assert once.source == "provisional" and once.n_windows == 132
    assert once.hr_center_bpm == pytest.approx(70 + 120 / 132 * 10)
    confirmed = rolling_update(once, _calm_wear(CONFIRM_WINDOWS, 79.0, 40.0))
    assert confirmed.source == "rolling" and confirmed.n_windows == 132 + CONFIRM_WINDOWS


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_a_four_minute_calibration_holds_the_simulated_calm_worker_within_for_the_following_hour(seed: int) -> None:
    """Before: spreads on their floors and the calm worker's index from -1.3 to +1.4 (issue 21)."""
    sim = simulate("calm", seed=seed, duration_s=3900)
    engine = Engine()
    values = []
    for item in sim.items:
        if isinstance(item, HeartRateSample):
            for u in engine.add(item.t_mono, item.rr_ms, item.contact, item.rr_raw):
                if isinstance(u, BeatUpdate):
                    w = next(w for w in u.windows if w.window_s == 60.0)
                    ok = w.reason is None
                    values.append(
                        (
                            u.beat.t_s,
                            w.values.get("HR") if ok else None,
                            w.values.get("HRV_RMSSD") if ok else None,
                            w.corrected_share if ok else None,
                        )
                    )
    b = calibrate(*zip(*values, strict=True), end_s=240.0, source="calibration")
    tracker = ToleranceTracker(b)
    for t, h, r, c in values:
        if t >= 240.0:
            tracker.add(t, h, r, c)
    share = tracker.time_in_window.within_share
    assert share is not None and share >= 0.9
