"""Live sessions: one task per source reads it, stores raw first, runs the engine, publishes.

Order for every notification: commit the raw notification to SQLite, publish its ``sample``
frame, feed the engine, commit the beats and metrics that became final, publish their frames.
So anything a client has seen is already on disk, and a crash loses nothing already shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from tolerance.hrv import BeatUpdate, Engine, EngineConfig, MetricsUpdate, SegmentStart, WindowMetrics
from tolerance.sensors import (
    ConnectionEvent,
    ConnectionState,
    DeviceInfo,
    HeartRateSample,
    MalformedNotification,
    Sensor,
    SensorError,
)

from . import frames, records
from .hub import Hub
from .pacer import Pacer, PacerState
from .store import SessionRow, Store, StoreError

_log = logging.getLogger(__name__)

HISTORY_BEATS: Final = 600
"""Beat frames kept for a client that joins late (about 10 minutes), so its traces start full."""


class LiveSession:
    """A session being recorded from one source."""

    def __init__(
        self,
        row: SessionRow,
        sensor: Sensor,
        store: Store,
        hub: Hub,
        engine_config: EngineConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.row = row
        self.id = row.id
        self.sensor = sensor
        self.store = store
        self.hub = hub
        self.engine = Engine(engine_config)
        self.pacer = Pacer(clock=clock, on_change=self._pacer_changed)
        self.status = "live"
        self.status_detail: str | None = None
        self.connection = "connecting"
        self.device: dict[str, Any] = {}
        self.counts = {"notifications": 0, "malformed": 0, "beats": 0, "metrics": 0, "events": 0}
        self.last_sample: dict[str, Any] | None = None
        self.last_metrics: dict[str, Any] | None = None
        self.history: deque[dict[str, Any]] = deque(maxlen=HISTORY_BEATS)
        self.t0: float | None = None
        self.utc_offset = 0.0
        self._seq = 0
        self._event_seq = 0
        self._last_t: tuple[float, float] | None = None
        self.task: asyncio.Task[None] | None = None

    # public ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name=f"session-{self.id}")

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    def snapshot(self) -> dict[str, Any]:
        return {
            **self.row.to_json(),
            "status": self.status,
            "status_detail": self.status_detail,
            "connection": self.connection,
            "device": self.device,
            "counts": dict(self.counts),
            "last_sample": self.last_sample,
            "last_metrics": self.last_metrics,
            "pacer": self.pacer.frame(),
            "engine": self.engine.config.as_dict(),
        }

    def _now(self) -> tuple[float, float]:
        """Session clock time of 'now': the newest item's time (a simulated or replayed source
        runs on its own clock, so wall time would misplace a marker at --speed K); the wall
        clock before any item arrived."""
        if self._last_t is not None:
            return self._last_t
        now = time.time()
        return now - self.utc_offset, now

    async def add_marker(self, text: str, source: str = "client") -> dict[str, Any]:
        t_mono, now = self._now()
        data = {"text": text, "source": source}
        await self._event("marker", t_mono, now, data)
        frame = {"v": 1, "type": "event", "event": "marker", "t": t_mono - (self.t0 or t_mono), "t_utc": now, **data}
        self._publish(frame)
        return frame

    async def breathing(
        self, action: str, rate_per_min: float | None = None, ratio: tuple[float, float] | None = None
    ) -> PacerState:
        state = self.pacer.start(rate_per_min, ratio) if action == "start" else self.pacer.stop()
        t_mono, now = self._now()
        await self._event(
            "breathing",
            t_mono,
            now,
            {
                "running": state.running,
                "rate_per_min": state.rate_per_min,
                "inhale_fraction": state.inhale_fraction,
            },
        )
        return state

    # the loop -------------------------------------------------------------------------------
    async def run(self) -> None:
        stream = self.sensor.stream()
        try:
            async with contextlib.aclosing(stream):  # type: ignore[type-var]
                async for item in stream:
                    await self._handle(item)
            await self._apply(self.engine.flush())
            await self._finish("ended", "the source ended")
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self._apply(self.engine.flush())
                await self._finish("ended", "stopped by the server")
            raise
        except SensorError as exc:
            detail = f"{exc}. {getattr(exc, 'advice', '')}".strip()
            _log.warning("session %s stopped: %s", self.id, detail)
            with contextlib.suppress(Exception):
                await self._apply(self.engine.flush())
            await self._finish("failed", detail)
        except StoreError as exc:
            _log.error("session %s stopped: %s", self.id, exc)
            await self._finish("failed", f"storage failed: {exc}. {exc.advice}")
        except Exception as exc:  # a bug: keep the server and the other sessions alive
            _log.exception("session %s failed", self.id)
            await self._finish("failed", f"internal error: {exc!r}")

    async def _finish(self, status: str, detail: str) -> None:
        """Mark the session ended; clients hear first, then the store (which may be failing)."""
        self.status = status
        self.status_detail = detail
        self._publish({"v": 1, "type": "status", "session": status, "detail": detail})
        try:
            await records.end_session(self.store, self.id, status, detail)
        except Exception as exc:  # noqa: BLE001 - the store is what failed; say so, end cleanly
            _log.error("session %s: could not record its end (%s): %s", self.id, status, exc)

    async def _handle(self, item: object) -> None:
        t_mono = getattr(item, "t_mono", None)
        if t_mono is not None:
            self._last_t = (t_mono, getattr(item, "t_utc", time.time()))
        if self.t0 is None:
            self.t0 = t_mono if t_mono is not None else 0.0
        if isinstance(item, HeartRateSample):
            self.utc_offset = item.t_utc - item.t_mono
            await records.add_notification(self.store, self.id, self._seq, item)
            self._seq += 1
            self.counts["notifications"] += 1
            frame = frames.sample_frame(item, self.t0)
            self.last_sample = frame
            self._publish(frame)
            await self._apply(self.engine.add(item.t_mono, item.rr_ms, item.contact, item.rr_raw))
        elif isinstance(item, MalformedNotification):
            await records.add_notification(self.store, self.id, self._seq, item)
            self._seq += 1
            self.counts["notifications"] += 1
            self.counts["malformed"] += 1
            self._publish(
                {
                    "v": 1,
                    "type": "status",
                    "t": item.t_mono - self.t0,
                    "malformed": self.counts["malformed"],
                    "detail": item.reason,
                }
            )
        elif isinstance(item, ConnectionEvent):
            self.connection = item.state.value
            await self._event(
                "connection",
                item.t_mono,
                item.t_utc,
                {"state": item.state.value, "detail": item.detail, "attempt": item.attempt},
            )
            self._publish(frames.connection_frame(item, self.t0))
            if item.state is ConnectionState.LOST:
                await self._apply(self.engine.mark_gap())
        elif isinstance(item, DeviceInfo):
            self.device = {
                k: v
                for k, v in (
                    ("name", item.name),
                    ("address", item.address),
                    ("body_location", item.body_location),
                    ("battery_percent", item.battery_percent),
                )
                if v is not None
            }
            await self._event("device", item.t_mono, item.t_utc, dict(self.device))
            self._publish(frames.device_frame(item, self.t0))

    async def _apply(self, updates: list[BeatUpdate | MetricsUpdate | SegmentStart]) -> None:
        if not updates:
            return
        t0 = self.t0 or 0.0
        off = self.utc_offset
        beat_rows = []
        metric_rows: list[tuple[Any, ...]] = []
        out = []
        for u in updates:
            if isinstance(u, BeatUpdate):
                b = u.beat
                beat_rows.append(
                    (
                        b.index,
                        b.t_s,
                        b.t_s + off,
                        b.rr_ms,
                        b.rr_raw,
                        b.segment,
                        None if b.contact is None else int(b.contact),
                        u.artifact.value if u.artifact is not None else "no_contact",
                        records.dumps(list(u.nn_ms)),
                    )
                )
                metric_rows.extend(_metric_row(w, off) for w in u.windows)
                frame = frames.beat_frame(u, t0, off)
                self.history.append(frame)
                out.append(frame)
            elif isinstance(u, MetricsUpdate):
                metric_rows.append(_metric_row(u.long, off))
                metric_rows.append(_metric_row(u.coherence, off))
                frame = frames.metrics_frame(u, t0, off)
                self.last_metrics = frame
                out.append(frame)
            elif isinstance(u, SegmentStart):
                await self._event("segment", u.t_s, u.t_s + off, {"segment": u.segment, "reason": u.reason.value})
        await records.add_beats(self.store, self.id, beat_rows)
        await records.add_metrics(self.store, self.id, metric_rows)
        self.counts["beats"] += len(beat_rows)
        self.counts["metrics"] += len(metric_rows)
        for frame in out:
            self._publish(frame)

    async def _event(self, type_: str, t_mono: float, t_utc: float, data: dict[str, Any]) -> None:
        seq = self._event_seq
        self._event_seq += 1
        self.counts["events"] += 1
        await records.add_event(self.store, self.id, seq, t_mono, t_utc, type_, data)

    def _publish(self, frame: dict[str, Any]) -> None:
        self.hub.publish(self.id, frame)

    def _pacer_changed(self, state: PacerState) -> None:
        # A simulated participant breathes with the guide, so the whole loop shows without a strap.
        set_breathing = getattr(self.sensor, "set_breathing", None)
        if callable(set_breathing):
            set_breathing(state.rate_per_min if state.running else None)
        self._publish(self.pacer.frame())


def _metric_row(w: WindowMetrics, utc_offset: float) -> tuple[Any, ...]:
    values = {k: frames._clean(v) for k, v in w.values.items()}
    return (w.window_s, w.t_s, w.t_s + utc_offset, w.segment, w.n_beats, w.corrected_share, values, w.reason)


class SessionManager:
    """The server's live sessions, by id."""

    def __init__(self, store: Store, hub: Hub, engine_config: EngineConfig | None = None) -> None:
        self.store = store
        self.hub = hub
        self.engine_config = engine_config
        self.sessions: dict[str, LiveSession] = {}

    async def start(
        self, sensor: Sensor, *, source_kind: str, params: dict[str, Any], label: str | None = None
    ) -> LiveSession:
        cfg = self.engine_config or EngineConfig()
        row = await records.create_session(
            self.store,
            source_kind=source_kind,
            source_id=sensor.source_id,
            params={**params, "engine": cfg.as_dict()},
            label=label,
        )
        session = LiveSession(row, sensor, self.store, self.hub, cfg)
        self.sessions[row.id] = session
        session.start()
        _log.info("session %s started (%s %s)", row.id, source_kind, sensor.source_id)
        return session

    async def stop_all(self) -> None:
        await asyncio.gather(*(s.stop() for s in self.sessions.values()), return_exceptions=True)
