"""Helpers shared by the benchmark parts: paths, interleaved timing, relative differences.

No timed assertions anywhere: every part returns numbers and a verdict for the table.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
TOLERANCE = str(VENV_BIN / "tolerance")
RR_60MIN = ROOT / "tests" / "data" / "rr" / "pyhrv-nni-long-60min.txt"
ACCESS_TOKEN = "benchmark-access-token-0123456789"
"""The servers the benchmarks start are given this token (``TOLERANCE_ACCESS_TOKEN``): every
request needs one, and their clients send it."""
AUTH = {"Authorization": f"Bearer {ACCESS_TOKEN}"}


def server_env() -> dict[str, str]:
    """The environment of a server a benchmark starts: its access token, and no cap on
    connections per client address (every benchmark client comes from 127.0.0.1)."""
    return {**os.environ, "TOLERANCE_ACCESS_TOKEN": ACCESS_TOKEN, "TOLERANCE_MAX_CONNECTIONS_PER_CLIENT": "100000"}


@dataclass
class Row:
    """One line of the results table (and one object of results.json)."""

    figure: str
    target: str
    measured: str = "-"
    reference: str = "-"
    ratio: str = "-"
    verdict: str = "-"
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def interleaved(fns: Sequence[Callable[[], float]], repeats: int) -> list[list[float]]:
    """Call ``fns[0], fns[1], ..., fns[0], fns[1], ...`` ``repeats`` times; each returns a time.

    Interleaving puts both sides of a ratio under the same (noisy, shared) machine load.
    """
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            out[k].append(fn())
    return out


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def wall_of(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    timeout: float | None = None,
) -> float:
    """Wall-clock seconds of one whole process; raises on a non-zero exit."""
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return dt


def clean_env() -> dict[str, str]:
    """The environment for timed child processes: no PYTHON* variables that change start-up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    return env


def rel_diff(a: float | None, b: float | None) -> float:
    """``|a - b| / max(|a|, |b|)``; 0 when both are equal (or both None), inf when one is None."""
    if a is None and b is None:
        return 0.0
    if a is None or b is None:
        return math.inf
    if a == b:
        return 0.0
    if math.isnan(a) and math.isnan(b):
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def fmt_ratio(x: float) -> str:
    return f"{x:.1f}x"
