"""The activity stage: a strap's accelerometer frames in, ``ActivityEvent`` values out.

It runs before the tolerance stage (:func:`~.pipeline.default_stages`), which reads the events
as it reads the worker's *Moving* / *Still* markers: zones say *moving* by themselves, an
excursion during movement is kept out of episodes, and the return after it is not one.
A strap without an accelerometer sends no frame and this stage stays silent: the markers are
then the only activity signal (the session's status says which it has).

Times: a frame's last sample is placed at its strap timestamp mapped to the host clock
(:class:`~tolerance.sensors.polar.StrapClock`: the lower envelope of receive minus strap time,
following drift), earlier ones back at the stream's nominal rate. Each frame is checked against
the previous one (:class:`~tolerance.sensors.polar.FrameContinuity`): a repeated frame is kept
out of the classifier, a gap drops the open epoch, and both are marked (:class:`StreamGap`:
stored as a ``stream_gap`` event, shown in the status). A lost link drops the open epoch and
forgets the clock's offset (the strap may have reset it). Events are stamped with the end of the epoch that
decided them (on the host clock, at most the receive time of the frame that closed it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import singledispatchmethod

from tolerance.hrv import ActivityClassifier, ActivityConfig
from tolerance.sensors import AccelerometerSample, ActivityEvent, ConnectionEvent, ConnectionState
from tolerance.sensors.polar import Continuity, FrameContinuity, StrapClock

ACCELEROMETER_SOURCE = "accelerometer"
"""``ActivityEvent.source`` of the events this stage makes."""


@dataclass(frozen=True, slots=True)
class ActivitySignal:
    """The session's activity signal changed kind: ``accelerometer`` once a first frame came."""

    t_mono: float
    t_utc: float
    kind: str


@dataclass(frozen=True, slots=True)
class StreamGap:
    """A PMD frame that repeated the previous one (``repeat``) or came after lost ones (``gap``,
    ``missing`` samples), on ``stream`` (``accelerometer``)."""

    t_mono: float
    t_utc: float
    stream: str
    kind: str
    missing: int = 0


class ActivityStage:
    def __init__(self, config: ActivityConfig | None = None) -> None:
        self.classifier = ActivityClassifier(config)
        self.signal = "marker"
        """``marker`` (the worker's *Moving* button) until an accelerometer frame arrives."""
        self._last: AccelerometerSample | None = None
        self.clock = StrapClock()
        self.continuity = FrameContinuity()

    @singledispatchmethod
    def process(self, value: object) -> Sequence[object]:
        return ()

    @process.register
    def _(self, value: AccelerometerSample) -> Sequence[object]:
        out: list[object] = []
        if self.signal != ACCELEROMETER_SOURCE:
            self.signal = ACCELEROMETER_SOURCE
            out.append(ActivitySignal(value.t_mono, value.t_utc, ACCELEROMETER_SOURCE))
        self._last = value
        n = len(value.samples_mg)
        check = self.continuity.check(value.timestamp_ns, n, value.sample_rate_hz)
        if check.continuity is Continuity.REPEAT:
            return [*out, StreamGap(value.t_mono, value.t_utc, ACCELEROMETER_SOURCE, "repeat")]
        if check.continuity is Continuity.GAP:
            self.classifier.gap()
            out.append(StreamGap(value.t_mono, value.t_utc, ACCELEROMETER_SOURCE, "gap", check.missing))
        t_last = min(self.clock.observe(value.timestamp_ns, value.t_mono), value.t_mono)
        for c in self.classifier.add(t_last, value.samples_mg, value.sample_rate_hz):
            t = min(c.t_s, value.t_mono)
            out.append(ActivityEvent(t, value.t_utc - (value.t_mono - t), c.active, c.kind, ACCELEROMETER_SOURCE))
        return out

    @process.register
    def _(self, value: ConnectionEvent) -> Sequence[object]:
        if value.state is ConnectionState.LOST:
            self.classifier.gap()
            self.continuity.reset()
            self.clock.reset()
        return ()

    def flush(self) -> Sequence[object]:
        last = self._last
        changes = self.classifier.flush()
        if last is None:
            return ()
        return [ActivityEvent(last.t_mono, last.t_utc, c.active, c.kind, ACCELEROMETER_SOURCE) for c in changes]
