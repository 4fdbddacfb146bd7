"""Time-domain HRV of NN intervals, exactly as neurokit2 0.2.13's ``hrv_time`` defines it.

Two entry points:

* :func:`time_domain` for one window (the live engine calls it per beat on 30 s / 60 s
  windows, so it is written for small arrays: a handful of numpy calls, no pandas);
* :func:`time_domain_windows` for many windows of one series at once (offline analysis),
  from compensated prefix sums, O(n + windows).

Definitions (neurokit2 ``hrv_time``, checked in its source):

* ``HRV_MeanNN`` (ms): mean of the NN intervals.
* ``HRV_SDNN`` (ms): sample standard deviation of the NN intervals (``ddof=1``).
* ``HRV_RMSSD`` (ms): root of the mean squared successive difference, mean over the
  ``n - 1`` differences.
* ``HRV_pNN50`` (%): number of successive differences whose absolute value is *strictly*
  greater than 50 ms, divided by ``n`` (the number of intervals, i.e. differences + 1, as
  neurokit2 does; Mietus et al. divide by the number of differences: for 60 intervals the two
  differ by 1.7 %) and multiplied by 100.
* ``HR`` (beats/min): ``60000 / MeanNN``, the heart rate of the mean interval. It is not the
  mean of the instantaneous heart rates, which is larger (Jensen's inequality).

Minimum sizes (a window with fewer intervals gives NaN with a reason, never a number computed
from too little): MeanNN and HR need >= 1 interval; SDNN, RMSSD and pNN50 need >= 2 intervals
(one successive difference). These are mathematical minimums; whether a 30 s figure means
anything is a separate question: RMSSD over 60-120 s agrees closely with 5-minute RMSSD
(r about 0.95-0.99), over 10 s only loosely (r about 0.85) (Munoz et al., 2015). 30-60 s
windows are *ultra-short-term* figures for the live display; 5-minute windows are the
*standard* short-term figures (Task Force, 1996).

References
----------
* Task Force of the European Society of Cardiology and the North American Society of Pacing
  and Electrophysiology (1996). Heart rate variability: standards of measurement,
  physiological interpretation and clinical use. Circulation, 93(5), 1043-1065.
* Mietus, J. E., Peng, C. K., Henry, I., Goldsmith, R. L., & Goldberger, A. L. (2002). The
  pNNx files: re-examining a widely used heart rate variability measure. Heart, 88(4), 378-380.
* Munoz, M. L., et al. (2015). Validity of (ultra-)short recordings for heart rate variability
  measurements. PLoS One, 10(9), e0138921.
* Makowski, D., et al. (2021). NeuroKit2: A Python toolbox for neurophysiological signal
  processing. Behavior Research Methods, 53(4), 1689-1696 (``neurokit2.hrv_time``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from .errors import HrvInputError
from .inputs import as_nn

__all__ = [
    "MIN_INTERVALS_MEAN",
    "MIN_INTERVALS_VARIABILITY",
    "PNN50_THRESHOLD_MS",
    "HrvInputError",
    "TimeDomain",
    "TimeDomainWindows",
    "time_domain",
    "time_domain_windows",
]

MIN_INTERVALS_MEAN: Final = 1
"""Fewest NN intervals for MeanNN and HR."""
MIN_INTERVALS_VARIABILITY: Final = 2
"""Fewest NN intervals for SDNN, RMSSD and pNN50 (one successive difference)."""
PNN50_THRESHOLD_MS: Final = 50.0
"""pNN50 counts successive differences strictly greater than this (ms)."""
_MS_PER_MIN: Final = 60_000.0


@dataclass(frozen=True, slots=True)
class TimeDomain:
    """Time-domain HRV of one window of NN intervals.

    Attributes
    ----------
    n_beats : int
        Number of NN intervals in the window.
    mean_nn, sdnn, rmssd : float
        ms; NaN when the window is too small (see ``reason``).
    pnn50 : float
        %, neurokit2's denominator (number of intervals); NaN when too small.
    hr_bpm : float
        60000 / MeanNN, beats/min; NaN for an empty window.
    reason : str or None
        Why some values are NaN; None when all are computed.
    """

    n_beats: int
    mean_nn: float
    sdnn: float
    rmssd: float
    pnn50: float
    hr_bpm: float
    reason: str | None = None

    def as_dict(self) -> dict[str, float | None]:
        """neurokit2's names (``HRV_MeanNN`` ...) plus ``HR``; NaN becomes None (JSON null)."""
        values = {
            "HRV_MeanNN": self.mean_nn,
            "HRV_SDNN": self.sdnn,
            "HRV_RMSSD": self.rmssd,
            "HRV_pNN50": self.pnn50,
            "HR": self.hr_bpm,
        }
        return {k: (None if math.isnan(v) else v) for k, v in values.items()}


def _too_few(n: int) -> str:
    return (
        f"{n} NN interval(s): SDNN, RMSSD and pNN50 need >= {MIN_INTERVALS_VARIABILITY}"
        if n >= MIN_INTERVALS_MEAN
        else "no NN intervals"
    )


def time_domain(nn_ms: npt.ArrayLike) -> TimeDomain:
    """Time-domain HRV of one window of NN intervals, equal to ``nk.hrv_time``.

    Parameters
    ----------
    nn_ms : array_like
        NN intervals (artifact-corrected RR), ms, 1-D, finite, > 0. Any length: 30-60 s
        windows are ultra-short-term figures, 5 minutes the standard (module docstring).

    Returns
    -------
    TimeDomain
        MeanNN, SDNN (ddof=1), RMSSD, pNN50 (% of n intervals), HR = 60000/MeanNN.
        Values below the minimum sizes are NaN with a ``reason``.

    Raises
    ------
    HrvInputError
        If the input is not 1-D or holds non-finite or non-positive values.

    Notes
    -----
    Equal to ``nk.hrv_time({"RRI": nn_ms, "RRI_Time": t_s})`` to about 1e-15 relative for
    consecutive intervals (``t_s`` their cumulative sum): the summation order differs
    (BLAS dot products here, pairwise sums in numpy), nothing else.

    References
    ----------
    Task Force (1996); Mietus et al. (2002); neurokit2 ``hrv_time`` (module docstring).
    """
    x = as_nn(nn_ms)
    n = int(x.size)
    if n < MIN_INTERVALS_MEAN:
        nan = math.nan
        return TimeDomain(0, nan, nan, nan, nan, nan, _too_few(0))
    mean = float(x.sum()) / n
    hr = _MS_PER_MIN / mean
    if n < MIN_INTERVALS_VARIABILITY:
        nan = math.nan
        return TimeDomain(n, mean, nan, nan, nan, hr, _too_few(n))
    dev = x - mean
    d = x[1:] - x[:-1]
    sdnn = math.sqrt(float(dev @ dev) / (n - 1))
    rmssd = math.sqrt(float(d @ d) / (n - 1))
    nn50 = int(np.count_nonzero(np.abs(d) > PNN50_THRESHOLD_MS))
    return TimeDomain(n, mean, sdnn, rmssd, 100.0 * nn50 / n, hr)


@dataclass(frozen=True, slots=True)
class TimeDomainWindows:
    """Time-domain HRV of many windows of one series; arrays of one value per window.

    Same definitions, units and minimum sizes as :class:`TimeDomain`; NaN where a window is
    too small.
    """

    n_beats: np.ndarray
    mean_nn: np.ndarray
    sdnn: np.ndarray
    rmssd: np.ndarray
    pnn50: np.ndarray
    hr_bpm: np.ndarray

    def __len__(self) -> int:
        return int(self.n_beats.size)

    def window(self, k: int) -> TimeDomain:
        """Window ``k`` as a :class:`TimeDomain` (with the reason when values are NaN)."""
        n = int(self.n_beats[k])
        reason = None if n >= MIN_INTERVALS_VARIABILITY else _too_few(n)
        return TimeDomain(
            n,
            float(self.mean_nn[k]),
            float(self.sdnn[k]),
            float(self.rmssd[k]),
            float(self.pnn50[k]),
            float(self.hr_bpm[k]),
            reason,
        )


_PREFIX_CHUNK: Final = 1 << 18
"""Intervals whose prefix sums are computed at a time (a few MB), see :func:`_prefix_sums_at`."""


def _compensated_prefix_sum(v: np.ndarray, carry: tuple[float, float] = (0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """Prefix sums ``P[i] = carry + sum(v[:i])`` as a high and a low part, ``P = hi + lo``.

    A window sum is a difference of two prefix sums; over a day of beats the prefixes grow
    large and plain ``cumsum`` loses digits to that difference (cancellation). The rounding
    error of every step is recovered exactly with Knuth's TwoSum, vectorised from the
    elementwise sums, and accumulated in ``lo``. This does not assume anything about the
    order in which ``np.cumsum`` adds: the error is measured against its actual output.
    ``carry`` is ``(hi, lo)`` of the prefix before ``v``: ``np.cumsum`` adds in order, so
    a series cut in pieces, each started from the previous one's last prefix, gives the same
    floats as the whole series at once.
    """
    hi = np.empty(v.size + 1)
    hi[0] = carry[0]
    hi[1:] = v
    if v.size:
        hi[1] += carry[0]  # the first step of cumsum over [carry, v]: carry + v[0]
    np.cumsum(hi[1:], out=hi[1:])
    a, b = hi[:-1], v
    s = a + b  # fl(a + b), correctly rounded
    bb = s - a
    err = (a - (s - bb)) + (b - bb)  # TwoSum: a + b == s + err exactly
    err += s - hi[1:]  # exact (Sterbenz) where cumsum's output differs from fl(a + b)
    lo = np.empty(v.size + 1)
    lo[0] = carry[1]
    lo[1:] = err
    if v.size:
        lo[1] += carry[1]
    np.cumsum(lo[1:], out=lo[1:])
    return hi, lo


_MEDIAN_BINS: Final = 4096


def _median(x: np.ndarray) -> float:
    """``np.median(x)``, exactly, without its sorted copy of the whole series (8 bytes per
    interval): the values are counted into bins of their range piece by piece, and only the
    bin(s) holding the middle rank(s) are gathered and partitioned. The bin of a value,
    ``floor((v - min) * scale)``, never decreases as ``v`` grows, so ranks carry over exactly;
    the middle value(s) are those ``np.median`` takes, averaged the way it averages them."""
    n = x.size
    if n <= _PREFIX_CHUNK:
        return float(np.median(x))
    lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        return lo
    scale = _MEDIAN_BINS / (hi - lo)

    def bins(v: np.ndarray) -> np.ndarray:
        b: np.ndarray = np.minimum(((v - lo) * scale).astype(np.int64), _MEDIAN_BINS - 1)
        return b

    counts = np.zeros(_MEDIAN_BINS, dtype=np.int64)
    for c0 in range(0, n, _PREFIX_CHUNK):
        counts += np.bincount(bins(x[c0 : c0 + _PREFIX_CHUNK]), minlength=_MEDIAN_BINS)
    ranks = [n // 2] if n % 2 else [n // 2 - 1, n // 2]
    cum = np.cumsum(counts)
    b0, b1 = (int(np.searchsorted(cum, k, side="right")) for k in (ranks[0], ranks[-1]))
    below = int(cum[b0 - 1]) if b0 else 0
    picked = []
    for c0 in range(0, n, _PREFIX_CHUNK):
        v = x[c0 : c0 + _PREFIX_CHUNK]
        b = bins(v)
        picked.append(v[(b >= b0) & (b <= b1)])
    middle = np.concatenate(picked)
    part = np.partition(middle, [k - below for k in ranks])
    values = part[[k - below for k in ranks]]
    return float(np.mean(values))


def _window_sums(hi: np.ndarray, lo: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    sums: np.ndarray = (hi[b] - hi[a]) + (lo[b] - lo[a])
    return sums


def _prefix_sums_at(x: np.ndarray, centre: float, points: np.ndarray) -> list[np.ndarray]:
    """The prefix sums :func:`time_domain_windows` needs, only at prefix indices ``points``
    (sorted, within ``0..n``): ``hi, lo`` of ``y = x - centre``, of ``y^2`` and of the squared
    successive differences ``d^2`` (``d[i] = x[i + 1] - x[i]``, 0 for the last), and the count
    of ``|d| > 50 ms``. Computed :data:`_PREFIX_CHUNK` intervals at a time, each piece started
    from the last prefix of the one before (the same floats as the whole series at once): the
    whole-series prefix arrays would cost ~70 bytes per interval; the windows read a few."""
    n = x.size
    out = [np.zeros(points.size) for _ in range(6)] + [np.zeros(points.size, dtype=np.int64)]
    carries = [(0.0, 0.0)] * 3
    count = 0
    for c0 in range(0, n, _PREFIX_CHUNK):
        c1 = min(n, c0 + _PREFIX_CHUNK)
        xc = x[c0:c1]
        y = xc - centre
        d = np.zeros(c1 - c0)
        np.subtract(x[c0 + 1 : c1 + 1], x[c0 : min(c1, n - 1)], out=d[: min(c1, n - 1) - c0])
        k0, k1 = np.searchsorted(points, [c0 + 1, c1 + 1])  # prefix indices c0 + 1 .. c1 are here
        at = points[k0:k1] - c0  # positions in this piece's prefix arrays (0: the carry)
        for j, v in enumerate((y, y * y, d * d)):
            hi, lo = _compensated_prefix_sum(v, carries[j])
            out[2 * j][k0:k1], out[2 * j + 1][k0:k1] = hi[at], lo[at]
            carries[j] = (float(hi[-1]), float(lo[-1]))
        big = np.cumsum(np.abs(d) > PNN50_THRESHOLD_MS, dtype=np.int64)
        out[6][k0:k1] = count + big[at - 1]
        count += int(big[-1])
    return out


def time_domain_windows(nn_ms: npt.ArrayLike, starts: npt.ArrayLike, stops: npt.ArrayLike) -> TimeDomainWindows:
    """Time-domain HRV of many windows ``nn_ms[starts[k]:stops[k]]`` at once.

    Parameters
    ----------
    nn_ms : array_like
        NN intervals, ms, 1-D, finite, > 0: one continuous series.
    starts, stops : array_like of int
        Index bounds of each window (``stops`` exclusive), ``0 <= start <= stop <= n``.
        Windows may overlap (sliding windows).

    Returns
    -------
    TimeDomainWindows
        One value per window, as :func:`time_domain` would give for that slice (within about
        1e-12 relative; tested against neurokit2 to 1e-9).

    Raises
    ------
    HrvInputError
        On invalid intervals or bounds.

    Notes
    -----
    Window sums come from compensated prefix sums (:func:`_compensated_prefix_sum`) of the
    intervals centred on their median, of their squares, of the squared successive
    differences and of the count of differences above 50 ms (integers, exact). SDNN uses
    ``sum((x - m)^2) = sum(y^2) - (sum y)^2 / n`` with ``y = x - median``: centring keeps
    ``sum(y^2)`` close to the sum of squared deviations, so the subtraction loses few digits
    even in a quiet window (SDNN of a few ms) of a 24-hour series.

    References
    ----------
    Knuth, D. E. (1997). The Art of Computer Programming, Vol. 2, 3rd ed., section 4.2.2
    (TwoSum). Time-domain definitions: see the module docstring.
    """
    x = as_nn(nn_ms)
    a = np.asarray(starts, dtype=np.intp)
    b = np.asarray(stops, dtype=np.intp)
    if a.shape != b.shape or a.ndim != 1:
        raise HrvInputError("starts and stops must be 1-D arrays of the same length")
    if a.size and (a.min() < 0 or b.max() > x.size or np.any(b < a)):
        raise HrvInputError("window bounds must satisfy 0 <= start <= stop <= len(nn_ms)")
    n = b - a
    nf = n.astype(np.float64)

    centre = _median(x) if x.size else 0.0
    # Differences inside the window are d[a : b - 1], i.e. prefix indices a .. b - 1.
    bd = np.maximum(b - 1, a)
    points = np.unique(np.concatenate([[0], a, b, bd]))
    h1, l1, h2, l2, h3, l3, big = _prefix_sums_at(x, centre, points)
    ia, ib, ibd = (np.searchsorted(points, v) for v in (a, b, bd))

    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = _window_sums(h1, l1, ia, ib)
        mean_y = s1 / nf
        mean = mean_y + centre
        ss = _window_sums(h2, l2, ia, ib) - s1 * mean_y
        sd2 = _window_sums(h3, l3, ia, ibd)
        var = np.maximum(ss, 0.0) / (nf - 1.0)
        sdnn = np.sqrt(var)
        rmssd = np.sqrt(sd2 / (nf - 1.0))
        pnn50 = 100.0 * (big[ibd] - big[ia]) / nf
        hr = _MS_PER_MIN / mean

    few = n < MIN_INTERVALS_VARIABILITY
    empty = n < MIN_INTERVALS_MEAN
    for arr in (sdnn, rmssd, pnn50):
        arr[few] = np.nan
    mean[empty] = np.nan
    hr[empty] = np.nan
    return TimeDomainWindows(n.astype(np.int64), mean, sdnn, rmssd, pnn50, hr)
