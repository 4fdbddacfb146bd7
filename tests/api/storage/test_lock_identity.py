"""Issue 23: one server per database whatever path names it. A symlink or a hard link to a
database in use is refused (it once started a second server, which marked the first one's live
session ``interrupted``, and ``forget --all`` through the link deleted it while it recorded)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tolerance.api.cli.main import main

from ...conftest import Served, start_server, stop_server


@pytest.fixture
def recording(tmp_path: Path) -> Iterator[Served]:
    served = start_server(tmp_path, "--sim", "calm", "--seed", "5", "--speed", "20")
    # The URL is printed before the app starts its session: wait for the session's row.
    for _ in range(600):
        if _statuses(served.db) == ["live"]:
            break
        time.sleep(0.05)
    assert _statuses(served.db) == ["live"]
    yield served
    stop_server(served)


def _link(kind: str, served: Served) -> Path:
    link = served.db.parent / "elsewhere" / f"by-{kind}.sqlite3"
    link.parent.mkdir()
    if kind == "symlink":
        link.symlink_to(served.db)
    else:
        os.link(served.db, link)
    assert link.samefile(served.db)
    return link


def _statuses(db: Path) -> list[str]:
    conn = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT status FROM sessions")]
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
def test_a_second_server_through_a_link_is_refused(recording: Served, kind: str) -> None:
    link = _link(kind, recording)
    proc = subprocess.run(
        [sys.executable, "-m", "tolerance.api.cli", "serve", "--port", "0", "--db", str(link)],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard
    )
    assert proc.returncode == 1 and "in use by another Tolerance server" in proc.stderr, proc.stderr
    assert f"pid {recording.proc.pid}" in proc.stderr, proc.stderr  # the holder is named, even by a hard link
    assert "live at" not in proc.stdout
    assert _statuses(recording.db) == ["live"]


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
def test_forget_all_through_a_link_is_refused_while_the_session_records(
    recording: Served, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    link = _link(kind, recording)
    assert main(["forget", "--all", "--yes", "--db", str(link)]) == 1
    assert "in use by another Tolerance server" in capsys.readouterr().err
    assert _statuses(recording.db) == ["live"]
    assert recording.proc.poll() is None
