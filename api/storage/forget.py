"""Forgetting sessions: every row of theirs, in every table, and no trace in the file.

``DELETE`` alone leaves the deleted bytes in the database's free pages and in the WAL, where a
file viewer finds them. So the rows are deleted with ``secure_delete=ON`` (freed content is
overwritten with zeros), then the file is rebuilt (``VACUUM``: no free pages are left) and the
WAL checkpointed and truncated to zero bytes. Tables are found by their ``session_id`` column,
so a table added by a later migration is covered without a change here.

Until that checkpoint completes the data is still in the file: VACUUM writes the rebuilt pages
to the WAL, and the old ones stay in the database file (and the deleted rows in earlier WAL
frames). A reader holding a read transaction (a database browser left open) keeps the
checkpoint from completing. :func:`forget_sessions` says so (``Forgotten.pending``) rather than
claim the data is gone; :func:`scrub` finishes the job once the reader has left (the server's
writer retries it at every checkpoint; the CLI at its next run on the file).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

_KEY = "session_id"


@dataclass(frozen=True)
class Forgotten:
    sessions: list[str]
    rows: dict[str, int] = field(default_factory=dict)
    """Rows deleted, by table."""
    pending: bool = False
    """The rows are deleted but copies remain in the file until a reader leaves (see :func:`scrub`)."""


def scrub(conn: sqlite3.Connection, wait_s: float = 0.0) -> bool:
    """Checkpoint the WAL into the database and truncate it to zero bytes, waiting at most
    ``wait_s`` for readers to leave; True once done (nothing left of deleted rows outside the
    live pages), False while a reader is still in the way."""
    conn.execute(f"PRAGMA busy_timeout={int(wait_s * 1000)}")
    try:
        busy, log, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.execute("PRAGMA busy_timeout=10000")
    return not busy and log == done


def forget_profiles(conn: sqlite3.Connection, names: list[str] | None = None) -> list[str]:
    """Delete the named profiles (all of them for None); returns the names deleted. Like
    sessions, with ``secure_delete`` on; the caller scrubs (:func:`scrub`) after a VACUUM."""
    conn.execute("PRAGMA secure_delete=ON")
    stored = [r[0] for r in conn.execute("SELECT id FROM profiles ORDER BY id")]
    chosen = stored if names is None else [n for n in stored if n in set(names)]
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("DELETE FROM profiles WHERE id=?", [(n,) for n in chosen])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return chosen


def session_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables that hold rows of a session (a ``session_id`` column), besides ``sessions``."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    return [n for n in names if any(c[1] == _KEY for c in conn.execute(f'PRAGMA table_info("{n}")'))]


def forget_sessions(
    conn: sqlite3.Connection, session_ids: list[str], *, wait_s: float = 0.0, profiles: list[str] | None = None
) -> Forgotten:
    """Delete the sessions and all their rows (and the named ``profiles``), then leave no trace
    of them in the file, waiting at most ``wait_s`` for readers to leave (``pending`` if they did
    not: the caller says so, and :func:`scrub` finishes later).

    ``conn`` is a writer connection in autocommit mode; no transaction may be open."""
    conn.execute("PRAGMA secure_delete=ON")
    rows: dict[str, int] = {}
    tables = session_tables(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for sid in session_ids:
            for table in tables:
                n = conn.execute(f'DELETE FROM "{table}" WHERE {_KEY}=?', (sid,)).rowcount
                rows[table] = rows.get(table, 0) + n
            n = conn.execute("DELETE FROM sessions WHERE id=?", (sid,)).rowcount
            rows["sessions"] = rows.get("sessions", 0) + n
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if profiles:
        rows["profiles"] = len(forget_profiles(conn, profiles))
    conn.execute("VACUUM")
    return Forgotten(list(session_ids), rows, pending=not scrub(conn, wait_s))
