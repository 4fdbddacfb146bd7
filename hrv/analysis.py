"""Offline HRV of a whole RR series in sliding windows (``tolerance analyze``): the fast engine.

Pipeline of :func:`analyze_rr`:

1. Segments: each value the caller left out of the series (``excluded``: e.g. an implausible
   20 s drop-out or a 50 ms spurious detection, see :mod:`tolerance.api.rr_files`) is a
   segment break. Consecutive excluded values make one break (:mod:`tolerance.hrv.segments`,
   step 1).
2. Artifacts, per segment (never across a break): :func:`tolerance.hrv.artifacts.
   detect_artifacts` (Lipponen & Tarvainen 2019, neurokit2's first pass) on the segment's RR
   intervals, then :func:`~tolerance.hrv.artifacts.correct_artifacts` into NN intervals.
3. Time axis: 0 s is the start of the first value of the input; time is the running sum of
   the NN intervals *and of the excluded values*, long or short (:mod:`tolerance.hrv.
   segments`, step 2, says why). Without excluded values ``t_end = cumsum(nn_ms) / 1000``.
4. Windows ``[k * step_s, k * step_s + window_s]`` tile the series up to the first one that
   reaches its last beat (:mod:`tolerance.hrv.segments`, step 3). A window holds the NN
   intervals of **one segment** lying entirely inside it, the one covering the most of it
   (``covered_s``), and gives numbers when ``covered_s >= min_coverage * window_s`` (80 %:
   the live engine's ``EngineConfig.min_coverage``). A series slightly shorter than a window
   gives one window ``[0, window_s]``; the last window, past the last beat, is left out when
   it is covered less than 80 %.
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

:func:`reference_analyze_rr` (:mod:`tolerance.hrv.reference`, importable from here too) does
the same with neurokit2's own functions, window by window (slow; ``tolerance analyze --engine
neurokit`` and the benchmarks); both engines build their :class:`Analysis` with the same
window assembly (:func:`_build_windows`). :func:`window_bounds` and
:data:`DEFAULT_MIN_COVERAGE` live in :mod:`tolerance.hrv.segments` and are re-exported here.

References
----------
* Lipponen, J. A., & Tarvainen, M. P. (2019). A robust algorithm for heart rate variability
  time series artefact correction using novel beat classification. Journal of Medical
  Engineering & Technology, 43(3), 173-181.
* Task Force of the ESC and NASPE (1996). Heart rate variability: standards of measurement,
  physiological interpretation and clinical use. Circulation, 93(5), 1043-1065.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from .artifacts import ArtifactType, correct_artifacts, detect_artifacts
from .frequency import SpectralParameters
from .frequency_batch import frequency_domain_windows
from .segments import (
    DEFAULT_MIN_COVERAGE,
    MIN_NN_PER_WINDOW,
    Series,
    assemble_segments,
    input_positions,
    layout_windows,
    split_segments,
    window_bounds,
    window_reason,
)
from .time_domain import _as_nn, time_domain_windows

if TYPE_CHECKING:  # re-exported lazily (module __getattr__): reference imports this module
    from .reference import reference_analyze_rr

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

TIME_KEYS: Final = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50", "HR")
FREQUENCY_KEYS: Final = ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP", "HF_peak_Hz")
CSV_COLUMNS: Final = (
    "start_s", "end_s", "n_beats", "covered_s", "segment", "corrected_share",
    *TIME_KEYS, *FREQUENCY_KEYS, "reason",
)

Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each window."""
Values = dict[str, float | None]


def __getattr__(name: str) -> Any:
    """``reference_analyze_rr``, imported on first use (its module imports this one)."""
    if name == "reference_analyze_rr":
        from . import reference

        return reference.reference_analyze_rr
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


WindowsFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Iterable[Values]]
"""``fn(nn, t_end, a, b)``: figures of windows ``nn[a[k]:b[k]]``, in order (an iterable, so
that a slow engine can compute them as the windows are assembled)."""


def _build_windows(
    series: Series,
    window_s: float,
    step_s: float,
    max_share: float,
    min_coverage: float,
    progress: Progress | None,
    time_fn: WindowsFn,
    freq_fn: WindowsFn,
) -> tuple[AnalysisWindow, ...]:
    nn, t_end = series.nn, series.t_end
    lay = layout_windows(t_end, nn, series.segment, window_s, step_s, min_coverage)
    a, b = lay.a, lay.b
    n = b - a
    n_corr = np.concatenate([[0], np.cumsum(series.corrected, dtype=np.int64)])
    shares = np.where(n > 0, (n_corr[b] - n_corr[a]) / np.maximum(n, 1), np.nan)
    count = int(lay.starts.size)
    share_of = [None if n[k] == 0 else float(shares[k]) for k in range(count)]
    reasons = [
        window_reason(int(n[k]), share_of[k], max_share, float(lay.covered[k]), window_s,
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
    index = input_positions(input_index, rr.size)
    ranges, gaps = split_segments(rr.size, index, excluded)
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
        assemble_segments(parts, gaps), window_s, step_s, max_corrected_share, min_coverage,
        progress, _fast_time, _fast_freq(spectral),
    )
    params = _parameters(
        window_s, step_s, spectral, max_corrected_share, min_coverage, "fast"
    )
    return Analysis(windows, tuple(artifacts), params)
