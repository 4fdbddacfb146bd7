"""``tolerance sessions [--db PATH] [--format text|json]``: the stored sessions, newest first.

Each with its id (what ``export``, ``forget`` and the pages' URLs take), label, source, start,
duration and status. The database is only read (a read-only SQLite connection: it works while
a server records into the file), and a file that does not exist is never created: that is a
one-line error. A live session's duration runs to now.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import TYPE_CHECKING, Any

from ..exits import ExitCode

if TYPE_CHECKING:
    from tolerance.api.storage import SessionRow

COLUMNS = ("id", "start", "duration", "source", "status", "label")


def _duration(seconds: float) -> str:
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    m = s // 60
    return f"{m} min" if m < 60 else f"{m // 60} h {m % 60:02d} min"


def describe(row: SessionRow, now: float) -> dict[str, Any]:
    """A stored session as ``--format json`` gives it."""
    end = row.ended_utc if row.ended_utc is not None else now if row.status == "live" else None
    return {
        "id": row.id,
        "label": row.label,
        "source_kind": row.source_kind,
        "source_id": row.source_id,
        "status": row.status,
        "status_detail": row.status_detail,
        "profile": row.profile_id,
        "start_utc": row.created_utc,
        "start": dt.datetime.fromtimestamp(row.created_utc).astimezone().isoformat(timespec="seconds"),
        "end_utc": row.ended_utc,
        "duration_s": None if end is None else max(0.0, end - row.created_utc),
    }


def _shown_duration(session: dict[str, Any]) -> str:
    if session["duration_s"] is None:
        return "–"
    return _duration(session["duration_s"]) + (" so far" if session["status"] == "live" else "")


def render(sessions: list[dict[str, Any]]) -> str:
    if not sessions:
        return "No sessions stored yet: `tolerance serve` records one per strap or simulation.\n"
    rows = [
        (
            s["id"],
            dt.datetime.fromtimestamp(s["start_utc"]).strftime("%Y-%m-%d %H:%M"),
            _shown_duration(s),
            s["source_id"],
            s["status"],
            s["label"] or "–",
        )
        for s in sessions
    ]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from tolerance.api.settings import default_db_path
    from tolerance.api.storage import queries, read_only

    with read_only(args.db or default_db_path()) as conn:
        stored = queries.list_sessions(conn)
    now = time.time()
    sessions = [describe(s, now) for s in stored]
    sys.stdout.write(json.dumps({"sessions": sessions}) + "\n" if args.format == "json" else render(sessions))
    return ExitCode.OK
