"""Issue 23: every file Tolerance writes is the worker's alone (folder 0700, files 0600), whatever
the umask, and another OS account cannot read the database or an export."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tolerance.api.cli.main import main

from ..conftest import start_server, stop_server

OTHER_USER = "tolerance-other"


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A folder every account may enter (0755, like a home directory's parent), so that only the
    modes Tolerance gives its own folder and files keep others out."""
    path = Path(tempfile.mkdtemp(prefix="tolerance-modes-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _wait_for_notifications(db: Path, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(sqlite3.Error):
            conn = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True)
            try:
                if conn.execute("SELECT count(*) FROM notifications").fetchone()[0] >= 3:
                    return
            finally:
                conn.close()
        time.sleep(0.1)
    raise AssertionError("the simulated session stored nothing")


def _serve_and_export(tmp: Path, mask: int) -> tuple[Path, Path, dict[str, int]]:
    """Serve a simulated session into ``tmp/data/`` (a folder Tolerance makes), export it, and
    return the database, the export, and the modes seen while the server ran."""
    data = tmp / "data" / "inner"
    with _umask(mask):
        served = start_server(tmp, "--sim", "calm", "--seed", "3", "--speed", "20", "--db", str(data / "t.sqlite3"))
    try:
        db = data / "t.sqlite3"
        _wait_for_notifications(db)
        running = {p.name: _mode(p) for p in data.iterdir()}
        with _umask(mask):
            sid = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True).execute("SELECT id FROM sessions").fetchone()[0]
            out = tmp / "export.json"
            assert main(["export", sid, "--format", "json", "--out", str(out), "--db", str(db)]) == 0
            assert sid in out.read_text()
        # A database made now is private from its first byte: nothing to tighten, nothing logged.
        assert "was readable by other accounts" not in served.log.read_text()
    finally:
        stop_server(served)
    return db, out, running


@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_the_data_folder_database_side_files_and_exports_are_private_whatever_the_umask(
    open_tmp: Path, mask: int
) -> None:
    db, out, running = _serve_and_export(open_tmp, mask)
    assert _mode(open_tmp / "data") == 0o700 and _mode(db.parent) == 0o700
    # While the server ran: the database, its WAL and shared memory, and the lock's note.
    assert {"t.sqlite3", "t.sqlite3-wal", "t.sqlite3-shm", "t.sqlite3.lock"} <= set(running)
    assert running == dict.fromkeys(running, 0o600), running
    assert _mode(db) == 0o600
    assert _mode(out) == 0o600


@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_analyze_and_simulate_outputs_are_private(open_tmp: Path, mask: int) -> None:
    rr = open_tmp / "rr.txt"
    rr.write_text("\n".join(str(800 + (i % 7) * 10) for i in range(400)) + "\n")
    with _umask(mask):
        assert main(["analyze", str(rr), "--format", "csv", "--out", str(open_tmp / "a.csv"), "--no-progress"]) == 0
        assert main(["simulate", "calm", "--duration", "60", "--out", str(open_tmp / "s.csv")]) == 0
    assert _mode(open_tmp / "a.csv") == 0o600
    assert _mode(open_tmp / "a.excluded.csv") == 0o600
    assert _mode(open_tmp / "s.csv") == 0o600


def test_an_existing_open_data_folder_and_database_are_made_private_at_start_and_the_log_says_so(
    open_tmp: Path,
) -> None:
    """The default data folder (here under XDG_DATA_HOME) left 0755 with a 0644 database, as
    earlier versions made them."""
    folder = open_tmp / "xdg" / "tolerance"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    db = folder / "tolerance.sqlite3"
    db.write_bytes(b"")  # an empty file is a new database
    db.chmod(0o644)
    env = {**os.environ, "XDG_DATA_HOME": str(open_tmp / "xdg")}
    proc = subprocess.run(
        [sys.executable, "-c", _OPEN_DEFAULT_STORE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert _mode(folder) == 0o700 and _mode(db) == 0o600
    assert "made it private" in proc.stderr and str(folder) in proc.stderr


_OPEN_DEFAULT_STORE = """
import asyncio, logging
logging.basicConfig(level=logging.WARNING)
from tolerance.api.settings import default_db_path
from tolerance.api.storage import Store
async def go():
    async with Store(default_db_path()):
        pass
asyncio.run(go())
"""


def _other_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(OTHER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER_USER],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return pwd.getpwnam(OTHER_USER)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make and become a second OS user")
def test_another_os_user_cannot_read_the_database_or_an_export(open_tmp: Path) -> None:
    db, out, _running = _serve_and_export(open_tmp, 0o022)
    other = _other_user()
    for target in (db, out):
        proc = subprocess.run(
            ["head", "-c", "1", str(target)],
            user=other.pw_uid,
            group=other.pw_gid,
            extra_groups=[],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, (target, proc.stderr)
    # And the folder cannot even be listed.
    proc = subprocess.run(
        ["ls", str(db.parent)],
        user=other.pw_uid,
        group=other.pw_gid,
        extra_groups=[],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and "Permission denied" in proc.stderr
