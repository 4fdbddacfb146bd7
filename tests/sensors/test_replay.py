"""Recording notification logs and replaying them through the live parser."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from tolerance.sensors import (
    BleStrap,
    ConnectionEvent,
    ConnectionState,
    HeartRateSample,
    MalformedNotification,
    NotificationLogWriter,
    ReplayFileError,
    ReplaySource,
    Sensor,
    decode_hrm,
    read_log,
    write_log,
)

LOG = Path(__file__).parents[1] / "data" / "replay" / "polar_h10_like.jsonl"


def replay_all(kit: Any, source: ReplaySource) -> list[Any]:
    return kit.run(kit.take(source.stream(), lambda items: False))


def test_replay_source_is_a_sensor() -> None:
    assert isinstance(ReplaySource(LOG), Sensor)
    assert ReplaySource(LOG).source_id == "replay:polar_h10_like.jsonl"


def test_replay_yields_exactly_the_recorded_notifications_and_events(kit: Any) -> None:
    lines = [json.loads(x) for x in LOG.read_text().splitlines()][1:]  # skip the header
    items = replay_all(kit, ReplaySource(LOG, speed=math.inf, source_id="r1"))
    assert len(items) == len(lines)
    for line, item in zip(lines, items, strict=True):
        assert (item.t_mono, item.t_utc, item.source) == (line["t"], line["t_utc"], "r1")
        if "event" in line:
            assert isinstance(item, ConnectionEvent) and item.state == ConnectionState(line["event"])
            continue
        payload = bytes.fromhex(line["hex"])
        assert item.payload == payload
        if isinstance(item, MalformedNotification):
            assert line["hex"] == "103c2c" and "odd number" in item.reason
        else:
            m = decode_hrm(payload)
            assert (item.hr_bpm, item.rr_raw, item.rr_ms, item.contact) == (m.hr_bpm, m.rr_raw, m.rr_ms, m.contact)
    assert sum(isinstance(i, HeartRateSample) for i in items) == 116
    assert sum(isinstance(i, MalformedNotification) for i in items) == 1


def test_replay_keeps_the_recorded_timing_scaled_by_speed(kit: Any, clock: Any) -> None:
    source = ReplaySource(LOG, speed=10.0, sleep=clock.sleep, clock=clock.monotonic)
    items = replay_all(kit, source)
    # Against an absolute schedule: after every sleep the clock is at t/speed from the start.
    assert sum(clock.sleeps) == pytest.approx((items[-1].t_mono - items[0].t_mono) / 10.0)
    assert len(clock.sleeps) == len(items) - 1  # every line but the first is later than the one before
    assert min(clock.sleeps) > 0


def test_replay_at_infinite_speed_never_sleeps(kit: Any, clock: Any) -> None:
    replay_all(kit, ReplaySource(LOG, speed=math.inf, sleep=clock.sleep, clock=clock.monotonic))
    assert clock.sleeps == []


def test_live_stream_recorded_then_replayed_gives_the_same_samples(world: Any, kit: Any, tmp_path: Path) -> None:
    script = [bytes.fromhex(e["hex"]) for e in kit.real_payloads(captured_only=False)] + [b"\x10"]
    world.add("C8:2E:00:00:00:01", "strap", script)
    strap = BleStrap(
        "C8:2E:00:00:00:01",
        client_factory=world.client_class,
        scanner=world.scanner,
        connect_attempts=1,
        scan_timeout_s=0.5,
    )
    live = kit.run(
        kit.take(
            strap.stream(),
            lambda items: sum(isinstance(i, HeartRateSample | MalformedNotification) for i in items) == len(script),
        )
    )
    path = tmp_path / "live.jsonl"
    written = write_log(live, path)
    assert written == sum(not type(i).__name__ == "DeviceInfo" for i in live)
    replayed = replay_all(kit, ReplaySource(path, speed=math.inf, source_id=strap.source_id))
    want = [i for i in live if type(i).__name__ != "DeviceInfo"]
    t0 = want[0].t_mono
    assert len(replayed) == len(want)
    for a, b in zip(want, replayed, strict=True):
        assert type(a) is type(b)
        assert b.t_mono == pytest.approx(a.t_mono - t0, abs=1e-6) and b.t_utc == a.t_utc
        if isinstance(a, HeartRateSample | MalformedNotification):
            assert a.payload == b.payload
        if isinstance(a, HeartRateSample):
            assert (a.hr_bpm, a.rr_raw, a.contact, a.energy_kj) == (b.hr_bpm, b.rr_raw, b.contact, b.energy_kj)


def test_writer_re_encodes_samples_without_payload(tmp_path: Path, kit: Any) -> None:
    s = HeartRateSample("sim:calm:1", 5.0, 1_700_000_000.0, 61, (983.3984375,), (1007,), None, None)
    with NotificationLogWriter(tmp_path / "sim.jsonl") as w:
        w.write(s)
    (item,) = replay_all(kit, ReplaySource(tmp_path / "sim.jsonl", speed=math.inf))
    assert (item.hr_bpm, item.rr_raw, item.t_mono, item.t_utc) == (61, (1007,), 0.0, 1_700_000_000.0)


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ('{"t": 0, "t_utc": 1, "hex": "063c"}\nnot json\n', 2, "not JSON"),
        ("[1, 2]\n", 1, "JSON object"),
        ('{"t": 0, "t_utc": 1, "hex": "0g"}\n', 1, "not hexadecimal"),
        ('{"t": 1, "t_utc": 1, "hex": "063c"}\n{"t": 0.5, "t_utc": 1, "hex": "063c"}\n', 2, "backwards"),
        ('{"t": 0, "hex": "063c"}\n', 1, "'t_utc'"),
        ('{"t": "0", "t_utc": 1, "hex": "063c"}\n', 1, "'t'"),
        ('\n{"t": 0, "event": "exploded"}\n', 2, "unknown event"),
        ('{"t": 0, "t_utc": 1}\n', 1, "needs 'hex'"),
        ('{"format": "other", "version": 1}\n', 1, "unknown log format"),
    ],
)
def test_malformed_log_lines_raise_replay_file_error_with_path_and_line(
    tmp_path: Path, kit: Any, content: str, line: int, words: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(ReplayFileError) as info:
        replay_all(kit, ReplaySource(path))
    assert (info.value.path, info.value.line) == (str(path), line)
    assert words in info.value.reason and f"line {line}" in str(info.value)


def test_missing_log_file_is_a_replay_file_error(tmp_path: Path, kit: Any) -> None:
    with pytest.raises(ReplayFileError, match="cannot read"):
        replay_all(kit, ReplaySource(tmp_path / "nope.jsonl"))


def test_event_without_utc_gets_it_from_the_notifications_clock(tmp_path: Path, kit: Any) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"t": 1.0, "t_utc": 101.0, "hex": "063c"}\n{"t": 2.5, "event": "lost"}\n')
    _, lost = replay_all(kit, ReplaySource(path, speed=math.inf))
    assert (lost.state, lost.t_mono, lost.t_utc) == (ConnectionState.LOST, 2.5, 102.5)


def _log(path: Path, lines: list[dict[str, Any]], *, tail: str = "") -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines) + tail)
    return path


def _beats(t0: float, utc0: float, n: int) -> list[dict[str, Any]]:
    return [{"t": t0 + i, "t_utc": utc0 + i, "hex": "10495e039603"} for i in range(n)]


@pytest.mark.parametrize(
    ("second_t", "second_utc", "words"),
    [
        (10.0 + 30 * 86400, 1.7e9 + 10.0 + 30 * 86400, "jumps 30.0 days ahead"),  # issue 23: 30 days
        (10.0, -1.0e9, "to 1938-04-24"),  # issue 23: the host clock back to 1938
    ],
)
def test_a_recorded_clock_that_jumps_is_replayed_as_a_gap_and_not_waited_out(
    tmp_path: Path, kit: Any, clock: Any, second_t: float, second_utc: float, words: str
) -> None:
    path = _log(tmp_path / "j.jsonl", _beats(0.0, 1.7e9, 5) + _beats(second_t, second_utc, 5))
    source = ReplaySource(path, speed=1.0, sleep=clock.sleep, clock=clock.monotonic)
    items = replay_all(kit, source)
    events = [i for i in items if isinstance(i, ConnectionEvent)]
    assert [e.state for e in events] == [ConnectionState.LOST, ConnectionState.RECONNECTED]
    assert words in events[0].detail and source.clock_jumps == 1
    assert items.index(events[0]) == 5  # between the last beat before the jump and the first after
    assert sum(isinstance(i, HeartRateSample) for i in items) == 10
    assert sum(clock.sleeps) < 15.0  # about 9 s of recorded beats, not the jump


def test_a_cut_last_line_is_reported_and_the_lines_before_it_replayed(tmp_path: Path, kit: Any) -> None:
    path = _log(tmp_path / "cut.jsonl", _beats(0.0, 1.7e9, 6), tail='{"t": 6.0, "t_utc": 1700000006.0, "he')
    problems: list[str] = []
    assert len(read_log(path, problems)) == 6
    assert len(problems) == 1 and "cut.jsonl, line 7" in problems[0] and "cut short" in problems[0]
    items = replay_all(kit, ReplaySource(path, speed=math.inf))
    assert len(items) == 6


def test_a_bad_line_that_is_not_the_last_still_refuses_the_log(tmp_path: Path, kit: Any) -> None:
    path = _log(tmp_path / "mid.jsonl", _beats(0.0, 1.7e9, 2))
    path.write_text(path.read_text() + '{"t": 2.0, "he\n' + json.dumps(_beats(3.0, 1.7e9 + 3, 1)[0]))
    with pytest.raises(ReplayFileError) as info:
        replay_all(kit, ReplaySource(path))
    assert info.value.line == 3


def test_accelerometer_frames_are_logged_as_received_and_replayed_through_the_same_decoder(
    tmp_path: Path, kit: Any
) -> None:
    """Issue 25: a PMD frame is a ``pmd`` line (version 2) with its stream's rate; replay decodes it
    with the live decoder, and a frame it refuses is a MalformedNotification, as live."""
    from tolerance.sensors import AccelerometerSample
    from tolerance.simulations import simulate

    sim = simulate("calm", seed=3, duration_s=30)
    bad = MalformedNotification("x", 30.5, 30.5, bytes.fromhex("0201"), "timestamp truncated", "pmd", 25.0)
    path = tmp_path / "acc.jsonl"
    write_log([*sim.items[:-1], bad], path)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert lines[0]["version"] == 2
    pmd = [x for x in lines if "pmd" in x]
    assert len(pmd) == len(sim.accelerometer) + 1 and {x["rate_hz"] for x in pmd} == {25.0}
    assert pmd[0]["pmd"] == sim.accelerometer[0].payload.hex()
    items = replay_all(kit, ReplaySource(path, speed=math.inf, source_id="r"))
    frames = [i for i in items if isinstance(i, AccelerometerSample)]
    assert [(f.samples_mg, f.timestamp_ns, f.payload) for f in frames] == [
        (f.samples_mg, f.timestamp_ns, f.payload) for f in sim.accelerometer
    ]
    (refused,) = [i for i in items if isinstance(i, MalformedNotification)]
    assert refused.stream == "pmd" and "timestamp truncated" in refused.reason and refused.payload == bad.payload


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"t": 0, "t_utc": 1, "pmd": "02", "rate_hz": 0}', "must be positive"),
        ('{"t": 0, "t_utc": 1, "pmd": "02"}', "'rate_hz' must be a finite number"),
        ('{"t": 0, "t_utc": 1, "pmd": "0z", "rate_hz": 25}', "not hexadecimal"),
        ('{"format": "tolerance-notifications", "version": 3}', "unknown log format"),
    ],
)
def test_bad_pmd_lines_are_refused_with_the_line(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(ReplayFileError, match=reason):
        read_log(path)
