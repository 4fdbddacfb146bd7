"""What a session stores: the typed storage rows of each value (raw notifications first).

One function per value type (``singledispatch``): a new kind of value is stored by
registering a function here, not by editing the session loop.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from tolerance.hrv import BeatUpdate, MetricsUpdate, SegmentStart, WindowMetrics
from tolerance.sensors import ConnectionEvent, DeviceInfo, HeartRateSample, MalformedNotification

from ..storage import BeatRow, EventRow, MetricRow, NotificationRow
from ..storage.rows import Row
from .clock import SessionClock
from .values import Marker, PacerChanged


class Recorder:
    """Numbers a session's notifications and events (their primary keys) and makes their rows."""

    def __init__(self, session_id: str, clock: SessionClock) -> None:
        self.session_id = session_id
        self.clock = clock
        self.notification_seq = 0
        self.event_seq = 0

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
    return [rec.notification(value.t_mono, value.t_utc, value.payload, error=value.reason)]


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
