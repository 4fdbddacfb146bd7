"""End to end: a real `tolerance serve` on a simulated strap, real HTTP and websocket clients."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus


def _frames(ws: Any, until: Any, timeout_s: float = 20.0) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        got.append(frame)
        if until(got):
            return got
    raise AssertionError(f"condition not met in {timeout_s} s; got types {[f['type'] for f in got]}")


def _live_session(served: Any) -> dict[str, Any]:
    sessions = served.http.get("api/sessions").json()
    live = [s for s in sessions if s["status"] == "live"]
    assert len(live) == 1, sessions
    return live[0]


def test_served_session_streams_beats_that_are_stored_and_exported(served_calm: Any) -> None:
    assert served_calm.http.get("api/health").json()["status"] == "ok"
    session = _live_session(served_calm)
    assert session["source_kind"] == "sim" and session["params"]["scenario"] == "calm"

    with served_calm.ws(f"/ws/sessions/{session['id']}") as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert hello["type"] == "hello" and hello["session"]["id"] == session["id"]
        frames = _frames(ws, lambda got: sum(f["type"] == "beat" for f in got) >= 5)
    beats = [f for f in frames if f["type"] == "beat"]
    times = [b["t"] for b in beats]
    assert times == sorted(times) and len(set(times)) == len(times), "beat times must increase"
    assert all(f["v"] == 1 for f in frames)
    assert all(300 < b["rr_ms"] < 2000 for b in beats)

    # Every beat a client saw is already in the SQLite file...
    with sqlite3.connect(f"file:{served_calm.db}?mode=ro", uri=True) as conn:
        stored = dict(conn.execute("SELECT idx, rr_ms FROM beats WHERE session_id=?", (session["id"],)).fetchall())
    for b in beats:
        assert stored[b["index"]] == pytest.approx(b["rr_ms"], abs=0)

    # ...and in the CSV export, with the same RR values.
    export = served_calm.http.get(f"api/sessions/{session['id']}/export", params={"format": "csv"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = {int(r["index"]): r for r in csv.DictReader(io.StringIO(export.text))}
    for b in beats:
        assert float(rows[b["index"]]["rr_ms"]) == b["rr_ms"]
        assert rows[b["index"]]["artifact"] == b["artifact"]


def test_raw_notifications_are_committed_before_their_sample_frame(served_calm: Any) -> None:
    session = _live_session(served_calm)
    with served_calm.ws(f"/ws/sessions/{session['id']}") as ws:
        frames = _frames(ws, lambda got: sum(f["type"] == "sample" for f in got) >= 3)
        last = [f for f in frames if f["type"] == "sample"][-1]
    with sqlite3.connect(f"file:{served_calm.db}?mode=ro", uri=True) as conn:
        utc = [r[0] for r in conn.execute("SELECT t_utc FROM notifications WHERE session_id=?", (session["id"],))]
    assert any(abs(t - last["t_utc"]) < 1e-6 for t in utc)


def test_websocket_and_api_refuse_another_sites_origin(served_calm: Any) -> None:
    session = _live_session(served_calm)
    with pytest.raises(InvalidStatus) as refused:
        served_calm.ws(f"/ws/sessions/{session['id']}", origin="http://evil.example")  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403
    r = served_calm.http.get("api/sessions", headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "not allowed" in r.json()["detail"]
    # The app's own origin is welcome.
    own = served_calm.url.rstrip("/")
    assert served_calm.http.get("api/sessions", headers={"Origin": own}).status_code == 200
    # DNS rebinding: a foreign Host name is refused even when Origin matches it.
    port = served_calm.url.rsplit(":", 1)[1].strip("/")
    r = served_calm.http.get(
        "api/sessions",
        headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"},
    )
    assert r.status_code == 403


def test_bad_frames_get_an_error_frame_and_the_socket_stays_open(served_calm: Any) -> None:
    session = _live_session(served_calm)
    bad = [
        "not json",
        "[1, 2]",
        json.dumps({"v": 99, "type": "marker"}),
        json.dumps({"v": 1, "type": "launch"}),
        json.dumps({"v": 1, "type": "breathing", "action": "start", "rate_per_min": 40}),
        b"\x00\x01",
        "x" * 20000,
        '{"v": 1, "type": "marker", "text": "\\udc80 a lone surrogate"}',
        json.dumps({"v": 1, "type": "breathing", "action": "start", "rate_per_min": 10**400}),
    ]
    path = f"/ws/sessions/{session['id']}"
    with served_calm.ws(path) as ws, served_calm.ws(path) as watcher:
        for payload in bad:
            ws.send(payload)
            errors = _frames(ws, lambda got: got[-1]["type"] == "error", timeout_s=10)
            assert errors[-1]["message"]
        ws.send(json.dumps({"v": 1, "type": "ping"}))
        assert _frames(ws, lambda got: got[-1]["type"] == "pong", timeout_s=10)
        # Another client of the session saw none of it and still receives frames.
        assert _frames(watcher, lambda got: sum(f["type"] == "sample" for f in got) >= 2)
    r = served_calm.http.post(
        f"api/sessions/{session['id']}/markers",
        content='{"text": "\\udc80"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422


def test_unknown_session_gets_404_and_a_clear_websocket_error(served_calm: Any) -> None:
    r = served_calm.http.get("api/sessions/nope")
    assert r.status_code == 404 and "nope" in r.json()["detail"]
    assert served_calm.http.get("api/sessions/nope/export").status_code == 404
    with served_calm.ws("/ws/sessions/nope") as ws:
        frame = json.loads(ws.recv(timeout=10))
        assert frame["type"] == "error" and frame["code"] == "unknown_session"


def test_pacer_started_by_one_client_reaches_every_client_in_step(served_calm: Any) -> None:
    session = _live_session(served_calm)
    path = f"/ws/sessions/{session['id']}"
    with served_calm.ws(path) as a, served_calm.ws(path) as b:
        a.send(json.dumps({"v": 1, "type": "breathing", "action": "start", "rate_per_min": 5.5, "ratio": [4, 6]}))
        pa = _frames(a, lambda got: got[-1]["type"] == "pacer" and got[-1]["running"])[-1]
        pb = _frames(b, lambda got: got[-1]["type"] == "pacer" and got[-1]["running"])[-1]
    assert pa["epoch_utc"] == pb["epoch_utc"] and pa["rate_per_min"] == pb["rate_per_min"] == 5.5
    assert pa["inhale_fraction"] == pytest.approx(0.4)
    via_http = served_calm.http.get(f"api/sessions/{session['id']}/pacer").json()
    assert via_http["epoch_utc"] == pa["epoch_utc"] and via_http["running"] is True


def test_marker_from_the_api_is_stored_and_broadcast(served_calm: Any) -> None:
    session = _live_session(served_calm)
    with served_calm.ws(f"/ws/sessions/{session['id']}") as ws:
        r = served_calm.http.post(f"api/sessions/{session['id']}/markers", json={"text": "difficult call"})
        assert r.status_code == 201
        event = _frames(ws, lambda got: got[-1]["type"] == "event")[-1]
    assert event["text"] == "difficult call"
    exported = served_calm.http.get(f"api/sessions/{session['id']}/export", params={"format": "json"}).json()
    assert any(e["type"] == "marker" and e["data"]["text"] == "difficult call" for e in exported["events"])
