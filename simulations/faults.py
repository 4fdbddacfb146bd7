"""Faults a real strap shows: misdetected beats, lost contact, lost link, late notifications.

Beat faults turn the sinus beats of :class:`~tolerance.simulations.heart.HeartModel` into the
beats a strap detects, as operations on beat times:

``ectopic``
    A premature beat at 55-75 % of the sinus interval replaces the sinus beat; the next sinus
    beat comes on time, so a short interval is followed by a compensatory long one (their sum
    equals two sinus intervals). Both intervals are labelled ``ectopic``.
``missed``
    A beat goes undetected: two intervals merge into one, labelled ``missed``.
``extra``
    A spurious beat at 35-65 % of an interval splits it in two, both labelled ``extra``.

Link faults act on notifications (see :mod:`~tolerance.simulations.strap`): ``contact_loss``
(the strap flags "no skin contact" for ``duration_s``; it still sends the RR it detects) and
``dropout`` (no notifications at all for ``duration_s``; beats in between are never
delivered). Notification ``jitter_ms`` is the standard deviation of each notification's send
time around its nominal one-second slot.

Faults come from scripted :class:`FaultEvent` values, from Poisson rates (per minute), or
live from :meth:`BeatFaults.inject`. Randomness comes from the ``faults`` stream only.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np

from .heart import HeartModel, TrueBeat

ECTOPIC_FRACTION: Final = (0.55, 0.75)
"""Range of a premature beat's interval as a fraction of the sinus interval."""
EXTRA_FRACTION: Final = (0.35, 0.65)
"""Range of where a spurious beat splits an interval."""
SECONDS_PER_MINUTE: Final = 60.0


class Artifact(StrEnum):
    """Ground-truth label of a detected interval."""

    NONE = "none"
    ECTOPIC = "ectopic"
    MISSED = "missed"
    EXTRA = "extra"


class FaultKind(StrEnum):
    ECTOPIC = "ectopic"
    MISSED = "missed"
    EXTRA = "extra"
    CONTACT_LOSS = "contact_loss"
    DROPOUT = "dropout"


BEAT_FAULTS: Final = frozenset({FaultKind.ECTOPIC, FaultKind.MISSED, FaultKind.EXTRA})
LINK_FAULTS: Final = frozenset({FaultKind.CONTACT_LOSS, FaultKind.DROPOUT})


@dataclass(frozen=True, slots=True)
class FaultEvent:
    """One scripted fault: at the first beat (or notification) at or after ``at_s``."""

    kind: FaultKind
    at_s: float
    duration_s: float = 0.0
    """Length of a ``contact_loss`` or ``dropout``; ignored for beat faults."""

    def covers(self, t_s: float) -> bool:
        """True when a link fault is in force at ``t_s``."""
        return self.at_s <= t_s < self.at_s + self.duration_s


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """Faults of a scenario: Poisson rates of beat faults, jitter, and scripted events."""

    ectopic_per_min: float = 0.0
    missed_per_min: float = 0.0
    extra_per_min: float = 0.0
    jitter_ms: float = 10.0
    events: tuple[FaultEvent, ...] = ()

    def rate_per_min(self, kind: FaultKind) -> float:
        return {
            FaultKind.ECTOPIC: self.ectopic_per_min,
            FaultKind.MISSED: self.missed_per_min,
            FaultKind.EXTRA: self.extra_per_min,
        }.get(kind, 0.0)


@dataclass(frozen=True, slots=True)
class DetectedBeat:
    """A beat as the strap detects it: its true time, the interval since the previous
    detected beat (ms, unquantised), its label and the sinus state around it."""

    t_s: float
    rr_ms: float
    artifact: Artifact
    sinus: TrueBeat


class BeatFaults:
    """Turns a :class:`HeartModel`'s sinus beats into detected beats, with faults."""

    def __init__(self, model: HeartModel, settings: FaultSettings, rng: np.random.Generator) -> None:
        self._model = model
        self._rng = rng
        self._queue: list[tuple[float, FaultKind]] = sorted(
            (e.at_s, e.kind) for e in settings.events if e.kind in BEAT_FAULTS
        )
        self._rates = {k: settings.rate_per_min(k) for k in sorted(BEAT_FAULTS)}
        self._next_random = {k: self._draw_wait(r) for k, r in self._rates.items()}
        self._out: deque[DetectedBeat] = deque()
        self._prev_t = 0.0
        self._carry: Artifact | None = None

    def _draw_wait(self, rate_per_min: float) -> float:
        # A zero rate draws nothing, so disabled kinds leave the faults stream untouched.
        if rate_per_min <= 0:
            return math.inf
        return float(self._rng.exponential(SECONDS_PER_MINUTE / rate_per_min))

    def inject(self, kind: FaultKind, at_s: float | None = None) -> None:
        """Schedule a beat fault at ``at_s`` (default: the next beat)."""
        if kind not in BEAT_FAULTS:
            raise ValueError(f"{kind!r} is not a beat fault; use the strap for link faults")
        self._queue.append((self._model.t_s if at_s is None else at_s, kind))
        self._queue.sort()

    def _due(self, t_s: float) -> FaultKind | None:
        for kind, rate in self._rates.items():
            while self._next_random[kind] <= t_s:
                self._queue.append((self._next_random[kind], kind))
                self._next_random[kind] += self._draw_wait(rate)
        self._queue.sort()
        if self._queue and self._queue[0][0] <= t_s:
            return self._queue.pop(0)[1]
        return None

    def _emit(self, t_s: float, artifact: Artifact, sinus: TrueBeat) -> DetectedBeat:
        beat = DetectedBeat(t_s=t_s, rr_ms=(t_s - self._prev_t) * 1000.0, artifact=artifact, sinus=sinus)
        self._prev_t = t_s
        return beat

    def next_beat(self) -> DetectedBeat:
        """The next detected beat (a fault may produce two at once; the second waits here)."""
        if self._out:
            return self._out.popleft()
        b = self._model.next_beat()
        if self._carry is not None:
            # The interval after a fault is part of it (compensatory pause, second half of a split).
            label, self._carry = self._carry, None
            return self._emit(b.t_s, label, b)
        kind = self._due(b.t_s)
        start = b.t_s - b.rr_ms / 1000.0
        if kind is FaultKind.ECTOPIC:
            c = float(self._rng.uniform(*ECTOPIC_FRACTION))
            self._carry = Artifact.ECTOPIC
            return self._emit(start + c * b.rr_ms / 1000.0, Artifact.ECTOPIC, b)
        if kind is FaultKind.MISSED:
            b2 = self._model.next_beat()
            return self._emit(b2.t_s, Artifact.MISSED, b2)
        if kind is FaultKind.EXTRA:
            u = float(self._rng.uniform(*EXTRA_FRACTION))
            first = self._emit(start + u * b.rr_ms / 1000.0, Artifact.EXTRA, b)
            self._out.append(self._emit(b.t_s, Artifact.EXTRA, b))
            return first
        return self._emit(b.t_s, Artifact.NONE, b)
