"""Issue 23: dates at the ends of the calendar and outputs that are not regular files get a
one-line answer, never a traceback (CLI) or a 500 (API)."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tolerance.api.cli.main import main
from tolerance.api.storage import NotificationRow, Store, queries


def _db_with_a_session(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "t.sqlite3"

    async def go() -> str:
        async with Store(db) as store:
            row = await queries.create_session(store, source_kind="ble", source_id="strap", params={})
            rows = [NotificationRow(row.id, i, float(i), 1.7e9 + i, b"\x10\x40", hr_bpm=64) for i in range(5)]
            await store.insert(rows)
            await queries.end_session(store, row.id, "ended", "done")
            return row.id

    return db, asyncio.run(go())


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01"])
def test_review_of_the_calendars_first_and_last_day_answers(
    tmp_path: Path, date: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _sid = _db_with_a_session(tmp_path)
    assert main(["review", date, "--db", str(db)]) == 0
    out = capsys.readouterr()
    assert f"Tolerance review for {date}" in out.out and "Traceback" not in out.err


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01"])
def test_the_review_api_answers_the_calendars_ends_not_500(app_client: TestClient, date: str) -> None:
    r = app_client.get("/api/review", params={"date": date})
    assert r.status_code == 200, r.text
    assert r.json()["date"] == date and len(r.json()["trend"]) == (28 if date.startswith("9999") else 1)


@pytest.mark.parametrize("before", ["0001-01-01", "9999-12-31T23:59:59"])
def test_forget_before_the_calendars_ends_answers(
    tmp_path: Path, before: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db, sid = _db_with_a_session(tmp_path)
    assert main(["forget", "--before", before, "--yes", "--db", str(db)]) == 0
    err = capsys.readouterr().err
    if before.startswith("0001"):
        assert err.strip() == "no session to forget"
    else:
        assert err.startswith("forgot 1 sessions")
    assert "Traceback" not in err and (sid.encode() in db.read_bytes()) == before.startswith("0001")


def _special_files(tmp_path: Path) -> list[Path]:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "out.dir"
    folder.mkdir()
    made = [fifo, folder]
    if os.geteuid() == 0:  # a device node needs root; this one is /dev/null's (1, 3), in tmp
        node = tmp_path / "out.dev"
        os.mknod(node, stat.S_IFCHR | 0o600, os.makedev(1, 3))
        made.append(node)
    return made


def test_export_never_replaces_a_fifo_a_directory_or_a_device_even_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, sid = _db_with_a_session(tmp_path)
    for target in _special_files(tmp_path):
        kind = stat.S_IFMT(target.stat().st_mode)
        code = main(["export", sid, "--format", "json", "--out", str(target), "--force", "--db", str(db)])
        err = capsys.readouterr().err
        assert code == 2, (target, err)
        assert "not a regular file" in err and err.strip().count("\n") == 0, err
        assert stat.S_IFMT(target.stat().st_mode) == kind, f"{target} was replaced"
        assert not target.with_name(target.name + ".partial").exists()
