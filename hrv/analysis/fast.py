"""Offline HRV of a whole RR series in sliding windows (``tolerance analyze``): the fast engine.

Pipeline of :func:`analyze_rr`:

1. Segments: each value the caller left out of the series (``excluded``: e.g. an implausible
   20 s drop-out or a 50 ms spurious detection, see :mod:`tolerance.api.rr_files`) is a
   segment break. Consecutive excluded values make one break (:mod:`tolerance.hrv.segments`,
   step 1).
2. Artifacts, per segment (never across a break): :func:`tolerance.hrv.artifacts.
   batch.detect_artifact_codes` (Lipponen & Tarvainen 2019, neurokit2's first pass; the classes of
   :func:`~tolerance.hrv.artifacts.batch.detect_artifacts` as one byte each) on the segment's RR
   intervals, then :func:`~tolerance.hrv.artifacts.batch.correct_artifact_codes` into NN intervals.
3. Time axis: 0 s is the start of the first value of the input; time is the running sum of
   the NN intervals *and of the excluded values*, long or short (:mod:`tolerance.hrv.
   segments`, step 2, says why). Without excluded values ``t_end = cumsum(nn_ms) / 1000``.
4. Windows ``[k * step_s, k * step_s + window_s]`` tile the series up to the first one that
   reaches its last beat (:mod:`tolerance.hrv.segments`, step 3). A window holds the NN
   intervals of **one segment** lying entirely inside it, the one covering the most of it
   (``covered_s``), and gives numbers when ``covered_s >= min_coverage * window_s`` (80 %:
   the live engine's ``EngineConfig.min_coverage``). A series slightly shorter than a window
   gives one window ``[0, window_s]``; the last window, past the last beat, is left out when
   it is covered less than 80 % and is not the only one.
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

:func:`~tolerance.hrv.analysis.reference.reference_analyze_rr` (:mod:`.reference`) does
the same with neurokit2's own functions, window by window (slow; ``tolerance analyze --engine
neurokit`` and the benchmarks); both engines build their :class:`Analysis` with the same
window assembly (:func:`~tolerance.hrv.analysis.windows.build_windows`). :func:`window_bounds`
and :data:`DEFAULT_MIN_COVERAGE` live in :mod:`tolerance.hrv.segments` and are re-exported by
:mod:`tolerance.hrv.analysis`.

Memory: every step works in bounded pieces (chunks of beats, blocks of windows), so a run holds
about 46 bytes per input beat (benchmarks/README.md, part (i)); the windows are columns
(:class:`~tolerance.hrv.analysis.windows.WindowTable`), read one :class:`AnalysisWindow` at a time.

References
----------
* Lipponen, J. A., & Tarvainen, M. P. (2019). A robust algorithm for heart rate variability
  time series artefact correction using novel beat classification. Journal of Medical
  Engineering & Technology, 43(3), 173-181.
* Task Force of the ESC and NASPE (1996). Heart rate variability: standards of measurement,
  physiological interpretation and clinical use. Circulation, 93(5), 1043-1065.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..artifacts import ARTIFACT_CODES
from ..correction import correct_segment, correction_description
from ..frequency import SpectralParameters
from ..frequency_batch import frequency_domain_windows
from ..inputs import as_nn
from ..kubios import kubios_time_domain
from ..quality import MAX_ABNORMAL_SHARE, abnormal_series
from ..segments import DEFAULT_MIN_COVERAGE, assemble_segments, input_positions, split_segments
from ..time_domain import time_domain_windows
from .windows import (
    DEFAULT_MAX_CORRECTED_SHARE,
    MIN_VLF_WINDOW_S,
    Analysis,
    Progress,
    Values,
    WindowsFn,
    analysis_parameters,
    build_windows,
)

__all__ = ["analyze_rr"]


_FREQ_BLOCK: Final = 512
"""Windows whose spectra are computed at a time: their intervals are a slice of the series, so
the spectra's temporaries stay a block's (~20 MB), whatever the length of the recording."""


def _fast_time(nn: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray) -> Iterator[Values]:
    td = time_domain_windows(nn, a, b)
    return (td.window(k).as_dict() for k in range(len(td)))


def _kubios_time(spectral: SpectralParameters) -> WindowsFn:
    """Kubios' time domain per window (:func:`~tolerance.hrv.kubios.kubios_time_domain`): the
    detrended intervals' SDNN, RMSSD and pNN50 (over N - 1) when detrending is on."""

    def time(nn: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray) -> Iterator[Values]:
        rate, lam = spectral.interpolation_rate, spectral.detrend_lambda
        for lo, hi in zip(a.tolist(), b.tolist(), strict=True):
            d = kubios_time_domain(nn[lo:hi], t[lo:hi], rate, lam)
            yield {k: (None if v != v else v) for k, v in d.items()}

    return time


def _fast_freq(spectral: SpectralParameters) -> WindowsFn:
    def freq(nn: np.ndarray, t: np.ndarray, a: np.ndarray, b: np.ndarray) -> Iterator[Values]:
        # All windows of a block at once, on the slice of the series they span: window k gives
        # what frequency_domain gives on nn[a:b], t[a:b] bit for bit, wherever the slice starts.
        for k0 in range(0, a.size, _FREQ_BLOCK):
            ab, bb = a[k0 : k0 + _FREQ_BLOCK], b[k0 : k0 + _FREQ_BLOCK]
            lo, hi = int(ab.min()), int(bb.max())
            fd = frequency_domain_windows(nn[lo:hi], t[lo:hi], ab - lo, bb - lo, spectral)
            yield from (fd.window(k).as_dict() for k in range(len(fd)))

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
    max_abnormal_share: float = MAX_ABNORMAL_SHARE,
    correction: str = "auto",
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
    correction : str
        Artifact correction (:data:`tolerance.hrv.correction.CORRECTIONS`): ``auto`` (Lipponen &
        Tarvainen, default), ``none``, a Kubios threshold level (``very-low`` ... ``very-strong``)
        or ``neurokit`` (neurokit2's peak moving); see :mod:`tolerance.hrv.correction`. Every
        method keeps the beats' time (an interpolated interval's time step is the RR interval).
    max_abnormal_share : float
        Limit of the fixed-criterion quality gate (:mod:`tolerance.hrv.quality`): windows whose
        raw successive differences exceed 20 % in a larger share give null values (default 0.10).

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
    rr = as_nn(rr_ms)
    index = input_positions(input_index, rr.size)
    ranges, gaps = split_segments(rr.size, index, excluded)
    kubios = spectral.welch_segments == "kubios"
    description = correction_description(correction)  # refuses an unknown method first
    nk: Any = None
    if correction == "neurokit":
        import importlib

        nk = importlib.import_module("neurokit2")  # only for neurokit2's own correction
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    steps: list[np.ndarray] = []
    artifacts: list[tuple[int, str]] = []
    names = [t.value for t in ARTIFACT_CODES]
    for lo, hi in ranges:
        # One byte per beat for the classes, and only the NN intervals, codes and steps made.
        c = correct_segment(rr[lo:hi], correction, nk)
        parts.append((c.nn, c.codes))
        steps.append(c.steps)
        artifacts += [
            (int(index[lo + i]), names[k]) for i, k in zip(c.flagged.tolist(), c.flagged_codes.tolist(), strict=True)
        ]
        del c
    windows = build_windows(
        assemble_segments(parts, gaps, steps),
        window_s,
        step_s,
        max_corrected_share,
        min_coverage,
        progress,
        _kubios_time(spectral) if kubios else _fast_time,
        _fast_freq(spectral),
        abnormal_series(rr, ranges, gaps),
        max_abnormal_share,
        # Kubios reports VLF (0-0.04 Hz) from 5-minute windows: its mode does too (the Task
        # Force's caution about short-term VLF stands, and the parameters say so).
        0.0 if kubios else MIN_VLF_WINDOW_S,
    )
    params = analysis_parameters(
        window_s, step_s, spectral, max_corrected_share, min_coverage, "fast", max_abnormal_share
    )
    params["correction"] = correction
    params["artifact_correction"] = description
    if kubios:
        params["min_vlf_window_s"] = 0.0
        params["vlf_rule"] = (
            "HRV_VLF (0-0.04 Hz) in every window, as Kubios reports it (Task Force 1996: dubious <= 5 min)"
        )
    return Analysis(windows, tuple(artifacts), params)
