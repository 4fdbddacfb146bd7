"""Issue 23: a command acknowledged to a client is stored, or the client is told it was not.
When the full-disk buffer overflowed, 17 markers answered 201 were dropped and nothing said so;
now notifications make room, and once only commands are held a new one gets a 503."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api_fakes import PacedStrap
from disk import fill
from served import in_process
from tolerance.api import Settings, create_app
from tolerance.api.session import SourceSpec, StoreSink


def _until(cond: Callable[[], Any], timeout_s: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout_s  # a hang guard, not a timed assertion
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout_s} s: {what}")


def _markers(db: Path, sid: str) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT data FROM events WHERE session_id=? AND type='marker' ORDER BY seq", (sid,))
        return [json.loads(r[0])["text"] for r in rows]
    finally:
        conn.close()


def test_markers_acknowledged_while_the_disk_is_full_are_all_stored_and_the_rest_refused(small_disk: Path) -> None:
    strap = PacedStrap(n=100_000, period_s=0.005)
    settings = Settings(db=small_disk / "t.sqlite3", port=0)
    app = create_app(settings, lambda: [SourceSpec(strap, "ble", {})])
    with in_process(app, settings.access_token) as client:
        sid = client.get("/api/sessions").json()[0]["id"]
        _until(lambda: client.get(f"/api/sessions/{sid}").json()["stored"]["notifications"] > 20, what="recording")
        live = client.app.state.tolerance.manager.sessions[sid]  # type: ignore[attr-defined]
        sink = next(s for s in live.pipeline.sinks if isinstance(s, StoreSink))
        sink.buffer_items = 10
        ballast = fill(small_disk)
        _until(lambda: sink.buffered >= 10, what="the buffer full of notifications")
        answers = {f"m{i}": client.post(f"/api/sessions/{sid}/markers", json={"text": f"m{i}"}) for i in range(15)}
        accepted = [t for t, r in answers.items() if r.status_code == 201]
        refused = [t for t, r in answers.items() if r.status_code == 503]
        assert len(accepted) + len(refused) == 15, {r.status_code for r in answers.values()}
        assert accepted and refused, (len(accepted), len(refused))
        assert "not stored" in answers[refused[0]].json()["detail"]
        assert "Free some space" in answers[refused[0]].json()["detail"]
        with client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
            ws.send_text(json.dumps({"v": 1, "type": "marker", "text": "by websocket"}))
            while (frame := json.loads(ws.receive_text())).get("type") != "error":
                pass
            assert frame["code"] == "not_stored"
        ballast.unlink()
        _until(lambda: sink.buffered == 0 and client.get("/api/health").status_code == 200, what="resumed")
        assert client.delete(f"/api/sessions/{sid}").status_code == 200
    assert _markers(small_disk / "t.sqlite3", sid) == accepted  # every one acknowledged, in order; no other
