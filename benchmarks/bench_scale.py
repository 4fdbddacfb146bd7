"""(i) ``tolerance analyze`` at scale: peak memory per beat, time per beat, batch throughput.

Recordings: the real 60-minute NN series (tests/data/rr/pyhrv-nni-long-60min.txt) tiled to
``n`` beats, each hour scaled by a seeded heart-rate factor, 4 ms Gaussian jitter, and 1 % of
the beats replaced by an ectopic pair (65 % of the interval, then the compensatory pause),
integer ms, one per line (generated with numpy, no per-beat Python).

Peak memory: the child process's own maximum RSS (``os.wait4``'s rusage, Linux ``ru_maxrss`` in
KiB), whole process (interpreter and imports, about 80 MB, included). Bytes per beat are given
two ways: peak / beats, and the slope between the two sizes ((peak_b - peak_a) / (n_b - n_a)),
which extrapolates to a 25 M-beat (29-day) file. CSV output (the windows; the JSON adds the
``tolerance`` object, whose live engine runs once per beat: measured on smaller files, at two
sizes too). ``--beats N`` (or ``TOLERANCE_BENCH_BEATS=N`` through ``run.py``) also runs one
file of ``N`` beats, e.g. ``--beats 25000000`` (about 100 MB of text; ~6 minutes on a shared
core) instead of extrapolating to it.

Batch: one folder of 8 files, ``tolerance analyze DIR --format csv`` (a process pool of
``os.cpu_count()`` workers) on all cores, and pinned to one core with ``taskset -c 0``; beats per
second of the whole process, side by side. Nothing here asserts on time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import numpy as np
from _common import PYTHON, RR_60MIN, TOLERANCE, Row, clean_env

REFERENCE_MEMORY: Final = (
    "main before the bounded pieces (a712ff4), same files: 1 M beats 278 MB, 4 M 986 MB (slope 236 B/beat), "
    "25 M measured 5,165 MB"
)
"""Figures of the code before the change, measured once beside it (benchmarks/README.md, (i))."""
REFERENCE_TIME: Final = "main a712ff4 beside it, 2 M beats alternated: 11.2 µs/beat wall (this code 10.3)"
REFERENCE_JSON: Final = "main a712ff4, same files: 50 k beats 136 MB, 200 k 155 MB; 340 µs/beat CPU"


def make_beats(path: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` RR intervals (module docstring)."""
    rng = np.random.default_rng(seed)
    base = np.loadtxt(RR_60MIN, dtype=np.float64)
    reps = n // base.size + 1
    x = np.tile(base, reps)[:n] * np.repeat(np.exp(rng.normal(0.0, 0.06, reps)), base.size)[:n]
    x += rng.normal(0.0, 4.0, n)
    x = np.clip(np.rint(x), 300, 2000)
    at = rng.choice(n - 1, size=n // 100, replace=False)
    short = np.rint(x[at] * 0.65)
    x[at + 1] += x[at] - short
    x[at] = short
    with path.open("w", encoding="ascii") as f:
        for lo in range(0, n, 1_000_000):
            f.write("\n".join(map(str, x[lo : lo + 1_000_000].astype(np.int64).tolist())) + "\n")


def write_beats(path: Path, n: int, seed: int = 7) -> None:
    """:func:`make_beats` in a process of its own: on Linux a child's ``ru_maxrss`` starts from
    the RSS of the process it was started from (the high-water mark survives fork and exec), so
    this process must stay small for the children's peaks to be theirs (generating 25 M beats
    here would add ~1 GB to every later measurement)."""
    subprocess.run([PYTHON, __file__, "--make", str(path), str(n), str(seed)], check=True, env=clean_env())


def measure(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one child process; raises on failure."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=clean_env())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err[-400:]}")
    return wall, int(usage.ru_maxrss) * 1024


def _mb(b: float) -> str:
    return f"{b / 1e6:,.0f} MB"


def run(quick: bool, tmp: Path | None = None, beats: int | None = None) -> list[Row]:
    sizes = (200_000, 1_000_000) if quick else (1_000_000, 4_000_000)
    if beats is None and os.environ.get("TOLERANCE_BENCH_BEATS"):
        beats = int(os.environ["TOLERANCE_BENCH_BEATS"])
    huge = beats if beats and beats not in sizes else None
    json_sizes = (10_000, 40_000) if quick else (50_000, 200_000)
    batch_beats = 20_000 if quick else 100_000
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tolerance-scale-", dir=tmp) as d:
        d = Path(d)
        runs: dict[int, tuple[float, int]] = {}
        for n in (*sizes, *((huge,) if huge else ())):
            f = d / f"rr-{n}.txt"
            write_beats(f, n)
            out = str(d / "o.csv")
            runs[n] = measure([TOLERANCE, "analyze", str(f), "--format", "csv", "--no-progress", "--out", out])
            f.unlink()
        na, nb = sizes
        ma, mb = runs[na][1], runs[nb][1]
        slope = (mb - ma) / (nb - na)
        details: dict[str, Any] = {str(n): {"wall_s": t, "peak_rss_bytes": m} for n, (t, m) in runs.items()}
        extrap = mb + slope * (25_000_000 - nb)
        measured = (
            f"{na:,} beats: {_mb(ma)} ({ma / na:.0f} B/beat); {nb:,}: {_mb(mb)} ({mb / nb:.0f} B/beat); "
            f"slope {slope:.0f} B/beat -> 25 M beats ~{_mb(extrap)}"
        )
        if huge:
            th, mh = runs[huge]
            measured += f"; {huge / 1e6:g} M beats measured: {_mb(mh)} ({mh / huge:.0f} B/beat), {th:.0f} s"
        rows.append(
            Row(
                "(i) `analyze --format csv` peak RSS per beat (whole process)",
                "25 M beats < 2 GB (a few tens of B/beat)",
                measured=measured,
                reference=REFERENCE_MEMORY,
                verdict="PASS" if (runs[huge][1] if huge else extrap) < 2e9 else "MISS",
                details=details,
            )
        )
        per = {n: t / n for n, (t, _) in runs.items()}
        rows.append(
            Row(
                "(i) `analyze --format csv` time per beat (whole process)",
                "linear: same per-beat time at each size",
                measured="; ".join(f"{n:,} beats: {t * 1e6:.1f} µs/beat ({runs[n][0]:.1f} s)" for n, t in per.items()),
                reference=REFERENCE_TIME,
                ratio=f"{per[nb] / per[na]:.2f}x ({nb:,} vs {na:,})",
                verdict="(reported)",
            )
        )
        json_runs: dict[int, tuple[float, int]] = {}
        for n in json_sizes:
            f = d / f"rr-json-{n}.txt"
            write_beats(f, n)
            json_runs[n] = measure([TOLERANCE, "analyze", str(f), "--no-progress", "--out", str(d / "o.json")])
        (ja, (ta, ma)), (jb, (tj, mj)) = json_runs.items()
        rows.append(
            Row(
                f"(i) `analyze` JSON with the `tolerance` object, {ja:,} and {jb:,} beats",
                "(reported)",
                measured=(
                    f"{tj / jb * 1e6:.0f} µs/beat ({tj:.1f} s); peak {_mb(ma)}, {_mb(mj)}: "
                    f"slope {(mj - ma) / (jb - ja):.0f} B/beat"
                ),
                reference=REFERENCE_JSON,
                verdict="(reported)",
                details={str(n): {"wall_s": t, "peak_rss_bytes": m} for n, (t, m) in json_runs.items()},
            )
        )
        folder = d / "batch"
        folder.mkdir()
        for k in range(8):
            write_beats(folder / f"rec{k}.txt", batch_beats, seed=k)
        cmd = [TOLERANCE, "analyze", str(folder), "--format", "csv", "--no-progress", "--out", str(d / "b.csv")]
        t_all, _ = measure(cmd)
        one = None
        if shutil.which("taskset"):
            one, _ = measure(["taskset", "-c", "0", *cmd])
        beats = 8 * batch_beats
        rows.append(
            Row(
                f"(i) batch: `analyze DIR` on 8 files of {batch_beats:,} beats",
                "(reported) all cores vs one",
                measured=f"{os.cpu_count()} cores: {beats / t_all:,.0f} beats/s ({t_all:.1f} s)",
                reference=f"1 core: {beats / one:,.0f} beats/s ({one:.1f} s)" if one else "taskset missing",
                ratio=f"{one / t_all:.2f}x" if one else "-",
                verdict="(reported; the machine is shared)",
            )
        )
    return rows


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description="(i) analyze at scale")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--beats", type=int, default=None, help="also run one file of this many beats (e.g. 25000000)")
    p.add_argument("--make", nargs=3, metavar=("PATH", "N", "SEED"), help=argparse.SUPPRESS)  # write_beats' child
    a = p.parse_args()
    if a.make:
        make_beats(Path(a.make[0]), int(a.make[1]), int(a.make[2]))
    else:
        for r in run(a.quick, beats=a.beats):
            print(r)
