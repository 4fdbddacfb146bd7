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


class DatabaseCorrupt(StoreError):
    """The file is not a sound SQLite database (``quick_check`` failed, or no SQLite header):
    it was checked before anything wrote to it, and left untouched."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"the database {path} is damaged ({reason}); Tolerance left it untouched")

    advice = (
        "Keep a copy of it; the sqlite3 shell's '.recover' command may rescue its data. "
        "Start with another file meanwhile (--db PATH)."
    )


class DatabaseTooNew(StoreError):
    """The file was made by a newer Tolerance (a schema version this one does not know): it was
    left untouched, since an older version cannot know what its tables mean."""

    def __init__(self, path: Path, found: int, known: int) -> None:
        self.path = path
        self.found = found
        self.known = known
        super().__init__(
            f"the database {path} was made by a newer Tolerance (schema version {found}; this one knows up to "
            f"{known}); it was left untouched"
        )

    advice = "Upgrade Tolerance to open it, or give this version another file with --db PATH."
