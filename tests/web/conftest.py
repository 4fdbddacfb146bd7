"""Browser fixtures: Debian's chromium through Playwright, servers shared by a module's tests,
and a page helper that records page errors, CSP reports and every request's origin."""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, sync_playwright
from served import Served, start_server, stop_server
from tolerance.api.access import token_query

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
"""Screenshots of every view from the run (git-ignored; scripts/screenshots.sh copies two into docs/)."""
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


Server = Served
_TOKENS: dict[str, str] = {}
"""Each server's origin and access token: what a browser learns from the printed address."""


def serve(tmp: Path, *args: str, timeout_s: float = 30.0) -> Server:
    """`tolerance serve ARGS` on a free port of 127.0.0.1 (output to a file, never a pipe)."""
    server = start_server(tmp, *args, timeout_s=timeout_s, db_name="t.sqlite3")
    _TOKENS[server.url.rstrip("/")] = server.token
    return server


@contextlib.contextmanager
def running(tmp: Path, *args: str) -> Iterator[Server]:
    server = serve(tmp, *args)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """Start servers for one test module; they stop when the module's tests are done."""
    with contextlib.ExitStack() as stack:
        yield lambda *args: stack.enter_context(running(tmp_path_factory.mktemp("serve"), *args))


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is needed for the browser tests: apt-get install chromium (scripts/test.sh does)"
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running in this
    # thread while it is open, and in-process tests that call asyncio.run() after a browser
    # test (another order, another selection) would fail.
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@dataclass
class Watched:
    """A page and what it did: its errors (uncaught, console errors, CSP refusals) and requests."""

    page: Page
    origin: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        ws = self.origin.replace("http://", "ws://")
        return [u for u in self.requests if not u.startswith((self.origin, ws, "data:"))]

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def check(self) -> None:
        """No page error, no CSP refusal, no request to another origin."""
        assert not self.errors, self.errors
        assert not self.foreign(), f"the page requested other origins: {self.foreign()}"


def _console(w: Watched, msg: ConsoleMessage) -> None:
    if msg.type == "error" or "Content Security Policy" in msg.text:
        w.errors.append(f"console: {msg.text}")


_CONTEXTS: list[BrowserContext] = []
"""Contexts opened by the running test; closed when it ends, pass or fail."""


@pytest.fixture(autouse=True)
def _close_pages() -> Iterator[None]:
    # A failed test never reaches its own context.close(): a page left running (reconnecting,
    # drawing) would take the CPU of every browser test after it.
    yield
    while _CONTEXTS:
        with contextlib.suppress(Error):
            _CONTEXTS.pop().close()


def _log_in(page: Page, origin: str) -> None:
    """Visit the address the server printed (cheaply: its token on a JSON route), as a person
    does once: the server trades the token for its cookie, which this context then keeps."""
    token = _TOKENS.get(origin)
    assert token is not None, f"no server started by these tests answers at {origin}"
    page.goto(f"{origin}/api/health?{token_query(token)}")
    assert "/api/health" in page.url and "token=" not in page.url, page.url


def _open_page(
    browser: Browser,
    url: str,
    *,
    width: int = 1100,
    height: int = 800,
    ready: bool = True,
    before: Callable[[Page], None] | None = None,
    log_in: bool = True,
    first_run: bool = False,
) -> Watched:
    """Open ``url`` in a fresh context; ``before(page)`` runs first (e.g. to route the websocket).
    Unless ``first_run``, the browser has already read the live page's first-run walkthrough."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    _CONTEXTS.append(context)
    if not first_run:
        context.add_init_script("try { localStorage.setItem('tolerance.intro.seen', '1'); } catch {}")
    page = context.new_page()
    if before is not None:
        before(page)
    origin = re.match(r"http://[^/]+", url)
    assert origin
    if log_in:
        _log_in(page, origin.group(0))
    w = Watched(page, origin.group(0))
    page.on("request", lambda r: w.requests.append(r.url))
    page.on("pageerror", lambda e: w.errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: _console(w, m))
    page.goto(url)
    if ready:
        page.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=15000)
    return w


def spike_args(speed: int = 20) -> tuple[str, ...]:
    """A worker calibrated on its first 180 s, then one stress event at 180 s (9 s of real time
    at --speed 20), above the window from about 220 s to 360 s."""
    return ("--sim", "stress-spike", "--seed", "3", "--speed", str(speed), "--baseline", "0:180")


SPIKE = spike_args()


@pytest.fixture(scope="session")
def spike(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One worker on a simulated strap, shared by the review, sessions and accessibility tests
    (the live view's tests start their own, to see the stress event arrive)."""
    with running(tmp_path_factory.mktemp("spike"), *SPIKE) as server:
        yield server


def _session_id(server: Server) -> str:
    sessions = server.http.get("api/sessions").json()
    return str(next(s["id"] for s in sessions if s["status"] == "live"))


def _wait_until(check: Callable[[], object], timeout_s: float, what: str) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


class Web:
    """What a browser test needs, as one fixture (test files cannot import this conftest)."""

    SPIKE = SPIKE
    spike_args = staticmethod(spike_args)
    open_page = staticmethod(_open_page)
    session_id = staticmethod(_session_id)
    wait_until = staticmethod(_wait_until)


@pytest.fixture(scope="session")
def web() -> type[Web]:
    return Web
