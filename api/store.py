"""SQLite storage: one file, WAL mode, every write through one writer thread.

Raw first. Each notification is stored as received (payload bytes, receive times, and what the
parser made of it, or why it could not) and is never rewritten; beats, metrics and everything
else derived can be recomputed from the ``notifications`` and ``events`` tables.

Durability. ``journal_mode=WAL`` with ``synchronous=NORMAL``: a write is durable against a crash
of this process (even ``kill -9``) as soon as its ``await`` returns, because the WAL frame is in
the OS before the commit returns; an OS crash or power loss can lose the last transactions
(not corrupt the file). The live pipeline awaits the commit of a raw notification before it
publishes anything derived from it.

Concurrency. All writes go through :meth:`Store.write`, executed by one thread in batches:
whatever is queued when the writer wakes shares one transaction (group commit), so many live
sessions cost one fsync-free commit per batch, and the event loop never waits on SQLite.
Reads use short-lived connections in worker threads (WAL lets them run beside the writer).

Schema versions are kept in ``PRAGMA user_version``; :data:`MIGRATIONS` brings any older file
up to date when it is opened.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

_log = logging.getLogger(__name__)

MIGRATIONS: Final[tuple[str, ...]] = (
    # 1: the foundation. Tables for zones, episodes and profiles exist from the start, so that
    # the window-of-tolerance work adds rows, not a rewrite.
    """
    CREATE TABLE sessions (
        id           TEXT PRIMARY KEY,
        created_utc  REAL NOT NULL,
        ended_utc    REAL,
        status       TEXT NOT NULL CHECK (status IN ('live', 'ended', 'failed', 'interrupted')),
        status_detail TEXT,
        source_kind  TEXT NOT NULL,
        source_id    TEXT NOT NULL,
        label        TEXT,
        profile_id   TEXT,
        params       TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE notifications (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        seq        INTEGER NOT NULL,
        t_mono     REAL NOT NULL,
        t_utc      REAL NOT NULL,
        payload    BLOB NOT NULL,
        hr_bpm     INTEGER,
        rr_raw     TEXT,
        contact    INTEGER,
        energy_kj  INTEGER,
        error      TEXT,
        PRIMARY KEY (session_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE events (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        seq        INTEGER NOT NULL,
        t_mono     REAL NOT NULL,
        t_utc      REAL NOT NULL,
        type       TEXT NOT NULL,
        data       TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (session_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE beats (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        idx        INTEGER NOT NULL,
        t_mono     REAL NOT NULL,
        t_utc      REAL NOT NULL,
        rr_ms      REAL NOT NULL,
        rr_raw     INTEGER,
        segment    INTEGER NOT NULL,
        contact    INTEGER,
        artifact   TEXT NOT NULL,
        nn_ms      TEXT NOT NULL,
        PRIMARY KEY (session_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE metrics (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        window_s   REAL NOT NULL,
        t_mono     REAL NOT NULL,
        t_utc      REAL NOT NULL,
        segment    INTEGER,
        n_beats    INTEGER NOT NULL,
        corrected_share REAL,
        "values"   TEXT NOT NULL,
        reason     TEXT,
        PRIMARY KEY (session_id, window_s, t_mono)
    ) WITHOUT ROWID;
    CREATE TABLE episodes (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        id         INTEGER NOT NULL,
        start_utc  REAL NOT NULL,
        end_utc    REAL,
        data       TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (session_id, id)
    ) WITHOUT ROWID;
    CREATE TABLE profiles (
        id          TEXT PRIMARY KEY,
        created_utc REAL NOT NULL,
        updated_utc REAL NOT NULL,
        data        TEXT NOT NULL DEFAULT '{}'
    );
    """,
)

SCHEMA_VERSION: Final = len(MIGRATIONS)
_BATCH_MAX: Final = 500


class StoreError(Exception):
    """Storage failed (disk full, file not writable, ...); ``advice`` says what to do."""

    advice = "Check that the database file's folder exists, is writable and has free space."


class SessionNotFound(KeyError):
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__(session_id)

    def __str__(self) -> str:
        return f"no session with id {self.session_id!r}"


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: str
    created_utc: float
    ended_utc: float | None
    status: str
    status_detail: str | None
    source_kind: str
    source_id: str
    label: str | None
    params: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_utc": self.created_utc,
            "ended_utc": self.ended_utc,
            "status": self.status,
            "status_detail": self.status_detail,
            "source_kind": self.source_kind,
            "source_id": self.source_id,
            "label": self.label,
            "params": self.params,
        }


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        uri = path.resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=10.0, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    conn.row_factory = sqlite3.Row
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to :data:`SCHEMA_VERSION`; returns the version found before."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise StoreError(f"the database has schema version {found}, newer than this Tolerance ({SCHEMA_VERSION})")
    for version in range(found, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return found


def _statements(script: str) -> list[str]:
    # executescript() would commit our explicit transaction; split on ';' instead (the
    # migrations hold no semicolons inside literals).
    return [s.strip() for s in script.split(";") if s.strip()]


_Op = tuple[
    str, Sequence[Any] | Sequence[Sequence[Any]], bool, "asyncio.Future[None] | None", asyncio.AbstractEventLoop | None
]


class Store:
    """The SQLite file of one server. Use ``async with Store(path) as store``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._queue: queue.SimpleQueue[_Op | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.writes = 0

    # lifecycle -----------------------------------------------------------------------------
    async def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = await asyncio.to_thread(self._open_writer)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        self._thread = threading.Thread(target=self._writer_loop, args=(conn,), name="tolerance-store", daemon=True)
        self._thread.start()

    def _open_writer(self) -> sqlite3.Connection:
        conn = _connect(self.path)
        migrate(conn)
        # A session still 'live' in the file was cut off (crash, kill): say so, keep its rows.
        conn.execute(
            "UPDATE sessions SET status='interrupted', status_detail='the server stopped without closing it' "
            "WHERE status='live'"
        )
        return conn

    async def close(self) -> None:
        if self._thread is not None:
            thread, self._thread = self._thread, None  # write() refuses from here on
            self._queue.put(None)
            await asyncio.to_thread(thread.join, 10.0)

    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # the writer ---------------------------------------------------------------------------
    def _writer_loop(self, conn: sqlite3.Connection) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            batch: list[_Op] = []
            if first is None:
                stop = True
            else:
                batch.append(first)
            while len(batch) < _BATCH_MAX:
                try:
                    op = self._queue.get_nowait()
                except queue.Empty:
                    break
                if op is None:
                    stop = True
                    break
                batch.append(op)
            if batch:
                self._run_batch(conn, batch)
        # Writes queued behind the stop are refused, not left waiting for ever.
        while True:
            try:
                op = self._queue.get_nowait()
            except queue.Empty:
                break
            if op is not None and op[3] is not None and op[4] is not None:
                op[4].call_soon_threadsafe(_settle, op[3], StoreError("the store is closed"))
        conn.close()

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Op]) -> None:
        results: list[BaseException | None] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for sql, params, many, _fut, _loop in batch:
                # A savepoint per write: one bad write fails alone, the rest of the batch commits.
                conn.execute("SAVEPOINT w")
                try:
                    if many:
                        conn.executemany(sql, params)  # type: ignore[arg-type]
                    else:
                        conn.execute(sql, params)
                    conn.execute("RELEASE w")
                    results.append(None)
                except sqlite3.Error as exc:
                    conn.execute("ROLLBACK TO w")
                    conn.execute("RELEASE w")
                    results.append(StoreError(f"{exc} (in: {sql.split('(')[0].strip()})"))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _log.error("a batch of %d writes failed: %s", len(batch), exc)
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            results = [StoreError(str(exc))] * len(batch)
        self.batches += 1
        self.writes += len(batch)
        for (_sql, _params, _many, fut, loop), err in zip(batch, results, strict=True):
            if fut is not None and loop is not None:
                loop.call_soon_threadsafe(_settle, fut, err)

    async def write(self, sql: str, params: Sequence[Any] = (), *, many: bool = False) -> None:
        """Run one write; returns once it is committed (raises StoreError if it failed)."""
        if self._thread is None:
            raise StoreError("the store is not open")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._queue.put((sql, params, many, fut, loop))
        await fut

    # reads --------------------------------------------------------------------------------
    async def read(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        def run() -> Any:
            conn = _connect(self.path, readonly=True)
            try:
                return fn(conn)
            finally:
                conn.close()

        return await asyncio.to_thread(run)


def _settle(fut: asyncio.Future[None], err: BaseException | None) -> None:
    if fut.done():
        return
    if err is None:
        fut.set_result(None)
    else:
        fut.set_exception(err)


def now_utc() -> float:
    return time.time()


def dumps(value: Any) -> str:
    """Compact JSON for the TEXT columns (NaN is not JSON: callers store None instead)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)
