"""Serving so that no client can stop a recording: uvicorn's settings, a guard on every
connection, file descriptors, imports made before the first session, and logs that a flood
cannot grow.

What it defends against (issue 23): 1,100 connections each sending an unfinished request head
one byte at a time held every descriptor of a 1,024-file limit (h11 has no header timeout, and
uvicorn's ``timeout_keep_alive`` only runs between requests); real clients timed out, the live
session died of EMFILE in an import made lazily at run time, and the error log grew by 469 MB
in about a minute. So:

* :class:`GuardedH11` (uvicorn's ``http`` protocol class) closes a connection whose request
  head is not complete within ``header_timeout_s`` (a new deadline after each response, so a
  kept-alive connection cannot trickle either), and whose body is not complete within
  ``body_timeout_s``; it refuses a new connection at once (503, closed) when the server holds
  ``max_connections``, or ``max_connections_per_client`` from the same address, before any
  descriptor is held for long;
* :func:`raise_fd_limit` raises ``RLIMIT_NOFILE``'s soft limit to the hard one, and
  ``max_connections`` stays :data:`FD_RESERVE` below it: connections run out before the
  descriptors the store, the straps and the logs need;
* :func:`preload` imports what the recording path would otherwise import on first use;
* :class:`RepeatFilter` logs the first of a run of like records, then one line with their count.
"""

from __future__ import annotations

import asyncio
import errno
import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

_log = logging.getLogger(__name__)

BACKLOG: Final = 100
"""Pending connections the kernel queues, and so the most the event loop accepts in one go,
before any protocol sees them (uvicorn's default, 2048, would take a whole small limit at once)."""
FD_RESERVE: Final = 64 + BACKLOG
"""Descriptors kept back from connections: one accept burst, the database and its WAL, shared
memory and lock, the event loop, pipes, a BLE adapter's D-Bus socket, log files, and imports."""
MIN_CONNECTIONS: Final = 16
HEAD_LIMIT_BYTES: Final = 16 * 1024
"""Largest request head h11 buffers (uvicorn's ``h11_max_incomplete_event_size``)."""
REPEAT_WINDOW_S: Final = 60.0
PRELOAD: Final = (
    # numpy imports numpy.ma on the first np.percentile / np.median (the artifact detector's
    # thresholds) and numpy.fft on the first spectrum (coherence, adherence); anyio its memory
    # streams on the first request. tests/api/test_serving.py fails on any import made later.
    "numpy.ma",
    "numpy.fft",
    "anyio.streams.memory",
    "anyio.streams.stapled",
    "anyio.streams.tls",
    "tolerance.simulations",
    "tolerance.sensors.replay",
)
PRELOAD_BLE: Final = ("bleak", "bleak.exc", "bleak_retry_connector")
"""Imported too when real straps are served (a reconnect imports them otherwise)."""
_REFUSAL: Final = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nretry-after: 5\r\n"
    b"connection: close\r\ncontent-length: 40\r\n\r\ntoo many connections: try again shortly\n"
)


@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int
    max_per_client: int
    header_timeout_s: float
    body_timeout_s: float


def raise_fd_limit() -> int:
    """Raise the soft limit on open files to the hard limit; return the soft limit now in force
    (a large number where there is no such limit)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows has no RLIMIT_NOFILE
        return 1 << 16
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 16)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:  # e.g. macOS caps it below the hard limit
            _log.warning("could not raise the open-file limit from %d to %d: %s", soft, target, exc)
    return soft if soft != resource.RLIM_INFINITY else 1 << 16


def limits_for(
    max_connections: int, max_per_client: int, header_s: float, body_s: float, fd_soft: int
) -> ConnectionLimits:
    """Connection limits that leave :data:`FD_RESERVE` descriptors of ``fd_soft`` free."""
    cap = max(MIN_CONNECTIONS, min(max_connections, fd_soft - FD_RESERVE))
    return ConnectionLimits(cap, max(1, min(max_per_client, cap)), header_s, body_s)


def preload(*, ble: bool = False) -> None:
    """Import now what the recording path would import on first use: an import needs a free
    descriptor, and one made while a flood holds them all ended a session for good."""
    for name in PRELOAD + (PRELOAD_BLE if ble else ()):
        try:
            importlib.import_module(name)
        except ImportError:  # an optional part that is not installed is not on the path either
            _log.debug("preload: %s is not installed", name)


def guarded_h11(limits: ConnectionLimits) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the deadlines and caps of ``limits`` (``Config(http=...)``)."""

    class _Guarded(GuardedH11):
        LIMITS = limits

    return _Guarded


class GuardedH11(H11Protocol):
    """:class:`H11Protocol` with a request head and body deadline and connection caps."""

    LIMITS: ConnectionLimits = ConnectionLimits(1024, 256, 10.0, 30.0)

    _deadline: asyncio.TimerHandle | None = None
    _refused = False
    _phase = ""
    _partial = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        peer = transport.get_extra_info("peername")
        host = peer[0] if isinstance(peer, tuple) and peer else None
        open_now = self.server_state.connections
        if len(open_now) >= self.LIMITS.max_connections or (
            host is not None and _count_from(open_now, host) >= self.LIMITS.max_per_client
        ):
            # Refused before a descriptor is held for long: live sessions never wait on it.
            self._refused = True
            self.transport = transport
            _log.warning(
                "refused a connection from %s: %d connections open (at most %d, %d per address)",
                host,
                len(open_now),
                self.LIMITS.max_connections,
                self.LIMITS.max_per_client,
            )
            transport.write(_REFUSAL)
            transport.close()
            return
        super().connection_made(transport)
        self._arm("head", self.LIMITS.header_timeout_s)
        self._partial = False

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._refused:
            return
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        if self.transport.get_protocol() is not self:  # upgraded to a websocket
            self._disarm()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            self._partial = True
            return  # the head is still incomplete: its deadline runs on
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm("body", self.LIMITS.body_timeout_s)
            return
        self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm("head", self.LIMITS.header_timeout_s)
            self._partial = False

    def _arm(self, phase: str, seconds: float) -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = ""

    def _expired(self) -> None:
        phase, self._deadline = self._phase, None
        if self.transport.is_closing():
            return
        seconds = self.LIMITS.header_timeout_s if phase == "head" else self.LIMITS.body_timeout_s
        host = self.client[0] if self.client else None
        # Two messages, not one with the phase as an argument: each is its own kind of record
        # for the RepeatFilter.
        if phase == "body":
            _log.warning("closed a connection from %s: its request body was not complete within %g s", host, seconds)
        elif self._partial:
            _log.warning("closed a connection from %s: its request head was not complete within %g s", host, seconds)
        else:  # an idle kept-alive or preconnected socket: routine
            _log.debug("closed an idle connection from %s after %g s", host, seconds)
        self.transport.close()


def _count_from(connections: set[Any], host: str) -> int:
    return sum(1 for c in connections if (getattr(c, "client", None) or ("",))[0] == host)


class RepeatFilter(logging.Filter):
    """Let the first record of a kind through, hold back the ones like it for ``window_s``,
    then let the next one through with how many were held back (``flush`` reports the rest).

    Records are alike when logger, level, message template and exception type agree (so a
    refusal from each of a thousand addresses is one kind)."""

    def __init__(self, window_s: float = REPEAT_WINDOW_S, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window_s = window_s
        self._clock = clock
        self._runs: dict[tuple[str, int, str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        key = (record.name, record.levelno, str(record.msg), exc)
        now = self._clock()
        run = self._runs.get(key)
        if run is None:
            self._runs[key] = (now, 0)
            return True
        start, held = run
        if now - start < self.window_s:
            self._runs[key] = (start, held + 1)
            return False
        self._runs[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} [{held} more like this in the last {now - start:.0f} s, not logged]"
        return True

    def flush(self, logger: logging.Logger) -> None:
        """Log one line per kind with records held back (at shutdown)."""
        now, runs = self._clock(), self._runs
        self._runs = {}
        for (name, level, msg, _exc), (start, held) in runs.items():
            if held:
                logger.log(
                    level, "%d more like %r from %s in the last %.0f s, not logged", held, msg, name, now - start
                )


def server_config(app: Any, limits: ConnectionLimits, *, ws_max_size: int) -> uvicorn.Config:
    """uvicorn's ``Config`` for ``tolerance serve``: the guarded protocol, and logging left to
    the command line's handlers (where :class:`RepeatFilter` sits), not uvicorn's own."""

    return uvicorn.Config(
        app,
        http=guarded_h11(limits),
        log_level="warning",
        log_config=None,
        lifespan="on",
        ws="websockets-sansio",
        access_log=False,
        h11_max_incomplete_event_size=HEAD_LIMIT_BYTES,
        backlog=BACKLOG,
        # A backstop: the guard refuses connections over the cap as they are accepted; this
        # also bounds the requests running at once (503 beyond).
        limit_concurrency=limits.max_connections + 1,
        # A websocket message over this is refused from its frame header (close 1009), never
        # read whole; frames up to it get a `too_large` error frame and the socket stays up.
        ws_max_size=ws_max_size,
        ws_max_queue=8,
    )


def make_server(config: uvicorn.Config, on_shutdown: Callable[[], None]) -> uvicorn.Server:
    """A ``uvicorn.Server`` that calls ``on_shutdown`` once it has shut down: uvicorn re-raises
    a caught SIGTERM after ``serve()``, so code after it never runs then."""

    class _Server(uvicorn.Server):
        async def shutdown(self, sockets: Any = None) -> None:
            try:
                await super().shutdown(sockets)
            finally:
                on_shutdown()

    return _Server(config)


def on_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The event loop's exception handler: running out of descriptors while accepting is one
    line (asyncio then waits a second and accepts again; sessions record on meanwhile)."""
    exc = context.get("exception")
    if (
        isinstance(exc, OSError)
        and exc.errno in (errno.EMFILE, errno.ENFILE)
        and "accept" in context.get("message", "")
    ):
        _log.warning(
            "out of file descriptors: new connections wait until some close (%s); raise the open-file limit "
            "(ulimit -n) or lower TOLERANCE_MAX_CONNECTIONS",
            exc.strerror,
        )
        return
    loop.default_exception_handler(context)


def install_repeat_filter(logger: logging.Logger | None = None) -> tuple[RepeatFilter, Callable[[], None]]:
    """Put one :class:`RepeatFilter` on every handler of ``logger`` (the root's by default);
    returns it and a function that flushes it and takes it off again (once; later calls only flush)."""
    target = logger or logging.getLogger()
    repeat = RepeatFilter()
    handlers = list(target.handlers)
    for handler in handlers:
        handler.addFilter(repeat)

    def remove() -> None:
        repeat.flush(logging.getLogger("tolerance.api.serving"))
        for handler in handlers:
            handler.removeFilter(repeat)
        handlers.clear()

    return repeat, remove
