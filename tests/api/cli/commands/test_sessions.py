"""``tolerance sessions``: the stored sessions with ids, labels, source, start, duration and status,
read without writing (also while a server records), and never a database created by asking."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tolerance.api.cli.main import main
from tolerance.api.storage import SessionRow, Store

T0 = 1_796_000_000.0  # 2026-11-30, some time of day


def _make_db(db: Path) -> None:
    rows = [
        SessionRow("aaaaaaaaaaaa", T0, T0 + 3725, "ended", "the source ended", "ble", "Polar H10 1A2B", "Ana", {}),
        SessionRow("bbbbbbbbbbbb", T0 + 7200, T0 + 7245, "failed", "storage failed", "sim", "sim:calm:7", None, {}),
        SessionRow("cccccccccccc", T0 + 9000, None, "interrupted", "server stopped", "replay", "replay:x", None, {}),
    ]

    async def go() -> None:
        async with Store(db) as store:
            await store.insert(rows)

    asyncio.run(go())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_json_lists_every_session_newest_first_with_its_duration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite3"
    _make_db(db)
    before = _digest(db)
    assert main(["sessions", "--db", str(db), "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)["sessions"]
    assert [s["id"] for s in got] == ["cccccccccccc", "bbbbbbbbbbbb", "aaaaaaaaaaaa"]
    first = got[2]
    assert first["label"] == "Ana" and first["source_kind"] == "ble" and first["source_id"] == "Polar H10 1A2B"
    assert first["status"] == "ended" and first["status_detail"] == "the source ended"
    assert first["start_utc"] == T0 and first["duration_s"] == 3725
    assert got[1]["duration_s"] == 45 and got[1]["status"] == "failed"
    assert got[0]["duration_s"] is None, "an interrupted session has no known end"
    assert _digest(db) == before, "listing must not write to the database"


def test_text_is_a_table_with_a_header_and_one_line_per_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite3"
    _make_db(db)
    assert main(["sessions", "--db", str(db)]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "START", "DURATION", "SOURCE", "STATUS", "LABEL"]
    assert len(lines) == 3
    ana = lines[2]
    assert ana.startswith("aaaaaaaaaaaa ") and "1 h 02 min" in ana and "Polar H10 1A2B" in ana
    assert ana.split()[-2:] == ["ended", "Ana"]
    assert "45 s" in lines[1] and lines[1].split()[-1] == "–"


def test_an_empty_database_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite3"

    async def go() -> None:
        async with Store(db):
            pass

    asyncio.run(go())
    assert main(["sessions", "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith("No sessions stored yet")
    assert main(["sessions", "--db", str(db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"sessions": []}


def test_a_missing_database_is_a_one_line_error_and_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "none" / "t.sqlite3"
    r = subprocess.run(
        [sys.executable, "-m", "tolerance.api.cli", "sessions", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("tolerance sessions: no database at ")
    assert "Traceback" not in r.stderr
    assert not db.exists() and not db.parent.exists()


def test_lists_the_live_session_of_a_running_server(served_calm: Any) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "tolerance.api.cli", "sessions", "--db", str(served_calm.db), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    (live,) = json.loads(r.stdout)["sessions"]
    assert live["status"] == "live" and live["source_kind"] == "sim" and live["source_id"].startswith("sim:calm")
    assert live["duration_s"] is not None and live["duration_s"] >= 0
    text = subprocess.run(
        [sys.executable, "-m", "tolerance.api.cli", "sessions", "--db", str(served_calm.db)],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert live["id"] in text and "so far" in text
    # The server still owns its file and keeps recording after the listing.
    assert served_calm.proc.poll() is None
