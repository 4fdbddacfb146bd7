"""A full disk, on a real 2 MiB tmpfs: reported at once (status frame, /api/health, the log),
recorded into memory meanwhile, resumed by itself when space returns, nothing stored lost, and
the session's status and cause written even when the disk is full as it ends.

Regression for the foundation's hostile tries: the session went ``failed`` for good, health
said "ok", and on a second fill the row stayed ``live`` with its cause lost."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_fakes import PacedStrap
from disk import fill
from served import in_process
from starlette.testclient import TestClient
from tolerance.api import Settings, create_app
from tolerance.api.session import SourceSpec, StoreSink
from tolerance.api.storage.store import JOURNAL_SIZE_LIMIT_BYTES


def _until(cond: Callable[[], Any], timeout_s: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout_s} s: {what}")


def _stored(db: Path, sid: str) -> tuple[list[int], str, str | None, list[dict[str, Any]]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        seqs = [r[0] for r in conn.execute("SELECT seq FROM notifications WHERE session_id=? ORDER BY seq", (sid,))]
        status, detail = conn.execute("SELECT status, status_detail FROM sessions WHERE id=?", (sid,)).fetchone()
        gaps = [
            json.loads(r[0])
            for r in conn.execute("SELECT data FROM events WHERE session_id=? AND type='storage_gap'", (sid,))
        ]
    finally:
        conn.close()
    return seqs, status, detail, gaps


def _app(disk: Path, strap: PacedStrap) -> TestClient:
    settings = Settings(db=disk / "t.sqlite3", port=0)
    app = create_app(settings, lambda: [SourceSpec(strap, "ble", {"device": "fake"})])
    return in_process(app, settings.access_token)


def _sink(client: TestClient, sid: str) -> StoreSink:
    live = client.app.state.tolerance.manager.sessions[sid]  # type: ignore[attr-defined]
    return next(s for s in live.pipeline.sinks if isinstance(s, StoreSink))


def test_a_full_disk_is_reported_at_once_and_recording_resumes_when_space_returns(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    strap = PacedStrap(n=100_000, period_s=0.005)
    with _app(small_disk, strap) as client:
        sid = client.get("/api/sessions").json()[0]["id"]
        _until(lambda: client.get(f"/api/sessions/{sid}").json()["stored"]["notifications"] > 50, what="recording")
        with client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
            ballast = fill(small_disk)
            while (frame := json.loads(ws.receive_text())).get("storage") is None:
                pass
            assert frame["type"] == "status" and frame["storage"] == "full" and "full" in frame["detail"]
            health = client.get("/api/health")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            assert any("full" in p for p in health.json()["problems"])
            assert any("storage failing" in r.getMessage() for r in caplog.records)
            held = _until(lambda: _sink(client, sid).buffered > 20, what="notifications held in memory")
            assert held and client.get(f"/api/sessions/{sid}").json()["status"] == "live"

            ballast.unlink()
            while (frame := json.loads(ws.receive_text())).get("storage") != "ok":
                pass
            assert "nothing was lost" in frame["detail"]
        _until(lambda: client.get("/api/health").status_code == 200, what="health ok again")
        assert client.delete(f"/api/sessions/{sid}").status_code == 200
        sent = strap.sent
    seqs, status, _detail, gaps = _stored(small_disk / "t.sqlite3", sid)
    assert seqs == list(range(len(seqs))), "no notification missing"
    assert len(seqs) >= sent - 1 and status == "ended" and gaps == []


def test_an_overflowing_buffer_marks_a_gap_and_keeps_the_rest(small_disk: Path) -> None:
    strap = PacedStrap(n=100_000, period_s=0.005)
    with _app(small_disk, strap) as client:
        sid = client.get("/api/sessions").json()[0]["id"]
        _until(lambda: client.get(f"/api/sessions/{sid}").json()["stored"]["notifications"] > 20, what="recording")
        sink = _sink(client, sid)
        sink.buffer_items = 30
        before = strap.sent
        ballast = fill(small_disk)
        _until(lambda: sink.dropped_items > 20, what="the buffer overflowing")
        ballast.unlink()
        _until(lambda: sink.buffered == 0 and client.get("/api/health").status_code == 200, what="resumed")
        assert client.delete(f"/api/sessions/{sid}").status_code == 200
        dropped = sink.dropped_items
    seqs, status, _detail, gaps = _stored(small_disk / "t.sqlite3", sid)
    assert status == "ended" and len(gaps) == 1
    assert gaps[0]["notifications"] == dropped and gaps[0]["from_t"] <= gaps[0]["to_t"]
    missing = sorted(set(range(seqs[-1] + 1)) - set(seqs))
    assert len(missing) == dropped and missing[0] >= before - 5, "only the overflowed notifications are missing"


def test_the_end_and_its_cause_are_written_when_space_returns(small_disk: Path) -> None:
    strap = PacedStrap(n=100_000, period_s=0.005)
    with _app(small_disk, strap) as client:
        sid = client.get("/api/sessions").json()[0]["id"]
        _until(lambda: client.get(f"/api/sessions/{sid}").json()["stored"]["notifications"] > 20, what="recording")
        ballast = fill(small_disk)
        _until(lambda: client.get("/api/health").status_code == 503, what="degraded")
        assert client.delete(f"/api/sessions/{sid}").status_code == 200  # ends while the disk is full
        assert _stored(small_disk / "t.sqlite3", sid)[1] == "live", "not on disk yet"
        assert "wait for space" in " ".join(client.get("/api/health").json()["problems"])
        ballast.unlink()
        _until(lambda: _stored(small_disk / "t.sqlite3", sid)[1] == "ended", what="the status written")
        sent = strap.sent
    seqs, status, detail, gaps = _stored(small_disk / "t.sqlite3", sid)
    assert status == "ended" and detail and "stopped" in detail
    assert seqs == list(range(len(seqs))) and len(seqs) >= sent - 1 and gaps == []


def test_the_wal_stays_small(tmp_path: Path) -> None:
    strap = PacedStrap(n=3000, period_s=0.0)
    db = tmp_path / "t.sqlite3"
    settings = Settings(db=db, port=0)
    with in_process(create_app(settings, lambda: [SourceSpec(strap, "ble", {})]), settings.access_token) as client:
        sid = client.get("/api/sessions", headers={"host": "127.0.0.1"}).json()[0]["id"]
        _until(lambda: strap.sent >= 3000, timeout_s=40, what="3000 notifications")
        wal = db.with_name(db.name + "-wal")
        assert wal.stat().st_size <= JOURNAL_SIZE_LIMIT_BYTES * 1.5 + 64 * 1024
        assert client.delete(f"/api/sessions/{sid}", headers={"host": "127.0.0.1"}).status_code == 200
