"""The activity stage in a session's stages: the simulated H10's accelerometer frames make the
zones say *moving* by themselves (issue 25), and a strap without an accelerometer leaves the
worker's *Moving* marker as the only activity signal."""

from __future__ import annotations

import dataclasses

from tolerance.api.session.activity import ACCELEROMETER_SOURCE, ActivitySignal, ActivityStage
from tolerance.api.session.pipeline import default_stages
from tolerance.api.session.tolerance import ToleranceStage
from tolerance.api.session.values import Marker
from tolerance.hrv import Engine
from tolerance.hrv.arousal import POPULATION_BASELINE, Zone, ZoneChange
from tolerance.sensors import ActivityEvent, ConnectionEvent, ConnectionState
from tolerance.simulations import Activity, Scenario, load_scenario, simulate

WALK = Activity(at_s=600.0, duration_s=300.0, kind="walking", hr_bpm=25.0)


def _scenario(accelerometer_hz: float = 25.0) -> Scenario:
    calm = load_scenario("calm")
    strap = dataclasses.replace(calm.strap, accelerometer_hz=accelerometer_hz)
    return dataclasses.replace(calm, activity=(WALK,), duration_s=1500.0, strap=strap)


def _derive(items: list[object]) -> list[object]:
    """Every value the session's stages derive, in order (the pipeline without its sinks)."""
    stages = default_stages(Engine(), ToleranceStage(baseline=POPULATION_BASELINE))
    out: list[object] = []
    for item in items:
        values = [item]
        for stage in stages:
            derived = [d for v in values for d in stage.process(v)]
            values.extend(derived)
        out.extend(values[1:])
    for stage in stages:
        out.extend(stage.flush())
    return out


def test_the_accelerometer_makes_the_zones_say_moving_during_the_walk() -> None:
    sim = simulate(_scenario(), seed=1)
    values = _derive(list(sim.items))
    signals = [v for v in values if isinstance(v, ActivitySignal)]
    assert [s.kind for s in signals] == [ACCELEROMETER_SOURCE]
    events = [v for v in values if isinstance(v, ActivityEvent)]
    assert [(e.active, e.source) for e in events] == [(True, ACCELEROMETER_SOURCE), (False, ACCELEROMETER_SOURCE)]
    assert WALK.at_s < events[0].t_mono <= WALK.at_s + 15
    assert WALK.end_s < events[1].t_mono <= WALK.end_s + 40
    zones = [v for v in values if isinstance(v, ZoneChange)]
    moving = [z for z in zones if z.zone is Zone.ACTIVITY]
    assert moving and WALK.at_s < moving[0].t_s <= WALK.at_s + 20
    # Nothing during the walk is called above the window.
    assert not [z for z in zones if z.zone is Zone.HYPER and WALK.at_s <= z.t_s <= WALK.end_s]


def test_a_strap_without_an_accelerometer_says_nothing_and_the_marker_still_works() -> None:
    sim = simulate(_scenario(accelerometer_hz=0.0), seed=1)
    items: list[object] = list(sim.items)
    assert not [v for v in _derive(items) if isinstance(v, ActivitySignal | ActivityEvent)]
    first = sim.samples[0]
    tolerance = ToleranceStage(baseline=POPULATION_BASELINE)
    tolerance.process(Marker(first.t_mono, first.t_utc, "moving", "api"))
    assert tolerance.activity


def test_a_lost_link_drops_the_open_epoch() -> None:
    stage = ActivityStage()
    sim = simulate(_scenario(), seed=2, duration_s=20)
    frames = list(sim.accelerometer)
    stage.process(frames[0])
    stage.process(frames[1])
    stage.process(ConnectionEvent("s", frames[1].t_mono, frames[1].t_utc, ConnectionState.LOST))
    assert stage.classifier.flush() == [] and stage.classifier.epochs == []


def test_a_repeated_frame_is_kept_out_and_a_lost_one_is_marked_as_a_gap() -> None:
    from tolerance.api.session.activity import StreamGap

    sim = simulate(_scenario(), seed=3, duration_s=40)
    frames = list(sim.accelerometer)
    stage = ActivityStage()
    out: list[object] = []
    for f in frames[:10]:
        out.extend(stage.process(f))
    out.extend(stage.process(frames[9]))  # repeated
    for f in frames[12:]:  # two frames lost
        out.extend(stage.process(f))
    gaps = [v for v in out if isinstance(v, StreamGap)]
    lost = len(frames[10].samples_mg) + len(frames[11].samples_mg)
    assert [(g.kind, g.missing) for g in gaps] == [("repeat", 0), ("gap", lost)]
    # No epoch holds the repeated frame's samples twice (5 s at 25 Hz: 125 samples, give or take
    # one where the clock's offset settles; a repeat would add 25).
    assert stage.classifier.epochs and all(e.n <= 127 for e in stage.classifier.epochs)
