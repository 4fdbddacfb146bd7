"""The page: ``/`` and its static files, and ``/protocol.js`` (the protocol's constants)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from ..protocol import javascript

router = APIRouter(include_in_schema=False)


def static_dir() -> Path:
    """The folder served at ``/static``: the page's own files, nothing else (no sources of the
    package, no npm manifest)."""
    return Path(str(files("tolerance.web"))) / "static"


@router.get("/")
async def index() -> FileResponse:
    return FileResponse(static_dir() / "index.html", headers={"cache-control": "no-cache"})


@router.get("/protocol.js")
async def protocol_js() -> Response:
    return Response(javascript(), media_type="text/javascript", headers={"cache-control": "no-cache"})
