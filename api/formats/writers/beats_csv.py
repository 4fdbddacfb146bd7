"""``csv``: one row per beat, with a header. The data dictionary:

=============  ======================================================================
index          0-based beat number in the session, in arrival order
t_s            beat time, seconds since the session's first notification
t_utc          beat time, ISO 8601 UTC with microseconds
rr_ms          RR interval as the strap sent it, ms (1/1024 s resolution)
rr_raw         the same in the strap's units, 1/1024 s (empty for sources without them)
segment        contiguous stretch number; segments are split at gaps and contact loss
contact        strap's skin-contact flag: true, false, or empty when unsupported
artifact       normal, ectopic, missed, extra, long, short, or no_contact
nn_ms          the artifact-corrected NN interval(s) this beat yields, ms, ';'-separated
               (an extra beat carries the merged interval and the beat after it none;
               a missed beat carries two)
=============  ======================================================================
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Final

from ..kinds import ExportFormat

COLUMNS: Final = ("index", "t_s", "t_utc", "rr_ms", "rr_raw", "segment", "contact", "artifact", "nn_ms")
_ROWS_PER_CHUNK: Final = 1000


def iso_utc(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def write(conn: sqlite3.Connection, session_id: str) -> Iterator[bytes]:
    from ...storage import queries  # here, not at import: the CLI lists the formats without loading the store

    queries.require_session(conn, session_id)
    t0 = queries.session_t0(conn, session_id)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for n, b in enumerate(queries.iter_beats(conn, session_id), 1):
        w.writerow(
            (
                b.idx,
                f"{b.t_mono - t0:.6f}",
                iso_utc(b.t_utc),
                repr(b.rr_ms),
                "" if b.rr_raw is None else b.rr_raw,
                b.segment,
                "" if b.contact is None else str(b.contact).lower(),
                b.artifact,
                ";".join(repr(v) for v in b.nn_ms),
            )
        )
        if n % _ROWS_PER_CHUNK == 0:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode()


FORMAT: Final = ExportFormat("csv", "text/csv", "csv", "beats, one row each (artifact class and NN intervals)", write)
