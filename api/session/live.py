"""Live sessions: one task per source reads it and pushes every item down its pipeline.

Order for every notification: the stages derive beats and metrics from it, the store commits
the raw notification and what was derived in one transaction, then its frames are published.
So anything a client has seen is already on disk, and a crash loses nothing already shown.
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
        self, action: str, rate_per_min: float | None = None, ratio: tuple[float, float] | None = None
    ) -> PacerState:
        self.require_live()
        state = self.pacer.start(rate_per_min, ratio) if action == "start" else self.pacer.stop()
        # A simulated participant breathes with the guide, so the whole loop shows without a strap.
        set_breathing = getattr(self.sensor, "set_breathing", None)
        if callable(set_breathing):
            set_breathing(state.rate_per_min if state.running else None)
        t_mono, t_utc = self.clock.now()
        await self.pipeline.push(PacerChanged(t_mono, t_utc, state, self._wall_clock()))
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
        """Mark the session ended; clients hear first, then the store (which may be failing)."""
        self.state.status = status
        self.state.status_detail = detail
        self.hub.publish(self.id, StatusFrame(session=status, detail=detail).encode())
        try:
            await queries.end_session(self.store, self.id, status, detail)
        except Exception as exc:  # noqa: BLE001 - the store is what failed; say so, end cleanly
            _log.error("session %s: could not record its end (%s): %s", self.id, status, exc)
