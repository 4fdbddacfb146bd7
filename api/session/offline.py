"""A recording's window of tolerance, offline, with the live session's own computation.

``tolerance analyze FILE`` builds its ``"tolerance"`` object here. The file's RR intervals go,
one notification per interval at its cumulative time, through the same streaming
:class:`~tolerance.hrv.Engine` as a live session (the same artifact detection, the same 60 s
windows at every beat); a calibration span gives the baseline (the live stage's
:class:`~tolerance.hrv.arousal.Calibration`), and the same
:class:`~tolerance.hrv.arousal.ToleranceTracker` runs over every beat with it
(:func:`~tolerance.hrv.arousal.analyze_tolerance`). So ``analyze --baseline START:END`` on a
session's exported beats gives the episodes the live session gave after END.

Times are seconds of the file's beat time, 0 at the start of the first value; the span too.
Without a span or a baseline, population values are used and ``baseline.source`` says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tolerance.hrv import BeatUpdate, Engine, EngineConfig, GapReason
from tolerance.hrv.arousal import POPULATION_BASELINE, Baseline, ToleranceConfig, analyze_tolerance, calibrate

from .tolerance import SHORT_WINDOW_S


def short_windows(
    rr_ms: Sequence[float], *, gaps_after: Sequence[int] = (), engine_config: EngineConfig | None = None
) -> tuple[list[float], list[float | None], list[float | None], list[float | None]]:
    """Per beat, as a live session has them: time (s), 60 s HR (bpm), RMSSD (ms), corrected share."""
    engine = Engine(engine_config)
    gaps = set(gaps_after)
    t_s: list[float] = []
    hr: list[float | None] = []
    rmssd: list[float | None] = []
    share: list[float | None] = []

    def take(updates: Sequence[object]) -> None:
        for u in updates:
            if not isinstance(u, BeatUpdate):
                continue
            w = next((w for w in u.windows if w.window_s == SHORT_WINDOW_S), None)
            usable = w is not None and w.reason is None
            t_s.append(u.beat.t_s)
            hr.append(w.values.get("HR") if usable and w is not None else None)
            rmssd.append(w.values.get("HRV_RMSSD") if usable and w is not None else None)
            share.append(w.corrected_share if usable and w is not None else None)

    t = 0.0
    for i, rr in enumerate(rr_ms):
        t += float(rr) / 1000.0
        take(engine.add(t, (float(rr),), None, None))
        if i in gaps:
            take(engine.mark_gap(GapReason.CONNECTION_LOST))
    take(engine.flush())
    return t_s, hr, rmssd, share


def file_tolerance(
    rr_ms: Sequence[float],
    *,
    gaps_after: Sequence[int] = (),
    baseline: Baseline | None = None,
    calibrate_span_s: tuple[float, float] | None = None,
    config: ToleranceConfig | None = None,
) -> dict[str, Any]:
    """The ``tolerance`` object of ``analyze``'s JSON (keys: the README's data dictionary).

    Raises :class:`~tolerance.hrv.arousal.CalibrationRefused` when the span cannot calibrate."""
    t_s, hr, rmssd, share = short_windows(rr_ms, gaps_after=gaps_after)
    if calibrate_span_s is not None:
        start, end = calibrate_span_s
        baseline = calibrate(
            t_s, hr, rmssd, share, start_s=start, end_s=end, required_s=max(end - start - SHORT_WINDOW_S, 60.0)
        )
    result = analyze_tolerance(t_s, hr, rmssd, share, baseline or POPULATION_BASELINE, config=config)
    doc = result.as_dict(curves=True)
    doc["parameters"]["calibrate_span_s"] = list(calibrate_span_s) if calibrate_span_s else None
    doc["parameters"]["time_origin"] = "seconds of beat time from the start of the file's first value"
    clean: dict[str, Any] = _finite(doc)
    return clean


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
