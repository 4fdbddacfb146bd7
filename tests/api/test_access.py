"""Access beyond loopback (a token on every request and handshake), the Host allow-list kept on,
request-body limits, the keep-alive latency fix (TCP_NODELAY) and ``export --force``."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_fakes import PacedStrap
from starlette.testclient import TestClient, WebSocketDenialResponse
from tolerance.api import Settings, create_app
from tolerance.api.cli.commands.serve import _bind, url_for
from tolerance.api.security import MAX_HTTP_BODY_BYTES, is_loopback
from tolerance.api.session import SourceSpec

TOKEN = "t0ken-for-the-tests-0123456789"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("127.255.0.9", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
        ("myhost.lan", False),
    ],
)
def test_loopback_is_127_0_0_0_8_and_ipv6_1(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert Settings(host=host).loopback_only is loopback


def test_serving_beyond_loopback_without_a_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="access token"):
        create_app(Settings(host="0.0.0.0", db=tmp_path / "t.sqlite3"))


@pytest.fixture
def room(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(host="0.0.0.0", db=tmp_path / "t.sqlite3", access_token=TOKEN, public_names=["tolerance.lan"])
    app = create_app(settings, lambda: [SourceSpec(PacedStrap(), "ble", {"device": "fake"})])
    with TestClient(app, base_url="http://tolerance.lan:8000", follow_redirects=False) as client:
        yield client


def test_without_the_token_every_request_is_a_bare_401(room: TestClient) -> None:
    for path in ("/", "/api/health", "/api/sessions", "/protocol.js", "/openapi.json"):
        r = room.get(path)
        assert r.status_code == 401, path
        assert r.json() == {"detail": "unauthorized"}
    assert room.get("/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert room.get("/api/health", params={"token": TOKEN[:-1]}).status_code == 401
    assert room.get("/api/health", headers={"Cookie": "tolerance_token=" + "x" * len(TOKEN)}).status_code == 401


def test_a_script_sends_the_token_as_a_bearer(room: TestClient) -> None:
    r = room.get("/api/health", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_the_first_visit_trades_the_url_token_for_a_strict_http_only_cookie(room: TestClient) -> None:
    r = room.get("/", params={"token": TOKEN, "x": "1"})
    assert r.status_code == 303
    assert r.headers["location"] == "/?x=1"  # the token leaves the address bar
    cookie = r.headers["set-cookie"]
    assert f"tolerance_token={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    room.cookies.set("tolerance_token", TOKEN)
    assert room.get("/").status_code == 200
    assert room.get("/api/sessions").status_code == 200


def test_the_websocket_handshake_needs_the_token_too(room: TestClient) -> None:
    sid = room.get("/api/sessions", headers={"Authorization": f"Bearer {TOKEN}"}).json()[0]["id"]
    with pytest.raises(WebSocketDenialResponse) as refused:
        with room.websocket_connect(f"ws://tolerance.lan:8000/ws/sessions/{sid}"):
            pass
    assert refused.value.status_code == 401
    room.cookies.set("tolerance_token", TOKEN)
    with room.websocket_connect(f"ws://tolerance.lan:8000/ws/sessions/{sid}") as ws:
        assert json.loads(ws.receive_text())["type"] == "hello"


def test_the_host_check_stays_on_for_the_names_the_server_was_given(room: TestClient) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert room.get("/api/health", headers={**bearer, "Host": "tolerance.lan:8000"}).status_code == 200
    assert room.get("/api/health", headers={**bearer, "Host": "127.0.0.1:8000"}).status_code == 200
    assert room.get("/api/health", headers={**bearer, "Host": "rebound.evil.example"}).status_code == 403


def test_on_loopback_no_token_is_asked(app_client: TestClient) -> None:
    assert app_client.get("/api/health").status_code == 200


def test_the_printed_url_carries_the_token() -> None:
    assert url_for("0.0.0.0", 8000, "abc") == "http://127.0.0.1:8000/?token=abc"
    assert url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000/"


def test_a_body_over_the_limit_is_refused_with_413(app_client: TestClient) -> None:
    sid = app_client.get("/api/sessions").json()[0]["id"]
    big = json.dumps({"text": "x" * (MAX_HTTP_BODY_BYTES + 10)})
    r = app_client.post(f"/api/sessions/{sid}/markers", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "limited" in r.json()["detail"]

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it comes
        for _ in range(MAX_HTTP_BODY_BYTES // 1024 + 2):
            yield b" " * 1024

    r = app_client.post(
        f"/api/sessions/{sid}/markers", content=streamed(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    r = app_client.post(f"/api/sessions/{sid}/markers", json={"text": "small"})
    assert r.status_code == 201


def test_accepted_connections_get_tcp_nodelay() -> None:
    """Regression: the socket was made with proto 0, so asyncio never set TCP_NODELAY on accepted
    connections, and Nagle plus the client's delayed ACK cost ~40 ms per keep-alive request."""
    sock = _bind("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    port = sock.getsockname()[1]

    async def go() -> int:
        seen: list[int] = []

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            s = writer.get_extra_info("socket")
            seen.append(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=sock)
        _r, w = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        w.close()
        server.close()
        await server.wait_closed()
        return seen[0]

    assert asyncio.run(go()) != 0
