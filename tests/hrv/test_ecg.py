"""RR intervals from raw ECG: simulated H10 streams through the PMD decoder into ``rr_from_ecg``.

All ECG here is neurokit2's ``ecg_simulate`` (seeded). tests/data/rr/pyhrv-bitalino-ecg-derived-rr.txt
is an RR series, not an ECG, so it cannot test this path; no real H10 ECG was available.
"""

from __future__ import annotations

import neurokit2 as nk
import numpy as np
import pytest
from tolerance.hrv import HrvInputError
from tolerance.hrv.ecg import EcgRR, rr_from_ecg
from tolerance.sensors.polar.pmd import EcgFrame, decode_ecg_frame, encode_ecg_frame

FS = 130
SAMPLE_MS = 1000.0 / FS  # 7.69 ms
SAMPLES_PER_FRAME = 73  # 10 + 73 * 3 = 229 bytes: one frame per notification at an MTU of 232
START_NS = 599_616_000_000_000_000  # H10 default sensor time, 2019-01-01, ns since 2000-01-01


def _simulated_ecg_uv(seed: int, duration_s: int = 60, sampling_rate: int = FS) -> np.ndarray:
    mv = nk.ecg_simulate(duration=duration_s, sampling_rate=sampling_rate, heart_rate=70, random_state=seed)
    return np.round(mv * 1000.0).astype(np.int64)  # mV -> integer µV, as the strap sends


def _as_pmd_notifications(uv: np.ndarray) -> list[bytes]:
    out = []
    for start in range(0, uv.size, SAMPLES_PER_FRAME):
        chunk = tuple(int(v) for v in uv[start : start + SAMPLES_PER_FRAME])
        last = start + len(chunk) - 1
        out.append(encode_ecg_frame(EcgFrame(START_NS + round(last * 1e9 / FS), chunk)))
    return out


def _neurokit_peaks_s(x: np.ndarray, sampling_rate: float) -> np.ndarray:
    cleaned = nk.ecg_clean(x.astype(np.float64), sampling_rate=sampling_rate)
    _, info = nk.ecg_peaks(cleaned, sampling_rate=sampling_rate)
    return np.asarray(info["ECG_R_Peaks"]) / sampling_rate


@pytest.mark.parametrize("seed", [3, 11, 2024])
def test_simulated_h10_stream_decodes_and_gives_the_heart_rate_and_neurokits_beats(seed: int) -> None:
    uv = _simulated_ecg_uv(seed)
    frames = [decode_ecg_frame(n) for n in _as_pmd_notifications(uv)]
    decoded = np.concatenate([f.samples_uv for f in frames])
    assert np.array_equal(decoded, uv)
    times = np.concatenate([f.sample_times_ns() for f in frames])
    assert np.all(np.abs(np.diff(times) - 1e9 / FS) <= 1)  # frames line up without gaps

    result = rr_from_ecg(decoded, sampling_rate=FS)
    assert isinstance(result, EcgRR)
    assert abs(60_000.0 / result.rr_ms.mean() - 70.0) < 2.0

    nk_rr_ms = np.diff(_neurokit_peaks_s(decoded, FS)) * 1000.0
    assert result.rr_ms.shape == nk_rr_ms.shape
    assert np.max(np.abs(result.rr_ms - nk_rr_ms)) <= SAMPLE_MS
    np.testing.assert_allclose(result.rr_ms, np.diff(result.peaks_s) * 1000.0)


def test_without_refinement_the_peaks_are_neurokits_exactly() -> None:
    uv = _simulated_ecg_uv(5)
    result = rr_from_ecg(uv, sampling_rate=FS, refine=False)
    np.testing.assert_array_equal(result.peaks_s, _neurokit_peaks_s(uv, FS))


def test_refined_peaks_stay_within_half_a_sample_of_neurokits() -> None:
    uv = _simulated_ecg_uv(5)
    refined = rr_from_ecg(uv, sampling_rate=FS).peaks_s
    assert np.max(np.abs(refined - _neurokit_peaks_s(uv, FS))) <= 0.5 / FS + 1e-12


def test_refinement_brings_130_hz_beats_closer_to_the_same_ecg_sampled_at_1040_hz() -> None:
    # One simulated ECG at 8 x 130 Hz; every 8th sample is the same signal as a 130 Hz strap
    # would have sampled it. Peaks at 1040 Hz (0.96 ms grid) stand in for the true beat times.
    fine = _simulated_ecg_uv(3, sampling_rate=8 * FS)
    truth = rr_from_ecg(fine, sampling_rate=8 * FS, refine=False).peaks_s
    coarse = fine[::8]
    errors = {}
    for refine in (False, True):
        peaks = rr_from_ecg(coarse, sampling_rate=FS, refine=refine).peaks_s
        nearest = np.abs(peaks[:, None] - truth[None, :]).min(axis=1)
        assert np.all(nearest < 0.02)  # the same beats were found
        errors[refine] = nearest.mean() * 1000.0
    assert errors[False] > 1.0  # the 7.7 ms grid: about 2 ms mean error
    assert errors[True] < errors[False] / 3


@pytest.mark.parametrize(
    ("samples", "rate", "words"),
    [
        (np.zeros((2, 2000)), 130.0, "1-D"),
        (np.zeros(1000), 130.0, "too short"),
        (np.r_[np.zeros(2000), np.nan], 130.0, "finite"),
        (np.zeros(2000), 0.0, "sampling rate"),
    ],
    ids=["2-d", "short", "nan", "zero-rate"],
)
def test_unusable_input_is_refused_with_a_reason(samples: np.ndarray, rate: float, words: str) -> None:
    with pytest.raises(HrvInputError) as info:
        rr_from_ecg(samples, sampling_rate=rate)
    assert words in info.value.reason
