"""Reconnection policy: exponential back-off with full jitter, and counters of failure kinds.

Standard library only (no bleak), so that simulators and tests can use it too.

Why full jitter: several straps in one room (a trainer with a group) tend to drop together
when the adapter hiccups; random delays in ``[0, ceiling]`` spread their reconnects out
instead of having them hit BlueZ in lockstep (AWS Architecture Blog, "Exponential Backoff
And Jitter", 2015).
"""

from __future__ import annotations

import math
import random
from collections import Counter, deque
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Backoff", "FailureKind", "LinkStats"]


class FailureKind(StrEnum):
    """Why one reconnect attempt failed; counted separately (STYLE §6)."""

    NOT_FOUND = "not_found"  # the strap did not advertise within the scan time
    CONNECT = "connect"  # seen, but connecting (or subscribing) failed
    TIMEOUT = "timeout"  # a step did not finish within its time limit
    ADAPTER = "adapter"  # the Bluetooth adapter / BlueZ went away


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before reconnect attempt ``n`` (1-based): ``uniform(0, min(cap, base * factor**(n-1)))``.

    With ``jitter=False`` the delay is the ceiling itself (deterministic, for tests and
    for a single strap where spreading does not matter). ``rng`` is injectable so that a
    test can fix the delays; give each strap its own (the default) for independent jitter.
    """

    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 30.0
    jitter: bool = True
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (self.base_s >= 0 and self.factor >= 1 and self.cap_s >= self.base_s):
            raise ValueError(
                f"need base_s >= 0, factor >= 1, cap_s >= base_s (got {self.base_s}, {self.factor}, {self.cap_s})"
            )

    def ceiling(self, attempt: int) -> float:
        """The largest delay attempt ``attempt`` may get, in seconds."""
        if attempt < 1:
            raise ValueError(f"attempts count from 1, got {attempt}")
        try:
            raw = self.base_s * self.factor ** (attempt - 1)
        except OverflowError:
            # An all-day outage reaches thousands of attempts; 2.0**1100 overflows.
            raw = math.inf
        return min(self.cap_s, raw)

    def delay(self, attempt: int) -> float:
        """The delay before attempt ``attempt``, in seconds (random when ``jitter``)."""
        top = self.ceiling(attempt)
        return self.rng.uniform(0.0, top) if self.jitter else top


@dataclass(slots=True)
class LinkStats:
    """Counters of one source's link; read them for logs, status frames and tests."""

    notifications: int = 0  # every notification received (decoded or not)
    samples: int = 0  # notifications that decoded
    malformed: int = 0  # notifications that did not decode
    dropped: int = 0  # notifications dropped because the consumer fell behind
    disconnects: int = 0  # links reported lost by the stack
    watchdog_timeouts: int = 0  # links declared lost because the strap went silent
    reconnects: int = 0  # successful reconnections
    battery_reads: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # FailureKind -> count
    # The last delays chosen, in order (bounded: an all-day outage must not grow memory).
    backoff_delays: deque[float] = field(default_factory=lambda: deque(maxlen=256))
