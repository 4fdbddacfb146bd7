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

from typing import Final

import numpy as np
import numpy.typing as npt

from .segments import Series, assemble_segments

__all__ = ["MALIK_THRESHOLD", "MAX_ABNORMAL_SHARE", "abnormal_differences", "abnormal_series", "window_abnormal_share"]

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


def abnormal_series(rr_ms: npt.NDArray[np.float64], ranges: list[tuple[int, int]], gaps_ms: list[float]) -> Series:
    """The raw intervals on the analysis' time axis, each flagged abnormal or not (per segment:
    the first interval of a segment has no predecessor)."""
    parts = [(rr_ms[lo:hi], abnormal_differences(rr_ms[lo:hi])) for lo, hi in ranges]
    return assemble_segments(parts, gaps_ms)


def window_abnormal_share(raw: Series, starts: npt.NDArray[np.float64], window_s: float) -> npt.NDArray[np.float64]:
    """Share of abnormal successive differences among the raw intervals ending in each window
    ``[start, start + window_s]`` (NaN for a window holding none)."""
    t = raw.t_end
    lo = np.searchsorted(t, starts, side="left")
    hi = np.searchsorted(t, starts + window_s, side="right")
    counts = np.concatenate([[0], np.cumsum(raw.corrected, dtype=np.int64)])
    n = hi - lo
    share: npt.NDArray[np.float64] = np.where(n > 0, (counts[hi] - counts[lo]) / np.maximum(n, 1), np.nan)
    return share
