"""Forgetting sessions: every row of theirs, in every table, and no trace in the file.

``DELETE`` alone leaves the deleted bytes in the database's free pages and in the WAL, where a
file viewer finds them. So the rows are deleted with ``secure_delete=ON`` (freed content is
overwritten with zeros), then the file is rebuilt (``VACUUM``: no free pages are left) and the
WAL checkpointed and truncated to zero bytes. Tables are found by their ``session_id`` column,
so a table added by a later migration is covered without a change here.
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


def session_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables that hold rows of a session (a ``session_id`` column), besides ``sessions``."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    return [n for n in names if any(c[1] == _KEY for c in conn.execute(f'PRAGMA table_info("{n}")'))]


def forget_sessions(conn: sqlite3.Connection, session_ids: list[str]) -> Forgotten:
    """Delete the sessions and all their rows, then leave no trace of them in the file.

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
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return Forgotten(list(session_ids), rows)
