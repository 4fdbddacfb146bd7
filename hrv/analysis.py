"""Offline HRV of a whole RR series in sliding windows (``tolerance analyze``).

Pipeline of :func:`analyze_rr`:

1. Segments: each value the caller left out of the series (``excluded``: e.g. an implausible
   20 s drop-out or a 50 ms spurious detection, see :mod:`tolerance.api.rr_files`) is a
   segment break. Consecutive excluded values make one break.
2. Artifacts, per segment (never across a break): :func:`tolerance.hrv.artifacts.
   detect_artifacts` (Lipponen & Tarvainen 2019, neurokit2's first pass) on the segment's RR
   intervals, then :func:`~tolerance.hrv.artifacts.correct_artifacts` into NN intervals.
3. Time axis: 0 s is the start of the first value of the input; time is the running sum of
   the (artifact-corrected) NN intervals *and of the excluded values*; ``t_end[i]`` (s) is
   the beat that ends NN interval ``i``. Time advances by every excluded value, long or
   short. A long one (above 3000 ms: a drop-out) is real elapsed time. A short one (below
   200 ms) is either a spurious detection inside a real interval (elapsed time too) or a
   value a strap appended (not elapsed); the two cannot be told apart, so the simplest rule
   holds: ``start_s`` is the sum of the input's values before it, the file's own cumulative
   time. The error is under 0.2 s per short value and only moves where later windows fall:
   the break keeps the value out of every figure. It is not merged into a neighbour (which
   interval it was split from is unknown). Without excluded values ``t_end =
   cumsum(nn_ms) / 1000``, the ``RRI_Time`` the reference path and the tests give neurokit2.
4. Windows ``[k * step_s, k * step_s + window_s]`` tile the series up to the first one that
   reaches its last beat. A window holds the NN intervals of **one segment** lying entirely
   inside it: the segment that covers the most of the window (its time span overlapping the
   window, ``covered_s``). It gives numbers when ``covered_s >= min_coverage * window_s``
   (80 %: the live engine's ``EngineConfig.min_coverage``), otherwise null values with a
   reason. So no window mixes intervals from both sides of a break: a window over a break is
   computed on the longer side when that side covers 80 % of it. A series slightly shorter
   than a window (a "5-minute" recording of 299.6 s) gives one window ``[0, window_s]``
   with its real ``covered_s``; the last window, the one past the last beat, is left out
   when it is covered less than 80 %.
5. Per window: time domain (:func:`~tolerance.hrv.time_domain.time_domain_windows`, all
   windows at once) and, for windows of at least :data:`MIN_SPECTRAL_WINDOW_S`, frequency
   domain (:func:`~tolerance.hrv.frequency_batch.frequency_domain_windows`, all windows at
   once, the same numbers as :func:`~tolerance.hrv.frequency.frequency_domain` window by
   window; 4 Hz by default).

A window gives null values with a ``reason`` when it is covered less than ``min_coverage``,
holds fewer than 2 NN intervals, or more than ``max_corrected_share`` of its intervals were
corrected; LF, HF and LF/HF are null in windows shorter than 120 s (Task Force, 1996: LF
needs about 2 minutes). 30-60 s windows are ultra-short-term figures; 5-minute windows are
the standard ones.

:func:`reference_analyze_rr` does the same with neurokit2's own functions, window by window
(slow; ``tolerance analyze --engine neurokit`` and the benchmarks). Its artifact correction is
neurokit2's (``signal_fixpeaks(method="Kubios", iterative=False)``, per segment), which moves
peaks instead of interpolating intervals: windows with corrected beats differ between the two
engines by design; windows without agree to 1e-9 (time domain) and 1e-6 (frequency domain).

References
----------
* Lipponen, J. A., & Tarvainen, M. P. (2019). A robust algorithm for heart rate variability
  time series artefact correction using novel beat classification. Journal of Medical
  Engineering & Technology, 43(3), 173-181.
* Task Force of the ESC and NASPE (1996). Heart rate variability: standards of measurement,
  physiological interpretation and clinical use. Circulation, 93(5), 1043-1065.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from .artifacts import ArtifactType, correct_artifacts, detect_artifacts
from .frequency import SpectralParameters, frequency_domain
from .frequency_batch import frequency_domain_windows
from .time_domain import HrvInputError, _as_nn, time_domain_windows

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MAX_CORRECTED_SHARE",
    "DEFAULT_MIN_COVERAGE",
    "MIN_SPECTRAL_WINDOW_S",
    "Analysis",
    "AnalysisWindow",
    "analyze_rr",
    "reference_analyze_rr",
    "window_bounds",
]

MIN_SPECTRAL_WINDOW_S: Final = 120.0
"""Shortest window (s) given LF, HF and LF/HF: about 2 minutes for LF (Task Force, 1996)."""
DEFAULT_MAX_CORRECTED_SHARE: Final = 0.20
"""Windows with more corrected NN intervals than this share give null values. Kubios advises
caution above 5 % corrected beats; 20 % is a common exclusion limit in the literature."""
DEFAULT_MIN_COVERAGE: Final = 0.8
"""Share of a window one segment must cover for the window to give numbers: the live
engine's ``EngineConfig.min_coverage`` (:mod:`tolerance.hrv.engine`)."""
MIN_NN_PER_WINDOW: Final = 2
"""Fewest NN intervals in a window for any figure (SDNN and RMSSD need 2)."""
_EPS_S: Final = 1e-9
"""Tolerance (s) on window edges, so that a beat exactly on an edge survives rounding."""

TIME_KEYS: Final = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50", "HR")
FREQUENCY_KEYS: Final = ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP", "HF_peak_Hz")
CSV_COLUMNS: Final = (
    "start_s", "end_s", "n_beats", "covered_s", "segment", "corrected_share",
    *TIME_KEYS, *FREQUENCY_KEYS, "reason",
)

Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each window."""
Values = dict[str, float | None]


@dataclass(frozen=True, slots=True)
class AnalysisWindow:
    """One window: bounds (s from the start of the input), NN count, coverage, metrics.

    ``covered_s`` is how much of the window the segment its intervals come from spans (s);
    ``segment`` is that segment's 0-based number (None when no beat falls in the window).
    """

    start_s: float
    end_s: float
    n_beats: int
    corrected_share: float | None
    values: Values
    reason: str | None
    covered_s: float = 0.0
    segment: int | None = None

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start_s": self.start_s,
            "end_s": self.end_s,
            "n_beats": self.n_beats,
            "covered_s": self.covered_s,
            "segment": self.segment,
            "corrected_share": self.corrected_share,
        }
        for key in (*TIME_KEYS, *FREQUENCY_KEYS):
            out[key] = self.values.get(key)
        out["reason"] = self.reason
        return out


@dataclass(frozen=True, slots=True)
class Analysis:
    """Result of :func:`analyze_rr`; serialise with :meth:`to_json_dict` or :meth:`csv_rows`."""

    windows: tuple[AnalysisWindow, ...]
    artifacts: tuple[tuple[int, str], ...]
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """``{"windows": [...], "artifacts": [{"index", "type"}], "parameters": {...}}``.

        The ``tolerance analyze`` contract (DESIGN.md): ``index`` is the 0-based position of
        the interval in the input; values that cannot be computed are null.
        """
        return {
            "windows": [w.to_json_dict() for w in self.windows],
            "artifacts": [{"index": i, "type": t} for i, t in self.artifacts],
            "parameters": dict(self.parameters),
        }

    def csv_rows(self) -> Iterator[list[object]]:
        """Header row (:data:`CSV_COLUMNS`), then one row per window; None for null."""
        yield list(CSV_COLUMNS)
        for w in self.windows:
            d = w.to_json_dict()
            yield [d[c] for c in CSV_COLUMNS]


@dataclass(frozen=True, slots=True)
class _Layout:
    """Windows of a series: start (s), NN index range ``[a, b)``, covered s, segment (-1: none)."""

    starts: np.ndarray
    a: np.ndarray
    b: np.ndarray
    covered: np.ndarray
    segment: np.ndarray


def _layout(
    t_end: np.ndarray, nn: np.ndarray, segment: np.ndarray | None, window_s: float,
    step_s: float, min_coverage: float,
) -> _Layout:
    """The windows of the module docstring (step 4)."""
    if not (window_s > 0 and step_s > 0 and math.isfinite(window_s) and math.isfinite(step_s)):
        raise HrvInputError("window_s and step_s must be positive and finite")
    if not 0.0 <= min_coverage <= 1.0:
        raise HrvInputError("min_coverage must be within 0-1")
    seg = np.zeros(nn.size, dtype=np.intp) if segment is None else np.asarray(segment, np.intp)
    if nn.size == 0:
        empty = np.empty(0, dtype=np.intp)
        return _Layout(np.empty(0), empty, empty, np.empty(0), empty)
    t_begin = t_end - nn / 1000.0
    last = float(t_end[-1])
    # Windows up to the first one reaching the last beat (1 ns: one ending on it exactly).
    count = max(0, math.ceil((last - window_s) / step_s - _EPS_S)) + 1
    starts = np.arange(count) * step_s
    ends = starts + window_s
    a = np.searchsorted(t_begin, starts - _EPS_S, side="left")
    b = np.searchsorted(t_end, ends + _EPS_S, side="right")
    # Segments: index ranges and time spans; those overlapping window k are s_from..s_to - 1.
    ids = np.arange(int(seg[-1]) + 1)
    lo, hi = np.searchsorted(seg, ids, side="left"), np.searchsorted(seg, ids, side="right")
    ids, lo, hi = ids[hi > lo], lo[hi > lo], hi[hi > lo]
    first_t, last_t = t_begin[lo], t_end[hi - 1]
    s_from = np.searchsorted(last_t, starts + _EPS_S, side="right")
    s_to = np.searchsorted(first_t, ends - _EPS_S, side="left")
    chosen = np.where(s_to > s_from, s_from, -1)
    for k in np.flatnonzero(s_to - s_from > 1):  # windows over a break: the longer side
        cand = np.arange(s_from[k], s_to[k])
        span = np.minimum(ends[k], last_t[cand]) - np.maximum(starts[k], first_t[cand])
        chosen[k] = cand[int(np.argmax(span))]
    some = chosen >= 0
    c = np.where(some, chosen, 0)
    covered = np.where(
        some, np.minimum(ends, last_t[c]) - np.maximum(starts, first_t[c]), 0.0
    ).clip(min=0.0)
    a = np.where(some, np.maximum(a, lo[c]), a)
    b = np.maximum(np.where(some, np.minimum(b, hi[c]), a), a)
    # The window past the last beat is kept only when it is covered enough.
    keep = np.ones(count, dtype=bool)
    if ends[-1] > last + _EPS_S and covered[-1] < min_coverage * window_s - _EPS_S:
        keep[-1] = False
    return _Layout(
        starts[keep], a[keep], b[keep], covered[keep], np.where(some, ids[c], -1)[keep]
    )


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
    docstring, step 4).
    """
    seg = None if segment is None else np.asarray(segment)
    if seg is not None and (seg.shape != np.shape(nn_ms) or np.any(np.diff(seg) < 0)):
        raise HrvInputError("segment must give a non-decreasing number per NN interval")
    lay = _layout(t_end, nn_ms, seg, window_s, step_s, min_coverage)
    return lay.starts, lay.a, lay.b


def _parameters(
    window_s: float, step_s: float, spectral: SpectralParameters, max_share: float,
    min_coverage: float, engine: str,
) -> dict[str, Any]:
    return {
        **spectral.as_dict(),
        "window_s": window_s,
        "step_s": step_s,
        "min_spectral_window_s": MIN_SPECTRAL_WINDOW_S,
        "max_corrected_share": max_share,
        "min_coverage": min_coverage,
        "min_nn_per_window": MIN_NN_PER_WINDOW,
        "time_base": (
            "running sum of the NN intervals and of the excluded values (each advances time "
            "by its value, long or short), from the start of the first input value at 0 s"
        ),
        "segment_breaks": (
            "every excluded value (consecutive ones: one break); artifacts are detected and "
            "corrected per segment; no window holds NN intervals of two segments"
        ),
        "window_grid": (
            "start_s = k * step_s up to the first window reaching the last beat; that last "
            "window is left out when covered_s < min_coverage * window_s"
        ),
        "window_membership": (
            "NN intervals lying entirely inside [start_s, end_s] of the one segment covering "
            "the most of the window (covered_s); numbers only when covered_s >= "
            "min_coverage * window_s, else null with a reason"
        ),
        "artifact_method": "Lipponen & Tarvainen 2019 (Kubios), first pass, per segment",
        "artifact_correction": (
            "neurokit2 signal_fixpeaks (peaks moved to neighbours' midpoint)"
            if engine == "neurokit"
            else "intervals: extra merged, missed split, others interpolated"
        ),
        "engine": engine,
        "units": {
            "time": "ms", "pNN50": "%", "HR": "beats/min", "power": "ms^2",
            "start_s, end_s, covered_s": "s",
        },
    }


def _window_reason(
    n: int, share: float | None, max_share: float, covered: float, window_s: float,
    min_coverage: float,
) -> str | None:
    if covered < min_coverage * window_s - _EPS_S:
        return (
            f"only {covered:.0f} s of contiguous beats in the {window_s:g} s window "
            f"(needs {min_coverage:.0%})"
        )
    if n < MIN_NN_PER_WINDOW:
        return f"{n} NN interval(s) in the window: needs >= {MIN_NN_PER_WINDOW}"
    if share is not None and share > max_share:
        return f"{share:.0%} of the NN intervals were corrected (limit {max_share:.0%})"
    return None


WindowsFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Iterable[Values]]
"""``fn(nn, t_end, a, b)``: figures of windows ``nn[a[k]:b[k]]``, in order (an iterable, so
that a slow engine can compute them as the windows are assembled)."""


@dataclass(frozen=True, slots=True)
class _Series:
    """NN intervals of all segments end to end, with their flags, segments and times."""

    nn: np.ndarray
    corrected: np.ndarray
    segment: np.ndarray
    t_end: np.ndarray


def _segments(
    n: int, index: np.ndarray, excluded: Iterable[tuple[int, float]] | None
) -> tuple[list[tuple[int, int]], list[float]]:
    """Index ranges ``[lo, hi)`` of the segments of ``rr_ms`` and the time (ms) of the
    excluded values just before each (0.0 for none); trailing excluded values end nothing."""
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


def _assemble(
    parts: list[tuple[np.ndarray, np.ndarray]], gaps_ms: list[float]
) -> _Series:
    """Concatenate per-segment ``(nn, corrected)`` and lay them on one time axis (step 3)."""
    steps, is_nn, segment = [], [], []
    for s, ((nn, _), gap) in enumerate(zip(parts, gaps_ms, strict=True)):
        if gap > 0.0:
            steps.append(np.asarray([gap]))
            is_nn.append(np.zeros(1, dtype=bool))
        steps.append(nn)
        is_nn.append(np.ones(nn.size, dtype=bool))
        segment.append(np.full(nn.size, s, dtype=np.intp))
    if not steps:
        empty = np.empty(0)
        return _Series(empty, np.empty(0, dtype=bool), np.empty(0, dtype=np.intp), empty)
    t = np.cumsum(np.concatenate(steps)) / 1000.0  # no gaps: exactly cumsum(nn) / 1000
    return _Series(
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate(segment),
        t[np.concatenate(is_nn)],
    )


def _build_windows(
    series: _Series,
    window_s: float,
    step_s: float,
    max_share: float,
    min_coverage: float,
    progress: Progress | None,
    time_fn: WindowsFn,
    freq_fn: WindowsFn,
) -> tuple[AnalysisWindow, ...]:
    nn, t_end = series.nn, series.t_end
    lay = _layout(t_end, nn, series.segment, window_s, step_s, min_coverage)
    a, b = lay.a, lay.b
    n = b - a
    n_corr = np.concatenate([[0], np.cumsum(series.corrected, dtype=np.int64)])
    shares = np.where(n > 0, (n_corr[b] - n_corr[a]) / np.maximum(n, 1), np.nan)
    count = int(lay.starts.size)
    share_of = [None if n[k] == 0 else float(shares[k]) for k in range(count)]
    reasons = [
        _window_reason(int(n[k]), share_of[k], max_share, float(lay.covered[k]), window_s,
                       min_coverage)
        for k in range(count)
    ]
    ok = np.asarray([r is None for r in reasons], dtype=bool)
    spectral = window_s >= MIN_SPECTRAL_WINDOW_S
    time_values = iter(time_fn(nn, t_end, a[ok], b[ok]) if ok.any() else ())
    freq_values = iter(freq_fn(nn, t_end, a[ok], b[ok]) if spectral and ok.any() else ())
    windows = []
    for k in range(count):
        reason = reasons[k]
        values: Values = dict.fromkeys((*TIME_KEYS, *FREQUENCY_KEYS))
        if reason is None:
            values.update(next(time_values))
            if spectral:
                values.update(next(freq_values))
            else:
                reason = f"LF/HF need windows >= {MIN_SPECTRAL_WINDOW_S:.0f} s"
        start = float(lay.starts[k])
        seg = int(lay.segment[k])
        windows.append(AnalysisWindow(
            start, start + window_s, int(n[k]), share_of[k], values, reason,
            round(float(lay.covered[k]), 6), seg if seg >= 0 else None,
        ))
        if progress is not None:
            progress(k + 1, count)
    return tuple(windows)


def _fast_time(nn: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[Values]:
    td = time_domain_windows(nn, a, b)
    return [td.window(k).as_dict() for k in range(len(td))]


def _fast_freq(spectral: SpectralParameters) -> WindowsFn:
    def freq(nn: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[Values]:
        # All windows at once: the same numbers as frequency_domain window by window.
        fd = frequency_domain_windows(nn, t, a, b, spectral)
        return [fd.window(k).as_dict() for k in range(len(fd))]

    return freq


def analyze_rr(
    rr_ms: npt.ArrayLike,
    *,
    window_s: float = 300.0,
    step_s: float = 30.0,
    spectral: SpectralParameters = SpectralParameters(),  # noqa: B008 - frozen
    progress: Progress | None = None,
    input_index: Sequence[int] | np.ndarray | None = None,
    max_corrected_share: float = DEFAULT_MAX_CORRECTED_SHARE,
    excluded: Iterable[tuple[int, float]] | None = None,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> Analysis:
    """Artifact-corrected HRV of an RR series in sliding windows (the fast engine).

    Parameters
    ----------
    rr_ms : array_like
        RR intervals, ms, 1-D, finite, > 0, in time order.
    window_s, step_s : float
        Window length and step, s. 300 s is the standard short-term window; 30-60 s windows
        are ultra-short-term (time domain only).
    spectral : SpectralParameters
        Frequency-domain method (4 Hz quadratic interpolation, Welch; see
        :mod:`tolerance.hrv.frequency`).
    progress : callable, optional
        ``progress(done, total)`` after each window.
    input_index : array_like of int, optional
        Position in the original input of each value of ``rr_ms`` (when the caller dropped
        implausible values before): artifact indices are reported in those positions.
        Default ``arange(len(rr_ms))``.
    max_corrected_share : float
        Windows with a larger share of corrected NN intervals give null values.
    excluded : iterable of (int, float), optional
        ``(input index, value in ms)`` of each value the caller left out of ``rr_ms``. Each
        is a segment break; time advances by its value (module docstring, steps 1-3).
        ``input_index`` must then be increasing. Default: none, one segment.
    min_coverage : float
        Share of a window its segment must cover for numbers (default 0.8, the live
        engine's); see the module docstring, step 4.

    Returns
    -------
    Analysis
        Windows with MeanNN, SDNN, RMSSD (ms), pNN50 (%), HR (beats/min), VLF, LF, HF, TP
        (ms²), LF/HF and the HF peak (Hz), ``covered_s`` and ``segment``; the artifact list;
        the parameters.

    Examples
    --------
    A 20 s drop-out between two stretches of beats: no window mixes them, and time goes on::

        analyze_rr(rr_kept, input_index=kept_positions, excluded=[(i_gap, 20_000.0)])

    References
    ----------
    Lipponen & Tarvainen (2019); Task Force (1996) (module docstring).
    """
    rr = _as_nn(rr_ms)
    index = _input_index(input_index, rr.size)
    ranges, gaps = _segments(rr.size, index, excluded)
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    artifacts: list[tuple[int, str]] = []
    for lo, hi in ranges:
        types = detect_artifacts(rr[lo:hi])
        correction = correct_artifacts(rr[lo:hi], types)
        parts.append((
            np.asarray(correction.nn_ms, dtype=np.float64),
            np.asarray(correction.is_corrected, dtype=bool),
        ))
        artifacts += [
            (int(index[lo + i]), str(t)) for i, t in enumerate(types) if t != ArtifactType.NORMAL
        ]
    windows = _build_windows(
        _assemble(parts, gaps), window_s, step_s, max_corrected_share, min_coverage,
        progress, _fast_time, _fast_freq(spectral),
    )
    params = _parameters(
        window_s, step_s, spectral, max_corrected_share, min_coverage, "fast"
    )
    return Analysis(windows, tuple(artifacts), params)


def _input_index(input_index: Sequence[int] | np.ndarray | None, n: int) -> np.ndarray:
    if input_index is None:
        return np.arange(n)
    index = np.asarray(input_index, dtype=np.int64)
    if index.shape != (n,):
        raise HrvInputError(f"input_index has shape {index.shape}, expected ({n},)")
    return index


def _nk_value(frame: Any, key: str) -> float | None:
    value = float(frame[key].iloc[0])
    return None if math.isnan(value) else value


def _nk_segment(nk: Any, rr: np.ndarray) -> tuple[dict[int, str], np.ndarray, np.ndarray]:
    """neurokit2's artifacts (by position in ``rr``), NN intervals and corrected flags."""
    peaks = np.concatenate([[0.0], np.cumsum(rr)])
    info, clean = nk.signal_fixpeaks(peaks, sampling_rate=1000, iterative=False, method="Kubios")
    clean = np.asarray(clean, dtype=np.float64)
    # neurokit2's median filter runs over its periods, whose first (placeholder) is the mean.
    periods = np.concatenate([[rr.mean() if rr.size else 0.0], rr])
    found: dict[int, str] = {}
    for kind in ("ectopic", "missed", "extra", "longshort"):
        for k in info[kind]:
            i = int(k) - 1
            if kind == "longshort":
                med = np.median(periods[max(0, i + 1 - 5) : i + 7])
                found[i] = "long" if rr[i] > med else "short"
            else:
                found[i] = kind
    # A corrected NN interval has an end not among the input peaks (0.5 ms: truncation).
    pos = np.clip(np.searchsorted(peaks, clean), 1, peaks.size - 1)
    nearest = np.minimum(np.abs(peaks[pos] - clean), np.abs(peaks[pos - 1] - clean))
    moved = nearest > 0.5
    return found, np.diff(clean), moved[1:] | moved[:-1]


def reference_analyze_rr(
    rr_ms: npt.ArrayLike,
    *,
    window_s: float = 300.0,
    step_s: float = 30.0,
    spectral: SpectralParameters = SpectralParameters(),  # noqa: B008 - frozen
    progress: Progress | None = None,
    input_index: Sequence[int] | np.ndarray | None = None,
    max_corrected_share: float = DEFAULT_MAX_CORRECTED_SHARE,
    excluded: Iterable[tuple[int, float]] | None = None,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> Analysis:
    """:func:`analyze_rr` computed with neurokit2's own functions (the slow reference).

    Artifacts and correction, per segment: ``nk.signal_fixpeaks(peaks, sampling_rate=1000,
    method="Kubios", iterative=False)`` on ``peaks = [0, cumsum(rr_ms)]`` as floats (ms; no
    rounding unless neurokit2 moves a peak: its ``_correct_misaligned`` then truncates all
    peaks to whole ms). neurokit2's artifact index ``k`` is input index ``k - 1``; its
    ``longshort`` class is reported ``long`` or ``short`` by the sign of ``rr - median``
    of the 11 intervals around it. Per window: ``nk.hrv_time`` and ``nk.hrv_frequency(...,
    normalize=False, interpolation_rate=...)`` on ``{"RRI": nn, "RRI_Time": t_end}`` (the
    intervals themselves, never ``intervals_to_peaks``, which rounds to whole samples).

    Same parameters and result as :func:`analyze_rr`; see the module docstring for where
    the two engines differ (windows with corrected beats).
    """
    import neurokit2 as nk  # the slow path only: keeps `import tolerance.hrv.analysis` light

    rr = _as_nn(rr_ms)
    index = _input_index(input_index, rr.size)
    ranges, gaps = _segments(rr.size, index, excluded)
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    found: dict[int, str] = {}
    for lo, hi in ranges:
        seg_found, nn, corrected = _nk_segment(nk, rr[lo:hi])
        found.update({lo + i: kind for i, kind in seg_found.items()})
        parts.append((nn, corrected))
    artifacts = tuple((int(index[i]), found[i]) for i in sorted(found))

    def time_fn(nn: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray) -> Iterator[Values]:
        for lo, hi in zip(a, b, strict=True):
            r = nk.hrv_time({"RRI": nn[lo:hi], "RRI_Time": t[lo:hi]})
            d = {k: _nk_value(r, k) for k in TIME_KEYS if k != "HR"}
            d["HR"] = 60_000.0 / d["HRV_MeanNN"] if d["HRV_MeanNN"] else None
            yield d

    def freq_fn(nn: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray) -> Iterator[Values]:
        for lo, hi in zip(a, b, strict=True):
            with warnings.catch_warnings():
                # LF/HF of an empty HF band: 0/0 inside neurokit2 gives NaN (null) on purpose.
                warnings.simplefilter("ignore", RuntimeWarning)
                r = nk.hrv_frequency(
                    {"RRI": nn[lo:hi], "RRI_Time": t[lo:hi]}, **spectral.neurokit_kwargs()
                )
            d = {k: _nk_value(r, k) for k in ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP")}
            # Not a neurokit2 output: the HF peak comes from our Welch spectrum (same method).
            peak = frequency_domain(nn[lo:hi], t[lo:hi], spectral).as_dict()["HF_peak_Hz"]
            d["HF_peak_Hz"] = peak
            if d["HRV_TP"] == 0.0:
                d["HRV_TP"] = None
            yield d

    windows = _build_windows(
        _assemble(parts, gaps), window_s, step_s, max_corrected_share, min_coverage,
        progress, time_fn, freq_fn,
    )
    params = _parameters(
        window_s, step_s, spectral, max_corrected_share, min_coverage, "neurokit"
    )
    return Analysis(windows, artifacts, params)
