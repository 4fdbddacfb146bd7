"""The SQLite store: schema, durability order, interrupted sessions, one writer."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from tolerance.api.storage import SCHEMA_VERSION, NotificationRow, Store, StoreError, migrate, queries


async def _counts(store: Store, sid: str) -> dict[str, int]:
    return await store.read(lambda conn: queries.session_counts(conn, sid))


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
    crash = f"""
import asyncio, os
from tolerance.api.storage import NotificationRow, Store, queries

async def main():
    store = Store({str(db)!r})
    await store.open()
    row = await queries.create_session(store, source_kind="sim", source_id="s", params={{}})
    await store.insert([NotificationRow(row.id, 0, 1.0, 1.7e9, bytes.fromhex("163c0004"), hr_bpm=60)])
    print(row.id, flush=True)
    os._exit(9)  # no end_session, no close: the process dies here

asyncio.run(main())
"""
    sid = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, timeout=60).stdout.strip()
    assert sid

    async def reopen() -> tuple[str, dict[str, int]]:
        async with Store(db) as store:
            row = await store.read(lambda conn: queries.require_session(conn, sid))
            return row.status, await _counts(store, sid)

    status, counts = asyncio.run(reopen())
    assert status == "interrupted"
    assert counts["notifications"] == 1


def test_a_failing_write_fails_alone_and_the_batch_commits(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"

    async def go() -> tuple[list[object], int]:
        async with Store(db) as store:
            row = await queries.create_session(store, source_kind="sim", source_id="s", params={})

            def bad(seq: int) -> NotificationRow:
                return NotificationRow(row.id, seq, 1.0, 2.0, b"\x10", error="flags only")

            results = await asyncio.gather(
                store.insert([bad(0)]),
                store.insert([bad(0)]),  # same key: refused
                store.insert([bad(1)]),
                return_exceptions=True,
            )
            counts = await _counts(store, row.id)
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
    assert str(blocker) in str(err.value) and err.value.advice


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
            row = await queries.create_session(store, source_kind="sim", source_id="s", params={})
            return (await store.read(lambda conn: queries.require_session(conn, row.id))).source_id

    assert asyncio.run(go()) == "s"


def test_a_second_store_on_a_held_database_is_refused_at_once(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"""
import asyncio, sys
from tolerance.api.storage import Store
async def main():
    async with Store({str(db)!r}):
        print("open", flush=True)
        sys.stdin.readline()
asyncio.run(main())
"""],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"

        async def second() -> None:
            async with Store(db):
                pass

        with pytest.raises(StoreError, match="in use by another Tolerance server") as err:
            asyncio.run(second())
        assert f"pid {holder.pid}" in str(err.value) and "--db" in err.value.advice
    finally:
        holder.communicate("\n", timeout=30)
    # Released with its holder: the file opens again.
    asyncio.run(second())
