"""Carrying out a client's command, the same way for the websocket and the REST routes."""

from __future__ import annotations

import time

from ..protocol import (
    AssessResonanceCommand,
    BreathingCommand,
    CalibrateCommand,
    ClientCommandModel,
    Frame,
    MarkerCommand,
    NoteCommand,
    PingCommand,
    PongFrame,
    StopCommand,
    StressCommand,
)
from .live import LiveSession
from .manager import SessionManager


async def carry_out(
    manager: SessionManager, session: LiveSession, command: ClientCommandModel, *, via: str
) -> Frame | None:
    """Do ``command``; returns a reply for this client alone (None: every client hears of it
    through the session's own frames). Raises SessionNotLive and NotSimulated (409),
    UnknownEpisode (404), PacerError (422)."""
    if isinstance(command, PingCommand):
        return PongFrame(server_utc=time.time())
    if isinstance(command, MarkerCommand):
        await session.add_marker(command.text, source=via)
    elif isinstance(command, BreathingCommand):
        await session.breathing(command.action, command.rate_per_min, command.ratio)
    elif isinstance(command, StressCommand):
        await session.stress(command.intensity, command.rise_s, command.tau_s)
    elif isinstance(command, NoteCommand):
        await session.note(command.episode, command.text)
    elif isinstance(command, AssessResonanceCommand):
        await session.assess_resonance(tuple(command.rates_per_min), command.step_s)
    elif isinstance(command, CalibrateCommand):
        await session.calibrate(command.duration_s)
    elif isinstance(command, StopCommand):
        await manager.stop(session.id, f"stopped from the {via}")
    return None
