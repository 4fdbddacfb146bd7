"""Storage: one SQLite file per server, typed rows, ordered migrations, one writer.

:class:`Store` (async, the server's) and :func:`read_only` (a plain connection, for commands
and streaming exports) are the only places that open SQLite; :mod:`.queries` reads and writes
typed rows (:mod:`.rows`); :mod:`.schema` holds the migrations.
"""

from . import queries
from .errors import DatabaseInUse, NoDatabase, SessionNotFound, StorageFull, StoreError
from .forget import Forgotten, forget_profiles, forget_sessions, scrub, session_tables
from .rows import FIGURE_COLUMNS, BeatRow, EpisodeRow, EventRow, MetricRow, NotificationRow, SessionRow
from .schema import SCHEMA_VERSION, migrate, schema_version
from .store import Store, read_only

__all__ = [
    "FIGURE_COLUMNS",
    "SCHEMA_VERSION",
    "BeatRow",
    "DatabaseInUse",
    "EpisodeRow",
    "EventRow",
    "Forgotten",
    "MetricRow",
    "NoDatabase",
    "NotificationRow",
    "SessionNotFound",
    "SessionRow",
    "StorageFull",
    "Store",
    "StoreError",
    "forget_profiles",
    "forget_sessions",
    "migrate",
    "queries",
    "read_only",
    "schema_version",
    "scrub",
    "session_tables",
]
