"""No client can stop a recording (issue 23): slow clients against a lowered descriptor limit,
connection caps per address, the request-head deadline on kept-alive connections, and logs a
flood cannot grow."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from served import Served, start_server, stop_server
from tolerance.api.serving import FD_RESERVE, RepeatFilter, limits_for, on_loop_error
from websockets.sync.client import connect

FD_LIMIT = 256
SLOW = 300
"""Slow connections held open at once: more than the server's descriptors allow."""
FLOOD_S = 12.0


def _lower_fd_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


def _slow_connection(port: int) -> socket.socket | None:
    """A connection from 127.0.0.2 (another client address than the worker's page)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        return s
    except OSError:
        s.close()
        return None


def _slowloris(port: int, stop: threading.Event, stats: dict[str, int]) -> None:
    """Keep up to SLOW connections each sending an unfinished request head, one byte at a time;
    reopen the ones the server closes."""
    head = b"GET /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 10_000
    conns: dict[socket.socket, int] = {}
    try:
        while not stop.is_set():
            while len(conns) < SLOW and not stop.is_set():
                s = _slow_connection(port)
                stats["opened"] += 1
                if s is None:
                    stats["refused"] += 1
                    break
                conns[s] = 0
            for s, sent in list(conns.items()):
                try:
                    s.send(head[sent : sent + 1])
                    conns[s] = sent + 1
                    if s.recv(1024, socket.MSG_PEEK) == b"":
                        raise ConnectionResetError
                except BlockingIOError:
                    pass
                except OSError:
                    stats["closed_by_server"] += 1
                    s.close()
                    del conns[s]
            time.sleep(0.2)
    finally:
        for s in conns:
            s.close()


def _beats_over_websocket(served: Served, sid: str, stop: threading.Event, seen: list[float]) -> None:
    with served.ws(f"/ws/sessions/{sid}") as ws:
        while not stop.is_set():
            try:
                frame = json.loads(ws.recv(timeout=1.0))
            except TimeoutError:
                continue
            if frame["type"] == "beat":
                seen.append(time.monotonic())


def test_slow_clients_against_a_low_descriptor_limit_never_stop_the_recording(tmp_path: Path) -> None:
    """Regression (issue 23): 1,100 connections each trickling a request head held every
    descriptor; real clients timed out, the live session ended ``failed`` (EMFILE in a lazy
    import) and the error log grew by 469 MB in about a minute."""
    served = start_server(
        tmp_path,
        "--sim",
        "calm",
        "--seed",
        "2",
        "--speed",
        "10",
        env={"TOLERANCE_HEADER_TIMEOUT_S": "2", "TOLERANCE_MAX_CONNECTIONS_PER_CLIENT": "40"},
        preexec_fn=_lower_fd_limit,
    )
    port = int(served.url.rsplit(":", 1)[1].strip("/"))
    try:
        sid = served.http.get("api/sessions").json()[0]["id"]
        stop, done = threading.Event(), threading.Event()
        stats = {"opened": 0, "refused": 0, "closed_by_server": 0}
        beats: list[float] = []
        watcher = threading.Thread(target=_beats_over_websocket, args=(served, sid, done, beats), daemon=True)
        watcher.start()
        flood = threading.Thread(target=_slowloris, args=(port, stop, stats), daemon=True)
        flood.start()
        t0 = time.monotonic()
        time.sleep(FLOOD_S / 2)
        # The worker's page (another address) is still served in the middle of the flood.
        stored_mid = served.http.get(f"api/sessions/{sid}", timeout=10).json()["stored"]["beats"]
        time.sleep(FLOOD_S / 2)
        stored_end = served.http.get(f"api/sessions/{sid}", timeout=10).json()["stored"]["beats"]
        t1 = time.monotonic()
        stop.set()
        flood.join(30)
        during = [t for t in beats if t0 < t < t1]
        assert stats["opened"] > SLOW and stats["closed_by_server"] > SLOW / 2, stats
        assert stored_end > stored_mid > 0, "the session went on storing beats through the flood"
        assert len(during) > 20, "and streaming them to the page"
        session = served.http.get(f"api/sessions/{sid}").json()
        assert session["status"] == "live", session
        assert served.http.delete(f"api/sessions/{sid}").json()["status"] == "ended"
        done.set()
        watcher.join(10)
    finally:
        stop_server(served)
    log = served.log.read_text()
    assert "Traceback" not in log and "Too many open files" not in log, log[-3000:]
    assert len(log) < 8_000, f"the log grew to {len(log)} bytes:\n{log[:3000]}"
    assert log.count("was not complete within 2 s") == 1, log
    assert "more like" in log, "the held-back records are counted once, at the end"


def _closed_by_server(s: socket.socket) -> bytes:
    """What the server sends until it closes ``s`` (the socket's 30 s timeout fails the test)."""
    rest = b""
    while chunk := s.recv(65536):
        rest += chunk
    return rest


def _one_response(s: socket.socket) -> bytes:
    """One whole response with a Content-Length (head and body may come in several pieces)."""
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(65536)
    head, _, body = got.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += s.recv(65536)
    return head + b"\r\n\r\n" + body


def test_a_slow_head_on_a_kept_alive_connection_or_a_slow_body_is_closed(tmp_path: Path) -> None:
    served = start_server(
        tmp_path, "--sim", "calm", env={"TOLERANCE_HEADER_TIMEOUT_S": "1", "TOLERANCE_BODY_TIMEOUT_S": "1"}
    )
    port = int(served.url.rsplit(":", 1)[1].strip("/"))
    head = f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {served.token}\r\n"
    try:
        sid = served.http.get("api/sessions").json()[0]["id"]
        # A whole request, its answer, then a head that never ends: the deadline starts again
        # after each response (uvicorn's keep-alive timeout stops at the first byte).
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(f"GET /api/health HTTP/1.1\r\n{head}\r\n".encode())
            first = _one_response(s)
            assert first.startswith(b"HTTP/1.1 200"), first[:200]
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: 12")
            assert _closed_by_server(s) == b"", "closed without an answer to the unfinished head"
        # A head announcing 100 bytes of body, then 10 of them.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(
                f"POST /api/sessions/{sid}/markers HTTP/1.1\r\n{head}content-type: application/json\r\n"
                f'content-length: 100\r\n\r\n{{"text": '.encode()
            )
            assert not _closed_by_server(s).startswith(b"HTTP/1.1 201")
        assert served.http.get("api/health").status_code == 200
    finally:
        stop_server(served)
    log = served.log.read_text()
    assert "its request head was not complete within 1 s" in log
    assert "its request body was not complete within 1 s" in log


def test_connections_beyond_the_per_address_cap_are_refused_at_once(tmp_path: Path) -> None:
    served = start_server(tmp_path, "--sim", "calm", env={"TOLERANCE_MAX_CONNECTIONS_PER_CLIENT": "5"})
    port = int(served.url.rsplit(":", 1)[1].strip("/"))
    held: list[socket.socket] = []
    try:
        for _ in range(5):
            s = _slow_connection(port)
            assert s is not None
            held.append(s)
        extra = socket.socket()
        extra.settimeout(30)
        extra.bind(("127.0.0.2", 0))
        extra.connect(("127.0.0.1", port))
        held.append(extra)
        answer = extra.recv(4096)
        assert answer.startswith(b"HTTP/1.1 503") and b"too many connections" in answer
        # Another address (the worker's own page) is served meanwhile.
        assert served.http.get("api/health").status_code == 200
    finally:
        for s in held:
            s.close()
        stop_server(served)
    assert served.log.read_text().count("refused a connection from 127.0.0.2") == 1


def test_the_connection_cap_leaves_descriptors_for_the_recording() -> None:
    limits = limits_for(4096, 256, 10.0, 30.0, fd_soft=256)
    assert limits.max_connections == 256 - FD_RESERVE and limits.max_per_client == 256 - FD_RESERVE
    assert limits_for(4096, 256, 10.0, 30.0, fd_soft=1 << 20).max_connections == 4096


def test_a_flood_of_one_record_logs_once_then_once_with_its_count(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    repeat = RepeatFilter(window_s=60.0, clock=lambda: now[0])
    logger = logging.getLogger("tolerance.test.flood")
    caplog.handler.addFilter(repeat)
    try:
        with caplog.at_level(logging.WARNING, logger="tolerance.test.flood"):
            for k in range(1000):
                logger.warning("refused a connection from %s", f"10.0.{k // 250}.{k % 250}")
            logger.warning("another kind")
            now[0] = 61.0
            logger.warning("refused a connection from %s", "10.9.9.9")
            for _ in range(5):
                logger.warning("refused a connection from %s", "10.9.9.9")
            repeat.flush(logger)
    finally:
        caplog.handler.removeFilter(repeat)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "refused a connection from 10.0.0.0"
    assert messages[1] == "another kind"
    assert messages[2] == "refused a connection from 10.9.9.9 [999 more like this in the last 61 s, not logged]"
    assert len(messages) == 4 and messages[3].startswith("5 more like 'refused a connection from %s'")


_AUDITED_SERVE = """
import os, sys, threading
flag, out = sys.argv[1], sys.argv[2]
late = []

def hook(event, args):
    if event == "import" and os.path.exists(flag):
        late.append(f"{args[0]} ({threading.current_thread().name})")

sys.addaudithook(hook)
import atexit
atexit.register(lambda: open(out, "w").write("\\n".join(late)))
from tolerance.api.cli import main
sys.exit(main(sys.argv[3:]))
"""


def test_nothing_is_imported_once_the_first_session_records(tmp_path: Path) -> None:
    """Regression (issue 23): the live session died of EMFILE in an import made lazily at run
    time (numpy imports numpy.ma on the first np.percentile), while a flood held every
    descriptor. Everything the recording path needs is imported before the first session."""
    flag, out, log = tmp_path / "recording", tmp_path / "late-imports.txt", tmp_path / "serve.log"
    db = tmp_path / "t.sqlite3"
    args = ["serve", "--port", "0", "--db", str(db), "--sim", "stress-spike", "--seed", "4", "--speed", "25"]
    args += ["--baseline", "0:180", "--profile", "worker"]
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-c", _AUDITED_SERVE, str(flag), str(out), *args], stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        m = _wait_for(lambda: re.search(r"(http://127\.0\.0\.1:\d+/)\?token=(\S+)", log.read_text()), "the URL")
        http = httpx.Client(base_url=m.group(1), headers={"Authorization": f"Bearer {m.group(2)}"}, timeout=30)
        sid = http.get("api/sessions").json()[0]["id"]
        _wait_for(lambda: http.get(f"api/sessions/{sid}").json()["stored"]["beats"] > 0, "the first beats")
        flag.touch()  # from here on, the server must import nothing
        ws_url = m.group(1).replace("http", "ws") + f"ws/sessions/{sid}"
        with connect(ws_url, additional_headers={"Authorization": f"Bearer {m.group(2)}"}) as ws:
            ws.send(json.dumps({"v": 1, "type": "marker", "text": "a call"}))
            ws.send(json.dumps({"v": 1, "type": "breathing", "action": "start", "rate_per_min": 6}))
            assert http.post(f"api/sessions/{sid}/markers", json={"text": "noted"}).status_code == 201
            kinds: set[str] = set()
            deadline = time.monotonic() + 90
            while not {"metrics", "episode", "adherence", "nudge"} <= kinds and time.monotonic() < deadline:
                frame = json.loads(ws.recv(timeout=30))
                kinds.add(frame["type"])
                if frame["type"] == "episode" and frame["state"] == "close":
                    break
            assert {"metrics", "episode", "zone"} <= kinds, kinds
            ws.send(json.dumps({"v": 1, "type": "breathing", "action": "stop"}))
            assert http.post(f"api/sessions/{sid}/calibration", json={}).status_code == 202
            assert http.post(f"api/sessions/{sid}/resonance", json={}).status_code == 202
            assert http.post(f"api/sessions/{sid}/stress", json={}).status_code == 201
            for _ in range(50):
                json.loads(ws.recv(timeout=30))
        assert http.delete(f"api/sessions/{sid}").json()["status"] == "ended"
        http.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert out.exists(), log.read_text()[-2000:]
    assert out.read_text() == "", f"imported after the first session started recording:\n{out.read_text()}"


def _wait_for(check: Any, what: str, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_open_file_limit_is_raised_to_the_hard_limit_at_start(tmp_path: Path) -> None:
    served = start_server(
        tmp_path, "--sim", "calm", preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, 2048))
    )
    try:
        limits = Path(f"/proc/{served.proc.pid}/limits").read_text()
        (line,) = [x for x in limits.splitlines() if x.startswith("Max open files")]
        assert line.split()[3:5] == ["2048", "2048"], line
    finally:
        stop_server(served)


def test_running_out_of_descriptors_while_accepting_is_one_line_with_advice(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.WARNING):
            exc = OSError(errno.EMFILE, "Too many open files")
            on_loop_error(loop, {"message": "socket.accept() out of system resource", "exception": exc})
            on_loop_error(loop, {"message": "something else", "exception": ValueError("x")})
    finally:
        loop.close()
    first, second = caplog.records
    assert first.exc_info is None and "ulimit -n" in first.getMessage() and "Too many open files" in first.getMessage()
    assert second.getMessage() == "something else" and second.exc_info is not None
