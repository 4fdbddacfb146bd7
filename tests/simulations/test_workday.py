"""The workday scenario and its ground truth: every episode listed, the re-activation linked,
the true arousal equal to the model's, each episode back to baseline, and the same seed giving
the same day."""

from __future__ import annotations

import numpy as np
import pytest
from tolerance.simulations import (
    RECOVERY_TAUS,
    HeartModel,
    load_scenario,
    scenario_truth,
    simulate,
)


@pytest.fixture(scope="module")
def workday():
    return load_scenario("workday")


@pytest.fixture(scope="module")
def day(workday):
    return simulate(workday, seed=3)


def test_workday_lasts_hours_with_varied_events(workday) -> None:
    assert workday.duration_s >= 4 * 3600
    truth = scenario_truth(workday)
    assert len(truth.stress) == len(workday.stress) >= 5
    assert {e.label for e in truth.stress} == {"stress", "meeting"}
    assert len({e.intensity for e in truth.stress}) >= 4
    assert all(30 <= e.tau_s <= 180 for e in truth.stress)
    assert len(truth.activity) >= 2 and len(truth.breathing) >= 2


def test_truth_lists_every_event_with_timing_and_expected_effect(workday) -> None:
    truth = scenario_truth(workday)
    h = workday.heart
    for t, ev in zip(truth.stress, sorted(workday.stress, key=lambda e: e.at_s), strict=True):
        assert (t.start_s, t.peak_s, t.tau_s, t.intensity) == (ev.at_s, ev.at_s + ev.rise_s, ev.tau_s, ev.intensity)
        assert t.recovered_s == ev.at_s + ev.rise_s + ev.hold_s + RECOVERY_TAUS * ev.tau_s
        assert t.peak_hr_rise_bpm == pytest.approx(h.stress_hr_bpm * min(1.0, ev.intensity))
        assert t.peak_rmssd_drop == pytest.approx(h.stress_rmssd_drop * min(1.0, ev.intensity))
    assert (truth.rest_hr_bpm, truth.rest_rmssd_ms) == (h.hr_bpm, h.rmssd_ms)


def test_exactly_one_reactivation_linked_to_the_event_it_follows(workday) -> None:
    truth = scenario_truth(workday)
    (re,) = truth.reactivations
    first = truth.stress[re.reactivation_of]
    assert first.recovered_s <= re.start_s <= first.recovered_s + 10 * 60
    # Every other event starts more than the 30-min window after any earlier recovery.
    for e in truth.stress:
        if e is not re:
            assert all(e.start_s > p.recovered_s + truth.reactivation_window_s for p in truth.stress[: e.index])
    # A shorter window drops the link; a window that reaches back further may add links.
    assert scenario_truth(workday, reactivation_window_s=60.0).reactivations == ()


def test_true_arousal_is_the_models_and_zero_while_walking(workday) -> None:
    truth = scenario_truth(workday)
    model = HeartModel(
        workday.heart,
        rng=0,
        stress=workday.stress,
        activity=workday.activity,
        breathing_blocks=workday.breathing_blocks,
    )
    beats = model.beats_until(workday.duration_s)
    drawn_at = np.array([b.t_s - b.rr_ms / 1000.0 for b in beats])
    np.testing.assert_allclose(truth.arousal_at(drawn_at), [b.arousal for b in beats], atol=1e-12)
    grid = np.arange(0.0, workday.duration_s, 5.0)
    # Walks come after recovery: only exponential tails (under 2 % of an event) remain.
    assert np.all(truth.arousal_at(grid)[truth.active_at(grid)] < 0.02)
    assert truth.arousal_at(truth.stress[2].peak_s) == pytest.approx(1.0)


def test_each_episode_raises_hr_and_returns_to_baseline(workday, day) -> None:
    truth = scenario_truth(workday)
    t, hr = day.beat_t_s, 60_000 / day.beat_rr_ms
    for e in truth.stress:
        top = (t >= e.peak_s) & (t < max(e.peak_s + 15, e.decay_s))
        after = (t >= e.recovered_s) & (t < e.recovered_s + 180)
        assert hr[top].mean() - truth.rest_hr_bpm > 0.5 * e.peak_hr_rise_bpm, e
        assert hr[after].mean() == pytest.approx(truth.rest_hr_bpm, abs=4.0), e


def test_breathing_breaks_and_walks_are_where_the_truth_says(workday, day) -> None:
    truth = scenario_truth(workday)
    for b in truth.breathing:
        inside = (day.beat_t_s > b.start_s + 2) & (day.beat_t_s < b.end_s)
        assert set(day.beat_breathing_per_min[inside]) == {b.rate_per_min}
    for a in truth.activity:
        inside = (day.beat_t_s > a.start_s) & (day.beat_t_s < a.end_s)
        assert day.beat_activity[inside].max() > 0.9


def test_same_seed_gives_the_same_workday(workday, day) -> None:
    again = simulate(workday, seed=3)
    np.testing.assert_array_equal(day.beat_rr_raw, again.beat_rr_raw)
    assert day.items == again.items
    other = simulate(workday, seed=4, duration_s=600)
    assert not np.array_equal(day.beat_rr_raw[: other.beat_rr_raw.size], other.beat_rr_raw)
