"""Activity is exercise, not stress: HR up and RMSSD down with on/off kinetics, arousal 0, and
announced in the stream by ActivityEvent items at its start and end; breathing blocks move the
spectral peak to their rate and then hand back to the resting rate."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
from typing import Final

import numpy as np
import pytest
from scipy import interpolate, signal
from tolerance.hrv import ActivityClassifier
from tolerance.sensors import AccelerometerSample, ActivityEvent, SensorItem
from tolerance.sensors.polar import decode_acc_frame
from tolerance.simulations import Activity, BreathingBlock, SimulatedStrap, load_scenario, simulate

WALK: Final = Activity(at_s=300.0, duration_s=300.0, kind="walking", hr_bpm=20.0, rmssd_drop=0.5)


def _rmssd(rr: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.diff(rr) ** 2)))


def _walking_scenario():
    return dataclasses.replace(load_scenario("calm"), activity=(WALK,), duration_s=900.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_activity_raises_hr_and_lowers_rmssd_without_arousal(seed: int) -> None:
    r = simulate(_walking_scenario(), seed=seed)
    t, rr = r.beat_t_s, r.beat_rr_ms
    rest = (t > 60) & (t < WALK.at_s)
    steady = (t > WALK.at_s + 120) & (t < WALK.end_s)
    assert 60_000 / rr[steady].mean() - 60_000 / rr[rest].mean() > 0.7 * WALK.hr_bpm
    assert _rmssd(rr[steady]) < 0.75 * _rmssd(rr[rest])
    assert np.all(r.beat_arousal == 0)  # movement is not stress
    assert r.beat_activity[steady].min() > 0.95 and r.beat_activity[rest].max() == 0


def test_activity_has_on_and_off_kinetics_of_tens_of_seconds() -> None:
    r = simulate(_walking_scenario(), seed=0)
    rise = (r.beat_hr_bpm - load_scenario("calm").heart.hr_bpm) / WALK.hr_bpm

    def at(t_s: float) -> float:
        return float(np.interp(t_s, r.beat_t_s, rise))

    assert at(WALK.at_s + WALK.on_tau_s) == pytest.approx(1 - math.exp(-1), abs=0.05)
    assert at(WALK.at_s + 5) < 0.25 and at(WALK.at_s + 150) > 0.95
    assert at(WALK.end_s + WALK.off_tau_s) == pytest.approx(math.exp(-1), abs=0.05)
    assert at(WALK.end_s + 5 * WALK.off_tau_s) < 0.02


def test_the_strap_sends_an_accelerometer_frame_per_notification_and_the_classifier_finds_the_walk() -> None:
    """Issue 25: activity is no longer announced; the H10's frames carry it to the real classifier."""
    r = simulate(_walking_scenario(), seed=4)
    assert not any(isinstance(i, ActivityEvent) for i in r.items)
    assert len(r.accelerometer) == len(r.samples)
    total = sum(len(f.samples_mg) for f in r.accelerometer)
    assert total == pytest.approx(25 * r.duration_s, abs=30)
    for a, b in zip(r.accelerometer, r.accelerometer[1:], strict=False):
        assert b.timestamp_ns - a.timestamp_ns == len(b.samples_mg) * 40_000_000  # 25 Hz, no gap, no repeat
        assert decode_acc_frame(b.payload).samples_mg == b.samples_mg
    clf = ActivityClassifier()
    changes = [c for f in r.accelerometer for c in clf.add(f.t_mono, f.samples_mg, f.sample_rate_hz)]
    assert [c.active for c in changes] == [True, False]
    assert WALK.at_s <= changes[0].t_s <= WALK.at_s + 15
    assert WALK.end_s <= changes[1].t_s <= WALK.end_s + 40


def test_a_heart_rate_only_strap_sends_no_accelerometer_frame() -> None:
    scenario = _walking_scenario()
    scenario = dataclasses.replace(scenario, strap=dataclasses.replace(scenario.strap, accelerometer_hz=0.0))
    r = simulate(scenario, seed=4)
    assert r.accelerometer == () and r.samples


async def _collect(strap: SimulatedStrap) -> list[SensorItem]:
    async with contextlib.aclosing(strap.stream()) as items:
        return [item async for item in items]


def test_live_strap_yields_the_same_activity_events_as_the_offline_run() -> None:
    scenario = _walking_scenario()
    offline = simulate(scenario, seed=2, t0_utc=1_700_000_000.0)
    strap = SimulatedStrap(scenario, seed=2, speed=math.inf, clock=lambda: 0.0, t0_utc=1_700_000_000.0, duration_s=900)
    items = asyncio.run(_collect(strap))
    assert tuple(items) == offline.items
    assert [i for i in items if isinstance(i, AccelerometerSample)] == list(offline.accelerometer)


def _peak_hz(t_s: np.ndarray, rr_ms: np.ndarray) -> float:
    grid = np.arange(t_s[0], t_s[-1], 0.25)
    x = interpolate.CubicSpline(t_s, rr_ms)(grid)
    f, p = signal.welch(x, fs=4.0, window="hann", nperseg=512, noverlap=256, nfft=4096, detrend="linear")
    band = (f >= 0.04) & (f <= 0.40)
    return float(f[band][np.argmax(p[band])])


@pytest.mark.parametrize("rate_per_min", [6.0, 9.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_breathing_block_moves_the_spectral_peak_to_its_rate_then_returns(rate_per_min: float, seed: int) -> None:
    block = BreathingBlock(at_s=330.0, duration_s=330.0, rate_per_min=rate_per_min)
    scenario = dataclasses.replace(load_scenario("calm"), breathing_blocks=(block,), duration_s=1000.0)
    r = simulate(scenario, seed=seed)
    t, rr = r.beat_t_s, r.beat_rr_ms
    windows = ((30.0, 330.0, 15.0), (block.at_s + 30, block.end_s, rate_per_min), (block.end_s + 30, 990.0, 15.0))
    for lo, hi, rate in windows:
        m = (t >= lo) & (t < hi)
        assert _peak_hz(t[m], rr[m]) == pytest.approx(rate / 60.0, abs=0.01), (lo, rate)
    assert set(r.beat_breathing_per_min[(t > block.at_s + 2) & (t < block.end_s)]) == {rate_per_min}
    assert set(r.beat_breathing_per_min[t > block.end_s + 2]) == {15.0}
