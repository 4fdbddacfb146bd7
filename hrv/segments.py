"""Segments, time axis and windows of an RR series: the layout of ``tolerance analyze``.

Both engines of :mod:`tolerance.hrv.analysis` (:func:`~tolerance.hrv.analysis.fast.analyze_rr`,
:func:`~tolerance.hrv.analysis.reference.reference_analyze_rr`) and the benchmark's neurokit2 reference
(``benchmarks/reference_analyze.py``) lay their NN intervals out with these functions, so all
of them compute over the same windows by the same rules:

1. Segments (:func:`split_segments`): each value the caller left out of the series
   (``excluded``: e.g. an implausible 20 s drop-out or a 50 ms spurious detection, see
   :mod:`tolerance.api.rr_files`) is a segment break. Consecutive excluded values make one
   break. Artifacts are detected and corrected per segment (never across a break).
2. Time axis (:func:`assemble_segments`): 0 s is the start of the first value of the input;
   time is the running sum of the (artifact-corrected) NN intervals *and of the excluded
   values*; ``t_end[i]`` (s) is the beat that ends NN interval ``i``. Time advances by every
   excluded value, long or short. A long one (above 3000 ms: a drop-out) is real elapsed
   time. A short one (below 200 ms) is either a spurious detection inside a real interval
   (elapsed time too) or a value a strap appended (not elapsed); the two cannot be told
   apart, so the simplest rule holds: ``start_s`` is the sum of the input's values before it,
   the file's own cumulative time. The error is under 0.2 s per short value and only moves
   where later windows fall: the break keeps the value out of every figure. It is not merged
   into a neighbour (which interval it was split from is unknown). Without excluded values
   ``t_end = cumsum(nn_ms) / 1000``, the ``RRI_Time`` the reference path and the tests give
   neurokit2.
3. Windows (:func:`layout_windows`, :func:`window_bounds`): ``[k * step_s, k * step_s +
   window_s]`` tile the series up to the first one that reaches its last beat. A window holds
   the NN intervals of **one segment** lying entirely inside it: the segment that covers the
   most of the window (its time span overlapping the window, ``covered_s``). It gives numbers
   when ``covered_s >= min_coverage * window_s`` (80 %: the live engine's
   ``EngineConfig.min_coverage``), otherwise null values with a reason
   (:func:`window_reason`). So no window mixes intervals from both sides of a break: a window
   over a break is computed on the longer side when that side covers 80 % of it. A series
   slightly shorter than a window (a "5-minute" recording of 299.6 s) gives one window
   ``[0, window_s]`` with its real ``covered_s``; the last window, the one past the last
   beat, is left out when it is covered less than 80 %, unless it is the only one (a series
   shorter than 80 % of one window gives that window, null with its reason).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from .errors import HrvInputError

__all__ = [
    "DEFAULT_MIN_COVERAGE",
    "MIN_NN_PER_WINDOW",
    "Series",
    "WindowLayout",
    "add_sorted_counts",
    "assemble_segments",
    "input_positions",
    "layout_windows",
    "segment_dtype",
    "split_segments",
    "time_chunks",
    "window_bounds",
    "window_reason",
]

DEFAULT_MIN_COVERAGE: Final = 0.8
"""Share of a window one segment must cover for the window to give numbers: the live
engine's ``EngineConfig.min_coverage`` (:mod:`tolerance.hrv.engine`)."""
MIN_NN_PER_WINDOW: Final = 2
"""Fewest NN intervals in a window for any figure (SDNN and RMSSD need 2)."""
_EPS_S: Final = 1e-9
"""Tolerance (s) on window edges, so that a beat exactly on an edge survives rounding."""


# --- Segments and the time axis (steps 1-2) --------------------------------------------------


def input_positions(input_index: Sequence[int] | np.ndarray | None, n: int) -> np.ndarray:
    """Position in the input of each of ``n`` values (default ``arange(n)``), checked."""
    if input_index is None:
        return np.arange(n)
    index = np.asarray(input_index)
    if index.dtype.kind not in "iu":  # any integer type as given (a reader's int32: no copy)
        index = index.astype(np.int64)
    if index.shape != (n,):
        raise HrvInputError(f"input_index has shape {index.shape}, expected ({n},)")
    return index


def split_segments(
    n: int, index: np.ndarray, excluded: Iterable[tuple[int, float]] | None
) -> tuple[list[tuple[int, int]], list[float]]:
    """Index ranges ``[lo, hi)`` of the segments of ``rr_ms`` and the time (ms) of the
    excluded values just before each (0.0 for none); trailing excluded values end nothing.

    ``n`` kept values at input positions ``index`` (increasing when values are excluded);
    ``excluded``: ``(input index, value in ms)`` of each value left out (step 1).
    """
    pairs = [(int(i), float(v)) for i, v in excluded or ()]
    if pairs and n and np.any(np.diff(index) <= 0):
        raise HrvInputError("input_index must increase when values are excluded")
    gaps: dict[int, float] = {}
    for where, value in pairs:
        if not (math.isfinite(value) and value > 0):
            raise HrvInputError(f"excluded value at input index {where} must be finite, > 0 ms")
        pos = int(np.searchsorted(index, where))  # kept values before it
        if pos < n and index[pos] == where:
            raise HrvInputError(f"input index {where} is both kept and excluded")
        gaps[pos] = gaps.get(pos, 0.0) + value
    cuts = sorted({0, n, *(p for p in gaps if 0 < p < n)})
    ranges = list(zip(cuts[:-1], cuts[1:], strict=True))
    return ranges, [gaps.get(lo, 0.0) for lo, _ in ranges]


@dataclass(frozen=True, slots=True)
class Series:
    """NN intervals of all segments end to end, with their flags, segments and times."""

    nn: np.ndarray
    corrected: np.ndarray
    segment: np.ndarray
    t_end: np.ndarray


_TIME_CHUNK: Final = 1 << 18
"""Intervals cumulated at a time by :func:`time_chunks` (bounded temporaries)."""


def time_chunks(parts: Sequence[np.ndarray], gaps_ms: Sequence[float]) -> Iterator[tuple[int, int, np.ndarray]]:
    """``(segment, offset, t_end)``: the end times (s) of ``parts[segment][offset:offset + m]``
    laid end to end with the excluded time ``gaps_ms[segment]`` before each (step 2), a few
    hundred thousand at a time. The same floats as ``cumsum(concatenate(steps)) / 1000`` of the
    whole series: ``np.cumsum`` adds in order, and each piece starts from the previous one's
    last sum (``carry + x[0]`` is cumsum's own first addition)."""
    carry = 0.0
    for s, (x, gap) in enumerate(zip(parts, gaps_ms, strict=True)):
        if gap > 0.0:
            carry = carry + gap
        for c0 in range(0, x.size, _TIME_CHUNK):
            t = np.array(x[c0 : c0 + _TIME_CHUNK], dtype=np.float64)
            t[0] += carry
            np.cumsum(t, out=t)
            carry = float(t[-1])
            t /= 1000.0
            yield s, c0, t


def segment_dtype(count: int) -> np.dtype[np.unsignedinteger[Any]]:
    """The smallest unsigned integer type numbering ``count`` segments (1 byte for < 256)."""
    return np.min_scalar_type(max(count - 1, 0))


def assemble_segments(
    parts: list[tuple[np.ndarray, np.ndarray]], gaps_ms: list[float], steps: Sequence[np.ndarray] | None = None
) -> Series:
    """Concatenate per-segment ``(nn, corrected)`` and lay them on one time axis (step 2).

    ``gaps_ms`` are :func:`split_segments`' excluded times before each segment. ``corrected``
    is a flag per interval, bool, or a uint8 code (0: unchanged; kept as codes). ``steps``: per
    segment, the time step of each NN interval (ms) when it is not the NN value itself (an
    interpolated interval keeping the beats' time, :mod:`tolerance.hrv.correction`); default
    the NN intervals. Memory: the result (17-18 bytes per interval: ``nn``, ``t_end``, a 1-byte
    flag and the smallest segment number type) and no whole-series temporary; one segment's
    arrays are used as they are.
    """
    if not parts:
        empty = np.empty(0)
        return Series(empty, np.empty(0, dtype=bool), np.empty(0, dtype=np.uint8), empty)

    def flags(x: np.ndarray) -> np.ndarray:
        a = np.asarray(x)
        return a if a.dtype == np.uint8 else a.astype(bool, copy=False)

    if len(parts) == 1:
        nn, corrected = np.asarray(parts[0][0], dtype=np.float64), flags(parts[0][1])
    else:
        nn = np.concatenate([np.asarray(p[0], dtype=np.float64) for p in parts])
        corrected = np.concatenate([flags(p[1]) for p in parts])
    sizes = [len(p[0]) for p in parts]
    segment = np.repeat(np.arange(len(parts), dtype=segment_dtype(len(parts))), sizes)
    t_end = np.empty(nn.size)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    time_steps = [p[0] for p in parts] if steps is None else list(steps)
    if [len(x) for x in time_steps] != sizes:
        raise HrvInputError("steps must give one time step per NN interval of each segment")
    for s, c0, t in time_chunks(time_steps, gaps_ms):
        t_end[starts[s] + c0 : starts[s] + c0 + t.size] = t
    return Series(nn, corrected, segment, t_end)


# --- Windows (step 3) -------------------------------------------------------------------------


def add_sorted_counts(acc: np.ndarray, t: np.ndarray, q: np.ndarray, side: Literal["left", "right"]) -> None:
    """``acc += searchsorted(t, q, side)`` for sorted ``t`` and ``q``, searching only the
    queries inside ``t``'s range (the others count none or all of it): the counts over a sorted
    series cut in pieces add up to one search over the whole series exactly."""
    if t.size == 0:
        return
    inner: Literal["left", "right"] = "right" if side == "left" else "left"
    k0 = int(np.searchsorted(q, t[0], side=inner))
    k1 = int(np.searchsorted(q, t[-1], side=inner))
    acc[k0:k1] += np.searchsorted(t, q[k0:k1], side=side)
    acc[k1:] += t.size


def _first_beginning_at(t_end: np.ndarray, nn: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``searchsorted(t_end - nn / 1000, q, "left")``: for each time, the first interval
    beginning at or after it, without the whole series of beginnings (8 bytes per interval):
    counted piece by piece while the beginnings increase, which they do (each is about the end
    of the interval before). Should rounding ever make them decrease, one search over the whole
    array decides, as before."""
    acc = np.zeros(q.size, dtype=np.intp)
    last = -math.inf
    for c0 in range(0, nn.size, _TIME_CHUNK):
        t_begin = nn[c0 : c0 + _TIME_CHUNK] / 1000.0
        np.subtract(t_end[c0 : c0 + _TIME_CHUNK], t_begin, out=t_begin)
        if t_begin[0] < last or np.any(t_begin[1:] < t_begin[:-1]):
            found: np.ndarray = np.searchsorted(t_end - nn / 1000.0, q, side="left")
            return found
        add_sorted_counts(acc, t_begin, q, "left")
        last = float(t_begin[-1])
    return acc


@dataclass(frozen=True, slots=True)
class WindowLayout:
    """Windows of a series: start (s), NN index range ``[a, b)``, covered s, segment (-1: none)."""

    starts: np.ndarray
    a: np.ndarray
    b: np.ndarray
    covered: np.ndarray
    segment: np.ndarray


def layout_windows(
    t_end: np.ndarray,
    nn: np.ndarray,
    segment: np.ndarray | None,
    window_s: float,
    step_s: float,
    min_coverage: float,
) -> WindowLayout:
    """The windows of the module docstring (step 3); ``segment`` unchecked (None: one)."""
    if not (window_s > 0 and step_s > 0 and math.isfinite(window_s) and math.isfinite(step_s)):
        raise HrvInputError("window_s and step_s must be positive and finite")
    if not 0.0 <= min_coverage <= 1.0:
        raise HrvInputError("min_coverage must be within 0-1")
    # Any integer type as given (the analysis keeps 1 byte per interval): no intp copy.
    seg = np.zeros(nn.size, dtype=np.uint8) if segment is None else np.asarray(segment)
    if seg.dtype.kind not in "iu":
        seg = seg.astype(np.intp)
    if nn.size == 0:
        empty = np.empty(0, dtype=np.intp)
        return WindowLayout(np.empty(0), empty, empty, np.empty(0), empty)
    last = float(t_end[-1])
    # Windows up to the first one reaching the last beat (1 ns: one ending on it exactly).
    count = max(0, math.ceil((last - window_s) / step_s - _EPS_S)) + 1
    starts = np.arange(count) * step_s
    ends = starts + window_s
    a = _first_beginning_at(t_end, nn, starts - _EPS_S)
    b = np.searchsorted(t_end, ends + _EPS_S, side="right")
    # Segments: index ranges and time spans; those overlapping window k are s_from..s_to - 1.
    ids = np.arange(int(seg[-1]) + 1, dtype=seg.dtype)
    lo, hi = np.searchsorted(seg, ids, side="left"), np.searchsorted(seg, ids, side="right")
    ids = ids.astype(np.intp)
    ids, lo, hi = ids[hi > lo], lo[hi > lo], hi[hi > lo]
    first_t, last_t = t_end[lo] - nn[lo] / 1000.0, t_end[hi - 1]
    s_from = np.searchsorted(last_t, starts + _EPS_S, side="right")
    s_to = np.searchsorted(first_t, ends - _EPS_S, side="left")
    chosen = np.where(s_to > s_from, s_from, -1)
    for k in np.flatnonzero(s_to - s_from > 1):  # windows over a break: the longer side
        cand = np.arange(s_from[k], s_to[k])
        span = np.minimum(ends[k], last_t[cand]) - np.maximum(starts[k], first_t[cand])
        chosen[k] = cand[int(np.argmax(span))]
    some = chosen >= 0
    c = np.where(some, chosen, 0)
    covered = np.where(some, np.minimum(ends, last_t[c]) - np.maximum(starts, first_t[c]), 0.0).clip(min=0.0)
    a = np.where(some, np.maximum(a, lo[c]), a)
    b = np.maximum(np.where(some, np.minimum(b, hi[c]), a), a)
    # The window past the last beat is kept only when it is covered enough, or when it is the
    # only one: a series shorter than 80 % of a window gives that window, null with its reason
    # (issue 24: an analysis always says why it has no number, never nothing).
    keep = np.ones(count, dtype=bool)
    if count > 1 and ends[-1] > last + _EPS_S and covered[-1] < min_coverage * window_s - _EPS_S:
        keep[-1] = False
    return WindowLayout(starts[keep], a[keep], b[keep], covered[keep], np.where(some, ids[c], -1)[keep])


def window_bounds(
    t_end: np.ndarray,
    nn_ms: np.ndarray,
    window_s: float,
    step_s: float,
    *,
    segment: npt.ArrayLike | None = None,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window start times (s) and the index range of each window's NN intervals.

    Returns ``starts_s``, ``a``, ``b``: window ``k`` spans ``[starts_s[k], starts_s[k] +
    window_s]`` and holds ``nn_ms[a[k]:b[k]]``: the intervals lying entirely inside it, of
    the one segment (``segment``: a non-decreasing segment number per interval; default one
    segment) covering the most of it. Windows tile the series up to the first one reaching
    its last beat, which is left out when covered less than ``min_coverage`` (module
    docstring, step 3).
    """
    seg = None if segment is None else np.asarray(segment)
    if seg is not None and (seg.shape != np.shape(nn_ms) or np.any(np.diff(seg) < 0)):
        raise HrvInputError("segment must give a non-decreasing number per NN interval")
    lay = layout_windows(t_end, nn_ms, seg, window_s, step_s, min_coverage)
    return lay.starts, lay.a, lay.b


def window_reason(
    n: int,
    share: float | None,
    max_share: float,
    covered: float,
    window_s: float,
    min_coverage: float,
) -> str | None:
    """Why a window of ``n`` NN intervals gives null values (None: it gives numbers).

    Covered less than ``min_coverage`` of ``window_s`` by its segment, fewer than
    :data:`MIN_NN_PER_WINDOW` intervals, or a corrected ``share`` above ``max_share``.
    """
    if covered < min_coverage * window_s - _EPS_S:
        return f"only {covered:.0f} s of contiguous beats in the {window_s:g} s window (needs {min_coverage:.0%})"
    if n < MIN_NN_PER_WINDOW:
        return f"{n} NN interval(s) in the window: needs >= {MIN_NN_PER_WINDOW}"
    if share is not None and share > max_share:
        return f"{share:.0%} of the NN intervals were corrected (limit {max_share:.0%})"
    return None
