"""The pages: ``/`` (live view), ``/review``, ``/trainer``, ``/sessions``, ``/summary``, their static files,
and ``/protocol.js`` (the protocol's constants)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from ..protocol import javascript

router = APIRouter(include_in_schema=False)

PAGES = {
    "/": "index.html",
    "/review": "review.html",
    "/trainer": "trainer.html",
    "/sessions": "sessions.html",
    "/summary": "summary.html",
}
"""Each page's path and its HTML file in ``static/``."""


def static_dir() -> Path:
    """The folder served at ``/static``: the page's own files, nothing else (no sources of the
    package, no npm manifest)."""
    return Path(str(files("tolerance.web"))) / "static"


def vendor_dir() -> Path:
    """The folder served at ``/vendor``: third-party files copied from ``web/node_modules`` by
    ``scripts/setup.sh`` (git-ignored, shipped in the wheel). Missing before setup has run."""
    return Path(str(files("tolerance.web"))) / "vendor"


def _page(name: str) -> FileResponse:
    return FileResponse(static_dir() / name, headers={"cache-control": "no-cache"})


def _route(name: str) -> Callable[[], Awaitable[FileResponse]]:
    async def page() -> FileResponse:
        return _page(name)

    return page


for _path, _name in PAGES.items():
    router.add_api_route(_path, _route(_name), methods=["GET"], response_class=FileResponse)


@router.get("/protocol.js")
async def protocol_js() -> Response:
    return Response(javascript(), media_type="text/javascript", headers={"cache-control": "no-cache"})
