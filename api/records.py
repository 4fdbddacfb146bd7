"""What the server stores and reads back, in terms of sessions, notifications, beats and metrics.

Thin functions over :class:`~tolerance.api.store.Store`; row shapes are documented where the
tables are created (:data:`tolerance.api.store.MIGRATIONS`).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from tolerance.sensors import HeartRateSample, MalformedNotification

from .store import SessionNotFound, SessionRow, Store, dumps, now_utc

BEAT_COLUMNS = ("idx", "t_mono", "t_utc", "rr_ms", "rr_raw", "segment", "contact", "artifact", "nn_ms")


def new_session_id() -> str:
    """A short random id, unguessable enough that ids cannot be enumerated from a URL."""
    return secrets.token_hex(6)


async def create_session(
    store: Store,
    *,
    source_kind: str,
    source_id: str,
    params: dict[str, Any],
    label: str | None = None,
    session_id: str | None = None,
) -> SessionRow:
    row = SessionRow(
        id=session_id or new_session_id(),
        created_utc=now_utc(),
        ended_utc=None,
        status="live",
        status_detail=None,
        source_kind=source_kind,
        source_id=source_id,
        label=label,
        params=params,
    )
    await store.write(
        "INSERT INTO sessions (id, created_utc, status, source_kind, source_id, label, params) "
        "VALUES (?, ?, 'live', ?, ?, ?, ?)",
        (row.id, row.created_utc, source_kind, source_id, label, dumps(params)),
    )
    return row


async def end_session(store: Store, session_id: str, status: str, detail: str | None = None) -> None:
    await store.write(
        "UPDATE sessions SET status=?, status_detail=?, ended_utc=? WHERE id=?",
        (status, detail, now_utc(), session_id),
    )


async def add_notification(
    store: Store, session_id: str, seq: int, item: HeartRateSample | MalformedNotification
) -> None:
    """Store one notification as received; returns once it is committed."""
    if isinstance(item, HeartRateSample):
        contact = None if item.contact is None else int(item.contact)
        params = (
            session_id,
            seq,
            item.t_mono,
            item.t_utc,
            item.payload,
            item.hr_bpm,
            dumps(list(item.rr_raw)),
            contact,
            item.energy_kj,
            None,
        )
    else:
        params = (session_id, seq, item.t_mono, item.t_utc, item.payload, None, None, None, None, item.reason)
    await store.write(
        "INSERT INTO notifications "
        "(session_id, seq, t_mono, t_utc, payload, hr_bpm, rr_raw, contact, energy_kj, error) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params,
    )


async def add_event(
    store: Store, session_id: str, seq: int, t_mono: float, t_utc: float, type_: str, data: dict[str, Any]
) -> None:
    await store.write(
        "INSERT INTO events (session_id, seq, t_mono, t_utc, type, data) VALUES (?, ?, ?, ?, ?, ?)",
        (session_id, seq, t_mono, t_utc, type_, dumps(data)),
    )


async def add_beats(store: Store, session_id: str, rows: Sequence[Sequence[Any]]) -> None:
    """Rows in :data:`BEAT_COLUMNS` order (``nn_ms`` as a JSON list)."""
    if rows:
        await store.write(
            f"INSERT INTO beats (session_id, {', '.join(BEAT_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' * len(BEAT_COLUMNS))})",
            [(session_id, *r) for r in rows],
            many=True,
        )


async def add_metrics(store: Store, session_id: str, rows: Iterable[Sequence[Any]]) -> None:
    """Rows of (window_s, t_mono, t_utc, segment, n_beats, corrected_share, values dict, reason)."""
    params = [
        (session_id, w, tm, tu, seg, n, share, dumps(values), reason)
        for w, tm, tu, seg, n, share, values, reason in rows
    ]
    if params:
        await store.write(
            "INSERT OR REPLACE INTO metrics "
            '(session_id, window_s, t_mono, t_utc, segment, n_beats, corrected_share, "values", reason) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params,
            many=True,
        )


def _session_from_row(r: sqlite3.Row) -> SessionRow:
    return SessionRow(
        id=r["id"],
        created_utc=r["created_utc"],
        ended_utc=r["ended_utc"],
        status=r["status"],
        status_detail=r["status_detail"],
        source_kind=r["source_kind"],
        source_id=r["source_id"],
        label=r["label"],
        params=json.loads(r["params"]),
    )


async def list_sessions(store: Store) -> list[SessionRow]:
    def q(conn: sqlite3.Connection) -> list[SessionRow]:
        return [_session_from_row(r) for r in conn.execute("SELECT * FROM sessions ORDER BY created_utc DESC")]

    return await store.read(q)


async def get_session(store: Store, session_id: str) -> SessionRow:
    def q(conn: sqlite3.Connection) -> SessionRow:
        r = conn.execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
        if r is None:
            raise SessionNotFound(session_id)
        return _session_from_row(r)

    return await store.read(q)


async def session_counts(store: Store, session_id: str) -> dict[str, int]:
    def q(conn: sqlite3.Connection) -> dict[str, int]:
        out = {}
        for table in ("notifications", "beats", "events", "metrics"):
            out[table] = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE session_id=?", (session_id,)).fetchone()[0]
        out["malformed"] = conn.execute(
            "SELECT COUNT(*) FROM notifications WHERE session_id=? AND error IS NOT NULL", (session_id,)
        ).fetchone()[0]
        return out

    return await store.read(q)


def read_beats(conn: sqlite3.Connection, session_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"SELECT {', '.join(BEAT_COLUMNS)} FROM beats WHERE session_id=? ORDER BY idx", (session_id,)
    ).fetchall()
    out = []
    for r in rows:
        d = dict(r)
        d["nn_ms"] = json.loads(d["nn_ms"])
        d["contact"] = None if d["contact"] is None else bool(d["contact"])
        out.append(d)
    return out


def read_metrics(conn: sqlite3.Connection, session_id: str, window_s: float | None = None) -> list[dict[str, Any]]:
    sql = (
        'SELECT window_s, t_mono, t_utc, segment, n_beats, corrected_share, "values", reason '
        "FROM metrics WHERE session_id=?"
    )
    args: list[Any] = [session_id]
    if window_s is not None:
        sql += " AND window_s=?"
        args.append(window_s)
    out = []
    for r in conn.execute(sql + " ORDER BY t_mono, window_s", args):
        d = dict(r)
        d["values"] = json.loads(d["values"])
        out.append(d)
    return out


def read_events(conn: sqlite3.Connection, session_id: str) -> list[dict[str, Any]]:
    out = []
    for r in conn.execute(
        "SELECT seq, t_mono, t_utc, type, data FROM events WHERE session_id=? ORDER BY seq", (session_id,)
    ):
        d = dict(r)
        d["data"] = json.loads(d["data"])
        out.append(d)
    return out


def read_notifications(conn: sqlite3.Connection, session_id: str) -> list[dict[str, Any]]:
    out = []
    for r in conn.execute(
        "SELECT seq, t_mono, t_utc, payload, hr_bpm, rr_raw, contact, energy_kj, error FROM notifications "
        "WHERE session_id=? ORDER BY seq",
        (session_id,),
    ):
        d = dict(r)
        d["hex"] = bytes(d.pop("payload")).hex()
        d["rr_raw"] = json.loads(d["rr_raw"]) if d["rr_raw"] else []
        out.append(d)
    return out


def session_exists(conn: sqlite3.Connection, session_id: str) -> bool:
    return conn.execute("SELECT 1 FROM sessions WHERE id=?", (session_id,)).fetchone() is not None
