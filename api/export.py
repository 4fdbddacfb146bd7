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
               (an extra beat carries the merged interval and the beat after it none;
               a missed beat carries two)
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
FORMATS: Final = ("csv", "json", "replay")


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
        w.writerow(
            (
                b["idx"],
                f"{b['t_mono'] - t0:.6f}",
                iso_utc(b["t_utc"]),
                repr(b["rr_ms"]),
                "" if b["rr_raw"] is None else b["rr_raw"],
                b["segment"],
                "" if b["contact"] is None else str(b["contact"]).lower(),
                b["artifact"],
                ";".join(repr(v) for v in b["nn_ms"]),
            )
        )
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


def replay_log(conn: sqlite3.Connection, session_id: str) -> str:
    """The session's raw notifications and connection events as a notification log.

    The format of :mod:`tolerance.sensors.replay`: ``tolerance serve --replay FILE`` plays it
    through the same parser and pipeline as the live session, and gives the same beats.
    """
    session = conn.execute("SELECT source_id FROM sessions WHERE id=?", (session_id,)).fetchone()
    source = session["source_id"]
    t0 = _t0(conn, session_id)
    rows: list[tuple[float, int, dict[str, Any]]] = []
    for n in records.read_notifications(conn, session_id):
        rows.append((n["t_mono"], 0, {"t_utc": n["t_utc"], "source": source, "hex": n["hex"]}))
    for e in records.read_events(conn, session_id):
        if e["type"] == "connection" and e["data"].get("state") not in (None, "closed"):
            obj = {"t_utc": e["t_utc"], "source": source, "event": e["data"]["state"]}
            if e["data"].get("detail"):
                obj["detail"] = e["data"]["detail"]
            if e["data"].get("attempt"):
                obj["attempt"] = e["data"]["attempt"]
            rows.append((e["t_mono"], 1, obj))
    t0 = min((r[0] for r in rows), default=0.0)
    for t_mono, _kind, obj in rows:
        obj["t"] = round(t_mono - t0, 6)
    rows.sort(key=lambda r: (r[0], r[1]))
    header = {"format": "tolerance-notifications", "version": 1, "source": source, "session": session_id}
    return "\n".join(json.dumps(o) for o in [header, *(r[2] for r in rows)]) + "\n"


def export_session(conn: sqlite3.Connection, session_id: str, fmt: str) -> tuple[str, str]:
    """The export as (text, media type); raises SessionNotFound / ValueError for bad arguments."""
    if not records.session_exists(conn, session_id):
        raise records.SessionNotFound(session_id)
    if fmt == "csv":
        return beats_csv(conn, session_id), "text/csv"
    if fmt == "json":
        return json.dumps(session_json(conn, session_id), allow_nan=False), "application/json"
    if fmt == "replay":
        return replay_log(conn, session_id), "application/x-ndjson"
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
