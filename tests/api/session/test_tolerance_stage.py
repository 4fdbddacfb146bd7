"""The tolerance stage at a session's end: a personal baseline learns from the calm windows by
the stated rule; population values never roll."""

from __future__ import annotations

import dataclasses

import pytest
from tolerance.api.session.tolerance import BaselineSet, ToleranceStage
from tolerance.hrv import Engine
from tolerance.hrv.arousal import POPULATION_BASELINE
from tolerance.sensors import HeartRateSample
from tolerance.simulations import simulate


def _run(stage: ToleranceStage, seconds: float) -> list[object]:
    sim = simulate("calm", seed=4, duration_s=seconds)  # 66 bpm at rest
    engine = Engine()
    for item in sim.items:
        if isinstance(item, HeartRateSample):
            for update in engine.add(item.t_mono, item.rr_ms, item.contact, item.rr_raw):
                stage.process(update)
    return list(stage.flush())


def test_a_calm_session_moves_a_personal_baseline_a_bounded_step_towards_it() -> None:
    old = dataclasses.replace(POPULATION_BASELINE, hr_center_bpm=72.0, hr_spread_bpm=3.0, source="calibration")
    stage = ToleranceStage(baseline=old)
    (rolled,) = [v for v in _run(stage, 900) if isinstance(v, BaselineSet)]
    b = rolled.baseline
    assert b.source == "rolling" and stage.baseline is b
    assert 66.0 < b.hr_center_bpm < 72.0, "towards the session's calm HR (66 bpm), not all the way"
    assert 72.0 - b.hr_center_bpm <= 0.5 * 3.0 + 1e-9, "at most half a spread per update"


def test_population_values_never_roll() -> None:
    stage = ToleranceStage(baseline=POPULATION_BASELINE)
    assert not [v for v in _run(stage, 900) if isinstance(v, BaselineSet) and v.source == "rolling"]
    assert stage.baseline is POPULATION_BASELINE


def test_without_a_baseline_the_stage_learns_a_provisional_one_and_says_so() -> None:
    stage = ToleranceStage()
    sim = simulate("calm", seed=4, duration_s=400)
    engine = Engine()
    values: list[object] = []
    for item in sim.items:
        if isinstance(item, HeartRateSample):
            for update in engine.add(item.t_mono, item.rr_ms, item.contact, item.rr_raw):
                values.extend(stage.process(update))
    sets = [v for v in values if isinstance(v, BaselineSet)]
    assert sets[0].source == "learning" and sets[0].baseline is None
    learnt = [v for v in sets if v.baseline is not None]
    assert learnt and learnt[0].baseline is not None and learnt[0].baseline.source == "provisional"
    assert 100 < learnt[0].t_s - sets[0].t_s < 200  # the first window fills, then one minute of windows


def test_paced_breathing_teaches_the_baseline_nothing() -> None:
    from tolerance.api.session.pacer import PacerState
    from tolerance.api.session.values import PacerChanged

    old = dataclasses.replace(POPULATION_BASELINE, hr_center_bpm=72.0, hr_spread_bpm=3.0, source="calibration")
    stage = ToleranceStage(baseline=old)
    stage.process(PacerChanged(0.0, 0.0, PacerState(True, 6.0, 0.4, 0.0), 0.0))
    assert not [v for v in _run(stage, 900) if isinstance(v, BaselineSet)]
    assert stage.baseline == old


@pytest.mark.parametrize("text", ["moving", "Moving "])
def test_a_moving_marker_sets_activity(text: str) -> None:
    from tolerance.api.session.values import Marker

    stage = ToleranceStage()
    stage.process(Marker(1.0, 1.0, text, "api"))
    assert stage.activity is True
    stage.process(Marker(2.0, 2.0, "still", "api"))
    assert stage.activity is False
