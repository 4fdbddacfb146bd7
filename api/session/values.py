"""Typed values a session makes itself (besides what its source and its stages yield).

Everything that travels down a session's pipeline is a typed value: the source's items
(:data:`tolerance.sensors.SensorItem`), the stages' updates (:data:`tolerance.hrv.Update`),
and these, made by the session's commands.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pacer import PacerState


@dataclass(frozen=True, slots=True)
class Marker:
    """A marker at ``t_mono`` on the session clock: a one-tap "noticed", or a short note."""

    t_mono: float
    t_utc: float
    text: str
    source: str
    """who set it: ``api``, ``websocket``"""


@dataclass(frozen=True, slots=True)
class PacerChanged:
    """The breathing guide was started, changed or stopped."""

    t_mono: float
    t_utc: float
    state: PacerState
    server_utc: float
    """the server's wall clock at the change (the pacer runs on it, even in an accelerated demo)"""


@dataclass(frozen=True, slots=True)
class CalibrationRequest:
    """Start a calibration now (seated rest for ``duration_s``), from a command."""

    t_mono: float
    t_utc: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class EpisodeNote:
    """A worker's note on episode ``episode`` of this session."""

    t_mono: float
    t_utc: float
    episode: int
    text: str


@dataclass(frozen=True, slots=True)
class StressTriggered:
    """A scripted stress event started on a simulated strap (a demo's own doing, recorded as such)."""

    t_mono: float
    t_utc: float
    intensity: float
    rise_s: float
    tau_s: float


@dataclass(frozen=True, slots=True)
class ResonanceRequest:
    """Run the resonance-frequency assessment from now: ``rates_per_min`` for ``step_s`` each."""

    t_mono: float
    t_utc: float
    rates_per_min: tuple[float, ...]
    step_s: float
