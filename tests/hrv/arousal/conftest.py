"""Fixtures: the project's own engine on a simulated strap, per-beat 60 s window values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from tolerance.hrv import BeatUpdate, Engine
from tolerance.simulations import SimulationResult


@dataclass(frozen=True)
class WindowSeries:
    t_s: np.ndarray
    hr: list[float | None]
    rmssd: list[float | None]
    corrected: list[float | None]


def engine_windows(result: SimulationResult, window_s: float = 60.0) -> WindowSeries:
    """Feed a simulation's notifications to ``tolerance.hrv.Engine``; the 60 s window per beat."""
    eng = Engine()
    t, hr, rm, cs = [], [], [], []
    updates = []
    for s in result.samples:
        updates.extend(eng.add(s.t_mono, s.rr_ms, s.contact, s.rr_raw))
    updates.extend(eng.flush())
    for u in updates:
        if isinstance(u, BeatUpdate) and u.windows:
            w = next(w for w in u.windows if w.window_s == window_s)
            t.append(u.beat.t_s)
            hr.append(w.values.get("HR"))
            rm.append(w.values.get("HRV_RMSSD"))
            cs.append(w.corrected_share)
    return WindowSeries(np.asarray(t), hr, rm, cs)


@pytest.fixture(scope="session")
def windows_of():
    """``windows_of(result)`` -> WindowSeries (cached per scenario name and seed)."""
    cache: dict[tuple[str, int | None], WindowSeries] = {}

    def get(result: SimulationResult) -> WindowSeries:
        key = (result.scenario.name, result.seed)
        if key not in cache:
            cache[key] = engine_windows(result)
        return cache[key]

    return get
