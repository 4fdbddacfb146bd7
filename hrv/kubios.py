"""Kubios HRV's spectral settings (``tolerance analyze --spectrum kubios``).

The three steps Kubios HRV applies before its FFT band powers, as Tarvainen et al. (2014) and
the Kubios HRV user's guide describe them, each with its default:

1. **Interpolation**: the NN series, at the times of the beats, is resampled at **4 Hz** by
   piecewise **cubic spline** interpolation (Tarvainen et al. 2014, section 2.3, "equidistantly
   sampled series ... cubic spline interpolation"; user's guide, "interpolation rate 4 Hz").
   Here: scipy's ``CubicSpline`` with not-a-knot end conditions, the same spline as MATLAB's
   ``spline`` (Kubios is a MATLAB program; *which* cubic spline it uses is not published),
   on the grid ``t0 + k / R`` from the first beat to the last (no extrapolation).
2. **Detrending**: the **smoothness priors** method of Tarvainen, Ranta-aho & Karjalainen
   (2002), ``z_stat = (I - (I + lambda^2 D2' D2)^-1) z`` with ``D2`` the (N-2) x N second
   difference matrix, **lambda = 500** (user's guide default). It acts as a time-varying
   FIR high-pass filter (2002, abstract); away from the ends its response is
   ``H(f) = x / (1 + x)``, ``x = 16 lambda^2 sin^4(pi f / R)`` (the Fourier transform of the
   solution of the least-squares problem the formula solves). Its power is halved (-3 dB)
   where ``x = 1 + sqrt(2)``: **0.0355 Hz for lambda = 500 at 4 Hz**, the "about 0.035 Hz" the
   user's guide gives for its default (:func:`smoothness_priors_cutoff_hz`). The cutoff is in
   Hz only for a given sampling rate: applied here to the 4 Hz series, which is the reading
   under which the guide's figure comes out (on beat-indexed intervals it would depend on heart
   rate). A constant and a straight line are in the null space of ``D2``: removed exactly, so
   the mean is removed too and no separate mean subtraction is needed.
3. **Welch periodogram**: segments of **256 s** with **50 % overlap** (user's guide, "window
   width 256 s, window overlap 50 %"), laid as the standard Welch estimator lays them (MATLAB
   ``pwelch``, scipy ``welch``): from the first sample, one every ``nperseg - noverlap``
   samples while a whole segment fits. A 5-minute window therefore has **one** 256 s segment
   and its last 44 s are in none (Kubios' own layout: the 3.3 reports reproduce with it). A
   window shorter than a segment is one segment of its own length (the 3.1 report: 299 s of
   beats, 300 s segments). Segment window: MATLAB's **hanning** (symmetric Hann *without* zero
   end points, :func:`hanning_with_power`), decided by the 3.1 report's printed PSD (3e-9
   median error; Hamming 6e-2). Frequency grid: **300 points per Hz** (the guide's "points in
   frequency domain"; the 3.3 reports use 256), by zero-padding each segment to
   ``nfft = points x R``. Density scaling (ms²/Hz), one-sided, mean of the segments'
   periodograms. Detrending "none" (``lam`` None): the mean alone is removed.

Bands (Kubios defaults): VLF 0-0.04, LF 0.04-0.15, HF 0.15-0.4 Hz; powers integrate the PSD
over ``[low, high]``, both edges included, the PSD linearly interpolated at them
(:func:`kubios_band_power`: within 0.6 % of the reports, not their exact rule). Time domain
(:func:`kubios_time_domain`): SDNN, RMSSD and pNNxx of the intervals less the 4 Hz trend at
the beats' times, pNNxx over N - 1, MeanNN raw. Kubios also gives AR spectrum band powers
(model order 16 by default); those are not computed here.

On the sources: the formula is the 2002 paper's; each other choice is decided by public Kubios
HRV reports with their RR data (Kubios 3.1: ``tests/data/kubios/``; 3.3: cited), figure by
figure in docs/validation.md (``benchmarks/kubios_reports.py``), where what is not reproduced
is listed too (the time domain of one exercise report: SDNN +3 %, RMSSD +5 %).

scipy (``scipy.sparse`` for the banded solve, ``scipy.interpolate`` for the spline) is
imported only when this method runs: ``import tolerance.hrv`` stays numpy-only.

References
----------
* Tarvainen, M. P., Ranta-aho, P. O., & Karjalainen, P. A. (2002). An advanced detrending
  method with application to HRV analysis. IEEE Transactions on Biomedical Engineering,
  49(2), 172-175.
* Tarvainen, M. P., Niskanen, J.-P., Lipponen, J. A., Ranta-aho, P. O., & Karjalainen, P. A.
  (2014). Kubios HRV - heart rate variability analysis software. Computer Methods and Programs
  in Biomedicine, 113(1), 210-220.
* Kubios HRV user's guide (Kubios Oy; versions 3.x "Kubios HRV Users Guide", 4.x "Kubios HRV
  Scientific User's Guide"), sections on RR series options, trend removal and frequency-domain
  analysis.
* Welch, P. (1967). The use of fast Fourier transform for the estimation of power spectra.
  IEEE Transactions on Audio and Electroacoustics, 15(2), 70-73.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from .errors import HrvInputError

__all__ = [
    "KUBIOS_LAMBDA",
    "KUBIOS_OVERLAP",
    "KUBIOS_POINTS_PER_HZ",
    "KUBIOS_SEGMENT_S",
    "KUBIOS_VLF_HZ",
    "cubic_resample",
    "hamming_with_power",
    "hanning_with_power",
    "kubios_band_power",
    "kubios_psd",
    "kubios_psd_many",
    "kubios_segments",
    "kubios_time_domain",
    "kubios_welch",
    "smoothness_priors_cutoff_hz",
    "smoothness_priors_detrend",
    "smoothness_priors_gain",
]

KUBIOS_LAMBDA: Final = 500.0
"""Smoothness-priors regularisation parameter, dimensionless (Kubios default)."""
KUBIOS_SEGMENT_S: Final = 256.0
"""Welch segment ("window width"), s (Kubios default)."""
KUBIOS_OVERLAP: Final = 0.5
"""Welch segment overlap, share of a segment (Kubios default 50 %)."""
KUBIOS_POINTS_PER_HZ: Final = 300.0
"""Frequency grid density, points per Hz: bins 1/300 Hz apart (Kubios "points in frequency domain")."""
KUBIOS_VLF_HZ: Final = (0.0, 0.04)
"""Kubios' VLF band, Hz: from 0 (Tolerance's other methods start VLF at 0.0033 Hz)."""
_MAX_FREQUENCY_HZ: Final = 0.5
"""Highest bin kept, Hz: the bands end at 0.4 Hz; the rest is never integrated."""


def smoothness_priors_detrend(z: np.ndarray, lam: float = KUBIOS_LAMBDA) -> np.ndarray:
    """Smoothness-priors detrending (Tarvainen et al. 2002) of a series or of rows of series.

    ``z_stat = z - (I + lam^2 D2' D2)^-1 z``: the trend is the solution of
    ``min |z - s|^2 + lam^2 |D2 s|^2`` (fit plus roughness of its second differences). The
    matrix is symmetric positive definite and pentadiagonal: one sparse LU per length and
    ``lam``, cached, solves every row (thousands of windows of one length share it).

    Parameters
    ----------
    z : ndarray
        Equidistant samples, 1-D, or 2-D with one series per row (any unit; returned in it).
    lam : float
        Regularisation parameter (> 0); larger removes less (a lower cutoff, see
        :func:`smoothness_priors_cutoff_hz`).

    Returns
    -------
    ndarray
        The detrended series, same shape. Fewer than 3 samples have no second difference: the
        trend is the series itself and the result is zeros.
    """
    y = np.asarray(z, dtype=np.float64)
    if not lam > 0 or not math.isfinite(lam):
        raise HrvInputError("the smoothness-priors lambda must be a finite number > 0")
    n = y.shape[-1]
    if n < 3:
        return np.zeros_like(y)
    lu = _smoothness_factor(n, float(lam))
    # SuperLU solves a matrix of right-hand sides column by column: rows of y are columns here.
    trend: np.ndarray = np.asarray(lu.solve(np.ascontiguousarray(y.T)), dtype=np.float64).T
    stat: np.ndarray = y - trend
    return stat


@functools.lru_cache(maxsize=16)
def _smoothness_factor(n: int, lam: float) -> Any:  # scipy's SuperLU object (untyped)
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    d2 = sp.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(n - 2, n), format="csc")
    a = sp.identity(n, format="csc") + (lam * lam) * (d2.T @ d2)
    return splu(sp.csc_matrix(a))


def smoothness_priors_gain(f_hz: np.ndarray | float, rate_hz: float, lam: float = KUBIOS_LAMBDA) -> np.ndarray:
    """Amplitude response of the detrender away from the series' ends (module docstring, step 2).

    ``H(f) = x / (1 + x)`` with ``x = 16 lam^2 sin^4(pi f / rate)``: 0 at 0 Hz, -> 1 well
    above the cutoff. Near the ends of a finite series the filter differs (time-varying).
    """
    x = 16.0 * lam * lam * np.sin(np.pi * np.asarray(f_hz, dtype=np.float64) / rate_hz) ** 4
    gain: np.ndarray = x / (1.0 + x)
    return gain


def smoothness_priors_cutoff_hz(rate_hz: float, lam: float = KUBIOS_LAMBDA) -> float:
    """Frequency (Hz) where the detrender passes half the power (gain ``1/sqrt 2``, -3 dB).

    From :func:`smoothness_priors_gain`: ``x / (1 + x) = 1 / sqrt 2`` at ``x = 1 + sqrt 2``,
    so ``sin(pi f / rate) = ((1 + sqrt 2)^(1/2) / (4 lam))^(1/2)``. 0.0355 Hz for lam = 500 at
    4 Hz (the user's guide: about 0.035 Hz).
    """
    s = math.sqrt(math.sqrt(1.0 + math.sqrt(2.0)) / (4.0 * lam))
    return rate_hz * math.asin(s) / math.pi


def cubic_resample(nn_ms: np.ndarray, t_s: np.ndarray, rate_hz: float) -> np.ndarray:
    """NN intervals resampled at ``rate_hz`` on ``t0 + k / rate`` up to the last beat.

    Not-a-knot cubic spline through ``(t_s, nn_ms)`` (MATLAB's ``spline``; module docstring,
    step 1). ``t_s`` strictly increasing, at least 2 points.
    """
    from scipy.interpolate import CubicSpline

    # The last beat is on the grid when the span is a whole number of steps: a tolerance of
    # 1e-9 steps keeps float rounding of t from dropping it.
    count = int(math.floor((t_s[-1] - t_s[0]) * rate_hz + 1e-9)) + 1
    grid = t_s[0] + np.arange(count) / rate_hz
    # With 3 points not-a-knot is the parabola through them, with 2 the line (MATLAB's too).
    y: np.ndarray = np.asarray(CubicSpline(t_s, nn_ms, bc_type="not-a-knot")(grid), dtype=np.float64)
    return y


@functools.lru_cache(maxsize=64)
def hanning_with_power(nperseg: int) -> tuple[np.ndarray, float]:
    """MATLAB's ``hanning(n)`` (read-only) and its sum of squares: the segment window.

    ``0.5 - 0.5 cos(2 pi k / (n + 1))``, k = 1 .. n: the symmetric Hann window *without* its
    zero end points (scipy's ``windows.hann(n + 2)[1:-1]``; MATLAB's ``hann(n)`` has them). The
    public Kubios reports decide it: with it the Kubios HRV 3.1 report of ``tests/data/kubios/``
    is reproduced bin by bin to 3e-9 (median relative error; the print precision), against
    1.4e-3 for the symmetric Hann with zero ends, 1.6e-3 periodic, 6e-2 Hamming
    (docs/validation.md).
    """
    k = np.arange(1, nperseg + 1)
    w = 0.5 - 0.5 * np.cos(2.0 * np.pi * k / (nperseg + 1))
    w.setflags(write=False)
    return w, float(w @ w)


@functools.lru_cache(maxsize=64)
def hamming_with_power(nperseg: int) -> tuple[np.ndarray, float]:
    """Symmetric Hamming window (read-only) and its sum of squares.

    ``0.54 - 0.46 cos(2 pi k / (n - 1))``, k = 0 .. n - 1: MATLAB's ``hamming(n)``, which
    ``pwelch`` uses for an integer segment length (scipy: ``windows.hamming(n, sym=True)``).
    Not Kubios' window (the reports show :func:`hanning_with_power`); kept for comparison.
    """
    if nperseg <= 1:
        w = np.ones(nperseg)
    else:
        w = 0.54 - 0.46 * np.cos(2.0 * np.pi * np.arange(nperseg) / (nperseg - 1))
    w.setflags(write=False)
    return w, float(w @ w)


def kubios_segments(
    n: int, rate_hz: float, segment_s: float = KUBIOS_SEGMENT_S, overlap: float = KUBIOS_OVERLAP
) -> tuple[int, np.ndarray]:
    """Welch segment length (samples) and each segment's first sample, for ``n`` samples.

    ``nperseg = round(segment_s * rate)``, or ``n`` when the window is shorter;
    ``noverlap = round(overlap * nperseg)``; segments every ``nperseg - noverlap`` samples
    from 0 while a whole one fits (module docstring, step 3). 300 s at 4 Hz (1200 samples):
    one segment at 0 of 1024; 600 s: three, at 0, 512, 1024.
    """
    nperseg = min(n, int(round(segment_s * rate_hz)))
    step = nperseg - int(round(overlap * nperseg))
    if nperseg < 1 or step < 1:
        raise HrvInputError("a Welch segment needs at least 1 sample and an overlap below 100 %")
    count = (n - nperseg) // step + 1
    return nperseg, np.arange(count, dtype=np.intp) * step


def kubios_welch(
    y: np.ndarray,
    rate_hz: float,
    segment_s: float = KUBIOS_SEGMENT_S,
    overlap: float = KUBIOS_OVERLAP,
    points_per_hz: float = KUBIOS_POINTS_PER_HZ,
) -> tuple[np.ndarray, np.ndarray]:
    """Welch PSD of a series (1-D) or of rows of series of one length (2-D), 0-0.5 Hz.

    Segments of :func:`kubios_segments`, each times MATLAB's ``hanning`` window, zero-padded
    to ``nfft = max(nperseg, round(points_per_hz * rate))``; density ``|X|^2 / (rate sum w^2)``
    doubled except at 0 Hz and Nyquist (one-sided), averaged over segments. No per-segment
    detrending (the series is detrended before). The same estimator as scipy's
    ``welch(y, rate, window=hann(nperseg + 2)[1:-1], noverlap=..., nfft=..., detrend=False)``
    restricted to ``f <= 0.5 Hz``.

    Returns
    -------
    f : ndarray
        Frequencies, Hz, ``k * rate / nfft`` up to 0.5 Hz.
    p : ndarray
        Density, input units² / Hz; same leading shape as ``y``.
    """
    rows = np.atleast_2d(np.asarray(y, dtype=np.float64))
    n = rows.shape[-1]
    nperseg, starts = kubios_segments(n, rate_hz, segment_s, overlap)
    nfft = max(nperseg, int(round(points_per_hz * rate_hz)))
    w, w2 = hanning_with_power(nperseg)
    f_all = np.arange(nfft // 2 + 1) * (rate_hz / nfft)
    k1 = int(np.searchsorted(f_all, _MAX_FREQUENCY_HZ, side="right"))
    segments = np.lib.stride_tricks.sliding_window_view(rows, nperseg, axis=-1)[:, starts, :]
    spectrum = np.fft.rfft(segments * w, n=nfft, axis=-1)[..., :k1]
    power = spectrum.real**2 + spectrum.imag**2
    p = power.mean(axis=1) / (rate_hz * w2)
    bins = np.arange(k1)
    # One-sided: every bin but 0 Hz and (for even nfft) Nyquist stands for two.
    p[:, (bins >= 1) & ~((nfft % 2 == 0) & (bins == nfft // 2))] *= 2.0
    f = f_all[:k1]
    return f, (p[0] if np.ndim(y) == 1 else p)


def kubios_psd(
    nn_ms: np.ndarray,
    t_s: np.ndarray,
    rate_hz: float,
    lam: float | None = KUBIOS_LAMBDA,
    segment_s: float = KUBIOS_SEGMENT_S,
    overlap: float = KUBIOS_OVERLAP,
    points_per_hz: float = KUBIOS_POINTS_PER_HZ,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Kubios-style PSD of one window: resample, detrend (``lam`` None: the mean only), Welch.

    ``nn_ms`` (ms) and ``t_s`` (s, strictly increasing) validated by the caller. Returns the
    frequencies (Hz), the density (ms²/Hz) and the number of resampled points.
    """
    ((f, p, n),) = kubios_psd_many([(nn_ms, t_s)], rate_hz, lam, segment_s, overlap, points_per_hz)
    return f, p, n


def kubios_psd_many(
    windows: Sequence[tuple[np.ndarray, np.ndarray]],
    rate_hz: float,
    lam: float | None = KUBIOS_LAMBDA,
    segment_s: float = KUBIOS_SEGMENT_S,
    overlap: float = KUBIOS_OVERLAP,
    points_per_hz: float = KUBIOS_POINTS_PER_HZ,
) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """:func:`kubios_psd` of many windows ``(nn_ms, t_s)``: windows resampled to the same
    number of points share one factorisation, one solve and one FFT call; each window's
    result is what :func:`kubios_psd` gives for it alone."""
    resampled = [cubic_resample(nn, t, rate_hz) for nn, t in windows]
    out: list[tuple[np.ndarray, np.ndarray, int]] = [(np.empty(0), np.empty(0), 0)] * len(resampled)
    by_size: dict[int, list[int]] = {}
    for k, y in enumerate(resampled):
        by_size.setdefault(y.size, []).append(k)
    for size, ks in by_size.items():
        rows = np.stack([resampled[k] for k in ks])
        # Detrending "none": the mean alone is removed (the 3.1 report's PSD, bin by bin).
        stat = rows - rows.mean(axis=1, keepdims=True) if lam is None else smoothness_priors_detrend(rows, lam)
        f, p = kubios_welch(stat, rate_hz, segment_s, overlap, points_per_hz)
        for row, k in enumerate(ks):
            out[k] = (f, p[row], size)
    return out


def kubios_band_power(f: np.ndarray, p: np.ndarray, band: tuple[float, float]) -> float:
    """Power (PSD units x Hz) in ``[low, high]``, both edges included, the PSD linearly
    interpolated at edges between bins: the trapezoid over ``low``, the bins strictly inside,
    ``high``. NaN when the band holds no bin and touches none.

    The public reports (docs/validation.md): on the Kubios HRV 3.1 report the half-open
    ``[low, high)`` rule drops the upper edge's half bin (VLF -9.5 %, LF -0.9 %); this rule is
    within 0.6 % of every band. It is not Kubios' exact rule (the residual, -0.56 % / -0.14 % /
    +0.28 % on VLF / LF / HF of that report, is no trapezoid, Simpson, spline or pchip rule over
    its own printed PSD), but the closest found: stated, not claimed exact.
    """
    lo, hi = band
    inside = (f > lo) & (f < hi)
    if f.size < 2 or hi > f[-1] or (not inside.any() and not np.any((f >= lo) & (f <= hi))):
        return math.nan
    fx = np.concatenate([[lo], f[inside], [hi]])
    power = float(np.trapezoid(np.interp(fx, f, p), fx))
    return math.nan if power == 0.0 else power


def kubios_time_domain(
    nn_ms: np.ndarray,
    t_s: np.ndarray,
    rate_hz: float,
    lam: float | None = KUBIOS_LAMBDA,
    pnn_ms: float = 50.0,
) -> dict[str, float]:
    """Kubios HRV's time-domain figures of one window (``--spectrum kubios``).

    With detrending (``lam`` set) SDNN, RMSSD and pNNxx are of the **detrended** RR series:
    the smoothness-priors trend of the 4 Hz resampled series (:func:`cubic_resample`, the same
    detrending as the spectrum's) read at the beats' times (linear interpolation; the beats
    after the last grid point take its value) is subtracted from each interval. ``MeanNN`` and
    ``HR`` are of the intervals as they are (a trend's removal would move the mean; Kubios'
    "Mean RR" is the raw mean: 792.8006 against 792.8008 raw on the 3.3 report of
    docs/validation.md, whose SDNN 71.4176 this reproduces to 0.04 % and whose raw SDNN is
    89.2). pNNxx is the share of the N - 1 successive differences above ``pnn_ms`` (Kubios'
    denominator; neurokit2 divides by N). Without detrending, the same figures of the intervals.

    Returns a dict with neurokit2's names (``HRV_MeanNN``, ``HRV_SDNN``, ``HRV_RMSSD``,
    ``HRV_pNN50`` for the ``pnn_ms`` threshold, ``HR``), ms, %, beats/min.
    """
    x = np.asarray(nn_ms, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    z = x
    if lam is not None and x.size >= 3:
        y = cubic_resample(x, t, rate_hz)
        trend = y - smoothness_priors_detrend(y, lam)
        grid = t[0] + np.arange(y.size) / rate_hz
        z = x - np.interp(t, grid, trend)
    d = np.diff(z)
    mean = float(x.mean()) if x.size else math.nan
    return {
        "HRV_MeanNN": mean,
        "HRV_SDNN": float(z.std(ddof=1)) if z.size > 1 else math.nan,
        "HRV_RMSSD": float(np.sqrt(np.mean(d * d))) if d.size else math.nan,
        "HRV_pNN50": float(100.0 * np.count_nonzero(np.abs(d) > pnn_ms) / d.size) if d.size else math.nan,
        "HR": 60_000.0 / mean if mean > 0 else math.nan,
    }
