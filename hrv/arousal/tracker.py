"""The tolerance stage of a live session: one streaming facade over index, zones, episodes, nudges.

:class:`ToleranceTracker` is fed once per beat with values the engine already has (the 60 s
window's ``HR`` and ``HRV_RMSSD``, its corrected share) and the session's state (paced
breathing on, activity on), and returns typed update values. :func:`~.analysis.analyze_tolerance`
runs the same tracker over a file's beats, so live and offline agree by construction.

Baseline: given, or None to learn a provisional one from the session's own first minute of
still wear (:data:`~.baseline.PROVISIONAL_LEARN_S`, the pooled spread of :mod:`.baseline`).
Until the first 60 s window fills the zone is *warmup*; while the baseline learns, *learning*
("getting to know you"): no zone is judged and no index is given, because an index against a
baseline that does not exist yet would mean nothing. :class:`BaselineLearned` reports the
baseline when it is ready; zones start from there.

Nudge (heuristic): when the zone has been *hyper* for ``nudge_after_s`` (default 120 s),
offer paced breathing, at most once per ``nudge_interval_s`` (default 600 s), never during
activity and not while paced breathing already runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Final

from .baseline import PROVISIONAL_LEARN_S, Baseline, Calibration, CalibrationRefused, CalmWindow
from .episodes import Episode, EpisodeConfig, EpisodeTracker, EpisodeUpdate
from .index import DEFAULT_HR_WEIGHT, ArousalValue, arousal_index
from .zones import TimeInWindow, TimeInWindowSummary, Zone, ZoneChange, ZoneConfig, ZoneInterval, ZoneTracker

DEFAULT_TICK_EVERY_S: Final = 5.0
"""Cadence (s of beat time) of ZoneTick values and of the calm-window samples."""
DEFAULT_NUDGE_AFTER_S: Final = 120.0
"""Time (s) in the hyper zone before paced breathing is offered."""
DEFAULT_NUDGE_INTERVAL_S: Final = 600.0
"""Shortest time (s) between two nudges."""


@dataclass(frozen=True, slots=True)
class ToleranceConfig:
    zones: ZoneConfig = field(default_factory=ZoneConfig)
    episodes: EpisodeConfig = field(default_factory=EpisodeConfig)
    tick_every_s: float = DEFAULT_TICK_EVERY_S
    nudge_after_s: float = DEFAULT_NUDGE_AFTER_S
    nudge_interval_s: float = DEFAULT_NUDGE_INTERVAL_S
    hr_weight: float = DEFAULT_HR_WEIGHT
    """``w`` of the index ``a = w * z_HR - (1 - w) * z_lnRMSSD``."""
    learn_s: float = PROVISIONAL_LEARN_S
    """Span of usable window samples a provisional baseline learns from (s)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "zones": self.zones.as_dict(),
            "episodes": self.episodes.as_dict(),
            "tick_every_s": self.tick_every_s,
            "nudge_after_s": self.nudge_after_s,
            "nudge_interval_s": self.nudge_interval_s,
            "hr_weight": self.hr_weight,
            "learn_s": self.learn_s,
            "index": f"a = {self.hr_weight:g} * z_HR - {1 - self.hr_weight:g} * z_lnRMSSD on 60 s windows; "
            "HR only: a = z_HR",
        }


@dataclass(frozen=True, slots=True)
class ZoneTick:
    """The current state at the tick cadence: index (None = no value), zone, time-in-window share."""

    t_s: float
    arousal: float | None
    zone: Zone
    hr_only: bool
    within_share: float | None


@dataclass(frozen=True, slots=True)
class Nudge:
    """Offer paced breathing: the zone has been hyper for ``above_s`` seconds."""

    t_s: float
    arousal: float | None
    above_s: float


@dataclass(frozen=True, slots=True)
class BaselineLearned:
    """A provisional baseline has been learnt from the session's first minute of still wear."""

    t_s: float
    baseline: Baseline


ToleranceUpdate = ZoneChange | ZoneTick | Nudge | EpisodeUpdate | BaselineLearned


class ToleranceTracker:
    """Streaming window-of-tolerance tracking for one session; not thread-safe."""

    def __init__(self, baseline: Baseline | None, config: ToleranceConfig | None = None) -> None:
        self.baseline = baseline
        self.config = config or ToleranceConfig()
        self._learner: Calibration | None = None
        self._shown = Zone.WARMUP
        self._zones = ZoneTracker(self.config.zones)
        self._episodes = EpisodeTracker(self.config.zones.band, self.config.episodes, self.config.zones.hysteresis)
        self._time = TimeInWindow()
        self._intervals: list[ZoneInterval] = []
        self._zone_since: float | None = None
        self._hyper_since: float | None = None
        self._last_nudge: float | None = None
        self._next_tick: float | None = None
        self._last_t: float | None = None
        self.calm_windows: list[CalmWindow] = []
        self.last_value: ArousalValue | None = None

    def add(
        self,
        t_s: float,
        hr_bpm: float | None,
        rmssd_ms: float | None,
        corrected_share: float | None = None,
        breathing: bool = False,
        activity: bool = False,
    ) -> list[ToleranceUpdate]:
        """One beat: its time (s), the 60 s window's HR (bpm) and RMSSD (ms) or None, and the state."""
        out: list[ToleranceUpdate] = []
        if self._zone_since is None:
            self._zone_since = t_s
        self._last_t = t_s
        if self.baseline is None:
            out.extend(self._learn(t_s, hr_bpm, rmssd_ms, corrected_share, breathing, activity))
            if self.baseline is None:
                return out
        # The engine already withholds windows above its corrected-share limit.
        value = arousal_index(hr_bpm, rmssd_ms, self.baseline, self.config.hr_weight)
        self.last_value = value
        a = None if value is None else value.arousal
        change = self._zones.update(t_s, a, activity)
        zone = self._zones.zone
        if zone is Zone.WARMUP and self._shown is Zone.LEARNING:
            zone = Zone.LEARNING  # learnt, but the first zone is not confirmed yet (dwell)
        if change is not None:
            if change.previous is Zone.WARMUP:
                # The zone tracker never saw the learning minute; the display did.
                change = replace(change, previous=self._shown)
            self._shown = zone
            self._intervals.append(ZoneInterval(self._zone_since, t_s, change.previous))
            self._zone_since = t_s
            self._hyper_since = change.since_s if zone is Zone.HYPER else None
            out.append(change)
        self._time.add(t_s, zone, value is not None)
        out.extend(self._episodes.update(t_s, a, zone, change, breathing, activity))
        nudge = self._nudge(t_s, a, zone, breathing, activity)
        if nudge is not None:
            out.append(nudge)
        # A tick never shares its beat with a zone change (the change carries the same state), so a
        # session's zone frames have increasing times; it comes with the next beat instead.
        if (self._next_tick is None or t_s >= self._next_tick) and change is None:
            self._next_tick = t_s + self.config.tick_every_s
            out.append(ZoneTick(t_s, a, zone, bool(value and value.hr_only), self._time.summary().within_share))
            if hr_bpm is not None and value is not None:
                last_ret = self._episodes.last_return_s
                self.calm_windows.append(
                    CalmWindow(
                        t_s,
                        hr_bpm,
                        rmssd_ms,
                        activity,
                        breathing,
                        self._episodes.running,
                        None if last_ret is None else t_s - last_ret,
                    )
                )
        return out

    def _learn(
        self,
        t_s: float,
        hr_bpm: float | None,
        rmssd_ms: float | None,
        corrected_share: float | None,
        breathing: bool,
        activity: bool,
    ) -> list[ToleranceUpdate]:
        """One beat while the provisional baseline learns (windows while moving or breathing to
        the guide are not still wear); the display says *warmup*, then *learning*."""
        out: list[ToleranceUpdate] = []
        usable = hr_bpm is not None and hr_bpm > 0
        if usable and self._learner is None:
            self._learner = Calibration(required_s=self.config.learn_s, source="provisional", hr_only=rmssd_ms is None)
        shown = Zone.WARMUP if self._learner is None else Zone.LEARNING
        changed = shown is not self._shown
        if changed:
            out.append(ZoneChange(t_s, None, shown, self._shown, t_s))
            assert self._zone_since is not None
            self._intervals.append(ZoneInterval(self._zone_since, t_s, self._shown))
            self._zone_since = t_s
            self._shown = shown
        self._time.add(t_s, shown, False)
        if (self._next_tick is None or t_s >= self._next_tick) and not changed:
            self._next_tick = t_s + self.config.tick_every_s
            out.append(ZoneTick(t_s, None, shown, rmssd_ms is None, None))
        learner = self._learner
        if learner is None or breathing or activity:
            return out
        learner.add(t_s, hr_bpm, rmssd_ms, corrected_share)
        if not learner.progress().done:
            return out
        try:
            self.baseline = learner.finish()
        except CalibrationRefused:
            self._learner = None  # too few usable windows or too many corrected beats: start again
            return out
        out.append(BaselineLearned(t_s, self.baseline))
        return out

    @property
    def learning(self) -> bool:
        """True until the provisional baseline is learnt (never for a given baseline)."""
        return self.baseline is None

    def _nudge(self, t_s: float, a: float | None, zone: Zone, breathing: bool, activity: bool) -> Nudge | None:
        cfg = self.config
        if zone is not Zone.HYPER or self._hyper_since is None or activity or breathing:
            return None
        above = t_s - self._hyper_since
        if above < cfg.nudge_after_s:
            return None
        if self._last_nudge is not None and t_s - self._last_nudge < cfg.nudge_interval_s:
            return None
        self._last_nudge = t_s
        return Nudge(t_s, a, above)

    def finish(self) -> list[ToleranceUpdate]:
        """End of data: close an open episode and the current zone interval."""
        out: list[ToleranceUpdate] = list(self._episodes.finish(self._last_t))
        if self._last_t is not None and self._zone_since is not None and self._last_t > self._zone_since:
            self._intervals.append(ZoneInterval(self._zone_since, self._last_t, self._shown))
            self._zone_since = self._last_t
        return out

    @property
    def zone(self) -> Zone:
        return self._shown

    @property
    def zones(self) -> tuple[ZoneInterval, ...]:
        return tuple(self._intervals)

    @property
    def episodes(self) -> tuple[Episode, ...]:
        return tuple(self._episodes.episodes)

    @property
    def time_in_window(self) -> TimeInWindowSummary:
        return self._time.summary()
