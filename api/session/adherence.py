"""The breathing-adherence stage: does the heart follow the guide?

While the session's pacer runs, every :data:`EVERY_S` of beat time once it has run for a full
window, :func:`tolerance.hrv.arousal.breathing_adherence` compares the last 60 s of the heart
rate with the pacer's own signal: coherence and phase at the pacer's frequency and the share
of HR power there, labelled ``following`` / ``partly`` / ``not following`` (thresholds and
definitions in that module). The pacer's phase is known exactly, since the server owns the
pacer; it is put on the session's clock by :attr:`PacerChanged.guide_epoch_mono` (in a
real-time session that is the guide the worker sees).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import singledispatchmethod
from typing import Final

from tolerance.hrv import BeatUpdate, HrvInputError
from tolerance.hrv.arousal import Adherence, Pacer, breathing_adherence

from .values import PacerChanged

WINDOW_S: Final = 60.0
EVERY_S: Final = 5.0
_KEEP_S: Final = WINDOW_S + 10.0


@dataclass(frozen=True, slots=True)
class AdherenceUpdate:
    t_s: float
    adherence: Adherence


class AdherenceStage:
    def __init__(self) -> None:
        self._beats: deque[tuple[float, float]] = deque()
        self._pacer: Pacer | None = None
        self._next: float | None = None

    @singledispatchmethod
    def process(self, value: object) -> Sequence[object]:
        return ()

    @process.register
    def _(self, value: PacerChanged) -> Sequence[object]:
        s = value.state
        if not s.running:
            self._pacer = None
            return ()
        # On the session clock at the command (final beats lag the newest notification by the
        # artifact look-ahead, so the last beat's time would misplace the guide).
        start = value.guide_epoch_mono
        self._pacer = Pacer(rate_per_min=s.rate_per_min, inhale_share=s.inhale_fraction, start_s=start)
        self._next = value.t_mono + WINDOW_S  # a full window at this rate before the first figure
        return ()

    @process.register
    def _(self, value: BeatUpdate) -> Sequence[object]:
        t = value.beat.t_s
        if value.nn_ms:
            self._beats.append((t, value.nn_ms[-1]))
        while self._beats and self._beats[0][0] < t - _KEEP_S:
            self._beats.popleft()
        if self._pacer is None or self._next is None or t < self._next:
            return ()
        self._next = t + EVERY_S
        times = [b[0] for b in self._beats]
        rr = [b[1] for b in self._beats]
        try:
            result = breathing_adherence(
                times, rr, self._pacer.rate_per_min, self._pacer.phase, inhale_share=self._pacer.inhale_share,
                t_end_s=t, window_s=WINDOW_S,
            )  # fmt: skip
        except HrvInputError:
            return ()  # too few beats in the window (a gap): no figure rather than a wrong one
        return [AdherenceUpdate(t, result)]

    def flush(self) -> Sequence[object]:
        return ()
