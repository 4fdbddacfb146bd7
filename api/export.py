"""Session exports built from the stored rows: CSV (beats) and JSON (everything).

CSV columns, one row per beat (the beat ends the RR interval on its row):

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
               (empty for an extra beat, merged into the next; two for a missed one)
=============  ======================================================================
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime
from typing import Any, Final

from . import records

CSV_COLUMNS: Final = ("index", "t_s", "t_utc", "rr_ms", "rr_raw", "segment", "contact", "artifact", "nn_ms")
FORMATS: Final = ("csv", "json")


def iso_utc(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _t0(conn: sqlite3.Connection, session_id: str) -> float:
    row = conn.execute("SELECT MIN(t_mono) FROM notifications WHERE session_id=?", (session_id,)).fetchone()
    return row[0] if row and row[0] is not None else 0.0


def beats_csv(conn: sqlite3.Connection, session_id: str) -> str:
    t0 = _t0(conn, session_id)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for b in records.read_beats(conn, session_id):
        w.writerow((
            b["idx"], f"{b['t_mono'] - t0:.6f}", iso_utc(b["t_utc"]), repr(b["rr_ms"]),
            "" if b["rr_raw"] is None else b["rr_raw"], b["segment"],
            "" if b["contact"] is None else str(b["contact"]).lower(), b["artifact"],
            ";".join(repr(v) for v in b["nn_ms"]),
        ))
    return buf.getvalue()


def session_json(conn: sqlite3.Connection, session_id: str) -> dict[str, Any]:
    session = conn.execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
    t0 = _t0(conn, session_id)
    beats = records.read_beats(conn, session_id)
    for b in beats:
        b["t_s"] = b["t_mono"] - t0
    return {
        "format": "tolerance-session",
        "format_version": 1,
        "session": {**dict(session), "params": json.loads(session["params"])},
        "t0_mono": t0,
        "notifications": records.read_notifications(conn, session_id),
        "beats": beats,
        "metrics": records.read_metrics(conn, session_id),
        "events": records.read_events(conn, session_id),
    }


def export_session(conn: sqlite3.Connection, session_id: str, fmt: str) -> tuple[str, str]:
    """The export as (text, media type); raises SessionNotFound / ValueError for bad arguments."""
    if not records.session_exists(conn, session_id):
        raise records.SessionNotFound(session_id)
    if fmt == "csv":
        return beats_csv(conn, session_id), "text/csv"
    if fmt == "json":
        return json.dumps(session_json(conn, session_id), allow_nan=False), "application/json"
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
