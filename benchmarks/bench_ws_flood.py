"""(h) Websocket flood: N clients each send one huge text frame; the server's peak memory.

Two servers, the same app on a simulated strap, differing only in uvicorn's ``ws_max_size``:
its default (16 MiB: "before", what ``tolerance serve`` used) and ``MAX_WS_MESSAGE_BYTES``
(64 KiB: "after", what it uses now). Each client completes the handshake and streams one
15 MB frame (header first, then the payload in 64 KiB writes, so the clients themselves hold
no copy). The server's RSS is sampled every 20 ms (psutil); afterwards ``/api/health`` must
answer. Before, uvicorn read every frame whole before the app's 16 KiB check; after, a frame
is refused from its header (close 1009).

    .venv/bin/python benchmarks/bench_ws_flood.py [--quick]
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from _common import ACCESS_TOKEN, AUTH, PYTHON, Row

_SERVER = """
import sys, uvicorn
from tolerance.api import Settings, create_app
from tolerance.api.cli.commands.serve import _bind
from tolerance.api.session import build_sources
settings = Settings(db=sys.argv[1], sims=["calm"], seed=1, access_token=sys.argv[3])
app = create_app(settings, lambda: build_sources(settings))
sock = _bind("127.0.0.1", 0)
print(f"PORT {sock.getsockname()[1]}", flush=True)
kw = {} if sys.argv[2] == "default" else {"ws_max_size": int(sys.argv[2])}
uvicorn.Server(uvicorn.Config(app, log_level="error", ws="websockets-sansio", **kw)).run(sockets=[sock])
"""


def _start(tmp: Path, max_size: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [PYTHON, "-c", _SERVER, str(tmp / f"flood-{max_size}.sqlite3"), max_size, ACCESS_TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    m = re.match(r"PORT (\d+)", proc.stdout.readline())
    if not m:
        raise RuntimeError("the server did not start")
    port = int(m.group(1))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/sessions", headers=AUTH).json():
                return proc, port
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("no session started")


def _flood_one(port: int, sid: str, size: int, results: list[str]) -> None:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            f"GET /ws/sessions/{sid} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {ACCESS_TOKEN}\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        # FIN + text, masked, 64-bit length, mask key 0 (so the payload is sent as is)
        sock.sendall(bytes([0x81, 0x80 | 127]) + struct.pack(">Q", size) + b"\0\0\0\0")
        chunk = b"x" * 65536
        sent = 0
        while sent < size:
            n = min(len(chunk), size - sent)
            sock.sendall(chunk[:n])
            sent += n
        results.append("sent")
        time.sleep(0.5)
        sock.close()
    except OSError as exc:
        results.append(f"refused ({type(exc).__name__})")


def measure(max_size: str, clients: int, size: int) -> dict[str, Any]:
    import psutil

    with tempfile.TemporaryDirectory(prefix="tolerance-flood-") as tmp:
        proc, port = _start(Path(tmp), max_size)
        try:
            ps = psutil.Process(proc.pid)
            sid = httpx.get(f"http://127.0.0.1:{port}/api/sessions", headers=AUTH).json()[0]["id"]
            time.sleep(1.0)
            idle = ps.memory_info().rss
            peak = idle
            results: list[str] = []
            threads = [
                threading.Thread(target=_flood_one, args=(port, sid, size, results), daemon=True)
                for _ in range(clients)
            ]
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):
                peak = max(peak, ps.memory_info().rss)
                time.sleep(0.02)
            for _ in range(25):
                peak = max(peak, ps.memory_info().rss)
                time.sleep(0.02)
            healthy = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=30, headers=AUTH).status_code == 200
        finally:
            proc.terminate()
            proc.wait(20)
    return {
        "ws_max_size": max_size,
        "clients": clients,
        "frame_bytes": size,
        "idle_mb": idle / 2**20,
        "peak_mb": peak / 2**20,
        "healthy_after": healthy,
        "clients_fully_sent": sum(r == "sent" for r in results),
    }


def run(quick: bool) -> list[Row]:
    from tolerance.api.protocol.commands import MAX_WS_MESSAGE_BYTES

    clients, size = (5, 5_000_000) if quick else (20, 15_000_000)
    before = measure("default", clients, size)
    after = measure(str(MAX_WS_MESSAGE_BYTES), clients, size)
    growth = (before["peak_mb"] - before["idle_mb"]) / max(1.0, after["peak_mb"] - after["idle_mb"])
    return [
        Row(
            figure=f"(h) websocket flood: {clients} clients x {size / 1e6:.0f} MB frames, server peak RSS",
            target="bounded (no frame read whole)",
            measured=f"{after['peak_mb']:.0f} MB (idle {after['idle_mb']:.0f}), healthy {after['healthy_after']}",
            reference=f"uvicorn default 16 MiB: {before['peak_mb']:.0f} MB (idle {before['idle_mb']:.0f})",
            ratio=f"{growth:.0f}x less growth",
            verdict="ok" if after["peak_mb"] - after["idle_mb"] < 50 and after["healthy_after"] else "check",
            details={"before": before, "after": after},
        )
    ]


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    for row in run(a.quick):
        print(row.figure, "|", row.measured, "|", row.reference, "|", row.ratio, "|", row.verdict)
        print(row.details)
    sys.exit(0)
