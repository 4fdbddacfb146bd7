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

Schema versions are kept in ``PRAGMA user_version``; :mod:`.schema` brings any older file up
to date when it is opened. One server per file: :mod:`.lock`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from .errors import NoDatabase, StoreError
from .lock import DatabaseLock
from .rows import Row, insert_sql
from .schema import migrate

_log = logging.getLogger(__name__)

_BATCH_MAX: Final = 500
T = TypeVar("T")

Statement = tuple[str, Sequence[Any] | Sequence[Sequence[Any]], bool]
"""(sql, parameters, executemany?)"""


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


@contextlib.contextmanager
def read_only(path: str | Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an existing database (for exports while a server runs).

    A database of an older schema is first brought up to date in place (under the database's
    lock, so never while a server holds it), then read."""
    p = Path(path)
    if not p.is_file():
        raise NoDatabase(p)
    try:
        conn = _connect(p, readonly=True)
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
        conn = _connect(path)
        try:
            migrate(conn)
        finally:
            conn.close()
    finally:
        lock.release()
    _log.info("migrated %s from schema version %d", path, found)
    return _connect(path, readonly=True)


_Op = tuple[list[Statement], "asyncio.Future[None] | None", asyncio.AbstractEventLoop | None]


class Store:
    """The SQLite file of one server. Use ``async with Store(path) as store``.

    Opening takes the database's lock (:class:`~.lock.DatabaseLock`): a second server on the
    same file gets :class:`~.errors.DatabaseInUse` at once."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._queue: queue.SimpleQueue[_Op | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = DatabaseLock(self.path)
        self.batches = 0
        self.writes = 0
        self.interrupted_on_open = 0

    # lifecycle -----------------------------------------------------------------------------
    async def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of {self.path}: {exc.strerror or exc}") from exc
        self._lock.acquire()
        try:
            conn = await asyncio.to_thread(self._open_writer)
        except (OSError, sqlite3.Error) as exc:
            self._lock.release()
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        except BaseException:
            self._lock.release()
            raise
        self._thread = threading.Thread(target=self._writer_loop, args=(conn,), name="tolerance-store", daemon=True)
        self._thread.start()

    def _open_writer(self) -> sqlite3.Connection:
        conn = _connect(self.path)
        migrate(conn)
        # A session still 'live' in the file was cut off (crash, kill): say so, keep its rows.
        # Safe only because we hold the lock: no other server is recording into this file.
        cur = conn.execute(
            "UPDATE sessions SET status='interrupted', status_detail='the server stopped without closing it' "
            "WHERE status='live'"
        )
        self.interrupted_on_open = cur.rowcount
        return conn

    async def close(self) -> None:
        if self._thread is not None:
            thread, self._thread = self._thread, None  # write() refuses from here on
            self._queue.put(None)
            await asyncio.to_thread(thread.join, 10.0)
        self._lock.release()

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
            if op is not None and op[1] is not None and op[2] is not None:
                op[2].call_soon_threadsafe(_settle, op[1], StoreError("the store is closed"))
        conn.close()

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Op]) -> None:
        results: list[BaseException | None] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statements, _fut, _loop in batch:
                # A savepoint per write: one bad write fails alone, the rest of the batch commits.
                conn.execute("SAVEPOINT w")
                sql = ""
                try:
                    for sql, params, many in statements:
                        if many:
                            conn.executemany(sql, params)
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
        for (_statements, fut, loop), err in zip(batch, results, strict=True):
            if fut is not None and loop is not None:
                loop.call_soon_threadsafe(_settle, fut, err)

    async def execute(self, statements: list[Statement]) -> None:
        """Run ``statements`` as one write (all or nothing); returns once committed."""
        if self._thread is None:
            raise StoreError("the store is not open")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._queue.put((statements, fut, loop))
        await fut

    async def write(self, sql: str, params: Sequence[Any] = (), *, many: bool = False) -> None:
        """Run one statement; returns once it is committed (raises StoreError if it failed)."""
        await self.execute([(sql, params, many)])

    async def insert(self, rows: Sequence[Row]) -> None:
        """Insert typed rows (any mix of tables) as one write; returns once committed."""
        if not rows:
            return
        by_type: dict[type[Row], list[tuple[Any, ...]]] = {}
        for row in rows:
            by_type.setdefault(type(row), []).append(row.to_params())
        await self.execute([(insert_sql(t), params, True) for t, params in by_type.items()])

    # reads --------------------------------------------------------------------------------
    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on a short-lived read-only connection in a worker thread."""

        def run() -> T:
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
