"""Check a database before anything writes to it.

Opening a database for writing changes it at once: SQLite switches it to WAL (two header bytes),
and migrations and the start-up bookkeeping update it. A damaged file, or one made by a newer
Tolerance, must be refused before any of that, so that it is left byte-for-byte as it was
(for a recovery tool, or for the newer version). :func:`check_database` reads it through a
read-only connection: its header, its schema version, then ``PRAGMA quick_check`` (every page
and index entry is read: about a second per few hundred MB).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Final

from .errors import DatabaseCorrupt, DatabaseTooNew, StoreError
from .schema import SCHEMA_VERSION

_SQLITE_HEADER: Final = b"SQLite format 3\x00"
_MAX_PROBLEMS_SHOWN: Final = 1


def check_database(path: Path) -> None:
    """Raise :class:`DatabaseCorrupt` or :class:`DatabaseTooNew` if ``path`` must not be opened
    for writing; an empty file (a new database) passes. Nothing is written to the file."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"cannot read database {path}: {exc.strerror or exc}") from exc
    if not header and os.stat(path).st_size == 0:
        return
    if header != _SQLITE_HEADER:
        raise DatabaseCorrupt(path, "it is not an SQLite database")
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=10.0)
    except sqlite3.Error as exc:
        raise DatabaseCorrupt(path, str(exc)) from None
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise DatabaseTooNew(path, found, SCHEMA_VERSION)
        problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreError(f"cannot check database {path}: {exc}") from None
        raise DatabaseCorrupt(path, str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorrupt(path, str(exc)) from None
    finally:
        conn.close()
    if problems != ["ok"]:
        shown = "; ".join(p.replace("\n", " ")[:120] for p in problems[:_MAX_PROBLEMS_SHOWN])
        more = f" and {len(problems) - _MAX_PROBLEMS_SHOWN} more problems" if len(problems) > 1 else ""
        raise DatabaseCorrupt(path, f"quick_check: {shown}{more}")
