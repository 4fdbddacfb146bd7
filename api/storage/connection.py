"""Opening the database file: the pragmas of every connection, the check before any write, and
read-only connections for commands and exports (the writer itself is :class:`~.store.Store`)."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from ..files import PRIVATE_FILE_MODE, tighten
from .check import check_database
from .errors import NoDatabase, StoreError
from .lock import DatabaseLock
from .schema import migrate

_log = logging.getLogger(__name__)

AUTOCHECKPOINT_PAGES: Final = 256
"""WAL pages (4 KiB each by default: 1 MiB) after which a commit checkpoints."""
JOURNAL_SIZE_LIMIT_BYTES: Final = 1024 * 1024
BUSY_TIMEOUT_MS: Final = 10_000
"""How long a connection waits for a lock another holds (ms); the writer's checkpoints never do."""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        uri = path.resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=10.0, check_same_thread=False)
    else:
        if not path.exists():
            # Created private before SQLite touches it: SQLite gives the -wal and -shm files the
            # database file's own permissions, so all three are 0600 from their first byte.
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
            try:
                os.fchmod(fd, PRIVATE_FILE_MODE)  # the umask may have taken bits away, never added
            finally:
                os.close(fd)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT_BYTES}")
    conn.row_factory = sqlite3.Row
    return conn


def open_checked_writer(path: Path) -> sqlite3.Connection:
    """Check the database (:func:`~.check.check_database`: a damaged or newer file raises and
    is left untouched), make its files private, then open a writer connection and migrate.

    The caller holds the database's :class:`~.lock.DatabaseLock`."""
    check_database(path)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        tighten(p, PRIVATE_FILE_MODE)
    conn = connect(path)
    try:
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def connect_writer(path: str | Path) -> sqlite3.Connection:
    """A writer connection to an existing database, checked first and brought up to date (the
    caller holds its :class:`~.lock.DatabaseLock`; for commands such as ``forget``)."""
    try:
        return open_checked_writer(Path(path))
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc


@contextlib.contextmanager
def read_only(path: str | Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an existing database (for exports while a server runs).

    A database of an older schema is first brought up to date in place (under the database's
    lock, so never while a server holds it), then read."""
    p = Path(path)
    if not p.is_file():
        raise NoDatabase(p)
    try:
        conn = connect(p, readonly=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open database {p}: {exc}") from exc
    try:
        from .schema import SCHEMA_VERSION, schema_version

        found = schema_version(conn)
        if found != SCHEMA_VERSION:
            conn.close()
            conn = _migrate_then_read(p, found)
        yield conn
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read database {p}: {exc}") from exc
    finally:
        conn.close()


def _migrate_then_read(path: Path, found: int) -> sqlite3.Connection:
    """Migrate an older database in place (a writer connection for the migration alone; refused
    with DatabaseInUse while a server holds it), then open it read-only."""
    lock = DatabaseLock(path)
    lock.acquire()
    try:
        open_checked_writer(path).close()
    finally:
        lock.release()
    _log.info("migrated %s from schema version %d", path, found)
    return connect(path, readonly=True)
