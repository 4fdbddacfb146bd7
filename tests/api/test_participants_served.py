"""Participants on a running `tolerance serve` (real uvicorn, real HTTP and websocket clients),
and one server per database."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any


def test_a_participant_added_to_a_running_server_streams_beats_then_ends_and_refuses_commands(
    served_calm: Any,
) -> None:
    r = served_calm.http.post("api/sessions", json={"source": "sim:stress-spike", "seed": 5, "speed": 20})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    live = [s for s in served_calm.http.get("api/sessions").json() if s["status"] == "live"]
    assert {s["params"]["scenario"] for s in live} == {"calm", "stress-spike"}

    with served_calm.ws(f"/ws/sessions/{sid}") as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert hello["type"] == "hello" and hello["session"]["id"] == sid
        beats = 0
        deadline = time.monotonic() + 30
        while beats < 5 and time.monotonic() < deadline:
            beats += json.loads(ws.recv(timeout=10))["type"] == "beat"
        assert beats >= 5

        assert served_calm.http.delete(f"api/sessions/{sid}").status_code == 200
        while (frame := json.loads(ws.recv(timeout=10)))["type"] != "status" or "session" not in frame:
            pass
        assert frame["session"] == "ended"

    r = served_calm.http.post(f"api/sessions/{sid}/markers", json={"text": "too late"})
    assert r.status_code == 409 and "ended" in r.json()["detail"]
    r = served_calm.http.post(f"api/sessions/{sid}/pacer", json={"action": "start"})
    assert r.status_code == 409
    # The first participant is untouched.
    assert [s["status"] for s in served_calm.http.get("api/sessions").json() if s["id"] != sid] == ["live"]


def test_a_second_server_on_the_same_database_exits_1_at_once_and_the_first_runs_on(served_calm: Any) -> None:
    # It must exit by itself (a server that started would run until the timeout kills it).
    r = subprocess.run(
        [sys.executable, "-m", "tolerance.api.cli", "serve", "--port", "0", "--db", str(served_calm.db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "in use by another Tolerance server" in r.stderr and "--db" in r.stderr
    assert "Traceback" not in r.stderr and "live at" not in r.stdout
    sessions = served_calm.http.get("api/sessions").json()
    assert [s["status"] for s in sessions] == ["live"], "the first server's session was not marked interrupted"
