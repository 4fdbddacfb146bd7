"""A session's clock and the state its clients see (kept current by the sinks)."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from ..protocol import BaselineFrame, BeatFrame, DeviceView, EpisodeFrame, MetricsFrame, SampleFrame, ZoneFrame

HISTORY_BEATS: Final = 600
"""Beat frames kept for a client that joins late (about 10 minutes), so its traces start full."""
HISTORY_ZONES: Final = 360
"""Zone frames (arousal at the tracker's 5 s cadence, and changes) a joining client is sent: the
live page's 10 minutes of arousal chart, with room for the changes in between."""
HISTORY_EPISODES: Final = 100
"""Closed episodes a joining client is told of (a day has a handful)."""


@dataclass
class SessionClock:
    """Session time: ``t`` = source time - ``t0`` (the first item's); UTC = source time + offset.

    A simulated or replayed source runs on its own clock, so 'now' for a command is the newest
    item's time, not the wall clock (which would misplace a marker at ``--speed K``)."""

    t0: float | None = None
    utc_offset: float = 0.0
    last: tuple[float, float] | None = None

    def observe(self, t_mono: float | None, t_utc: float | None) -> None:
        if t_mono is not None:
            self.last = (t_mono, t_utc if t_utc is not None else time.time())
        if self.t0 is None:
            self.t0 = t_mono if t_mono is not None else 0.0

    def now(self) -> tuple[float, float]:
        """(source time, UTC) of 'now'; the wall clock before any item arrived."""
        if self.last is not None:
            return self.last
        now = time.time()
        return now - self.utc_offset, now

    def rel(self, t_mono: float) -> float:
        return t_mono - (self.t0 if self.t0 is not None else t_mono)

    def utc(self, t_mono: float) -> float:
        return t_mono + self.utc_offset

    def fit(self, fit: dict[str, Any] | None) -> dict[str, Any] | None:
        """A recovery fit's parameters with its times (``t_peak_s``, ``t_mid_s``) on this clock."""
        if not fit:
            return fit
        return {k: self.rel(v) if k in ("t_peak_s", "t_mid_s") and v is not None else v for k, v in fit.items()}


@dataclass
class SessionState:
    """What a client joining now is told (``hello``), kept current as values pass."""

    status: str = "live"
    status_detail: str | None = None
    connection: str = "connecting"
    activity_signal: Literal["marker", "accelerometer"] = "marker"
    device: DeviceView | None = None
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "notifications": 0,
            "accelerometer": 0,
            "ecg": 0,
            "malformed": 0,
            "beats": 0,
            "metrics": 0,
            "events": 0,
        }  # fmt: skip
    )
    last_sample: SampleFrame | None = None
    last_metrics: MetricsFrame | None = None
    history: deque[BeatFrame] = field(default_factory=lambda: deque(maxlen=HISTORY_BEATS))
    zone: ZoneFrame | None = None
    zones: deque[ZoneFrame] = field(default_factory=lambda: deque(maxlen=HISTORY_ZONES))
    zone_since_utc: float | None = None
    within_share: float | None = None
    baseline_source: str = "learning"
    baseline: BaselineFrame | None = None
    episodes: deque[EpisodeFrame] = field(default_factory=lambda: deque(maxlen=HISTORY_EPISODES))
    open_episodes: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "status_detail": self.status_detail,
            "connection": self.connection,
            "activity_signal": self.activity_signal,
        }
