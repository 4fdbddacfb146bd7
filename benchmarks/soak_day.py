"""A simulated working day on one real server, at accelerated time, with faults injected.

One :class:`FaultyStrap` (real 0x2A37 bytes, paced at ``speed`` times real time) records
through the whole app served by uvicorn in this process, while a healthy websocket client
watches. Every ``fault_every_s`` simulated seconds one fault, in turn:

* ``dropout``: the link is lost for 20-60 simulated s; those beats are dropped on purpose;
* ``storm``: 10 lost/reconnecting/reconnected cycles within a second (no beat lost);
* ``garbage``: 5 notifications of random bytes (stored as malformed, no beat);
* ``disk_full``: the database's tmpfs is filled for ``disk_full_real_s`` real seconds, then
  freed (only where a tmpfs can be mounted: root on Linux; otherwise skipped and said so);
* ``stall``: a client that opens a websocket and never reads joins (they accumulate).

At the end: stored beats must equal the beats the strap sent (those dropped on purpose are
never sent), notifications likewise, no ``storage_gap``; the healthy client saw every beat,
or was told of each frame dropped for it (at 240x it gets 240 times a tab's frame rate, in
the server's own process and loop, so it can fall behind while the disk is being filled).
Memory (RSS) and CPU of this process are sampled every ``sample_s`` real seconds.

``run_day`` is used by ``bench_soak.py`` (the full day, plots) and by ``tests/api/test_soak.py``
(a short one).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
import os
import random
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FAULTS = ("dropout", "storm", "garbage", "disk_full", "stall")


@dataclass
class DayReport:
    sim_hours: float
    speed: float
    wall_s: float
    faults: dict[str, int]
    sent_beats: int
    dropped_on_purpose: int
    sent_notifications: int
    stored_beats: int
    stored_notifications: int
    storage_gaps: int
    client_beats: int
    client_missing: int
    client_told_dropped: int
    """Frames the server told the healthy client it dropped for it (``dropped_frames``)."""
    stalled_clients: int
    disk_full_tested: bool
    status: str
    rss_mb: list[tuple[float, float]] = field(default_factory=list)
    cpu_pct: list[tuple[float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def beats_lost(self) -> int:
        return self.sent_beats - self.stored_beats


class FaultyStrap:
    """A strap with a fault schedule; ``sent_beats`` counts RR intervals sent, ``dropped`` those
    skipped on purpose during drop-outs."""

    def __init__(self, hours: float, speed: float, fault_every_s: float, seed: int, on_fault: Any) -> None:
        self.hours, self.speed, self.fault_every_s = hours, speed, fault_every_s
        self.rng = random.Random(seed)
        self.on_fault = on_fault
        self.sent_beats = self.dropped = self.sent_notifications = 0
        self.faults: dict[str, int] = dict.fromkeys(FAULTS, 0)

    @property
    def source_id(self) -> str:
        return "soak:strap"

    async def stream(self) -> AsyncIterator[Any]:
        from tolerance.sensors import (
            ConnectionEvent,
            ConnectionState,
            HeartRateMeasurement,
            HeartRateSample,
            MalformedNotification,
            decode_hrm,
            encode_hrm,
        )

        src, t0_utc, start = self.source_id, time.time(), time.monotonic()
        t, end, next_fault, k, rr_ms = 0.0, self.hours * 3600.0, self.fault_every_s, 0, 850.0

        async def pace(at_s: float) -> None:
            delay = start + at_s / self.speed - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

        def event(state: Any, detail: str = "") -> Any:
            return ConnectionEvent(src, t, t0_utc + t, state, detail)

        yield event(ConnectionState.CONNECTED, "soak")
        while t < end:
            if t >= next_fault:
                kind = FAULTS[k % len(FAULTS)]
                k += 1
                next_fault += self.fault_every_s
                self.faults[kind] += 1
                if kind == "dropout":
                    yield event(ConnectionState.LOST, "soak drop-out")
                    stop = t + self.rng.uniform(20, 60)
                    while t < stop:  # beats the strap would have sent: dropped on purpose
                        t += rr_ms / 1000
                        self.dropped += 1
                    await pace(t)
                    yield event(ConnectionState.RECONNECTING, "soak")
                    yield event(ConnectionState.RECONNECTED, "soak")
                elif kind == "storm":
                    for _ in range(10):
                        yield event(ConnectionState.LOST, "soak storm")
                        yield event(ConnectionState.RECONNECTING, "soak storm")
                        yield event(ConnectionState.RECONNECTED, "soak storm")
                elif kind == "garbage":
                    for _ in range(5):
                        junk = bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(0, 12)))
                        try:
                            decode_hrm(junk)
                            junk = b"\x10"  # decodable after all: use one that is not
                        except Exception:  # noqa: BLE001 - what we want
                            pass
                        self.sent_notifications += 1
                        yield MalformedNotification(src, t, t0_utc + t, junk, "soak garbage")
                else:
                    self.on_fault(kind)
            rr_ms = min(1200.0, max(600.0, rr_ms + self.rng.gauss(0, 15) + (850 - rr_ms) * 0.05))
            raw = round(rr_ms * 1024 / 1000)
            t += raw / 1024
            await pace(t)
            payload = encode_hrm(HeartRateMeasurement(round(60000 / rr_ms), (raw,), True, None))
            self.sent_beats += 1
            self.sent_notifications += 1
            yield HeartRateSample.from_measurement(
                decode_hrm(payload), source=src, t_mono=t, t_utc=t0_utc + t, payload=payload
            )


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


def _fill(folder: Path) -> Path:
    ballast = folder / "ballast"
    with ballast.open("wb") as f, contextlib.suppress(OSError):
        chunk = b"\0" * (1 << 20)
        while True:
            f.write(chunk)
            f.flush()
    return ballast


async def _stalled_client(port: int, path: str, token: str) -> socket.socket:
    """A websocket client that completes the handshake and then never reads a byte."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    )
    return sock


async def run_day(
    hours: float = 8.0,
    speed: float = 240.0,
    fault_every_s: float = 180.0,
    *,
    seed: int = 0,
    disk_full_real_s: float = 1.5,
    sample_s: float = 0.5,
    tmpfs_size: str = "256m",
) -> DayReport:
    import psutil
    import uvicorn
    import websockets
    from tolerance.api import Settings, create_app
    from tolerance.api.cli.commands.serve import _bind
    from tolerance.api.protocol.commands import MAX_WS_MESSAGE_BYTES
    from tolerance.api.session import SourceSpec

    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tolerance-soak-") as tmp:
        disk = Path(tmp) / "disk"
        disk.mkdir()
        mounted = _mount_tmpfs(disk, tmpfs_size)
        if not mounted:
            notes.append("no tmpfs could be mounted (not root?): disk-full faults skipped")
        loop = asyncio.get_running_loop()
        pending: set[asyncio.Task[Any]] = set()
        stalled: list[socket.socket] = []
        sock = _bind("127.0.0.1", 0)
        port = sock.getsockname()[1]
        session_path: list[str] = []

        async def disk_full() -> None:
            ballast = await asyncio.to_thread(_fill, disk)
            await asyncio.sleep(disk_full_real_s)
            ballast.unlink()

        async def stall() -> None:
            if session_path:
                stalled.append(await _stalled_client(port, session_path[0], settings.access_token))

        def on_fault(kind: str) -> None:
            if kind == "disk_full" and not mounted:
                return
            task = loop.create_task(disk_full() if kind == "disk_full" else stall())
            pending.add(task)
            task.add_done_callback(pending.discard)

        strap = FaultyStrap(hours, speed, fault_every_s, seed, on_fault)
        db = disk / "soak.sqlite3"
        settings = Settings(db=db, port=port)
        app = create_app(settings, lambda: [SourceSpec(strap, "ble", {"device": "soak"})])
        config = uvicorn.Config(
            app, log_level="error", lifespan="on", ws="websockets-sansio", ws_max_size=MAX_WS_MESSAGE_BYTES
        )
        server = uvicorn.Server(config)
        serving = loop.create_task(server.serve(sockets=[sock]))
        proc = psutil.Process()
        proc.cpu_percent(None)
        rss: list[tuple[float, float]] = []
        cpu: list[tuple[float, float]] = []
        t_start = time.monotonic()
        try:
            while not server.started:
                await asyncio.sleep(0.02)
            sid = app.state.tolerance.manager.sessions and next(iter(app.state.tolerance.manager.sessions))
            session_path.append(f"/ws/sessions/{sid}")
            indices: list[int] = []
            told = [0]

            async def watch() -> None:
                bearer = {"Authorization": f"Bearer {settings.access_token}"}
                url = f"ws://127.0.0.1:{port}/ws/sessions/{sid}"
                async with websockets.connect(url, max_size=None, additional_headers=bearer) as ws:
                    async for message in ws:
                        frame = json.loads(message)
                        if frame["type"] == "beat":
                            indices.append(frame["index"])
                        elif frame["type"] == "status" and frame.get("dropped_frames"):
                            told[0] = max(told[0], frame["dropped_frames"])
                        elif frame["type"] == "status" and frame.get("session") in ("ended", "failed"):
                            return

            watcher = loop.create_task(watch())
            live = app.state.tolerance.manager.sessions[sid]
            while live.task is not None and not live.task.done():
                rss.append((time.monotonic() - t_start, proc.memory_info().rss / 2**20))
                cpu.append((time.monotonic() - t_start, proc.cpu_percent(None)))
                await asyncio.sleep(sample_s)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(watcher, 10)
            while pending:
                await asyncio.sleep(0.1)
            deadline = time.monotonic() + 30
            while app.state.tolerance.store.deferred and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            rss.append((time.monotonic() - t_start, proc.memory_info().rss / 2**20))
            wall = time.monotonic() - t_start
        finally:
            server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(serving, 20)
            for s in stalled:
                s.close()
            sock.close()
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            stored_beats = conn.execute("SELECT COUNT(*) FROM beats").fetchone()[0]
            stored_notes = conn.execute("SELECT COUNT(*) FROM notifications").fetchone()[0]
            gaps = conn.execute("SELECT COUNT(*) FROM events WHERE type='storage_gap'").fetchone()[0]
            status = conn.execute("SELECT status FROM sessions").fetchone()[0]
        finally:
            conn.close()
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], check=False)
    seen = sorted(set(indices))
    missing = (seen[-1] - seen[0] + 1 - len(seen)) if seen else 0
    return DayReport(
        sim_hours=hours,
        speed=speed,
        wall_s=wall,
        faults={k: v for k, v in strap.faults.items() if mounted or k != "disk_full"},
        sent_beats=strap.sent_beats,
        dropped_on_purpose=strap.dropped,
        sent_notifications=strap.sent_notifications,
        stored_beats=stored_beats,
        stored_notifications=stored_notes,
        storage_gaps=gaps,
        client_beats=len(seen),
        client_missing=missing,
        client_told_dropped=told[0],
        stalled_clients=len(stalled),
        disk_full_tested=mounted,
        status=status,
        rss_mb=rss,
        cpu_pct=cpu,
        notes=notes,
    )


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0
