"""Token buckets: a flood of commands is answered with a refusal, not with work or disk.

A websocket connection's frames and a session's markers and notes over REST each have one.
Without the latter a script posted 3,443 markers in 5 s (about 30 GB of events a day).
"""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; :meth:`take` spends one."""

    def __init__(self, rate: float, burst: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.tokens = rate, burst, burst
        self._clock = clock
        self.t = clock()

    def take(self) -> bool:
        """Spend a token: False (and nothing spent) when none is left."""
        now = self._clock()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
