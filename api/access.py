"""The access token, required of every HTTP request and websocket handshake, on loopback too.

Why on loopback: 127.0.0.1 is not private to the worker. Any other account on the same
machine (a shared clinic workstation, a terminal server) can connect to it, and a check of
the peer's OS user is not portable (Linux can ask the kernel who owns a loopback socket,
macOS and Windows cannot). A secret only the worker's own processes see is: ``serve`` makes
one per start (``secrets.token_urlsafe``) unless ``TOLERANCE_ACCESS_TOKEN`` gives one, keeps
it in memory only, and prints it in the URL to open. It is the way Jupyter does it:

* the first visit to ``/?token=...`` trades the token for an HttpOnly, SameSite=Strict cookie
  and is redirected (303) to the same path without it, so it leaves the address bar, the
  history and any Referer; the redirect only ever names a path of this server;
* scripts send ``Authorization: Bearer TOKEN``;
* without it every route, page and websocket handshake gets 401: a page request gets a
  minimal page that says to open the printed address, anything else a bare JSON 401.

The cookie's name carries the server's port (``tolerance_token_8000``): cookies are shared by
every port of a host, so two servers on one machine would otherwise overwrite each other's.
Its value is percent-encoded, so a token may hold any character (a space, a quote, non-ASCII),
and the ``Cookie`` header is split by hand, not by :class:`http.cookies.SimpleCookie`, which
gives up on the whole header when another app on the same host set a cookie it cannot parse.
Comparisons are constant-time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Final
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from .security import SECURITY_HEADERS, header

TOKEN_QUERY: Final = "token"
COOKIE_PREFIX: Final = "tolerance_token"
MIN_TOKEN_CHARS: Final = 16

_UNAUTHORIZED_JSON: Final = b'{"detail":"unauthorized: send the access token (the URL tolerance serve printed)"}'
_UNAUTHORIZED_PAGE: Final = (
    # The empty icon keeps the browser from asking for /favicon.ico (another 401) as well.
    b"<!doctype html><html lang=en><meta charset=utf-8><link rel=icon href='data:,'>"
    b"<title>Tolerance: open the printed address</title>"
    b"<h1>Tolerance</h1><p>This page needs the access token. Open the address <code>tolerance serve</code> "
    b"printed when it started (it ends in <code>?token=...</code>) in this browser; it keeps the token "
    b"as a cookie from then on.</p></html>"
)
_PATH_SAFE: Final = "/!$&'()*+,;=:@-._~"
"""Characters left as they are in a redirect's path (RFC 3986 pchar and '/'); the rest is %-encoded."""


def new_token() -> str:
    """A fresh access token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def cookie_name(port: int | None) -> str:
    """The token cookie's name for a server on ``port`` (cookies do not separate ports)."""
    return COOKIE_PREFIX if port is None else f"{COOKIE_PREFIX}_{port}"


def token_query(token: str) -> str:
    """``token=...`` for a URL, percent-encoded whatever its characters."""
    return f"{TOKEN_QUERY}={quote(token, safe='')}"


def cookie_values(cookie_header: str, name: str) -> list[str]:
    """Every value of cookie ``name`` in a ``Cookie`` header, as sent (still percent-encoded).

    Split on ``;`` and the first ``=``: a part that does not parse (another app's cookie with
    odd characters) is skipped, never a reason to ignore the rest."""
    values = []
    for part in cookie_header.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip() == name:
            values.append(value.strip().strip('"'))
    return values


def local_location(path: str, query_pairs: list[tuple[bytes, bytes]]) -> str:
    """A redirect target on this server: ``path`` (decoded, as ASGI gives it) and the query.

    Leading slashes and backslashes are folded into one ``/``: ``//evil.example/`` would be
    read by a browser as another host (and ``/\\evil.example`` too)."""
    rest = path.lstrip("/\\")
    location = "/" + quote(rest, safe=_PATH_SAFE)
    if query_pairs:
        location += "?" + "&".join(
            quote_from_bytes(k, safe="") + "=" + quote_from_bytes(v, safe="") for k, v in query_pairs
        )
    return location


def _query_pairs(query: bytes) -> list[tuple[bytes, bytes]]:
    pairs = []
    for part in query.split(b"&"):
        if not part:
            continue
        key, _sep, value = part.partition(b"=")
        pairs.append((unquote_to_bytes(key.replace(b"+", b" ")), unquote_to_bytes(value.replace(b"+", b" "))))
    return pairs


class TokenGuard:
    """ASGI middleware: every HTTP request and websocket handshake carries the access token
    (the cookie, ``Authorization: Bearer``, or ``?token=`` which a GET trades for the cookie)."""

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        if len(token) < MIN_TOKEN_CHARS:
            raise ValueError(f"an access token needs at least {MIN_TOKEN_CHARS} characters")
        self.app = app
        self._token = token.encode("utf-8")

    def _matches(self, given: bytes | None) -> bool:
        return given is not None and hmac.compare_digest(given, self._token)

    def _from_headers(self, scope: Scope) -> bool:
        auth = header(scope, b"authorization")
        if auth is not None and auth[:7].lower() == "bearer ":
            raw = auth[7:].strip().encode("latin-1")
            # Raw UTF-8 as sent, or percent-encoded (a client that only sends ASCII headers).
            if self._matches(raw) or self._matches(unquote_to_bytes(raw)):
                return True
        cookie = header(scope, b"cookie")
        if cookie:
            server = scope.get("server")
            name = cookie_name(server[1] if server else None)
            return any(self._matches(unquote_to_bytes(v)) for v in cookie_values(cookie, name))
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._from_headers(scope):
            await self.app(scope, receive, send)
            return
        pairs = _query_pairs(scope.get("query_string", b""))
        if any(k == TOKEN_QUERY.encode() and self._matches(v) for k, v in pairs):
            if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
                await self._trade_for_cookie(scope, send, [(k, v) for k, v in pairs if k != TOKEN_QUERY.encode()])
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self._refuse_handshake(scope, send)
            return
        accept = header(scope, b"accept") or ""
        page = scope.get("method") in ("GET", "HEAD") and "text/html" in accept
        body, kind = (_UNAUTHORIZED_PAGE, b"text/html; charset=utf-8") if page else (_UNAUTHORIZED_JSON, None)
        await _respond(send, 401, body, kind, [(b"www-authenticate", b"Bearer")])

    async def _trade_for_cookie(self, scope: Scope, send: Send, rest: list[tuple[bytes, bytes]]) -> None:
        # The first visit: the token in the URL becomes a cookie, and leaves the address bar
        # (and so the history and any Referer).
        server = scope.get("server")
        value = quote(self._token.decode("utf-8"), safe="")
        cookie = f"{cookie_name(server[1] if server else None)}={value}; HttpOnly; SameSite=Strict; Path=/"
        location = local_location(scope.get("path", "/"), rest)
        await _respond(
            send, 303, b"", None, [(b"location", location.encode("ascii")), (b"set-cookie", cookie.encode())]
        )

    async def _refuse_handshake(self, scope: Scope, send: Send) -> None:
        if "websocket.http.response" in scope.get("extensions", {}):
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(_UNAUTHORIZED_JSON)).encode()),
                    ],
                }
            )
            await send({"type": "websocket.http.response.body", "body": _UNAUTHORIZED_JSON})
        else:  # pragma: no cover - servers without the denial-response extension answer 403
            await send({"type": "websocket.close", "code": 1008})


async def _respond(
    send: Send, status: int, body: bytes, content_type: bytes | None, extra: list[tuple[bytes, bytes]]
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type or b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *extra,
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
