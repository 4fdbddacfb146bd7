"""Episodes on synthetic arousal curves, re-activation, nudges; one episode of the simulated stress spike."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tolerance.hrv.arousal import (
    EpisodeClosed,
    EpisodeConfig,
    EpisodeOpened,
    Nudge,
    ToleranceConfig,
    ToleranceTracker,
    Zone,
    ZoneChange,
    analyze_tolerance,
    calibrate,
)
from tolerance.hrv.arousal.baseline import Baseline
from tolerance.simulations import load_scenario, simulate

# Episode mechanics on synthetic curves, with the equal-weight index so that UNIT below gives
# index = (HR - 60) / 2 whatever the product's default weight.
NO_LAG = ToleranceConfig(episodes=EpisodeConfig(lag_s=0.0), hr_weight=0.5)
RISE_1 = ToleranceConfig(episodes=EpisodeConfig(lag_s=0.0, min_rise=1.0), hr_weight=0.5)  # upper + 1 = 2.0
# a baseline under which z_HR = HR - 60 and z_lnRMSSD = 0 at RMSSD 40: the index is (HR - 60) / 2
UNIT = Baseline(60.0, 1.0, float(np.log(40.0)), 0.15, "calibration", 36)


def _spike(t: np.ndarray, at: float, peak: float, tau: float, height: float) -> np.ndarray:
    rise = np.clip((t - at) / (peak - at), 0, 1)
    up = height * 0.5 * (1 - np.cos(np.pi * rise))
    return np.where(t < peak, np.where(t < at, 0.0, up), height * np.exp(-(t - peak) / tau))


def _feed(t: np.ndarray, a: np.ndarray, config: ToleranceConfig = NO_LAG, breathing=None, activity=None):
    tr = ToleranceTracker(UNIT, config)
    updates = []
    for i, ti in enumerate(t):
        b = bool(breathing[i]) if breathing is not None else False
        act = bool(activity[i]) if activity is not None else False
        updates += tr.add(float(ti), 60.0 + 2 * float(a[i]), 40.0, 0.0, b, act)
    updates += tr.finish()
    return tr, updates


@pytest.mark.parametrize("seed", range(4))
def test_episode_on_a_synthetic_curve_has_its_peak_and_tau(seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 900.0, 1.0)
    a = _spike(t, 200.0, 220.0, 60.0, 6.0) + rng.normal(0, 0.2, t.size)
    tr, updates = _feed(t, a)
    (ep,) = tr.episodes
    assert ep.peak_s == pytest.approx(220.0, abs=0.2 * 220)
    assert ep.fit is not None and ep.fit.tau_s == pytest.approx(60.0, rel=0.20)
    assert ep.fit.r2 > 0.9 and ep.logistic is not None and ep.logistic.r2 > 0.9
    assert ep.tau_half_s == pytest.approx(60.0, rel=0.2) and ep.as_dict()["tau_half_s"] == ep.tau_half_s
    assert ep.start_s == pytest.approx(200 + 20 * np.arccos(1 - 2 / 6) / np.pi, abs=5)
    assert ep.return_s is not None and ep.recovery_s == pytest.approx(ep.return_s - ep.peak_s)
    assert ep.recovery_s == pytest.approx(60 * np.log(6.0), abs=15)  # crossing of the upper edge 1.0
    assert ep.area > 0 and ep.reactivation_of is None and not ep.breathing and not ep.activity
    assert ep.curve_t_s[-1] >= ep.return_s + 59
    kinds = [type(u) for u in updates if isinstance(u, EpisodeOpened | EpisodeClosed)]
    assert kinds == [EpisodeOpened, EpisodeClosed]


def test_half_recovery_is_the_time_from_the_peak_to_half_its_height() -> None:
    """Noise-free: from the peak (6) to 3, a decay of tau 60 s takes 60 ln 2 = 41.6 s; the 15 s
    moving mean lowers a sharp apex a little, which puts the half point 2 s later (+5 %)."""
    t = np.arange(0.0, 900.0, 0.5)
    tr, _ = _feed(t, _spike(t, 200.0, 220.0, 60.0, 6.0))
    (ep,) = tr.episodes
    assert ep.half_recovery_s == pytest.approx(60 * np.log(2) + 2.1, abs=0.5)
    assert ep.tau_half_s == pytest.approx(60.0, rel=0.06)


def test_a_calm_curve_has_no_episode() -> None:
    rng = np.random.default_rng(9)
    t = np.arange(0.0, 3600.0, 1.0)
    tr, updates = _feed(t, rng.normal(0, 0.4, t.size))
    assert tr.episodes == ()
    assert not [u for u in updates if isinstance(u, ZoneChange) and u.zone is Zone.HYPER]


def test_a_second_excursion_soon_after_is_a_reactivation_and_a_late_one_is_not() -> None:
    t = np.arange(0.0, 6000.0, 1.0)
    a = _spike(t, 200, 220, 40, 5) + _spike(t, 900, 920, 40, 5) + _spike(t, 4500, 4520, 40, 5)
    tr, _ = _feed(t, a)
    assert [e.reactivation_of for e in tr.episodes] == [None, 0, None]


def test_breathing_during_the_recovery_is_recorded() -> None:
    t = np.arange(0.0, 900.0, 1.0)
    a = _spike(t, 200, 220, 60, 6)
    tr, _ = _feed(t, a, breathing=(t > 240) & (t < 400))
    assert tr.episodes[0].breathing


def test_excursions_during_activity_are_not_episodes() -> None:
    t = np.arange(0.0, 900.0, 1.0)
    a = _spike(t, 200, 220, 60, 6)
    tr, _ = _feed(t, a, activity=(t > 150) & (t < 300))
    assert tr.episodes == ()
    assert tr.time_in_window.activity_s > 150


def test_nudge_after_two_minutes_above_and_at_most_every_ten_minutes() -> None:
    t = np.arange(0.0, 1500.0, 1.0)
    a = np.where((t > 100) & (t < 1400), 4.0, 0.0)
    _, updates = _feed(t, a)
    nudges = [u for u in updates if isinstance(u, Nudge)]
    assert [round(n.t_s) for n in nudges] == [221, 821]
    assert all(n.above_s >= 120 for n in nudges)


def test_no_nudge_during_activity_or_paced_breathing() -> None:
    t = np.arange(0.0, 1500.0, 1.0)
    a = np.where((t > 100) & (t < 1400), 4.0, 0.0)
    _, updates = _feed(t, a, breathing=t > 0)
    assert not [u for u in updates if isinstance(u, Nudge)]


SEEDS = range(8)
"""One run's tau is only as exact as its 95 % interval says: with the resting VLF fluctuation
(30 ms, ~30 s) a single run's 60 s-window index has noise of about 0.5 with a minute's
correlation, and one run's fitted tau scatters by about 30 % (1 SD) around the scripted value.
At least 7 of the 8 runs must hold the scripted tau inside their interval (a 95 % interval
misses one run in 20; seeds 0-11 give one miss, seed 3: 60.4-69.9 s); the 20 % bound applies
to the median over the seeds (the fit's bias)."""


@pytest.fixture(scope="module")
def stress_results(windows_of):
    scenario = load_scenario("stress-spike")
    out = []
    for seed in SEEDS:
        w = windows_of(simulate(scenario, seed=seed))
        # the rest before the event at 180 s is short: a 120 s calibration (the 60 s windows need
        # ~50 s to fill first), ending before the event so no stress beat enters it
        b = calibrate(w.t_s, w.hr, w.rmssd, w.corrected, start_s=0, end_s=scenario.stress[0].at_s, required_s=120)
        out.append(analyze_tolerance(w.t_s, w.hr, w.rmssd, w.corrected, b))
    return scenario, out


def test_stress_spike_through_the_engine_gives_one_episode_with_the_scripted_peak_and_tau(stress_results) -> None:
    """Peak time is compared at the window centre (lag 30 s, see episodes.py); tau within 20 %
    in the median over 8 seeds, each run's interval holding it, the level inside the window."""
    scenario, results = stress_results
    ev = scenario.stress[0]
    taus = []
    held = 0
    for r in results:
        (ep,) = r.episodes
        assert ep.peak_s == pytest.approx(ev.peak_s, rel=0.20)
        assert ep.fit is not None and ep.fit.tau_low_s is not None
        held += ep.fit.tau_low_s <= ev.tau_s <= (ep.fit.tau_high_s or math.inf)
        assert ep.onset_s >= ep.peak_s
        assert -1.0 <= ep.fit.a_inf <= 1.0 and not ep.fit.at_bound  # the resting range
        taus.append(ep.fit.tau_s)
        assert ep.return_s is not None and ep.lag_s == 30.0
        tw = r.time_in_window
        assert tw.total_s == pytest.approx(r.zones[-1].end_s - r.zones[0].start_s, abs=1.0)
        assert tw.unknown_s < 70  # the first window filling
        assert r.as_dict()["episodes"][0]["tau_s"] == ep.fit.tau_s
    assert float(np.median(taus)) == pytest.approx(ev.tau_s, rel=0.20)
    assert held >= len(results) - 1, held


def test_a_brief_excursion_below_the_minimum_rise_is_hyper_time_but_no_episode() -> None:
    t = np.arange(0.0, 900.0, 1.0)
    # 90 s at 1.8: above upper + hysteresis (hyper is confirmed) but below upper + min_rise (2.0)
    a = np.where((t > 300) & (t < 390), 1.8, 0.0)
    tr, updates = _feed(t, a, RISE_1)
    assert tr.episodes == ()
    assert not [u for u in updates if isinstance(u, EpisodeOpened)]
    assert tr.time_in_window.hyper_s == pytest.approx(89, abs=3)  # the whole excursion: zones count from since_s


def test_an_excursion_that_reaches_the_minimum_rise_late_starts_at_its_crossing() -> None:
    t = np.arange(0.0, 1200.0, 1.0)
    # up to 1.6 at 300 s, dips to 1.0 (hyper holds: above upper - hysteresis), then a peak of 4 at 500 s
    a = np.interp(t, [0, 299, 300, 380, 400, 420, 480, 500, 1200], [0, 0, 1.6, 1.6, 1.0, 1.6, 1.6, 4.0, 0.0])
    tr, updates = _feed(t, a, RISE_1)
    (ep,) = tr.episodes
    (opened,) = [u for u in updates if isinstance(u, EpisodeOpened)]
    assert opened.t_s == pytest.approx(483.3, abs=1.5)  # when 2.0 was reached (1.6 + 2.4 (t - 480) / 20)
    assert ep.start_s == pytest.approx(300, abs=1)  # the crossing, not the qualification
    assert ep.peak_s == pytest.approx(500, abs=1)


def test_a_plateau_is_fitted_from_its_end_not_from_its_highest_sample() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(0.0, 3000.0, 1.0)
    # 20 min held at 4 (with noise, so the highest sample lies anywhere on it), then tau 120 s
    a = np.where(t < 300, 0.0, np.where(t < 1500, 4.0, 4.0 * np.exp(-(t - 1500) / 120.0)))
    a = a + rng.normal(0, 0.3, t.size)
    tr, _ = _feed(t, a)
    (ep,) = tr.episodes
    assert ep.onset_s == pytest.approx(1500, abs=60)
    assert ep.fit is not None and ep.fit.tau_s == pytest.approx(120, rel=0.2)
    assert ep.fit.tau_low_s is not None and ep.fit.tau_low_s <= 120 <= (ep.fit.tau_high_s or math.inf)


@pytest.mark.parametrize("seed", range(5))
def test_the_calm_scenario_has_no_episode_and_stays_within(seed: int, windows_of) -> None:
    """The bundled calm scenario (10 min of seated rest) through the engine, calibrated on its
    first 5 minutes. (Over a calm *hour* a 5-minute calibration's HR centre is off by about
    1 bpm, SD, from the slow fluctuation alone: time in window 0.75-0.98 over 6 seeds, and one
    episode in 6 hours; the rolling baseline is what corrects a centre over sessions.)"""
    w = windows_of(simulate(load_scenario("calm"), seed=seed))
    b = calibrate(w.t_s, w.hr, w.rmssd, w.corrected, start_s=0, end_s=300)
    r = analyze_tolerance(w.t_s, w.hr, w.rmssd, w.corrected, b)
    assert r.episodes == ()
    assert r.time_in_window.within_share is not None and r.time_in_window.within_share > 0.9
