"""A session's pipeline: source items through ordered stages into ordered sinks.

:func:`default_stages` and :func:`default_sinks` are the one place where a session's parts
are listed: a new stage or sink is a class in :mod:`.stages` / :mod:`.sinks` and one line
here. The session loop (:mod:`.live`) never changes for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from tolerance.hrv import Engine

from ..hub import Hub
from ..storage import Store
from .activity import ActivityStage
from .adherence import AdherenceStage
from .clock import SessionClock, SessionState
from .recording import Recorder
from .resonance import ResonanceStage
from .sinks import HubSink, ProfileSink, Sink, StoreSink
from .stages import HrvStage, Stage
from .tolerance import ToleranceStage


def default_stages(engine: Engine, tolerance: ToleranceStage) -> list[Stage]:
    return [HrvStage(engine), ActivityStage(), tolerance, AdherenceStage(), ResonanceStage()]


def default_sinks(
    store: Store, hub: Hub, session_id: str, clock: SessionClock, state: SessionState, profile: str | None = None
) -> list[Sink]:
    sinks: list[Sink] = [StoreSink(store, Recorder(session_id, clock)), HubSink(hub, session_id, clock, state)]
    if profile is not None:
        sinks.append(ProfileSink(store, profile))
    return sinks


class Pipeline:
    """Runs one value at a time through every stage, then hands all of it to every sink.

    Each stage sees the incoming value and what earlier stages derived from it (not its own
    output). A lock keeps source items and commands (markers, breathing) in one order."""

    def __init__(self, stages: Sequence[Stage], sinks: Sequence[Sink]) -> None:
        self.stages = list(stages)
        self.sinks = list(sinks)
        self._lock = asyncio.Lock()

    def _derive(self, values: list[object]) -> list[object]:
        for stage in self.stages:
            derived: list[object] = []
            for value in values:
                derived.extend(stage.process(value))
            values.extend(derived)
        return values

    async def push(self, value: object) -> list[object]:
        """Run ``value`` through; returns everything derived from it (the session acts on
        requests among them, e.g. a stage asking for the guide's next rate)."""
        async with self._lock:
            values = self._derive([value])
            for sink in self.sinks:
                await sink.write(values)
            return values

    async def flush(self) -> None:
        """Hand on what the stages still hold (the source ended)."""
        async with self._lock:
            for i, stage in enumerate(self.stages):
                held = list(stage.flush())
                if not held:
                    continue
                # What a stage releases at the end still passes the stages after it.
                for later in self.stages[i + 1 :]:
                    derived: list[object] = []
                    for value in held:
                        derived.extend(later.process(value))
                    held.extend(derived)
                for sink in self.sinks:
                    await sink.write(held)
