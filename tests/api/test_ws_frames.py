"""Hostile websocket frames with known answers (found by the foundation's hostile tries and
fixed on main; kept here as claims): deep nesting is ``too_deep`` at any depth, ``"v": true``
and ``"v": 1.0`` are not version 1, and the socket answers the next frame."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient
from tolerance.api.protocol import FrameError, parse_client_frame


@pytest.mark.parametrize(
    ("depth", "code"), [(33, "too_deep"), (999, "too_deep"), (8000, "too_deep"), (10_000, "too_large")]
)
def test_deep_nesting_is_too_deep_at_any_depth(depth: int, code: str) -> None:
    frame = '{"v": 1, "type": "ping", "x": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(FrameError) as refused:
        parse_client_frame(frame)
    assert refused.value.code.value == code


@pytest.mark.parametrize("version", ["true", "1.0", '"1"', "null", "2", "0"])
def test_only_the_integer_1_is_version_1(version: str) -> None:
    with pytest.raises(FrameError) as refused:
        parse_client_frame(f'{{"v": {version}, "type": "ping"}}')
    assert refused.value.code.value == "version"


def test_a_multibyte_frame_is_measured_in_utf8_bytes() -> None:
    text = "é" * 9000  # 9000 characters, 18000 bytes
    with pytest.raises(FrameError) as refused:
        parse_client_frame(json.dumps({"v": 1, "type": "marker", "text": text}, ensure_ascii=False))
    assert refused.value.code.value == "too_large"


def test_the_socket_answers_after_hostile_frames(app_client: TestClient) -> None:
    sid = app_client.get("/api/sessions").json()[0]["id"]
    with app_client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
        for hostile, code in (
            ("[" * 3000 + "]" * 3000, "too_deep"),
            ('{"v": true, "type": "ping"}', "version"),
            ('{"v": 1, "type": "nope"}', "unknown_type"),
            ("not json", "not_json"),
        ):
            ws.send_text(hostile)
            while (reply := json.loads(ws.receive_text()))["type"] != "error":
                pass
            assert reply["code"] == code and reply["message"]
        ws.send_bytes(b"\x00\x01")
        while (reply := json.loads(ws.receive_text()))["type"] != "error":
            pass
        assert reply["code"] == "binary"
        ws.send_text('{"v": 1, "type": "ping"}')
        while (reply := json.loads(ws.receive_text()))["type"] != "pong":
            pass


def test_a_stalled_client_is_let_go(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from tolerance.api.hub import Hub
    from tolerance.api.routes import ws as ws_route

    class StalledSocket:
        async def send_text(self, _text: str) -> None:
            await asyncio.sleep(3600)  # its buffers are full: it reads nothing

    monkeypatch.setattr(ws_route, "SEND_TIMEOUT_S", 0.05)

    async def go() -> None:
        hub = Hub()
        with hub.subscribe("s") as sub:
            hub.publish("s", "frame")
            await asyncio.wait_for(ws_route._sender(StalledSocket(), sub), 5)  # type: ignore[arg-type]

    asyncio.run(go())
