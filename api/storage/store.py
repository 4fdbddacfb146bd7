"""SQLite storage: one file, WAL mode, every write through one writer thread.

Raw first. Each notification is stored as received (payload bytes, receive times, and what the
parser made of it, or why it could not) and is never rewritten; beats, metrics and everything
else derived can be recomputed from the ``notifications`` and ``events`` tables.

Settings, and what they guarantee:

* ``journal_mode=WAL``, ``synchronous=NORMAL``: a write is durable against a crash of this
  process (even ``kill -9``) as soon as its ``await`` returns, because the WAL frame is in the
  OS before the commit returns; an OS crash or power loss can lose the last transactions (not
  corrupt the file). The live pipeline awaits the commit of a raw notification before it
  publishes anything derived from it (except while the disk is full, below).
* Checkpointing: ``wal_autocheckpoint`` = :data:`AUTOCHECKPOINT_PAGES` (SQLite copies the WAL
  into the database once it holds that many pages), ``journal_size_limit`` =
  :data:`JOURNAL_SIZE_LIMIT_BYTES` (a reset WAL is cut back to that size), and every
  :data:`CHECKPOINT_EVERY_S` seconds the writer runs ``wal_checkpoint(PASSIVE)`` then tries
  ``wal_checkpoint(TRUNCATE)`` with no busy wait, so the WAL stays small (each commit appends
  whole pages, ~20 kB per notification: without these the WAL grew to megabytes for kilobytes
  of data) and the data lives in the database file itself. Nothing on the writer's path ever
  waits for a reader: a TRUNCATE must wait until every reader has left the WAL, and a database
  browser left open holds a read transaction for ever, so it once made the writer wait its
  whole busy timeout (10 s, every 30 s: the live view froze). Now a TRUNCATE that would wait is
  given up and tried again next time, and :attr:`Store.wal_bytes` (reported by ``/api/health``,
  degraded past :data:`WAL_LIMIT_BYTES`) says when a reader keeps the WAL from shrinking.
* ``secure_delete=ON``: deleted rows are overwritten with zeros, so ``tolerance forget`` leaves
  no trace of them in the file's free pages (:func:`forget_sessions` also VACUUMs).
* ``foreign_keys=ON``.

A full disk. A write that fails for want of space (``SQLITE_FULL``, or an I/O error) raises
:class:`~.errors.StorageFull`: SQLite rolls that transaction back, so nothing committed before
is harmed, and :attr:`Store.fault` says why until a later write succeeds. Callers keep what
they could not write: the session's store sink buffers a bounded number of notifications in
memory and retries (:mod:`tolerance.api.session.sinks`), and writes that must happen (a
session's final status and its cause) go through :meth:`Store.execute_eventually`, which the
writer retries every :data:`RETRY_S` seconds until space returns (and once more at close).

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
import os
import queue
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from ..files import PRIVATE_DIR_MODE, default_data_folder, make_private_folder, tighten
from .connection import (
    AUTOCHECKPOINT_PAGES,
    BUSY_TIMEOUT_MS,
    JOURNAL_SIZE_LIMIT_BYTES,
    connect,
    connect_writer,
    open_checked_writer,
    read_only,
)
from .errors import StorageFull, StoreError
from .lock import DatabaseLock
from .rows import Row, insert_sql

_log = logging.getLogger(__name__)

_BATCH_MAX: Final = 500
CHECKPOINT_EVERY_S: Final = 30.0
"""Seconds between the writer's checkpoints (PASSIVE, then TRUNCATE if no reader is in the way)."""
WAL_LIMIT_BYTES: Final = 64 * 1024 * 1024
"""A WAL larger than this (a reader has kept it from being checkpointed for a long time) makes
``/api/health`` degraded, with the reason."""
RETRY_S: Final = 2.0
"""Seconds between retries of deferred writes while the disk is full."""
_PROBE_FREE_BYTES: Final = 256 * 1024
T = TypeVar("T")
__all__ = [
    "AUTOCHECKPOINT_PAGES",
    "CHECKPOINT_EVERY_S",
    "JOURNAL_SIZE_LIMIT_BYTES",
    "RETRY_S",
    "WAL_LIMIT_BYTES",
    "Statement",
    "Store",
    "connect_writer",
    "insert_statements",
    "read_only",
]

Statement = tuple[str, Sequence[Any] | Sequence[Sequence[Any]], bool]
"""(sql, parameters, executemany?)"""


_Op = tuple[
    "list[Statement] | Callable[[sqlite3.Connection], None]",
    "asyncio.Future[None] | None",
    asyncio.AbstractEventLoop | None,
]


class Store:
    """The SQLite file of one server. Use ``async with Store(path) as store``.

    Opening takes the database's lock (:class:`~.lock.DatabaseLock`): a second server on the
    same file gets :class:`~.errors.DatabaseInUse` at once."""

    def __init__(
        self,
        path: str | Path,
        *,
        checkpoint_every_s: float = CHECKPOINT_EVERY_S,
        wal_limit_bytes: int = WAL_LIMIT_BYTES,
    ) -> None:
        self.path = Path(path)
        self.checkpoint_every_s = checkpoint_every_s
        self.wal_limit_bytes = wal_limit_bytes
        self.truncations = 0
        self.truncations_put_off = 0
        """TRUNCATE checkpoints given up because a reader was in the WAL (retried later)."""
        self.scrub_pending = False
        """A forget deleted rows whose copies a reader keeps in the file; the next TRUNCATE that
        completes removes them (and clears this)."""
        self._queue: queue.SimpleQueue[_Op | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = DatabaseLock(self.path)
        self.batches = 0
        self.writes = 0
        self.interrupted_on_open = 0
        self.checkpoints = 0
        self.fault: str | None = None
        """Why writes are failing now (the disk is full, ...), or None when the last one succeeded."""
        self.fault_since: float | None = None
        self._deferred: list[list[Statement]] = []
        self._deferred_lock = threading.Lock()

    # lifecycle -----------------------------------------------------------------------------
    async def open(self) -> None:
        try:
            make_private_folder(self.path.parent)
            if self.path.parent.resolve() == default_data_folder().resolve():
                tighten(self.path.parent, PRIVATE_DIR_MODE)  # ours alone: other accounts may not list it
        except OSError as exc:
            raise StoreError(f"cannot create the folder of {self.path}: {exc.strerror or exc}") from exc
        self._lock.acquire(create=True)
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
        conn = open_checked_writer(self.path)
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
        last_checkpoint = last_retry = time.monotonic()
        while not stop:
            timeout = RETRY_S if self._deferred else self.checkpoint_every_s
            batch: list[_Op] = []
            try:
                first = self._queue.get(timeout=timeout)
            except queue.Empty:
                pass
            else:
                if first is None:
                    stop = True
                else:
                    batch.append(first)
            while batch and len(batch) < _BATCH_MAX:
                try:
                    op = self._queue.get_nowait()
                except queue.Empty:
                    break
                if op is None:
                    stop = True
                    break
                batch.append(op)
            while batch:
                # A job that needs the connection to itself (VACUUM) runs alone, in order.
                k = next((i for i, op in enumerate(batch) if callable(op[0])), len(batch))
                if k:
                    self._run_batch(conn, batch[:k])
                if k < len(batch):
                    self._run_job(conn, batch[k])
                batch = batch[k + 1 :]
            now = time.monotonic()
            if self._deferred and (now - last_retry >= RETRY_S or stop):
                last_retry = now
                self._run_deferred(conn)
            if self.fault is not None and not self._deferred and now - last_retry >= RETRY_S:
                last_retry = now
                self._probe()
            if now - last_checkpoint >= self.checkpoint_every_s or stop:
                last_checkpoint = now
                self._checkpoint(conn)
        # Writes queued behind the stop are refused, not left waiting for ever.
        while True:
            try:
                op = self._queue.get_nowait()
            except queue.Empty:
                break
            if op is not None and op[1] is not None and op[2] is not None:
                op[2].call_soon_threadsafe(_settle, op[1], StoreError("the store is closed"))
        with self._deferred_lock:
            lost, self._deferred = self._deferred, []
        for statements in lost:
            _log.error("closing with the disk still full: a write was lost (%s)", _what(statements))
        conn.close()

    def _run_job(self, conn: sqlite3.Connection, op: _Op) -> None:
        job, fut, loop = op
        err: BaseException | None = None
        try:
            assert callable(job)
            job(conn)
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            err = _error_of(exc, "")
        except Exception as exc:  # noqa: BLE001 - handed to the caller, never kills the writer
            err = exc
        if fut is not None and loop is not None:
            loop.call_soon_threadsafe(_settle, fut, err)

    def _probe(self) -> None:
        """Nothing is writing: clear the fault once the disk has room again (the next write
        says for sure)."""
        try:
            free = shutil.disk_usage(self.path.parent).free
        except OSError:
            return
        if free >= _PROBE_FREE_BYTES:
            self._set_fault(None)

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy the WAL into the database without waiting for anyone (PASSIVE), then cut it to
        zero bytes if no reader is in it (TRUNCATE with no busy wait); else try again next time."""
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.checkpoints += 1
            conn.execute("PRAGMA busy_timeout=0")
            try:
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.Error as exc:  # a full disk, or busy: the WAL stays until the next try
            _log.debug("checkpoint failed: %s", exc)
            return
        if busy:
            self.truncations_put_off += 1
        else:
            self.truncations += 1
            if self.scrub_pending:
                self.scrub_pending = False
                _log.warning("the traces of forgotten sessions a reader kept in %s are gone now", self.path)

    @property
    def wal_bytes(self) -> int:
        """The WAL file's size now (0 when there is none)."""
        try:
            return os.stat(self.path.with_name(self.path.name + "-wal")).st_size
        except OSError:
            return 0

    def _run_deferred(self, conn: sqlite3.Connection) -> None:
        with self._deferred_lock:
            pending = list(self._deferred)
        done = 0
        for statements in pending:
            try:
                conn.execute("BEGIN IMMEDIATE")
                for sql, params, many in statements:
                    if many:
                        conn.executemany(sql, params)
                    else:
                        conn.execute(sql, params)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                self._set_fault(_error_of(exc, ""))
                break
            done += 1
            self._set_fault(None)
            _log.info("a deferred write was committed (%s)", _what(statements))
        with self._deferred_lock:
            del self._deferred[:done]

    def _set_fault(self, err: BaseException | None) -> None:
        if err is None:
            if self.fault is not None:
                _log.warning("storage works again after %.0f s", time.monotonic() - (self.fault_since or 0))
            self.fault = self.fault_since = None
        elif isinstance(err, StorageFull):
            if self.fault is None:
                _log.error("storage failing: %s. %s", err, err.advice)
                self.fault_since = time.monotonic()
            self.fault = str(err)

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Op]) -> None:
        results: list[BaseException | None] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statements, _fut, _loop in batch:
                assert not callable(statements)
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
                    err = _error_of(exc, sql)
                    if isinstance(err, StorageFull):
                        raise  # SQLite may have rolled the whole transaction back: fail it all
                    conn.execute("ROLLBACK TO w")
                    conn.execute("RELEASE w")
                    results.append(err)
            conn.execute("COMMIT")
            self._set_fault(None)
        except sqlite3.Error as exc:
            err = _error_of(exc, "")
            if not isinstance(err, StorageFull):
                _log.error("a batch of %d writes failed: %s", len(batch), exc)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            self._set_fault(err)
            results = [err] * len(batch)
        self.batches += 1
        self.writes += len(batch)
        for (_statements, fut, loop), result in zip(batch, results, strict=True):
            if fut is not None and loop is not None:
                loop.call_soon_threadsafe(_settle, fut, result)

    async def execute(self, statements: list[Statement]) -> None:
        """Run ``statements`` as one write (all or nothing); returns once committed."""
        if self._thread is None:
            raise StoreError("the store is not open")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._queue.put((statements, fut, loop))
        await fut

    async def run_exclusive(self, job: Callable[[sqlite3.Connection], None]) -> None:
        """Run ``job`` on the writer's connection, between batches, outside any transaction (for
        statements that cannot run in one, such as VACUUM); returns once it is done."""
        if self._thread is None:
            raise StoreError("the store is not open")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._queue.put((job, fut, loop))
        await fut

    async def execute_eventually(self, statements: list[Statement]) -> bool:
        """Run ``statements`` now if possible (True); if the disk is full, keep them and retry
        every :data:`RETRY_S` until they commit (False). For writes that must not be lost (a
        session's final status and its cause). Other errors raise."""
        try:
            await self.execute(statements)
            return True
        except StorageFull:
            with self._deferred_lock:
                self._deferred.append(statements)
            return False

    @property
    def deferred(self) -> int:
        """Writes waiting for space (:meth:`execute_eventually`)."""
        return len(self._deferred)

    async def write(self, sql: str, params: Sequence[Any] = (), *, many: bool = False) -> None:
        """Run one statement; returns once it is committed (raises StoreError if it failed)."""
        await self.execute([(sql, params, many)])

    async def insert(self, rows: Sequence[Row]) -> None:
        """Insert typed rows (any mix of tables) as one write; returns once committed."""
        if rows:
            await self.execute(insert_statements(rows))

    # reads --------------------------------------------------------------------------------
    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on a short-lived read-only connection in a worker thread."""

        def run() -> T:
            conn = connect(self.path, readonly=True)
            try:
                return fn(conn)
            finally:
                conn.close()

        return await asyncio.to_thread(run)


def insert_statements(rows: Sequence[Row]) -> list[Statement]:
    """The statements that insert typed rows (any mix of tables), one executemany per table."""
    by_type: dict[type[Row], list[tuple[Any, ...]]] = {}
    for row in rows:
        by_type.setdefault(type(row), []).append(row.to_params())
    return [(insert_sql(t), params, True) for t, params in by_type.items()]


_NO_ROOM: Final = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)


def _error_of(exc: sqlite3.Error, sql: str) -> StoreError:
    """The StoreError for a failed statement: StorageFull for want of space or an I/O error."""
    where = f" (in: {sql.split('(')[0].strip()})" if sql else ""
    code = getattr(exc, "sqlite_errorcode", None)
    if (code is not None and code & 0xFF in _NO_ROOM) or "disk is full" in str(exc):
        return StorageFull(f"{exc}{where}")
    return StoreError(f"{exc}{where}")


def _what(statements: list[Statement]) -> str:
    return "; ".join(sql.split("(")[0].strip()[:60] for sql, _p, _m in statements)


def _settle(fut: asyncio.Future[None], err: BaseException | None) -> None:
    if fut.done():
        return
    if err is None:
        fut.set_result(None)
    else:
        fut.set_exception(err)
