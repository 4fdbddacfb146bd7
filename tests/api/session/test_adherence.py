"""Breathing adherence in a session's pipeline: a heart that breathes with the guide reads
"following"; one breathing at 15/min while the guide runs at 6/min reads "not following"."""

from __future__ import annotations

import pytest
from tolerance.api.session.adherence import AdherenceStage, AdherenceUpdate
from tolerance.api.session.pacer import PacerState
from tolerance.api.session.values import PacerChanged
from tolerance.hrv import Engine
from tolerance.sensors import HeartRateSample
from tolerance.simulations import simulate


def _labels(scenario: str, seed: int, guide_at_s: float, guide_per_min: float = 6.0) -> list[str]:
    """Run a simulated strap's notifications through the engine and the adherence stage, with the
    guide started at ``guide_at_s``; the labels of the stage's figures in the last 4 minutes."""
    sim = simulate(scenario, seed=seed)
    engine, stage = Engine(), AdherenceStage()
    guide = PacerState(True, guide_per_min, 0.4, 0.0)
    started = False
    out: list[AdherenceUpdate] = []
    for item in sim.items:
        if not isinstance(item, HeartRateSample):
            continue
        if not started and item.t_mono >= guide_at_s:
            started = True
            stage.process(PacerChanged(item.t_mono, item.t_utc, guide, item.t_utc))
        for update in engine.add(item.t_mono, item.rr_ms, item.contact, item.rr_raw):
            out.extend(v for v in stage.process(update) if isinstance(v, AdherenceUpdate))
    end = sim.duration_s
    return [str(u.adherence.label) for u in out if u.t_s > end - 240]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_heart_breathing_with_the_guide_reads_following(seed: int) -> None:
    # paced-breathing: 15/min for 6 min, then 6/min (as if following a guide started then).
    labels = _labels("paced-breathing", seed, guide_at_s=360.0)
    assert len(labels) > 30
    assert labels.count("following") / len(labels) >= 0.7, labels
    assert labels.count("not following") / len(labels) <= 0.15, labels


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_heart_breathing_at_15_while_the_guide_runs_at_6_reads_not_following(seed: int) -> None:
    labels = _labels("calm", seed, guide_at_s=60.0)  # calm breathes at 15/min throughout
    assert len(labels) > 30
    assert labels.count("not following") / len(labels) >= 0.85, labels
    # A resting Mayer wave at 0.1 Hz can line up with a 6/min guide for a moment (seeds 0 and 2:
    # one figure "partly" in 44 and 42; real people sitting, 12 in 624); it must never read as
    # following for long.
    assert labels.count("following") <= 1, labels


def test_no_figure_before_a_full_window_of_the_guide_and_none_when_it_stops() -> None:
    sim = simulate("paced-breathing", seed=0)
    engine, stage = Engine(), AdherenceStage()
    times: list[float] = []
    stop_at = 600.0
    for item in sim.items:
        if not isinstance(item, HeartRateSample):
            continue
        if abs(item.t_mono - 360) < 0.6:
            stage.process(PacerChanged(item.t_mono, item.t_utc, PacerState(True, 6.0, 0.4, 0.0), item.t_utc))
        if abs(item.t_mono - stop_at) < 0.6:
            stage.process(PacerChanged(item.t_mono, item.t_utc, PacerState(False, 6.0, 0.4, 0.0), item.t_utc))
        for update in engine.add(item.t_mono, item.rr_ms, item.contact, item.rr_raw):
            times.extend(v.t_s for v in stage.process(update) if isinstance(v, AdherenceUpdate))
    assert times and min(times) >= 360 + 60 - 1
    assert max(times) < stop_at + 1


def test_the_guide_is_put_on_the_session_clock_where_the_worker_sees_it() -> None:
    """A wall-clock guide (epoch 1000 s UTC, 6/min) changed at server time 1012.5 s is a quarter
    into a breath that began at 1010 s UTC: on the session clock (50.0 at the change) at 47.5.
    After a change to 12/min (epoch moved to 1040 s), the same holds for the new rate."""
    change = PacerChanged(50.0, 1012.5, PacerState(True, 6.0, 0.4, 1000.0), 1012.5)
    assert change.guide_epoch_mono == pytest.approx(47.5)
    faster = PacerChanged(80.0, 1042.5, PacerState(True, 12.0, 0.4, 1040.0), 1042.5)
    assert faster.guide_epoch_mono == pytest.approx(77.5)
