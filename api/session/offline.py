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
Without a span or a baseline, a provisional baseline is learnt from the file's first minute of
usable windows, as a live session without calibration does (``baseline.source`` says
``provisional``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from tolerance.hrv import BeatUpdate, Engine, EngineConfig, GapReason
from tolerance.hrv.arousal import (
    Baseline,
    Calibration,
    ToleranceConfig,
    ToleranceResult,
    ToleranceTracker,
    ZoneTick,
)

from .tolerance import SHORT_WINDOW_S

_CHUNK: Final = 65_536
"""RR values turned into Python floats at a time (the input stays one numpy array)."""

CALIBRATION_SLACK_S: Final = 10.0
"""Usable time a calibration span may lack at its end (s): two of the calibration's 5 s samples."""

BeatValues = tuple[float, float | None, float | None, float | None]
"""One beat: time (s), 60 s HR (bpm), RMSSD (ms), corrected share (None: no number)."""


def _short_only(config: EngineConfig | None) -> EngineConfig:
    """The engine's configuration with only the 60 s window: the 30 s window, the 5-minute
    figures and the coherence are not read here. The 60 s window's values do not depend on
    them (the buffer keeps every value of the last 60 s either way), so they are the live ones."""
    return replace(
        config or EngineConfig(),
        short_windows_s=(SHORT_WINDOW_S,),
        long_window_s=SHORT_WINDOW_S,
        coherence_window_s=SHORT_WINDOW_S,
        cadence_s=math.inf,
    )


def iter_short_windows(
    rr_ms: npt.ArrayLike, *, gaps_after: Sequence[int] = (), engine_config: EngineConfig | None = None
) -> Iterator[BeatValues]:
    """Per beat, as a live session has them: time (s), 60 s HR (bpm), RMSSD (ms), corrected share.

    A generator: nothing per beat is kept (the engine holds the last 60 s), so a month of beats
    costs the memory of its input array only."""
    engine = Engine(_short_only(engine_config))
    gaps = set(gaps_after)
    rr = np.asarray(rr_ms, dtype=np.float64).reshape(-1)

    def values(updates: Sequence[object]) -> Iterator[BeatValues]:
        for u in updates:
            if not isinstance(u, BeatUpdate):
                continue
            w = next((w for w in u.windows if w.window_s == SHORT_WINDOW_S), None)
            if w is not None and w.reason is None:
                yield u.beat.t_s, w.values.get("HR"), w.values.get("HRV_RMSSD"), w.corrected_share
            else:
                yield u.beat.t_s, None, None, None

    t = 0.0
    i = 0
    for lo in range(0, rr.size, _CHUNK):
        for v in rr[lo : lo + _CHUNK].tolist():
            t += v / 1000.0
            yield from values(engine.add(t, (v,), None, None))
            if i in gaps:
                yield from values(engine.mark_gap(GapReason.CONNECTION_LOST))
            i += 1
    yield from values(engine.flush())


def short_windows(
    rr_ms: npt.ArrayLike, *, gaps_after: Sequence[int] = (), engine_config: EngineConfig | None = None
) -> tuple[list[float], list[float | None], list[float | None], list[float | None]]:
    """:func:`iter_short_windows` as four lists (for tests and small files)."""
    t_s: list[float] = []
    hr: list[float | None] = []
    rmssd: list[float | None] = []
    share: list[float | None] = []
    for t, h, r, c in iter_short_windows(rr_ms, gaps_after=gaps_after, engine_config=engine_config):
        t_s.append(t)
        hr.append(h)
        rmssd.append(r)
        share.append(c)
    return t_s, hr, rmssd, share


def file_tolerance(
    rr_ms: npt.ArrayLike,
    *,
    gaps_after: Sequence[int] = (),
    baseline: Baseline | None = None,
    calibrate_span_s: tuple[float, float] | None = None,
    config: ToleranceConfig | None = None,
) -> dict[str, Any]:
    """The ``tolerance`` object of ``analyze``'s JSON (keys: the README's data dictionary).

    Streaming: the calibration span (when given) is one pass over the beats up to its end, then
    the tracker runs over all beats in a second pass; the engine is deterministic, so both
    passes see the same values, and no per-beat value is kept. The same calls as
    :func:`~tolerance.hrv.arousal.calibrate` and :func:`~tolerance.hrv.arousal.analyze_tolerance`
    on the per-beat lists, in the same order.

    Raises :class:`~tolerance.hrv.arousal.CalibrationRefused` when the span cannot calibrate."""
    if calibrate_span_s is not None:
        start, end = calibrate_span_s
        # The span (>= 180 s, checked by the CLI) but its first minute, while the first 60 s
        # window fills, must be usable, less CALIBRATION_SLACK_S: windows are sampled every 5 s
        # from the first beat, so a clean span's samples reach at best 0-5 s short of END
        # (issue 24: END - START - 60 s refused a clean 0:300 by a sample).
        cal = Calibration(source="range", required_s=max(end - start - SHORT_WINDOW_S - CALIBRATION_SLACK_S, 60.0))
        for t, hr, rm, cs in iter_short_windows(rr_ms, gaps_after=gaps_after):
            if t >= end:
                break  # beat times increase
            if start <= t:
                cal.add(t, hr, rm, cs)
        baseline = cal.finish()
    tracker = ToleranceTracker(baseline, config)
    ticks: list[ZoneTick] = []
    for t, hr, rm, cs in iter_short_windows(rr_ms, gaps_after=gaps_after):
        ticks.extend(u for u in tracker.add(t, hr, rm, cs, False, False) if isinstance(u, ZoneTick))
    tracker.finish()
    result = ToleranceResult(
        tracker.baseline, tracker.zones, tracker.episodes, tracker.time_in_window, tracker.config, tuple(ticks)
    )
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
