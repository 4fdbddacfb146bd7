"""What the server stores and reads back, in typed rows (:mod:`.rows`).

Writes are async (through the store's one writer); reads are plain functions of a read-only
connection, so that they run in a worker thread (:meth:`Store.read`) or in a command
(:func:`~.store.read_only`), and the ``iter_*`` ones stream: a day-long session is never held
in memory whole.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

from .errors import SessionNotFound
from .rows import BeatRow, EpisodeRow, EventRow, MetricRow, NotificationRow, SessionRow, dumps
from .store import Store

TABLES = ("notifications", "beats", "events", "metrics")


def new_session_id() -> str:
    """A short random id, unguessable enough that ids cannot be enumerated from a URL."""
    return secrets.token_hex(6)


async def create_session(
    store: Store,
    *,
    source_kind: str,
    source_id: str,
    params: dict[str, Any],
    label: str | None = None,
    profile_id: str | None = None,
    session_id: str | None = None,
) -> SessionRow:
    row = SessionRow(
        id=session_id or new_session_id(),
        created_utc=time.time(),
        ended_utc=None,
        status="live",
        status_detail=None,
        source_kind=source_kind,
        source_id=source_id,
        label=label,
        params=params,
        profile_id=profile_id,
    )
    await store.insert([row])
    return row


async def end_session(store: Store, session_id: str, status: str, detail: str | None = None) -> bool:
    """Record how a session ended and why. Never lost to a full disk: then it is kept and
    written when space returns (returns False meanwhile)."""
    sql = "UPDATE sessions SET status=?, status_detail=?, ended_utc=? WHERE id=?"
    return await store.execute_eventually([(sql, (status, detail, time.time(), session_id), False)])


async def update_params(store: Store, session_id: str, params: dict[str, Any]) -> None:
    await store.write("UPDATE sessions SET params=? WHERE id=?", (dumps(params), session_id))


# reads --------------------------------------------------------------------------------------
def session_exists(conn: sqlite3.Connection, session_id: str) -> bool:
    return conn.execute("SELECT 1 FROM sessions WHERE id=?", (session_id,)).fetchone() is not None


def require_session(conn: sqlite3.Connection, session_id: str) -> SessionRow:
    r = conn.execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
    if r is None:
        raise SessionNotFound(session_id)
    return SessionRow.from_sql(r)


def list_sessions(conn: sqlite3.Connection) -> list[SessionRow]:
    return [SessionRow.from_sql(r) for r in conn.execute("SELECT * FROM sessions ORDER BY created_utc DESC")]


def session_counts(conn: sqlite3.Connection, session_id: str) -> dict[str, int]:
    out = {}
    for table in TABLES:
        out[table] = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE session_id=?", (session_id,)).fetchone()[0]
    out["malformed"] = conn.execute(
        "SELECT COUNT(*) FROM notifications WHERE session_id=? AND error IS NOT NULL", (session_id,)
    ).fetchone()[0]
    return out


def session_t0(conn: sqlite3.Connection, session_id: str) -> float:
    """The session clock's origin: the first notification's ``t_mono`` (0 if none)."""
    row = conn.execute("SELECT MIN(t_mono) FROM notifications WHERE session_id=?", (session_id,)).fetchone()
    return row[0] if row and row[0] is not None else 0.0


_MAX_INT64 = 2**63 - 1


def iter_beats(conn: sqlite3.Connection, session_id: str, since: int = 0) -> Iterator[BeatRow]:
    since = min(since, _MAX_INT64)  # no beat has a larger index; SQLite would overflow (found by fuzzing)
    for r in conn.execute("SELECT * FROM beats WHERE session_id=? AND idx>=? ORDER BY idx", (session_id, since)):
        yield BeatRow.from_sql(r)


def iter_metrics(conn: sqlite3.Connection, session_id: str, window_s: float | None = None) -> Iterator[MetricRow]:
    sql = "SELECT * FROM metrics WHERE session_id=?"
    args: list[Any] = [session_id]
    if window_s is not None:
        sql += " AND window_s=?"
        args.append(window_s)
    for r in conn.execute(sql + " ORDER BY t_mono, window_s", args):
        yield MetricRow.from_sql(r)


def iter_events(conn: sqlite3.Connection, session_id: str, type_: str | None = None) -> Iterator[EventRow]:
    sql = "SELECT * FROM events WHERE session_id=?"
    args: list[Any] = [session_id]
    if type_ is not None:
        sql += " AND type=?"
        args.append(type_)
    for r in conn.execute(sql + " ORDER BY seq", args):
        yield EventRow.from_sql(r)


def iter_notifications(conn: sqlite3.Connection, session_id: str) -> Iterator[NotificationRow]:
    for r in conn.execute("SELECT * FROM notifications WHERE session_id=? ORDER BY seq", (session_id,)):
        yield NotificationRow.from_sql(r)


def iter_episodes(conn: sqlite3.Connection, session_id: str) -> Iterator[EpisodeRow]:
    for r in conn.execute("SELECT * FROM episodes WHERE session_id=? ORDER BY id", (session_id,)):
        yield EpisodeRow.from_sql(r)
