"""Issue 23: a damaged database, or one made by a newer Tolerance, is checked before anything
writes to it and left byte-for-byte as it was, with the right advice, by ``serve`` and ``forget``."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from tolerance.api.cli.main import main
from tolerance.api.storage import SCHEMA_VERSION, NotificationRow, Store, queries


def _recorded(db: Path) -> None:
    async def go() -> None:
        async with Store(db) as store:
            row = await queries.create_session(store, source_kind="ble", source_id="strap", params={})
            for i in range(300):
                await store.insert([NotificationRow(row.id, i, float(i), 1.7e9 + i, b"\x10\x40" * 40, hr_bpm=64)])
            await queries.end_session(store, row.id, "ended", "done")

    asyncio.run(go())
    assert not db.with_name(db.name + "-wal").exists()  # closed cleanly: all in the file


def _corrupted(tmp_path: Path) -> Path:
    db = tmp_path / "damaged.sqlite3"
    _recorded(db)
    data = bytearray(db.read_bytes())
    assert len(data) > 6 * 4096
    data[3 * 4096 + 8 : 3 * 4096 + 600] = b"\xa5" * 592  # the inside of a table page
    db.write_bytes(bytes(data))
    return db


def _newer(tmp_path: Path) -> Path:
    db = tmp_path / "newer.sqlite3"
    _recorded(db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=DELETE")  # as a newer version might leave it
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    return db


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


CASES = [(_corrupted, "is damaged", "recover"), (_newer, "made by a newer Tolerance", "Upgrade Tolerance")]


@pytest.mark.parametrize(("make", "words", "advice"), CASES)
def test_serve_refuses_the_file_before_writing_to_it(tmp_path: Path, make: object, words: str, advice: str) -> None:
    db = make(tmp_path)  # type: ignore[operator]
    before = _digest(db)
    proc = subprocess.run(
        [sys.executable, "-m", "tolerance.api.cli", "serve", "--port", "0", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard
    )
    assert proc.returncode == 1, proc.stderr
    assert words in proc.stderr and advice in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "live at" not in proc.stdout
    assert _digest(db) == before


@pytest.mark.parametrize(("make", "words", "advice"), CASES)
def test_forget_refuses_the_file_before_writing_to_it(
    tmp_path: Path, make: object, words: str, advice: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make(tmp_path)  # type: ignore[operator]
    before = _digest(db)
    assert main(["forget", "--all", "--yes", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert words in err and advice in err and err.strip().count("\n") == 0, err
    assert _digest(db) == before


def test_a_file_that_is_not_sqlite_at_all_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "notes.sqlite3"
    db.write_text("my notes, not a database\n")
    assert main(["forget", "--all", "--yes", "--db", str(db)]) == 1
    assert "not an SQLite database" in capsys.readouterr().err
    assert db.read_text() == "my notes, not a database\n"
