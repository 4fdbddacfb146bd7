"""What a session stores: the typed storage rows of each value (raw notifications first).

One function per value type (``singledispatch``): a new kind of value is stored by
registering a function here, not by editing the session loop.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from tolerance.hrv import BeatUpdate, MetricsUpdate, SegmentStart, WindowMetrics
from tolerance.hrv.arousal import EpisodeClosed, EpisodeOpened, EpisodeUpdated, Nudge, ZoneChange, ZoneTick
from tolerance.sensors import (
    PMD_STREAM,
    AccelerometerSample,
    ActivityEvent,
    ConnectionEvent,
    DeviceInfo,
    EcgSample,
    HeartRateSample,
    MalformedNotification,
)

from ..storage import BeatRow, EpisodeRow, EventRow, MetricRow, NotificationRow
from ..storage.rows import Row
from .activity import ActivitySignal, StreamGap
from .adherence import AdherenceUpdate
from .clock import SessionClock
from .resonance import ResonanceDone, ResonanceProgress
from .tolerance import BaselineSet, CalibrationUpdate
from .values import CalibrationRequest, EpisodeNote, Marker, PacerChanged, StressTriggered


class Recorder:
    """Numbers a session's notifications and events (their primary keys) and makes their rows."""

    def __init__(self, session_id: str, clock: SessionClock) -> None:
        self.session_id = session_id
        self.clock = clock
        self.notification_seq = 0
        self.event_seq = 0
        self.episode_starts: dict[int, float] = {}

    def notification(self, t_mono: float, t_utc: float, payload: bytes, **parsed: Any) -> NotificationRow:
        row = NotificationRow(self.session_id, self.notification_seq, t_mono, t_utc, payload, **parsed)
        self.notification_seq += 1
        return row

    def event(self, type_: str, t_mono: float, t_utc: float, data: dict[str, Any]) -> EventRow:
        row = EventRow(self.session_id, self.event_seq, t_mono, t_utc, type_, data)
        self.event_seq += 1
        return row

    def metric(self, w: WindowMetrics) -> MetricRow:
        values = {k: _finite(v) for k, v in w.values.items()}
        return MetricRow(
            self.session_id, w.window_s, w.t_s, self.clock.utc(w.t_s), w.segment, w.n_beats, w.corrected_share,
            values, w.reason,
        )  # fmt: skip


def _finite(v: float | None) -> float | None:
    return None if v is None or v != v or v in (float("inf"), float("-inf")) else v


@singledispatch
def rows_of(value: object, rec: Recorder) -> list[Row]:
    """The rows to store for ``value`` (none for a value that is not stored)."""
    return []


@rows_of.register
def _(value: HeartRateSample, rec: Recorder) -> list[Row]:
    return [
        rec.notification(
            value.t_mono, value.t_utc, value.payload, hr_bpm=value.hr_bpm, rr_raw=tuple(value.rr_raw),
            contact=value.contact, energy_kj=value.energy_kj,
        )
    ]  # fmt: skip


@rows_of.register
def _(value: MalformedNotification, rec: Recorder) -> list[Row]:
    if value.stream == PMD_STREAM:
        settings = {"rate_hz": value.sample_rate_hz}
        return [
            rec.notification(
                value.t_mono, value.t_utc, value.payload, error=value.reason, stream=PMD_STREAM, settings=settings
            )
        ]
    return [rec.notification(value.t_mono, value.t_utc, value.payload, error=value.reason)]


@rows_of.register
def _(value: EcgSample, rec: Recorder) -> list[Row]:
    settings = {"rate_hz": value.sample_rate_hz}
    return [rec.notification(value.t_mono, value.t_utc, value.payload, stream=PMD_STREAM, settings=settings)]


@rows_of.register
def _(value: AccelerometerSample, rec: Recorder) -> list[Row]:
    settings = {"rate_hz": value.sample_rate_hz, "factor": value.factor}
    return [rec.notification(value.t_mono, value.t_utc, value.payload, stream=PMD_STREAM, settings=settings)]


@rows_of.register
def _(value: ConnectionEvent, rec: Recorder) -> list[Row]:
    data = {"state": value.state.value, "detail": value.detail, "attempt": value.attempt}
    return [rec.event("connection", value.t_mono, value.t_utc, data)]


@rows_of.register
def _(value: DeviceInfo, rec: Recorder) -> list[Row]:
    return [rec.event("device", value.t_mono, value.t_utc, device_dict(value))]


@rows_of.register
def _(value: BeatUpdate, rec: Recorder) -> list[Row]:
    b = value.beat
    artifact = value.artifact.value if value.artifact is not None else "no_contact"
    beat = BeatRow(
        rec.session_id, b.index, b.t_s, rec.clock.utc(b.t_s), b.rr_ms, b.rr_raw, b.segment, b.contact, artifact,
        tuple(value.nn_ms),
    )  # fmt: skip
    return [beat, *(rec.metric(w) for w in value.windows)]


@rows_of.register
def _(value: MetricsUpdate, rec: Recorder) -> list[Row]:
    return [rec.metric(value.long), rec.metric(value.coherence)]


@rows_of.register
def _(value: SegmentStart, rec: Recorder) -> list[Row]:
    data = {"segment": value.segment, "reason": value.reason.value}
    return [rec.event("segment", value.t_s, rec.clock.utc(value.t_s), data)]


@rows_of.register
def _(value: Marker, rec: Recorder) -> list[Row]:
    return [rec.event("marker", value.t_mono, value.t_utc, {"text": value.text, "source": value.source})]


@rows_of.register
def _(value: PacerChanged, rec: Recorder) -> list[Row]:
    s = value.state
    data = {"running": s.running, "rate_per_min": s.rate_per_min, "inhale_fraction": s.inhale_fraction}
    return [rec.event("breathing", value.t_mono, value.t_utc, data)]


def device_dict(d: DeviceInfo) -> dict[str, Any]:
    fields = (("name", d.name), ("address", d.address), ("body_location", d.body_location))
    out: dict[str, Any] = {k: v for k, v in fields if v is not None}
    if d.battery_percent is not None:
        out["battery_percent"] = d.battery_percent
    return out


# -- the window of tolerance ------------------------------------------------------------------
@rows_of.register
def _(value: ZoneChange, rec: Recorder) -> list[Row]:
    data = {"zone": value.zone.value, "previous": value.previous.value, "arousal": value.arousal, "change": True}
    return [rec.event("zone", value.t_s, rec.clock.utc(value.t_s), data)]


@rows_of.register
def _(value: ZoneTick, rec: Recorder) -> list[Row]:
    data = {"zone": value.zone.value, "arousal": value.arousal, "change": False, "within_share": value.within_share}
    return [rec.event("zone", value.t_s, rec.clock.utc(value.t_s), data)]


@rows_of.register
def _(value: Nudge, rec: Recorder) -> list[Row]:
    data = {"arousal": value.arousal, "above_s": value.above_s}
    return [rec.event("nudge", value.t_s, rec.clock.utc(value.t_s), data)]


@rows_of.register
def _(value: BaselineSet, rec: Recorder) -> list[Row]:
    data = {"source": value.source} if value.baseline is None else value.baseline.as_dict()
    return [rec.event("baseline", value.t_s, rec.clock.utc(value.t_s), data)]


@rows_of.register
def _(value: CalibrationUpdate, rec: Recorder) -> list[Row]:
    data = {**value.progress.as_dict(), "refused": value.refused, "done": value.done}
    return [rec.event("calibration", value.t_s, rec.clock.utc(value.t_s), data)]


@rows_of.register
def _(value: CalibrationRequest, rec: Recorder) -> list[Row]:
    return [rec.event("calibration", value.t_mono, value.t_utc, {"requested_s": value.duration_s})]


@rows_of.register
def _(value: ActivitySignal, rec: Recorder) -> list[Row]:
    return [rec.event("activity_signal", value.t_mono, value.t_utc, {"kind": value.kind})]


@rows_of.register
def _(value: StreamGap, rec: Recorder) -> list[Row]:
    data = {"stream": value.stream, "kind": value.kind, "missing": value.missing}
    return [rec.event("stream_gap", value.t_mono, value.t_utc, data)]


@rows_of.register
def _(value: ActivityEvent, rec: Recorder) -> list[Row]:
    data = {"active": value.active, "kind": value.kind, "source": value.source}
    return [rec.event("activity", value.t_mono, value.t_utc, data)]


@rows_of.register
def _(value: EpisodeOpened, rec: Recorder) -> list[Row]:
    rec.episode_starts[value.index] = value.start_s
    start_utc = rec.clock.utc(value.start_s)
    row = EpisodeRow(
        rec.session_id, value.index, start_utc, None, rec.clock.rel(value.start_s), None, value.arousal, None, None,
        None, None, None, None, None, None, False, {},
    )  # fmt: skip
    return [row]


@rows_of.register
def _(value: EpisodeUpdated, rec: Recorder) -> list[Row]:
    # The open row again, with its peak so far (the start is kept from the first write).
    start = rec.episode_starts.get(value.index, value.peak_s)
    row = EpisodeRow(
        rec.session_id, value.index, rec.clock.utc(start), None, rec.clock.rel(start), rec.clock.rel(value.peak_s),
        value.peak, None, None, None, None, value.area, None, None, None, False, {},
    )  # fmt: skip
    return [row]


@rows_of.register
def _(value: EpisodeClosed, rec: Recorder) -> list[Row]:
    e = value.episode
    rel = rec.clock.rel
    d = e.as_dict(curve=True)
    # Fits state their times on the source's clock; stored, everything is on the session's.
    fit, logistic = rec.clock.fit(d.get("fit")), rec.clock.fit(d.get("logistic"))
    data = {
        "fit": fit, "logistic": logistic, "lag_s": e.lag_s, "onset_s": rel(e.onset_s),
        "half_recovery_s": e.half_recovery_s, "tau_half_s": e.tau_half_s,
        "curve_t_s": [rel(t) for t in e.curve_t_s], "curve_arousal": list(e.curve_arousal),
    }  # fmt: skip
    row = EpisodeRow(
        rec.session_id, e.index, rec.clock.utc(e.start_s), rec.clock.utc(e.return_s or value.t_s), rel(e.start_s),
        rel(e.peak_s), e.peak, None if e.return_s is None else rel(e.return_s), e.recovery_s, d.get("tau_s"),
        d.get("r2"), e.area, e.breathing, e.activity, e.reactivation_of, True, data,
    )  # fmt: skip
    return [row]


@rows_of.register
def _(value: EpisodeNote, rec: Recorder) -> list[Row]:
    return [rec.event("note", value.t_mono, value.t_utc, {"episode": value.episode, "text": value.text})]


@rows_of.register
def _(value: StressTriggered, rec: Recorder) -> list[Row]:
    data = {"intensity": value.intensity, "rise_s": value.rise_s, "tau_s": value.tau_s}
    return [rec.event("stress", value.t_mono, value.t_utc, data)]


@rows_of.register
def _(value: AdherenceUpdate, rec: Recorder) -> list[Row]:
    return [rec.event("adherence", value.t_s, rec.clock.utc(value.t_s), value.adherence.as_dict())]


@rows_of.register
def _(value: ResonanceProgress, rec: Recorder) -> list[Row]:
    data = {"state": "step", "step": value.step, "steps": value.steps, "rate_per_min": value.rate_per_min}
    return [rec.event("resonance", value.t_s, rec.clock.utc(value.t_s), data)]


@rows_of.register
def _(value: ResonanceDone, rec: Recorder) -> list[Row]:
    data = {"state": "refused", "detail": value.refused} if value.result is None else value.result.as_dict()
    return [rec.event("resonance", value.t_s, rec.clock.utc(value.t_s), data)]
