"""The schema: ordered, named migrations, tracked in ``PRAGMA user_version``.

A database made by any earlier version opens in a later one without loss: :func:`migrate`
runs the migrations it has not seen, in order, each in one transaction (all or nothing). A
migration is a function of the connection added at the end of :data:`MIGRATIONS`; it is never
edited once released (``tests/data/db/`` keeps a database of every released schema, and
``tests/api/storage/test_migrations.py`` opens them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Final

from .errors import StoreError
from .rows import FIGURE_COLUMNS

_V1: Final = """
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
    """


def _v1_foundation(conn: sqlite3.Connection) -> None:
    """1: sessions, raw notifications, beats, metrics (figures as JSON), events; tables for
    episodes and profiles from the start, so that the window-of-tolerance work adds rows."""
    for statement in _statements(_V1):
        conn.execute(statement)


def _v2_metric_columns(conn: sqlite3.Connection) -> None:
    """2: every window figure an export needs is a column of ``metrics`` (it was JSON text);
    figures without a column of their own go to ``extra`` (JSON, usually NULL)."""
    figures = ", ".join(f'"{c}" REAL' for c in FIGURE_COLUMNS)
    conn.execute(
        "CREATE TABLE metrics_v2 (session_id TEXT NOT NULL REFERENCES sessions(id), window_s REAL NOT NULL, "
        "t_mono REAL NOT NULL, t_utc REAL NOT NULL, segment INTEGER, n_beats INTEGER NOT NULL, "
        f"corrected_share REAL, reason TEXT, {figures}, extra TEXT, "
        "PRIMARY KEY (session_id, window_s, t_mono)) WITHOUT ROWID"
    )
    known = ", ".join(f"'$.{c}'" for c in FIGURE_COLUMNS)
    extracted = ", ".join(f"json_extract(\"values\", '$.{c}')" for c in FIGURE_COLUMNS)
    cols = ", ".join(f'"{c}"' for c in FIGURE_COLUMNS)
    conn.execute(
        "INSERT INTO metrics_v2 (session_id, window_s, t_mono, t_utc, segment, n_beats, corrected_share, reason, "
        f"{cols}, extra) SELECT session_id, window_s, t_mono, t_utc, segment, n_beats, corrected_share, reason, "
        f"{extracted}, NULLIF(json_remove(\"values\", {known}), '{{}}') FROM metrics"
    )
    conn.execute("DROP TABLE metrics")
    conn.execute("ALTER TABLE metrics_v2 RENAME TO metrics")


EPISODE_COLUMNS: Final = (
    ("start_s", "REAL"), ("peak_s", "REAL"), ("peak", "REAL"), ("return_s", "REAL"), ("recovery_s", "REAL"),
    ("tau_s", "REAL"), ("r2", "REAL"), ("area", "REAL"), ("breathing", "INTEGER"), ("activity", "INTEGER"),
    ("reactivation_of", "INTEGER"), ("closed", "INTEGER NOT NULL DEFAULT 0"),
)  # fmt: skip


def _v3_episode_columns(conn: sqlite3.Connection) -> None:
    """3: recovery episodes' figures are columns (``data`` keeps the curve and the second fit)."""
    for name, kind in EPISODE_COLUMNS:
        conn.execute(f"ALTER TABLE episodes ADD COLUMN {name} {kind}")


def _v4_notification_streams(conn: sqlite3.Connection) -> None:
    """4: a notification is from a stream: ``stream`` NULL for Heart Rate Measurement (every row
    before), ``pmd`` for a Polar PMD data frame (the accelerometer), whose ``settings`` (JSON:
    ``rate_hz``, ``factor``) are what it takes to decode it again."""
    conn.execute("ALTER TABLE notifications ADD COLUMN stream TEXT")
    conn.execute("ALTER TABLE notifications ADD COLUMN settings TEXT")


MIGRATIONS: Final[tuple[Callable[[sqlite3.Connection], None], ...]] = (
    _v1_foundation,
    _v2_metric_columns,
    _v3_episode_columns,
    _v4_notification_streams,
)
SCHEMA_VERSION: Final = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to :data:`SCHEMA_VERSION`; returns the version found before.

    ``conn`` must be in autocommit mode (``isolation_level=None``)."""
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the database has schema version {found}, newer than this Tolerance knows ({SCHEMA_VERSION}); "
            "upgrade Tolerance to open it"
        )
    for version in range(found, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](conn)
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
