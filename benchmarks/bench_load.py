"""(g) Load: 100 simulated straps on one real ``tolerance serve``, 5 websocket clients each.

Measured over a span after a warm-up, from the clients (one asyncio process, 500 sockets):

* latency, notification to frame: a ``sample`` frame's receive time minus its ``t_utc`` (the
  simulated notification's own time, paced at real speed), p50/p99 over all clients;
* beat frames: the same for ``beat`` frames, which by design wait until a beat's artifact
  class is final (a few beats later), so this one includes that deliberate lag;
* frames lost: holes in each client's run of beat indices plus any ``dropped_frames`` the
  server reported (0 expected: every client here reads promptly);
* served sessions per core: sessions / (server CPU seconds per wall second), with the store
  and the websockets, from ``/proc/PID/stat``.

    .venv/bin/python benchmarks/bench_load.py [--quick] [--straps N] [--clients K]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import AUTH, Row
from bench_serve import _cpu_s, _serve

_WORKERS = 4


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def _client(url: str, stop_at: float, warm_until: float, out: dict[str, Any]) -> None:
    import websockets

    sample_lat, beat_lat, indices = out["sample"], out["beat"], out["indices"]
    async with websockets.connect(url, max_size=None, open_timeout=60, additional_headers=AUTH) as ws:
        while time.time() < stop_at:
            try:
                message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, stop_at - time.time()))
            except TimeoutError:
                break
            now = time.time()
            head = message[:40]
            if '"sample"' not in head and '"beat"' not in head and '"status"' not in head:
                continue  # metrics, zone, ...: not measured, not parsed
            frame = json.loads(message)
            kind = frame.get("type")
            if kind == "sample" and now >= warm_until:
                sample_lat.append(now - frame["t_utc"])
            elif kind == "beat":
                indices.append(frame["index"])
                if now >= warm_until:
                    beat_lat.append(now - frame["t_utc"])
            elif kind == "status" and frame.get("dropped_frames"):
                out["dropped"] = max(out["dropped"], frame["dropped_frames"])


async def _clients(urls: list[str], start: float, warmup_s: float, span_s: float) -> list[dict[str, Any]]:
    stats: list[dict[str, Any]] = []
    tasks = []
    for url in urls:
        out: dict[str, Any] = {"sample": [], "beat": [], "indices": [], "dropped": 0}
        stats.append(out)
        tasks.append(_client(url, start + warmup_s + span_s, start + warmup_s, out))
    await asyncio.gather(*tasks)
    return stats


def _worker(args: tuple[list[str], float, float, float]) -> list[dict[str, Any]]:
    return asyncio.run(_clients(*args))


def _load(base: str, ws_base: str, clients: int, warmup_s: float, span_s: float) -> list[dict[str, Any]]:
    """The clients, spread over worker processes (one Python process parsing 500 sockets' frames
    is itself the bottleneck, and its lag would be counted as the server's)."""
    from concurrent.futures import ProcessPoolExecutor

    sessions = httpx.get(base + "api/sessions", timeout=30, headers=AUTH).json()
    urls = [f"{ws_base}/ws/sessions/{s['id']}" for s in sessions for _ in range(clients)]
    start = time.time()
    with ProcessPoolExecutor(_WORKERS) as pool:
        parts = pool.map(_worker, [(urls[k::_WORKERS], start, warmup_s, span_s) for k in range(_WORKERS)])
        return [s for part in parts for s in part]


def measure(straps: int, clients: int, warmup_s: float, span_s: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tolerance-load-") as tmp:
        proc, url = _serve(straps, Path(tmp))
        try:
            ws_base = url.replace("http://", "ws://").rstrip("/")
            deadline = time.monotonic() + 60
            while len(httpx.get(url + "api/sessions", timeout=30, headers=AUTH).json()) < straps:
                if time.monotonic() > deadline:
                    raise RuntimeError("the sessions did not all start")
                time.sleep(0.2)
            cpu_box: dict[str, float] = {}

            def meter() -> None:
                time.sleep(warmup_s)
                cpu_box["c0"], cpu_box["t0"] = _cpu_s(proc.pid), time.monotonic()
                time.sleep(span_s)
                cpu_box["c1"], cpu_box["t1"] = _cpu_s(proc.pid), time.monotonic()

            import threading

            m = threading.Thread(target=meter)
            m.start()
            stats = _load(url, ws_base, clients, warmup_s, span_s)
            m.join()
        finally:
            proc.terminate()
            proc.wait(20)
    sample = [x for s in stats for x in s["sample"]]
    beat = [x for s in stats for x in s["beat"]]
    holes = 0
    for s in stats:
        seen = sorted(set(s["indices"]))
        holes += (seen[-1] - seen[0] + 1 - len(seen)) if seen else 0
    cpu_share = (cpu_box["c1"] - cpu_box["c0"]) / (cpu_box["t1"] - cpu_box["t0"])
    return {
        "straps": straps,
        "clients_per_strap": clients,
        "span_s": span_s,
        "sample_frames": len(sample),
        "sample_p50_ms": _pct(sample, 0.5) * 1000,
        "sample_p99_ms": _pct(sample, 0.99) * 1000,
        "beat_frames": len(beat),
        "beat_p50_ms": _pct(beat, 0.5) * 1000,
        "beat_p99_ms": _pct(beat, 0.99) * 1000,
        "frames_lost": holes + sum(s["dropped"] for s in stats),
        "clients_without_frames": sum(1 for s in stats if not s["indices"]),
        "server_cpu_cores": cpu_share,
        "sessions_per_core": straps / cpu_share if cpu_share > 0 else float("inf"),
        "mean_beats_per_client": statistics.fmean(len(s["indices"]) for s in stats),
    }


def run(quick: bool) -> list[Row]:
    straps, clients = (20, 5) if quick else (100, 5)
    d = measure(straps, clients, warmup_s=10 if quick else 20, span_s=10 if quick else 40)
    return [
        Row(
            figure=f"(g) load: {straps} straps x {clients} clients, notification -> frame",
            target="p99 < 100 ms, 0 frames lost",
            measured=f"p50 {d['sample_p50_ms']:.1f} ms, p99 {d['sample_p99_ms']:.1f} ms; lost {d['frames_lost']}",
            reference=f"beat frames (incl. artifact lag) p50 {d['beat_p50_ms']:.0f} ms, p99 {d['beat_p99_ms']:.0f} ms",
            verdict="ok" if d["sample_p99_ms"] < 100 and d["frames_lost"] == 0 else "check",
            details=d,
        ),
        Row(
            figure="(g) served sessions per core (store + websockets, 5 clients each)",
            target="(reported)",
            measured=f"{d['sessions_per_core']:.0f} sessions/core ({d['server_cpu_cores']:.2f} cores for {straps})",
            details=d,
        ),
    ]


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--straps", type=int, default=None)
    p.add_argument("--clients", type=int, default=5)
    p.add_argument("--span", type=float, default=40.0)
    a = p.parse_args()
    if a.straps:
        print(json.dumps(measure(a.straps, a.clients, 20, a.span), indent=1))
    else:
        for row in run(a.quick):
            print(row.figure, "|", row.measured, "|", row.reference, "|", row.verdict)
    sys.exit(0)
