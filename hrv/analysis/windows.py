"""What both engines of ``tolerance analyze`` share (:mod:`.fast`, :mod:`.reference`): the
parameters block and the window assembly; the result types and the figures' names live in
:mod:`.table` and are re-exported here.

:func:`build_windows` lays the windows out over the segments (:mod:`tolerance.hrv.segments`),
decides which give numbers (coverage, NN count, corrected share) and fills them with the
figures an engine computes (``time_fn``, ``freq_fn``), so that both engines agree on every
window but its numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

import numpy as np

from ..frequency import SpectralParameters
from ..quality import MALIK_THRESHOLD, MAX_ABNORMAL_SHARE, RawIntervals, window_abnormal_share
from ..segments import MIN_NN_PER_WINDOW, Series, layout_windows, window_reason
from .table import (
    CORRECTED_KINDS,
    CSV_COLUMNS,
    FREQUENCY_KEYS,
    TIME_KEYS,
    Analysis,
    AnalysisWindow,
    Progress,
    Values,
    WindowTable,
)

__all__ = [
    "CORRECTED_KINDS",
    "CSV_COLUMNS",
    "DEFAULT_MAX_CORRECTED_SHARE",
    "FREQUENCY_KEYS",
    "MIN_SPECTRAL_WINDOW_S",
    "MIN_VLF_WINDOW_S",
    "TIME_KEYS",
    "Analysis",
    "AnalysisWindow",
    "Progress",
    "Values",
    "WindowTable",
    "WindowsFn",
    "analysis_parameters",
    "build_windows",
]

MIN_SPECTRAL_WINDOW_S: Final = 120.0
"""Shortest window (s) given LF, HF and LF/HF: about 2 minutes for LF (Task Force, 1996)."""
MIN_VLF_WINDOW_S: Final = 600.0
"""Shortest window (s) given VLF. The band reaches down to 0.0033 Hz, a 300 s period, and a Welch
segment is half the window: below 600 s no segment holds one cycle of the band's lower edge,
and the Task Force (1996) calls VLF from short-term (<= 5 min) recordings "a dubious measure"
to avoid. Shorter windows give VLF null (TP, neurokit2's sum of bands, still includes it)."""
DEFAULT_MAX_CORRECTED_SHARE: Final = 0.20
"""Windows with more corrected NN intervals than this share give null values. Kubios advises
caution above 5 % corrected beats; 20 % is a common exclusion limit in the literature."""


def analysis_parameters(
    window_s: float,
    step_s: float,
    spectral: SpectralParameters,
    max_share: float,
    min_coverage: float,
    engine: str,
    max_abnormal: float = MAX_ABNORMAL_SHARE,
) -> dict[str, Any]:
    return {
        **spectral.as_dict(),
        "window_s": window_s,
        "step_s": step_s,
        "min_spectral_window_s": MIN_SPECTRAL_WINDOW_S,
        "min_vlf_window_s": MIN_VLF_WINDOW_S,
        "vlf_rule": (
            f"HRV_VLF is null in windows shorter than {MIN_VLF_WINDOW_S:.0f} s: no Welch segment (half the window) "
            "holds one 300 s cycle of the band's lower edge (Task Force 1996: VLF from <= 5 min is dubious); "
            "HRV_TP still sums every band, VLF included"
        ),
        "max_corrected_share": max_share,
        "min_coverage": min_coverage,
        "min_nn_per_window": MIN_NN_PER_WINDOW,
        "max_abnormal_share": max_abnormal,
        "quality_gate": (
            f"abnormal_share: share of the raw (uncorrected) input intervals ending in the window that differ "
            f"from the previous one by more than {MALIK_THRESHOLD:.0%} (Malik et al. 1989, a fixed threshold, "
            f"independent of the adaptive artifact detector); above max_abnormal_share ({max_abnormal:.0%}) "
            "the window gives null values with the reason, whatever corrected_share says"
        ),
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
            "window is left out when covered_s < min_coverage * window_s, unless it is the only one "
            "(then it is given, null, with its reason)"
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
            "time": "ms",
            "pNN50": "%",
            "HR": "beats/min",
            "power": "ms^2",
            "start_s, end_s, covered_s": "s",
        },
    }


WindowsFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Iterable[Values]]
"""``fn(nn, t_end, a, b)``: figures of windows ``nn[a[k]:b[k]]``, in order (an iterable, so
that a slow engine can compute them as the windows are assembled)."""


def build_windows(
    series: Series,
    window_s: float,
    step_s: float,
    max_share: float,
    min_coverage: float,
    progress: Progress | None,
    time_fn: WindowsFn,
    freq_fn: WindowsFn,
    raw: RawIntervals | None = None,
    max_abnormal: float = MAX_ABNORMAL_SHARE,
    min_vlf_window_s: float = MIN_VLF_WINDOW_S,
) -> WindowTable:
    """The windows, their reasons and figures; ``raw``: the input intervals flagged by the fixed
    quality criterion (:func:`tolerance.hrv.quality.abnormal_series`), None for no gate;
    ``max_abnormal``: the gate's limit (share of a window's raw successive differences)."""
    nn, t_end = series.nn, series.t_end
    lay = layout_windows(t_end, nn, series.segment, window_s, step_s, min_coverage)
    a, b = lay.a, lay.b
    n = b - a
    # Corrected intervals in [a, b): by search among the few corrected positions (the same
    # integers as a prefix count over every interval, without its 16 bytes per interval).
    fixed = np.flatnonzero(series.corrected)
    n_corr = np.searchsorted(fixed, b) - np.searchsorted(fixed, a)
    kinds = _kind_counts(series.corrected, fixed, a, b)
    shares = np.where(n > 0, n_corr / np.maximum(n, 1), np.nan)
    count = int(lay.starts.size)
    share_of = [None if n[k] == 0 else float(shares[k]) for k in range(count)]
    reasons = [
        window_reason(int(n[k]), share_of[k], max_share, float(lay.covered[k]), window_s, min_coverage)
        for k in range(count)
    ]
    abnormal = window_abnormal_share(raw, lay.starts, window_s) if raw is not None else np.full(count, np.nan)
    abnormal_of = [None if np.isnan(abnormal[k]) else float(abnormal[k]) for k in range(count)]
    for k in range(count):
        share_k = abnormal_of[k]
        if reasons[k] is None and share_k is not None and share_k > max_abnormal:
            reasons[k] = (
                f"{share_k:.0%} of the raw successive differences exceed {MALIK_THRESHOLD:.0%} "
                f"(fixed-criterion quality gate, limit {max_abnormal:.0%})"
            )
    ok = np.asarray([r is None for r in reasons], dtype=bool)
    spectral = window_s >= MIN_SPECTRAL_WINDOW_S
    time_values = iter(time_fn(nn, t_end, a[ok], b[ok]) if ok.any() else ())
    freq_values = iter(freq_fn(nn, t_end, a[ok], b[ok]) if spectral and ok.any() else ())
    keys = (*TIME_KEYS, *FREQUENCY_KEYS)
    columns = {key: np.full(count, np.nan) for key in keys}
    for k in range(count):
        if reasons[k] is None:
            values: Values = dict(next(time_values))
            if spectral:
                values.update(next(freq_values))
                if window_s < min_vlf_window_s:
                    values["HRV_VLF"] = None
            else:
                reasons[k] = f"LF/HF need windows >= {MIN_SPECTRAL_WINDOW_S:.0f} s"
            for key in keys:
                v = values.get(key)
                if v is not None:
                    columns[key][k] = v
        if progress is not None:
            progress(k + 1, count)
    return WindowTable(
        window_s,
        np.asarray(lay.starts, dtype=np.float64),
        np.asarray(n, dtype=np.int64),
        np.array([np.nan if v is None else v for v in share_of], dtype=np.float64),
        reasons,
        np.array([round(float(c), 6) for c in lay.covered], dtype=np.float64),
        np.asarray(lay.segment, dtype=np.int64),
        np.array([np.nan if v is None else v for v in abnormal_of], dtype=np.float64),
        columns,
        kinds,
    )


def _kind_counts(flags: np.ndarray, fixed: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Corrected NN intervals in ``[a, b)`` per class (:data:`CORRECTED_KINDS`): from the class
    codes when ``flags`` holds them (uint8, :mod:`tolerance.hrv.correction`), else all counted
    under none (a bool flag says corrected, not how: zeros)."""
    from ..artifacts import ARTIFACT_CODES

    out = np.zeros((a.size, len(CORRECTED_KINDS)), dtype=np.int32)
    if flags.dtype != np.uint8 or fixed.size == 0:
        return out
    names = [t.value for t in ARTIFACT_CODES]
    codes = flags[fixed]
    for col, kind in enumerate(CORRECTED_KINDS):
        at = fixed[codes == names.index(kind)]
        out[:, col] = np.searchsorted(at, b) - np.searchsorted(at, a)
    return out
