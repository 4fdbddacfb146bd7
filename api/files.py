"""Private files: what Tolerance writes is readable by the worker's own OS account only.

Heart data is health data, and a shared clinic workstation or terminal server has other
accounts. So the data folder Tolerance makes is ``0700``, and every file it writes (the
database, its ``-wal``/``-shm``, exports, ``analyze``/``simulate`` output) is ``0600``,
whatever the process umask: files are created with an explicit mode and then ``fchmod``-ed (a
umask can only take bits away, but a strange one such as ``0o277`` would leave a file the
owner cannot write). SQLite gives a database's ``-wal`` and ``-shm`` the database file's own
mode, so creating the database ``0600`` before SQLite first opens it covers them.

Outputs are written only to regular files: a FIFO, a device node or a directory at the target
is refused, never replaced or written into (opening a FIFO for writing would also block).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import BinaryIO, Final, TextIO

_log = logging.getLogger(__name__)

PRIVATE_DIR_MODE: Final = 0o700
PRIVATE_FILE_MODE: Final = 0o600


class NotARegularFile(OSError):
    """A path Tolerance would write or read is a FIFO, a device, a directory or a socket."""

    def __init__(self, path: str | Path, kind: str, doing: str) -> None:
        self.path = Path(path)
        self.kind = kind
        super().__init__(f"{path} is {kind}, not a regular file; Tolerance {doing} regular files only")

    def __str__(self) -> str:
        return str(self.args[0])


def default_data_folder() -> Path:
    """Tolerance's data folder (``~/.local/share/tolerance`` on Linux): made ``0700``, and made
    private again at start if it was left open to other accounts."""
    import platformdirs

    return Path(platformdirs.user_data_dir("tolerance", appauthor=False))


def file_kind(mode: int) -> str:
    """What a ``st_mode`` names, in words ("a FIFO", "a directory", ...)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a regular file"


def require_regular_or_absent(path: str | Path, doing: str = "writes") -> bool:
    """True if ``path`` exists (as a regular file, following links), False if it does not;
    raises :class:`NotARegularFile` for anything else, without opening it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(st.st_mode):
        raise NotARegularFile(path, file_kind(st.st_mode), doing)
    return True


def make_private_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and any missing parents ``0700`` (whatever the umask); returns those
    created. An existing folder is left as it is (see :func:`tighten`)."""
    missing: list[Path] = []
    p = folder
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile by someone else: leave it as they made it
        os.chmod(d, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask
    return missing


def tighten(path: Path, mode: int) -> bool:
    """Take away any permission bits of ``path`` beyond ``mode`` (group and others'); True if
    it was too open and was fixed (and logged). A path that does not exist is left alone."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    if stat.S_IMODE(st.st_mode) & ~mode == 0:
        return False
    try:
        os.chmod(path, stat.S_IMODE(st.st_mode) & mode)
    except PermissionError:  # another account's file we may write: say so, do not refuse to work
        _log.warning("%s is readable by other accounts (mode %o) and not ours to change", path, st.st_mode & 0o777)
        return False
    _log.warning(
        "%s was readable by other accounts (mode %o); made it private (%o)",
        path,
        stat.S_IMODE(st.st_mode),
        stat.S_IMODE(st.st_mode) & mode,
    )
    return True


def open_private_binary(path: str | Path) -> BinaryIO:
    """A new (or truncated) regular file at ``path``, ``0600``, for writing bytes.

    Anything but a regular file at ``path`` is refused before it is opened (a FIFO would block
    the open, a device would be written into)."""
    return os.fdopen(_open_private_fd(path), "wb")


def open_private_text(path: str | Path) -> TextIO:
    """As :func:`open_private_binary`, for UTF-8 text with ``newline=""`` (the csv module's
    line endings kept as written)."""
    return os.fdopen(_open_private_fd(path), "w", encoding="utf-8", newline="")


def _open_private_fd(path: str | Path) -> int:
    require_regular_or_absent(path)
    # O_NONBLOCK: if a FIFO appeared since the check, the open fails (ENXIO) rather than hangs.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(path, file_kind(st.st_mode), "writes")
        os.fchmod(fd, PRIVATE_FILE_MODE)  # an existing file keeps its mode on open: make it private
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd
