"""Issue 23: ``analyze`` answers every input at once and in bounded memory: a FIFO or a device is
refused without being opened, a 2 GB file of NUL bytes is refused after reading a little of it,
and one absurd value among good beats is a drop-out, not a refusal of the file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tolerance.api.cli.main import main

CLI = [sys.executable, "-m", "tolerance.api.cli", "analyze", "--no-progress"]


def _run(args: list[str], timeout_s: float) -> tuple[int, str]:
    """Run the CLI in its own process (a hang guard: a hang fails the test); (exit code, stderr)."""
    try:
        proc = subprocess.run([*CLI, *args], capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"analyze {args} did not answer within {timeout_s:.0f} s") from None
    return proc.returncode, proc.stderr.decode(errors="replace")


_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_pid, status, usage = os.wait4(proc.pid, 0)
sys.stderr.write(err.decode(errors="replace"))
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def _peak_rss_kib(args: list[str]) -> tuple[int, str, int]:
    """Run the CLI; (exit code, stderr, peak RSS of that process alone in KiB, from wait4).

    Through a small Python in between: Linux keeps a process's peak RSS across fork and exec, so a
    CLI forked straight from pytest (hundreds of MiB after other tests) would report pytest's."""
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *CLI, *args], capture_output=True, text=True, check=True, timeout=600
    )
    code, peak = proc.stdout.split()
    return int(code), proc.stderr, int(peak)


def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "rr.txt"
    os.mkfifo(fifo)
    code, err = _run([str(fifo)], timeout_s=60)
    assert code == 2
    assert err.strip().count("\n") == 0 and "FIFO" in err and "not a regular file" in err, err


def test_a_device_is_refused_without_reading_it() -> None:
    code, err = _run(["/dev/zero"], timeout_s=60)
    assert code == 2 and "a device, not a regular file" in err and "Traceback" not in err, err


def test_a_2_gb_sparse_file_of_nul_bytes_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """It once passed 2 GB of memory without answering in 120 s (a 50 MB one peaked at 484 MiB)."""
    sparse = tmp_path / "zeros.txt"
    with sparse.open("wb") as f:
        f.truncate(2 * 1024**3)
    code, err, peak_kib = _peak_rss_kib([str(sparse)])
    assert code == 2 and "Traceback" not in err, err
    assert err.strip().count("\n") == 0 and len(err) < 300, err[:300]
    assert peak_kib < 250 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB"


def test_a_file_of_one_endless_line_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    endless = tmp_path / "digits.txt"
    with endless.open("wb") as f:
        for _ in range(64):
            f.write(b"7" * (1 << 20))
    code, err, peak_kib = _peak_rss_kib([str(endless)])
    assert code == 2 and "longer than" in err, err
    assert peak_kib < 250 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB"


def test_one_absurd_value_among_good_beats_is_a_drop_out_not_a_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(23)
    values = [f"{v:.0f}" for v in 800 + rng.normal(0, 30, 650)]
    values[300] = "1e308"
    rr = tmp_path / "rr.txt"
    rr.write_text("\n".join(values) + "\n")
    out = tmp_path / "out.json"
    assert main(["analyze", str(rr), "--out", str(out), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert not re.search(r"\d{20,}", err), err
    doc = json.loads(out.read_text())
    assert [(e["index"], e["rr_ms"]) for e in doc["excluded"]] == [(300, 1e308)]
    computed = [w for w in doc["windows"] if w["HRV_MeanNN"] is not None]
    assert computed, "the beats before the drop-out make a window"
    # The drop-out splits the series: no window holds beats of both sides.
    assert {w["segment"] for w in doc["windows"] if w["n_beats"]} == {0, 1}


def test_a_file_of_millions_of_implausible_values_is_refused_before_listing_them(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"50\n" * 1_200_000)  # 50 ms: spurious, each would be listed with its line
    code, err, peak_kib = _peak_rss_kib([str(junk)])
    assert code == 2 and "1,200,000 of 1,200,000 values are implausible" in err, err
    assert peak_kib < 300 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB"
