"""Scripted episodes of a scenario: stress events, physical activity and breathing blocks.

Each is a frozen value with its own time course, shared by the heart model (which draws beats
from it) and by :mod:`~tolerance.simulations.truth` (which reports it as ground truth), so the
truth is the model's own input, not a re-derivation of it.

``StressEvent``
    Psychological arousal: rises over ``rise_s`` (half-cosine) to ``intensity``, holds for
    ``hold_s`` (0 for an acute event; minutes for a meeting), then decays as
    ``exp(-(t - t_decay) / tau_s)``. Overlapping events add, capped at 1 (:func:`arousal_at`).
``Activity``
    Movement (walking, stairs): a level that rises towards 1 with ``on_tau_s`` while the bout
    lasts and falls back with ``off_tau_s`` after it; HR rises by ``hr_bpm`` and RMSSD falls by
    ``rmssd_drop`` at level 1. First-order kinetics with time constants of tens of seconds are
    the textbook shape of HR on- and off-kinetics at moderate work rates (HR recovery after
    exercise is slower than its rise). It is not arousal: ``a(t)`` stays 0 while walking.
``BreathingBlock``
    A paced-breathing break: the model breathes at ``rate_per_min`` from ``at_s`` for
    ``duration_s`` (as if following the pacer), then returns to its resting rate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

ACTIVITY_FORGET_TAUS: Final = 40.0
"""An activity this many off-time constants after its end no longer counts."""


@dataclass(frozen=True, slots=True)
class StressEvent:
    """A stress response: arousal rises over ``rise_s`` (half-cosine) to ``intensity`` at
    ``at_s + rise_s``, stays there for ``hold_s``, then decays as
    ``exp(-(t - decay_s) / tau_s)``."""

    at_s: float
    rise_s: float = 20.0
    tau_s: float = 60.0
    intensity: float = 1.0
    hold_s: float = 0.0
    """Plateau at ``intensity`` before the decay (a meeting: mild, long arousal)."""
    label: str = "stress"
    """What the event stands for (``stress``, ``meeting`` ...): documentation only."""

    @property
    def peak_s(self) -> float:
        """When arousal first reaches ``intensity``."""
        return self.at_s + self.rise_s

    @property
    def decay_s(self) -> float:
        """When the exponential recovery starts (``peak_s + hold_s``)."""
        return self.peak_s + self.hold_s

    def arousal(self, t_s: float) -> float:
        """This event's arousal at ``t_s``: 0 before it, ``intensity`` at its peak."""
        if t_s < self.at_s:
            return 0.0
        if t_s < self.peak_s:
            x = (t_s - self.at_s) / self.rise_s
            return self.intensity * 0.5 * (1.0 - math.cos(math.pi * x))
        if t_s < self.decay_s:
            return self.intensity
        return self.intensity * math.exp(-(t_s - self.decay_s) / self.tau_s)


@dataclass(frozen=True, slots=True)
class Activity:
    """A bout of physical activity from ``at_s`` for ``duration_s`` (see the module docstring)."""

    at_s: float
    duration_s: float
    kind: str = "walking"
    hr_bpm: float = 20.0
    """HR rise at a steady level (walking at an easy pace: about 15-30 bpm above rest)."""
    rmssd_drop: float = 0.5
    """Fraction by which RMSSD falls at a steady level (vagal withdrawal with exercise)."""
    on_tau_s: float = 30.0
    """Time constant of the rise at the start of the bout."""
    off_tau_s: float = 60.0
    """Time constant of the return after the bout."""

    @property
    def end_s(self) -> float:
        return self.at_s + self.duration_s

    @property
    def forget_s(self) -> float:
        return self.end_s + ACTIVITY_FORGET_TAUS * self.off_tau_s

    def level(self, t_s: float) -> float:
        """0 at rest, towards 1 during the bout, decaying after it."""
        if t_s <= self.at_s:
            return 0.0
        if t_s <= self.end_s:
            return 1.0 - math.exp(-(t_s - self.at_s) / self.on_tau_s)
        at_end = 1.0 - math.exp(-self.duration_s / self.on_tau_s)
        return at_end * math.exp(-(t_s - self.end_s) / self.off_tau_s)


@dataclass(frozen=True, slots=True)
class BreathingBlock:
    """Breathe at ``rate_per_min`` during ``[at_s, at_s + duration_s)``."""

    at_s: float
    duration_s: float
    rate_per_min: float

    @property
    def end_s(self) -> float:
        return self.at_s + self.duration_s

    def covers(self, t_s: float) -> bool:
        return self.at_s <= t_s < self.end_s


def arousal_at(events: Iterable[StressEvent], t_s: float) -> float:
    """Arousal of overlapping events at ``t_s``: their sum, capped at 1."""
    return min(1.0, sum(e.arousal(t_s) for e in events))


def activity_at(activities: Iterable[Activity], t_s: float) -> tuple[float, float, float]:
    """Combined effect of the activities at ``t_s``: (level, HR rise in bpm, RMSSD factor).

    The level is the largest single level; HR rises add; the RMSSD factor is the product of
    ``1 - rmssd_drop * level`` over the activities (each withdraws part of what is left).
    """
    level, hr, factor = 0.0, 0.0, 1.0
    for a in activities:
        x = a.level(t_s)
        if x > 0.0:
            level = max(level, x)
            hr += a.hr_bpm * x
            factor *= 1.0 - a.rmssd_drop * x
    return level, hr, factor
