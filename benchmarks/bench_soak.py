"""(f) Soak: a simulated 8-hour day at accelerated time with faults every few simulated minutes
(``soak_day.py``: drop-outs, reconnect storms, garbage payloads, a full disk and its recovery,
stalled clients). Reports beats lost (must be 0), memory and CPU at start and end, and saves
``benchmarks/soak.png`` (RSS and CPU over the run; matplotlib, the ``bench`` extra).

    .venv/bin/python benchmarks/bench_soak.py [--quick] [--hours 8] [--speed 240]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

from _common import BENCH_DIR, Row
from soak_day import DayReport, run_day


def plot(report: DayReport, path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - the bench extra is not installed
        return None
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    scale = report.speed / 3600  # real seconds -> simulated hours
    ax1.plot([t * scale for t, _ in report.rss_mb], [m for _, m in report.rss_mb])
    ax1.set_ylabel("RSS (MiB)")
    ax1.set_title(
        f"Soak: {report.sim_hours:g} h at {report.speed:g}x, {sum(report.faults.values())} faults, "
        f"{report.beats_lost} beats lost"
    )
    ax2.plot([t * scale for t, _ in report.cpu_pct], [c for _, c in report.cpu_pct])
    ax2.set_ylabel("CPU (% of a core)")
    ax2.set_xlabel("simulated hours")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def run(quick: bool, hours: float | None = None, speed: float | None = None) -> list[Row]:
    hours = hours or (1.0 if quick else 8.0)
    speed = speed or (240.0 if quick else 240.0)
    report = asyncio.run(run_day(hours=hours, speed=speed, fault_every_s=180.0))
    png = plot(report, BENCH_DIR / "soak.png")
    cpu = [c for _, c in report.cpu_pct[2:]]
    notes = list(report.notes)
    if png is None:
        notes.append("matplotlib missing (pip install -e '.[bench]'): no plot")
    return [
        Row(
            figure=f"(f) soak: {hours:g} h at {speed:g}x, a fault every 3 simulated min",
            target="0 beats lost, memory flat",
            measured=(
                f"{report.beats_lost} lost of {report.sent_beats} ({report.dropped_on_purpose} dropped on purpose); "
                f"RSS {report.rss_mb[0][1]:.0f} -> {report.rss_mb[-1][1]:.0f} MiB ({report.stalled_clients} stalled "
                f"clients joined); watching client missed {report.client_missing} beat frames, "
                f"told of {report.client_told_dropped} dropped"
            ),
            reference=f"faults {report.faults}; CPU median {statistics.median(cpu) if cpu else 0:.0f} % of a core",
            verdict="ok"
            if report.beats_lost == 0 and report.storage_gaps == 0 and report.client_missing == 0
            else "check",
            details={k: v for k, v in report.__dict__.items() if k not in ("rss_mb", "cpu_pct")}
            | {"rss_mb": report.rss_mb[:: max(1, len(report.rss_mb) // 200)], "plot": str(png)},
            notes=notes,
        )
    ]


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--hours", type=float, default=None)
    p.add_argument("--speed", type=float, default=None)
    a = p.parse_args()
    for row in run(a.quick, a.hours, a.speed):
        print(row.figure, "|", row.measured, "|", row.reference, "|", row.verdict)
        print({k: v for k, v in row.details.items() if k != "rss_mb"})
    sys.exit(0)
