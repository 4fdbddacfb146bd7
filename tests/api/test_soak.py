"""A shortened soak (20 simulated minutes at 100x, a fault every simulated minute: drop-outs,
reconnect storms, garbage payloads, a full disk and its recovery, stalled clients): nothing is
lost. The full day, with memory and CPU plots, is ``benchmarks/bench_soak.py``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from soak_day import run_day  # noqa: E402


@pytest.mark.slow
def test_a_shortened_day_with_faults_loses_no_beat(caplog: pytest.LogCaptureFixture) -> None:
    report = asyncio.run(run_day(hours=1 / 3, speed=100, fault_every_s=60, seed=1))
    assert report.faults["dropout"] >= 3 and report.faults["storm"] >= 3 and report.faults["garbage"] >= 3
    assert report.stalled_clients >= 3
    if report.disk_full_tested:
        assert report.faults["disk_full"] >= 3
        assert any("storage failing" in r.getMessage() for r in caplog.records)
    assert report.dropped_on_purpose > 0
    assert report.stored_beats == report.sent_beats, "every beat the strap sent is stored"
    assert report.stored_notifications == report.sent_notifications
    assert report.storage_gaps == 0 and report.status == "ended"
    # The watching client saw every beat, or was told of each frame dropped for it.
    assert report.client_missing <= report.client_told_dropped
