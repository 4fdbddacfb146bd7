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
   ``method=`` keyword collides with ``signal_psd``'s own), so quadratic it is. Computed here
   with numpy alone (same knots and conditions; a tridiagonal solve), equal to scipy's to a
   few 1e-16 relative: importing ``scipy.interpolate`` and ``scipy.signal`` would cost
   ~0.55 s of start-up to every ``tolerance analyze``.
4. Detrending: the mean only (``signal_psd`` subtracts it); no linear or smoothness-priors
   detrending (``intervals_process(detrend=None)``).
5. PSD: Welch, Hann window (periodic), segment length ``nperseg = int(N / 2)`` for N resampled
   points (neurokit2's "2 cycles of min_frequency" rule with its default
   ``min_frequency = 4 R / N``, which lands on N / 2), 50 % overlap, ``nfft = 2 nperseg``
   (zero padding to twice the segment), no per-segment detrending, density scaling
   (ms²/Hz), one-sided, mean of segments. Frequency resolution ``R / nfft`` ~= 1 / duration:
   0.0033 Hz for 5 minutes, 0.017 Hz for 60 s, 0.033 Hz for 30 s.
6. Band power: keep bins with ``4 R / N <= f <= 0.5 Hz``; a band ``[lo, hi)`` is the
   trapezoidal integral over the bins inside it (no interpolation to the band edges); an
   empty band (power exactly 0) is NaN. ``LFHF = LF / HF``; ``TP`` is the sum of the ULF
   (0-0.0033), VLF, LF, HF and VHF (0.4-0.5 Hz) bands, NaN ones skipped (neurokit2's ``TP``).

:func:`frequency_domain_windows` gives the same numbers, bit for bit, for many windows of one
series at once (``tolerance analyze``: thousands of sliding windows).

Bands (Task Force, 1996): VLF 0.0033-0.04, LF 0.04-0.15, HF 0.15-0.40 Hz. Powers are absolute,
ms² (neurokit2 ``normalize=False``, as Kubios and the Task Force report them): neurokit2's
default ``normalize=True`` divides the spectrum by its maximum and is *not* ms².

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
* de Boor, C., & Pinkus, A. (1977). Backward error analysis for totally positive linear
  systems. Numerische Mathematik, 27(4), 485-490 (the spline solve without pivoting).
* Welch, P. (1967). The use of fast Fourier transform for the estimation of power spectra.
  IEEE Transactions on Audio and Electroacoustics, 15(2), 70-73.
* Makowski, D., et al. (2021). NeuroKit2. Behavior Research Methods, 53(4), 1689-1696
  (``neurokit2.hrv_frequency``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from .time_domain import HrvInputError, _as_nn

__all__ = [
    "HF_BAND_HZ",
    "LF_BAND_HZ",
    "MIN_INTERVALS_SPECTRUM",
    "VLF_BAND_HZ",
    "FrequencyDomain",
    "FrequencyDomainWindows",
    "SpectralParameters",
    "frequency_domain",
    "frequency_domain_windows",
    "interpolate_nn",
]

ULF_BAND_HZ: Final = (0.0, 0.0033)
VLF_BAND_HZ: Final = (0.0033, 0.04)
LF_BAND_HZ: Final = (0.04, 0.15)
HF_BAND_HZ: Final = (0.15, 0.4)
VHF_BAND_HZ: Final = (0.4, 0.5)
MIN_INTERVALS_SPECTRUM: Final = 3
"""Fewest NN intervals for a spectrum: the quadratic spline needs k + 1 = 3 points."""


@dataclass(frozen=True, slots=True)
class SpectralParameters:
    """How a frequency figure was computed; stated wherever one leaves the engine.

    Attributes
    ----------
    interpolation_rate : float
        Resampling rate of the NN tachogram, Hz. Default 4 Hz: Kubios' default and the
        literature's usual choice (Tarvainen et al., 2014); neurokit2's default is 100 Hz.
        LF differs by about 0.2 % between the two on a real 5-minute window (DESIGN.md).
    interpolation_method : str
        ``"quadratic"``: quadratic interpolating spline, constant outside the beats (the only
        method neurokit2's ``hrv_frequency`` uses).
    psd_method : str
        ``"welch"`` (the only one implemented here).
    window : str
        Welch segment window, ``"hann"``.
    segment_rule, overlap, nfft_rule, detrend, scaling : str
        Fixed descriptions of neurokit2's choices, for provenance.
    vlf_hz, lf_hz, hf_hz : tuple of float
        Band edges, Hz, ``[low, high)``.
    normalize : bool
        Always False: powers in ms² (neurokit2 ``normalize=False``).
    """

    interpolation_rate: float = 4.0
    interpolation_method: str = "quadratic"
    psd_method: str = "welch"
    window: str = "hann"
    segment_rule: str = "nperseg = int(N / 2) for N resampled points"
    overlap: str = "50 %"
    nfft_rule: str = "2 * nperseg"
    detrend: str = "mean removed; no trend removal"
    scaling: str = "density, one-sided, ms^2/Hz"
    band_integration: str = "trapezoid over bins with low <= f < high"
    vlf_hz: tuple[float, float] = VLF_BAND_HZ
    lf_hz: tuple[float, float] = LF_BAND_HZ
    hf_hz: tuple[float, float] = HF_BAND_HZ
    normalize: bool = False

    def __post_init__(self) -> None:
        if not (self.interpolation_rate >= 1.0 and math.isfinite(self.interpolation_rate)):
            raise HrvInputError("interpolation_rate must be a finite number >= 1 Hz")
        if self.interpolation_method != "quadratic" or self.psd_method != "welch":
            raise HrvInputError("only quadratic interpolation and Welch's PSD are implemented")
        if self.window != "hann" or self.normalize:
            raise HrvInputError("only the Hann window and normalize=False are implemented")

    def as_dict(self) -> dict[str, object]:
        """Plain dict for provenance JSON (bands as ``[low, high]`` lists)."""
        out = asdict(self)
        for key in ("vlf_hz", "lf_hz", "hf_hz"):
            out[key] = list(out[key])
        return out

    def neurokit_kwargs(self) -> dict[str, object]:
        """Keyword arguments giving the same computation in ``nk.hrv_frequency``."""
        return {
            "interpolation_rate": self.interpolation_rate,
            "psd_method": self.psd_method,
            "normalize": False,
            "vlf": self.vlf_hz,
            "lf": self.lf_hz,
            "hf": self.hf_hz,
        }


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


def _as_time(t_s: npt.ArrayLike | None, x: np.ndarray) -> np.ndarray:
    if t_s is None:
        # neurokit2's default (intervals_sanitize): divide first, then cumulate.
        return np.cumsum(x / 1000.0)
    t = np.asarray(t_s, dtype=np.float64)
    if t.shape != x.shape:
        raise HrvInputError(f"t_s has shape {t.shape}, nn_ms has {x.shape}")
    if t.size and not (np.isfinite(t).all() and np.all(t[1:] > t[:-1])):
        raise HrvInputError("t_s must be finite and strictly increasing (seconds)")
    return t


def _spline_knots(x: np.ndarray) -> np.ndarray:
    """Knots of ``scipy.interpolate.make_interp_spline(x, y, k=2)`` (its ``_not_a_knot`` for
    even k): ``x[0]`` three times, the midpoints of ``x[1:-1]``'s consecutive pairs (all
    midpoints but the first and the last), ``x[-1]`` three times; ``n + 3`` knots for
    ``n`` points."""
    m = (x[1:] + x[:-1]) / 2
    return np.concatenate([np.full(3, x[0]), m[1:-1], np.full(3, x[-1])])


def _basis(
    x: np.ndarray, tm1: np.ndarray, t0: np.ndarray, t1: np.ndarray, t2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three quadratic B-splines that are non-zero at ``x`` in the knot interval
    ``[t0, t1)`` (``tm1``, ``t2``: the knots before and after it), by de Boor-Cox's
    recursion as FITPACK's ``fpbspl`` does it. Elementwise on arrays of any shape."""
    f = 1.0 / (t1 - t0)
    a1 = f * (t1 - x)
    a2 = f * (x - t0)
    f1 = a1 / (t1 - tm1)
    f2 = a2 / (t2 - t0)
    return f1 * (t1 - x), f1 * (x - tm1) + f2 * (t2 - x), f2 * (x - t0)


def _pieces(
    tm1: np.ndarray, t0: np.ndarray, t1: np.ndarray, t2: np.ndarray,
    c0: np.ndarray, c1: np.ndarray, c2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The spline on the knot interval ``[t0, t1)`` as ``p0 + u (p1 + u p2)``, ``u = x - t0``,
    from its three B-spline coefficients (the expansion of :func:`_basis`). Elementwise."""
    e = t1 - tm1
    d = t1 - t0
    g = t2 - t0
    p0 = (c0 * d + c1 * (t0 - tm1)) / e
    p1 = 2.0 * (c1 - c0) / e
    p2 = ((c0 - c1) / e + (c2 - c1) / g) / d
    return p0, p1, p2


def _spline_pieces(
    x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quadratic interpolating spline through ``(x, y)`` (``n >= 3`` points, ``x`` strictly
    increasing) as ``n - 2`` polynomial pieces; returns the knots and ``p0, p1, p2``.

    The spline of ``make_interp_spline(x, y, k=2)``: same knots, same interpolation
    conditions, so the same function; the coefficients come from a tridiagonal solve (rows
    ``i`` hold ``B[i-1..i+1](x[i])``; rows 0 and ``n - 1`` are ``c = y``) by the Thomas
    algorithm in plain Python floats, in exactly the operation order of
    :func:`_spline_pieces_batch`, so both give the same bits. No pivoting: a B-spline
    collocation matrix is totally positive, for which Gaussian elimination without pivoting
    is stable (de Boor & Pinkus, 1977); on real windows the values equal scipy's (LU with
    partial pivoting) to a few 1e-16 relative, and to ~3e-14 of the largest value on
    random series whose intervals vary a hundredfold.
    """
    n = x.size
    t = _spline_knots(x)
    tm1, t0, t1, t2 = t[1 : n - 1], t[2:n], t[3 : n + 1], t[4 : n + 2]
    sub, diag, sup = _basis(x[1 : n - 1], tm1, t0, t1, t2)
    c = _thomas(sub.tolist(), diag.tolist(), sup.tolist(), y.tolist())
    p0, p1, p2 = _pieces(tm1, t0, t1, t2, c[: n - 2], c[1 : n - 1], c[2:])
    return t, p0, p1, p2


def _thomas(sub: list[float], diag: list[float], sup: list[float], y: list[float]) -> np.ndarray:
    """Solve the spline system: rows ``1..n-2`` are ``(sub, diag, sup)``, rows 0 and ``n - 1``
    the identity. Forward elimination then back substitution (no pivoting)."""
    n = len(y)
    cps = [0.0] * n
    dps = [0.0] * n
    cp = 0.0  # row 0: (a, b, c) = (0, 1, 0)
    dp = dps[0] = y[0]
    for i, (a, b, c_, d) in enumerate(zip(sub, diag, sup, y[1:], strict=False), start=1):
        den = b - a * cp
        cp = c_ / den
        dp = (d - a * dp) / den
        cps[i] = cp
        dps[i] = dp
    # Row n - 1: (0, 1, 0), as the batch computes it: den = 1 - 0 * cp, and so on.
    den = 1.0 - 0.0 * cp
    dp = (y[n - 1] - 0.0 * dp) / den
    cps[n - 1] = 0.0 / den
    dps[n - 1] = dp
    out = [0.0] * n
    xi = out[n - 1] = dps[n - 1] - cps[n - 1] * 0.0
    for i in range(n - 2, -1, -1):
        xi = dps[i] - cps[i] * xi
        out[i] = xi
    return np.asarray(out)


def interpolate_nn(
    nn_ms: np.ndarray, t_s: np.ndarray, rate_hz: float
) -> tuple[np.ndarray, np.ndarray]:
    """Resample NN intervals at ``rate_hz`` as neurokit2's ``intervals_process`` does.

    Parameters
    ----------
    nn_ms : ndarray
        NN intervals, ms (>= 3 values).
    t_s : ndarray
        Time of the beat ending each interval, s, strictly increasing.
    rate_hz : float
        Resampling rate, Hz.

    Returns
    -------
    x_new : ndarray
        Grid ``np.arange(t_s[0], t_s[-1] + 1/rate, 1/rate)``, s.
    y_new : ndarray
        Quadratic interpolating spline of ``nn_ms`` on the grid, held at the last value past
        the last beat, ms.

    Notes
    -----
    The spline is scipy's ``make_interp_spline(t_s, nn_ms, k=2)`` (what neurokit2's
    ``interp1d(kind="quadratic")`` builds), computed with numpy alone (importing
    ``scipy.interpolate`` costs ~0.3 s): same knots and conditions, values equal to
    rounding (a few 1e-16 relative on real windows).
    """
    x = np.asarray(t_s, dtype=np.float64)
    y = np.asarray(nn_ms, dtype=np.float64)
    if x.size < 3 or x.shape != y.shape:
        raise HrvInputError("a quadratic spline needs >= 3 points, as many times as intervals")
    step = 1 / rate_hz
    x_new = np.arange(start=x[0], stop=x[-1] + step, step=step)
    t, p0, p1, p2 = _spline_pieces(x, y)
    j = np.searchsorted(t, x_new, side="right") - 3  # piece: interior knots <= x
    np.clip(j, 0, x.size - 3, out=j)
    u = x_new - t[2:-1][j]
    y_new = p0[j] + u * (p1[j] + u * p2[j])
    # interp1d(bounds_error=False, fill_value=(y[0], y[-1])): x_new never starts before t_s[0]
    y_new[x_new > x[-1]] = y[-1]
    return x_new, y_new


def _band_power(f: np.ndarray, p: np.ndarray, band: tuple[float, float]) -> float:
    where = (f >= band[0]) & (f < band[1])
    power = float(np.trapezoid(y=p[where], x=f[where]))
    return math.nan if power == 0.0 else power


def _hann_window(n: int) -> np.ndarray:
    """Periodic ("DFT-even") Hann window of ``n`` points, computed as scipy computes it."""
    if n <= 1:
        return np.ones(n)
    fac = np.linspace(-np.pi, np.pi, n + 1)
    return (0.5 + 0.5 * np.cos(fac))[:-1]


@functools.lru_cache(maxsize=64)
def _hann(nperseg: int) -> tuple[np.ndarray, float]:
    """Periodic Hann window and its sum of squares.

    Bit for bit scipy's ``get_window("hann", n)`` (``general_cosine`` with ``a = [0.5, 0.5]``
    on ``n + 1`` points, the last dropped), without importing ``scipy.signal`` (~0.3 s).
    """
    w = _hann_window(nperseg)
    w.setflags(write=False)
    return w, float(w @ w)


def _welch(signal: np.ndarray, rate_hz: float, nperseg: int) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.signal.welch`` with neurokit2's arguments, without its generic overhead.

    Same as ``welch(signal, fs=rate_hz, window="hann", nperseg=nperseg, noverlap=nperseg // 2,
    nfft=2 * nperseg, detrend=False, scaling="density", average="mean")`` (one-sided, real
    input): segments every ``nperseg - nperseg // 2`` samples, no padding of the tail.
    """
    nfft = 2 * nperseg
    step = nperseg - nperseg // 2
    n_seg = (signal.size - nperseg) // step + 1
    w, w2 = _hann(nperseg)
    segments = np.lib.stride_tricks.sliding_window_view(signal, nperseg)[::step][:n_seg]
    spectrum = np.fft.rfft(segments * w, n=nfft, axis=-1)
    power = spectrum.real**2 + spectrum.imag**2
    p = power.mean(axis=0) / (rate_hz * w2)
    p[1:-1] *= 2.0  # one-sided: fold negative frequencies; nfft is even, so not Nyquist
    f = np.arange(p.size) * (rate_hz / nfft)
    return f, p


def welch_psd(signal: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
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
    f, p = _welch(signal, rate_hz, nperseg)
    keep = (f >= min_frequency) & (f <= VHF_BAND_HZ[1])
    return f[keep], p[keep]


def frequency_domain(
    nn_ms: npt.ArrayLike,
    t_s: npt.ArrayLike | None = None,
    params: SpectralParameters = SpectralParameters(),  # noqa: B008 - frozen, immutable
) -> FrequencyDomain:
    """LF, HF (ms²), LF/HF, VLF, TP and the HF peak of one window of NN intervals.

    Equal to ``nk.hrv_frequency({"RRI": nn_ms, "RRI_Time": t_s}, normalize=False,
    interpolation_rate=params.interpolation_rate, psd_method="welch")`` (to about 1e-12
    relative; tested to 1e-6), at a fraction of the cost (no pandas).

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
    x = _as_nn(nn_ms)
    t = _as_time(t_s, x)
    if x.size < MIN_INTERVALS_SPECTRUM:
        return FrequencyDomain.empty(
            f"{x.size} NN interval(s): a spectrum needs >= {MIN_INTERVALS_SPECTRUM}"
        )
    rate = params.interpolation_rate
    _, y = interpolate_nn(x, t, rate)
    f, p = welch_psd(y, rate)
    ulf = _band_power(f, p, ULF_BAND_HZ)
    vlf = _band_power(f, p, params.vlf_hz)
    lf = _band_power(f, p, params.lf_hz)
    hf = _band_power(f, p, params.hf_hz)
    vhf = _band_power(f, p, VHF_BAND_HZ)
    bands = [ulf, vlf, lf, hf, vhf]
    # neurokit2 sums with nansum, which gives 0 ms² when every band is empty: NaN here.
    total = math.nan if all(map(math.isnan, bands)) else float(np.nansum(bands))
    in_hf = (f >= params.hf_hz[0]) & (f < params.hf_hz[1])
    hf_peak = float(f[in_hf][np.argmax(p[in_hf])]) if in_hf.any() else math.nan
    resolution = float(f[1] - f[0]) if f.size > 1 else math.nan
    reason = None
    if math.isnan(lf) or math.isnan(hf):
        reason = f"{y.size / rate:.0f} s resampled: no spectral bin in LF or HF"
    return FrequencyDomain(
        vlf, lf, hf, lf / hf, total, hf_peak, resolution, int(y.size), reason
    )


@dataclass(frozen=True, slots=True)
class FrequencyDomainWindows:
    """Frequency-domain HRV of many windows of one series; arrays of one value per window.

    Same definitions and units as :class:`FrequencyDomain`; NaN where :func:`frequency_domain`
    gives NaN, with the same ``reasons``.
    """

    vlf: np.ndarray
    lf: np.ndarray
    hf: np.ndarray
    lfhf: np.ndarray
    total_power: np.ndarray
    hf_peak_hz: np.ndarray
    resolution_hz: np.ndarray
    n_samples: np.ndarray
    reasons: tuple[str | None, ...]

    def __len__(self) -> int:
        return int(self.n_samples.size)

    def window(self, k: int) -> FrequencyDomain:
        """Window ``k`` as a :class:`FrequencyDomain`."""
        return FrequencyDomain(
            float(self.vlf[k]),
            float(self.lf[k]),
            float(self.hf[k]),
            float(self.lfhf[k]),
            float(self.total_power[k]),
            float(self.hf_peak_hz[k]),
            float(self.resolution_hz[k]),
            int(self.n_samples[k]),
            self.reasons[k],
        )


_SOLVE_WINDOWS: Final = 1024
"""Windows whose spline systems are solved together (one Thomas sweep): bounds the work
arrays to a few MB each whatever the length of the recording."""
_FFT_WINDOWS: Final = 128
"""Windows resampled and transformed together (arrays of about 1 MB for 5-minute windows)."""
_MIN_BATCH_SAMPLES: Final = 16
"""Windows resampled to fewer points go through :func:`frequency_domain` one by one."""
_FD_ARRAYS: Final = ("vlf", "lf", "hf", "lfhf", "total_power", "hf_peak_hz", "resolution_hz")


def frequency_domain_windows(
    nn_ms: npt.ArrayLike,
    t_s: npt.ArrayLike,
    starts: npt.ArrayLike,
    stops: npt.ArrayLike,
    params: SpectralParameters = SpectralParameters(),  # noqa: B008 - frozen, immutable
) -> FrequencyDomainWindows:
    """:func:`frequency_domain` of many windows ``nn_ms[starts[k]:stops[k]]`` at once.

    Window ``k`` gives what ``frequency_domain(nn_ms[a:b], t_s[a:b], params)`` gives, bit for
    bit: the same operations in the same order, on arrays of windows instead of one window
    (tested to 1e-12 relative). For sliding windows it costs a fraction of the window-by-window
    loop: the series is validated once; the spline systems of up to ``_SOLVE_WINDOWS`` windows
    are solved in one Thomas sweep over their rows (see :func:`_spline_pieces`); windows with
    the same number of resampled points share the Welch segment length, one FFT call on their
    stacked, zero-padded segments and the band index ranges.

    Parameters
    ----------
    nn_ms : array_like
        NN intervals, ms, 1-D, finite, > 0: one continuous series.
    t_s : array_like
        Time of the beat ending each interval, s, strictly increasing.
    starts, stops : array_like of int
        Index bounds of each window (``stops`` exclusive), ``0 <= start <= stop <= n``.
    params : SpectralParameters
        As for :func:`frequency_domain`.

    Returns
    -------
    FrequencyDomainWindows
        One value per window.

    Raises
    ------
    HrvInputError
        On invalid intervals, times or bounds.
    """
    x = _as_nn(nn_ms)
    t = _as_time(t_s, x)
    a = np.asarray(starts, dtype=np.intp)
    b = np.asarray(stops, dtype=np.intp)
    if a.shape != b.shape or a.ndim != 1:
        raise HrvInputError("starts and stops must be 1-D arrays of the same length")
    if a.size and (a.min() < 0 or b.max() > x.size or np.any(b < a)):
        raise HrvInputError("window bounds must satisfy 0 <= start <= stop <= len(nn_ms)")
    count = a.size
    out = {name: np.full(count, math.nan) for name in _FD_ARRAYS}
    n_samples = np.zeros(count, dtype=np.int64)
    reasons: list[str | None] = [None] * count
    n = b - a
    for k in np.flatnonzero(n < MIN_INTERVALS_SPECTRUM):
        reasons[k] = f"{n[k]} NN interval(s): a spectrum needs >= {MIN_INTERVALS_SPECTRUM}"

    rate = params.interpolation_rate
    step = 1 / rate
    ok = np.flatnonzero(n >= MIN_INTERVALS_SPECTRUM)
    # Resampled points per window, as np.arange(t0, t_last + step, step) counts them.
    npts = np.ceil(((t[b[ok] - 1] + step) - t[a[ok]]) / step).astype(np.intp)
    odd = npts < _MIN_BATCH_SAMPLES
    for k in ok[odd]:
        fd = frequency_domain(x[a[k] : b[k]], t[a[k] : b[k]], params)
        for name in _FD_ARRAYS:
            out[name][k] = getattr(fd, name)
        n_samples[k] = fd.n_samples
        reasons[k] = fd.reason
    ok, npts = ok[~odd], npts[~odd]
    order = np.argsort(npts, kind="stable")
    ok, npts = ok[order], npts[order]
    mid = (t[1:] + t[:-1]) / 2  # every window's interior knots are a slice of these
    for lo in range(0, ok.size, _SOLVE_WINDOWS):
        sel = ok[lo : lo + _SOLVE_WINDOWS]
        sizes = npts[lo : lo + _SOLVE_WINDOWS]
        pieces = _spline_pieces_batch(x, t, mid, a[sel], b[sel])
        for size in np.unique(sizes):
            same = np.flatnonzero(sizes == size)
            for g0 in range(0, same.size, _FFT_WINDOWS):
                g = same[g0 : g0 + _FFT_WINDOWS]
                k = sel[g]
                y = _resample_batch(x, t, mid, a[k], b[k], int(size), step, [p[g] for p in pieces])
                values = _spectra_batch(y, rate, params)
                for name, v in values.items():
                    out[name][k] = v
                n_samples[k] = size
                no_bin = np.isnan(values["lf"]) | np.isnan(values["hf"])
                for kk in k[no_bin]:
                    reasons[kk] = f"{size / rate:.0f} s resampled: no spectral bin in LF or HF"
    return FrequencyDomainWindows(
        *(out[name] for name in _FD_ARRAYS), n_samples=n_samples, reasons=tuple(reasons)
    )


def _spline_pieces_batch(
    x: np.ndarray, t: np.ndarray, mid: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_spline_pieces` of the windows ``(t[a:b], x[a:b])`` (each >= 3 points).

    Returns ``t0, p0, p1, p2``, shape ``(windows, nmax - 2)``: piece ``j`` of window ``k``
    starts at knot ``t0[k, j]``; pieces ``j >= n - 2`` of a shorter window are padding (not
    finite). Computed rows x windows, so that each step of the sweep is contiguous.
    """
    n = b - a
    nmax = int(n.max())
    w = a.size
    rows = np.arange(nmax + 3)[:, None]
    # Knots: t[a] three times, mid[a + 1 .. a + n - 3], then t[b - 1] (and in the padding).
    knots = mid[np.clip(a + rows - 2, 0, mid.size - 1)]
    knots = np.where(rows < 3, t[a], knots)
    knots = np.where(rows >= n, t[b - 1], knots)
    tm1, t0, t1, t2 = knots[1 : nmax - 1], knots[2:nmax], knots[3 : nmax + 1], knots[4 : nmax + 2]
    inner = rows[1 : nmax - 1]
    inside = inner < n - 1  # rows 1 .. n - 2 of each window
    with np.errstate(divide="ignore", invalid="ignore"):
        sub, diag, sup = _basis(t[np.minimum(a + inner, t.size - 1)], tm1, t0, t1, t2)
    # Identity rows (0, 1, 0) at 0, n - 1 and in the padding, whose right-hand side is 0.
    big_a = np.zeros((nmax, w))
    big_b = np.ones((nmax, w))
    big_c = np.zeros((nmax, w))
    np.copyto(big_a[1 : nmax - 1], sub, where=inside)
    np.copyto(big_b[1 : nmax - 1], diag, where=inside)
    np.copyto(big_c[1 : nmax - 1], sup, where=inside)
    all_rows = rows[:nmax]
    big_d = np.where(all_rows < n, x[np.minimum(a + all_rows, x.size - 1)], 0.0)
    # The sweep of _thomas, each operation on a row of all windows.
    cps = np.empty((nmax, w))
    dps = np.empty((nmax, w))
    cps[0] = 0.0  # row 0: (0, 1, 0)
    dps[0] = big_d[0]
    cp, dp = cps[0], dps[0]
    for i in range(1, nmax):
        ai = big_a[i]
        den = big_b[i] - ai * cp
        cp = cps[i] = big_c[i] / den
        dp = dps[i] = (big_d[i] - ai * dp) / den
    coef = np.empty((nmax, w))
    xi = coef[nmax - 1] = dps[nmax - 1] - cps[nmax - 1] * 0.0
    for i in range(nmax - 2, -1, -1):
        xi = coef[i] = dps[i] - cps[i] * xi
    with np.errstate(divide="ignore", invalid="ignore"):
        p0, p1, p2 = _pieces(tm1, t0, t1, t2, coef[: nmax - 2], coef[1 : nmax - 1], coef[2:])
    return t0.T.copy(), p0.T.copy(), p1.T.copy(), p2.T.copy()


def _resample_batch(
    x: np.ndarray, t: np.ndarray, mid: np.ndarray, a: np.ndarray, b: np.ndarray, size: int,
    step: float, pieces: list[np.ndarray],
) -> np.ndarray:
    """:func:`interpolate_nn`'s values for windows of ``size`` resampled points (rows)."""
    w = a.size
    n = b - a
    first = t[a]
    # np.arange's values: start, start + step, then start + i * ((start + step) - start).
    second = first + step
    delta = second - first
    grid = first[:, None] + np.arange(size, dtype=np.float64) * delta[:, None]
    grid[:, 1] = second
    # Grid points per piece. For each interior knot mid[a + 1 .. b - 3], the first grid index
    # at or past it: an estimate, corrected by exact comparisons with the grid values.
    n_inner = n - 3
    row = np.repeat(np.arange(w), n_inner)
    inner_off = np.cumsum(n_inner) - n_inner
    local = np.arange(row.size) - inner_off[row]
    knot = mid[a[row] + 1 + local]
    f_r, s_r, d_r = first[row], second[row], delta[row]

    def value(i: np.ndarray) -> np.ndarray:
        return np.where(i == 1, s_r, np.where(i == 0, f_r, f_r + i * d_r))

    i = np.clip(np.ceil((knot - f_r) / d_r), 0, size).astype(np.intp)
    while True:
        down = (i > 0) & (value(np.maximum(i - 1, 0)) >= knot)
        up = ~down & (i < size) & (value(np.minimum(i, size - 1)) < knot)
        if not (down.any() or up.any()):
            break
        i += up.astype(np.intp) - down.astype(np.intp)
    # Bounds of the pieces of each window: 0, the knots' indices, size; counts = differences.
    n_bounds = n - 1
    off = np.cumsum(n_bounds) - n_bounds
    bounds = np.empty(int(n_bounds.sum()), dtype=np.intp)
    bounds[off] = 0
    bounds[off + n_bounds - 1] = size
    bounds[off[row] + 1 + local] = i
    counts = np.diff(bounds)
    counts = np.delete(counts, off[1:] - 1)  # the steps from one window to the next
    valid = np.arange(pieces[0].shape[1]) < (n - 2)[:, None]
    t0, p0, p1, p2 = (np.repeat(p[valid], counts) for p in pieces)
    u = grid.ravel() - t0
    y = (p0 + u * (p1 + u * p2)).reshape(w, size)
    # Held at the last value past the last beat: the last grid point, and sometimes the one
    # before (np.arange's i * delta drifts from i * step by up to ~1e-8 s over a window).
    past = grid > t[b - 1][:, None]
    rows_past, cols_past = np.nonzero(past)
    y[rows_past, cols_past] = x[b - 1][rows_past]
    return y


def _spectra_batch(y: np.ndarray, rate: float, params: SpectralParameters) -> dict[str, np.ndarray]:
    """:func:`welch_psd` and the figures of :func:`frequency_domain` for resampled windows
    of one length (the rows of ``y``)."""
    w, n = y.shape
    signal = y - np.mean(y, axis=1, keepdims=True)
    min_frequency = (2 * rate) / (n / 2)
    nperseg = int((2 / min_frequency) * rate)  # same float expression as neurokit2
    if nperseg > n / 2:
        nperseg = int(n / 2)
    nfft = 2 * nperseg
    hop = nperseg - nperseg // 2
    n_seg = (n - nperseg) // hop + 1
    hann, w2 = _hann(nperseg)
    f_all = np.arange(nfft // 2 + 1) * (rate / nfft)
    kept = np.flatnonzero((f_all >= min_frequency) & (f_all <= VHF_BAND_HZ[1]))
    k0, k1 = (int(kept[0]), int(kept[-1]) + 1) if kept.size else (0, 0)
    f = f_all[k0:k1]
    # Zero-padded segments written in place: numpy's rfft(n=nfft) pads the same zeros, slower.
    padded = np.zeros((w, n_seg, nfft))
    for s in range(n_seg):
        np.multiply(signal[:, s * hop : s * hop + nperseg], hann, out=padded[:, s, :nperseg])
    spectrum = np.fft.rfft(padded, axis=-1)[:, :, k0:k1]
    power = spectrum.real**2 + spectrum.imag**2
    p = power.mean(axis=1) / (rate * w2)
    bins = np.arange(k0, k1)
    p[:, (bins >= 1) & (bins <= nfft // 2 - 1)] *= 2.0  # one-sided, as _welch's p[1:-1]

    def band(edges: tuple[float, float]) -> np.ndarray:
        i = np.flatnonzero((f >= edges[0]) & (f < edges[1]))
        if i.size == 0:
            return np.full(w, math.nan)
        power = np.trapezoid(y=p[:, i[0] : i[-1] + 1], x=f[i[0] : i[-1] + 1], axis=-1)
        return np.where(power == 0.0, math.nan, power)

    ulf = band(ULF_BAND_HZ)
    vlf = band(params.vlf_hz)
    lf = band(params.lf_hz)
    hf = band(params.hf_hz)
    vhf = band(VHF_BAND_HZ)
    bands = np.stack([ulf, vlf, lf, hf, vhf], axis=1)
    total = np.where(np.isnan(bands).all(axis=1), math.nan, np.nansum(bands, axis=1))
    in_hf = np.flatnonzero((f >= params.hf_hz[0]) & (f < params.hf_hz[1]))
    if in_hf.size:
        hf_peak = f[in_hf[0] + np.argmax(p[:, in_hf[0] : in_hf[-1] + 1], axis=1)]
    else:
        hf_peak = np.full(w, math.nan)
    resolution = float(f[1] - f[0]) if f.size > 1 else math.nan
    return {
        "vlf": vlf, "lf": lf, "hf": hf, "lfhf": lf / hf, "total_power": total,
        "hf_peak_hz": hf_peak, "resolution_hz": np.full(w, resolution),
    }
