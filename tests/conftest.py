"""Shared fixtures: a real `tolerance serve` process on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@dataclass
class Served:
    url: str
    db: Path
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def ws_base(self) -> str:
        return self.url.replace("http://", "ws://").rstrip("/")


def start_server(tmp: Path, *args: str, timeout_s: float = 30.0) -> Served:
    """Run `tolerance serve` with ``args`` on port 0 and wait for the URL it prints."""
    db = tmp / "tolerance.sqlite3"
    log = tmp / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Output goes to a file, not a pipe: a pipe nobody reads could fill up and stall the server.
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tolerance.api.cli", "serve", "--port", "0", "--db", str(db), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", log.read_text())
        if m:
            return Served(m.group(1), db, proc, log)
        time.sleep(0.05)
    proc.kill()
    proc.wait(5)
    raise AssertionError("server did not print its URL:\n" + log.read_text())


def stop_server(served: Served) -> None:
    served.proc.terminate()
    try:
        served.proc.wait(10)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait(5)


@pytest.fixture
def served_calm(tmp_path: Path) -> Iterator[Served]:
    served = start_server(tmp_path, "--sim", "calm", "--seed", "7", "--speed", "5")
    yield served
    stop_server(served)
