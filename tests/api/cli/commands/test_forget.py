"""``tolerance forget`` and ``DELETE /api/sessions/{id}/data``: every row gone, no trace in the
file; live sessions refused; confirmation asked; and ``export`` refusing to overwrite."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tolerance.api.cli.main import main
from tolerance.api.storage import BeatRow, EventRow, NotificationRow, Store, queries

SECRET = b"PRIVATE-HEART-DATA-"


def _make_db(db: Path, n_sessions: int = 2) -> list[str]:
    async def go() -> list[str]:
        ids = []
        async with Store(db) as store:
            for k in range(n_sessions):
                row = await queries.create_session(
                    store, source_kind="ble", source_id=f"strap-{k}", params={}, label=f"label-{k}-secret"
                )
                ids.append(row.id)
                for i in range(200):
                    payload = SECRET + f"{row.id}-{i:04d}".encode()
                    await store.insert(
                        [
                            NotificationRow(row.id, i, float(i), 1.7e9 + i, payload, hr_bpm=60),
                            BeatRow(row.id, i, float(i), 1.7e9 + i, 900.0, 922, 0, True, "normal", "900"),
                            EventRow(row.id, i, float(i), 1.7e9 + i, "marker", {"text": f"note-{row.id}"}),
                        ]
                    )
                await queries.end_session(store, row.id, "ended", "done")
        return ids

    return asyncio.run(go())


def _file_bytes(db: Path) -> bytes:
    out = db.read_bytes()
    wal = db.with_name(db.name + "-wal")
    return out + (wal.read_bytes() if wal.exists() else b"")


def test_forget_deletes_every_row_and_leaves_no_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite3"
    gone, kept = _make_db(db)
    assert gone.encode() in _file_bytes(db)
    assert main(["forget", gone, "--yes", "--db", str(db)]) == 0
    assert "forgot 1 sessions" in capsys.readouterr().err
    data = _file_bytes(db)
    assert gone.encode() not in data and b"label-0-secret" not in data
    assert kept.encode() in data
    conn = sqlite3.connect(db)
    for table in ("sessions", "notifications", "beats", "events"):
        key = "id" if table == "sessions" else "session_id"
        assert conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {key}=?", (gone,)).fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM beats WHERE session_id=?", (kept,)).fetchone()[0] == 200
    conn.close()
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_forget_all_and_before(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    _make_db(db, 3)
    assert main(["forget", "--before", "2000-01-01", "--yes", "--db", str(db)]) == 0
    assert len(sqlite3.connect(db).execute("SELECT id FROM sessions").fetchall()) == 3
    assert main(["forget", "--all", "--yes", "--db", str(db)]) == 0
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM notifications").fetchone()[0] == 0
    assert SECRET not in _file_bytes(db)


def test_forget_asks_and_refuses_without_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "t.sqlite3"
    sid, _ = _make_db(db)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["forget", sid, "--db", str(db)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["forget", "--db", str(db)]) == 2
    assert main(["forget", "nope", "--yes", "--db", str(db)]) == 2
    assert main(["forget", "--before", "yesterday", "--yes", "--db", str(db)]) == 2
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2


def test_forget_refuses_a_session_marked_live(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite3"
    sid, _ = _make_db(db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE sessions SET status='live' WHERE id=?", (sid,))
    conn.commit()
    conn.close()
    assert main(["forget", sid, "--yes", "--db", str(db)]) == 2
    assert "live" in capsys.readouterr().err


def test_the_api_forgets_a_stopped_session_and_refuses_a_live_one(app_client: TestClient) -> None:
    sid = app_client.get("/api/sessions").json()[0]["id"]
    r = app_client.delete(f"/api/sessions/{sid}/data")
    assert r.status_code == 409
    assert app_client.delete(f"/api/sessions/{sid}").status_code == 200
    r = app_client.delete(f"/api/sessions/{sid}/data")
    assert r.status_code == 200 and r.json()["rows"]["sessions"] == 1 and r.json()["rows"]["notifications"] > 0
    assert app_client.get(f"/api/sessions/{sid}").status_code == 404
    assert app_client.delete(f"/api/sessions/{sid}/data").status_code == 404


def test_export_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite3"
    sid, _ = _make_db(db)
    out = tmp_path / "out.csv"
    out.write_text("precious")
    assert main(["export", sid, "--out", str(out), "--db", str(db)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_text() == "precious"
    assert main(["export", sid, "--out", str(out), "--db", str(db), "--force"]) == 0
    assert out.read_text().startswith("index,")
