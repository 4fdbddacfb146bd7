"""From a column's values to the :class:`RRSeries`: the unit, the checks every value passes,
implausible values left out, beat times converted or refused, a time axis checked (rules:
:mod:`.tabular`). Binary readers (:mod:`.fit`) end here too."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS, MIN_PLAUSIBLE_RR_MS

from ..rr_series import ExcludedValue, RRFileError, RRSeries
from .numbers import scale_for

__all__ = [
    "KUBIOS_TIME_TOLERANCE",
    "MIN_BEAT_TIME_VALUES",
    "check_time_axis",
    "from_beat_times",
    "refuse_beat_times",
    "series_from_values",
]

MIN_BEAT_TIME_VALUES: Final = 16
"""Fewest values whose monotonic increase marks a column as beat times."""
KUBIOS_TIME_TOLERANCE: Final = 0.05
"""Relative agreement of a headerless first column's time steps with the RR values."""


MAX_EXCLUDED: Final = 1_000_000
"""Most implausible values a file may hold (each is listed in the output with its line)."""


def refuse_beat_times(p: Path, values: np.ndarray, increasing: bool) -> None:
    """Refuse values that only increase and at least double: R-peak times given as RR intervals."""
    if increasing and values.size >= MIN_BEAT_TIME_VALUES and values[-1] >= 2 * values[0] > 0:
        raise RRFileError(
            p,
            None,
            f"the {values.size} values only increase, from {values[0]:g} to {values[-1]:g}: these look like "
            "R-peak (beat) times, not RR intervals; give RR intervals, or name the column 'R-peak time (s)' "
            "to have them converted",
        )


def check_time_axis(p: Path, t: np.ndarray, rr: np.ndarray, scale: float | None, notes: dict[str, str]) -> None:
    """Accept two unnamed columns as ``time, RR`` only when each time step equals the RR value
    beside it (stated in ``notes``); else refuse."""
    s, _ = scale_for(rr, scale)
    rr_ms = rr * s
    if t.size < 3:
        raise RRFileError(p, None, "two unnamed columns and too few lines to tell which one is RR; add a header")
    dt = np.diff(t)
    agree = None
    for t_scale in (1000.0, 1.0):  # time in s or ms
        err = np.abs(dt * t_scale - rr_ms[1:]) / rr_ms[1:]
        share = float(np.mean(err <= KUBIOS_TIME_TOLERANCE))
        if share >= 0.95:
            agree = "s" if t_scale == 1000.0 else "ms"
            break
    if agree is None:
        raise RRFileError(
            p,
            None,
            "two unnamed columns, and the first is not a time axis that the second sums to: which one holds "
            "RR intervals cannot be known; add a header such as 'time,rr_ms'",
        )
    notes["two_columns"] = (
        f"no header: column 1 read as time ({agree}) and column 2 as RR, because each time step equals "
        f"the RR value beside it (Kubios RR text layout)"
    )


def from_beat_times(
    p: Path, times: np.ndarray, scale: float | None, lines: np.ndarray, notes: dict[str, str]
) -> RRSeries:
    """The series of a column named as beat times: their successive differences (stated)."""
    if times.size < 2 or np.any(np.diff(times) <= 0):
        bad = int(np.flatnonzero(np.diff(times) <= 0)[0]) + 1 if times.size >= 2 else 0
        raise RRFileError(p, int(lines[bad]) if times.size >= 2 else None, "beat times must increase strictly")
    rr = np.diff(times)
    s, inferred = scale_for(rr, scale)
    notes["beat_times"] = (
        "the column holds R-peak (beat) times (named so in the header); RR intervals are their successive "
        f"differences, {'unit inferred from their size' if inferred else 'unit from the header'}; index 0 is "
        "the interval ending at the second beat"
    )
    return series_from_values(p, rr, s, lines[1:], "beat-times", notes)


def series_from_values(
    path: str | Path,
    values: np.ndarray,
    scale: float | None,
    lines: np.ndarray,
    layout: str,
    notes: dict[str, str],
) -> RRSeries:
    """The :class:`RRSeries` of RR values in a unit (``scale`` to ms; None: inferred, stated)."""
    if not np.all(np.isfinite(values)):
        i = int(np.flatnonzero(~np.isfinite(values))[0])
        raise RRFileError(path, int(lines[i]), f"RR value {values[i]} is not finite")
    if np.any(values <= 0):
        i = int(np.flatnonzero(values <= 0)[0])
        raise RRFileError(path, int(lines[i]), f"RR value {values[i]:g} is not positive")
    s, inferred = scale_for(values, scale)
    unit = "s" if s == 1000.0 else "ms"
    notes.setdefault(
        "unit", f"{unit}, " + ("inferred: median below 10 means seconds" if inferred else "from the header or format")
    )
    rr = values * s if s != 1.0 else values
    plausible = (rr >= MIN_PLAUSIBLE_RR_MS) & (rr <= MAX_PLAUSIBLE_RR_MS)
    bad = np.flatnonzero(~plausible)
    if bad.size > MAX_EXCLUDED:
        # Each excluded value is listed with its line: millions of them would cost gigabytes
        # before anything is said, and such a file holds no RR intervals anyway.
        raise RRFileError(
            path,
            int(lines[bad[0]]),
            f"{bad.size:,} of {rr.size:,} values are implausible as RR intervals (over {MAX_EXCLUDED:,}): "
            "not RR intervals in ms or s",
        )
    excluded = tuple(
        ExcludedValue(
            int(i),
            int(lines[i]),
            float(rr[i]),
            f"below {MIN_PLAUSIBLE_RR_MS:.0f} ms"
            if rr[i] < MIN_PLAUSIBLE_RR_MS
            else f"above {MAX_PLAUSIBLE_RR_MS:.0f} ms",
        )
        for i in bad
    )
    # Positions and line numbers in 4 bytes each when they fit (a file of under 2**31 lines).
    small = np.int32 if rr.size and int(lines.max()) < 2**31 else np.int64
    if bad.size:
        keep = np.flatnonzero(plausible)
        return RRSeries(rr[keep], keep.astype(small), lines[keep].astype(small), excluded, unit, layout, notes)
    index = np.arange(rr.size, dtype=small)
    return RRSeries(np.ascontiguousarray(rr), index, lines.astype(small), excluded, unit, layout, notes)
