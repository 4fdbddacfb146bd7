"""``replay``: the session's raw notifications and connection events as a notification log.

The format of :mod:`tolerance.sensors.replay` (written by its :func:`log_line`, the format's
one writer): ``tolerance serve --replay FILE`` plays it through the same parser and pipeline
as the live session, and gives the same beats.
"""

from __future__ import annotations

import dataclasses
import heapq
import sqlite3
from collections.abc import Iterator
from typing import Any, Final

from ..kinds import ExportFormat


def write(conn: sqlite3.Connection, session_id: str) -> Iterator[bytes]:
    # Here, not at import: the CLI lists the formats without loading the store or asyncio.
    from tolerance.sensors import ConnectionState, LogRecord, log_header, log_line

    from ...storage import queries

    session = queries.require_session(conn, session_id)
    source = session.source_id
    yield log_header(source, session=session_id).encode()
    t0 = queries.session_t0(conn, session_id)
    notifications = (
        (n.t_mono, 0, n.seq, _record(LogRecord, n, source)) for n in queries.iter_notifications(conn, session_id)
    )
    events = (
        (e.t_mono, 1, e.seq, LogRecord(0, 0.0, e.t_utc, source, event=ConnectionState(e.data["state"]),
                                       detail=e.data.get("detail") or "", attempt=e.data.get("attempt") or 0))
        for e in queries.iter_events(conn, session_id, "connection")
        if e.data.get("state") not in (None, "closed")
    )  # fmt: skip
    # Both come sorted by time from the store; merge them without holding either whole.
    first = True
    for t_mono, _kind, _seq, record in heapq.merge(notifications, events, key=lambda r: (r[0], r[1])):
        if first:
            t0, first = min(t0, t_mono), False
        yield log_line(_at(record, round(t_mono - t0, 6))).encode()


def _record(log_record: Any, n: Any, source: str) -> Any:
    """The log record of a stored notification ``n`` (a PMD frame with the settings it needs)."""
    if n.stream is None:
        return log_record(0, 0.0, n.t_utc, source, payload=n.payload)
    settings = n.settings or {}
    return log_record(
        0, 0.0, n.t_utc, source, payload=n.payload, stream=n.stream,
        rate_hz=settings.get("rate_hz"), factor=settings.get("factor", 1.0),
    )  # fmt: skip


def _at(r: Any, t: float) -> Any:
    """``r`` (a :class:`tolerance.sensors.LogRecord`) at time ``t``."""
    return dataclasses.replace(r, t=t)


FORMAT: Final = ExportFormat(
    "replay", "application/x-ndjson", "jsonl", "the raw notification log, for `tolerance serve --replay`", write
)
