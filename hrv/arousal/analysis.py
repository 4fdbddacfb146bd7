"""Offline window-of-tolerance analysis of a recording: a loop over :class:`~.tracker.ToleranceTracker`.

The same tracker the live session uses, fed with a file's beats, so the offline result is what
the live display would have shown (the JSON of ``tolerance analyze``'s ``"tolerance"`` key).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import HrvInputError
from .baseline import Baseline
from .episodes import Episode
from .tracker import ToleranceConfig, ToleranceTracker, ZoneTick
from .zones import TimeInWindowSummary, ZoneInterval

Intervals = Sequence[tuple[float, float]]
"""``(start_s, end_s)`` spans, start included, end excluded (s, beat time)."""


@dataclass(frozen=True, slots=True)
class ToleranceResult:
    """Baseline, zone intervals, closed episodes, time in window and the index at the tick
    cadence of one recording. ``baseline`` None when no provisional baseline could be learnt (the
    recording never gave a minute of usable still windows)."""

    baseline: Baseline | None
    zones: tuple[ZoneInterval, ...]
    episodes: tuple[Episode, ...]
    time_in_window: TimeInWindowSummary
    config: ToleranceConfig
    ticks: tuple[ZoneTick, ...] = ()

    def as_dict(self, *, curves: bool = True) -> dict[str, Any]:
        return {
            "baseline": None if self.baseline is None else self.baseline.as_dict(),
            "ticks": ticks_dict(self.ticks),
            "zones": [z.as_dict() for z in self.zones],
            "episodes": [e.as_dict(curve=curves) for e in self.episodes],
            "time_in_window": self.time_in_window.as_dict(),
            "parameters": self.config.as_dict(),
        }


def ticks_dict(ticks: Sequence[ZoneTick]) -> dict[str, list[Any]]:
    """The index series as columns: ``t`` (s), ``arousal`` (index units, None: no value) and ``zone``."""
    return {
        "t": [k.t_s for k in ticks],
        "arousal": [k.arousal for k in ticks],
        "zone": [str(k.zone) for k in ticks],
    }


def _inside(t: float, spans: Intervals) -> bool:
    return any(a <= t < b for a, b in spans)


def analyze_tolerance(
    beat_t_s: npt.ArrayLike,
    hr_60s: Sequence[float | None],
    rmssd_60s: Sequence[float | None],
    corrected_share: Sequence[float | None],
    baseline: Baseline | None,
    *,
    activity: Intervals = (),
    breathing: Intervals = (),
    config: ToleranceConfig | None = None,
) -> ToleranceResult:
    """Zones, episodes and time in window of a recording, against ``baseline``.

    Parameters
    ----------
    beat_t_s
        Beat times (s), increasing.
    hr_60s, rmssd_60s, corrected_share
        Per beat, the 60 s window's ``HR`` (bpm), ``HRV_RMSSD`` (ms) and corrected share, None
        where the window gave no number (as :class:`tolerance.hrv.Engine` reports them).
    baseline
        From a calibration, :func:`~.baseline.calibrate` on a range, or the population.
    activity, breathing
        Spans with activity on / paced breathing running.
    config
        Zones, episodes and nudges (defaults: :class:`ToleranceConfig`).
    """
    t = np.asarray(beat_t_s, dtype=float)
    if not (len(hr_60s) == len(rmssd_60s) == len(corrected_share) == t.size):
        raise HrvInputError("beat times and window values must have one length")
    tracker = ToleranceTracker(baseline, config)
    ticks: list[ZoneTick] = []
    for i in range(t.size):
        ti = float(t[i])
        breathe, move = _inside(ti, breathing), _inside(ti, activity)
        ups = tracker.add(ti, hr_60s[i], rmssd_60s[i], corrected_share[i], breathe, move)
        ticks.extend(u for u in ups if isinstance(u, ZoneTick))
    tracker.finish()
    return ToleranceResult(
        tracker.baseline, tracker.zones, tracker.episodes, tracker.time_in_window, tracker.config, tuple(ticks)
    )
