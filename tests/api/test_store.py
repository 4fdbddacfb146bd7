"""The SQLite store: schema, durability order, interrupted sessions, one writer."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from tolerance.api import records
from tolerance.api.store import SCHEMA_VERSION, Store, StoreError, migrate
from tolerance.sensors import HeartRateSample, MalformedNotification


def test_a_new_file_is_in_wal_mode_at_the_current_schema(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "t.sqlite3"

    async def go() -> None:
        async with Store(db):
            pass

    asyncio.run(go())
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "notifications", "beats", "metrics", "events", "episodes", "profiles"} <= tables


def test_a_newer_schema_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        migrate(conn)


def test_sessions_left_live_by_a_crash_are_marked_interrupted_with_their_rows_kept(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    sample = HeartRateSample(
        "s", 1.0, 1_700_000_000.0, 60, (1000.0,), (1024,), True, None, bytes.fromhex("16 3c 00 04".replace(" ", ""))
    )

    async def crash() -> str:
        store = Store(db)
        await store.open()
        row = await records.create_session(store, source_kind="sim", source_id="s", params={})
        await records.add_notification(store, row.id, 0, sample)
        # no end_session, no close: the process dies here
        return row.id

    sid = asyncio.run(crash())

    async def reopen() -> tuple[str, dict[str, int]]:
        async with Store(db) as store:
            row = await records.get_session(store, sid)
            return row.status, await records.session_counts(store, sid)

    status, counts = asyncio.run(reopen())
    assert status == "interrupted"
    assert counts["notifications"] == 1


def test_a_failing_write_fails_alone_and_the_batch_commits(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"

    async def go() -> tuple[list[object], int]:
        async with Store(db) as store:
            row = await records.create_session(store, source_kind="sim", source_id="s", params={})
            bad = MalformedNotification("s", 1.0, 2.0, b"\x10", "flags only")
            results = await asyncio.gather(
                records.add_notification(store, row.id, 0, bad),
                records.add_notification(store, row.id, 0, bad),  # same key: refused
                records.add_notification(store, row.id, 1, bad),
                return_exceptions=True,
            )
            counts = await records.session_counts(store, row.id)
            return list(results), counts["notifications"]

    results, n = asyncio.run(go())
    assert [r is None for r in results] == [True, False, True]
    assert isinstance(results[1], StoreError)
    assert n == 2


def test_an_unwritable_location_is_a_store_error_with_advice(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    async def go() -> None:
        async with Store(blocker / "t.sqlite3"):
            pass

    with pytest.raises(StoreError) as err:
        asyncio.run(go())
    assert "cannot open database" in str(err.value) and err.value.advice


def test_writes_after_close_are_refused_not_left_hanging(tmp_path: Path) -> None:
    async def go() -> None:
        store = Store(tmp_path / "t.sqlite3")
        await store.open()
        await store.close()
        with pytest.raises(StoreError, match="not open"):
            await asyncio.wait_for(store.write("SELECT 1"), 5)

    asyncio.run(go())


def test_a_database_path_with_uri_characters_is_read_back(tmp_path: Path) -> None:
    db = tmp_path / "odd ?#% name.sqlite3"

    async def go() -> str:
        async with Store(db) as store:
            row = await records.create_session(store, source_kind="sim", source_id="s", params={})
            return (await records.get_session(store, row.id)).source_id

    assert asyncio.run(go()) == "s"
