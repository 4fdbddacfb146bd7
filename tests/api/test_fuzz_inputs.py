"""Hostile input, fuzzed with hypothesis: the BLE parser, the notification-log reader, the RR
file readers and websocket frames. Each either works or refuses with its own error type (and,
on the websocket, an ``error`` frame with a code and a message; the socket and the server stay
up, and nothing stored changes). Counts of cases run are printed at the end."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from api_fakes import PacedStrap
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from served import in_process
from starlette.testclient import TestClient
from tolerance.api import Settings, create_app
from tolerance.api.formats import read_rr_file
from tolerance.api.formats.rr_series import RRFileError
from tolerance.api.protocol import FrameError, parse_client_frame
from tolerance.api.protocol.codes import MAX_CLIENT_FRAME_BYTES
from tolerance.api.routes import ws as ws_route
from tolerance.api.session import SourceSpec
from tolerance.sensors import MalformedPayload, ReplayFileError, decode_hrm
from tolerance.sensors.replay import read_log

CASES: Counter[str] = Counter()
FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=64),
        st.tuples(st.integers(0, 255), st.binary(max_size=30)).map(lambda t: bytes([t[0]]) + t[1]),
    )
)
def test_decode_hrm_returns_or_refuses_as_malformed(payload: bytes) -> None:
    CASES["decode_hrm"] += 1
    try:
        m = decode_hrm(payload)
    except MalformedPayload:
        return
    assert 0 <= m.hr_bpm <= 65535 and all(0 <= rr <= 65535 for rr in m.rr_raw)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
_LINE_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "t": st.one_of(st.floats(), st.integers(), st.text(max_size=3)),
        "t_utc": st.one_of(st.floats(), st.integers()),
        "kind": st.sampled_from(["notification", "connection", "device", "marker", "x"]),
        "payload": st.one_of(st.text(max_size=20), st.binary(max_size=10).map(bytes.hex)),
        "state": st.text(max_size=8),
        "source": st.text(max_size=8),
        "format": st.text(max_size=8),
        "version": st.integers(),
    },
)
_LOG_LINE = st.one_of(_LINE_FIELDS.map(json.dumps), _JSON.map(lambda v: json.dumps(v)), st.text(max_size=40))


@FUZZ
@given(lines=st.lists(_LOG_LINE, max_size=8), raw=st.binary(max_size=40), use_raw=st.booleans())
def test_read_log_returns_or_refuses_with_replay_file_error(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], raw: bytes, use_raw: bool
) -> None:
    CASES["read_log"] += 1
    path = tmp_path_factory.getbasetemp() / "fuzz.jsonl"
    path.write_bytes(raw if use_raw else "\n".join(lines).encode("utf-8", "surrogatepass"))
    try:
        read_log(path)
    except ReplayFileError:
        pass


_RR_TOKEN = st.one_of(
    st.integers(-5000, 100000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["rr_ms", "RR", "time", ",", ";", "\t", "nan", "inf", "-", "Kubios", "[RR]", "#"]),
    st.text(max_size=6),
)
_RR_TEXT = st.lists(st.lists(_RR_TOKEN, max_size=5).map(" ".join), max_size=30).map("\n".join)
_RR_CSV = st.lists(st.lists(_RR_TOKEN, min_size=1, max_size=4).map(",".join), max_size=30).map(
    lambda rows: "\n".join(["t_s,rr_ms", *rows])
)


@FUZZ
@given(text=st.one_of(_RR_TEXT, _RR_CSV), raw=st.binary(max_size=60), use_raw=st.booleans())
def test_rr_readers_return_or_refuse_with_rr_file_error(
    tmp_path_factory: pytest.TempPathFactory, text: str, raw: bytes, use_raw: bool
) -> None:
    CASES["read_rr_file"] += 1
    for suffix in (".txt", ".csv"):
        path = tmp_path_factory.getbasetemp() / f"fuzz{suffix}"
        path.write_bytes(raw if use_raw else text.encode("utf-8", "surrogatepass"))
        try:
            read_rr_file(path)
        except RRFileError:
            pass


# websocket frames ---------------------------------------------------------------------------
def _nested(depth: int) -> str:
    return '{"v": 1, "type": "ping", "x": ' + "[" * depth + "]" * depth + "}"


_FRAME = st.one_of(
    st.text(max_size=60),  # not JSON, mostly
    _JSON.map(json.dumps),  # JSON, rarely an object with the right fields
    st.fixed_dictionaries(
        {
            "v": st.one_of(st.just(1), st.integers(), st.booleans(), st.floats(), st.text(max_size=2), st.none()),
            "type": st.one_of(
                st.sampled_from(["marker", "ping", "breathing", "pong", "", "STOP"]), st.text(max_size=8)
            ),
        },
        optional={
            "text": st.one_of(st.text(max_size=600), st.integers()),
            "action": st.sampled_from(["start", "stop", "go"]),
            "rate_per_min": st.one_of(st.floats(), st.booleans(), st.integers(-5, 30)),
            "ratio": st.lists(st.one_of(st.floats(), st.integers(), st.text(max_size=2)), max_size=3),
            "extra": _JSON,
        },
    ).map(json.dumps),
    st.integers(1, 200).map(_nested),
    st.integers(MAX_CLIENT_FRAME_BYTES - 8, MAX_CLIENT_FRAME_BYTES + 2000).map(
        lambda n: json.dumps({"v": 1, "type": "marker", "text": "x" * n})
    ),
    st.binary(max_size=40),
)


@pytest.fixture(scope="module")
def ws_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, Path]]:
    db = tmp_path_factory.mktemp("wsfuzz") / "t.sqlite3"
    settings = Settings(db=db)
    app = create_app(settings, lambda: [SourceSpec(PacedStrap(n=100_000, period_s=0.05), "ble", {})])
    with in_process(app, settings.access_token) as client:
        sid = client.get("/api/sessions").json()[0]["id"]
        yield client, sid, db


def _markers(db: Path, sid: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(
            conn.execute("SELECT COUNT(*) FROM events WHERE session_id=? AND type='marker'", (sid,)).fetchone()[0]
        )
    finally:
        conn.close()


def test_websocket_frames_get_an_error_frame_and_the_socket_stays_up(ws_client: tuple[TestClient, str, Path]) -> None:
    client, sid, db = ws_client
    markers_before = _markers(db, sid)
    valid_markers = 0
    # Not the rate limit under test here: every frame must be answered on its merits.
    with mock.patch.object(ws_route._TokenBucket, "take", lambda self: True):
        with client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:

            @settings(
                max_examples=400,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                derandomize=True,
            )
            @given(frame=_FRAME)
            def run(frame: str | bytes) -> None:
                nonlocal valid_markers
                CASES["websocket"] += 1
                pongs = 1  # the ping sent after the frame, to know its answers are all in
                try:
                    command = parse_client_frame(frame)
                    expected: str | None = None
                    valid_markers += command.type == "marker"
                    pongs += command.type == "ping"
                    assert command.type in ("marker", "ping", "breathing")
                except FrameError as exc:
                    expected = exc.code.value
                if isinstance(frame, bytes):
                    ws.send_bytes(frame)
                else:
                    ws.send_text(frame)
                ws.send_text(json.dumps({"v": 1, "type": "ping"}))
                replies = []
                while pongs:
                    reply = json.loads(ws.receive_text())
                    pongs -= reply["type"] == "pong"
                    replies.append(reply)
                errors = [r for r in replies if r["type"] == "error"]
                if expected is not None:
                    assert [e["code"] for e in errors] == [expected], (frame, replies)
                    assert errors[0]["message"]
                else:
                    assert all(e["code"] == "bad_field" for e in errors)  # e.g. breathing refused by the pacer

            run()
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.get(f"/api/sessions/{sid}").json()["status"] == "live"
    deadline = time.monotonic() + 5
    while _markers(db, sid) - markers_before < valid_markers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _markers(db, sid) - markers_before == valid_markers, "only valid markers are stored"


def test_the_fuzzing_ran(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\ninput fuzzing: {dict(CASES)} ({sum(CASES.values())} cases)")  # noqa: T201
    assert not CASES or sum(CASES.values()) > 0
