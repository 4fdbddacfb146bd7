"""A quality gate independent of the artifact detector: Malik's fixed 20 % rule on the raw RR.

The adaptive detector (Lipponen & Tarvainen 2019) scales its thresholds with the series' own
variability, so heavy contamination widens them and hides itself: with 20 % premature/
compensatory pairs a window reported 7 % corrected intervals and RMSSD 176 ms against 24 ms
clean. This gate looks at the *input* intervals with a threshold that does not move: a
successive difference is *abnormal* when ``|rr[i] - rr[i-1]| > 20 %`` of ``rr[i-1]`` (Malik
et al. 1989's rule for ectopic-beat screening; Task Force 1996 cites it among editing
criteria). A clean resting series has few (the real 60-minute series here: 2.0 % of its
differences, at most 5.4 % in a 5-minute window); each premature beat with its compensatory
pause makes two or three. A window
whose share of abnormal differences exceeds :data:`MAX_ABNORMAL_SHARE` gives no numbers
(null, with the reason), whatever the detector corrected.

The threshold was chosen by measurement (``benchmarks/validation.py``, ``docs/validation.md``:
the contamination from which the gate closes and the figures' errors just below it).

References
----------
* Malik, M., Cripps, T., Farrell, T., & Camm, A. J. (1989). Prognostic value of heart rate
  variability after myocardial infarction. A comparison of different data-processing
  methods. Medical & Biological Engineering & Computing, 27(6), 603-611.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from .segments import add_sorted_counts, time_chunks

__all__ = [
    "MALIK_THRESHOLD",
    "MAX_ABNORMAL_SHARE",
    "RawIntervals",
    "abnormal_differences",
    "abnormal_series",
    "window_abnormal_share",
]

MALIK_THRESHOLD: Final = 0.20
"""A successive difference above this share of the previous interval is abnormal (Malik 1989)."""
MAX_ABNORMAL_SHARE: Final = 0.10
"""Windows with a larger share of abnormal successive differences give no numbers."""


def abnormal_differences(rr_ms: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """For each interval, whether it differs from the previous one by more than 20 % (the first: False)."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    out = np.zeros(rr.size, dtype=bool)
    if rr.size > 1:
        out[1:] = np.abs(np.diff(rr)) > MALIK_THRESHOLD * rr[:-1]
    return out


@dataclass(frozen=True, slots=True)
class RawIntervals:
    """The raw (uncorrected) input intervals of each segment, to be laid on the analysis' time
    axis: ``rr_ms[lo:hi]`` for each of ``ranges``, after ``gaps_ms`` of excluded time. Kept as
    the input and its ranges, so that the gate costs no per-beat array of its own (their times
    and flags are computed a piece at a time by :func:`window_abnormal_share`)."""

    rr_ms: npt.NDArray[np.float64]
    ranges: list[tuple[int, int]]
    gaps_ms: list[float]


def abnormal_series(
    rr_ms: npt.NDArray[np.float64], ranges: list[tuple[int, int]], gaps_ms: list[float]
) -> RawIntervals:
    """The raw intervals on the analysis' time axis, each flagged abnormal or not (per segment:
    the first interval of a segment has no predecessor)."""
    return RawIntervals(rr_ms, ranges, gaps_ms)


def window_abnormal_share(
    raw: RawIntervals, starts: npt.NDArray[np.float64], window_s: float
) -> npt.NDArray[np.float64]:
    """Share of abnormal successive differences among the raw intervals ending in each window
    ``[start, start + window_s]`` (NaN for a window holding none).

    The raw intervals' end times are those of :func:`~tolerance.hrv.segments.assemble_segments`
    over the raw segments, computed in pieces (:func:`~tolerance.hrv.segments.time_chunks`);
    each window counts the intervals ending in it piece by piece, with the same comparisons
    as one search over the whole series."""
    ends = starts + window_s
    lo, hi, ab_lo, ab_hi = (np.zeros(starts.size, dtype=np.int64) for _ in range(4))
    parts = [raw.rr_ms[a:b] for a, b in raw.ranges]
    for s, c0, t in time_chunks(parts, raw.gaps_ms):
        x = parts[s]
        flags = abnormal_differences(x[max(c0 - 1, 0) : c0 + t.size])
        if c0 > 0:
            flags = flags[1:]  # the piece's first interval has its predecessor in the piece before
        add_sorted_counts(lo, t, starts, "left")
        add_sorted_counts(hi, t, ends, "right")
        t_ab = t[flags]
        add_sorted_counts(ab_lo, t_ab, starts, "left")
        add_sorted_counts(ab_hi, t_ab, ends, "right")
    n = hi - lo
    share: npt.NDArray[np.float64] = np.where(n > 0, (ab_hi - ab_lo) / np.maximum(n, 1), np.nan)
    return share
