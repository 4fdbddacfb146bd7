"""Shared fixtures: a real `tolerance serve` process on a free port of 127.0.0.1 (the helpers,
with clients that carry the server's access token, are in ``tests/support/served.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from served import Served, start_server, stop_server

DATA = Path(__file__).parent / "data"

__all__ = ["DATA", "Served", "start_server", "stop_server"]


@pytest.fixture
def served_calm(tmp_path: Path) -> Iterator[Served]:
    served = start_server(tmp_path, "--sim", "calm", "--seed", "7", "--speed", "5")
    yield served
    stop_server(served)
