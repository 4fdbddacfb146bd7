"""The window-of-tolerance stage: beats in, zones, episodes, nudges and baselines out.

Pure computation lives in :mod:`tolerance.hrv.arousal`; this stage only feeds it the 60 s
window of each beat and the session's state (paced breathing on, activity on), and runs the
session's calibration. The same tracker runs offline in ``tolerance analyze --baseline``.

Baseline: the profile's, if the session has one with a baseline; else a provisional one learnt
from the session's own first minute of still wear (the tracker's; zone frames say ``learning``
until it is ready, then ``provisional``) until a calibration finishes. A calibration spans
``[start_s, end_s)`` of beat time counted from the session's first beat (``serve --baseline
START:END``), or the next ``duration_s`` from a ``calibrate`` command. A refused calibration
says why and keeps the baseline in use.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import singledispatchmethod
from typing import Any

from tolerance.hrv import BeatUpdate
from tolerance.hrv.arousal import (
    Baseline,
    BaselineLearned,
    Calibration,
    CalibrationProgress,
    CalibrationRefused,
    ToleranceConfig,
    ToleranceTracker,
    WindowBand,
    ZoneConfig,
    rolling_update,
)
from tolerance.sensors import ActivityEvent, HeartRateSample

from .values import CalibrationRequest, Marker, PacerChanged

SHORT_WINDOW_S = 60.0
"""The window the arousal index reads (HR and RMSSD of the last 60 s)."""
ACTIVITY_MARKERS = {"moving": True, "still": False}
PROGRESS_EVERY_S = 10.0
"""Beat time between two progress reports of a running calibration."""
HR_ONLY_AFTER_S = 10.0
"""A source that sent no RR interval for this long is read in HR-only mode (a watch, some straps)."""
"""Marker texts that set the activity signal by hand (a worker walking to a meeting)."""


@dataclass(frozen=True, slots=True)
class BaselineSet:
    """The session's baseline changed (a calibration finished, a provisional one was learnt, or the
    session started); ``baseline`` None while a provisional one is still being learnt."""

    t_s: float
    baseline: Baseline | None

    @property
    def source(self) -> str:
        return "learning" if self.baseline is None else self.baseline.source


@dataclass(frozen=True, slots=True)
class CalibrationUpdate:
    """Progress of a running calibration, or its end: ``refused`` holds the reason in words."""

    t_s: float
    progress: CalibrationProgress
    refused: str | None = None
    done: bool = False


def baseline_from_dict(d: dict[str, Any]) -> Baseline:
    """A stored baseline (``Baseline.as_dict()``) back as a value."""
    return Baseline(
        hr_center_bpm=float(d["hr_center_bpm"]),
        hr_spread_bpm=float(d["hr_spread_bpm"]),
        ln_rmssd_center=None if d.get("ln_rmssd_center") is None else float(d["ln_rmssd_center"]),
        ln_rmssd_spread=None if d.get("ln_rmssd_spread") is None else float(d["ln_rmssd_spread"]),
        source=d.get("source", "calibration"),
        n_windows=int(d.get("n_windows", 0)),
        hr_only=bool(d.get("hr_only", False)),
    )


def config_from_profile(profile: dict[str, Any]) -> ToleranceConfig:
    """The window of a profile (``band``: ``{"lower", "upper"}`` on the index), else the default."""
    band = profile.get("band")
    if not band:
        return ToleranceConfig()
    zones = ZoneConfig(band=WindowBand(float(band["lower"]), float(band["upper"])))
    return ToleranceConfig(zones=zones)


class ToleranceStage:
    def __init__(
        self,
        baseline: Baseline | None = None,
        config: ToleranceConfig | None = None,
        calibrate_span_s: tuple[float, float] | None = None,
    ) -> None:
        self.config = config or ToleranceConfig()
        self.baseline: Baseline | None = baseline
        self.tracker = ToleranceTracker(self.baseline, self.config)
        self.breathing = False
        self.activity = False
        self._t_first: float | None = None
        self._span = calibrate_span_s
        self._calibration: Calibration | None = None
        self._next_progress: float | None = None
        self._announced = False
        self._last_rr_t: float | None = None
        self._hr: deque[tuple[float, int]] = deque()
        self._first_sample_t: float | None = None
        self.hr_only = False

    @singledispatchmethod
    def process(self, value: object) -> Sequence[object]:
        return ()

    @process.register
    def _(self, value: PacerChanged) -> Sequence[object]:
        self.breathing = value.state.running
        return ()

    @process.register
    def _(self, value: ActivityEvent) -> Sequence[object]:
        self.activity = value.active
        return ()

    @process.register
    def _(self, value: Marker) -> Sequence[object]:
        key = value.text.strip().lower()
        if key in ACTIVITY_MARKERS:
            self.activity = ACTIVITY_MARKERS[key]
        return ()

    @process.register
    def _(self, value: CalibrationRequest) -> Sequence[object]:
        start = (value.t_mono - self._t_first) if self._t_first is not None else 0.0
        self._span = (start, start + value.duration_s)
        self._calibration = None
        return ()

    @process.register
    def _(self, value: HeartRateSample) -> Sequence[object]:
        """HR-only mode: without RR intervals, the index reads HR alone (the strap's 60 s mean),
        flagged ``hr_only`` on every zone frame; RMSSD and everything after it are absent."""
        t = value.t_mono
        if self._first_sample_t is None:
            self._first_sample_t = t
        if value.rr_ms:
            self._last_rr_t = t
            self.hr_only = False
            return ()
        since_rr = t - (self._last_rr_t if self._last_rr_t is not None else self._first_sample_t)
        if since_rr < HR_ONLY_AFTER_S or value.hr_bpm <= 0 or value.contact is False:
            return ()
        self.hr_only = True
        self._hr.append((t, value.hr_bpm))
        while self._hr and self._hr[0][0] <= t - SHORT_WINDOW_S:
            self._hr.popleft()
        if self._hr[-1][0] - self._hr[0][0] < 0.8 * SHORT_WINDOW_S - 1.0:
            return ()  # the 60 s mean needs most of a minute of HR, as the windows do
        hr = sum(h for _t, h in self._hr) / len(self._hr)
        out: list[object] = []
        if self._t_first is None:
            self._t_first = t
        if not self._announced:
            self._announced = True
            out.append(BaselineSet(t, self.baseline))
        out.extend(self._calibrate(t, hr, None, None))
        out.extend(self._track(t, hr, None, None))
        return out

    @process.register
    def _(self, value: BeatUpdate) -> Sequence[object]:
        t = value.beat.t_s
        out: list[object] = []
        if self._t_first is None:
            self._t_first = t
        if not self._announced:
            self._announced = True
            out.append(BaselineSet(t, self.baseline))
        w = next((w for w in value.windows if w.window_s == SHORT_WINDOW_S), None)
        hr = rmssd = share = None
        if w is not None and w.reason is None:
            hr, rmssd, share = w.values.get("HR"), w.values.get("HRV_RMSSD"), w.corrected_share
        out.extend(self._calibrate(t, hr, rmssd, share))
        out.extend(self._track(t, hr, rmssd, share))
        return out

    def _track(self, t: float, hr: float | None, rmssd: float | None, share: float | None) -> list[object]:
        out: list[object] = []
        for u in self.tracker.add(t, hr, rmssd, share, breathing=self.breathing, activity=self.activity):
            if isinstance(u, BaselineLearned):
                self.baseline = u.baseline
                out.append(BaselineSet(u.t_s, u.baseline))
            else:
                out.append(u)
        return out

    def _calibrate(self, t: float, hr: float | None, rmssd: float | None, share: float | None) -> list[object]:
        if self._span is None or self._t_first is None:
            return []
        rel = t - self._t_first
        start, end = self._span
        if rel < start:
            return []
        if self._calibration is None:
            # The first 60 s window of the span fills before it gives a number.
            self._calibration = Calibration(
                required_s=max(end - start - SHORT_WINDOW_S, SHORT_WINDOW_S), hr_only=self.hr_only
            )
        cal = self._calibration
        if rel < end:
            cal.add(t, hr, rmssd, share)
            if self._next_progress is None or t >= self._next_progress:
                self._next_progress = t + PROGRESS_EVERY_S
                return [CalibrationUpdate(t, cal.progress())]
            return []
        self._next_progress = None
        self._span = None
        try:
            baseline = cal.finish()
        except CalibrationRefused as exc:
            return [CalibrationUpdate(t, cal.progress(), refused=exc.reason, done=True)]
        self.baseline = baseline
        self.tracker = ToleranceTracker(baseline, self.config)
        return [CalibrationUpdate(t, cal.progress(), done=True), BaselineSet(t, baseline)]

    def flush(self) -> Sequence[object]:
        """End of the session: close what is open, and let a personal baseline learn from the
                session's calm windows (:func:`~tolerance.hrv.arousal.rolling_update`: never from paced
                breathing, movement, excursions or the 10 minutes after one; at most half a spread per
                update; a provisional baseline is pooled with them, and confirmed after 30 minutes of calm
        wear). Population values never roll: they wait for a calibration."""
        out: list[object] = list(self.tracker.finish())
        if self.baseline is not None and self.baseline.source != "population" and self.tracker.calm_windows:
            rolled = rolling_update(self.baseline, self.tracker.calm_windows)
            if rolled is not self.baseline:
                self.baseline = rolled
                out.append(BaselineSet(self.tracker.calm_windows[-1].t_s, rolled))
        return out
