"""Frequency-domain HRV of many windows of one series at once (``tolerance analyze``).

:func:`frequency_domain_windows` gives, for each window ``nn_ms[starts[k]:stops[k]]``, what
:func:`tolerance.hrv.frequency.frequency_domain` gives for that slice, bit for bit (tested to
1e-12 relative): the same operations in the same order, on arrays of windows instead of one
window. Method, parameters, units and references: :mod:`tolerance.hrv.frequency` (neurokit2's
``hrv_frequency`` with ``normalize=False``, Welch, 4 Hz quadratic spline by default).

Where the time goes for thousands of sliding windows, and what is shared:

* the series is validated once;
* the spline systems of up to :data:`_SOLVE_WINDOWS` windows are solved in one Thomas sweep
  over their rows (:func:`tolerance.hrv.spline.spline_pieces_batch`);
* windows with the same number of resampled points share the Welch segment length, one FFT
  call on their stacked, zero-padded segments, and the band index ranges.

On a 24-hour file (2,870 five-minute windows) this is a fraction of the window-by-window
loop, whose cost is mostly per-call overhead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from .errors import HrvInputError
from .frequency import (
    MIN_INTERVALS_SPECTRUM,
    ULF_BAND_HZ,
    VHF_BAND_HZ,
    FrequencyDomain,
    SpectralParameters,
    frequency_domain,
    segment_starts,
    spectral_figures,
)
from .hann import hann_with_power
from .inputs import as_nn, as_time
from .kubios import kubios_psd_many
from .spline import spline_pieces_batch

__all__ = ["FrequencyDomainWindows", "frequency_domain_windows"]


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
    (tested to 1e-12 relative); what is shared between windows: module docstring.

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
    x = as_nn(nn_ms)
    t = as_time(t_s, x)
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
    if params.welch_segments == "kubios":
        _kubios_windows(x, t, a[ok], b[ok], ok, params, out, n_samples, reasons)
        ok = ok[:0]  # all done: the Welch layouts' batch below runs over no window
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
        pieces = spline_pieces_batch(x, t, mid, a[sel], b[sel])
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
        vlf=out["vlf"],
        lf=out["lf"],
        hf=out["hf"],
        lfhf=out["lfhf"],
        total_power=out["total_power"],
        hf_peak_hz=out["hf_peak_hz"],
        resolution_hz=out["resolution_hz"],
        n_samples=n_samples,
        reasons=tuple(reasons),
    )


def _kubios_windows(
    x: np.ndarray,
    t: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    ks: np.ndarray,
    params: SpectralParameters,
    out: dict[str, np.ndarray],
    n_samples: np.ndarray,
    reasons: list[str | None],
) -> None:
    """Kubios' spectrum of windows ``ks`` (bounds ``a``, ``b``) into the result arrays, in
    chunks of :data:`_FFT_WINDOWS` (windows of one length share a factorisation and an FFT)."""
    lam = params.detrend_lambda  # None: detrending "none"
    seg, ov, pts = (
        float(v) if v is not None else math.nan
        for v in (params.welch_segment_s, params.welch_overlap, params.points_per_hz)
    )
    for lo in range(0, ks.size, _FFT_WINDOWS):
        chunk = range(lo, min(lo + _FFT_WINDOWS, ks.size))
        psds = kubios_psd_many(
            [(x[a[i] : b[i]], t[a[i] : b[i]]) for i in chunk], params.interpolation_rate, lam, seg, ov, pts
        )
        for i, (f, p, size) in zip(chunk, psds, strict=True):
            fd = spectral_figures(f, p, size, params)
            k = ks[i]
            for name in _FD_ARRAYS:
                out[name][k] = getattr(fd, name)
            n_samples[k] = size
            reasons[k] = fd.reason


def _resample_batch(
    x: np.ndarray,
    t: np.ndarray,
    mid: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    size: int,
    step: float,
    pieces: list[np.ndarray],
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
        v: np.ndarray = np.where(i == 1, s_r, np.where(i == 0, f_r, f_r + i * d_r))
        return v

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
    y: np.ndarray = (p0 + u * (p1 + u * p2)).reshape(w, size)
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
    starts = segment_starts(n, nperseg, params.welch_segments)
    n_seg = starts.size
    hann, w2 = hann_with_power(nperseg)
    f_all = np.arange(nfft // 2 + 1) * (rate / nfft)
    kept = np.flatnonzero((f_all >= min_frequency) & (f_all <= VHF_BAND_HZ[1]))
    k0, k1 = (int(kept[0]), int(kept[-1]) + 1) if kept.size else (0, 0)
    f = f_all[k0:k1]
    # Zero-padded segments written in place: numpy's rfft(n=nfft) pads the same zeros, slower.
    padded = np.zeros((w, n_seg, nfft))
    for s, start in enumerate(starts):
        np.multiply(signal[:, start : start + nperseg], hann, out=padded[:, s, :nperseg])
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
        "vlf": vlf,
        "lf": lf,
        "hf": hf,
        "lfhf": lf / hf,
        "total_power": total,
        "hf_peak_hz": hf_peak,
        "resolution_hz": np.full(w, resolution),
    }
