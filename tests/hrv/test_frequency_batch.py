"""frequency_domain_windows: many windows at once equal frequency_domain window by window."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from tolerance.hrv.frequency import FrequencyDomain, SpectralParameters, frequency_domain
from tolerance.hrv.frequency_batch import frequency_domain_windows

RR_DIR = Path(__file__).parents[1] / "data" / "rr"


def _fd_close(got: FrequencyDomain, ref: FrequencyDomain) -> None:
    assert (got.n_samples, got.reason) == (ref.n_samples, ref.reason)
    for name in ("vlf", "lf", "hf", "lfhf", "total_power", "hf_peak_hz", "resolution_hz"):
        a, b = getattr(got, name), getattr(ref, name)
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=0), name


@pytest.mark.parametrize(
    ("window_s", "step_s", "rate"),
    [(300, 30, 4.0), (120, 7, 4.0), (30, 10, 4.0), (2, 0.5, 4.0), (300, 300, 100.0)],
)
def test_windows_at_once_equal_frequency_domain_window_by_window(window_s: float, step_s: float, rate: float) -> None:
    # Sliding windows, short ones (few resampled points, fewer than 3 intervals) included.
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")
    t = np.cumsum(nn) / 1000
    t_begin = t - nn / 1000
    starts = np.arange(0, t[-1] - window_s, step_s)
    a = np.searchsorted(t_begin, starts - 1e-9)
    b = np.searchsorted(t, starts + window_s + 1e-9, side="right")
    params = SpectralParameters(interpolation_rate=rate)
    many = frequency_domain_windows(nn, t, a, b, params)
    assert len(many) == starts.size
    for k in range(starts.size):
        _fd_close(many.window(k), frequency_domain(nn[a[k] : b[k]], t[a[k] : b[k]], params))


def test_windows_at_once_check_their_input() -> None:
    nn = np.full(10, 800.0)
    t = np.cumsum(nn) / 1000
    with pytest.raises(ValueError):
        frequency_domain_windows(nn, t, [0], [11])
    with pytest.raises(ValueError):
        frequency_domain_windows(nn, t[::-1], [0], [5])
    assert len(frequency_domain_windows(nn, t, [], [])) == 0


def test_windows_on_either_side_of_a_time_jump_equal_frequency_domain() -> None:
    # tolerance analyze lays segments on one axis with a gap between them (a drop-out);
    # windows never span it, and each must still equal frequency_domain on its own beats.
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")[:1200]
    t = np.cumsum(nn) / 1000
    t[600:] += 20.0
    a = np.array([0, 200, 600, 700])
    b = np.array([380, 600, 980, 1200])
    many = frequency_domain_windows(nn, t, a, b)
    for k in range(a.size):
        _fd_close(many.window(k), frequency_domain(nn[a[k] : b[k]], t[a[k] : b[k]]))


@pytest.mark.parametrize(("window_s", "step_s"), [(300, 30), (600, 45), (120, 7), (30, 10), (2, 0.5)])
def test_kubios_windows_at_once_equal_frequency_domain_window_by_window(window_s: float, step_s: float) -> None:
    # Windows of one resampled length share the smoothness-priors factorisation and the FFT.
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")
    t = np.cumsum(nn) / 1000
    t_begin = t - nn / 1000
    starts = np.arange(0, t[-1] - window_s, step_s)
    a = np.searchsorted(t_begin, starts - 1e-9)
    b = np.searchsorted(t, starts + window_s + 1e-9, side="right")
    params = SpectralParameters.kubios()
    many = frequency_domain_windows(nn, t, a, b, params)
    for k in range(starts.size):
        got, ref = many.window(k), frequency_domain(nn[a[k] : b[k]], t[a[k] : b[k]], params)
        assert (got.n_samples, got.reason) == (ref.n_samples, ref.reason)
        for name in ("vlf", "lf", "hf", "lfhf", "total_power", "hf_peak_hz", "resolution_hz"):
            x, y = getattr(got, name), getattr(ref, name)
            # Not bit for bit: SuperLU solves many right-hand sides in blocks (float rounding).
            assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-9, abs=1e-12), name
