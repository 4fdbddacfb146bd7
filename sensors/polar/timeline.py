"""A PMD stream's frames on the host's clock: strap timestamps mapped with drift, repeats and gaps.

Every PMD frame carries the strap's own time of its last sample (ns since 2000-01-01, sensor
time). The host knows only when a frame arrived, later by the radio's and the stack's latency
(tens of ms, sometimes seconds when the link stalls). :class:`StrapClock` maps strap time to
host time with the **lower envelope** of ``receive - strap``: latency only ever adds, so the
smallest difference seen is the best offset, and each frame can lower it at once. Drift (the
strap's crystal against the host's) makes the true offset move; the estimate may rise by at
most ``max_drift_ppm`` of the elapsed time (default 200 ppm: crystals are specified at tens of
ppm, so this is a generous bound, a heuristic), so a strap clock running slow is followed, and
one running fast lowers the envelope by itself. A frame never maps later than it arrived.

:class:`FrameContinuity` compares each frame with the previous one of its stream: the first
sample of a frame is due one sample period after the last of the previous one. A frame whose
timestamp is not later than the previous one's is a **repeat** (polar-ble-sdk issues report
repeated packets); one that starts more than ``tolerance`` periods late is a **gap** (lost
packets), with the number of samples missing; a reset of the strap's clock (timestamp jumping
back by more than a frame) is a gap too, since nothing before it can be trusted to join.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = ["Continuity", "FrameCheck", "FrameContinuity", "StrapClock"]

NS_PER_S: Final = 1_000_000_000
DEFAULT_MAX_DRIFT_PPM: Final = 200.0


class StrapClock:
    """Map a strap's timestamps (ns) to the host clock (s), following drift (module docstring)."""

    def __init__(self, max_drift_ppm: float = DEFAULT_MAX_DRIFT_PPM) -> None:
        if not max_drift_ppm >= 0:
            raise ValueError(f"max_drift_ppm must be >= 0, got {max_drift_ppm}")
        self.max_drift = max_drift_ppm * 1e-6
        self.offset_s: float | None = None
        """Host time minus strap time (s) for the frames seen so far."""
        self._last_rx: float | None = None

    def observe(self, strap_ns: int, received_s: float) -> float:
        """Take a frame's timestamp and its host receive time; return its host time (s)."""
        candidate = received_s - strap_ns / NS_PER_S
        if self.offset_s is None or self._last_rx is None:
            self.offset_s = candidate
        else:
            allowed = self.offset_s + self.max_drift * max(received_s - self._last_rx, 0.0)
            self.offset_s = min(candidate, allowed)
        self._last_rx = received_s
        return strap_ns / NS_PER_S + self.offset_s

    def host_time(self, strap_ns: int) -> float:
        """The host time (s) of a strap timestamp under the current offset."""
        if self.offset_s is None:
            raise ValueError("no frame observed yet")
        return strap_ns / NS_PER_S + self.offset_s

    def reset(self) -> None:
        """Forget the offset (the strap reconnected: its clock may have been reset)."""
        self.offset_s, self._last_rx = None, None


class Continuity(StrEnum):
    FIRST = "first"
    OK = "ok"
    REPEAT = "repeat"
    GAP = "gap"


@dataclass(frozen=True, slots=True)
class FrameCheck:
    """How a frame joins the previous one: ``missing`` samples in a gap (0 otherwise)."""

    continuity: Continuity
    missing: int = 0


class FrameContinuity:
    """Repeats and gaps in one PMD stream (module docstring). ``tolerance`` in sample periods."""

    def __init__(self, tolerance: float = 1.5) -> None:
        self.tolerance = tolerance
        self._last_ns: int | None = None
        self.repeats = 0
        self.gaps = 0
        self.missing = 0

    def check(self, timestamp_ns: int, n_samples: int, sample_rate_hz: float) -> FrameCheck:
        """Check a frame (``timestamp_ns`` of its last of ``n_samples`` samples at the rate)."""
        period = NS_PER_S / sample_rate_hz
        last = self._last_ns
        if last is None:
            self._last_ns = timestamp_ns
            return FrameCheck(Continuity.FIRST)
        if timestamp_ns <= last:
            if last - timestamp_ns > n_samples * period * 2:  # the strap's clock went back: a reset
                self._last_ns = timestamp_ns
                self.gaps += 1
                return FrameCheck(Continuity.GAP)
            self.repeats += 1
            return FrameCheck(Continuity.REPEAT)
        self._last_ns = timestamp_ns
        first = timestamp_ns - (n_samples - 1) * period
        late = (first - last) / period - 1.0  # periods beyond the one expected
        if late > self.tolerance:
            missing = round(late)
            self.gaps += 1
            self.missing += missing
            return FrameCheck(Continuity.GAP, missing)
        return FrameCheck(Continuity.OK)

    def reset(self) -> None:
        self._last_ns = None
