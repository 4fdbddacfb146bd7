"""A BLE strap (through the fake bleak stack) recorded by a live session into a real SQLite file."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

from tolerance.api.hub import Hub
from tolerance.api.session import SessionManager, SourceSpec
from tolerance.api.storage import Store
from tolerance.sensors import Backoff, BleStrap, decode_hrm

A = "C8:2E:00:00:00:01"
B = "C8:2E:00:00:00:02"


def _strap(world: Any, address: str) -> BleStrap:
    return BleStrap(
        address,
        client_factory=world.client_class,
        scanner=world.scanner,
        backoff=Backoff(base_s=0.01, jitter=False),
        connect_attempts=1,
        scan_timeout_s=0.5,
        rescan_timeout_s=0.5,
        watchdog_s=5.0,
    )


async def _record(db: Path, straps: list[tuple[BleStrap, int]]) -> list[str]:
    """Record each strap until it has delivered ``n`` notifications, then stop the sessions."""
    async with Store(db) as store:
        manager = SessionManager(store, Hub())
        sessions = [await manager.start(SourceSpec(s, "ble")) for s, _n in straps]
        for session, (_s, n) in zip(sessions, straps, strict=True):
            while session.counts["notifications"] < n:
                assert session.status == "live", session.status
                await asyncio.sleep(0.01)
        await manager.stop_all()
        return [s.id for s in sessions]


def _rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def test_a_drop_splits_the_beats_into_segments_and_nothing_received_is_lost(
    world: Any, kit: Any, tmp_path: Path
) -> None:
    good = [bytes.fromhex(e["hex"]) for e in kit.real_payloads()]
    script = good * 4
    script.insert(17, bytes.fromhex("103c2c"))  # odd RR bytes: malformed, mid-stream
    p = world.add(A, "Polar H10 A", script, interval_s=0.005)
    p.drop_after = {25}
    db = tmp_path / "t.sqlite3"
    (sid,) = kit.run(_record(db, [(_strap(world, A), len(script))]), 60)

    stored = _rows(db, "SELECT payload, error FROM notifications WHERE session_id=? ORDER BY seq", sid)
    assert [bytes(r[0]) for r in stored] == script, "every notification is stored raw, in order"
    assert [r[1] is not None for r in stored].count(True) == 1
    expected_rr = [rr for payload in script if payload != bytes.fromhex("103c2c") for rr in decode_hrm(payload).rr_raw]
    beats = _rows(db, "SELECT rr_raw, segment FROM beats WHERE session_id=? ORDER BY idx", sid)
    assert [b[0] for b in beats] == expected_rr, "every RR interval becomes a stored beat"
    assert len({b[1] for b in beats}) >= 2, "the drop starts a new segment"
    events = [
        (t, json.loads(d)) for t, d in _rows(db, "SELECT type, data FROM events WHERE session_id=? ORDER BY seq", sid)
    ]
    states = [d["state"] for t, d in events if t == "connection"]
    assert "lost" in states and "reconnected" in states
    assert any(t == "segment" and d["reason"] == "connection_lost" for t, d in events)
    assert any(t == "device" and d.get("battery_percent") == 0x57 for t, d in events)


def test_two_straps_record_two_independent_sessions(world: Any, kit: Any, tmp_path: Path) -> None:
    payloads = [bytes.fromhex(e["hex"]) for e in kit.real_payloads()]
    world.add(A, "strap A", payloads * 2, interval_s=0.004)
    world.add(B, "strap B", list(reversed(payloads)) * 3, interval_s=0.003)
    db = tmp_path / "t.sqlite3"
    ids = kit.run(_record(db, [(_strap(world, A), 2 * len(payloads)), (_strap(world, B), 3 * len(payloads))]), 60)
    assert len(set(ids)) == 2
    a = [bytes(r[0]) for r in _rows(db, "SELECT payload FROM notifications WHERE session_id=? ORDER BY seq", ids[0])]
    b = [bytes(r[0]) for r in _rows(db, "SELECT payload FROM notifications WHERE session_id=? ORDER BY seq", ids[1])]
    assert a == payloads * 2
    assert b == list(reversed(payloads)) * 3
