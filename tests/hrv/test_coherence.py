"""Coherence ratio (open form of McCraty et al.; not HeartMath's score)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.signal
from tolerance.hrv.coherence import coherence
from tolerance.hrv.frequency import interpolate_nn


def _tachogram(freq_hz: float, amplitude_ms: float, noise_ms: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    nn = np.full(120, 850.0)
    for _ in range(3):  # beat times depend on the intervals: settle them
        t = np.cumsum(nn) / 1000
        nn = 850 + amplitude_ms * np.sin(2 * np.pi * freq_hz * t)
    return nn + rng.normal(0, noise_ms, nn.size)


def test_a_strong_0_1_hz_rhythm_scores_far_above_white_noise() -> None:
    resonant = coherence(_tachogram(0.1, 60, 3, seed=1))
    noise = coherence(_tachogram(0.1, 0, 40, seed=2))
    assert resonant.peak_hz == pytest.approx(0.1, abs=0.008)
    assert resonant.ratio > 5
    assert noise.ratio < 1
    assert resonant.ratio > 10 * noise.ratio


def test_band_sums_match_an_independent_periodogram() -> None:
    nn = _tachogram(0.1, 40, 10, seed=3)
    t = np.cumsum(nn / 1000)
    keep = t >= t[-1] - 64
    _, y = interpolate_nn(nn[keep], t[keep], 4.0)
    f, p = scipy.signal.periodogram(y, fs=4.0, window="hann", nfft=1024, detrend="linear", scaling="spectrum")
    c = coherence(nn)
    search = (f >= 0.04) & (f <= 0.26)
    peak = f[search][np.argmax(p[search])]
    total = p[(f >= 0.0033) & (f <= 0.4)].sum()
    in_peak = p[(f >= 0.0033) & (f <= 0.4) & (np.abs(f - peak) <= 0.015)].sum()
    assert c.peak_hz == pytest.approx(peak)
    assert c.ratio == pytest.approx(in_peak / (total - in_peak), rel=1e-9)


def test_less_than_64_s_of_beats_gives_no_ratio() -> None:
    c = coherence(np.full(40, 800.0))  # 32 s
    assert math.isnan(c.ratio) and c.reason is not None
    assert c.as_dict()["coherence_ratio"] is None
