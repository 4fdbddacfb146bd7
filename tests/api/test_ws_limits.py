"""Websocket size limits on a real server (uvicorn's ``ws_max_size``): a frame over 64 KiB is
refused from its header (close 1009) without being read whole; one between 16 and 64 KiB gets
a ``too_large`` error frame and the socket stays up; the server keeps serving either way.
Regression: the 16 KiB check ran after uvicorn had buffered up to 16 MiB per frame."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tolerance.api.protocol.commands import MAX_WS_MESSAGE_BYTES
from websockets.exceptions import ConnectionClosed


def _session(served: Any) -> str:
    return str(served.http.get("api/sessions").json()[0]["id"])


def _until_type(ws: Any, kind: str) -> dict[str, Any]:
    while (frame := json.loads(ws.recv(timeout=10)))["type"] != kind:
        pass
    return frame


def test_an_oversized_frame_closes_only_its_socket(served_calm: Any) -> None:
    sid = _session(served_calm)
    path = f"/ws/sessions/{sid}"
    with served_calm.ws(path, max_size=None) as ws:
        ws.send(json.dumps({"v": 1, "type": "marker", "text": "x" * 20_000}))
        err = _until_type(ws, "error")
        assert err["code"] == "too_large" and "16384" in err["message"]
        ws.send(json.dumps({"v": 1, "type": "ping"}))
        assert _until_type(ws, "pong")
    with served_calm.ws(path) as ws:
        ws.send("x" * (MAX_WS_MESSAGE_BYTES + 1))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    assert served_calm.http.get("api/health").json()["status"] == "ok"
    with served_calm.ws(path) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "hello"
