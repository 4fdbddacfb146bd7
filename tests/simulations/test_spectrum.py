"""Spectral claims: the HRV peak sits at the breathing rate; slow breathing raises HRV.

Method (shared by every test here): the reported RR series (ms, 1/1024 s resolution) is
interpolated at 4 Hz with a cubic spline on the beat times, linearly detrended, and its power
spectral density estimated with Welch's method (Hann window of 128 s, 50 % overlap, zero-padded
to 4096 points = 0.001 Hz grid) over 5 minutes. The respiratory peak is searched in 0.04-0.40 Hz
when breathing is slower than 9/min (0.15 Hz) and in the HF band, 0.15-0.40 Hz, at faster rates:
at rest the Mayer wave carries more power than RSA (LF/HF about 1.2, ``test_norms.py``) in a
broader band, so its 0.1 Hz peak is about as high as the respiratory one, as in resting spectra
with LF/HF above 1. LF power is the integral of the PSD over 0.04-0.15 Hz (ms^2).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Final

import numpy as np
import pytest
from scipy import interpolate, signal
from tolerance.hrv.arousal.adherence import hr_on_grid, sinusoid_share
from tolerance.simulations import load_scenario, simulate

GUDB = Path(__file__).parents[1] / "data" / "real" / "gudb"

FS_HZ: Final = 4.0
SETTLE_S: Final = 30.0
ANALYSIS_S: Final = 300.0


def _psd(t_s: np.ndarray, rr_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    grid = np.arange(t_s[0], t_s[-1], 1.0 / FS_HZ)
    x = interpolate.CubicSpline(t_s, rr_ms)(grid)
    return signal.welch(
        x, fs=FS_HZ, window="hann", nperseg=int(128 * FS_HZ), noverlap=int(64 * FS_HZ), nfft=4096, detrend="linear"
    )


def _respiratory_peak_hz(f: np.ndarray, p: np.ndarray, rate_per_min: float) -> float:
    band = (f >= (0.04 if rate_per_min < 9.0 else 0.15)) & (f <= 0.40)
    return float(f[band][np.argmax(p[band])])


def _at_rate(rate_per_min: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    base = load_scenario("calm")
    scenario = dataclasses.replace(base, breathing=((0.0, rate_per_min),))
    r = simulate(scenario, seed=seed, duration_s=SETTLE_S + ANALYSIS_S)
    keep = r.beat_t_s >= SETTLE_S
    return r.beat_t_s[keep], r.beat_rr_ms[keep]


@pytest.mark.parametrize("rate_per_min", [6.0, 15.0])
@pytest.mark.parametrize("seed", range(5))
def test_spectral_peak_sits_at_the_breathing_rate(rate_per_min: float, seed: int) -> None:
    f, p = _psd(*_at_rate(rate_per_min, seed))
    assert abs(_respiratory_peak_hz(f, p, rate_per_min) - rate_per_min / 60.0) <= 0.01


def test_paced_breathing_scenario_peaks_move_from_15_to_6_per_minute() -> None:
    r = simulate("paced-breathing", seed=11)
    change_s = load_scenario("paced-breathing").breathing[0][0]
    windows = ((change_s - ANALYSIS_S, change_s, 15.0), (change_s + SETTLE_S, change_s + SETTLE_S + ANALYSIS_S, 6.0))
    for lo, hi, rate in windows:
        m = (r.beat_t_s >= lo) & (r.beat_t_s < hi)
        f, p = _psd(r.beat_t_s[m], r.beat_rr_ms[m])
        assert abs(_respiratory_peak_hz(f, p, rate) - rate / 60.0) <= 0.01


def test_breathing_at_6_per_minute_gives_clearly_more_rmssd_and_lf_power_than_15() -> None:
    rmssd: dict[float, list[float]] = {6.0: [], 15.0: []}
    lf: dict[float, list[float]] = {6.0: [], 15.0: []}
    for rate in rmssd:
        for seed in range(3):
            t, rr = _at_rate(rate, seed)
            rmssd[rate].append(float(np.sqrt(np.mean(np.diff(rr) ** 2))))
            f, p = _psd(t, rr)
            band = (f >= 0.04) & (f < 0.15)
            lf[rate].append(float(np.sum(p[band]) * (f[1] - f[0])))
    assert min(rmssd[6.0]) > max(rmssd[15.0])
    # About 1.3 times with the norm-calibrated model (LF x 8.0): slow breathing adds less to
    # successive differences than to LF power.
    assert np.mean(rmssd[6.0]) > 1.1 * np.mean(rmssd[15.0])
    assert min(lf[6.0]) > 5.0 * max(lf[15.0])


def _shares_at_0_1_hz(t_s: np.ndarray, rr_ms: np.ndarray, start_s: float) -> list[float]:
    """Breathing adherence's power share at 0.1 Hz (a 6/min guide's frequency) in 60 s windows
    ending every 5 s from ``start_s + 60``: how much of the heart rate's variance a 0.1 Hz sine explains."""
    out = []
    for end in np.arange(start_s + 60.0, t_s[-1] + 1e-9, 5.0):
        grid = hr_on_grid(t_s, rr_ms, end - 60.0, end)
        out.append(sinusoid_share(grid.t_s, grid.hr_bpm, 0.1))
    return out


def test_the_resting_mayer_wave_is_as_concentrated_at_0_1_hz_as_in_real_sitting_people() -> None:
    # Regression (issue 21, item 7): a Mayer wave of nearly fixed frequency (35 ms, phase noise
    # 0.4) explained a median 0.23 of the calm worker's HR variance at 0.1 Hz in these windows,
    # over twice what 13 real people sitting give (GUDB, median 0.10), and a 6/min guide read
    # "partly" against a heart breathing at 15/min in 18 of 256 figures. Broader (38 ms, phase
    # noise 0.55): 0.12. The calibration before it (30 ms, 0.4): 0.17.
    real: list[float] = []
    for path in sorted(GUDB.glob("subject_*_sitting.txt")):
        rr = np.loadtxt(path)
        real += _shares_at_0_1_hz(np.cumsum(rr) / 1000.0, rr, 0.0)
    simulated: list[float] = []
    for seed in range(6):
        r = simulate("calm", seed=seed, duration_s=600.0)
        simulated += _shares_at_0_1_hz(r.beat_t_s, r.beat_rr_ms, SETTLE_S)
    ratio = np.median(simulated) / np.median(real)
    assert 1 / 1.5 < ratio < 1.5, (np.median(simulated), np.median(real))
