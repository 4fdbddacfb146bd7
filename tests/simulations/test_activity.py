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
from tolerance.sensors import ActivityEvent, HeartRateSample, SensorItem
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


def test_activity_events_announce_start_and_end_in_time_order() -> None:
    r = simulate(_walking_scenario(), seed=4)
    events = r.activity_events
    assert [(e.t_mono, e.active, e.kind, e.source) for e in events] == [
        (WALK.at_s, True, "walking", "simulated"),
        (WALK.end_s, False, "walking", "simulated"),
    ]
    times = [i.t_mono for i in r.items]
    assert times == sorted(times)
    for e in events:
        i = r.items.index(e)
        before = [x for x in r.items[:i] if isinstance(x, HeartRateSample)][-1]
        after = next(x for x in r.items[i + 1 :] if isinstance(x, HeartRateSample))
        assert before.t_mono < e.t_mono <= after.t_mono < e.t_mono + 1.5


async def _collect(strap: SimulatedStrap) -> list[SensorItem]:
    async with contextlib.aclosing(strap.stream()) as items:
        return [item async for item in items]


def test_live_strap_yields_the_same_activity_events_as_the_offline_run() -> None:
    scenario = _walking_scenario()
    offline = simulate(scenario, seed=2, t0_utc=1_700_000_000.0)
    strap = SimulatedStrap(scenario, seed=2, speed=math.inf, clock=lambda: 0.0, t0_utc=1_700_000_000.0, duration_s=900)
    items = asyncio.run(_collect(strap))
    assert tuple(items) == offline.items
    assert [i for i in items if isinstance(i, ActivityEvent)] == list(offline.activity_events)


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
