"""RR intervals from a raw ECG (e.g. a Polar H10's 130 Hz PMD stream), by neurokit2.

Optional and not wired in. It gives beat times independent of the strap's own beat detector
(the RR field of 0x2A37), so the two can be compared or the ECG kept as the reference.
neurokit2 is imported inside :func:`rr_from_ecg` only (as in :mod:`.reference`): importing
:mod:`tolerance.hrv` stays numpy-only.

Method
------
1. ``nk.ecg_clean(method="neurokit")``: 5th-order Butterworth high-pass at 0.5 Hz (baseline
   wander), then its "powerline" filter, a moving average over one 50 Hz period (at 130 Hz:
   2 samples). Both run forward and backward (zero phase), so R peaks do not move.
2. ``nk.ecg_peaks(method="neurokit")`` (the default): QRS windows where the smoothed
   (100 ms boxcar) absolute gradient exceeds a multiple of its longer moving average; the
   R peak is the most prominent local maximum of the cleaned signal in each window.
   ``correct_artifacts=False`` (neurokit2's default), so no beat is moved or invented here:
   artifact handling is :mod:`.artifacts`' job, on the RR series.
3. Optional (default on) sub-sample refinement: a parabola through the cleaned signal at the
   peak sample and its two neighbours; its vertex moves the peak by at most half a sample.

Resolution
----------
At 130 Hz a sample is 1/130 s = 7.69 ms. Without refinement each peak is on the sample grid,
so each RR interval carries a quantisation error of up to ±7.7 ms (uniform per peak, about
3.1 ms standard deviation for the difference of two peaks), which inflates RMSSD at low HRV.
The Task Force (1996) asks for 250-500 Hz or interpolation at lower rates; parabolic
interpolation is that interpolation. With ``refine=True`` every peak stays within half a
sample of neurokit2's, so every RR stays within one sample period (7.7 ms) of neurokit2's RR;
the tests check both that and that refinement brings the 130 Hz RR closer to those of the
same simulated ECG sampled at 1040 Hz.

The sampling clock is the strap's: 130 Hz nominal. Timing here assumes exactly
``sampling_rate``; a strap whose crystal runs 50 ppm fast shifts every RR by 0.05 ms.

References
----------
* Makowski, D., et al. (2021). NeuroKit2: A Python toolbox for neurophysiological signal
  processing. Behavior Research Methods, 53(4), 1689-1696. (``ecg_clean``, ``ecg_peaks``
  with method "neurokit".)
* Task Force of the European Society of Cardiology and the North American Society of Pacing
  and Electrophysiology (1996). Heart rate variability: standards of measurement,
  physiological interpretation and clinical use. Circulation, 93(5), 1043-1065.
* Merri, M., Farden, D. C., Mottley, J. G., & Titlebaum, E. L. (1990). Sampling frequency of
  the electrocardiogram for spectral analysis of the heart rate variability. IEEE
  Transactions on Biomedical Engineering, 37(1), 99-106. (Interpolating the R-peak fiducial
  point at low sampling rates.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from .errors import HrvInputError

_MS_PER_S: Final = 1000.0
_MIN_DURATION_S: Final = 10.0
"""Shortest ECG accepted: neurokit2's detector needs a few beats to set its thresholds."""


@dataclass(frozen=True, slots=True)
class EcgRR:
    """R peaks and the RR intervals between them.

    ``peaks_s``: R-peak times in seconds from the first sample of the ECG given;
    ``rr_ms``: ``np.diff(peaks_s)`` in milliseconds (one fewer than the peaks).
    """

    peaks_s: np.ndarray
    rr_ms: np.ndarray


def rr_from_ecg(samples_uv: npt.ArrayLike, sampling_rate: float = 130.0, *, refine: bool = True) -> EcgRR:
    """Detect R peaks in an ECG and return their times and the RR intervals.

    Parameters
    ----------
    samples_uv
        1-D ECG, microvolts (any linear unit works: the method is scale-free), evenly
        sampled at ``sampling_rate``, with no gaps (split a stream at dropped frames).
    sampling_rate
        Hz (the H10 streams 130 Hz).
    refine
        Move each peak to the vertex of a parabola through its three samples (see the
        module docstring); ``False`` keeps neurokit2's sample-grid peaks.

    Raises
    ------
    HrvInputError
        When the ECG is not 1-D, not finite, or shorter than 10 s, or the rate is not > 0.
    """
    x = np.asarray(samples_uv, dtype=np.float64)
    if x.ndim != 1:
        raise HrvInputError(f"ECG must be a 1-D array, got shape {x.shape}")
    if not (np.isfinite(sampling_rate) and sampling_rate > 0):
        raise HrvInputError(f"sampling rate must be finite and > 0 Hz, got {sampling_rate}")
    if x.size < _MIN_DURATION_S * sampling_rate:
        raise HrvInputError(f"ECG of {x.size / sampling_rate:.1f} s is too short (at least {_MIN_DURATION_S:g} s)")
    if not np.isfinite(x).all():
        raise HrvInputError("ECG must be finite (no NaN or inf samples)")

    import neurokit2 as nk  # slow import, only on this path

    cleaned = np.asarray(nk.ecg_clean(x, sampling_rate=sampling_rate, method="neurokit"), dtype=np.float64)
    _, info = nk.ecg_peaks(cleaned, sampling_rate=sampling_rate, method="neurokit", correct_artifacts=False)
    peaks = np.asarray(info["ECG_R_Peaks"], dtype=np.int64)
    position = _parabolic_vertex(cleaned, peaks) if refine else peaks.astype(np.float64)
    peaks_s = position / sampling_rate
    return EcgRR(peaks_s=peaks_s, rr_ms=np.diff(peaks_s) * _MS_PER_S)


def _parabolic_vertex(y: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """Peak positions (in samples) moved to the vertex of the parabola through y[p-1..p+1].

    Peaks at either end, or where the three samples are not a strict local maximum (a flat
    top, or neurokit2 picked a shoulder), keep their sample position; the shift is clipped
    to ±0.5 sample so a peak never crosses to the neighbouring sample's territory.
    """
    pos = peaks.astype(np.float64)
    inner = (peaks > 0) & (peaks < y.size - 1)
    p = peaks[inner]
    ym, y0, yp = y[p - 1], y[p], y[p + 1]
    curvature = ym - 2.0 * y0 + yp
    ok = curvature < 0.0
    shift = np.zeros(p.size)
    shift[ok] = 0.5 * (ym[ok] - yp[ok]) / curvature[ok]
    pos[inner] += np.clip(shift, -0.5, 0.5)
    return pos
