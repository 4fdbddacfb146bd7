"""Issue 23: ``forget`` says the data is gone only once it is gone from the file. A reader holding
the database open (a database browser) once kept 395 copies of a forgotten session in the file
for 35 s while ``forget`` answered 200; and nothing deleted a profile (a baseline under the
worker's name)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from api_fakes import PacedStrap
from starlette.testclient import TestClient
from tolerance.api import Settings, create_app
from tolerance.api.cli.main import main
from tolerance.api.session import SourceSpec
from tolerance.api.storage import EventRow, NotificationRow, Store, queries

SECRET = b"PRIVATE-MARKER-"


def _make_db(db: Path, *, profile: str | None = None) -> list[str]:
    async def go() -> list[str]:
        ids = []
        async with Store(db) as store:
            for k in range(2):
                row = await queries.create_session(store, source_kind="ble", source_id=f"strap-{k}", params={})
                ids.append(row.id)
                rows = [
                    EventRow(row.id, i, float(i), 1.7e9 + i, "marker", {"text": f"{SECRET.decode()}{row.id}-{i}"})
                    for i in range(100)
                ]
                await store.insert([*rows, NotificationRow(row.id, 0, 0.0, 1.7e9, b"\x10\x40", hr_bpm=64)])
                await queries.end_session(store, row.id, "ended", "done")
            if profile:
                await queries.update_profile(store, profile, {"baseline": {"owner": f"{profile}-baseline"}})
        return ids

    return asyncio.run(go())


def _file_bytes(db: Path) -> bytes:
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@contextmanager
def _reader(db: Path) -> Iterator[None]:
    conn = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM events").fetchone()  # a snapshot from before the forget
        yield
    finally:
        conn.close()


def test_forget_with_a_reader_holding_the_file_says_traces_remain_then_finish_removes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite3"
    gone, kept = _make_db(db)
    with _reader(db):
        assert main(["forget", gone, "--yes", "--db", str(db)]) == 1
        err = capsys.readouterr().err
        assert "keeps copies" in err and "forget --finish" in err, err
        assert f"{SECRET.decode()}{gone}".encode() in _file_bytes(db)  # what it said is true
        assert main(["forget", "--finish", "--db", str(db)]) == 1  # the reader is still there
        capsys.readouterr()
    assert main(["forget", "--finish", "--db", str(db)]) == 0
    assert "holds no trace" in capsys.readouterr().err
    data = _file_bytes(db)
    assert f"{SECRET.decode()}{gone}".encode() not in data and f"{SECRET.decode()}{kept}".encode() in data


def test_forget_all_says_which_profiles_it_kept_and_forget_profiles_deletes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite3"
    _make_db(db, profile="Ana Lopez")
    assert main(["forget", "--all", "--yes", "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "forgot 2 sessions" in err and "kept 1 profiles (Ana Lopez)" in err and "--profiles" in err, err
    assert b"Ana Lopez-baseline" in _file_bytes(db)
    assert main(["forget", "--profiles", "--yes", "--db", str(db)]) == 0
    assert "1 profiles (Ana Lopez)" in capsys.readouterr().err
    assert b"Ana Lopez" not in _file_bytes(db)
    assert sqlite3.connect(db).execute("SELECT count(*) FROM profiles").fetchone()[0] == 0


def test_the_api_says_a_forget_is_pending_while_a_reader_holds_the_file_and_finishes_it(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    gone, _kept = _make_db(db)
    store = Store(db, checkpoint_every_s=0.1)
    asyncio.run(store.open())
    app = create_app(
        Settings(db=db, port=0), lambda: [SourceSpec(PacedStrap(), "ble", {"device": "fake"})], store=store
    )
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        with _reader(db):
            r = client.delete(f"/api/sessions/{gone}/data")
            assert r.status_code == 200 and r.json()["pending"] is True, r.text
            assert "keeps copies" in r.json()["detail"]
            assert client.get("/api/health").json()["forget_pending"] is True
        # The reader is gone: the writer's next checkpoint removes the copies (a live session records meanwhile).
        for _ in range(200):
            if not client.get("/api/health").json()["forget_pending"]:
                break
            time.sleep(0.05)
        assert client.get("/api/health").json()["forget_pending"] is False
        assert f"{SECRET.decode()}{gone}".encode() not in _file_bytes(db)
