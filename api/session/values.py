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

    @property
    def guide_epoch_mono(self) -> float:
        """When the guide's current breath began, on the session clock: its phase at session
        time ``t`` is ``(t - guide_epoch_mono) * rate / 60`` cycles.

        The one place the wall-clock guide a worker sees is put on the session clock, which the
        heart's beats are stamped with: aligned at the change, so in a real-time session it is
        the guide on the screen; in an accelerated demo it runs at the guide's rate in
        simulated time, and the simulated participant follows it there (stages that compare
        the heart with the guide and the simulator all use this value).
        """
        s = self.state
        return self.t_mono - s.phase(self.server_utc) * 60.0 / s.rate_per_min


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
