"""Kubios' spectral settings (hrv/kubios.py): each step against its definition.

Nothing here compares with Kubios itself: no Kubios output is public for these series (see
docs/validation.md). The claims are the definitions the module cites: Tarvainen et al. (2002)
for the detrender, the Welch estimator with the user's guide's settings, Parseval for bands.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import scipy.signal
from tolerance.hrv.errors import HrvInputError
from tolerance.hrv.frequency import SpectralParameters, frequency_domain, spectral_parameters
from tolerance.hrv.kubios import (
    cubic_resample,
    hamming_with_power,
    kubios_psd,
    kubios_psd_many,
    kubios_segments,
    kubios_welch,
    smoothness_priors_cutoff_hz,
    smoothness_priors_detrend,
    smoothness_priors_gain,
)

RR_DIR = Path(__file__).parents[1] / "data" / "rr"
RATE = 4.0
KUBIOS = SpectralParameters.kubios()


def _dense_detrend(z: np.ndarray, lam: float) -> np.ndarray:
    """Tarvainen et al. (2002), eq. (9), as written: (I - (I + lam^2 D2' D2)^-1) z, dense."""
    n = z.size
    d2 = np.zeros((n - 2, n))
    for i in range(n - 2):
        d2[i, i : i + 3] = (1.0, -2.0, 1.0)
    return (np.eye(n) - np.linalg.inv(np.eye(n) + lam**2 * d2.T @ d2)) @ z


def _amplitude(y: np.ndarray, f_hz: float, t: np.ndarray) -> float:
    """Least-squares amplitude of the sinusoid at f_hz in y(t)."""
    basis = np.column_stack([np.sin(2 * np.pi * f_hz * t), np.cos(2 * np.pi * f_hz * t)])
    coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
    return float(np.hypot(*coef))


def _sine_nn(f_hz: float, amp_ms: float, duration_s: float, mean_ms: float = 800.0) -> tuple[np.ndarray, np.ndarray]:
    """NN intervals whose tachogram is mean + amp sin(2 pi f t), at the times of the beats."""
    t, nn = [0.0], []
    while t[-1] < duration_s:
        rr = mean_ms + amp_ms * math.sin(2 * math.pi * f_hz * t[-1])
        t.append(t[-1] + rr / 1000)
        nn.append(mean_ms + amp_ms * math.sin(2 * math.pi * f_hz * t[-1]))
    return np.asarray(nn), np.asarray(t[1:])


@pytest.mark.parametrize("lam", [1.0, 10.0, 500.0])
def test_smoothness_priors_equals_the_dense_formula_of_the_paper(lam: float) -> None:
    z = np.random.default_rng(2).normal(800, 50, 80)
    # The matrix's condition number is about 16 lam^2 (4e6 at 500): agreement to 1e-6 ms on
    # intervals of 800 ms is float rounding, 1e-9 of the series.
    assert smoothness_priors_detrend(z, lam) == pytest.approx(_dense_detrend(z, lam), abs=1e-6)


def test_a_constant_and_a_straight_line_are_removed_exactly() -> None:
    # Both are in the null space of D2: the trend estimate is the series itself.
    t = np.arange(1200) / RATE
    stat = smoothness_priors_detrend(850.0 + 0.4 * t)
    assert np.max(np.abs(stat)) < 1e-6  # ms: float rounding of a solve with condition ~4e6
    noisy = np.random.default_rng(3).normal(0, 30, 1200) + 900.0
    assert abs(smoothness_priors_detrend(noisy).mean()) < 1e-6  # the mean goes with the trend


def test_a_slow_quadratic_trend_is_removed_and_a_breathing_wave_kept() -> None:
    t = np.arange(1200) / RATE  # 5 minutes at 4 Hz
    trend = 900.0 - 100.0 * ((t - 150.0) / 150.0) ** 2
    wave = 20.0 * np.sin(2 * np.pi * 0.25 * t)
    stat = smoothness_priors_detrend(trend + wave)
    inner = slice(240, -240)  # 60 s from each end: the filter is time-varying near them
    assert np.max(np.abs(stat[inner] - wave[inner])) < 0.01 * 20.0
    assert np.max(np.abs(stat - wave)) < 0.1 * 100.0  # even at the ends, most of the trend goes


def test_the_cutoff_is_about_0_035_hz_at_4_hz_for_lambda_500() -> None:
    # The Kubios user's guide relates its default lambda = 500 to about 0.035 Hz.
    fc = smoothness_priors_cutoff_hz(RATE, 500.0)
    assert fc == pytest.approx(0.0355, abs=5e-4)
    assert smoothness_priors_gain(fc, RATE, 500.0) == pytest.approx(1 / math.sqrt(2), rel=1e-12)


@pytest.mark.parametrize("f_hz", [0.01, 0.0355, 0.1, 0.25])
def test_measured_response_follows_the_stationary_formula(f_hz: float) -> None:
    # A long sinusoid, amplitude measured away from the ends, against H(f) = x / (1 + x).
    t = np.arange(16384) / RATE
    stat = smoothness_priors_detrend(np.sin(2 * np.pi * f_hz * t))
    inner = slice(4096, -4096)
    measured = _amplitude(stat[inner], f_hz, t[inner])
    assert measured == pytest.approx(float(smoothness_priors_gain(f_hz, RATE)), rel=1e-3, abs=1e-3)
    if f_hz == 0.0355:  # at the documented cutoff: half the power passes
        assert measured == pytest.approx(1 / math.sqrt(2), rel=0.01)


def test_rows_are_detrended_as_each_alone() -> None:
    rows = np.random.default_rng(4).normal(800, 40, (5, 600))
    together = smoothness_priors_detrend(rows)
    for k in range(5):
        assert together[k] == pytest.approx(smoothness_priors_detrend(rows[k]), rel=1e-12, abs=1e-9)


def test_a_lambda_that_is_not_positive_is_refused() -> None:
    with pytest.raises(HrvInputError):
        smoothness_priors_detrend(np.ones(10), 0.0)


@pytest.mark.parametrize(
    ("duration_s", "nperseg", "starts"),
    [
        (300, 1024, [0]),
        (600, 1024, [0, 512, 1024]),
        (200, 800, [0]),
        (1024, 1024, [0, 512, 1024, 1536, 2048, 2560, 3072]),
    ],
)
def test_welch_segments_are_256_s_with_50_percent_overlap(duration_s: float, nperseg: int, starts: list[int]) -> None:
    got_len, got_starts = kubios_segments(int(duration_s * RATE), RATE)
    assert got_len == nperseg and got_starts.tolist() == starts


def test_welch_equals_scipys_with_kubios_settings() -> None:
    # Window, overlap, nfft (300 points/Hz), scaling and averaging at once, against scipy.
    y = np.random.default_rng(5).normal(0, 30, 2400)
    f, p = kubios_welch(y, RATE)
    f_ref, p_ref = scipy.signal.welch(
        y,
        fs=RATE,
        window=scipy.signal.windows.hann(1026, sym=True)[1:-1],  # MATLAB's hanning(1024)
        noverlap=512,
        nfft=1200,
        detrend=False,
        scaling="density",
        average="mean",
    )
    keep = f_ref <= 0.5
    assert f == pytest.approx(f_ref[keep], rel=1e-12)
    assert p == pytest.approx(p_ref[keep], rel=1e-10)
    assert f[1] - f[0] == pytest.approx(1 / 300)


@pytest.mark.parametrize("f_hz", [0.1, 0.25])
def test_welch_band_integral_is_the_sinusoids_power(f_hz: float) -> None:
    # Density scaling: the integral over a band holding the whole main lobe is A^2 / 2.
    t = np.arange(2400) / RATE
    f, p = kubios_welch(20.0 * np.sin(2 * np.pi * f_hz * t), RATE)
    band = (f >= f_hz - 0.03) & (f < f_hz + 0.03)
    assert float(np.trapezoid(p[band], f[band])) == pytest.approx(200.0, rel=5e-3)


def test_the_window_is_matlabs_symmetric_hamming() -> None:
    w, w2 = hamming_with_power(1024)
    assert w == pytest.approx(scipy.signal.windows.hamming(1024, sym=True), abs=1e-15)
    assert w[0] == pytest.approx(0.08) and w[-1] == pytest.approx(0.08) and w2 == pytest.approx(float(w @ w))


def test_cubic_resampling_reproduces_a_cubic_on_the_grid_from_the_first_beat() -> None:
    # A not-a-knot cubic spline through samples of a cubic is that cubic (the default's
    # quadratic spline is not); the grid is t0 + k / rate up to the last beat.
    t = np.cumsum(np.random.default_rng(6).uniform(0.6, 1.1, 300))
    cubic = np.polynomial.Polynomial([800.0, 2.0, -0.01, 2e-5])
    y = cubic_resample(cubic(t), t, RATE)
    grid = t[0] + np.arange(math.floor((t[-1] - t[0]) * RATE) + 1) / RATE
    assert y.size == grid.size and grid[-1] <= t[-1]
    assert y == pytest.approx(cubic(grid), rel=1e-10)


@pytest.mark.parametrize(("f_hz", "band"), [(0.1, "lf"), (0.25, "hf"), (0.3, "hf"), (0.06, "lf")])
def test_a_sinusoid_lands_in_its_band_with_its_power(f_hz: float, band: str) -> None:
    # Parseval: a sinusoid of amplitude A has mean power A^2 / 2, all of it in its band, times
    # the detrender's power gain (0.91 at 0.06 Hz, near LF's lower edge; > 0.99 from 0.1 Hz).
    # Beats every 0.5 s: sampled by the beats at 2 Hz, the spline itself loses < 1 % at 0.3 Hz
    # (at 0.8 s it loses a few %, in every method: the interpolation, not the spectrum).
    amp = 30.0
    nn, t = _sine_nn(f_hz, amp, 600.0, mean_ms=500.0)
    fd = frequency_domain(nn, t, KUBIOS)
    other = "hf" if band == "lf" else "lf"
    expected = float(smoothness_priors_gain(f_hz, RATE)) ** 2 * amp**2 / 2
    assert getattr(fd, band) == pytest.approx(expected, rel=0.02)
    assert getattr(fd, other) < 0.01 * amp**2 / 2
    assert fd.total_power == pytest.approx(fd.vlf + fd.lf + fd.hf)
    if band == "hf":
        assert fd.hf_peak_hz == pytest.approx(f_hz, abs=1 / 300 + 1e-9)


def test_a_wave_in_vlf_is_mostly_detrended_away() -> None:
    # 0.02 Hz, below the cutoff: the detrender passes sin^4-small power; the default keeps it.
    nn, t = _sine_nn(0.02, 30.0, 600.0)
    kubios = frequency_domain(nn, t, KUBIOS)
    default = frequency_domain(nn, t)
    gain = float(smoothness_priors_gain(0.02, RATE))
    assert kubios.vlf == pytest.approx(gain**2 * 30.0**2 / 2, rel=0.1)
    assert default.vlf > 5 * kubios.vlf


def test_many_windows_give_what_each_gives_alone() -> None:
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")
    t = np.cumsum(nn) / 1000
    windows = [(nn[a : a + 340], t[a : a + 340]) for a in range(0, 3000, 250)]
    for (f, p, n), (nn_w, t_w) in zip(kubios_psd_many(windows, RATE), windows, strict=True):
        f1, p1, n1 = kubios_psd(nn_w, t_w, RATE)
        assert n == n1 and f == pytest.approx(f1) and p == pytest.approx(p1, rel=1e-10, abs=1e-12)


def test_parameters_name_the_method_and_each_setting() -> None:
    d = spectral_parameters("kubios").as_dict()
    assert d["welch_segments"] == "kubios" and "Kubios" in str(d["spectral_method"])
    assert (d["interpolation_method"], d["window"], d["interpolation_rate"]) == ("cubic", "hanning", 4.0)
    assert (d["detrend_lambda"], d["welch_segment_s"], d["welch_overlap"], d["points_per_hz"]) == (500, 256, 0.5, 300)
    assert d["vlf_hz"] == [0.0, 0.04] and d["lf_hz"] == [0.04, 0.15] and d["hf_hz"] == [0.15, 0.4]
    assert d["detrend_cutoff_hz"] == pytest.approx(0.0355, abs=5e-4)
    assert "smoothness priors" in str(d["detrend"])
    default = spectral_parameters("welch").as_dict()
    assert default["detrend_lambda"] is None and default["welch_segments"] == "cover"


def test_an_inconsistent_kubios_preset_is_refused() -> None:
    with pytest.raises(HrvInputError):
        SpectralParameters(welch_segments="kubios")  # quadratic and Hann are not Kubios'
    with pytest.raises(HrvInputError):
        SpectralParameters(detrend_lambda=500.0)  # a lambda means nothing to the Welch layouts
    with pytest.raises(HrvInputError):
        KUBIOS.neurokit_kwargs()
