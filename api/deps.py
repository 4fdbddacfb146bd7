"""Dependencies shared by the routes: the server's state, via ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, WebSocket

from .hub import Hub
from .session import SessionManager
from .settings import Settings
from .storage import Store


@dataclass
class AppState:
    settings: Settings
    store: Store
    hub: Hub
    manager: SessionManager
    scanner: Any = None
    """A Bluetooth scanner factory (``bleak.BleakScanner``'s shape); None: bleak's own."""


def _state(request: Request) -> AppState:
    return request.app.state.tolerance  # type: ignore[no-any-return]


def _ws_state(websocket: WebSocket) -> AppState:
    return websocket.app.state.tolerance  # type: ignore[no-any-return]


State = Annotated[AppState, Depends(_state)]
WsState = Annotated[AppState, Depends(_ws_state)]
