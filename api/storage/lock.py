"""One server per database, whatever path names it: an exclusive ``flock`` on the database file.

SQLite would let two servers write the same file, and each would mark the other's live
session ``interrupted`` on start. The lock was once a ``FILE.lock`` beside the name given, so a
symlink or a hard link to a database in use named another lock file and got in. Now the lock
is taken on the database file itself (its inode: every name of it shares the one lock). It is
an ``flock``, not the POSIX ``fcntl`` locks SQLite uses on the same file: on Linux the two
never interact, and an ``flock`` belongs to our own open file description, so SQLite closing
its descriptors never drops it (a POSIX lock would be). The kernel releases it when the process
dies, even by ``kill -9``, so a crash never leaves a stale lock behind.

``FILE.lock`` beside the database's real path (symlinks resolved) still holds the holder's pid
and start time for the refusal message; it is a note, not the lock, and is removed on release.
Through a hard link the note is not found; on Linux the holder's pid then comes from
``/proc/locks``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path

from ..files import PRIVATE_FILE_MODE, NotARegularFile, file_kind
from .errors import DatabaseInUse, NoDatabase, StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; the check is skipped there
    fcntl = None  # type: ignore[assignment]


class DatabaseLock:
    """Hold the database file exclusively; :meth:`acquire` raises :class:`DatabaseInUse` if taken."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        real = db_path.resolve()
        self.path = real.with_name(real.name + ".lock")
        """The holder note (pid and start time), beside the database's real path."""
        self._fd: int | None = None

    def acquire(self, *, create: bool = False) -> None:
        """Take the lock; with ``create``, make a missing database file first (empty, ``0600``:
        SQLite then gives its ``-wal`` and ``-shm`` the same mode)."""
        flags = os.O_RDWR | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.db_path, flags | (os.O_CREAT if create else 0), PRIVATE_FILE_MODE)
        except FileNotFoundError:
            raise NoDatabase(self.db_path) from None
        except OSError as exc:
            raise StoreError(f"cannot open database {self.db_path}: {exc.strerror or exc}") from exc
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise NotARegularFile(self.db_path, file_kind(st.st_mode), "stores data in")
            if create and st.st_size == 0 and stat.S_IMODE(st.st_mode) != PRIVATE_FILE_MODE:
                os.fchmod(fd, PRIVATE_FILE_MODE)  # made now: exactly 0600 whatever the umask
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    raise DatabaseInUse(self.db_path, self._holder(st)) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._write_note()

    def _write_note(self) -> None:
        with contextlib.suppress(OSError):  # a note only: the lock holds without it
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "w", encoding="utf-8") as note:
                os.fchmod(note.fileno(), PRIVATE_FILE_MODE)
                note.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")

    def _holder(self, st: os.stat_result) -> str:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = self.path.read_text(encoding="utf-8").strip()
            if text:
                return text
        pid = _flock_holder(st)
        return f"pid {pid}" if pid is not None else "a process that gave no pid"

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(fd)  # closing our descriptor releases the flock


def _flock_holder(st: os.stat_result) -> int | None:
    """The pid holding an ``flock`` on the file ``st`` describes, from Linux's ``/proc/locks``."""
    try:
        lines = Path("/proc/locks").read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (device major:minor in hex, inode)
        if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5].rsplit(":", 1)[-1] == str(st.st_ino):
            with contextlib.suppress(ValueError):
                return int(parts[4])
    return None
