"""Real ``tolerance serve`` processes for the tests, and clients that carry their access token.

Every request needs the token (on loopback too), so the URL the server prints is read whole
(``http://127.0.0.1:PORT/?token=...``) and every client built here sends it:
:attr:`Served.http` (an httpx client, ``Authorization: Bearer``), :meth:`Served.ws` (a
websocket with the same header) and :func:`in_process` (a TestClient for an app built in the
test). A browser logs in the way a person does, through the printed URL (:meth:`Served.login`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
from starlette.testclient import TestClient
from websockets.sync.client import ClientConnection, connect

_PRINTED = re.compile(r"(http://127\.0\.0\.1:\d+/)\?token=(\S+)")


def bearer(token: str) -> dict[str, str]:
    """The header a script sends (a token with non-ASCII characters goes percent-encoded)."""
    from urllib.parse import quote

    return {"Authorization": f"Bearer {quote(token, safe='')}"}


@dataclass
class Served:
    url: str
    """The base address, without the token: ``http://127.0.0.1:PORT/``."""
    db: Path
    proc: subprocess.Popen[bytes]
    log: Path
    token: str
    _http: httpx.Client | None = field(default=None, repr=False)

    @property
    def ws_base(self) -> str:
        return self.url.replace("http://", "ws://").rstrip("/")

    @property
    def login_url(self) -> str:
        """The printed address: it logs a browser in."""
        m = _PRINTED.search(self.log.read_text())
        assert m, self.log.read_text()
        return m.group(0)

    @property
    def http(self) -> httpx.Client:
        """An httpx client on this server sending the token (relative paths: ``"api/sessions"``)."""
        if self._http is None:
            self._http = httpx.Client(base_url=self.url, headers=bearer(self.token))
        return self._http

    def api(self, path: str) -> str:
        return self.url + path.lstrip("/")

    def ws(self, path: str, **kwargs: Any) -> ClientConnection:
        """A websocket to ``path`` (``/ws/sessions/ID``) with the token in its handshake."""
        headers = {**bearer(self.token), **dict(kwargs.pop("additional_headers", None) or {})}
        return connect(f"{self.ws_base}/{path.lstrip('/')}", additional_headers=headers, **kwargs)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None


def start_server(
    tmp: Path,
    *args: str,
    timeout_s: float = 30.0,
    db_name: str = "tolerance.sqlite3",
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Served:
    """Run `tolerance serve` with ``args`` on port 0 and wait for the URL it prints (output to
    a file, never a pipe: a pipe nobody reads could fill up and stall the server). ``env``:
    variables added to this process's; ``preexec_fn`` runs in the child before the server."""
    db = tmp / db_name
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tolerance.api.cli", "serve", "--port", "0", "--db", str(db), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            preexec_fn=preexec_fn,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        m = _PRINTED.search(log.read_text())
        if m:
            return Served(m.group(1), db, proc, log, unquote(m.group(2)))
        time.sleep(0.05)
    proc.kill()
    proc.wait(5)
    raise AssertionError("server did not print its URL:\n" + log.read_text())


def stop_server(served: Served) -> None:
    served.close()
    served.proc.terminate()
    try:
        served.proc.wait(10)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait(5)


def in_process(app: Any, token: str, base_url: str = "http://127.0.0.1:8000", **kwargs: Any) -> TestClient:
    """A TestClient for an app built in the test, sending ``token`` (HTTP and websocket alike)."""
    headers = {**bearer(token), **dict(kwargs.pop("headers", None) or {})}
    return TestClient(app, base_url=base_url, headers=headers, **kwargs)
