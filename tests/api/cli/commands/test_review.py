"""`tolerance review`: a day's time in window and episodes, from stored rows."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from tolerance.api.cli import main
from tolerance.api.review import day_bounds
from tolerance.api.storage import EpisodeRow, EventRow, Store, queries


def _day(tmp_path: Path) -> tuple[Path, dt.date]:
    db = tmp_path / "t.sqlite3"
    day = dt.date(2026, 11, 30)
    t0 = day_bounds(day)[0] + 9 * 3600  # 09:00 local

    async def go() -> None:
        async with Store(db) as store:
            s = await queries.create_session(store, source_kind="sim", source_id="sim:x", params={})
            # 10 min within, 4 min above, then 2 min of silence, then 4 min within: zone events every 5 s.
            zones = ["within"] * 120 + ["hyper"] * 48
            events = [EventRow(s.id, i, float(i * 5), t0 + i * 5, "zone", {"zone": z}) for i, z in enumerate(zones)]
            later = t0 + 168 * 5 + 120
            events += [EventRow(s.id, 168 + i, 0.0, later + i * 5, "zone", {"zone": "within"}) for i in range(49)]
            events.append(EventRow(s.id, 300, 600.0, t0 + 600, "note", {"episode": 0, "text": "the call"}))
            curve = {"curve_t_s": [600.0, 650.0], "curve_arousal": [1.2, 3.2]}
            ep = EpisodeRow(
                s.id, 0, t0 + 600, t0 + 900, 600.0, 650.0, 3.2, 800.0, 150.0, 61.0, 0.97, 120.0,
                False, False, None, True, curve,
            )  # fmt: skip
            await store.insert([*events, ep])

    asyncio.run(go())
    return db, day


def test_review_reports_time_in_window_with_silence_apart_and_each_episode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, day = _day(tmp_path)
    assert main(["review", day.isoformat(), "--db", str(db), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    tiw = doc["time_in_window"]
    assert tiw["within_s"] == pytest.approx(120 * 5 + 48 * 5, abs=5)
    assert tiw["hyper_s"] == pytest.approx(48 * 5, abs=5)
    assert tiw["unknown_s"] == pytest.approx(120 - 10 + 5, abs=10), "a silence is no signal, never inside"
    assert tiw["within_share"] == pytest.approx(tiw["within_s"] / (tiw["within_s"] + tiw["hyper_s"]))
    (e,) = doc["episodes"]
    assert e["tau_s"] == 61.0 and e["notes"][0]["text"] == "the call" and e["curve"]["arousal"] == [1.2, 3.2]
    assert [d["date"] for d in doc["trend"]][-1] == day.isoformat()

    assert main(["review", day.isoformat(), "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert "Time in your window: 77%" in text and "note: the call" in text and "not a diagnosis" in text


def test_an_empty_day_says_so_and_a_bad_date_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, day = _day(tmp_path)
    assert main(["review", "2026-11-29", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "no usable signal this day" in out and "No excursions" in out
    assert main(["review", "yesterday", "--db", str(db)]) == 2
    assert "not a date" in capsys.readouterr().err
