"""The access token end to end on a real ``tolerance serve``: on loopback as beyond it, the printed
URL carries a token, and without it HTTP requests and websocket handshakes get 401."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from served import start_server, stop_server
from tolerance.api.network import primary_address
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect


def test_another_local_user_without_the_token_gets_401_on_loopback(tmp_path: Path) -> None:
    """Regression (issue 23): on 127.0.0.1 another account exported, stopped and deleted a
    worker's session (all 200): the loopback API asked for no token."""
    served = start_server(tmp_path, "--sim", "calm", "--speed", "5")
    try:
        assert re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}", served.log.read_text())
        sid = served.http.get("api/sessions").json()[0]["id"]
        base = served.url
        assert httpx.get(base + "api/sessions").status_code == 401
        assert httpx.get(base + f"api/sessions/{sid}/export", params={"format": "json"}).status_code == 401
        assert httpx.delete(base + f"api/sessions/{sid}").status_code == 401
        assert httpx.delete(base + f"api/sessions/{sid}/data").status_code == 401
        assert httpx.get(base + "api/sessions", headers={"Authorization": "Bearer " + "x" * 43}).status_code == 401
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{served.ws_base}/ws/sessions/{sid}")
        assert refused.value.response.status_code == 401
        # The worker's own session is untouched, and the worker (with the token) is served.
        assert served.http.get(f"api/sessions/{sid}").json()["status"] == "live"
        with served.ws(f"/ws/sessions/{sid}") as ws:
            assert '"hello"' in str(ws.recv(timeout=10))
        first = httpx.get(served.login_url)
        assert first.status_code == 303 and first.headers["location"] == "/"
        assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Strict" in first.headers["set-cookie"]
    finally:
        stop_server(served)


def test_the_environment_gives_the_token_and_it_is_nowhere_on_the_command_line(tmp_path: Path) -> None:
    token = "my own token, with spaces & Grüße"
    env = {**os.environ, "TOLERANCE_ACCESS_TOKEN": token}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tolerance.api.cli", "serve", "--port", "0", "--db", str(tmp_path / "t.sqlite3")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = ""
        for _ in range(20):  # the first lines may be warnings; the URL comes once the store is open
            line = proc.stdout.readline().decode()
            if "live at" in line:
                break
        assert "?token=my%20own%20token%2C%20with%20spaces%20%26%20Gr%C3%BC%C3%9Fe" in line, line
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert token.encode() not in cmdline and b"token" not in cmdline
        base = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert base
        assert httpx.get(base.group(0) + "api/health").status_code == 401
    finally:
        proc.terminate()
        proc.wait(10)
        assert proc.stdout is not None
        proc.stdout.close()


def test_serving_on_every_interface_needs_the_printed_token(tmp_path: Path) -> None:
    served = start_server(tmp_path, "--host", "0.0.0.0", "--public-name", "tolerance.lan", "--sim", "calm")
    try:
        token = served.token
        base = served.url
        assert httpx.get(base + "api/health").status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        sessions = httpx.get(base + "api/sessions", headers=bearer).json()
        first = httpx.get(base, params={"token": token})
        assert first.status_code == 303 and "HttpOnly" in first.headers["set-cookie"]
        port = base.rsplit(":", 1)[1].strip("/")
        assert httpx.get(base, cookies={f"tolerance_token_{port}": token}).status_code == 200
        ws_url = f"{served.ws_base}/ws/sessions/{sessions[0]['id']}"
        with pytest.raises(InvalidStatus) as refused:
            connect(ws_url)
        assert refused.value.response.status_code == 401
        with connect(ws_url, additional_headers=bearer) as ws:
            assert '"hello"' in str(ws.recv(timeout=10))
        assert httpx.get(base + "api/health", headers={**bearer, "Host": "evil.example"}).status_code == 403
        # The first address printed is the one the network reaches this machine at, and a phone
        # opening it is let in (it was 127.0.0.1, and the machine's own address got 403).
        printed = re.search(r"live at (http://\S+)", served.log.read_text())
        assert printed, served.log.read_text()
        room_url = printed.group(1)
        assert urlsplit(room_url).hostname == (primary_address(socket.AF_INET) or socket.gethostname())
        phone = httpx.get(room_url)
        assert phone.status_code == 303 and phone.headers["location"] == "/"
        cookie = phone.headers["set-cookie"].split(";")[0]
        assert httpx.get(room_url.split("?")[0] + "api/sessions", headers={"Cookie": cookie}).status_code == 200
    finally:
        stop_server(served)
