"""Claims about the strap emulation: notifications as a real strap sends them, faults visible
in the stream, and the live asyncio strap equal to the offline simulation."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math

import numpy as np
import pytest
from tolerance.hrv.arousal import Pacer, breathing_adherence
from tolerance.sensors import (
    ConnectionEvent,
    ConnectionState,
    HeartRateSample,
    Sensor,
    SensorItem,
    decode_hrm,
)
from tolerance.sensors.samples import RR_UNITS_PER_SECOND
from tolerance.simulations import FaultKind, SimulatedStrap, load_scenario, simulate


def test_notifications_carry_0_to_3_rr_about_once_a_second() -> None:
    r = simulate("stress-spike", seed=4)
    assert set(np.unique(r.note_n_rr)) <= {0, 1, 2, 3}
    gaps = np.diff(r.note_t_s)
    assert np.median(gaps) == pytest.approx(1.0, abs=0.01)
    assert gaps.min() > 0.9 and gaps.max() < 1.1  # 10 ms jitter
    # Every delivered beat is in exactly one notification, in order.
    assert r.note_n_rr.sum() == r.beat_delivered.sum()


def test_rr_are_whole_1024ths_that_sum_to_the_elapsed_beat_time() -> None:
    r = simulate("calm", seed=5, duration_s=3600)
    # (A notification may carry no RR at all, so give every tuple the integer dtype.)
    raw = np.concatenate([np.asarray(s.rr_raw, dtype=np.int64) for s in r.samples])
    assert raw.dtype.kind == "i"
    np.testing.assert_array_equal(raw, r.beat_rr_raw)
    # No drift after an hour: the sum of reported RR is the last beat's tick, exactly.
    assert raw.sum() == round(r.beat_t_s[-1] * RR_UNITS_PER_SECOND)
    assert np.abs(r.beat_rr_ms - r.beat_rr_true_ms).max() < 1000.0 / RR_UNITS_PER_SECOND
    rr_ms = np.concatenate([s.rr_ms for s in r.samples])
    np.testing.assert_array_equal(rr_ms, raw * 1000.0 / RR_UNITS_PER_SECOND)


def test_payloads_decode_to_the_sample_values() -> None:
    r = simulate("artifacts", seed=6, duration_s=300)
    for s in r.samples:
        m = decode_hrm(s.payload)
        assert (m.hr_bpm, m.rr_raw, m.contact) == (s.hr_bpm, s.rr_raw, s.contact)
        assert m.energy_kj is None is s.energy_kj


def test_hr_field_is_a_smoothed_heart_rate() -> None:
    r = simulate("calm", seed=1, duration_s=300)
    assert np.mean(r.note_hr_bpm) == pytest.approx(66, abs=2)
    assert np.std(r.note_hr_bpm) < np.std(60_000 / r.beat_rr_ms)


def test_contact_loss_appears_in_the_stream_and_the_ground_truth() -> None:
    scenario = load_scenario("artifacts")
    loss = next(e for e in scenario.faults.events if e.kind is FaultKind.CONTACT_LOSS)
    r = simulate(scenario, seed=0)
    inside = (r.note_t_s > loss.at_s + 0.5) & (r.note_t_s < loss.at_s + loss.duration_s - 0.5)
    assert inside.sum() >= loss.duration_s - 2
    assert not r.note_contact[inside].any()
    assert r.note_contact[~inside & (r.note_t_s > 5)].mean() > 0.95
    lo, hi = loss.at_s + 0.5, loss.at_s + loss.duration_s - 0.5
    during = [s for s in r.samples if lo < s.t_mono < hi]
    assert during and not any(s.usable_for_hrv for s in during)
    assert (~r.beat_contact).sum() >= 10


def test_dropout_is_a_silent_gap_between_lost_and_reconnected() -> None:
    scenario = load_scenario("artifacts")
    drop = next(e for e in scenario.faults.events if e.kind is FaultKind.DROPOUT)
    r = simulate(scenario, seed=0)
    states = [e.state for e in r.events]
    assert states == [
        ConnectionState.CONNECTED,
        ConnectionState.LOST,
        ConnectionState.RECONNECTED,
        ConnectionState.CLOSED,
    ]
    lost, back = r.events[1], r.events[2]
    assert lost.t_mono == pytest.approx(drop.at_s, abs=1.1)
    assert back.t_mono == pytest.approx(drop.at_s + drop.duration_s, abs=1.1)
    assert not any(lost.t_mono <= s.t_mono < back.t_mono for s in r.samples)
    assert np.diff(r.note_t_s).max() >= drop.duration_s
    # Beats detected while the link was down are in the ground truth, never delivered.
    undelivered = r.beat_t_s[~r.beat_delivered]
    assert undelivered.size >= drop.duration_s - 2
    assert undelivered.min() > drop.at_s - 1.1 and undelivered.max() < drop.at_s + drop.duration_s
    # RECONNECTED comes right before the first notification after the gap.
    i = r.items.index(back)
    assert isinstance(r.items[i + 1], HeartRateSample)


def test_beat_faults_are_labelled_and_shaped_as_scripted() -> None:
    scripted = load_scenario("artifacts")
    # Only the scripted faults, so that each one can be found by its time.
    faults = dataclasses.replace(scripted.faults, ectopic_per_min=0.0, missed_per_min=0.0, extra_per_min=0.0)
    r = simulate(dataclasses.replace(scripted, faults=faults), seed=0)
    rr, art, t = r.beat_rr_true_ms, r.beat_artifact, r.beat_t_s
    assert {str(a) for a in art} == {"none", "ectopic", "missed", "extra"}
    assert (art != "none").sum() == 2 + 1 + 2
    first = {k: int(np.argmax(art == k)) for k in ("ectopic", "missed", "extra")}
    for kind, at_s in (("ectopic", 30), ("missed", 60), ("extra", 90)):
        # An ectopic beat comes early: up to 45 % of an interval before the sinus beat it replaces.
        assert at_s - 1.0 <= t[first[kind]] < at_s + 2
    i = first["ectopic"]
    assert art[i + 1] == "ectopic" and rr[i] < 0.8 * rr[i - 1] and rr[i + 1] > 1.2 * rr[i - 1]
    assert rr[i] + rr[i + 1] == pytest.approx(2 * rr[i - 1], rel=0.25)
    i = first["missed"]
    assert rr[i] == pytest.approx(2 * rr[i - 1], rel=0.25)
    i = first["extra"]
    assert art[i + 1] == "extra" and rr[i] + rr[i + 1] == pytest.approx(rr[i - 1], rel=0.25)


def test_random_beat_faults_occur_at_about_their_rates() -> None:
    scenario = load_scenario("artifacts")
    runs = [simulate(scenario, seed=seed, duration_s=1800) for seed in range(6)]
    minutes = 6 * 30.0
    per_fault = {"ectopic": 2, "missed": 1, "extra": 2}  # labelled intervals per fault
    for kind, n in per_fault.items():
        rate = scenario.faults.rate_per_min(FaultKind(kind))
        count = sum((r.beat_artifact == kind).sum() for r in runs) / n
        assert count == pytest.approx(rate * minutes, rel=0.3)


async def _collect(strap: SimulatedStrap) -> list[SensorItem]:
    async with contextlib.aclosing(strap.stream()) as items:
        return [item async for item in items]


def test_simulated_strap_implements_the_sensor_protocol() -> None:
    strap = SimulatedStrap("calm", seed=3)
    assert isinstance(strap, Sensor)
    assert strap.source_id == "sim:calm:3"


def test_strap_at_infinite_speed_gives_the_same_items_as_the_offline_simulation() -> None:
    offline = simulate("artifacts", seed=9, duration_s=300, t0_utc=1_700_000_000.0)
    strap = SimulatedStrap(
        "artifacts", seed=9, speed=math.inf, clock=lambda: 0.0, t0_utc=1_700_000_000.0, duration_s=300
    )
    items = asyncio.run(_collect(strap))
    assert tuple(items) == offline.items
    assert [b.rr_raw for b in strap.ground_truth] == offline.beat_rr_raw.tolist()


def test_strap_paces_simulated_time_at_the_requested_speed() -> None:
    now = [100.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    strap = SimulatedStrap(
        "calm", seed=1, speed=10.0, clock=lambda: now[0], sleep=fake_sleep, t0_utc=0.0, duration_s=60
    )
    items = asyncio.run(_collect(strap))
    samples = [i for i in items if isinstance(i, HeartRateSample)]
    assert now[0] - 100.0 == pytest.approx(6.0, abs=0.2)  # 60 simulated s at 10x
    # Stamps are simulated time from the clock's start, as if the run had taken real time.
    assert samples[-1].t_mono - 100.0 == pytest.approx(samples[-1].t_utc, abs=1e-9)
    assert samples[-1].t_utc == pytest.approx(59.0, abs=0.2)


@pytest.mark.parametrize("t0_mono", [0.0, 5000.25])
def test_a_guide_given_on_the_items_clock_is_followed_in_step(t0_mono: float) -> None:
    """``in_step_from`` is a time on the items' own clock (``t_mono``): the simulated person's
    heart then oscillates in phase with the guide at the 6/min resonance, wherever that clock
    starts (the pacer's epoch is not the strap's)."""
    strap = SimulatedStrap("calm", seed=4, speed=math.inf, clock=lambda: t0_mono, t0_utc=0.0, duration_s=300)
    epoch: list[float] = []

    async def drive() -> None:
        async with contextlib.aclosing(strap.stream()) as items:
            async for item in items:
                if not epoch and isinstance(item, HeartRateSample) and item.t_mono > t0_mono + 60:
                    epoch.append(item.t_mono + 1.7)  # a guide whose in-breath starts soon
                    strap.set_breathing(6.0, in_step_from=epoch[0], inhale_share=0.4)

    asyncio.run(drive())
    beats = [b for b in strap.ground_truth if b.t_s > 100]
    t = np.array([b.t_s for b in beats]) + t0_mono
    rr = np.array([b.rr_true_ms for b in beats])
    got = breathing_adherence(t, rr, 6.0, Pacer(6.0, 0.4, epoch[0]).phase, window_s=180.0)
    assert abs(got.phase_deg) < 12 and got.coherence > 0.8, got


def test_set_breathing_and_faults_reach_a_live_stream() -> None:
    strap = SimulatedStrap("calm", seed=2, speed=math.inf, clock=lambda: 0.0, t0_utc=0.0, duration_s=180)

    async def drive() -> list[SensorItem]:
        out: list[SensorItem] = []
        commanded = False
        async with contextlib.aclosing(strap.stream()) as items:
            async for item in items:
                out.append(item)
                if not commanded and strap.t_s > 60:  # as a pacer and a test harness would
                    commanded = True
                    strap.set_breathing(6.0)
                    strap.inject_fault(FaultKind.DROPOUT, duration_s=5.0)
                    strap.inject_fault("ectopic")
        return out

    items = asyncio.run(drive())
    truth = list(strap.ground_truth)
    assert {b.breathing_per_min for b in truth if b.t_s < 59} == {15.0}
    assert {b.breathing_per_min for b in truth if b.t_s > 63} == {6.0}
    assert [b.t_s for b in truth if b.artifact == "ectopic"][0] == pytest.approx(61, abs=2)
    events = [i for i in items if isinstance(i, ConnectionEvent)]
    assert [e.state for e in events][1:3] == [ConnectionState.LOST, ConnectionState.RECONNECTED]
    assert events[2].t_mono - events[1].t_mono == pytest.approx(5.0, abs=1.1)
