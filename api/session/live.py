"""Live sessions: one task per source reads it and pushes every item down its pipeline.

Order for every notification: the stages derive beats and metrics from it, the store commits
the raw notification and what was derived in one transaction, then its frames are published.
So anything a client has seen is already on disk, and a crash loses nothing already shown.

Except while the disk is full: then the store sink keeps the session's rows in memory (bounded,
:mod:`.sinks`) and the session goes on; clients get a ``status`` frame with ``storage: "full"``
at once and ``storage: "ok"`` when the rows are written. The session's final status and its
cause are written even if the disk is full when it ends (as soon as space returns).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from tolerance.sensors import HeartRateSample, Sensor, SensorError

from ..hub import Hub
from ..protocol import LiveView, StatusFrame
from ..storage import SessionRow, Store, StoreError, queries
from .clock import SessionClock, SessionState
from .framing import pacer_frame
from .pacer import Pacer, PacerState
from .pipeline import Pipeline
from .resonance import PacerRequest
from .sinks import StoreSink
from .values import CalibrationRequest, EpisodeNote, Marker, PacerChanged, ResonanceRequest, StressTriggered

_log = logging.getLogger(__name__)


class SessionNotLive(RuntimeError):
    """A command for a session that has ended or failed (HTTP 409, ``session_ended``)."""

    def __init__(self, session_id: str, status: str) -> None:
        self.session_id = session_id
        self.status = status
        super().__init__(f"session {session_id} is {status}; it takes no commands")


class NotSimulated(RuntimeError):
    """A command only a simulated strap can carry out (HTTP 409, ``not_simulated``)."""


class UnknownEpisode(KeyError):
    """No episode with this index in the session (HTTP 404, ``unknown_episode``)."""


class LiveSession:
    """A session being recorded from one source, through a pipeline built by the manager."""

    def __init__(
        self,
        row: SessionRow,
        sensor: Sensor,
        store: Store,
        hub: Hub,
        pipeline: Pipeline,
        clock: SessionClock,
        state: SessionState,
        *,
        engine_params: dict[str, Any] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.row = row
        self.id = row.id
        self.sensor = sensor
        self.store = store
        self.hub = hub
        self.pipeline = pipeline
        self.clock = clock
        self.state = state
        self.engine_params = engine_params or {}
        self.pacer = Pacer(clock=wall_clock)
        self._wall_clock = wall_clock
        self.task: asyncio.Task[None] | None = None
        self._stop_detail = "stopped by the server"
        self.storage_fault: str | None = None
        """Why this session's rows are held in memory now (the disk is full), or None."""
        self._store_sinks = [sink for sink in pipeline.sinks if isinstance(sink, StoreSink)]
        for sink in self._store_sinks:
            sink.on_storage = self._storage_changed

    @property
    def status(self) -> str:
        return self.state.status

    @property
    def connection(self) -> str:
        return self.state.connection

    @property
    def counts(self) -> dict[str, int]:
        return self.state.counts

    # lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name=f"session-{self.id}")

    async def stop(self, detail: str = "stopped by the server") -> None:
        self._stop_detail = detail
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    def view(self) -> LiveView:
        return LiveView(
            **{**self.row.to_json(), **self.state.as_dict()},
            device=self.state.device,
            counts=dict(self.state.counts),
            last_sample=self.state.last_sample,
            last_metrics=self.state.last_metrics,
            pacer=self.pacer_frame(),
            engine=self.engine_params,
        )

    def storage_frame(self) -> StatusFrame | None:
        """The storage state for a client that connects during an outage (None: all is well)."""
        if self.storage_fault is None:
            return None
        return StatusFrame(storage="full", detail=f"recording into memory: {self.storage_fault}")

    def _storage_changed(self, fault: str | None, gap: dict[str, float | int]) -> None:
        self.storage_fault = fault
        if fault is not None:
            _log.error("session %s: storage failing, recording into memory: %s", self.id, fault)
            frame = self.storage_frame()
        else:
            lost = int(gap.get("notifications", 0))
            detail = "recording to disk again; nothing was lost"
            if lost:
                detail = f"recording to disk again; {lost} notifications were lost while the disk was full"
            _log.warning("session %s: %s", self.id, detail)
            frame = StatusFrame(storage="ok", detail=detail)
        if frame is not None:
            self.hub.publish(self.id, frame.encode())

    def pacer_frame(self) -> Any:
        return pacer_frame(self.pacer.state, self._wall_clock())

    # commands ---------------------------------------------------------------------------------
    def require_live(self) -> None:
        if self.state.status != "live":
            raise SessionNotLive(self.id, self.state.status)

    async def add_marker(self, text: str, source: str = "client") -> Marker:
        self.require_live()
        t_mono, t_utc = self.clock.now()
        marker = Marker(t_mono, t_utc, text, source)
        await self.pipeline.push(marker)
        return marker

    async def breathing(
        self,
        action: str,
        rate_per_min: float | None = None,
        ratio: tuple[float, float] | None = None,
        epoch_utc: float | None = None,
    ) -> PacerState:
        self.require_live()
        state = self.pacer.start(rate_per_min, ratio, epoch_utc) if action == "start" else self.pacer.stop()
        t_mono, t_utc = self.clock.now()
        change = PacerChanged(t_mono, t_utc, state, self._wall_clock())
        # A simulated participant breathes with the guide, in step with it, so the whole loop
        # (adherence, the resonance assessment's phase criterion) shows without a strap.
        set_breathing = getattr(self.sensor, "set_breathing", None)
        if callable(set_breathing):
            if state.running:
                set_breathing(state.rate_per_min, change.guide_epoch_mono, state.inhale_fraction)
            else:
                set_breathing(None)
        await self.pipeline.push(change)
        return state

    async def calibrate(self, duration_s: float) -> None:
        """Start a calibration now (seated rest for ``duration_s``); progress comes as frames."""
        self.require_live()
        t_mono, t_utc = self.clock.now()
        await self.pipeline.push(CalibrationRequest(t_mono, t_utc, duration_s))

    async def stress(self, intensity: float, rise_s: float, tau_s: float) -> StressTriggered:
        """A scripted stress event now, on a simulated strap (demos)."""
        self.require_live()
        add_stress = getattr(self.sensor, "add_stress", None)
        if not callable(add_stress):
            raise NotSimulated(f"session {self.id} records a real strap; only simulated ones take a scripted stress")
        from tolerance.simulations import StressEvent

        add_stress(
            StressEvent(at_s=float(getattr(self.sensor, "t_s", 0.0)), rise_s=rise_s, tau_s=tau_s, intensity=intensity)
        )
        t_mono, t_utc = self.clock.now()
        value = StressTriggered(t_mono, t_utc, intensity, rise_s, tau_s)
        await self.pipeline.push(value)
        return value

    async def assess_resonance(self, rates_per_min: tuple[float, ...], step_s: float) -> None:
        """Start the resonance-frequency assessment: the guide steps through ``rates_per_min``."""
        self.require_live()
        t_mono, t_utc = self.clock.now()
        await self._act(await self.pipeline.push(ResonanceRequest(t_mono, t_utc, rates_per_min, step_s)))

    async def _act(self, values: list[object]) -> None:
        """Carry out what the stages asked of the session (only the session owns the pacer)."""
        for value in values:
            if isinstance(value, PacerRequest):
                if value.rate_per_min is None:
                    await self.breathing("stop")
                else:
                    await self.breathing("start", value.rate_per_min)

    async def note(self, episode: int, text: str) -> EpisodeNote:
        """A note on one of this session's episodes (it may still be open)."""
        known = {e.index for e in self.state.episodes} | self.state.open_episodes
        if episode not in known:
            raise UnknownEpisode(episode)
        t_mono, t_utc = self.clock.now()
        value = EpisodeNote(t_mono, t_utc, episode, text)
        await self.pipeline.push(value)
        return value

    # the loop -------------------------------------------------------------------------------
    async def run(self) -> None:
        stream = self.sensor.stream()
        try:
            async with contextlib.aclosing(stream):  # type: ignore[type-var]
                async for item in stream:
                    self.clock.observe(getattr(item, "t_mono", None), getattr(item, "t_utc", None))
                    if isinstance(item, HeartRateSample):
                        self.clock.utc_offset = item.t_utc - item.t_mono
                    await self._act(await self.pipeline.push(item))
            await self.pipeline.flush()
            await self._finish("ended", "the source ended")
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self.pipeline.flush()
                await self._finish("ended", self._stop_detail)
            raise
        except SensorError as exc:
            detail = f"{exc}. {getattr(exc, 'advice', '')}".strip()
            _log.warning("session %s stopped: %s", self.id, detail)
            with contextlib.suppress(Exception):
                await self.pipeline.flush()
            await self._finish("failed", detail)
        except StoreError as exc:
            _log.error("session %s stopped: %s", self.id, exc)
            await self._finish("failed", f"storage failed: {exc}. {exc.advice}")
        except Exception as exc:  # a bug: keep the server and the other sessions alive
            _log.exception("session %s failed", self.id)
            await self._finish("failed", f"internal error: {exc!r}")

    async def _finish(self, status: str, detail: str) -> None:
        """Mark the session ended; clients hear first, then the store (which may be failing:
        then what it still holds and the status are written when space returns)."""
        self.state.status = status
        self.state.status_detail = detail
        self.hub.publish(self.id, StatusFrame(session=status, detail=detail).encode())
        try:
            for sink in self._store_sinks:
                await sink.hand_over()
            if not await queries.end_session(self.store, self.id, status, detail):
                _log.error("session %s: the disk is full; its end (%s) is recorded when space returns", self.id, status)
        except Exception as exc:  # noqa: BLE001 - the store is what failed; say so, end cleanly
            _log.error("session %s: could not record its end (%s): %s", self.id, status, exc)
