"""Stress events: HR rises and RMSSD falls, then both return with the scripted time constant.

Fits use ``y(t) = y_inf + d * exp(-(t - t_peak) / tau)`` from the event's peak on
(scipy.optimize.curve_fit). HR (60000 / RR) is fitted on a 1 s grid, averaged over 8 runs,
because the model's slow (VLF) fluctuation of RR, calibrated to resting norms, moves a single
run's fitted level and time constant by more than the tolerance; RMSSD in
30 s windows stepped by 5 s, each window entirely after the peak, pooled over 32 seeds (the
mean square of successive differences per window across runs, then its root), because a
single run's 30-second RMSSD scatters by about 15 %.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pytest
from scipy.optimize import curve_fit
from tolerance.simulations import load_scenario, simulate

WINDOW_S: Final = 30.0
STEP_S: Final = 5.0
TAU_TOLERANCE: Final = 0.20


def _rmssd(rr: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.diff(rr) ** 2)))


def test_stress_raises_hr_and_lowers_rmssd() -> None:
    scenario = load_scenario("stress-spike")
    ev = scenario.stress[0]
    r = simulate(scenario, seed=3)
    rest = (r.beat_t_s > ev.at_s - 120) & (r.beat_t_s < ev.at_s)
    peak = (r.beat_t_s > ev.peak_s - 10) & (r.beat_t_s < ev.peak_s + 20)
    hr_rest = 60_000 / r.beat_rr_ms[rest].mean()
    hr_peak = 60_000 / r.beat_rr_ms[peak].mean()
    assert hr_peak - hr_rest > 0.6 * scenario.heart.stress_hr_bpm
    assert _rmssd(r.beat_rr_ms[peak]) < 0.6 * _rmssd(r.beat_rr_ms[rest])


@pytest.mark.parametrize("seeds", [range(0, 8), range(8, 16), range(16, 24)])
def test_hr_recovers_with_the_scripted_time_constant(seeds: range) -> None:
    scenario = load_scenario("stress-spike")
    ev = scenario.stress[0]
    grid = np.arange(ev.peak_s, scenario.duration_s - 5.0, 1.0)
    hr = np.zeros(grid.size)
    for seed in seeds:
        r = simulate(scenario, seed=seed)
        hr += np.interp(grid, r.beat_t_s, 60_000 / r.beat_rr_ms) / len(seeds)

    def curve(t: np.ndarray, y_inf: float, d: float, tau: float) -> np.ndarray:
        return y_inf + d * np.exp(-(t - ev.peak_s) / tau)

    (hr_inf, d, tau), _ = curve_fit(curve, grid, hr, p0=(scenario.heart.hr_bpm, 10.0, 30.0))
    assert tau == pytest.approx(ev.tau_s, rel=TAU_TOLERANCE)
    assert d == pytest.approx(scenario.heart.stress_hr_bpm, rel=0.15)
    assert hr_inf == pytest.approx(scenario.heart.hr_bpm, rel=0.03)


def test_rmssd_recovers_with_the_scripted_time_constant() -> None:
    scenario = load_scenario("stress-spike")
    ev = scenario.stress[0]
    centres = np.arange(ev.peak_s + WINDOW_S / 2, scenario.duration_s - WINDOW_S, STEP_S)
    sum_sq = np.zeros(centres.size)
    count = np.zeros(centres.size)
    for seed in range(32):
        r = simulate(scenario, seed=seed)
        d2 = np.diff(r.beat_rr_ms) ** 2
        t = r.beat_t_s[1:]
        for i, c in enumerate(centres):
            w = (t >= c - WINDOW_S / 2) & (t < c + WINDOW_S / 2)
            sum_sq[i] += d2[w].sum()
            count[i] += w.sum()
    rmssd = np.sqrt(sum_sq / count)

    def curve(t: np.ndarray, y_inf: float, d: float, tau: float) -> np.ndarray:
        return y_inf + d * np.exp(-(t - ev.peak_s) / tau)

    (r_inf, d, tau), _ = curve_fit(curve, centres, rmssd, p0=(scenario.heart.rmssd_ms, -10.0, 30.0))
    assert tau == pytest.approx(ev.tau_s, rel=TAU_TOLERANCE)
    assert d < 0  # suppressed, then recovering upwards
    assert r_inf == pytest.approx(scenario.heart.rmssd_ms, rel=0.08)
