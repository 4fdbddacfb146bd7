"""Dependencies shared by the routes: the server's state, via ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Final

from fastapi import Depends, Request, WebSocket

from .hub import Hub
from .ratelimit import TokenBucket
from .session import SessionManager
from .settings import Settings
from .storage import Store


@dataclass
class AppState:
    settings: Settings
    store: Store
    hub: Hub
    manager: SessionManager
    writes: dict[str, TokenBucket] = field(default_factory=dict)
    """Per session: the REST markers and notes it may still take (see :meth:`allow_write`)."""

    def allow_write(self, session_id: str) -> bool:
        """One more marker or note over REST for this session (:data:`WRITES_PER_S`, bursts of
        :data:`WRITES_BURST`): a person writes a few a minute; a script must not fill the disk."""
        bucket = self.writes.get(session_id)
        if bucket is None:
            bucket = self.writes[session_id] = TokenBucket(WRITES_PER_S, WRITES_BURST)
        return bucket.take()


WRITES_PER_S: Final = 2.0
WRITES_BURST: Final = 20.0


def _state(request: Request) -> AppState:
    return request.app.state.tolerance  # type: ignore[no-any-return]


def _ws_state(websocket: WebSocket) -> AppState:
    return websocket.app.state.tolerance  # type: ignore[no-any-return]


State = Annotated[AppState, Depends(_state)]
WsState = Annotated[AppState, Depends(_ws_state)]
