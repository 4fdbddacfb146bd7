"""``tolerance serve --host 0.0.0.0`` end to end: the printed URL carries a token, and without
it HTTP and websocket handshakes get a bare 401; 127.0.0.2 is loopback (no token asked)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import start_server, stop_server  # noqa: E402


def test_serving_on_every_interface_needs_the_printed_token(tmp_path: Path) -> None:
    served = start_server(tmp_path, "--host", "0.0.0.0", "--public-name", "tolerance.lan", "--sim", "calm")
    try:
        m = re.search(r"http://127\.0\.0\.1:\d+/\?token=([\w-]+)", served.log.read_text())
        assert m, served.log.read_text()
        token = m.group(1)
        base = served.url
        assert httpx.get(base + "api/health").status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        sessions = httpx.get(base + "api/sessions", headers=bearer).json()
        first = httpx.get(base, params={"token": token})
        assert first.status_code == 303 and "HttpOnly" in first.headers["set-cookie"]
        assert httpx.get(base, cookies={"tolerance_token": token}).status_code == 200
        ws_url = f"{served.ws_base}/ws/sessions/{sessions[0]['id']}"
        with pytest.raises(InvalidStatus) as refused:
            connect(ws_url)
        assert refused.value.response.status_code == 401
        with connect(ws_url, additional_headers=bearer) as ws:
            assert '"hello"' in str(ws.recv(timeout=10))
        assert httpx.get(base + "api/health", headers={**bearer, "Host": "evil.example"}).status_code == 403
    finally:
        stop_server(served)
