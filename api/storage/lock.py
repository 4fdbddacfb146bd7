"""One server per database: an exclusive advisory lock on ``FILE.lock`` beside the database.

SQLite would let two servers write the same file, and each would mark the other's live
session ``interrupted`` on start. The lock is an ``flock`` held for the life of the store: the
kernel releases it when the process dies, even by ``kill -9``, so a crash never leaves a stale
lock behind. The file holds the holder's pid and start time, for the refusal message.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import IO

from .errors import DatabaseInUse, StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; the check is skipped there
    fcntl = None  # type: ignore[assignment]


class DatabaseLock:
    """Hold ``<db>.lock`` exclusively; :meth:`acquire` raises :class:`DatabaseInUse` if taken."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        if fcntl is None:  # pragma: no cover
            return
        try:
            handle = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise StoreError(f"cannot create the lock file {self.path}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "a process that gave no pid"
            handle.close()
            raise DatabaseInUse(self.path.with_name(self.path.name.removesuffix(".lock")), holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            handle, self._file = self._file, None
            handle.close()  # closing the descriptor releases the flock
