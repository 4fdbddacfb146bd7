"""The application factory: ``create_app(settings)`` wires store, hub, sessions, routes and page."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from tolerance.sensors import Sensor

from .deps import AppState
from .hub import Hub
from .live import SessionManager
from .routes import health, sessions, ws
from .security import OriginGuard
from .settings import LOOPBACK_HOSTS, Settings
from .store import Store

_log = logging.getLogger(__name__)

SourceSpec = tuple[Sensor, str, dict[str, Any]]
"""A source to start with the server: (sensor, kind "sim"|"ble"|"replay", params to store)."""


def web_dir() -> Path:
    return Path(str(files("tolerance.web")))


def allowed_hosts(settings: Settings) -> list[str] | None:
    if settings.host in ("0.0.0.0", "::"):
        return None
    return sorted({*LOOPBACK_HOSTS, settings.host})


def create_app(settings: Settings, sources: Callable[[], Sequence[SourceSpec]] | None = None) -> FastAPI:
    """Build the app. ``sources`` is called at start-up and returns the sources to record."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.db)
        await store.open()
        hub = Hub()
        manager = SessionManager(store, hub)
        app.state.tolerance = AppState(settings, store, hub, manager)
        try:
            for sensor, kind, params in sources() if sources is not None else ():
                await manager.start(sensor, source_kind=kind, params=params)
            yield
        finally:
            await manager.stop_all()
            await store.close()

    app = FastAPI(
        title="Tolerance",
        summary="Live HRV against your window of tolerance (a training aid, not a diagnosis).",
        lifespan=lifespan,
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the rejected input back, which fails (a 500) when the input
        # is not valid Unicode; where and why is all a client needs.
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    app.include_router(health.router)
    app.include_router(sessions.router)
    app.include_router(ws.router)
    web = web_dir()

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(web / "index.html", headers={"cache-control": "no-cache"})

    app.mount("/static", StaticFiles(directory=web), name="static")
    app.add_middleware(OriginGuard, allowed_hosts=allowed_hosts(settings), extra_origins=settings.extra_origins)
    return app
