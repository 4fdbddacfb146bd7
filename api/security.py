"""Same-origin and Host checks, and security headers, for HTTP and websocket alike.

Heart data is health data: another site open in the worker's browser must not read it. A
browser attaches ``Origin`` to every websocket handshake and to cross-origin requests; a
request whose ``Origin`` is not this app's own is refused (HTTP 403, or the websocket closed
with 1008 before it opens). ``Host`` is checked too, against the names this server answers to,
which defeats DNS rebinding (a hostile name re-pointed at 127.0.0.1 has a matching Origin and
Host, but not one of ours). Requests without ``Origin`` (curl, scripts, same-origin
navigation) are allowed: they do not come from another site's page.

Who the caller is (the access token, on loopback too) is checked in :mod:`.access`.

:class:`BodyLimit` refuses HTTP request bodies over :data:`MAX_HTTP_BODY_BYTES` (413): at once
when ``Content-Length`` says so, and by counting when the body is streamed without one.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .network import same_address

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Final = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


MAX_HTTP_BODY_BYTES: Final = 64 * 1024
"""Largest HTTP request body accepted (commands and notes are a few hundred bytes)."""


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ::1: addresses no other machine can reach.

    ``0.0.0.0`` and ``::`` (every interface) are not loopback."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def header(scope: Scope, name: bytes) -> str | None:
    headers: list[tuple[bytes, bytes]] = list(scope.get("headers", ()))
    for k, v in headers:
        if k == name:
            return v.decode("latin-1")
    return None


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _arrived_at(scope: Scope, name: str) -> bool:
    """``name`` is the IP address this connection arrived at: this machine, on whatever
    interface (a name, unlike an address, could be re-pointed at us by DNS rebinding)."""
    server = scope.get("server")
    if not server or not server[0]:
        return False
    return same_address(name, str(server[0]))


class OriginGuard:
    """ASGI middleware: refuse foreign ``Origin`` and unknown ``Host``; add security headers."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str] | None, extra_origins: Iterable[str] = ()) -> None:
        """``allowed_hosts=None`` accepts any Host (a server bound to 0.0.0.0 for a room)."""
        self.app = app
        self.allowed_hosts = None if allowed_hosts is None else {h.lower().strip("[]") for h in allowed_hosts}
        self.extra_origins = {o.rstrip("/").lower() for o in extra_origins}

    def _refusal(self, scope: Scope) -> str | None:
        host = header(scope, b"host")
        if host is None or (
            self.allowed_hosts is not None
            and _host_name(host) not in self.allowed_hosts
            and not _arrived_at(scope, _host_name(host))
        ):
            return f"Host {host!r} is not one this server answers to"
        origin = header(scope, b"origin")
        if origin is None:
            return None
        origin = origin.rstrip("/").lower()
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        if origin == f"{scheme}://{host.lower()}" or origin in self.extra_origins:
            return None
        return f"requests from origin {origin!r} are not allowed: heart data stays with this app's own page"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": refusal[:120]})
                return
            body = json.dumps({"detail": refusal}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        *SECURITY_HEADERS,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _respond(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(extra or []),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: HTTP request bodies over ``limit`` bytes are refused with 413.

    A declared ``Content-Length`` is checked before anything is read (the HTTP server itself
    holds a request to its declared length). A body streamed without one (chunked) is read
    here, counting, up to ``limit`` bytes, then handed on whole; one byte more is a 413."""

    def __init__(self, app: ASGIApp, *, limit: int = MAX_HTTP_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _respond(send, 400, b'{"detail":"Content-Length is not a number"}')
                return
            if declared > self.limit:
                await _respond(send, 413, self._too_large())
                return
            await self.app(scope, receive, send)
            return
        if header(scope, b"transfer-encoding") is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body = message.get("body", b"")
            received += len(body)
            if received > self.limit:
                await _respond(send, 413, self._too_large())
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, replayed, send)

    def _too_large(self) -> bytes:
        return json.dumps({"detail": f"request bodies are limited to {self.limit} bytes"}).encode()
