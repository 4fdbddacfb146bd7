"""The live websocket: ``/ws/sessions/{id}`` (frames and commands: :mod:`tolerance.api.protocol`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ..deps import WsState
from ..hub import Subscription
from ..protocol import CloseCode, ErrorCode, ErrorFrame, FrameError, HelloFrame, StatusFrame, parse_client_frame
from ..ratelimit import TokenBucket
from ..session import LiveSession, NotSimulated, PacerError, SessionManager, SessionNotLive, UnknownEpisode
from ..session.commands import carry_out
from ..storage import StorageFull

_log = logging.getLogger(__name__)
router = APIRouter()

RATE_PER_S: Final = 20.0
BURST: Final = 40.0
SEND_TIMEOUT_S: Final = 30.0
"""A client whose socket takes no frame for this long (its buffers are full: it reads nothing)
is stalled, not slow: it is let go, and what it held (its queue, its buffers) freed. A slow
one is told of the frames dropped for it instead (the hub's bounded queue)."""


class _TokenBucket(TokenBucket):
    """A flood of client frames is answered with errors, not work: 20 frames/s, bursts of 40."""

    def __init__(self) -> None:
        super().__init__(RATE_PER_S, BURST)


def _error(code: ErrorCode, message: str) -> str:
    return ErrorFrame(code=code, message=message).encode()


async def _sender(ws: WebSocket, sub: Subscription) -> None:
    told = 0
    while True:
        message = await sub.get()
        if sub.dropped > told:
            told = sub.dropped
            notice = StatusFrame(dropped_frames=told, detail="this client was too slow; older frames were dropped")
            await asyncio.wait_for(ws.send_text(notice.encode()), SEND_TIMEOUT_S)
        try:
            await asyncio.wait_for(ws.send_text(message), SEND_TIMEOUT_S)
        except TimeoutError:
            _log.warning("websocket for %s: no frame taken for %.0f s; closing it", sub.topic, SEND_TIMEOUT_S)
            return


async def _receiver(ws: WebSocket, sub: Subscription, manager: SessionManager, live: LiveSession) -> None:
    bucket = _TokenBucket()
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        if not bucket.take():
            sub.offer(_error(ErrorCode.RATE_LIMITED, "too many frames; slow down"))
            continue
        reply: str | None
        try:
            command = parse_client_frame(
                message.get("text") if message.get("text") is not None else message.get("bytes")
            )
            frame = await carry_out(manager, live, command, via="websocket")
            reply = frame.encode() if frame is not None else None
        except FrameError as exc:
            reply = _error(exc.code, exc.message)
        except SessionNotLive as exc:
            reply = _error(ErrorCode.SESSION_ENDED, str(exc))
        except NotSimulated as exc:
            reply = _error(ErrorCode.NOT_SIMULATED, str(exc))
        except UnknownEpisode as exc:
            reply = _error(ErrorCode.UNKNOWN_EPISODE, f"no episode {exc.args[0]} in this session")
        except PacerError as exc:
            reply = _error(ErrorCode.BAD_FIELD, str(exc))
        except StorageFull as exc:
            reply = _error(ErrorCode.NOT_STORED, f"{exc}. {exc.advice}")
        except Exception:  # a bug must cost this one command, not the client's socket
            _log.exception("command on session %s failed", live.id)
            reply = _error(ErrorCode.INTERNAL, "the server could not carry out that command")
        if reply is not None:
            sub.offer(reply)


@router.websocket("/ws/sessions/{session_id}")
async def session_socket(websocket: WebSocket, session_id: str, state: WsState) -> None:
    await websocket.accept()
    live = state.manager.get(session_id)
    if live is None:
        await websocket.send_text(_error(ErrorCode.UNKNOWN_SESSION, f"no live session with id {session_id!r}"))
        await websocket.close(CloseCode.UNKNOWN_SESSION)
        return
    with state.hub.subscribe(session_id) as sub:
        st = live.state
        hello = HelloFrame(
            session=live.view(),
            history=list(st.history),
            zone=st.zone,
            zones=list(st.zones),
            baseline=st.baseline,
            episodes=list(st.episodes),
        )
        await websocket.send_text(hello.encode())
        await websocket.send_text(live.pacer_frame().encode())
        storage = live.storage_frame()
        if storage is not None:
            await websocket.send_text(storage.encode())
        tasks = [
            asyncio.create_task(_sender(websocket, sub)),
            asyncio.create_task(_receiver(websocket, sub, state.manager, live)),
        ]
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
