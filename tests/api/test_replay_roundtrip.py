"""A recorded session, exported as a notification log and replayed, gives the same beats and metrics."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tolerance.api import formats
from tolerance.api.hub import Hub
from tolerance.api.session import SessionManager, SourceSpec
from tolerance.api.storage import Store, queries, read_only
from tolerance.sensors import Sensor
from tolerance.sensors.replay import ReplaySource
from tolerance.simulations import SimulatedStrap


async def _record(sensor: Sensor, db: Path, kind: str) -> str:
    async with Store(db) as store:
        manager = SessionManager(store, Hub())
        session = await manager.start(SourceSpec(sensor, kind))
        assert session.task is not None
        await asyncio.wait_for(session.task, 120)
        return session.id


def _read(db: Path, session_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    with read_only(db) as conn:
        t0 = queries.session_t0(conn, session_id)
        beats = [dataclasses.asdict(b) for b in queries.iter_beats(conn, session_id)]
        metrics = [dataclasses.asdict(m) for m in queries.iter_metrics(conn, session_id)]
        events = [
            dataclasses.asdict(e) for e in queries.iter_events(conn, session_id) if e.type in ("segment", "connection")
        ]
    for row in (*beats, *metrics, *events):
        row.pop("session_id")
    for row in (*beats, *metrics, *events):
        row["t_rel"] = row.pop("t_mono") - t0
        row.pop("t_utc")
    for e in events:
        e.pop("seq")
    return beats, metrics, events


def test_a_replayed_log_gives_the_same_beats_and_metrics_as_the_live_run(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    # The faulty-strap scenario: artifacts, a contact loss and a drop-out must replay too.
    live_id = asyncio.run(_record(SimulatedStrap("artifacts", seed=11, speed=math.inf, duration_s=420), db, "sim"))
    log = tmp_path / "session.jsonl"
    with read_only(db) as conn:
        log.write_bytes(b"".join(formats.export_format("replay").write(conn, live_id)))

    replay_id = asyncio.run(_record(ReplaySource(log, speed=math.inf), db, "replay"))

    live_beats, live_metrics, live_events = _read(db, live_id)
    replay_beats, replay_metrics, replay_events = _read(db, replay_id)
    assert len(live_beats) > 400 and len(live_metrics) > 100
    assert {b["artifact"] for b in live_beats} > {"normal"}, "the scenario should produce artifacts"
    assert len({b["segment"] for b in live_beats}) >= 3, "contact loss and drop-out should split segments"

    assert len(replay_beats) == len(live_beats)
    for a, b in zip(live_beats, replay_beats, strict=True):
        assert (a["idx"], a["rr_ms"], a["rr_raw"], a["segment"], a["contact"], a["artifact"], a["nn_ms"]) == (
            b["idx"],
            b["rr_ms"],
            b["rr_raw"],
            b["segment"],
            b["contact"],
            b["artifact"],
            b["nn_ms"],
        )
        assert a["t_rel"] == pytest.approx(b["t_rel"], abs=1e-5)
    assert [(m["window_s"], m["n_beats"], m["reason"]) for m in live_metrics] == [
        (m["window_s"], m["n_beats"], m["reason"]) for m in replay_metrics
    ]
    for a, b in zip(live_metrics, replay_metrics, strict=True):
        assert a["values"].keys() == b["values"].keys()
        for k, v in a["values"].items():
            assert (b["values"][k] is None) == (v is None), k
            if v is not None:
                assert b["values"][k] == pytest.approx(v, rel=1e-9), k

    def segments(events: list[dict[str, Any]]) -> list[Any]:
        return [e["data"] for e in events if e["type"] == "segment"]

    def links(events: list[dict[str, Any]]) -> list[Any]:
        return [e["data"]["state"] for e in events if e["type"] == "connection" and e["data"]["state"] != "closed"]

    assert segments(replay_events) == segments(live_events)
    assert links(replay_events) == links(live_events) and "lost" in links(live_events)


def test_replaying_a_log_with_a_bad_line_fails_the_session_with_the_line_number(tmp_path: Path) -> None:
    log = tmp_path / "bad.jsonl"
    log.write_text('{"t": 0, "t_utc": 1700000000, "hex": "063c"}\n{"t": 1, "hex": 12}\n')
    db = tmp_path / "t.sqlite3"
    session_id = asyncio.run(_record(ReplaySource(log, speed=math.inf), db, "replay"))
    conn = sqlite3.connect(db)
    status, detail = conn.execute("SELECT status, status_detail FROM sessions WHERE id=?", (session_id,)).fetchone()
    conn.close()
    assert status == "failed" and "line 2" in detail


def test_markers_are_timed_on_the_sources_clock_even_when_it_runs_fast(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"

    async def go() -> tuple[float, float, float, float]:
        async with Store(db) as store:
            manager = SessionManager(store, Hub())
            # 20x real time: the session's clock runs far ahead of the wall clock.
            session = await manager.start(SourceSpec(SimulatedStrap("calm", seed=1, speed=20, duration_s=60), "sim"))
            while session.counts["notifications"] < 40:
                await asyncio.sleep(0.02)
            frame = await session.add_marker("now")
            # A stalled machine may have let more arrive; and the clock sees an item just before
            # the pipeline counts it, so the newest time the marker can take is one further on.
            seen = session.counts["notifications"] + 1
            assert session.task is not None
            await asyncio.wait_for(session.task, 30)
            conn = sqlite3.connect(db)
            # Heart-rate notifications (the simulated H10's accelerometer frames have stream 'pmd').
            times = [
                t for (t,) in conn.execute("SELECT t_mono FROM notifications WHERE stream IS NULL ORDER BY t_mono")
            ]
            (marker_t,) = conn.execute("SELECT t_mono FROM events WHERE type='marker'").fetchone()
            conn.close()
            assert frame.text == "now"
            return times[0], times[39], marker_t, times[min(seen, len(times)) - 1]

    first, fortieth, marker_t, newest = asyncio.run(go())
    assert fortieth - first > 35, "40 notifications span ~39 s of session time (2 s of wall time)"
    assert fortieth <= marker_t <= newest, "the marker is at the newest notification's time, not the wall clock's"


def test_accelerometer_frames_are_stored_as_received_and_a_replay_finds_the_same_walk(tmp_path: Path) -> None:
    """Issue 25: the simulated H10's PMD frames are stored beside the heart-rate notifications
    (``stream`` 'pmd', with the rate that decodes them), exported in the replay log, and the
    replay's activity stage finds the same movement from them."""
    from tolerance.simulations import Activity, load_scenario

    calm = load_scenario("calm")
    scenario = dataclasses.replace(calm, activity=(Activity(200.0, 120.0),), duration_s=420.0)
    db = tmp_path / "t.sqlite3"
    live_id = asyncio.run(_record(SimulatedStrap(scenario, seed=5, speed=math.inf, duration_s=420), db, "sim"))
    log = tmp_path / "session.jsonl"
    with read_only(db) as conn:
        rows = list(queries.iter_notifications(conn, live_id))
        log.write_bytes(b"".join(formats.export_format("replay").write(conn, live_id)))
    pmd = [r for r in rows if r.stream == "pmd"]
    assert len(pmd) > 400 and all(r.settings == {"rate_hz": 25.0, "factor": 1.0} for r in pmd)
    assert all(r.payload[0] == 2 and r.error is None for r in pmd)
    replay_id = asyncio.run(_record(ReplaySource(log, speed=math.inf), db, "replay"))

    def activity(session_id: str) -> list[tuple[float, bool, str]]:
        with read_only(db) as conn:
            t0 = queries.session_t0(conn, session_id)
            return [
                (round(e.t_mono - t0, 3), e.data["active"], e.data["source"])
                for e in queries.iter_events(conn, session_id, "activity")
            ]

    live = activity(live_id)
    assert [(a, s) for _t, a, s in live] == [(True, "accelerometer"), (False, "accelerometer")]
    assert activity(replay_id) == live
