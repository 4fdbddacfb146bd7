"""The paced-breathing clock: owned by the server, so every client of a session breathes in step.

The pacer is a phase that advances at ``rate_per_min`` cycles a minute from an epoch on the
server's UTC clock. Clients receive ``pacer`` frames with the epoch, the rate and the server's
time when the frame was made, estimate their clock's offset from it, and animate locally:
``phase = ((now + offset - epoch_utc) * rate_per_min / 60) mod 1``. A cycle starts with the
in-breath, which takes ``inhale_fraction`` of it (4:6 gives 0.4).

Changing the rate keeps the phase continuous (the epoch moves), so a guide never jumps.
Wall-clock time, not simulated time: breathing is for people, even in an accelerated demo.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

RATE_MIN_PER_MIN: Final = 3.0
RATE_MAX_PER_MIN: Final = 12.0
DEFAULT_RATE_PER_MIN: Final = 6.0
DEFAULT_RATIO: Final = (4.0, 6.0)


class PacerError(ValueError):
    """A pacer setting out of range; the message says the allowed range."""


@dataclass(frozen=True, slots=True)
class PacerState:
    running: bool
    rate_per_min: float
    inhale_fraction: float
    epoch_utc: float

    def phase(self, t_utc: float) -> float:
        """Fraction of the current breath cycle, 0 at the start of an in-breath, in [0, 1)."""
        return ((t_utc - self.epoch_utc) * self.rate_per_min / 60.0) % 1.0

    def size(self, t_utc: float) -> float:
        """Guide size in [0, 1]: rises over the in-breath, falls over the out-breath (cosine eased)."""
        p = self.phase(t_utc)
        f = self.inhale_fraction
        x = p / f if p < f else 1.0 - (p - f) / (1.0 - f)
        return 0.5 - 0.5 * math.cos(math.pi * x)


def _validate(rate_per_min: float, ratio: tuple[float, float]) -> float:
    try:
        return _checked(float(rate_per_min), (float(ratio[0]), float(ratio[1])))
    except (OverflowError, TypeError, ValueError) as exc:
        if isinstance(exc, PacerError):
            raise
        raise PacerError("rate_per_min and ratio must be ordinary numbers") from None


def _checked(rate_per_min: float, ratio: tuple[float, float]) -> float:
    if not (isinstance(rate_per_min, int | float) and math.isfinite(rate_per_min)):
        raise PacerError("rate_per_min must be a number")
    if not RATE_MIN_PER_MIN <= rate_per_min <= RATE_MAX_PER_MIN:
        raise PacerError(f"rate_per_min must be between {RATE_MIN_PER_MIN:g} and {RATE_MAX_PER_MIN:g} breaths a minute")
    inhale, exhale = ratio
    if not (math.isfinite(inhale) and math.isfinite(exhale) and inhale > 0 and exhale > 0):
        raise PacerError("the inhale:exhale ratio needs two positive numbers, e.g. [4, 6]")
    fraction = inhale / (inhale + exhale)
    if not 0.2 <= fraction <= 0.8:
        raise PacerError("the in-breath must take between 20 % and 80 % of a breath")
    return fraction


class Pacer:
    """A session's pacer; ``on_change`` is called with the new state after every change."""

    def __init__(
        self, clock: Callable[[], float] = time.time, on_change: Callable[[PacerState], None] | None = None
    ) -> None:
        self._clock = clock
        self.on_change = on_change
        self.state = PacerState(False, DEFAULT_RATE_PER_MIN, _validate(DEFAULT_RATE_PER_MIN, DEFAULT_RATIO), clock())

    def start(
        self,
        rate_per_min: float | None = None,
        ratio: tuple[float, float] | None = None,
        epoch_utc: float | None = None,
    ) -> PacerState:
        """Start the guide, or change its rate or ratio keeping its phase; ``epoch_utc`` joins a
        guide that is already running elsewhere (the room's shared guide), in step with it."""
        now = self._clock()
        fraction = self.state.inhale_fraction
        rate_in = self.state.rate_per_min if rate_per_min is None else rate_per_min
        fraction = _validate(rate_in, (fraction, 1 - fraction) if ratio is None else ratio)
        rate = float(rate_in)
        if epoch_utc is not None:
            epoch = epoch_utc
        elif self.state.running:
            # Keep the phase continuous across a change of rate.
            phase = self.state.phase(now)
            epoch = now - phase * 60.0 / rate
        else:
            epoch = now
        return self._set(PacerState(True, rate, fraction, epoch))

    def set_default_rate(self, rate_per_min: float) -> PacerState:
        """The rate the guide starts at when none is given (a profile's resonance rate)."""
        _validate(rate_per_min, (self.state.inhale_fraction, 1 - self.state.inhale_fraction))
        return self._set(replace(self.state, rate_per_min=float(rate_per_min)))

    def stop(self) -> PacerState:
        return self._set(replace(self.state, running=False))

    def _set(self, state: PacerState) -> PacerState:
        self.state = state
        if self.on_change is not None:
            self.on_change(state)
        return state
