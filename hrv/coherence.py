"""Coherence ratio in the open form described by McCraty et al. (NOT HeartMath's score).

HeartMath's own coherence score comes from an unpublished algorithm; this module implements
the published description, so its numbers are comparable with each other, not with
HeartMath's app or emWave device:

1. Take the last 64 s of NN intervals (the caller recomputes every 5 s in the live engine).
2. Resample at 4 Hz with the same quadratic interpolating spline and grid as
   :mod:`tolerance.hrv.frequency` (neurokit2's ``intervals_process``); 256 points.
3. Remove the mean and the linear trend (a 64 s window has no room for a VLF band, and a
   drifting heart rate would otherwise leak power into the lowest bins), apply a Hann window,
   and take the periodogram zero-padded to ``nfft = 1024`` points: bin spacing 0.0039 Hz
   (the true resolution of 64 s is 1/64 = 0.0156 Hz; the padding only places the peak and
   the band edges more finely).
4. Peak: the largest periodogram bin in 0.04-0.26 Hz.
5. Peak power: the sum of the bins within +/- 0.015 Hz of the peak (a 0.030 Hz band).
   Total power: the sum of the bins in 0.0033-0.4 Hz.
6. Coherence ratio = peak power / (total power - peak power).

Sums of bins (rectangle rule, bin width cancels in the ratio) rather than trapezoids, so
the figure is easy to check by hand. A tachogram dominated by one slow rhythm (resonant
breathing near 0.1 Hz) scores high (several units), an irregular one low (well under 1).

References
----------
* McCraty, R., Atkinson, M., Tomasino, D., & Bradley, R. T. (2009). The coherent heart:
  heart-brain interactions, psychophysiological coherence, and the emergence of system-wide
  order. Integral Review, 5(2), 10-115 (coherence ratio: peak power / (total - peak)).
* McCraty, R., & Shaffer, F. (2015). Heart rate variability: new perspectives on
  physiological mechanisms, assessment of self-regulatory capacity, and health risk.
  Global Advances in Health and Medicine, 4(1), 46-61.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from .hann import hann_window
from .inputs import as_nn, as_time
from .spline import interpolate_nn

__all__ = [
    "COHERENCE_WINDOW_S",
    "Coherence",
    "coherence",
]

COHERENCE_WINDOW_S: Final = 64.0
"""Length of NN history the ratio is computed on, s (McCraty et al.)."""
COHERENCE_RATE_HZ: Final = 4.0
"""Resampling rate, Hz."""
COHERENCE_NFFT: Final = 1024
"""Zero-padded FFT length: 0.0039 Hz bins at 4 Hz."""
PEAK_SEARCH_HZ: Final = (0.04, 0.26)
PEAK_BAND_WIDTH_HZ: Final = 0.030
TOTAL_BAND_HZ: Final = (0.0033, 0.4)
MIN_COVERAGE: Final = 0.9
"""Fewest seconds of NN, as a share of the 64 s window, for a ratio."""


@dataclass(frozen=True, slots=True)
class Coherence:
    """Coherence ratio of the last 64 s (see the module docstring; not HeartMath's score).

    Attributes
    ----------
    ratio : float
        Peak power / (total power - peak power), dimensionless; NaN with a ``reason``.
    peak_hz : float
        Frequency of the peak in 0.04-0.26 Hz, Hz (bin spacing 0.0039 Hz).
    peak_power, total_power : float
        Sums of periodogram bins, ms²/Hz x bins (relative units; only their ratio matters).
    reason : str or None
        Why the ratio is NaN.
    """

    ratio: float
    peak_hz: float
    peak_power: float
    total_power: float
    reason: str | None = None

    def as_dict(self) -> dict[str, float | None]:
        """``coherence_ratio`` and ``coherence_peak_Hz``; NaN becomes None (JSON null)."""
        values = {"coherence_ratio": self.ratio, "coherence_peak_Hz": self.peak_hz}
        return {k: (None if math.isnan(v) else v) for k, v in values.items()}


def _detrend_linear(y: np.ndarray) -> np.ndarray:
    """``y`` minus its least-squares line (``scipy.signal.detrend(y, type="linear")``).

    Closed form on centred abscissae (well conditioned, agrees with scipy's ``lstsq`` to
    rounding), without importing ``scipy.signal``.
    """
    x = np.arange(y.size, dtype=np.float64)
    x -= x.mean()
    r = y - y.mean()
    sxx = float(x @ x)
    slope = float(x @ r) / sxx if sxx > 0.0 else 0.0
    detrended: np.ndarray = r - slope * x
    return detrended


def coherence(nn_ms: npt.ArrayLike, t_s: npt.ArrayLike | None = None) -> Coherence:
    """Coherence ratio of the last 64 s of NN intervals (open form, McCraty et al.).

    Parameters
    ----------
    nn_ms : array_like
        NN intervals, ms, oldest first; only the intervals ending within the last 64 s
        (relative to the last beat) are used.
    t_s : array_like, optional
        Time of the beat ending each interval, s; default ``cumsum(nn_ms / 1000)``.

    Returns
    -------
    Coherence
        NaN ratio with a reason when the intervals cover less than 90 % of 64 s.

    References
    ----------
    McCraty et al. (2009); McCraty & Shaffer (2015) (module docstring).
    """
    x = as_nn(nn_ms)
    t = as_time(t_s, x)
    nan = math.nan
    if x.size < 3:
        return Coherence(nan, nan, nan, nan, f"{x.size} NN interval(s): needs 64 s of beats")
    keep = t >= t[-1] - COHERENCE_WINDOW_S
    x, t = x[keep], t[keep]
    covered_s = float(x.sum()) / 1000.0
    if covered_s < MIN_COVERAGE * COHERENCE_WINDOW_S or x.size < 3:
        return Coherence(nan, nan, nan, nan, f"{covered_s:.0f} s of beats: needs 64 s")
    _, y = interpolate_nn(x, t, COHERENCE_RATE_HZ)
    y = _detrend_linear(y)
    w = hann_window(y.size)
    spectrum = np.fft.rfft(y * w, n=max(COHERENCE_NFFT, y.size))
    power = spectrum.real**2 + spectrum.imag**2
    f = np.fft.rfftfreq(max(COHERENCE_NFFT, y.size), d=1.0 / COHERENCE_RATE_HZ)
    search = (f >= PEAK_SEARCH_HZ[0]) & (f <= PEAK_SEARCH_HZ[1])
    peak_hz = float(f[search][np.argmax(power[search])])
    half = PEAK_BAND_WIDTH_HZ / 2
    in_total = (f >= TOTAL_BAND_HZ[0]) & (f <= TOTAL_BAND_HZ[1])
    in_peak = in_total & (f >= peak_hz - half) & (f <= peak_hz + half)
    peak_power = float(power[in_peak].sum())
    total_power = float(power[in_total].sum())
    rest = total_power - peak_power
    if not rest > 0.0:
        return Coherence(nan, peak_hz, peak_power, total_power, "no power outside the peak band")
    return Coherence(peak_power / rest, peak_hz, peak_power, total_power)
