"""A real full disk for the storage tests: a 2 MiB tmpfs, and a ballast file that fills it."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs mounted at ``tmp_path / "disk"`` (root only: elsewhere the test is skipped)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Write zeros to ``disk/ballast`` until the disk refuses; the ballast frees it again."""
    ballast = disk / "ballast"
    # Unbuffered: a buffered file would try to write its remnant again on close and raise there.
    with ballast.open("wb", buffering=0) as f:
        block = b"\0" * 65536
        try:
            while f.write(block):
                pass
        except OSError:
            pass
    return ballast
