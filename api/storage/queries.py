"""What the server stores and reads back, in typed rows (:mod:`.rows`).

Writes are async (through the store's one writer); reads are plain functions of a read-only
connection, so that they run in a worker thread (:meth:`Store.read`) or in a command
(:func:`~.store.read_only`), and the ``iter_*`` ones stream: a day-long session is never held
in memory whole.
"""

from __future__ import annotations

import json
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


async def set_label(store: Store, session_id: str, label: str | None) -> None:
    """The name shown for a session (a participant's name or pseudonym)."""
    await store.write("UPDATE sessions SET label=? WHERE id=?", (label, session_id))


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


def events_between(conn: sqlite3.Connection, types: tuple[str, ...], t0_utc: float, t1_utc: float) -> list[EventRow]:
    """Events of these types of every session with ``t0_utc <= t_utc < t1_utc``, in time order."""
    marks = ", ".join("?" * len(types))
    sql = f"SELECT * FROM events WHERE type IN ({marks}) AND t_utc >= ? AND t_utc < ? ORDER BY t_utc, session_id, seq"
    return [EventRow.from_sql(r) for r in conn.execute(sql, (*types, t0_utc, t1_utc))]


def episodes_between(conn: sqlite3.Connection, t0_utc: float, t1_utc: float) -> list[EpisodeRow]:
    """Episodes of every session that started in ``[t0_utc, t1_utc)``, in time order."""
    sql = "SELECT * FROM episodes WHERE start_utc >= ? AND start_utc < ? ORDER BY start_utc"
    return [EpisodeRow.from_sql(r) for r in conn.execute(sql, (t0_utc, t1_utc))]


def sessions_between(conn: sqlite3.Connection, t0_utc: float, t1_utc: float) -> list[SessionRow]:
    """Sessions that overlap ``[t0_utc, t1_utc)`` (still running ones included)."""
    sql = "SELECT * FROM sessions WHERE created_utc < ? AND (ended_utc IS NULL OR ended_utc >= ?) ORDER BY created_utc"
    return [SessionRow.from_sql(r) for r in conn.execute(sql, (t1_utc, t0_utc))]


def episode_exists(conn: sqlite3.Connection, session_id: str, index: int) -> bool:
    sql = "SELECT 1 FROM episodes WHERE session_id=? AND id=?"
    return conn.execute(sql, (session_id, index)).fetchone() is not None


async def add_event_after(store: Store, session_id: str, type_: str, t_utc: float, data: dict[str, Any]) -> None:
    """An event on a session that is not live (a note written later): the next ``seq``, its
    ``t_mono`` on the session's clock where it can be derived (else the UTC time)."""
    await store.write(
        "INSERT INTO events (session_id, seq, t_mono, t_utc, type, data) SELECT ?, COALESCE(MAX(seq), -1) + 1, "
        "? - COALESCE((SELECT t_utc - t_mono FROM notifications WHERE session_id=? ORDER BY seq LIMIT 1), 0), ?, ?, ? "
        "FROM events WHERE session_id=?",
        (session_id, t_utc, session_id, t_utc, type_, dumps(data), session_id),
    )


def get_profile(conn: sqlite3.Connection, name: str) -> dict[str, Any] | None:
    """A worker's profile (``baseline``, ``band``, ``resonance``), or None."""
    r = conn.execute("SELECT data FROM profiles WHERE id=?", (name,)).fetchone()
    return None if r is None else dict(json.loads(r["data"]))


def list_profiles(conn: sqlite3.Connection) -> list[tuple[str, float, float, dict[str, Any]]]:
    rows = conn.execute("SELECT id, created_utc, updated_utc, data FROM profiles ORDER BY id")
    return [(r["id"], r["created_utc"], r["updated_utc"], json.loads(r["data"])) for r in rows]


async def update_profile(store: Store, name: str, changes: dict[str, Any]) -> None:
    """Merge ``changes`` into the profile's data (created if new), as one write."""
    now = time.time()
    await store.write(
        "INSERT INTO profiles (id, created_utc, updated_utc, data) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET updated_utc=excluded.updated_utc, data=json_patch(profiles.data, excluded.data)",
        (name, now, now, dumps(changes)),
    )
