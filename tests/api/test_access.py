"""Access beyond loopback (a token on every request and handshake), the Host allow-list kept on,
request-body limits, the keep-alive latency fix (TCP_NODELAY) and ``export --force``."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from api_fakes import PacedStrap
from starlette.testclient import TestClient, WebSocketDenialResponse
from tolerance.api import Settings, create_app
from tolerance.api.cli.commands.serve import _bind, url_for
from tolerance.api.network import machine_addresses, machine_names, primary_address
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


def test_every_start_makes_its_own_token_and_no_repr_shows_it(tmp_path: Path) -> None:
    a, b = Settings(db=tmp_path / "t.sqlite3"), Settings(db=tmp_path / "t.sqlite3")
    assert a.access_token != b.access_token and len(a.access_token) >= 32
    assert a.access_token not in repr(a)


def test_the_environment_sets_your_own_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOLERANCE_ACCESS_TOKEN", TOKEN)
    assert Settings(db=tmp_path / "t.sqlite3").access_token == TOKEN
    monkeypatch.setenv("TOLERANCE_ACCESS_TOKEN", "short")
    with pytest.raises(ValueError, match="16"):
        Settings(db=tmp_path / "t.sqlite3")


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
        assert r.json()["detail"].startswith("unauthorized") and "printed" in r.json()["detail"]
    assert room.get("/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert room.get("/api/health", params={"token": TOKEN[:-1]}).status_code == 401
    assert room.get("/api/health", headers={"Cookie": "tolerance_token_8000=" + "x" * len(TOKEN)}).status_code == 401
    # The cookie of a server on another port of the same host is not this one's.
    assert room.get("/api/health", headers={"Cookie": f"tolerance_token_8001={TOKEN}"}).status_code == 401


def test_a_script_sends_the_token_as_a_bearer(room: TestClient) -> None:
    r = room.get("/api/health", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_the_first_visit_trades_the_url_token_for_a_strict_http_only_cookie(room: TestClient) -> None:
    r = room.get("/", params={"token": TOKEN, "x": "1"})
    assert r.status_code == 303
    assert r.headers["location"] == "/?x=1"  # the token leaves the address bar
    cookie = r.headers["set-cookie"]
    assert f"tolerance_token_8000={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    room.cookies.set("tolerance_token_8000", TOKEN)
    assert room.get("/").status_code == 200
    assert room.get("/api/sessions").status_code == 200


def test_the_websocket_handshake_needs_the_token_too(room: TestClient) -> None:
    sid = room.get("/api/sessions", headers={"Authorization": f"Bearer {TOKEN}"}).json()[0]["id"]
    with pytest.raises(WebSocketDenialResponse) as refused:
        with room.websocket_connect(f"ws://tolerance.lan:8000/ws/sessions/{sid}"):
            pass
    assert refused.value.status_code == 401
    room.cookies.set("tolerance_token_8000", TOKEN)
    with room.websocket_connect(f"ws://tolerance.lan:8000/ws/sessions/{sid}") as ws:
        assert json.loads(ws.receive_text())["type"] == "hello"


def test_the_host_check_stays_on_for_the_names_the_server_was_given(room: TestClient) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert room.get("/api/health", headers={**bearer, "Host": "tolerance.lan:8000"}).status_code == 200
    assert room.get("/api/health", headers={**bearer, "Host": "127.0.0.1:8000"}).status_code == 200
    assert room.get("/api/health", headers={**bearer, "Host": "rebound.evil.example"}).status_code == 403


@pytest.fixture
def stranger(tmp_path: Path) -> Iterator[TestClient]:
    """Another user of this machine: on loopback, without the worker's token."""
    settings = Settings(db=tmp_path / "t.sqlite3", access_token=TOKEN)
    app = create_app(settings, lambda: [SourceSpec(PacedStrap(), "ble", {"device": "fake"})])
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        yield client


def test_on_loopback_too_every_route_needs_the_token(stranger: TestClient) -> None:
    """Regression (issue 23): another local account exported, stopped and deleted a worker's
    session through the loopback API, which asked for no token."""
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    sid = stranger.get("/api/sessions", headers=bearer).json()[0]["id"]
    for method, path in [
        ("GET", "/api/sessions"),
        ("GET", f"/api/sessions/{sid}/export?format=json"),
        ("DELETE", f"/api/sessions/{sid}"),
        ("DELETE", f"/api/sessions/{sid}/data"),
        ("POST", f"/api/sessions/{sid}/markers"),
        ("GET", "/api/health"),
        ("GET", "/openapi.json"),
        ("GET", "/static/live.js"),
    ]:
        r = stranger.request(method, path)
        assert r.status_code == 401, (method, path)
    with pytest.raises(WebSocketDenialResponse) as refused:
        with stranger.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}"):
            pass
    assert refused.value.status_code == 401
    assert stranger.get(f"/api/sessions/{sid}", headers=bearer).json()["status"] == "live"


def test_a_page_without_the_token_says_to_open_the_printed_address(stranger: TestClient) -> None:
    for path in ("/", "/review", "/trainer", "/sessions", "/docs"):
        r = stranger.get(path, headers={"Accept": "text/html,application/xhtml+xml"})
        assert r.status_code == 401, path
        assert r.headers["content-type"].startswith("text/html")
        assert "printed" in r.text and "?token=" in r.text and "<script" not in r.text
        assert "default-src 'self'" in r.headers["content-security-policy"]
    assert (
        stranger.get("/api/sessions", headers={"Accept": "application/json"})
        .json()["detail"]
        .startswith("unauthorized")
    )


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "//evil.example/x", "/\\evil.example/", "///evil.example", "/%2F%2Fevil.example/"],
)
def test_the_token_redirect_never_leaves_this_server(stranger: TestClient, target: str) -> None:
    """Regression (issue 23): ``//evil.example/?token=...`` redirected off-site."""
    r = stranger.get(f"{target}?token={TOKEN}")
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert urlsplit(urljoin("http://127.0.0.1:8000/", location)).netloc == "127.0.0.1:8000"


def test_other_apps_unparseable_cookies_do_not_lock_the_worker_out(room: TestClient) -> None:
    """Regression (issue 23): one cookie SimpleCookie could not parse made it drop the header."""
    own = f"tolerance_token_8000={TOKEN}"
    for others in ['theme={"dark": true}', "a b c", "x=1;;;", 'q="unterminated', "=nameless", "k=v\\,w"]:
        for header in (f"{others}; {own}", f"{own}; {others}"):
            assert room.get("/api/health", headers={"Cookie": header}).status_code == 200, header


@pytest.mark.parametrize(
    "token", ['with a space and a "quote"', "non-ASCII: Grüße, 心拍, ♥♥", "semi;colon=equals,comma%41"]
)
def test_any_token_characters_survive_the_printed_url_the_cookie_and_the_bearer(tmp_path: Path, token: str) -> None:
    """Regression (issue 23): a token with a space, a quote or non-ASCII broke the cookie flow."""
    settings = Settings(db=tmp_path / "t.sqlite3", access_token=token)
    app = create_app(settings, lambda: [SourceSpec(PacedStrap(), "ble", {"device": "fake"})])
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        printed = url_for("127.0.0.1", 8000, token)
        first = client.get(printed.removeprefix("http://127.0.0.1:8000"))
        assert first.status_code == 303 and first.headers["location"] == "/"
        pair = first.headers["set-cookie"].split(";")[0]
        assert pair.isascii() and " " not in pair and '"' not in pair
        assert client.get("/api/sessions", headers={"Cookie": pair}).status_code == 200
        assert (
            client.get("/api/sessions", headers={"Authorization": "Bearer " + quote(token, safe="")}).status_code == 200
        )
        raw = ("Bearer " + token).encode()
        assert client.get("/api/sessions", headers=[(b"Authorization", raw)]).status_code == 200
        assert client.get("/api/sessions", headers={"Cookie": pair[:-3]}).status_code == 401


def test_the_printed_url_carries_the_token() -> None:
    assert url_for("127.0.0.1", 8000, "abc" * 6) == f"http://127.0.0.1:8000/?token={'abc' * 6}"
    assert url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert url_for("::1", 8000) == "http://[::1]:8000/"


def test_on_every_interface_the_printed_url_names_this_machine_not_loopback() -> None:
    """Regression (issue 23): with --host 0.0.0.0 the printed URL said 127.0.0.1, which a
    phone or a projector on the network cannot open."""
    shown = urlsplit(url_for("0.0.0.0", 8000, TOKEN)).hostname
    assert shown is not None and shown != "127.0.0.1"
    assert shown == (primary_address(socket.AF_INET) or socket.gethostname())


@pytest.mark.parametrize("address", sorted(machine_addresses() - {"127.0.0.1", "::1"}) or ["no-address"])
def test_on_every_interface_this_machines_own_addresses_pass_the_host_check(room: TestClient, address: str) -> None:
    """Regression (issue 23): with --host 0.0.0.0 the machine's own address was refused (403),
    even with the token, so a room could not join without --public-name."""
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    host = f"[{address}]:8000" if ":" in address else f"{address}:8000"
    expected = 403 if address == "no-address" else 200
    assert room.get("/api/health", headers={**bearer, "Host": host}).status_code == expected
    for name in machine_names():
        assert room.get("/api/health", headers={**bearer, "Host": f"{name}:8000"}).status_code == 200


def test_the_address_a_connection_arrived_at_passes_the_host_check(tmp_path: Path) -> None:
    """An address given to an interface after the start (or missed by the lookup) is still
    this machine's when the connection arrived there; a name is not (DNS rebinding)."""
    settings = Settings(host="0.0.0.0", db=tmp_path / "t.sqlite3", access_token=TOKEN)
    app = create_app(settings, lambda: [SourceSpec(PacedStrap(), "ble", {"device": "fake"})])
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app, base_url="http://10.123.45.67:8000") as client:
        assert client.get("/api/health", headers=bearer).status_code == 200
        assert client.get("/api/health", headers={**bearer, "Host": "10.123.45.68:8000"}).status_code == 403
        assert client.get("/api/health", headers={**bearer, "Host": "rebound.evil.example:8000"}).status_code == 403


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
