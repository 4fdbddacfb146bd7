"""Tolerance benchmarks: prints one markdown table and writes benchmarks/results.json.

    .venv/bin/python benchmarks/run.py            # full run, a few minutes
    .venv/bin/python benchmarks/run.py --quick    # smaller sizes, under a minute
    .venv/bin/python benchmarks/run.py --only a,d # some parts only

Parts (see benchmarks/README.md): (a) live straps per core, (b) ``tolerance analyze`` on a
24-hour recording, (c) memory per live session over 8 hours, (d) start-up, (e) CPU and
frames per second of served sessions at real speed, (f) an 8-hour day with faults at
accelerated time (plot: benchmarks/soak.png), (g) 100 straps x 5 clients: latency, frames
lost, sessions per core, (h) a websocket flood of huge frames: the server's memory, (i)
``analyze``'s memory and time per beat at 1-25 M beats and batch throughput. Every speed-up is a
ratio of two measurements interleaved in this same run; nothing here asserts on time. A part
that fails prints its error in its row and the others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH_DIR, Row  # noqa: E402

PARTS = {
    "d": ("bench_startup", "(d) start-up", "< 0.3 s"),
    "a": ("bench_live", "(a) live straps per core, full metrics", ">= 1,000 straps/core"),
    "c": ("bench_memory", "(c) memory per live session", "< 1 MiB, flat"),
    "b": ("bench_analyze", "(b) `tolerance analyze` 24 h", "ratio >= 20x"),
    "e": ("bench_serve", "(e) served sessions", "(reported)"),
    "f": ("bench_soak", "(f) soak: 8-hour day with faults", "0 beats lost, memory flat"),
    "g": ("bench_load", "(g) load: 100 straps x 5 clients", "p99 < 100 ms, 0 frames lost"),
    "h": ("bench_ws_flood", "(h) websocket flood", "bounded memory"),
    "i": ("bench_scale", "(i) `tolerance analyze` at scale", "25 M beats < 2 GB"),
}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(rows: list[Row]) -> str:
    lines = ["| figure | target | measured | naive/reference | ratio | verdict |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            "| "
            + " | ".join(_cell(x) for x in (r.figure, r.target, r.measured, r.reference, r.ratio, r.verdict))
            + " |"
        )
    notes = [f"* {r.figure.split(' ', 1)[0]} {n}" for r in rows for n in r.notes]
    return "\n".join(lines + ([""] + notes if notes else []))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller sizes (< 1 minute)")
    p.add_argument("--only", default="d,a,c,b,e,f,g,h,i", help="comma-separated parts to run (default all)")
    p.add_argument("--json", default=str(BENCH_DIR / "results.json"), help="where to write the results")
    args = p.parse_args(argv)

    import importlib

    rows: list[Row] = []
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    for key in [k.strip() for k in args.only.split(",") if k.strip()]:
        if key not in PARTS:
            print(f"unknown part {key!r} (choose from {', '.join(PARTS)})", file=sys.stderr)
            return 2
        module, figure, target = PARTS[key]
        t0 = time.perf_counter()
        print(f"running {figure} ...", file=sys.stderr, flush=True)
        try:
            rows += importlib.import_module(module).run(args.quick)
        except Exception as exc:  # noqa: BLE001 - the error goes in the row, the next part runs
            traceback.print_exc()
            rows.append(Row(figure, target, measured=f"ERROR {type(exc).__name__}: {exc}", verdict="ERROR"))
        timings[key] = time.perf_counter() - t0
        print(f"  ... {timings[key]:.1f} s", file=sys.stderr, flush=True)

    total = time.perf_counter() - t_all
    print(table(rows))
    print(
        f"\n{'quick' if args.quick else 'full'} run, {total:.0f} s wall; "
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs "
        f"(load average {', '.join(f'{x:.1f}' for x in os.getloadavg())})"
    )
    doc = {
        "mode": "quick" if args.quick else "full",
        "generated_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "part_wall_s": timings,
        "total_wall_s": total,
        "rows": [asdict(r) for r in rows],
    }
    try:
        Path(args.json).write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {args.json}: {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
