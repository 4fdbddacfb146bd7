"""Storage errors: one root, with what the user should do in ``advice``."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Storage failed (disk full, file not writable, ...); ``advice`` says what to do."""

    advice = "Check that the database file's folder exists, is writable and has free space."


class StorageFull(StoreError):
    """The disk (or the file system the database is on) has no room, or refused a write: the
    write did not happen, nothing committed before it is harmed, and it can be retried."""

    advice = "Free some space on the disk that holds the database; recording resumes by itself."


class NoDatabase(StoreError):
    """No database file where one was named (a command's ``--db``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"no database at {path}")

    advice = "Give the file a server recorded into with --db PATH."


class DatabaseInUse(StoreError):
    """Another running server holds the database: two writers would corrupt each other's sessions."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(f"the database {path} is in use by another Tolerance server ({holder})")

    advice = "Stop that server first, or give this one its own file with --db PATH."


class SessionNotFound(KeyError):
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__(session_id)

    def __str__(self) -> str:
        return f"no session with id {self.session_id!r}"
