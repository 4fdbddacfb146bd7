"""The application factory: ``create_app(settings)`` wires store, hub, sessions, routes and page."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from .access import TokenGuard
from .deps import AppState
from .hub import Hub
from .network import machine_addresses, machine_names
from .routes import health, pages, privacy, profiles, review, room, sessions, straps, ws
from .security import BodyLimit, OriginGuard
from .session import SessionManager, SourceSpec
from .settings import LOOPBACK_HOSTS, Settings
from .storage import StorageFull, Store

_log = logging.getLogger(__name__)


def allowed_hosts(settings: Settings) -> list[str]:
    """The names a request's ``Host`` may give: loopback's, the bound address, ``--public-name``s;
    bound to every interface (0.0.0.0, ::), also this machine's names and addresses. (The
    address a connection arrived at is accepted too: :class:`OriginGuard` checks that one.)"""
    names = {*LOOPBACK_HOSTS, *settings.public_names}
    if settings.host in ("0.0.0.0", "::"):
        names |= machine_names() | machine_addresses()
    else:
        names.add(settings.host)
    return sorted(n.lower() for n in names)


def create_app(
    settings: Settings,
    sources: Callable[[], Sequence[SourceSpec]] | None = None,
    *,
    store: Store | None = None,
    scanner: Any = None,
) -> FastAPI:
    """Build the app; every request needs ``settings.access_token``.
    ``sources`` is called at start-up and returns the sources to record;
    more can be added while serving (``POST /api/sessions``). ``store``: an opened store to
    use (``tolerance serve`` opens it first, to refuse a database another server holds);
    otherwise the app opens ``settings.db`` at start-up. Either way it is closed at shutdown.
    ``scanner``: the Bluetooth scanner the pairing route uses (default: bleak's)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal store
        if store is None:
            store = Store(settings.db)
            await store.open()
        hub = Hub()
        manager = SessionManager(store, hub, calibrate_span_s=settings.baseline_span_s, profile=settings.profile)
        app.state.tolerance = AppState(settings, store, hub, manager, scanner)
        try:
            for spec in sources() if sources is not None else ():
                await manager.start(spec)
            yield
        finally:
            await manager.stop_all()
            await store.close()

    app = FastAPI(
        title="Tolerance",
        summary="Live HRV against your window of tolerance (a training aid, not a diagnosis).",
        lifespan=lifespan,
        # /docs and /redoc are pages of ours (routes/pages.py): FastAPI's load from a CDN.
        docs_url=None,
        redoc_url=None,
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the rejected input back, which fails (a 500) when the input
        # is not valid Unicode; where and why is all a client needs.
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(StorageFull)
    async def storage_full(_request: Request, exc: StorageFull) -> JSONResponse:
        return JSONResponse({"detail": f"{exc}. {exc.advice}"}, status_code=503)

    app.include_router(health.router)
    app.include_router(sessions.router)
    app.include_router(review.router)
    app.include_router(room.router)
    app.include_router(straps.router)
    app.include_router(profiles.router)
    app.include_router(privacy.router)
    app.include_router(ws.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.static_dir()), name="static")
    if pages.vendor_dir().is_dir():
        app.mount("/vendor", StaticFiles(directory=pages.vendor_dir()), name="vendor")
    else:  # the page still works, without its charts, and says why
        _log.warning("no %s: the page's chart library is missing; run scripts/setup.sh", pages.vendor_dir())
    # Outermost last: Host and Origin first, then the access token (on loopback too), then the
    # body's size.
    app.add_middleware(BodyLimit)
    app.add_middleware(TokenGuard, token=settings.access_token)
    app.add_middleware(OriginGuard, allowed_hosts=allowed_hosts(settings), extra_origins=settings.extra_origins)
    return app
