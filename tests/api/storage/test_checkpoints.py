"""Issue 23: a reader holding a read transaction (a database browser left open) never holds up
the writer, and ``/api/health`` says when it keeps the WAL from shrinking.

Before: the writer's periodic ``wal_checkpoint(TRUNCATE)`` waited its whole busy timeout behind
the reader, so commits (and the live frames behind them) stopped for 10 s at every checkpoint."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api_fakes import PacedStrap
from starlette.testclient import TestClient
from tolerance.api import Settings, create_app
from tolerance.api.session import SourceSpec
from tolerance.api.storage import NotificationRow, Store, queries


@contextmanager
def _reader_in_a_transaction(db: Path) -> Iterator[sqlite3.Connection]:
    reader = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM notifications").fetchone()  # takes the read snapshot
        yield reader
    finally:
        reader.close()


async def _record(store: Store, seconds: float) -> list[float]:
    """Commit a notification every 20 ms (a session's pace, a little faster) and return each
    commit's completion time."""
    row = await queries.create_session(store, source_kind="ble", source_id="strap", params={})
    done: list[float] = []
    end = time.monotonic() + seconds
    seq = 0
    while time.monotonic() < end:
        await store.insert([NotificationRow(row.id, seq, float(seq), 1.7e9 + seq, b"\x10\x40" * 100, hr_bpm=64)])
        done.append(time.monotonic())
        seq += 1
        await asyncio.sleep(0.02)
    return done


def test_a_reader_holding_a_transaction_never_holds_up_the_writer(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"

    async def go() -> tuple[float, Store]:
        async with Store(db, checkpoint_every_s=0.25) as store:
            await store.write("SELECT 1")
            with _reader_in_a_transaction(db):
                done = await _record(store, 3.0)
        return max(b - a for a, b in zip(done, done[1:], strict=False)), store

    largest_gap, store = asyncio.run(go())
    assert store.truncations_put_off >= 3, "the reader was not in the way: the test proves nothing"
    # Before: 10 s (the busy timeout). A commit every 20 ms; a generous bound for a loaded machine.
    assert largest_gap < 2.0, f"largest gap between commits {largest_gap:.2f} s"


def test_the_wal_is_truncated_once_the_reader_is_gone(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"

    async def go() -> tuple[int, int]:
        async with Store(db, checkpoint_every_s=0.1) as store:
            with _reader_in_a_transaction(db):
                await _record(store, 0.5)
                held = store.wal_bytes
            before = store.truncations
            while store.truncations == before:
                await asyncio.sleep(0.05)
            return held, store.wal_bytes

    held, after = asyncio.run(go())
    assert held > 0 and after == 0


def test_health_is_degraded_while_a_reader_keeps_the_wal_past_its_limit(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    store = Store(db, checkpoint_every_s=0.1, wal_limit_bytes=64 * 1024)
    asyncio.run(store.open())
    app = create_app(Settings(db=db, port=0), lambda: [], store=store)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/api/health").json()["status"] == "ok"
        with _reader_in_a_transaction(db):
            client.portal.call(_record, store, 0.6)  # type: ignore[union-attr]
            r = client.get("/api/health")
            assert r.status_code == 503, r.text
            doc = r.json()
            assert doc["wal_bytes"] > 64 * 1024 and doc["wal_limit_bytes"] == 64 * 1024
            assert any("write-ahead log" in p and "reader" in p for p in doc["problems"]), doc


def test_live_frames_keep_coming_while_a_reader_holds_a_transaction(tmp_path: Path) -> None:
    """The same through a live session and its websocket (a strap notifying every 20 ms)."""
    db = tmp_path / "t.sqlite3"
    store = Store(db, checkpoint_every_s=0.25)
    asyncio.run(store.open())
    strap = PacedStrap(n=100_000, period_s=0.02)
    app = create_app(Settings(db=db, port=0), lambda: [SourceSpec(strap, "ble", {})], store=store)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        sid = client.get("/api/sessions").json()[0]["id"]
        while client.get(f"/api/sessions/{sid}").json()["stored"]["notifications"] < 5:
            time.sleep(0.05)
        with _reader_in_a_transaction(db), client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
            arrivals: list[float] = []
            end = time.monotonic() + 3.0
            while time.monotonic() < end:
                ws.receive_text()
                arrivals.append(time.monotonic())
        put_off = store.truncations_put_off
    largest_gap = max(b - a for a, b in zip(arrivals, arrivals[1:], strict=False))
    assert put_off >= 3, "the reader was not in the way: the test proves nothing"
    assert largest_gap < 2.0, f"largest gap between live frames {largest_gap:.2f} s"  # before: 10 s
