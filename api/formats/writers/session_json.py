"""``json``: everything stored of a session, one JSON document (``tolerance-session`` v2).

``{"format": "tolerance-session", "format_version": 2, "session": {...}, "t0_mono": s,
"notifications": [...], "beats": [...], "metrics": [...], "events": [...]}``. Written as a
stream of chunks (the arrays are never built whole). Version 2: a metric's ``values`` hold only
the figures that have a number (version 1 also listed nulls).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any, Final

from ..kinds import ExportFormat

_PER_CHUNK: Final = 500


def _dump(value: Any) -> str:
    return json.dumps(value, allow_nan=False, separators=(",", ":"))


def _array(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield "["
    parts: list[str] = []
    first = True
    for item in items:
        parts.append(("" if first else ",") + _dump(item))
        first = False
        if len(parts) >= _PER_CHUNK:
            yield "".join(parts)
            parts = []
    yield "".join(parts) + "]"


def write(conn: sqlite3.Connection, session_id: str) -> Iterator[bytes]:
    from ...storage import queries  # here, not at import: the CLI lists the formats without loading the store

    session = queries.require_session(conn, session_id)
    t0 = queries.session_t0(conn, session_id)
    head = {"format": "tolerance-session", "format_version": 2, "session": session.to_json(), "t0_mono": t0}
    yield (_dump(head)[:-1]).encode()
    notifications = (
        {
            "seq": n.seq,
            "t_mono": n.t_mono,
            "t_utc": n.t_utc,
            "hex": n.payload.hex(),
            "hr_bpm": n.hr_bpm,
            "rr_raw": list(n.rr_raw or ()),
            "contact": None if n.contact is None else int(n.contact),
            "energy_kj": n.energy_kj,
            "error": n.error,
            "stream": n.stream,
            "settings": n.settings,
        }  # fmt: skip
        for n in queries.iter_notifications(conn, session_id)
    )
    beats = (
        {
            "idx": b.idx,
            "t_mono": b.t_mono,
            "t_utc": b.t_utc,
            "rr_ms": b.rr_ms,
            "rr_raw": b.rr_raw,
            "segment": b.segment,
            "contact": b.contact,
            "artifact": b.artifact,
            "nn_ms": list(b.nn_ms),
            "t_s": b.t_mono - t0,
        }  # fmt: skip
        for b in queries.iter_beats(conn, session_id)
    )
    metrics = (
        {
            "window_s": m.window_s,
            "t_mono": m.t_mono,
            "t_utc": m.t_utc,
            "segment": m.segment,
            "n_beats": m.n_beats,
            "corrected_share": m.corrected_share,
            "values": m.values,
            "reason": m.reason,
        }  # fmt: skip
        for m in queries.iter_metrics(conn, session_id)
    )
    events = (
        {"seq": e.seq, "t_mono": e.t_mono, "t_utc": e.t_utc, "type": e.type, "data": e.data}
        for e in queries.iter_events(conn, session_id)
    )
    for key, items in (("notifications", notifications), ("beats", beats), ("metrics", metrics), ("events", events)):
        yield f',"{key}":'.encode()
        for part in _array(items):
            yield part.encode()
    yield b"}"


FORMAT: Final = ExportFormat(
    "json", "application/json", "json", "everything stored: notifications, beats, metrics, events", write
)
