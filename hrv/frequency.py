"""Frequency-domain HRV (LF, HF in ms²), neurokit2's ``hrv_frequency`` pipeline without pandas.

:func:`frequency_domain` reproduces ``nk.hrv_frequency(..., normalize=False,
psd_method="welch", interpolation_rate=R)`` of neurokit2 0.2.13 step by step (read in its
source: ``hrv/hrv_frequency.py``, ``hrv/intervals_process.py``,
``signal/signal_interpolate.py``, ``signal/signal_psd.py``, ``signal/signal_power.py``):

1. Time base: ``t_s[i]`` is the time (s) of the beat that *ends* interval ``i``. When it is
   not given it is neurokit2's own default, ``np.cumsum(nn_ms / 1000)`` (the beat before the
   first interval at 0 s). The figures depend on ``t_s`` only through its differences, except
   for the number of resampled points (step 2), so pass the *same* ``t_s`` to neurokit2 when
   comparing windows cut from a longer series.
2. Resampling grid: ``np.arange(t_s[0], t_s[-1] + 1/R, 1/R)``: from the first beat, at R Hz,
   possibly one point past the last beat (held at the last value).
3. Interpolation: quadratic interpolating B-spline through ``(t_s, nn_ms)``
   (``scipy.interpolate.interp1d(kind="quadratic")`` = ``make_interp_spline(k=2)``), held
   constant outside the beats. neurokit2's ``hrv_frequency`` cannot change this method (a
   ``method=`` keyword collides with ``signal_psd``'s own), so quadratic it is. Computed with
   numpy alone by :mod:`tolerance.hrv.spline` (same knots and conditions, tested equal to
   scipy's; why not scipy's own: that module's docstring).
4. Detrending: the mean only (``signal_psd`` subtracts it); no linear or smoothness-priors
   detrending (``intervals_process(detrend=None)``).
5. PSD: Welch, Hann window (periodic), segment length ``nperseg = int(N / 2)`` for N resampled
   points (neurokit2's "2 cycles of min_frequency" rule with its default
   ``min_frequency = 4 R / N``, which lands on N / 2), 50 % overlap, ``nfft = 2 nperseg``
   (zero padding to twice the segment), no per-segment detrending, density scaling
   (ms²/Hz), one-sided, mean of segments. Frequency resolution ``R / nfft`` ~= 1 / duration:
   0.0033 Hz for 5 minutes, 0.017 Hz for 60 s, 0.033 Hz for 30 s.

   **Segment layout** (``SpectralParameters.welch_segments``). neurokit2 steps its segments
   every ``nperseg - nperseg // 2`` samples while a whole one fits: when N is 2 mod 4 only two
   segments fit and the last quarter of the window (75 s of a 5-minute window) is in no segment,
   about one window in four of a sliding analysis (``--spectrum neurokit2``: kept, exactly
   neurokit2's numbers, tail defect included). The default, ``"cover"``, keeps everything else
   (segment length, Hann window, nfft, scaling, mean of segments) and places three segments at
   ``round(k (N - nperseg) / 2)``, k = 0, 1, 2: the first starts at the window's first point and
   the last ends at its last, with 50 % overlap give or take one sample. When N is 0 mod 4 this
   is neurokit2's layout exactly, so the two agree there; when N is 2 mod 4 the default also
   uses the last quarter. Why this and not another method (a periodogram of the whole window,
   Lomb-Scargle, an AR model): it changes only the one defective choice, so every other
   figure stays comparable with neurokit2 and with Welch-based tools (Kubios uses Welch).
6. Band power: keep bins with ``4 R / N <= f <= 0.5 Hz``; a band ``[lo, hi)`` is the
   trapezoidal integral over the bins inside it (no interpolation to the band edges); an
   empty band (power exactly 0) is NaN. ``LFHF = LF / HF``; ``TP`` is the sum of the ULF
   (0-0.0033), VLF, LF, HF and VHF (0.4-0.5 Hz) bands, NaN ones skipped (neurokit2's ``TP``).

:func:`tolerance.hrv.frequency_batch.frequency_domain_windows` gives the same numbers, bit for
bit, for many windows of one series at once (``tolerance analyze``: thousands of sliding
windows). The Hann window and Welch's method are computed here with numpy too: importing
``scipy.signal`` would add ~0.5 s to the start-up of every ``tolerance analyze``.

Bands (Task Force, 1996): VLF 0.0033-0.04, LF 0.04-0.15, HF 0.15-0.40 Hz. Powers are absolute,
ms² (neurokit2 ``normalize=False``, as Kubios and the Task Force report them): neurokit2's
default ``normalize=True`` divides the spectrum by its maximum and is *not* ms².

**Kubios' settings** (``SpectralParameters.kubios()``, ``--spectrum kubios``): cubic spline,
smoothness-priors detrending (lambda 500) or none, Welch with 256 s MATLAB-hanning segments and
50 % overlap, band powers over ``[low, high]`` with the PSD interpolated at both edges, VLF from
0 Hz, TP = VLF + LF + HF. Steps, sources and the public reports that decide them:
:mod:`tolerance.hrv.kubios`. Only step 1 (time base) above is shared.

Why 4 Hz rather than neurokit2's 100 Hz default: 4 Hz is Kubios' default and the usual choice
in the literature (Tarvainen et al., 2014), it is well above twice the highest band edge
(0.5 Hz), it changes LF by about 0.2 % on a real 5-minute window, and it is 25 times less
work. Frequency-domain figures need minutes (Task Force: about 1 minute for HF, 2 minutes for
LF); the ultra-short 30-60 s windows of the live display should not show LF at all.

References
----------
* Task Force of the European Society of Cardiology and the North American Society of Pacing
  and Electrophysiology (1996). Heart rate variability: standards of measurement,
  physiological interpretation and clinical use. Circulation, 93(5), 1043-1065.
* Tarvainen, M. P., Niskanen, J.-P., Lipponen, J. A., Ranta-aho, P. O., & Karjalainen, P. A.
  (2014). Kubios HRV - heart rate variability analysis software. Computer Methods and
  Programs in Biomedicine, 113(1), 210-220.
* Welch, P. (1967). The use of fast Fourier transform for the estimation of power spectra.
  IEEE Transactions on Audio and Electroacoustics, 15(2), 70-73.
* Makowski, D., et al. (2021). NeuroKit2. Behavior Research Methods, 53(4), 1689-1696
  (``neurokit2.hrv_frequency``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from .hann import hann_with_power
from .inputs import as_nn, as_time
from .kubios import kubios_band_power, kubios_psd
from .spectral import (
    HF_BAND_HZ,
    LF_BAND_HZ,
    SPECTRUM_METHODS,
    ULF_BAND_HZ,
    VHF_BAND_HZ,
    VLF_BAND_HZ,
    WELCH_SEGMENT_LAYOUTS,
    SpectralParameters,
    spectral_parameters,
)
from .spline import interpolate_nn

__all__ = [
    "HF_BAND_HZ",
    "LF_BAND_HZ",
    "MIN_INTERVALS_SPECTRUM",
    "ULF_BAND_HZ",
    "VHF_BAND_HZ",
    "VLF_BAND_HZ",
    "WELCH_SEGMENT_LAYOUTS",
    "FrequencyDomain",
    "SPECTRUM_METHODS",
    "SpectralParameters",
    "frequency_domain",
    "interpolate_nn",
    "segment_starts",
    "spectral_figures",
    "spectral_parameters",
]

MIN_INTERVALS_SPECTRUM: Final = 3
"""Fewest NN intervals for a spectrum: the quadratic spline needs k + 1 = 3 points."""


@dataclass(frozen=True, slots=True)
class FrequencyDomain:
    """Frequency-domain HRV of one window (Welch PSD of the resampled NN tachogram).

    Attributes
    ----------
    vlf, lf, hf : float
        Band powers, ms²; NaN when the band holds no spectral bin (window too short).
    lfhf : float
        LF / HF, dimensionless.
    total_power : float
        neurokit2's ``HRV_TP``: sum of ULF, VLF, LF, HF, VHF (0-0.5 Hz), NaN bands skipped, ms².
    hf_peak_hz : float
        Frequency of the largest PSD bin in HF (a breathing-rate estimate, x 60 for
        breaths/min); resolution ``resolution_hz`` (0.0033 Hz = 0.2 breaths/min for 5 min).
    resolution_hz : float
        Bin spacing of the spectrum, Hz.
    n_samples : int
        Number of resampled points.
    reason : str or None
        Why values are NaN; None when all are computed.
    """

    vlf: float
    lf: float
    hf: float
    lfhf: float
    total_power: float
    hf_peak_hz: float
    resolution_hz: float
    n_samples: int
    reason: str | None = None

    def as_dict(self) -> dict[str, float | None]:
        """neurokit2's names (``HRV_LF`` ...) plus ``HF_peak_Hz``; NaN becomes None."""
        values = {
            "HRV_VLF": self.vlf,
            "HRV_LF": self.lf,
            "HRV_HF": self.hf,
            "HRV_LFHF": self.lfhf,
            "HRV_TP": self.total_power,
            "HF_peak_Hz": self.hf_peak_hz,
        }
        return {k: (None if math.isnan(v) else v) for k, v in values.items()}

    @classmethod
    def empty(cls, reason: str) -> FrequencyDomain:
        """All values NaN, with a reason."""
        nan = math.nan
        return cls(nan, nan, nan, nan, nan, nan, nan, 0, reason)


def _band_power(f: np.ndarray, p: np.ndarray, band: tuple[float, float]) -> float:
    where = (f >= band[0]) & (f < band[1])
    power = float(np.trapezoid(y=p[where], x=f[where]))
    return math.nan if power == 0.0 else power


def segment_starts(n: int, nperseg: int, layout: str) -> np.ndarray:
    """First sample of each Welch segment of ``nperseg`` points in a signal of ``n`` points.

    ``"neurokit2"``: every ``nperseg - nperseg // 2`` samples while a whole segment fits
    (scipy's ``welch`` with ``noverlap = nperseg // 2``): with ``nperseg = int(n / 2)`` and
    ``n = 2 mod 4`` only two segments fit and the last ``~n / 4`` points are never used.
    ``"cover"``: three segments at ``round(k (n - nperseg) / 2)``: the first starts at 0, the
    last ends at ``n``, the overlap is 50 % give or take one sample, so no point is left out.
    """
    if layout == "neurokit2":
        step = nperseg - nperseg // 2
        n_seg = (n - nperseg) // step + 1
        return np.arange(n_seg, dtype=np.intp) * step
    return np.unique(np.rint(np.arange(3) * ((n - nperseg) / 2)).astype(np.intp))


def _welch(signal: np.ndarray, rate_hz: float, nperseg: int, layout: str) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.signal.welch`` with neurokit2's arguments, without its generic overhead.

    With ``layout="neurokit2"`` the same as ``welch(signal, fs=rate_hz, window="hann",
    nperseg=nperseg, noverlap=nperseg // 2, nfft=2 * nperseg, detrend=False,
    scaling="density", average="mean")`` (one-sided, real input); with ``"cover"`` the same
    estimator on the segments of :func:`segment_starts` (the whole signal).
    """
    nfft = 2 * nperseg
    w, w2 = hann_with_power(nperseg)
    starts = segment_starts(signal.size, nperseg, layout)
    segments = np.lib.stride_tricks.sliding_window_view(signal, nperseg)[starts]
    spectrum = np.fft.rfft(segments * w, n=nfft, axis=-1)
    power = spectrum.real**2 + spectrum.imag**2
    p = power.mean(axis=0) / (rate_hz * w2)
    p[1:-1] *= 2.0  # one-sided: fold negative frequencies; nfft is even, so not Nyquist
    f = np.arange(p.size) * (rate_hz / nfft)
    return f, p


def welch_psd(signal: np.ndarray, rate_hz: float, layout: str = "cover") -> tuple[np.ndarray, np.ndarray]:
    """neurokit2's Welch PSD (step 5 of the module docstring), filtered to its bins.

    Returns frequencies (Hz) and density (signal units² / Hz) for
    ``4 rate / N <= f <= 0.5 Hz``.
    """
    n = signal.size
    signal = signal - np.mean(signal)
    min_frequency = (2 * rate_hz) / (n / 2)
    nperseg = int((2 / min_frequency) * rate_hz)  # same float expression as neurokit2
    if nperseg > n / 2:
        nperseg = int(n / 2)
    f, p = _welch(signal, rate_hz, nperseg, layout)
    keep = (f >= min_frequency) & (f <= VHF_BAND_HZ[1])
    return f[keep], p[keep]


def frequency_domain(
    nn_ms: npt.ArrayLike,
    t_s: npt.ArrayLike | None = None,
    params: SpectralParameters = SpectralParameters(),  # noqa: B008 - frozen, immutable
) -> FrequencyDomain:
    """LF, HF (ms²), LF/HF, VLF, TP and the HF peak of one window of NN intervals.

    With ``params.welch_segments="neurokit2"`` equal to ``nk.hrv_frequency({"RRI": nn_ms,
    "RRI_Time": t_s}, normalize=False, interpolation_rate=params.interpolation_rate,
    psd_method="welch")`` (to about 1e-12 relative; tested to 1e-6), at a fraction of the cost
    (no pandas); the default layout differs only where neurokit2's leaves the tail out; with
    :meth:`SpectralParameters.kubios` it is Kubios' pipeline (:mod:`tolerance.hrv.kubios`).

    Parameters
    ----------
    nn_ms : array_like
        NN intervals, ms, 1-D, finite, > 0. Standard windows are 5 minutes; below about
        2 minutes LF is not meaningful (Task Force, 1996) even though it is computed.
    t_s : array_like, optional
        Time of the beat ending each interval, s, strictly increasing. Default: neurokit2's
        ``np.cumsum(nn_ms / 1000)``. Use the same array for the neurokit2 comparison.
    params : SpectralParameters
        Interpolation rate (default 4 Hz) and the fixed method description.

    Returns
    -------
    FrequencyDomain
        NaN values with a ``reason`` for fewer than 3 intervals; NaN bands where the window
        is too short to put a spectral bin in them.

    References
    ----------
    Task Force (1996); Welch (1967); neurokit2 ``hrv_frequency`` (module docstring).
    """
    x = as_nn(nn_ms)
    t = as_time(t_s, x)
    if x.size < MIN_INTERVALS_SPECTRUM:
        return FrequencyDomain.empty(f"{x.size} NN interval(s): a spectrum needs >= {MIN_INTERVALS_SPECTRUM}")
    rate = params.interpolation_rate
    if params.welch_segments == "kubios":
        f, p, n = kubios_psd(x, t, rate, *_kubios_settings(params))
        return spectral_figures(f, p, n, params)
    _, y = interpolate_nn(x, t, rate)
    f, p = welch_psd(y, rate, params.welch_segments)
    return spectral_figures(f, p, int(y.size), params)


def _kubios_settings(params: SpectralParameters) -> tuple[float | None, float, float, float]:
    """lambda (None: no detrending), segment (s), overlap, points/Hz of a kubios preset."""
    values = (params.welch_segment_s, params.welch_overlap, params.points_per_hz)
    seg, ov, pts = (float(v) if v is not None else math.nan for v in values)
    return params.detrend_lambda, seg, ov, pts


def spectral_figures(f: np.ndarray, p: np.ndarray, n_samples: int, params: SpectralParameters) -> FrequencyDomain:
    """Band powers, LF/HF, TP and the HF peak of one PSD (step 6 of the module docstring).

    ``TP``: neurokit2's sum of ULF, VLF, LF, HF and VHF for the Welch layouts; Kubios' VLF + LF
    + HF for ``"kubios"`` (its VLF starts at 0 Hz, so there is no ULF, and it has no VHF).
    """
    rate = params.interpolation_rate
    # Kubios: both edges in, the PSD interpolated at them (kubios_band_power); else [low, high).
    band_power = kubios_band_power if params.welch_segments == "kubios" else _band_power
    vlf = band_power(f, p, params.vlf_hz)
    lf = band_power(f, p, params.lf_hz)
    hf = band_power(f, p, params.hf_hz)
    if params.welch_segments == "kubios":
        bands = [vlf, lf, hf]
    else:
        bands = [_band_power(f, p, ULF_BAND_HZ), vlf, lf, hf, _band_power(f, p, VHF_BAND_HZ)]
    # neurokit2 sums with nansum, which gives 0 ms² when every band is empty: NaN here.
    total = math.nan if all(map(math.isnan, bands)) else float(np.nansum(bands))
    in_hf = (f >= params.hf_hz[0]) & (f < params.hf_hz[1])
    hf_peak = float(f[in_hf][np.argmax(p[in_hf])]) if in_hf.any() else math.nan
    resolution = float(f[1] - f[0]) if f.size > 1 else math.nan
    reason = None
    if math.isnan(lf) or math.isnan(hf):
        reason = f"{n_samples / rate:.0f} s resampled: no spectral bin in LF or HF"
    return FrequencyDomain(vlf, lf, hf, lf / hf, total, hf_peak, resolution, n_samples, reason)
