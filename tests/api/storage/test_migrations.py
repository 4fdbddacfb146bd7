"""A database made by an earlier version opens in this one without loss (tests/data/db/)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from tolerance.api import formats
from tolerance.api.storage import SCHEMA_VERSION, Store, queries, read_only, schema_version
from tolerance.sensors import read_log

DB = Path(__file__).parents[2] / "data" / "db"
V1 = DB / "schema-v1.sqlite3"
SESSIONS = ("564782578f0e", "76c18883a587")


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    db = tmp_path / "old.sqlite3"
    shutil.copy(V1, db)
    return db


def _v1_metrics(session_id: str) -> list[tuple[float, float, dict[str, object]]]:
    conn = sqlite3.connect(f"file:{V1}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            'SELECT window_s, t_mono, "values" FROM metrics WHERE session_id=? ORDER BY t_mono, window_s', (session_id,)
        ).fetchall()
    finally:
        conn.close()
    return [(w, t, json.loads(v)) for w, t, v in rows]


def test_the_fixture_is_a_version_1_database() -> None:
    conn = sqlite3.connect(f"file:{V1}?mode=ro", uri=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_a_version_1_database_opens_in_a_server_and_lists_its_sessions(v1_copy: Path) -> None:
    async def go() -> list[str]:
        async with Store(v1_copy) as store:
            rows = await store.read(queries.list_sessions)
            return [r.id for r in rows]

    assert sorted(asyncio.run(go())) == sorted(SESSIONS)
    conn = sqlite3.connect(v1_copy)
    assert schema_version(conn) == SCHEMA_VERSION
    conn.close()


@pytest.mark.parametrize("session_id", SESSIONS)
def test_a_migrated_database_exports_the_same_beats_as_the_version_that_made_it(v1_copy: Path, session_id: str) -> None:
    with read_only(v1_copy) as conn:  # a reader migrates an old file first
        csv_bytes = b"".join(formats.export_format("csv").write(conn, session_id))
    assert csv_bytes == (DB / f"schema-v1-{session_id}.beats.csv").read_bytes()


def test_a_migrated_database_replays_the_same_notifications(v1_copy: Path, tmp_path: Path) -> None:
    sid = SESSIONS[0]
    with read_only(v1_copy) as conn:
        log = tmp_path / "now.jsonl"
        log.write_bytes(b"".join(formats.export_format("replay").write(conn, sid)))
    before = read_log(DB / f"schema-v1-{sid}.replay.jsonl")
    after = read_log(log)
    assert len(after) == len(before) > 300
    assert after == before


@pytest.mark.parametrize("session_id", SESSIONS)
def test_every_stored_figure_survives_the_move_from_json_to_columns(v1_copy: Path, session_id: str) -> None:
    with read_only(v1_copy) as conn:
        now = [(m.window_s, m.t_mono, m.values) for m in queries.iter_metrics(conn, session_id)]
    old = _v1_metrics(session_id)
    assert len(now) == len(old) > 100
    for (w1, t1, v1), (w2, t2, v2) in zip(old, now, strict=True):
        assert (w1, t1) == (w2, t2)
        assert {k: v for k, v in v1.items() if v is not None} == v2  # a figure without a number is absent now
