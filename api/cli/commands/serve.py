"""``tolerance serve``: the live server on a simulated strap, real straps, or a replayed log."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import sys

from pydantic import ValidationError

from ..exits import ExitCode

_log = logging.getLogger(__name__)


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket for uvicorn, opened here so that a busy port is refused before start.

    The protocol is named (``IPPROTO_TCP``, not the default 0): asyncio sets ``TCP_NODELAY`` on
    accepted connections only when their ``proto`` says TCP, and accepted sockets inherit it.
    Without it Nagle's algorithm held back the body behind the headers on a reused keep-alive
    connection until the client's delayed ACK (about 40 ms per request; fresh connections, still
    in quick-ACK mode, took 2 ms)."""
    from tolerance.api.serving import BACKLOG

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def url_for(host: str, port: int, token: str | None = None) -> str:
    """The address to open; with ``token``, the one that logs a browser in (``?token=``).
    Bound to every interface, the address others on the network reach this machine at."""
    from tolerance.api.access import token_query
    from tolerance.api.network import shown_host

    shown = shown_host(host)
    base = f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"
    return f"{base}?{token_query(token)}" if token else base


def settings_problem(exc: ValidationError) -> str:
    """A settings error on one line, naming the environment variable, never the value given
    (it may be the access token)."""
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])
        problems.append(f"{field} (option or TOLERANCE_{field.upper()}): {error['msg']}")
    return "; ".join(problems)


def run(args: argparse.Namespace) -> int:
    from tolerance.api.app import create_app
    from tolerance.api.protocol.commands import MAX_WS_MESSAGE_BYTES
    from tolerance.api.serving import (
        install_repeat_filter,
        limits_for,
        make_server,
        on_loop_error,
        preload,
        raise_fd_limit,
        server_config,
    )
    from tolerance.api.session import SourceError, build_sources
    from tolerance.api.settings import Settings
    from tolerance.api.storage import Store, StoreError

    given = {
        k: v
        for k, v in {
            "host": args.host,
            "port": args.port,
            "db": args.db,
            "sims": args.sim,
            "devices": args.device,
            "ecg": getattr(args, "ecg", False) or None,
            "accelerometer": False if getattr(args, "no_accelerometer", False) else None,
            "replays": args.replay,
            "speed": args.speed,
            "seed": args.seed,
            "replay_dir": args.replay_dir,
            "scenario_dir": getattr(args, "scenario_dir", None),
            "baseline_span_s": args.baseline,
            "profile": args.profile,
            "public_names": args.public_name,
        }.items()
        if v is not None
    }
    try:
        settings = Settings(**given)
        specs = build_sources(settings)
    except ValidationError as exc:
        print(f"tolerance serve: {settings_problem(exc)}", file=sys.stderr)  # noqa: T201
        return ExitCode.USAGE
    except (SourceError, ValueError) as exc:
        print(f"tolerance serve: {exc}", file=sys.stderr)  # noqa: T201
        return ExitCode.USAGE
    if settings.devices:
        # Without a usable adapter no strap can ever connect: say so now, not in a log line.
        from tolerance.sensors import AdapterUnavailable, scan

        try:
            asyncio.run(scan(timeout_s=1.0))
        except AdapterUnavailable as exc:
            print(f"tolerance serve: {exc}\n{exc.advice}", file=sys.stderr)  # noqa: T201
            return ExitCode.FAILURE
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as exc:
        print(
            f"tolerance serve: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}. "
            "Choose another --port (0 picks a free one).",
            file=sys.stderr,
        )  # noqa: T201
        return ExitCode.FAILURE
    # Before the first session starts: connections stay below the descriptors left, and
    # nothing the recording path needs is imported later (when a flood may hold them all).
    limits = limits_for(
        settings.max_connections,
        settings.max_connections_per_client,
        settings.header_timeout_s,
        settings.body_timeout_s,
        raise_fd_limit(),
    )
    preload(ble=bool(settings.devices))
    port = sock.getsockname()[1]
    url = url_for(settings.host, port, settings.access_token)
    others = [url_for(name, port, settings.access_token) for name in settings.public_names]
    if settings.host in ("0.0.0.0", "::"):  # the person at this machine
        others.insert(0, url_for("127.0.0.1" if settings.host == "0.0.0.0" else "::1", port, settings.access_token))

    async def serve() -> bool:
        # The store opens (and takes the database's lock) before the URL is printed: a second
        # server on the same file stops here, before it could touch the first one's sessions.
        store = Store(settings.db)
        await store.open()
        app = create_app(settings, lambda: specs, store=store)
        _repeat, unfilter = install_repeat_filter()
        server = make_server(server_config(app, limits, ws_max_size=MAX_WS_MESSAGE_BYTES), unfilter)
        if not settings.loopback_only:
            print(
                "Serving beyond this machine. Plain HTTP: use it on a network you trust.",
                file=sys.stderr,
            )  # noqa: T201
        sources = ", ".join(spec.sensor.source_id for spec in specs)
        print(f"Tolerance is live at {url}  (source: {sources}; data: {settings.db})", flush=True)  # noqa: T201
        for other in others:
            print(f"  also at {other}", flush=True)  # noqa: T201
        print(
            "Open that address in a browser (it carries the access token, which the browser then keeps "
            "as a cookie; scripts send 'Authorization: Bearer TOKEN'). Ctrl+C stops.",
            flush=True,
        )  # noqa: T201
        asyncio.get_running_loop().set_exception_handler(on_loop_error)
        try:
            await server.serve(sockets=[sock])
        finally:
            await store.close()
            unfilter()
        return server.started

    try:
        started = asyncio.run(serve())
    except StoreError as exc:
        print(f"tolerance serve: {exc}. {exc.advice}", file=sys.stderr)  # noqa: T201
        return ExitCode.FAILURE
    finally:
        sock.close()
    return ExitCode.OK if started else ExitCode.FAILURE
