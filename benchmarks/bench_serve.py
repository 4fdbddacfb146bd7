"""(e) A served session end to end: server CPU per live simulated session, frames per second.

Starts the real ``tolerance serve`` with N simulated straps at real speed, connects one
websocket client per session, and over a measured span reads the server process's CPU time
(``/proc/PID/stat``: utime + stime) and counts the frames each client receives. The figure
for the closing note: CPU per session (as a share of one core) and frames/s per client.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from _common import AUTH, TOLERANCE, Row, server_env


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serve(n: int, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    log = tmp / "serve.log"
    args = [TOLERANCE, "serve", "--port", "0", "--db", str(tmp / "b.sqlite3"), "--seed", "1"]
    for _ in range(n):
        args += ["--sim", "calm"]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=server_env())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", log.read_text())
        if m:
            return proc, m.group(1)
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start: " + log.read_text())


def _measure(n: int, span_s: float, warmup_s: float) -> dict[str, float]:
    import httpx
    from websockets.sync.client import connect

    with tempfile.TemporaryDirectory() as d:
        proc, url = _serve(n, Path(d))
        try:
            ids = [s["id"] for s in httpx.get(url + "api/sessions", headers=AUTH).json()]
            counts = {i: 0 for i in ids}
            stop = threading.Event()

            def client(sid: str) -> None:
                with connect(url.replace("http", "ws") + f"ws/sessions/{sid}", additional_headers=AUTH) as ws:
                    while not stop.is_set():
                        try:
                            json.loads(ws.recv(timeout=0.5))
                            counts[sid] += 1
                        except TimeoutError:
                            pass

            threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in ids]
            for t in threads:
                t.start()
            time.sleep(warmup_s)  # past the start-up and the artifact detector's warm-up
            c0, f0, t0 = _cpu_s(proc.pid), sum(counts.values()), time.monotonic()
            time.sleep(span_s)
            c1, f1, t1 = _cpu_s(proc.pid), sum(counts.values()), time.monotonic()
            stop.set()
            for t in threads:
                t.join(2)
        finally:
            proc.terminate()
            proc.wait(10)
    wall = t1 - t0
    return {
        "sessions": n,
        "cpu_share_per_session": (c1 - c0) / wall / n,
        "frames_per_s_per_client": (f1 - f0) / wall / n,
        "span_s": wall,
    }


def run(quick: bool) -> list[Row]:
    span = 8.0 if quick else 60.0
    rows = []
    for n in (1, 10):
        r = _measure(n, span, 8.0 if quick else 20.0)
        rows.append(
            Row(
                f"(e) served sessions at real speed, {n} simulated strap(s), one client each",
                "(reported, no target)",
                measured=(
                    f"server CPU {100 * r['cpu_share_per_session']:.2f} % of a core per session; "
                    f"{r['frames_per_s_per_client']:.2f} frames/s per client"
                ),
                verdict="-",
                details=r,
            )
        )
    return rows
