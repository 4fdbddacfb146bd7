"""The live websocket: ``/ws/sessions/{id}`` (frames documented in :mod:`tolerance.api.frames`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, Final

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from .. import frames
from ..deps import WsState
from ..hub import Subscription
from ..live import LiveSession
from ..pacer import PacerError

_log = logging.getLogger(__name__)
router = APIRouter()

CLOSE_UNKNOWN_SESSION: Final = 4404
RATE_PER_S: Final = 20.0
BURST: Final = 40.0


class _TokenBucket:
    """A flood of client frames is answered with errors, not work: 20 frames/s, bursts of 40."""

    def __init__(self, rate: float = RATE_PER_S, burst: float = BURST) -> None:
        self.rate, self.burst, self.tokens, self.t = rate, burst, burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def _hello(live: LiveSession) -> dict[str, Any]:
    return {"v": frames.PROTOCOL_VERSION, "type": "hello", "session": live.snapshot(), "history": list(live.history)}


async def _sender(ws: WebSocket, sub: Subscription) -> None:
    told = 0
    while True:
        frame = await sub.get()
        if sub.dropped > told:
            told = sub.dropped
            await ws.send_json(
                {
                    "v": 1,
                    "type": "status",
                    "dropped_frames": told,
                    "detail": "this client was too slow; older frames were dropped",
                }
            )
        await ws.send_json(frame)


async def _receiver(ws: WebSocket, sub: Subscription, live: LiveSession) -> None:
    bucket = _TokenBucket()
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        if not bucket.take():
            sub.offer(frames.error_frame("rate_limited", "too many frames; slow down"))
            continue
        try:
            frame = frames.parse_client_frame(
                message.get("text") if message.get("text") is not None else message.get("bytes")
            )
            reply = await _command(live, frame)
        except frames.FrameError as exc:
            reply = frames.error_frame(exc.code, exc.message)
        except PacerError as exc:
            reply = frames.error_frame("bad_field", str(exc))
        except Exception:  # a bug must cost this one command, not the client's socket
            _log.exception("command on session %s failed", live.id)
            reply = frames.error_frame("internal", "the server could not carry out that command")
        if reply is not None:
            sub.offer(reply)


async def _command(live: LiveSession, frame: dict[str, Any]) -> dict[str, Any] | None:
    kind = frame["type"]
    if kind == "ping":
        return {"v": 1, "type": "pong", "server_utc": time.time()}
    if live.status != "live":
        raise frames.FrameError("session_ended", f"session {live.id} is {live.status}; it takes no commands")
    if kind == "marker":
        await live.add_marker(frame.get("text", ""), source="websocket")
        return None  # the marker's own event frame reaches every client
    if kind == "breathing":
        ratio = tuple(frame["ratio"]) if frame.get("ratio") is not None else None
        await live.breathing(frame["action"], frame.get("rate_per_min"), ratio)  # type: ignore[arg-type]
        return None  # the pacer frame reaches every client
    raise frames.FrameError("unknown_type", f"unknown frame type {kind!r}")  # pragma: no cover


@router.websocket("/ws/sessions/{session_id}")
async def session_socket(websocket: WebSocket, session_id: str, state: WsState) -> None:
    await websocket.accept()
    live = state.manager.sessions.get(session_id)
    if live is None:
        await websocket.send_json(frames.error_frame("unknown_session", f"no live session with id {session_id!r}"))
        await websocket.close(CLOSE_UNKNOWN_SESSION)
        return
    with state.hub.subscribe(session_id) as sub:
        await websocket.send_json(_hello(live))
        await websocket.send_json(live.pacer.frame())
        tasks = [asyncio.create_task(_sender(websocket, sub)), asyncio.create_task(_receiver(websocket, sub, live))]
        try:
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for t in done:
                exc = t.exception()
                if exc is not None and not isinstance(exc, WebSocketDisconnect | RuntimeError):
                    _log.warning("websocket for session %s: %r", session_id, exc)
        finally:
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
