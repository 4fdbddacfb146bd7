"""The pages: ``/`` (live view), ``/review``, ``/trainer``, ``/sessions``, ``/summary``, the API's
documentation (``/docs``, ``/redoc``), their static files, and ``/protocol.js`` (the
protocol's constants)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path
from typing import Final

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from ..protocol import javascript
from ..security import CSP

router = APIRouter(include_in_schema=False)

PAGES = {
    "/": "index.html",
    "/review": "review.html",
    "/trainer": "trainer.html",
    "/sessions": "sessions.html",
    "/summary": "summary.html",
    # The API's documentation, from Tolerance's own copies of Swagger UI and Redoc (vendor/):
    # FastAPI's own pages load them from a CDN, which the pages' policy (and "offline") forbid.
    "/docs": "docs.html",
    "/redoc": "redoc.html",
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


REDOC_STYLE_HASHES: Final = (
    # The empty <style> element styled-components creates, then fills through the CSSOM (which
    # a policy does not govern), and one fixed style sheet of the bundle. Only these exact
    # texts are allowed: no style from anywhere else. tests/web/test_api_docs.py fails on any
    # refusal, so a new Redoc version that needs another hash is caught there.
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
)
_POLICIES: Final = {"redoc.html": CSP.replace("style-src 'self'", "style-src 'self' " + " ".join(REDOC_STYLE_HASHES))}
"""Pages whose policy differs from the one every response gets (:data:`..security.CSP`)."""


def _page(name: str) -> FileResponse:
    headers = {"cache-control": "no-cache"}
    if name in _POLICIES:
        headers["content-security-policy"] = _POLICIES[name]
    return FileResponse(static_dir() / name, headers=headers)


def _route(name: str) -> Callable[[], Awaitable[FileResponse]]:
    async def page() -> FileResponse:
        return _page(name)

    return page


for _path, _name in PAGES.items():
    router.add_api_route(_path, _route(_name), methods=["GET"], response_class=FileResponse)


@router.get("/protocol.js")
async def protocol_js() -> Response:
    return Response(javascript(), media_type="text/javascript", headers={"cache-control": "no-cache"})


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    # Browsers ask for /favicon.ico on any page without an icon link (an API answer viewed in a
    # tab, for one); the page's own icon answers instead of a 404 in its console.
    return FileResponse(static_dir() / "favicon.svg", media_type="image/svg+xml")
