"""Sinks: where a session's values go once the stages are done with them.

Order matters and is fixed in :func:`~.pipeline.default_sinks`: the store first (a value is
committed before anything derived from it is shown), then the hub (clients). A later sink
(e.g. a lab-streaming outlet) is a new class with ``async write(values)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..hub import Hub
from ..storage import Store, queries
from ..storage.rows import Row
from .clock import SessionClock, SessionState
from .framing import frames_of
from .recording import Recorder, rows_of
from .resonance import ResonanceDone
from .tolerance import BaselineSet


@runtime_checkable
class Sink(Protocol):
    async def write(self, values: Sequence[object]) -> None:
        """Take the values of one source item (or command), in order; raise if they are lost."""
        ...


class StoreSink:
    """Every value's rows, as one transaction per source item (raw notification included)."""

    def __init__(self, store: Store, recorder: Recorder) -> None:
        self.store = store
        self.recorder = recorder

    async def write(self, values: Sequence[object]) -> None:
        rows: list[Row] = []
        for value in values:
            rows.extend(rows_of(value, self.recorder))
        await self.store.insert(rows)


class HubSink:
    """Every value's frames, encoded once and offered to each client of the session."""

    def __init__(self, hub: Hub, topic: str, clock: SessionClock, state: SessionState) -> None:
        self.hub = hub
        self.topic = topic
        self.clock = clock
        self.state = state

    async def write(self, values: Sequence[object]) -> None:
        for value in values:
            for frame in frames_of(value, self.clock, self.state):
                self.hub.publish(self.topic, frame.encode())


class ProfileSink:
    """A session of a named profile keeps the worker's baseline and resonance rate: a finished
    calibration becomes the profile's baseline, an assessment's chosen rate its default rate."""

    def __init__(self, store: Store, profile: str) -> None:
        self.store = store
        self.profile = profile

    async def write(self, values: Sequence[object]) -> None:
        for value in values:
            if isinstance(value, BaselineSet) and value.baseline.source in ("calibration", "range", "rolling"):
                await queries.update_profile(self.store, self.profile, {"baseline": value.baseline.as_dict()})
            elif isinstance(value, ResonanceDone) and value.result is not None:
                result = value.result.as_dict()
                resonance = {"rate_per_min": result["chosen_rate_per_min"], "table": result["rows"]}
                await queries.update_profile(self.store, self.profile, {"resonance": resonance})
