"""Breathing adherence on synthetic hearts: following a 6/min pacer, oscillating at 15/min, noise."""

from __future__ import annotations

import numpy as np
import pytest
from tolerance.hrv import HrvInputError
from tolerance.hrv.arousal import AdherenceLabel, Pacer, breathing_adherence, pacer_signal


def _beats(hr_of_t, duration_s: float, rng: np.random.Generator, noise_bpm: float) -> tuple[np.ndarray, np.ndarray]:
    t, ts, rrs = 0.0, [], []
    while t < duration_s:
        hr = hr_of_t(t) + rng.normal(0, noise_bpm)
        rr = 60_000.0 / hr
        t += rr / 1000.0
        ts.append(t)
        rrs.append(rr)
    return np.array(ts), np.array(rrs)


PACER = Pacer(rate_per_min=6.0, inhale_share=0.4, start_s=3.0)


def _following(t: float) -> float:
    # HR rises with the lung volume, a little behind it (RSA), 5 bpm amplitude
    return 66 + 5 * float(pacer_signal(PACER.phase(np.array([t - 1.0])), 0.4)[0])


@pytest.mark.parametrize("seed", range(5))
def test_a_heart_following_a_six_per_minute_pacer_reads_following(seed: int) -> None:
    t, rr = _beats(_following, 120, np.random.default_rng(seed), 1.0)
    a = breathing_adherence(t, rr, PACER.rate_per_min, PACER.phase)
    assert a.label is AdherenceLabel.FOLLOWING
    assert a.coherence > 0.9 and a.power_share > 0.6
    # HR 1 s behind the lung volume, and each RR's HR is stamped at the beat that ends it
    # (~0.9 s later): about 1.9 s behind, -68 degrees at 6/min
    assert -90 < a.phase_deg < -45


@pytest.mark.parametrize("seed", range(5))
def test_a_heart_oscillating_at_fifteen_per_minute_reads_not_following(seed: int) -> None:
    t, rr = _beats(lambda t: 66 + 5 * np.sin(2 * np.pi * 0.25 * t), 120, np.random.default_rng(seed), 1.0)
    a = breathing_adherence(t, rr, PACER.rate_per_min, PACER.phase)
    assert a.label is AdherenceLabel.NOT_FOLLOWING
    assert a.power_share < 0.1


@pytest.mark.parametrize("seed", range(20))
def test_noise_only_reads_not_following(seed: int) -> None:
    t, rr = _beats(lambda t: 66.0, 120, np.random.default_rng(seed), 3.0)
    a = breathing_adherence(t, rr, PACER.rate_per_min, PACER.phase)
    assert a.label is AdherenceLabel.NOT_FOLLOWING


def test_a_weak_following_reads_partly() -> None:
    # HR following the guide with 2 bpm amplitude under 1.5 bpm noise: a power share of about
    # 0.45, above what resting Mayer waves reach (PARTLY_SHARE), below a full following.
    rng = np.random.default_rng(1)
    t, rr = _beats(lambda t: 66 + 2.0 * float(pacer_signal(PACER.phase(np.array([t])))[0]), 120, rng, 1.5)
    a = breathing_adherence(t, rr, PACER.rate_per_min, PACER.phase)
    assert a.label in (AdherenceLabel.PARTLY, AdherenceLabel.FOLLOWING)
    assert 0.15 <= a.power_share


def test_too_few_beats_is_an_input_error() -> None:
    with pytest.raises(HrvInputError):
        breathing_adherence(np.arange(5.0), np.full(5, 1000.0), 6.0, PACER.phase)
