"""`tolerance serve` and `tolerance export` as a user meets them: real processes, real files."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tolerance.api.cli import main

sys.path.insert(0, str(Path(__file__).parents[3]))
from conftest import DATA, start_server, stop_server  # noqa: E402


def test_serve_on_a_simulated_strap_streams_five_beats_within_15_s_at_real_speed(tmp_path: Path) -> None:
    served = start_server(tmp_path, "--sim", "calm")
    t0 = time.monotonic()  # from the server's URL: the interpreter's start-up is the machine's, not ours
    try:
        sessions = served.http.get("api/sessions").json()
        assert [s["status"] for s in sessions] == ["live"]
        beats: list[dict[str, Any]] = []
        with served.ws(f"/ws/sessions/{sessions[0]['id']}") as ws:
            while len(beats) < 5:
                remaining = 15.0 - (time.monotonic() - t0)
                assert remaining > 0, f"only {len(beats)} beat frames within 15 s of the server's URL"
                frame = json.loads(ws.recv(timeout=remaining))
                if frame["type"] == "beat":
                    beats.append(frame)
        csv = served.http.get(f"api/sessions/{sessions[0]['id']}/export?format=csv").text
        indexes = {line.split(",")[0] for line in csv.splitlines()[1:]}
        assert {str(b["index"]) for b in beats} <= indexes
    finally:
        stop_server(served)


def test_serve_replays_a_recorded_log_through_the_live_pipeline(tmp_path: Path) -> None:
    served = start_server(tmp_path, "--replay", str(DATA / "replay" / "polar_h10_like.jsonl"), "--speed", "50")
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            session = served.http.get("api/sessions").json()[0]
            if session["status"] != "live":
                break
            time.sleep(0.2)
        assert session["source_kind"] == "replay" and session["status"] == "ended"
        detail = served.http.get(f"api/sessions/{session['id']}").json()
        assert detail["stored"]["beats"] > 50 and detail["stored"]["malformed"] >= 1
    finally:
        stop_server(served)


def test_unknown_scenario_is_a_clear_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--sim", "nope", "--db", str(tmp_path / "t.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "calm" in err and "Traceback" not in err


def test_missing_replay_file_is_a_clear_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--replay", str(tmp_path / "none.jsonl"), "--db", str(tmp_path / "t.sqlite3")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_port_in_use_is_a_clear_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port), "--db", str(tmp_path / "t.sqlite3")]) == 1
    err = capsys.readouterr().err
    assert str(port) in err and "--port" in err


def test_export_writes_the_sessions_beats_and_refuses_unknown_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    served = start_server(tmp_path, "--sim", "calm", "--speed", "20", "--seed", "3")
    try:
        sid = served.http.get("api/sessions").json()[0]["id"]
        deadline = time.monotonic() + 20
        while served.http.get(f"api/sessions/{sid}").json()["stored"]["beats"] < 20:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        stop_server(served)
    out = tmp_path / "beats.csv"
    assert main(["export", sid, "--format", "csv", "--out", str(out), "--db", str(served.db)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("index,t_s,t_utc,rr_ms") and len(lines) > 20
    assert main(["export", "nope", "--out", str(out), "--db", str(served.db)]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["export", sid, "--out", str(tmp_path / "missing" / "x.csv"), "--db", str(served.db)]) == 1
    assert main(["export", sid, "--out", str(out), "--db", str(tmp_path / "none.sqlite3")]) == 2


@pytest.mark.skipif(Path("/var/run/dbus/system_bus_socket").exists(), reason="this machine has a system D-Bus")
def test_serving_a_device_without_bluetooth_exits_1_with_advice(tmp_path: Path) -> None:
    # A process of its own, as a user runs it (and free of any event loop a browser test left).
    done = subprocess.run(
        [sys.executable, "-m", "tolerance.api.cli", "serve", "--device", "Polar H10", "--port", "0",
         "--db", str(tmp_path / "t.sqlite3")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done
    assert "Bluetooth" in done.stderr and "--sim" in done.stderr and "Traceback" not in done.stderr


def test_a_bad_setting_is_one_line_naming_its_variable_and_never_the_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOLERANCE_ACCESS_TOKEN", "short sécret")
    assert main(["serve", "--port", "0", "--db", str(tmp_path / "t.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TOLERANCE_ACCESS_TOKEN" in err and "16 characters" in err
    assert "sécret" not in err and "Traceback" not in err
