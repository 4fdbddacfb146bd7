"""Sinks: where a session's values go once the stages are done with them.

Order matters and is fixed in :func:`~.pipeline.default_sinks`: the store first (a value is
committed before anything derived from it is shown), then the hub (clients). A later sink
(e.g. a lab-streaming outlet) is a new class with ``async write(values)``.

A full disk does not end a session: :class:`StoreSink` keeps what it could not write in memory,
up to :data:`BUFFER_ITEMS` source items (a notification with all derived from it, or a command),
retries every :data:`~tolerance.api.storage.store.RETRY_S` seconds, and writes the lot in one
transaction when space returns. Only if the buffer overflowed (the oldest notifications are
dropped) is a ``storage_gap`` event stored, saying how many notifications were lost and when.
Meanwhile the hub still shows live values, which are then not yet on disk.

A marker or a note a client wrote was acknowledged to that client, so it is never dropped to
make room: when the buffer is full, a notification goes instead, and if only markers and notes
are left a new one is refused (:class:`NotStored`, which the routes answer
with 503 and the websocket with a ``not_stored`` error frame) rather than acknowledged and lost.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Final, Protocol, runtime_checkable

from ..hub import Hub
from ..storage import StorageFull, Store, queries
from ..storage.rows import EventRow, NotificationRow, Row
from ..storage.store import RETRY_S, insert_statements
from .clock import SessionClock, SessionState
from .framing import frames_of
from .recording import Recorder, rows_of
from .resonance import ResonanceDone
from .tolerance import BaselineSet
from .values import EpisodeNote, Marker

_log = logging.getLogger(__name__)

BUFFER_ITEMS: Final = 3600
"""Source items held in memory per session while the disk is full: about an hour of a strap's
notifications (~1 per second), each a few hundred bytes to a few kB with its beats and metrics."""
ACKNOWLEDGED: Final = (Marker, EpisodeNote)
"""Values a client wrote and was answered for (a marker, a note): never dropped silently. Guide
changes are left out: the session makes them itself too (a resonance assessment's steps), and
one refused there would end the assessment, not tell a client."""


class NotStored(StorageFull):
    """A client's command could not be stored: the disk is full and the session's memory buffer
    is full of other commands. It was not carried out (nothing was shown to any client)."""

    advice = "Free some space on the disk that holds the database, then send it again."


@runtime_checkable
class Sink(Protocol):
    async def write(self, values: Sequence[object]) -> None:
        """Take the values of one source item (or command), in order; raise if they are lost."""
        ...


class StoreSink:
    """Every value's rows, as one transaction per source item (raw notification included);
    while the disk is full, a bounded buffer (see the module's docstring)."""

    def __init__(
        self,
        store: Store,
        recorder: Recorder,
        *,
        buffer_items: int = BUFFER_ITEMS,
        retry_s: float = RETRY_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.recorder = recorder
        self.buffer_items = buffer_items
        self.retry_s = retry_s
        self._monotonic = monotonic
        self._buffer: deque[tuple[list[Row], bool]] = deque()
        """(rows, acknowledged to a client?) of each item not yet written"""
        self._next_try = 0.0
        self._gap: dict[str, float | int] = {}
        self._gap_seq: int | None = None
        self.on_storage: Callable[[str | None, dict[str, float | int]], None] | None = None
        """Called with the reason when writes start failing, and (None, the gap) when they work again."""
        self.dropped_items = 0
        """Items dropped for good since the store was opened (buffer overflows)."""

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    async def write(self, values: Sequence[object]) -> None:
        rows: list[Row] = []
        for value in values:
            rows.extend(rows_of(value, self.recorder))
        if not rows:
            return
        acknowledged = bool(values) and isinstance(values[0], ACKNOWLEDGED)
        if self._buffer and self._monotonic() >= self._next_try:
            await self.retry()  # first, so that a command is refused only if space is still short
        if not self._buffer:
            try:
                await self.store.insert(rows)
                return
            except StorageFull as exc:
                self._hold(rows, acknowledged)
                self._next_try = self._monotonic() + self.retry_s
                if self.on_storage is not None:
                    self.on_storage(f"{exc}. {exc.advice}", {})
                return
        self._hold(rows, acknowledged)

    def _hold(self, rows: list[Row], acknowledged: bool) -> None:
        if len(self._buffer) >= self.buffer_items:
            # Make room by dropping the oldest notification, never a command a client was told
            # was taken; with none left, a new command is refused and a notification dropped.
            oldest = next((i for i, (_r, ack) in enumerate(self._buffer) if not ack), None)
            if oldest is None:
                if acknowledged:
                    raise NotStored(
                        f"not stored: the disk is full and session {self.recorder.session_id} already holds "
                        f"{len(self._buffer)} markers and notes in memory"
                    )
                self._note_lost(rows)
                return
            lost = self._buffer[oldest][0]
            del self._buffer[oldest]
            self._note_lost(lost)
        self._buffer.append((rows, acknowledged))

    def _note_lost(self, rows: list[Row]) -> None:
        self.dropped_items += 1
        gap = self._gap
        gap["items"] = int(gap.get("items", 0)) + 1
        for row in rows:
            if isinstance(row, NotificationRow):
                gap["notifications"] = int(gap.get("notifications", 0)) + 1
                gap.setdefault("from_t", row.t_mono)
                gap.setdefault("from_t_utc", row.t_utc)
                gap["to_t"], gap["to_t_utc"] = row.t_mono, row.t_utc

    def _rows(self) -> list[Row]:
        rows = [r for item, _ack in self._buffer for r in item]
        if self._gap:
            if self._gap_seq is None:
                self._gap_seq = self.recorder.event_seq
                self.recorder.event_seq += 1
            t = float(self._gap.get("from_t", 0.0))
            t_utc = float(self._gap.get("from_t_utc", 0.0))
            data = {**self._gap, "reason": "the disk was full and the memory buffer overflowed"}
            rows.append(EventRow(self.recorder.session_id, self._gap_seq, t, t_utc, "storage_gap", data))
        return rows

    async def retry(self) -> bool:
        """Write what is buffered; True once nothing is left waiting."""
        if not self._buffer and not self._gap:
            return True
        try:
            await self.store.insert(self._rows())
        except StorageFull:
            self._next_try = self._monotonic() + self.retry_s
            return False
        gap, n = self._gap, len(self._buffer)
        self._buffer.clear()
        self._gap, self._gap_seq = {}, None
        _log.info("session %s: %d buffered items written", self.recorder.session_id, n)
        if self.on_storage is not None:
            self.on_storage(None, gap)
        return True

    async def hand_over(self) -> None:
        """The session ends with the disk still full: give the buffered rows to the store, which
        writes them when space returns (or, at the latest, tries once more when it closes)."""
        if await self.retry():
            return
        rows = self._rows()
        self._buffer.clear()
        self._gap, self._gap_seq = {}, None
        await self.store.execute_eventually(insert_statements(rows))


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
            if isinstance(value, BaselineSet) and value.baseline is not None and value.baseline.source != "population":
                # A provisional baseline is kept too: the worker's next session starts from it.
                await queries.update_profile(self.store, self.profile, {"baseline": value.baseline.as_dict()})
            elif isinstance(value, ResonanceDone) and value.result is not None:
                result = value.result.as_dict()
                resonance = {"rate_per_min": result["chosen_rate_per_min"], "table": result["rows"]}
                await queries.update_profile(self.store, self.profile, {"resonance": resonance})
