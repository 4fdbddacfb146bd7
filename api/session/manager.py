"""The server's sessions: started at start-up or while serving, stopped one by one or all."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from tolerance.hrv import Engine, EngineConfig

from ..hub import Hub
from ..storage import Store, queries
from .clock import SessionClock, SessionState
from .live import LiveSession, SessionNotLive
from .pacer import DEFAULT_RATE_PER_MIN, PacerState
from .pipeline import Pipeline, default_sinks, default_stages
from .sources import SourceSpec
from .tolerance import ToleranceStage, baseline_from_dict, config_from_profile

_log = logging.getLogger(__name__)


class SessionManager:
    """Live sessions by id; each gets its own engine and pipeline, built here and passed in."""

    def __init__(
        self,
        store: Store,
        hub: Hub,
        engine_config: EngineConfig | None = None,
        *,
        calibrate_span_s: tuple[float, float] | None = None,
        profile: str | None = None,
    ) -> None:
        self.store = store
        self.hub = hub
        self.engine_config = engine_config or EngineConfig()
        self.calibrate_span_s = calibrate_span_s
        """``serve --baseline START:END``: every session started with the server calibrates then."""
        self.profile = profile
        """``serve --profile NAME``: sessions use and keep that worker's baseline and window."""
        self.sessions: dict[str, LiveSession] = {}
        self.shared_pacer: PacerState | None = None
        """The room's shared guide (the trainer's *for everyone*): sessions started while it runs join it."""

    async def start(self, spec: SourceSpec) -> LiveSession:
        cfg = self.engine_config
        engine_params: dict[str, Any] = cfg.as_dict()
        profile_name = spec.profile or self.profile
        profile = (await self.store.read(lambda c: queries.get_profile(c, profile_name))) if profile_name else None
        row = await queries.create_session(
            self.store,
            source_kind=spec.kind,
            source_id=spec.sensor.source_id,
            params={**spec.params, "engine": engine_params},
            label=spec.label,
            profile_id=profile_name,
        )
        clock, state = SessionClock(), SessionState()
        baseline = baseline_from_dict(profile["baseline"]) if profile and profile.get("baseline") else None
        tolerance = ToleranceStage(
            baseline=baseline,
            config=config_from_profile(profile or {}),
            calibrate_span_s=spec.calibrate_span_s or self.calibrate_span_s,
        )
        stages = default_stages(Engine(cfg), tolerance)
        pipeline = Pipeline(stages, default_sinks(self.store, self.hub, row.id, clock, state, profile_name))
        session = LiveSession(
            row, spec.sensor, self.store, self.hub, pipeline, clock, state, engine_params=engine_params
        )
        if profile and profile.get("resonance", {}).get("rate_per_min"):
            session.pacer.set_default_rate(float(profile["resonance"]["rate_per_min"]))
        self.sessions[row.id] = session
        session.start()
        _log.info("session %s started (%s %s)", row.id, spec.kind, spec.sensor.source_id)
        shared = self.shared_pacer
        if shared is not None and shared.running:
            f = shared.inhale_fraction
            await session.breathing("start", shared.rate_per_min, (f, 1.0 - f), epoch_utc=shared.epoch_utc)
        return session

    async def share_breathing(
        self, action: str, rate_per_min: float | None = None, ratio: tuple[float, float] | None = None
    ) -> PacerState | None:
        """Start, change or stop one guide for every live session, in step (one epoch); sessions
        started later join it while it runs. Returns the shared guide (None: stopped)."""
        live = [s for s in self.sessions.values() if s.status == "live"]
        if action != "start":
            self.shared_pacer = None
            await asyncio.gather(*(s.breathing("stop") for s in live), return_exceptions=True)
            return None
        now = time.time()
        old = self.shared_pacer
        rate = float(rate_per_min if rate_per_min is not None else (old.rate_per_min if old else DEFAULT_RATE_PER_MIN))
        # Keep the phase continuous when the rate changes while it runs (as one session's pacer does).
        epoch = now - old.phase(now) * 60.0 / rate if old is not None else now
        fraction = old.inhale_fraction if old is not None and ratio is None else None
        use_ratio = ratio if ratio is not None else ((fraction, 1.0 - fraction) if fraction is not None else None)
        states = [await s.breathing("start", rate, use_ratio, epoch_utc=epoch) for s in live]
        f = states[0].inhale_fraction if states else (fraction if fraction is not None else 0.4)
        self.shared_pacer = PacerState(True, rate, f, epoch)
        return self.shared_pacer

    def get(self, session_id: str) -> LiveSession | None:
        return self.sessions.get(session_id)

    async def stop(self, session_id: str, detail: str = "stopped by the user") -> LiveSession:
        """End a live session (KeyError if unknown here, SessionNotLive if already over)."""
        session = self.sessions[session_id]
        session.require_live()
        await session.stop(detail)
        return session

    def live_count(self) -> int:
        return sum(1 for s in self.sessions.values() if s.status == "live")

    async def stop_all(self) -> None:
        await asyncio.gather(*(s.stop() for s in self.sessions.values()), return_exceptions=True)


__all__ = ["SessionManager", "SessionNotLive"]
