"""Offline HRV of a whole RR series in sliding windows (``tolerance analyze``).

Pipeline of :func:`analyze_rr`:

1. Artifacts: :func:`tolerance.hrv.artifacts.detect_artifacts` (Lipponen & Tarvainen 2019,
   neurokit2's first pass) on the RR intervals, then
   :func:`~tolerance.hrv.artifacts.correct_artifacts` into NN intervals.
2. Time axis: the NN intervals laid end to end from the first beat at 0 s;
   ``t_end[i] = cumsum(nn_ms)[i] / 1000`` is the beat that ends interval ``i``. This same
   array is the ``RRI_Time`` given to neurokit2 by the reference path.
3. Windows: ``[k * step_s, k * step_s + window_s]`` for every ``k`` whose window ends by the
   last beat; a window holds the NN intervals lying entirely inside it.
4. Per window: time domain (:func:`~tolerance.hrv.time_domain.time_domain_windows`, all
   windows at once) and, for windows of at least :data:`MIN_SPECTRAL_WINDOW_S`, frequency
   domain (:func:`~tolerance.hrv.frequency.frequency_domain_windows`, all windows at once,
   the same numbers as :func:`~tolerance.hrv.frequency.frequency_domain` window by window;
   4 Hz by default).

A window gives null values with a ``reason`` when it holds fewer than 2 NN intervals or when
more than ``max_corrected_share`` of its intervals were corrected; LF, HF and LF/HF are null
in windows shorter than 120 s (Task Force, 1996: LF needs about 2 minutes). 30-60 s windows
are ultra-short-term figures; 5-minute windows are the standard ones.

:func:`reference_analyze_rr` does the same with neurokit2's own functions, window by window
(slow; ``tolerance analyze --engine neurokit`` and the benchmarks). Its artifact correction is
neurokit2's (``signal_fixpeaks(method="Kubios", iterative=False)``), which moves peaks instead
of interpolating intervals: windows with corrected beats differ between the two engines by
design; windows without agree to 1e-9 (time domain) and 1e-6 (frequency domain).

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
from .frequency import SpectralParameters, frequency_domain, frequency_domain_windows
from .time_domain import HrvInputError, _as_nn, time_domain_windows

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MAX_CORRECTED_SHARE",
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
MIN_NN_PER_WINDOW: Final = 2
"""Fewest NN intervals in a window for any figure (SDNN and RMSSD need 2)."""

TIME_KEYS: Final = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50", "HR")
FREQUENCY_KEYS: Final = ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP", "HF_peak_Hz")
CSV_COLUMNS: Final = (
    "start_s", "end_s", "n_beats", "corrected_share", *TIME_KEYS, *FREQUENCY_KEYS, "reason"
)

Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each window."""


@dataclass(frozen=True, slots=True)
class AnalysisWindow:
    """One window: bounds (s from the first beat), NN count, corrected share, metrics."""

    start_s: float
    end_s: float
    n_beats: int
    corrected_share: float | None
    values: dict[str, float | None]
    reason: str | None

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start_s": self.start_s,
            "end_s": self.end_s,
            "n_beats": self.n_beats,
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


def window_bounds(
    t_end: np.ndarray, nn_ms: np.ndarray, window_s: float, step_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window start times (s) and the index range of the NN intervals entirely inside each.

    Returns ``starts_s``, ``a``, ``b``: window ``k`` spans ``[starts_s[k], starts_s[k] +
    window_s]`` and holds ``nn_ms[a[k]:b[k]]``.
    """
    if not (window_s > 0 and step_s > 0 and math.isfinite(window_s) and math.isfinite(step_s)):
        raise HrvInputError("window_s and step_s must be positive and finite")
    duration = float(t_end[-1]) if t_end.size else 0.0
    if duration < window_s:
        empty = np.empty(0, dtype=np.intp)
        return np.empty(0), empty, empty
    # A tolerance of 1 µs keeps a window that ends exactly on the last beat despite rounding.
    count = int(math.floor((duration - window_s) / step_s + 1e-9)) + 1
    starts = np.arange(count) * step_s
    t_begin = t_end - nn_ms / 1000.0
    a = np.searchsorted(t_begin, starts - 1e-9, side="left")
    b = np.searchsorted(t_end, starts + window_s + 1e-9, side="right")
    return starts, a, b


def _parameters(
    window_s: float, step_s: float, spectral: SpectralParameters, max_share: float, engine: str
) -> dict[str, Any]:
    return {
        **spectral.as_dict(),
        "window_s": window_s,
        "step_s": step_s,
        "min_spectral_window_s": MIN_SPECTRAL_WINDOW_S,
        "max_corrected_share": max_share,
        "min_nn_per_window": MIN_NN_PER_WINDOW,
        "time_base": "NN intervals end to end from the first beat at 0 s",
        "window_membership": "NN intervals lying entirely inside [start_s, end_s]",
        "artifact_method": "Lipponen & Tarvainen 2019 (Kubios), first pass",
        "artifact_correction": (
            "neurokit2 signal_fixpeaks (peaks moved to neighbours' midpoint)"
            if engine == "neurokit"
            else "intervals: extra merged, missed split, others interpolated"
        ),
        "engine": engine,
        "units": {"time": "ms", "pNN50": "%", "HR": "beats/min", "power": "ms^2"},
    }


def _window_reason(n: int, share: float | None, max_share: float) -> str | None:
    if n < MIN_NN_PER_WINDOW:
        return f"{n} NN interval(s) in the window: needs >= {MIN_NN_PER_WINDOW}"
    if share is not None and share > max_share:
        return f"{share:.0%} of the NN intervals were corrected (limit {max_share:.0%})"
    return None


FrequencyFn = Callable[
    [np.ndarray, np.ndarray, np.ndarray, np.ndarray], Iterable[dict[str, float | None]]
]
"""``freq_fn(nn, t_end, a, b)``: the frequency figures of windows ``nn[a[k]:b[k]]``, in order
(an iterable, so that a slow engine can compute them as the windows are assembled)."""


def _build_windows(
    nn: np.ndarray,
    corrected: np.ndarray,
    window_s: float,
    step_s: float,
    max_share: float,
    progress: Progress | None,
    time_fn: Callable[[np.ndarray, np.ndarray, np.ndarray], list[dict[str, float | None]]],
    freq_fn: FrequencyFn,
) -> tuple[AnalysisWindow, ...]:
    t_end = np.cumsum(nn) / 1000.0
    starts, a, b = window_bounds(t_end, nn, window_s, step_s)
    n = b - a
    n_corr = np.concatenate([[0], np.cumsum(corrected, dtype=np.int64)])
    shares = np.where(n > 0, (n_corr[b] - n_corr[a]) / np.maximum(n, 1), np.nan)
    time_values = time_fn(nn, a, b)
    spectral = window_s >= MIN_SPECTRAL_WINDOW_S
    share_of = [None if n[k] == 0 else float(shares[k]) for k in range(starts.size)]
    reasons = [_window_reason(int(n[k]), share_of[k], max_share) for k in range(starts.size)]
    with_values = np.asarray([r is None for r in reasons], dtype=bool)
    freq_values = iter(
        freq_fn(nn, t_end, a[with_values], b[with_values]) if spectral and with_values.any() else ()
    )
    windows = []
    for k in range(starts.size):
        share, reason = share_of[k], reasons[k]
        values: dict[str, float | None] = dict.fromkeys((*TIME_KEYS, *FREQUENCY_KEYS))
        if reason is None:
            values.update(time_values[k])
            if spectral:
                values.update(next(freq_values))
            else:
                reason = f"LF/HF need windows >= {MIN_SPECTRAL_WINDOW_S:.0f} s"
        start = float(starts[k])
        windows.append(AnalysisWindow(start, start + window_s, int(n[k]), share, values, reason))
        if progress is not None:
            progress(k + 1, int(starts.size))
    return tuple(windows)


def _fast_time(nn: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[dict[str, float | None]]:
    td = time_domain_windows(nn, a, b)
    return [td.window(k).as_dict() for k in range(len(td))]


def analyze_rr(
    rr_ms: npt.ArrayLike,
    *,
    window_s: float = 300.0,
    step_s: float = 30.0,
    spectral: SpectralParameters = SpectralParameters(),  # noqa: B008 - frozen
    progress: Progress | None = None,
    input_index: Sequence[int] | np.ndarray | None = None,
    max_corrected_share: float = DEFAULT_MAX_CORRECTED_SHARE,
) -> Analysis:
    """Artifact-corrected HRV of an RR series in sliding windows (the fast engine).

    Parameters
    ----------
    rr_ms : array_like
        RR intervals, ms, 1-D, finite, > 0, one continuous recording.
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

    Returns
    -------
    Analysis
        Windows with MeanNN, SDNN, RMSSD (ms), pNN50 (%), HR (beats/min), VLF, LF, HF, TP
        (ms²), LF/HF and the HF peak (Hz); the artifact list; the parameters.

    References
    ----------
    Lipponen & Tarvainen (2019); Task Force (1996) (module docstring).
    """
    rr = _as_nn(rr_ms)
    index = _input_index(input_index, rr.size)
    types = detect_artifacts(rr)
    correction = correct_artifacts(rr, types)
    artifacts = tuple(
        (int(index[i]), str(t)) for i, t in enumerate(types) if t != ArtifactType.NORMAL
    )

    def freq(
        nn: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray
    ) -> list[dict[str, float | None]]:
        # All windows at once: the same numbers as frequency_domain window by window.
        fd = frequency_domain_windows(nn, t, a, b, spectral)
        return [fd.window(k).as_dict() for k in range(len(fd))]

    windows = _build_windows(
        np.asarray(correction.nn_ms, dtype=np.float64),
        np.asarray(correction.is_corrected, dtype=bool),
        window_s, step_s, max_corrected_share, progress, _fast_time, freq,
    )
    params = _parameters(window_s, step_s, spectral, max_corrected_share, "fast")
    return Analysis(windows, artifacts, params)


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


def reference_analyze_rr(
    rr_ms: npt.ArrayLike,
    *,
    window_s: float = 300.0,
    step_s: float = 30.0,
    spectral: SpectralParameters = SpectralParameters(),  # noqa: B008 - frozen
    progress: Progress | None = None,
    input_index: Sequence[int] | np.ndarray | None = None,
    max_corrected_share: float = DEFAULT_MAX_CORRECTED_SHARE,
) -> Analysis:
    """:func:`analyze_rr` computed with neurokit2's own functions (the slow reference).

    Artifacts and correction: ``nk.signal_fixpeaks(peaks, sampling_rate=1000,
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
    peaks = np.concatenate([[0.0], np.cumsum(rr)])
    info, clean = nk.signal_fixpeaks(peaks, sampling_rate=1000, iterative=False, method="Kubios")
    clean = np.asarray(clean, dtype=np.float64)
    # neurokit2's median filter runs over its periods, whose first (placeholder) is the mean.
    periods = np.concatenate([[rr.mean() if rr.size else 0.0], rr])
    med = [np.median(periods[max(0, k - 5) : k + 6]) for k in range(1, periods.size)]
    found: dict[int, str] = {}
    for kind in ("ectopic", "missed", "extra", "longshort"):
        for k in info[kind]:
            i = int(k) - 1
            if kind == "longshort":
                found[i] = "long" if rr[i] > med[i] else "short"
            else:
                found[i] = kind
    artifacts = tuple((int(index[i]), found[i]) for i in sorted(found))
    nn = np.diff(clean)
    # A corrected NN interval has an end not among the input peaks (0.5 ms: truncation).
    pos = np.clip(np.searchsorted(peaks, clean), 1, peaks.size - 1)
    nearest = np.minimum(np.abs(peaks[pos] - clean), np.abs(peaks[pos - 1] - clean))
    moved = nearest > 0.5
    corrected = moved[1:] | moved[:-1]

    def time_fn(nn_: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[dict[str, float | None]]:
        t_end = np.cumsum(nn_) / 1000.0
        out: list[dict[str, float | None]] = []
        for lo, hi in zip(a, b, strict=True):
            if hi - lo < MIN_NN_PER_WINDOW:
                out.append({})
                continue
            r = nk.hrv_time({"RRI": nn_[lo:hi], "RRI_Time": t_end[lo:hi]})
            d = {k: _nk_value(r, k) for k in TIME_KEYS if k != "HR"}
            d["HR"] = 60_000.0 / d["HRV_MeanNN"] if d["HRV_MeanNN"] else None
            out.append(d)
        return out

    def freq_window(nn_: np.ndarray, t: np.ndarray) -> dict[str, float | None]:
        with warnings.catch_warnings():
            # LF/HF of an empty HF band: 0/0 inside neurokit2 gives NaN (null) on purpose.
            warnings.simplefilter("ignore", RuntimeWarning)
            r = nk.hrv_frequency({"RRI": nn_, "RRI_Time": t}, **spectral.neurokit_kwargs())
        d = {k: _nk_value(r, k) for k in ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP")}
        # Not a neurokit2 output: the HF peak comes from our Welch spectrum (same method).
        d["HF_peak_Hz"] = frequency_domain(nn_, t, spectral).as_dict()["HF_peak_Hz"]
        if d["HRV_TP"] == 0.0:
            d["HRV_TP"] = None
        return d

    def freq_fn(
        nn_: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray
    ) -> Iterator[dict[str, float | None]]:
        for lo, hi in zip(a, b, strict=True):
            yield freq_window(nn_[lo:hi], t[lo:hi])

    windows = _build_windows(
        nn, corrected, window_s, step_s, max_corrected_share, progress, time_fn, freq_fn
    )
    params = _parameters(window_s, step_s, spectral, max_corrected_share, "neurokit")
    return Analysis(windows, artifacts, params)

