"""In-process server fixtures: the real app (FastAPI + store + sessions) with a fake strap at
the hardware edge, fed real Heart Rate Measurement bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_fakes import PacedStrap
from disk import small_disk as mounted_small_disk
from served import in_process
from starlette.testclient import TestClient
from tolerance.api import Settings, create_app
from tolerance.api.session import SourceSpec

PayloadStrap = PacedStrap
"""The in-process tests' strap: real 0x2A37 bytes, decoded by the live parser."""


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(db=tmp_path / "t.sqlite3", port=0)
    app = create_app(settings, lambda: [SourceSpec(PayloadStrap(), "ble", {"device": "fake"})])
    with in_process(app, settings.access_token) as client:
        yield client


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB disk that a test can fill (tests/support/disk.py)."""
    with mounted_small_disk(tmp_path) as disk:
        yield disk
