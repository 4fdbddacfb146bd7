"""The resonance-frequency assessment (Lehrer's protocol; Shaffer & Meehan 2020): the guide
steps through 6.5, 6.0, 5.5, 5.0 and 4.5 breaths/min (about 2 minutes each), and each rate is
scored by :func:`tolerance.hrv.arousal.score_resonance` (criteria in Shaffer & Meehan's order;
how they combine: that module). The chosen rate is kept in the worker's profile.

The stage is pure: it asks for each step's rate with a :class:`PacerRequest` value, and the
session (which owns the pacer) carries it out, so the pacer drives every step and its phase is
known for the phase-synchrony criterion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import singledispatchmethod

import numpy as np
from tolerance.hrv import BeatUpdate, HrvInputError
from tolerance.hrv.arousal import Pacer, ResonanceProtocol, ResonanceResult, ResonanceStep, score_resonance

from .values import PacerChanged, ResonanceRequest


@dataclass(frozen=True, slots=True)
class PacerRequest:
    """A stage asks the session to set the guide (``rate_per_min`` None: stop it)."""

    rate_per_min: float | None


@dataclass(frozen=True, slots=True)
class ResonanceProgress:
    t_s: float
    step: int
    steps: int
    rate_per_min: float


@dataclass(frozen=True, slots=True)
class ResonanceDone:
    t_s: float
    result: ResonanceResult | None
    refused: str | None = None


class ResonanceStage:
    def __init__(self) -> None:
        self._protocol: ResonanceProtocol | None = None
        self._step = -1
        self._beats: list[tuple[float, float]] = []
        self._pacers: dict[int, Pacer] = {}
        self._inhale = 0.4

    @property
    def running(self) -> bool:
        return self._protocol is not None

    @singledispatchmethod
    def process(self, value: object) -> Sequence[object]:
        return ()

    @process.register
    def _(self, value: ResonanceRequest) -> Sequence[object]:
        self._protocol = ResonanceProtocol(value.rates_per_min, value.step_s, start_s=value.t_mono)
        self._step, self._beats, self._pacers = 0, [], {}
        rate = self._protocol.rates_per_min[0]
        return [PacerRequest(rate), ResonanceProgress(value.t_mono, 0, len(self._protocol.rates_per_min), rate)]

    @process.register
    def _(self, value: PacerChanged) -> Sequence[object]:
        if self._protocol is not None and value.state.running:
            s = value.state
            self._inhale = s.inhale_fraction
            self._pacers[self._step] = Pacer(s.rate_per_min, s.inhale_fraction, value.guide_epoch_mono)
        return ()

    @process.register
    def _(self, value: BeatUpdate) -> Sequence[object]:
        if self._protocol is None:
            return ()
        if value.nn_ms:
            self._beats.append((value.beat.t_s, value.nn_ms[-1]))
        return self._advance(value.beat.t_s)

    def _advance(self, t: float) -> list[object]:
        p = self._protocol
        assert p is not None
        steps = p.steps()
        if t < steps[0][0]:
            return []  # final beats lag the request by the artifact look-ahead
        current = next((i for i, (a, b, _r) in enumerate(steps) if a <= t < b), len(steps))
        if current == self._step:
            return []
        self._step = current
        if current < len(steps):
            rate = steps[current][2]
            return [PacerRequest(rate), ResonanceProgress(t, current, len(steps), rate)]
        return [PacerRequest(None), self._score(t)]

    def _score(self, t: float) -> ResonanceDone:
        p = self._protocol
        self._protocol = None
        assert p is not None
        times = np.array([b[0] for b in self._beats])
        rr = np.array([b[1] for b in self._beats])
        steps = []
        for i, (a, b, rate) in enumerate(p.steps()):
            inside = (times >= a) & (times < b)
            pacer = self._pacers.get(i)
            steps.append(
                ResonanceStep(rate, times[inside], rr[inside], a, b, pacer.phase if pacer else None, self._inhale)
            )
        try:
            return ResonanceDone(t, score_resonance(steps))
        except HrvInputError as exc:
            return ResonanceDone(t, None, refused=f"the assessment could not score every rate: {exc}")

    def flush(self) -> Sequence[object]:
        return ()
