"""What would give a window: the message of ``tolerance analyze`` when none gave numbers.

``analyze`` writes its whole output even then (every window with its reason, the artifacts, the
excluded values) and exits :attr:`~tolerance.api.cli.exits.ExitCode.NO_WINDOW`; this module
words the one line on stderr that says why and what to change:

* **coverage** (the file, or its longest stretch between drop-outs, is shorter than 80 % of
  the window): the longest ``--window`` at which some window is covered enough, found by laying
  the windows out (:func:`tolerance.hrv.segments.layout_windows`, the analysis' own rule) at
  whole 10 s lengths from ``longest stretch / min_coverage`` down, and the longest covered in
  full (the stretch itself, rounded down to 10 s);
* **corrected share** (more than ``max_corrected_share`` of a window's beats corrected):
  ``--correction none`` (the beats as they are) or a Kubios threshold level;
* **quality gate** (the fixed Malik 20 % criterion, independent of correction): its limit,
  ``--max-abnormal-share``;
* **fewer than 120 s** (time domain only): not a failure, the message says LF/HF need 120 s.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np

__all__ = ["longest_window_s", "no_window_message"]

WINDOW_STEP_S: Final = 10.0
"""Suggested window lengths are whole multiples of this (s)."""


def _stretches(rr_ms: np.ndarray, input_index: np.ndarray, excluded: Sequence[tuple[int, float]]) -> Any:
    from tolerance.hrv.segments import assemble_segments, split_segments

    ranges, gaps = split_segments(rr_ms.size, input_index, excluded)
    parts = [(rr_ms[lo:hi], np.zeros(hi - lo, dtype=bool)) for lo, hi in ranges]
    return assemble_segments(parts, gaps), [float(rr_ms[lo:hi].sum()) / 1000.0 for lo, hi in ranges]


def longest_window_s(
    rr_ms: np.ndarray,
    input_index: np.ndarray,
    excluded: Sequence[tuple[int, float]],
    step_s: float,
    min_coverage: float,
) -> tuple[float | None, float]:
    """The longest window (s, a multiple of 10 s, None below 10 s) at which at least one window
    of the layout is covered ``min_coverage`` by one stretch of beats, and the longest stretch (s).

    The beats as they are (no correction: it moves times by milliseconds, not windows)."""
    from tolerance.hrv.segments import layout_windows

    series, spans = _stretches(rr_ms, input_index, excluded)
    longest = max(spans, default=0.0)
    top = math.floor(longest / max(min_coverage, 1e-9) / WINDOW_STEP_S) * WINDOW_STEP_S
    for w in np.arange(top, WINDOW_STEP_S - 1e-9, -WINDOW_STEP_S):
        lay = layout_windows(series.t_end, series.nn, series.segment, float(w), step_s, min_coverage)
        if np.any(lay.covered >= min_coverage * w - 1e-9):
            return float(w), longest
    return None, longest


def no_window_message(
    reasons: Iterable[str | None],
    window_s: float,
    longest: tuple[float | None, float],
    parameters: dict[str, Any],
) -> str:
    """One line: the windows' reasons, counted, and what would give a window."""
    counts = Counter(r for r in reasons if r is not None)
    told = "; ".join(f"{n} window(s): {reason}" for reason, n in counts.most_common()) or "no window"
    hints: list[str] = []
    best, stretch = longest
    if any("contiguous beats" in r for r in counts) or not counts:
        if best is None:
            hints.append(f"the longest stretch of beats is {stretch:.0f} s, too short for any window")
        elif best < window_s:
            full = math.floor(stretch / WINDOW_STEP_S) * WINDOW_STEP_S
            hints.append(
                f"--window {best:g} or shorter would give a window (the longest stretch of beats, "
                f"{stretch:.0f} s, covers {parameters.get('min_coverage', 0.8):.0%} of it)"
                + (f"; --window {full:g} is covered in full" if full >= WINDOW_STEP_S and full < best else "")
            )
    if any("were corrected" in r for r in counts):
        hints.append(
            f"more than {parameters.get('max_corrected_share', 0.2):.0%} of the beats were corrected: "
            "--correction none analyses the beats as they are, a Kubios level (--correction very-low ... "
            "very-strong) corrects fewer or more, --max-corrected-share raises the limit"
        )
    if any("quality gate" in r for r in counts):
        hints.append(
            f"the fixed-criterion quality gate closed windows (limit {parameters.get('max_abnormal_share', 0.1):.0%} "
            "of raw successive differences above 20 %): --max-abnormal-share raises it, at the cost of "
            "figures from noisy beats"
        )
    if any("LF/HF need" in r for r in counts):
        hints.append("windows shorter than 120 s give the time domain only")
    return told + (". What would give a window: " + "; ".join(hints) if hints else "")
