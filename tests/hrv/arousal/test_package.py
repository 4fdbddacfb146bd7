"""The arousal package: declared public names, numpy only at run time, live and offline agree."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import tolerance.hrv.arousal as arousal
from tolerance.hrv.arousal import (
    POPULATION_BASELINE,
    ToleranceTracker,
    ZoneChange,
    ZoneTick,
    analyze_tolerance,
)


def test_every_public_name_is_declared_and_importable() -> None:
    assert sorted(arousal.__all__) == sorted(set(arousal.__all__))
    for name in arousal.__all__:
        assert getattr(arousal, name) is not None


def test_importing_arousal_does_not_import_scipy() -> None:
    code = "import sys, tolerance.hrv.arousal; print('scipy' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "False", r.stderr


def test_live_tracker_and_offline_analysis_give_the_same_zones() -> None:
    t = np.arange(0.0, 900.0, 1.0)
    hr = [None if ti < 30 else (85.0 if 300 <= ti < 500 else 64.0) for ti in t]
    rm = [None if h is None else 40.0 for h in hr]
    cs = [0.0] * t.size
    tr = ToleranceTracker(POPULATION_BASELINE)
    updates = [u for ti, h, r in zip(t, hr, rm, strict=True) for u in tr.add(float(ti), h, r, 0.0)]
    tr.finish()
    offline = analyze_tolerance(t, hr, rm, cs, POPULATION_BASELINE)
    assert offline.zones == tr.zones
    ticks = [u for u in updates if isinstance(u, ZoneTick)]
    assert len(ticks) == 180  # every 5 s
    assert [str(u.zone) for u in updates if isinstance(u, ZoneChange)] == ["within", "hyper", "within"]
    assert offline.as_dict()["time_in_window"]["within_share"] is not None
