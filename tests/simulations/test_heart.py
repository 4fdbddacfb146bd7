"""Claims about the heart model: determinism, calibration to the scenario's targets, resonance."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from tolerance.hrv.arousal import Pacer, breathing_adherence
from tolerance.simulations import (
    Guide,
    HeartModel,
    HeartParams,
    load_scenario,
    resonance_gain,
    resonance_phase,
    simulate,
)


def _rmssd(rr: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.diff(rr) ** 2)))


def test_same_seed_gives_the_same_series_and_another_seed_a_different_one() -> None:
    a = simulate("stress-spike", seed=7, duration_s=300)
    b = simulate("stress-spike", seed=7, duration_s=300)
    c = simulate("stress-spike", seed=8, duration_s=300)
    np.testing.assert_array_equal(a.beat_rr_raw, b.beat_rr_raw)
    np.testing.assert_array_equal(a.beat_t_s, b.beat_t_s)
    assert [s.payload for s in a.samples] == [s.payload for s in b.samples]
    assert not np.array_equal(a.beat_rr_raw, c.beat_rr_raw)


def test_seed_and_generator_give_the_same_beats() -> None:
    params = HeartParams()
    by_seed = HeartModel(params, rng=3)
    by_gen = HeartModel(params, rng=np.random.default_rng(3))
    assert [by_seed.next_beat() for _ in range(50)] == [by_gen.next_beat() for _ in range(50)]


@pytest.mark.parametrize("name", ["calm", "paced-breathing"])
def test_mean_hr_and_rmssd_match_the_scenario_targets(name: str) -> None:
    # Four seeds x 6 min of resting spontaneous breathing: the RMSSD estimate's own spread
    # (about 3 % for one 10-minute run) stays well inside the 5 % tolerance.
    scenario = load_scenario(name)
    hr, rmssd = [], []
    for seed in range(4):
        r = simulate(scenario, seed=seed, duration_s=360)
        hr.append(60_000.0 / r.beat_rr_ms.mean())
        rmssd.append(_rmssd(r.beat_rr_ms))
    assert np.mean(hr) == pytest.approx(scenario.heart.hr_bpm, rel=0.02)
    assert np.mean(rmssd) == pytest.approx(scenario.heart.rmssd_ms, rel=0.05)


def test_rmssd_formula_predicts_the_model_at_another_rate() -> None:
    params = HeartParams(hr_bpm=60, rmssd_ms=35, breathing_per_min=12)
    rmssd = []
    for seed in range(4):
        model = HeartModel(params, rng=seed, breathing=[(0.0, 8.0)])
        rmssd.append(_rmssd(np.array([b.rr_ms for b in model.beats_until(600.0)])))
    assert np.mean(rmssd) == pytest.approx(params.expected_rmssd_ms(8.0), rel=0.05)


def test_resonance_gain_peaks_at_the_resonance_frequency() -> None:
    f = np.linspace(0.03, 0.4, 371)
    g = resonance_gain(f, 0.1, 1.5)
    assert f[np.argmax(g)] == pytest.approx(0.1, abs=1e-3)
    assert resonance_gain(0.1, 0.1, 1.5) == pytest.approx(1.0)
    # Lehrer's assessment rates must be distinguishable around the peak.
    rates = np.array([6.5, 6.0, 5.5, 5.0, 4.5])
    assert np.argmax([HeartParams(resonance_per_min=5.5).rsa_amplitude_ms(r) for r in rates]) == 2


def test_unreachable_rmssd_target_is_refused_with_advice() -> None:
    with pytest.raises(ValueError, match="lower rsa_ms"):
        HeartModel(HeartParams(rmssd_ms=5.0, rsa_ms=60.0))


def test_set_breathing_changes_the_rate_live_without_a_wall_clock() -> None:
    model = HeartModel(HeartParams(), rng=1)
    before = model.beats_until(60.0)
    model.set_breathing(6.0)
    after = model.beats_until(120.0)
    assert {b.breathing_per_min for b in before} == {15.0}
    assert {b.breathing_per_min for b in after} == {6.0}
    assert model.t_s == pytest.approx(after[-1].t_s)
    with pytest.raises(ValueError):
        model.set_breathing(0.0)


@pytest.mark.parametrize(("rate", "expected_deg"), [(6.0, 0.0), (4.5, 41.2), (9.0, -51.3), (12.0, -66.0)])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_participant_following_a_guide_has_hr_in_phase_with_it_at_the_resonance(
    rate: float, expected_deg: float, seed: int
) -> None:
    """Following the guide's in-breaths, HR leads it below the 6/min resonance, lags above it,
    by the band-pass phase -atan(Q (f/f0 - f0/f)) (Q 1.5), as measured by the adherence figure."""
    params = load_scenario("calm").heart
    assert math.degrees(resonance_phase(rate / 60, 0.1, params.resonance_q)) == pytest.approx(expected_deg, abs=0.1)
    model = HeartModel(params, rng=seed)
    model.beats_until(37.0)
    guide_start = 41.3  # the guide runs on its own clock, not the beats'
    model.set_breathing(rate, Guide(guide_start, inhale_share=0.4))
    beats = model.beats_until(guide_start + 200.0)
    t = np.array([b.t_s for b in beats])
    rr = np.array([b.rr_ms for b in beats])
    got = breathing_adherence(t, rr, rate, Pacer(rate, 0.4, guide_start).phase, inhale_share=0.4, window_s=150.0)
    assert got.phase_deg == pytest.approx(expected_deg, abs=12.0)
    assert got.coherence > 0.5  # RSA is small at 12/min against the Mayer wave and noise


def test_without_a_guide_the_breathing_phase_is_the_participants_own() -> None:
    """The same rate, not in step: the phase against a guide is whatever the person's was."""
    phases = []
    for seed in range(6):
        model = HeartModel(load_scenario("calm").heart, rng=seed)
        model.beats_until(40.0)
        model.set_breathing(6.0)
        beats = model.beats_until(240.0)
        t, rr = np.array([b.t_s for b in beats]), np.array([b.rr_ms for b in beats])
        phases.append(breathing_adherence(t, rr, 6.0, Pacer(6.0, 0.4, 40.0).phase, window_s=150.0).phase_deg)
    assert np.ptp(phases) > 90


def test_a_scripted_breathing_change_ends_the_following() -> None:
    model = HeartModel(HeartParams(), rng=1, breathing=[(100.0, 12.0)])
    model.set_breathing(6.0, Guide(0.0))
    assert {b.breathing_per_min for b in model.beats_until(99.0)} == {6.0}
    assert model.guide == Guide(0.0)
    model.beats_until(101.0)
    assert model.guide is None, "the script's rate is the person's own, not the guide's"
    assert {b.breathing_per_min for b in model.beats_until(150.0)} == {12.0}
    with pytest.raises(ValueError, match="in-breath share"):
        Guide(0.0, inhale_share=1.0)


def test_scripted_breathing_change_applies_at_its_time() -> None:
    r = simulate("paced-breathing", seed=2)
    change = load_scenario("paced-breathing").breathing[0]
    assert set(r.beat_breathing_per_min[r.beat_t_s < change[0]]) == {15.0}
    assert set(r.beat_breathing_per_min[r.beat_t_s > change[0] + 2]) == {change[1]}


def test_vagal_factor_and_arousal_are_ground_truth_per_beat() -> None:
    scenario = load_scenario("stress-spike")
    r = simulate(scenario, seed=0)
    ev = scenario.stress[0]
    rest = r.beat_t_s < ev.at_s
    assert np.all(r.beat_arousal[rest] == 0) and np.all(r.beat_vagal[rest] == 1)
    assert r.beat_arousal.max() == pytest.approx(1.0, abs=0.01)
    order = np.argsort(r.beat_arousal)
    assert np.all(np.diff(r.beat_vagal[order]) <= 1e-12)  # more arousal, less vagal variability
    peak = scenario.heart.vagal_factor(1.0, scenario.heart.breathing_per_min)
    assert 0 < peak < 1


def test_vagal_factor_gives_the_scripted_rmssd_drop() -> None:
    p = HeartParams(stress_rmssd_drop=0.6)
    for a in (0.25, 0.5, 1.0):
        hr = p.hr_bpm + p.stress_hr_bpm * a
        got = p.expected_rmssd_ms(hr_bpm=hr, vagal=p.vagal_factor(a, p.breathing_per_min))
        assert got == pytest.approx(p.rmssd_ms * (1 - 0.6 * a), rel=1e-9)


def test_params_are_plain_values() -> None:
    p = HeartParams()
    assert dataclasses.replace(p, hr_bpm=70).hr_bpm == 70
