"""Processing stages: pure steps that turn the values they recognise into new values.

A stage sees, in order, the source's item and everything the stages before it made of it,
and returns the values it derives (none for what it does not handle). Stages hold no I/O:
the same stage classes can run over a file offline. Today: the HRV engine. The window of
tolerance adds its stages after it (baseline, arousal, zones, episodes): a new class here
and one line in :func:`~.pipeline.default_stages`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatchmethod
from typing import Protocol, runtime_checkable

from tolerance.hrv import Engine
from tolerance.sensors import ConnectionEvent, ConnectionState, HeartRateSample


@runtime_checkable
class Stage(Protocol):
    def process(self, value: object) -> Sequence[object]:
        """The values derived from ``value`` (an empty sequence for a value not handled)."""
        ...

    def flush(self) -> Sequence[object]:
        """What is still held back when the source ends (e.g. beats awaiting look-ahead)."""
        ...


class HrvStage:
    """Notifications into the beat timeline, the artifact detector and the windows
    (:class:`tolerance.hrv.Engine`, passed in): beats, cadence metrics and segment starts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @singledispatchmethod
    def process(self, value: object) -> Sequence[object]:
        return ()

    @process.register
    def _(self, value: HeartRateSample) -> Sequence[object]:
        return self.engine.add(value.t_mono, value.rr_ms, value.contact, value.rr_raw)

    @process.register
    def _(self, value: ConnectionEvent) -> Sequence[object]:
        # A lost link is a gap: no window may span it.
        return self.engine.mark_gap() if value.state is ConnectionState.LOST else ()

    def flush(self) -> Sequence[object]:
        return self.engine.flush()
