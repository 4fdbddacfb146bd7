"""Artifact detection and correction on RR intervals (Lipponen & Tarvainen 2019).

Method
------
Each RR interval is classified from two derived series, both normalised by a time-varying
threshold ``Th = alpha * IQR / 2`` (``IQR``: quartile range of the series' absolute values over
a centred window of ``window_width`` beats, 91 by default; ``alpha`` = 5.2):

* ``dRR[j] = RR[j] - RR[j-1]``, divided by its threshold ``Th1``;
* ``mRR[j] = RR[j] - median(RR[j-5 .. j+5])`` (``medfilt_order`` = 11 beats), negative values
  doubled, divided by its threshold ``Th2``.

Subspaces: ``S12[j] = max(dRR[j-1], dRR[j+1])`` when ``dRR[j] > 0`` (min when < 0), and
``S22[j] = min(dRR[j+1], dRR[j+2])`` when ``dRR[j] >= 0`` (max when < 0). A beat with
``|dRR| <= 1`` is normal. Otherwise (``c1`` = 0.13, ``c2`` = 0.17):

* **ectopic**: ``dRR > 1`` and ``S12 < -c1 * dRR - c2``, or ``dRR < -1`` and
  ``S12 > -c1 * dRR + c2`` (a jump with opposite jumps on both sides: the premature/compensatory
  pattern);
* **extra**: short (``dRR < -1`` and ``S22 > 1``) and ``|RR[j] + RR[j+1] - med[j]| < Th2[j]``
  (the interval and the next one add up to a normal interval: a spurious beat split one);
* **missed**: long (``dRR > 1`` and ``S22 < -1``) and ``|RR[j] / 2 - med[j]| < Th2[j]`` (half of
  it is a normal interval: a beat was not detected);
* **long** / **short**: long, short or ``|mRR| > 3`` but neither of the above; neurokit2 calls
  these "longshort", we split them by the sign of ``RR[j] - med[j]`` (``LONG`` when above).

When a beat is flagged and ``|dRR[j+1]| < |dRR[j+2]|``, the next beat is examined in the same
step (and then skipped as a starting point), as in the flow chart of the paper (its Fig. 1).

Batch detection (:func:`detect_artifacts`) reproduces neurokit2 0.2.13's first pass,
``nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios", iterative=False)`` with
``peaks = concatenate([[0], cumsum(rr_ms)])`` (integer ms): every input interval ``i`` is
the interval that ends at peak ``i + 1``, so neurokit2's index ``k`` in ``info["ectopic"]``,
``info["missed"]``, ``info["extra"]`` and ``info["longshort"]`` is our input index ``k - 1``.
neurokit2 replaces its first period (index 0, before any peak) by the mean of the others; that
placeholder takes part in the computation as in neurokit2 and is dropped from the result.
neurokit2 never classifies its last two periods, so our last two intervals are NORMAL unless
the one before them examined them. Without the leading 0 (``peaks = cumsum(rr_ms)``) neurokit2
never sees ``rr_ms[0]``: its result equals ``detect_artifacts(rr_ms[1:])`` shifted by one.

**Pitfall**: neurokit2's default ``iterative=True`` repeats detection on its corrected peaks and
returns the artifact lists of the *last* pass, which index the corrected peaks (beats inserted
and deleted), not the input; most artifacts of the first pass are then missing from the lists.
Compare against ``iterative=False``.

The classes, the constants and one step of the flow chart live in :mod:`.classify`, shared
with streaming.

Correction (:func:`correct_artifacts`) works on the intervals, in ms, without rounding:
extra: merged with the following interval (the extra beat is dropped); missed: split into two
equal halves; ectopic, long and short: replaced by linear interpolation (in beat index) between
the nearest preceding and following NORMAL intervals, as Kubios describes its RR-series
correction. neurokit2 instead moves the peak to the midpoint of its neighbours, which rewrites
the next interval too and truncates peaks to whole samples; on an ectopic pair (both intervals
flagged) that leaves about half of the disturbance in place, which is why we do not copy it.

Streaming (:class:`~tolerance.hrv.artifacts.stream.StreamingArtifactDetector`) uses the same
rules causally, with a short look-ahead; where it differs from batch is documented there.

References
----------
Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time series artefact
correction using novel beat classification. J Med Eng Technol. 2019;43(3):173-181.
doi:10.1080/03091902.2019.1640306

Pure computation: numpy only; no I/O, no asyncio.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import ArtifactInputError
from .classify import (
    DEFAULT_PARAMETERS,
    DRR_LIMIT,
    ArtifactParameters,
    ArtifactType,
    classify_at,
    interpolate_between,
)

__all__ = ["Correction", "correct_artifacts", "detect_artifacts", "validate_rr"]

_MS_PER_S: Final = 1000.0
# neurokit2 works in seconds: peaks (ms, sampling_rate=1000) / 1000. Dividing integer ms by
# 1000 gives the very same floats, so every comparison below falls on the same side as there.
_CHUNK_ROWS: Final = 4096
_CLASSIFY_CHUNK: Final = 65536
"""Beats converted to Python floats at a time for the flow chart (bounded memory)."""
# Rows of sorted sliding windows computed at once: bounds memory (4096 x 91 floats = 3 MB) for
# day-long series.


@dataclass(frozen=True, eq=False)
class Correction:
    """NN intervals made from RR intervals and their classes.

    Attributes
    ----------
    nn_ms : numpy.ndarray
        Corrected intervals, ms (float).
    source_index : numpy.ndarray
        For each NN value, the 0-based index of the input RR interval it came from (an extra
        interval and the one merged into it give one value with the extra's index; a missed one
        gives two values with the same index).
    is_corrected : numpy.ndarray
        For each NN value, True when it is not the input value unchanged.
    n_corrected : int
        Input intervals changed or removed (every non-NORMAL one, plus those merged away).
    """

    nn_ms: np.ndarray
    source_index: np.ndarray
    is_corrected: np.ndarray
    n_corrected: int


def validate_rr(rr_ms: np.ndarray) -> np.ndarray:
    """Return ``rr_ms`` as a 1-D float array, or raise :class:`ArtifactInputError`.

    Parameters
    ----------
    rr_ms : numpy.ndarray
        RR intervals, ms; must be finite and positive.
    """
    rr = np.asarray(rr_ms, dtype=float)
    if rr.ndim != 1:
        raise ArtifactInputError(f"rr_ms must be one-dimensional, got shape {rr.shape}")
    bad = np.flatnonzero(~(np.isfinite(rr) & (rr > 0)))
    if bad.size:
        i = int(bad[0])
        raise ArtifactInputError(
            f"rr_ms must be finite and positive (ms); rr_ms[{i}] = {rr[i]} ({bad.size} bad value(s))",
            index=i,
            value=float(rr[i]),
        )
    return rr


def _centred_windows(x: np.ndarray, width: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yield ``(start_row, sorted_windows, counts)`` for pandas' ``rolling(width, center=True,
    min_periods=1)``: row ``i`` covers ``x[i + off + 1 - width : i + off + 1]`` clipped to the
    array, ``off = (width - 1) // 2``. Padding is NaN, which ``np.sort`` puts last."""
    n = x.size
    off = (width - 1) // 2
    padded = np.concatenate([np.full(width - 1 - off, np.nan), x, np.full(off, np.nan)])
    windows = sliding_window_view(padded, width)
    rows = np.arange(n)
    counts = np.minimum(rows + off, n - 1) - np.maximum(rows + off + 1 - width, 0) + 1
    for start in range(0, n, _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, n)
        yield start, np.sort(windows[start:stop], axis=1), counts[start:stop]


def _rolling_quartile_range(x: np.ndarray, width: int) -> np.ndarray:
    """Centred rolling 0.75 minus 0.25 quantile, bit-identical to pandas' linear quantile
    (``low + (high - low) * fraction``; numpy's ``quantile`` rounds differently)."""
    q3_minus_q1 = np.empty(x.size)
    for start, s, nobs in _centred_windows(x, width):
        rows = np.arange(s.shape[0])
        quartiles = []
        for q in (0.25, 0.75):
            pos = q * (nobs - 1)
            low = pos.astype(np.int64)
            high = np.minimum(low + 1, nobs - 1)
            v_low = s[rows, low]
            value = v_low + (s[rows, high] - v_low) * (pos - low)
            quartiles.append(np.where(pos == low, v_low, value))
        q3_minus_q1[start : start + s.shape[0]] = quartiles[1] - quartiles[0]
    return q3_minus_q1


def _rolling_median(x: np.ndarray, width: int) -> np.ndarray:
    """Centred rolling median, as pandas' (mean of the two middle values for even counts)."""
    med = np.empty(x.size)
    for start, s, nobs in _centred_windows(x, width):
        rows = np.arange(s.shape[0])
        mid = nobs // 2
        even = (s[rows, mid - 1] + s[rows, mid]) / 2
        med[start : start + s.shape[0]] = np.where(nobs % 2 == 1, s[rows, mid], even)
    return med


def _threshold(x: np.ndarray, p: ArtifactParameters) -> np.ndarray:
    # Same operation order as neurokit2's _compute_threshold: alpha * ((q3 - q1) / 2).
    return p.alpha * (_rolling_quartile_range(np.abs(x), p.window_width) / 2)


def _normalise(x: np.ndarray, th: np.ndarray) -> np.ndarray:
    # A zero threshold (a window of identical values) makes the beat unclassifiable: NaN, which
    # fails every comparison below, so the beat stays NORMAL (neurokit2 does the same).
    out = np.full(x.size, np.nan)
    np.divide(x, th, out=out, where=th != 0)
    return out


def _classify_first_pass(rr: np.ndarray, p: ArtifactParameters) -> np.ndarray:
    """Types of the periods ``rr`` (seconds, neurokit2's indexing: ``rr[0]`` is overwritten by
    the placeholder), as an object array of :class:`ArtifactType`."""
    n = rr.size
    rr = rr.copy()
    if n > 1:
        rr[0] = np.mean(rr[1:])
    drrs = np.ediff1d(rr, to_begin=0)
    if n > 1:
        drrs[0] = np.mean(drrs[1:])
    drrs = _normalise(drrs, _threshold(drrs, p))

    pad = np.pad(drrs, 2, "reflect")
    prev, nxt, nxt2 = pad[1 : n + 1], pad[3 : n + 3], pad[4 : n + 4]
    with np.errstate(invalid="ignore"):
        s12 = np.where(drrs > 0, np.maximum(prev, nxt), np.where(drrs < 0, np.minimum(prev, nxt), 0))
        s22 = np.where(drrs >= 0, np.minimum(nxt, nxt2), np.where(drrs < 0, np.maximum(nxt, nxt2), 0))
    medrr = _rolling_median(rr, p.medfilt_order)
    mrrs = rr - medrr
    mrrs[mrrs < 0] *= 2
    th2 = _threshold(mrrs, p)
    mrrs = _normalise(mrrs, th2)

    types = np.empty(n, dtype=object)
    types.fill(ArtifactType.NORMAL)  # np.full would store a plain str, not the enum member
    # Python floats (scalar numpy indexing is slow), but only of a chunk of beats at a time:
    # lists of the whole series would cost ~200 bytes per beat (7 lists of float objects).
    # classify_at reads beats i .. i + 2 only, so a chunk starting at i gives the same result.
    arrays = (drrs, s12, s22, mrrs, rr, medrr, th2)
    local: list[list[float]] = []
    base, top = 0, 0
    # Beats with |dRR| <= 1 only advance the loop; jump straight to the others (NaN included).
    examined = np.flatnonzero(~(np.abs(drrs) <= DRR_LIMIT))
    pos, i = 0, 0
    while True:
        pos = int(np.searchsorted(examined, i))
        if pos == examined.size or examined[pos] >= n - 2:
            break
        i = int(examined[pos])
        if i + 3 > top:
            base, top = i, min(n, i + _CLASSIFY_CHUNK)
            local = [x[base:top].tolist() for x in arrays]
        d, s12l, s22l, m, rrl, medl, th2l = local
        flagged, step = classify_at(i - base, d, s12l, s22l, m, rrl, medl, th2l, p)
        for j, kind in flagged:
            types[base + j] = kind
        i += step
    return types


def detect_artifacts(rr_ms: np.ndarray, params: ArtifactParameters = DEFAULT_PARAMETERS) -> np.ndarray:
    """Classify every RR interval of a whole series (Lipponen & Tarvainen 2019).

    Parameters
    ----------
    rr_ms : numpy.ndarray
        RR intervals, ms, 1-D, finite and positive. Any length, including 0.
    params : ArtifactParameters
        Constants of the method; the paper's by default.

    Returns
    -------
    numpy.ndarray
        Object array of :class:`ArtifactType`, one per input interval (0-based input index).
        Equal to neurokit2's first pass (module docstring: index mapping). Series shorter than
        the windows use the windows clipped to the series (pandas' ``min_periods=1``): a
        series of 3 beats or fewer is all NORMAL, and identical intervals are all NORMAL
        (a zero threshold makes a beat unclassifiable).

    Raises
    ------
    ArtifactInputError
        A ``ValueError``: input not 1-D, or a value NaN, infinite, zero or negative.
    """
    rr = validate_rr(rr_ms)
    if rr.size == 0:
        return np.empty(0, dtype=object)
    # Period 0 is neurokit2's placeholder for the time before the first peak at t = 0.
    periods = np.concatenate([[0.0], rr / _MS_PER_S])
    return _classify_first_pass(periods, params)[1:]


def correct_artifacts(rr_ms: np.ndarray, types: np.ndarray) -> Correction:
    """Turn RR intervals and their classes into NN intervals.

    Rules, applied by input index in order: an interval merged into the previous EXTRA one
    yields nothing (whatever its own class); EXTRA yields ``rr[i] + rr[i+1]`` (nothing when it
    is the last interval: a fragment with no partner); MISSED yields ``rr[i] / 2`` twice;
    ECTOPIC, LONG and SHORT yield the linear interpolation, in beat index, between the nearest
    NORMAL, unmerged intervals before and after (the nearer one's value at either end of the
    series; the input value unchanged when no interval is NORMAL); NORMAL yields ``rr[i]``.

    Parameters
    ----------
    rr_ms : numpy.ndarray
        RR intervals, ms.
    types : numpy.ndarray
        One :class:`ArtifactType` (or its string value) per interval, e.g. from
        :func:`detect_artifacts`.

    Returns
    -------
    Correction
        NN intervals (ms) with the input index of each.
    """
    rr = validate_rr(rr_ms)
    codes = np.asarray(types, dtype=object)
    if codes.shape != rr.shape:
        raise ValueError(f"types has {codes.size} entries for {rr.size} RR intervals")
    n = rr.size
    # Arrays, not per-beat lists: the few non-NORMAL intervals are handled one by one.
    is_normal = np.asarray(codes == ArtifactType.NORMAL, dtype=bool).reshape(n)
    flagged = np.flatnonzero(~is_normal)
    kinds = [ArtifactType(t) for t in codes[flagged]]
    merged = np.zeros(n, dtype=bool)
    for i, kind in zip(flagged.tolist(), kinds, strict=True):
        if kind is ArtifactType.EXTRA and i < n - 1 and not merged[i]:
            merged[i + 1] = True
    normal = is_normal & ~merged
    ref_idx = np.flatnonzero(normal)
    values = rr.copy()
    counts = np.where(merged, 0, 1).astype(np.intp)
    for i, kind in zip(flagged.tolist(), kinds, strict=True):
        if merged[i]:
            continue
        if kind is ArtifactType.EXTRA:
            if i + 1 < n:
                values[i] = float(rr[i] + rr[i + 1])
            else:
                counts[i] = 0
        elif kind is ArtifactType.MISSED:
            values[i] = float(rr[i] / 2)
            counts[i] = 2
        else:
            values[i] = _interpolate(i, ref_idx, rr)
    return Correction(
        nn_ms=np.repeat(values, counts),
        source_index=np.repeat(np.arange(n, dtype=np.int64), counts),
        is_corrected=np.repeat(~is_normal, counts),
        n_corrected=int(np.count_nonzero(~normal)),
    )


def _interpolate(i: int, ref_idx: np.ndarray, rr: np.ndarray) -> float:
    pos = int(np.searchsorted(ref_idx, i))
    before = (int(ref_idx[pos - 1]), float(rr[ref_idx[pos - 1]])) if pos > 0 else None
    after = (int(ref_idx[pos]), float(rr[ref_idx[pos]])) if pos < ref_idx.size else None
    return interpolate_between(i, before, after, float(rr[i]))
