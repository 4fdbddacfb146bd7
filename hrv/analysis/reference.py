"""The slow reference engine of ``tolerance analyze``: neurokit2's own functions per window.

:func:`reference_analyze_rr` does what :func:`~tolerance.hrv.analysis.fast.analyze_rr` does, with
neurokit2's functions, window by window (slow; ``tolerance analyze --engine neurokit`` and the
benchmarks), over the same segments and windows (:mod:`tolerance.hrv.segments`). Its artifact
correction is neurokit2's (``signal_fixpeaks(method="Kubios", iterative=False)``, per
segment), which moves peaks instead of interpolating intervals: windows with corrected beats
differ between the two engines by design; windows without agree to 1e-9 (time domain) and
1e-6 (frequency domain).

neurokit2 (and with it pandas and scipy) is imported inside :func:`reference_analyze_rr` only,
so that importing :mod:`tolerance.hrv` stays light.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from ..artifacts import ARTIFACT_CODES
from ..correction import neurokit_correction, neurokit_sampling_rate
from ..errors import HrvInputError
from ..frequency import SpectralParameters, frequency_domain
from ..inputs import as_nn
from ..quality import MAX_ABNORMAL_SHARE, abnormal_series
from ..segments import DEFAULT_MIN_COVERAGE, assemble_segments, input_positions, split_segments
from .windows import (
    DEFAULT_MAX_CORRECTED_SHARE,
    TIME_KEYS,
    Analysis,
    Progress,
    Values,
    analysis_parameters,
    build_windows,
)

__all__ = ["reference_analyze_rr"]


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
    excluded: Iterable[tuple[int, float]] | None = None,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    max_abnormal_share: float = MAX_ABNORMAL_SHARE,
) -> Analysis:
    """:func:`~tolerance.hrv.analysis.fast.analyze_rr` computed with neurokit2's own functions.

    Artifacts and correction, per segment: :func:`tolerance.hrv.correction.neurokit_correction`,
    ``nk.signal_fixpeaks(peaks, sampling_rate=rate, method="Kubios", iterative=False)`` on
    ``peaks = [0, cumsum(rr_ms)]`` in samples at a rate where every beat is a whole sample
    (1000 Hz for whole-ms intervals, neurokit2's own call unchanged; 1024 Hz for Polar's
    1/1024 s; else 10 kHz): neurokit2 truncates every peak to a whole sample once it moves
    one, and at 1000 Hz sub-millisecond intervals were all rounded and all counted as
    corrected (issue 24). Unmoved beats keep their exact times. neurokit2's artifact index
    ``k`` is input index ``k - 1``; its ``longshort`` class is reported ``long`` or ``short``
    by the sign of ``rr - median`` of the 11 intervals around it. Per window: ``nk.hrv_time``
    and ``nk.hrv_frequency(..., normalize=False, interpolation_rate=...)`` on ``{"RRI": nn, "RRI_Time": t_end}`` (the
    intervals themselves, never ``intervals_to_peaks``, which rounds to whole samples).

    Same parameters and result as :func:`~tolerance.hrv.analysis.fast.analyze_rr`; see the module
    docstring for where the two engines differ (windows with corrected beats).
    """
    import neurokit2 as nk  # the slow path only: keeps `import tolerance.hrv` light

    if spectral.welch_segments == "kubios":
        raise HrvInputError("the neurokit2 reference computes neurokit2's spectrum only, not the kubios settings")
    # nk.hrv_frequency has one segment layout, its own (tail defect included): say so.
    spectral = replace(spectral, welch_segments="neurokit2")
    rr = as_nn(rr_ms)
    index = input_positions(input_index, rr.size)
    ranges, gaps = split_segments(rr.size, index, excluded)
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    found: dict[int, str] = {}
    names = [t.value for t in ARTIFACT_CODES]
    for lo, hi in ranges:
        c = neurokit_correction(nk, rr[lo:hi])
        found.update({lo + i: names[k] for i, k in zip(c.flagged.tolist(), c.flagged_codes.tolist(), strict=True)})
        parts.append((c.nn, c.codes))
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
                r = nk.hrv_frequency({"RRI": nn[lo:hi], "RRI_Time": t[lo:hi]}, **spectral.neurokit_kwargs())
            d = {k: _nk_value(r, k) for k in ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP")}
            # Not a neurokit2 output: the HF peak comes from our Welch spectrum (same method).
            peak = frequency_domain(nn[lo:hi], t[lo:hi], spectral).as_dict()["HF_peak_Hz"]
            d["HF_peak_Hz"] = peak
            if d["HRV_TP"] == 0.0:
                d["HRV_TP"] = None
            yield d

    windows = build_windows(
        assemble_segments(parts, gaps),
        window_s,
        step_s,
        max_corrected_share,
        min_coverage,
        progress,
        time_fn,
        freq_fn,
        abnormal_series(rr, ranges, gaps),
        max_abnormal_share,
    )
    params = analysis_parameters(
        window_s, step_s, spectral, max_corrected_share, min_coverage, "neurokit", max_abnormal_share
    )
    params["correction"] = "neurokit"
    params["neurokit_sampling_rate_hz"] = sorted({neurokit_sampling_rate(rr[lo:hi]) for lo, hi in ranges})
    return Analysis(windows, artifacts, params)
