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

__all__ = [
    "ARTIFACT_CODES",
    "Correction",
    "correct_artifacts",
    "correct_artifact_codes",
    "detect_artifact_codes",
    "detect_artifacts",
    "validate_rr",
]

_MS_PER_S: Final = 1000.0
# neurokit2 works in seconds: peaks (ms, sampling_rate=1000) / 1000. Dividing integer ms by
# 1000 gives the very same floats, so every comparison below falls on the same side as there.
_CHUNK_ROWS: Final = 4096
"""Rows of sorted sliding windows computed at once: bounds memory (4096 x 91 floats = 3 MB)."""
_DETECT_CHUNK: Final = 65536
"""Periods classified at a time (plus a halo each side): bounds the derived series and the
Python floats the flow chart reads to one chunk's (~20 MB)."""
ARTIFACT_CODES: Final = tuple(ArtifactType)
"""Code ``k`` (uint8) of :func:`detect_artifact_codes` is ``ARTIFACT_CODES[k]``; NORMAL is 0."""
_CODE_OF: Final = {t: k for k, t in enumerate(ARTIFACT_CODES)}
_TYPE_OF_CODE: Final = np.array(ARTIFACT_CODES, dtype=object)


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


def _derived(rr: np.ndarray, drrs: np.ndarray, p: ArtifactParameters) -> tuple[np.ndarray, ...]:
    """The seven series the flow chart reads, from periods ``rr`` (s) and their raw dRR: dRR
    and mRR normalised, S12, S22, the periods, their rolling median and the mRR threshold."""
    n = rr.size
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
    return drrs, s12, s22, mrrs, rr, medrr, th2


def _halo(p: ArtifactParameters) -> int:
    """Beats either side of a chunk that its beats' classes can depend on.

    The flow chart at beat ``i`` reads beats up to ``i + 3`` of the normalised dRR (S22 of
    ``i + 1``) and from ``i - 1``; a normalised value needs the threshold's window (up to
    ``window_width`` beats around it) of dRR or of mRR, mRR the median filter's window
    (``medfilt_order``), dRR one beat before. Outside the halo a chunk edge (where the rolling
    windows are clipped and ``np.pad`` reflects) cannot reach a beat of the chunk's core.
    """
    return p.window_width + p.medfilt_order + 8


def _classify_first_pass(rr_ms: np.ndarray, p: ArtifactParameters) -> np.ndarray:
    """Codes (:data:`ARTIFACT_CODES`) of neurokit2's periods ``[placeholder, rr_ms / 1000]``
    (its indexing: period ``k`` is input interval ``k - 1``), one uint8 per period.

    The series is processed in chunks of :data:`_DETECT_CHUNK` periods, each with a halo of
    :func:`_halo` periods either side, so memory stays bounded (the derived float series of
    the whole series would cost ~100 bytes per beat); the halo makes every chunk's core see
    exactly the values the whole series gives (a test compares small chunks with one chunk).
    The two placeholders are neurokit2's means over the whole series, computed first.
    """
    n = rr_ms.size + 1
    # neurokit2's placeholders: period 0 is the mean of the others, dRR 0 the mean of the other
    # dRRs. The same arrays as the whole-series computation, so np.mean sums identically.
    periods = np.empty(n)
    periods[0] = 0.0
    np.divide(rr_ms, _MS_PER_S, out=periods[1:])
    if n > 1:
        periods[0] = np.mean(periods[1:])
    first = float(periods[0])
    diffs = np.ediff1d(periods, to_begin=0)
    del periods
    first_drr = float(np.mean(diffs[1:])) if n > 1 else 0.0
    del diffs

    codes = np.zeros(n, dtype=np.uint8)
    halo = _halo(p)
    i = 0  # the flow chart's position: carried across chunks (a step may skip a chunk's first beat)
    for c0 in range(0, n, _DETECT_CHUNK):
        c1 = min(n, c0 + _DETECT_CHUNK)
        e0, e1 = max(0, c0 - halo), min(n, c1 + halo)
        # Periods e0 - 1 .. e1 - 1 (one before, for the first dRR), from the input intervals.
        lo = max(e0 - 1, 0)
        ext = np.empty(e1 - lo)
        np.divide(rr_ms[max(lo - 1, 0) : e1 - 1], _MS_PER_S, out=ext[1:] if lo == 0 else ext)
        if lo == 0:
            ext[0] = first
        rr = ext[e0 - lo :]
        drrs = np.ediff1d(ext)[e0 - lo - 1 :] if e0 > 0 else np.ediff1d(rr, to_begin=0)
        if e0 == 0 and n > 1:
            drrs[0] = first_drr
        arrays = _derived(rr, drrs, p)
        # Beats with |dRR| <= 1 only advance the loop; jump straight to the others (NaN included).
        d_core = arrays[0][c0 - e0 : c1 - e0]
        examined = c0 + np.flatnonzero(~(np.abs(d_core) <= DRR_LIMIT))
        local: list[list[float]] | None = None
        while True:
            pos = int(np.searchsorted(examined, i))
            if pos == examined.size:
                break
            i = int(examined[pos])
            if i >= n - 2:  # neurokit2 never starts at its last two periods
                return codes
            if local is None:
                # Python floats (scalar numpy indexing is slow) of this chunk only: lists of the
                # whole series would cost ~200 bytes per beat. classify_at reads i .. i + 3.
                local = [x.tolist() for x in arrays]
            d, s12l, s22l, m, rrl, medl, th2l = local
            flagged, step = classify_at(i - e0, d, s12l, s22l, m, rrl, medl, th2l, p)
            for j, kind in flagged:
                codes[e0 + j] = _CODE_OF[kind]
            i += step
    return codes


def detect_artifact_codes(rr_ms: np.ndarray, params: ArtifactParameters = DEFAULT_PARAMETERS) -> np.ndarray:
    """:func:`detect_artifacts` as one uint8 code per interval (:data:`ARTIFACT_CODES`):
    1 byte per beat instead of an object pointer; what :func:`~tolerance.hrv.analysis.analyze_rr`
    uses."""
    rr = validate_rr(rr_ms)
    if rr.size == 0:
        return np.empty(0, dtype=np.uint8)
    # Period 0 is neurokit2's placeholder for the time before the first peak at t = 0.
    return _classify_first_pass(rr, params)[1:]


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
        (a zero threshold makes a beat unclassifiable). :func:`detect_artifact_codes` gives
        the same as compact codes.

    Raises
    ------
    ArtifactInputError
        A ``ValueError``: input not 1-D, or a value NaN, infinite, zero or negative.
    """
    types: np.ndarray = _TYPE_OF_CODE[detect_artifact_codes(rr_ms, params)]
    return types


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


_EXTRA: Final = _CODE_OF[ArtifactType.EXTRA]
_MISSED: Final = _CODE_OF[ArtifactType.MISSED]


def correct_artifact_codes(rr_ms: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(nn_ms, is_corrected)`` of :func:`correct_artifacts` from :func:`detect_artifact_codes`'
    codes, the same values bit for bit, allocating only the two results (9 bytes per NN
    interval): the input is copied run by run between the few intervals that change the count
    (EXTRA merges, MISSED splits) and the flagged values are written in place.

    The nearest NORMAL, unmerged neighbours of a flagged interval are the ends of its run of
    consecutive non-NORMAL (or merged) intervals, found from the sorted flagged positions
    instead of an index array of every NORMAL interval (8 bytes per beat).
    """
    rr = validate_rr(rr_ms)
    c = np.asarray(codes, dtype=np.uint8)
    if c.shape != rr.shape:
        raise ValueError(f"codes has {c.size} entries for {rr.size} RR intervals")
    n = rr.size
    flagged = np.flatnonzero(c)
    kinds = c[flagged].tolist()
    merged: set[int] = set()
    for i, kind in zip(flagged.tolist(), kinds, strict=True):
        if kind == _EXTRA and i < n - 1 and i not in merged:
            merged.add(i + 1)
    # Not NORMAL or merged: the intervals interpolation must skip, sorted, and their runs.
    bad = np.union1d(flagged, np.fromiter(merged, dtype=np.int64, count=len(merged)))
    new_run = np.concatenate([[True], np.diff(bad) != 1]) if bad.size else np.empty(0, dtype=bool)
    run_of = np.cumsum(new_run) - 1
    run_start, run_end = bad[new_run], bad[np.concatenate([new_run[1:], [True]])] if bad.size else bad

    def neighbours(i: int) -> tuple[tuple[int, float] | None, tuple[int, float] | None]:
        r = int(run_of[int(np.searchsorted(bad, i))])
        lo, hi = int(run_start[r]) - 1, int(run_end[r]) + 1
        return (lo, float(rr[lo])) if lo >= 0 else None, (hi, float(rr[hi])) if hi < n else None

    values: list[tuple[int, float, int]] = []  # (input index, value, how many NN values it gives)
    for i, kind in zip(flagged.tolist(), kinds, strict=True):
        if i in merged:
            values.append((i, 0.0, 0))
        elif kind == _EXTRA:
            values.append((i, float(rr[i] + rr[i + 1]), 1) if i + 1 < n else (i, 0.0, 0))
        elif kind == _MISSED:
            values.append((i, float(rr[i] / 2), 2))
        else:
            before, after = neighbours(i)
            values.append((i, interpolate_between(i, before, after, float(rr[i])), 1))
    values += [(i, 0.0, 0) for i in sorted(merged) if not c[i]]  # a NORMAL interval merged away
    values.sort(key=lambda v: v[0])
    total = n + sum(k - 1 for _, _, k in values)
    nn = np.empty(total)
    corrected = np.zeros(total, dtype=bool)
    src = dst = 0
    for i, value, k in values:
        run = i - src  # unchanged intervals before this one
        nn[dst : dst + run] = rr[src:i]
        dst += run
        nn[dst : dst + k] = value
        corrected[dst : dst + k] = True
        dst += k
        src = i + 1
    nn[dst:] = rr[src:]
    return nn, corrected
