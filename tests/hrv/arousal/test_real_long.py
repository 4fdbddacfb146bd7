"""A band as wide as a calm day, on real long recordings (nine Holter days, each day's calmest hour).

The rule that picked the hours and the full figures (every calm hour of every day, by index weight)
are in ``benchmarks/score_real.py --long``; here the test data's nine hours, one per person.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import pytest
from tolerance.api.session.offline import short_windows
from tolerance.hrv.arousal import (
    Baseline,
    TimeInWindowSummary,
    ToleranceConfig,
    ToleranceTracker,
    WindowBand,
    ZoneConfig,
    ZoneInterval,
    calibrate,
    robust_center_spread,
)

HOURS = sorted((Path(__file__).resolve().parents[2] / "data" / "real" / "rr_healthy").glob("*_calmest_hour.txt"))


def _hour(path: Path) -> tuple[TimeInWindowSummary, tuple[ZoneInterval, ...]]:
    """Calibrate on the hour's first 4 minutes of beats, then track the rest of the hour."""
    t, hr, rm, cs = short_windows(np.loadtxt(path))
    b = calibrate(t, hr, rm, cs, end_s=240.0, source="calibration")
    tracker = ToleranceTracker(b)
    for ti, h, r, c in zip(t, hr, rm, cs, strict=True):
        if ti >= 240.0:
            tracker.add(ti, h, r, c)
    tracker.finish()
    return tracker.time_in_window, tracker.zones


@pytest.fixture(scope="module")
def hours() -> list[tuple[TimeInWindowSummary, tuple[ZoneInterval, ...]]]:
    assert len(HOURS) == 9
    return [_hour(p) for p in HOURS]


def test_after_a_four_minute_calibration_the_calm_hour_stays_within_ninety_percent(hours) -> None:
    """Median over the nine people 0.98 (each hour 0.87-1.0); every calm hour of every day: 0.91
    (``score_real.py --long``)."""
    shares = [tiw.within_share for tiw, _z in hours]
    assert all(s is not None for s in shares)
    assert statistics.median(s for s in shares if s is not None) >= 0.9, shares
    assert min(s for s in shares if s is not None) >= 0.8, shares


def test_calm_real_hours_do_not_flicker_between_zones(hours) -> None:
    changes = [len(zones) - 1 for _tiw, zones in hours]  # intervals after the first (warm-up)
    assert statistics.median(changes) <= 3 and max(changes) <= 10, changes


def test_calm_real_hours_are_not_read_below(hours) -> None:
    """*Below* only with evidence: at most 5 % of any calm hour (measured: 79 s, 2.4 %, in one hour
    of nine; none in the other eight)."""
    for tiw, _z in hours:
        judged = tiw.within_s + tiw.hyper_s + tiw.hypo_s
        assert tiw.hypo_s / judged <= 0.05


def test_the_old_floored_spreads_read_the_same_hours_less_within(hours) -> None:
    """The *before*: the calibration's own 1.4826 * MAD with the old floors (2 bpm, 0.15) under
    the old -1 .. +1 band: median 0.83, worst hour 0.15 (now 0.98 and 0.87)."""
    old_cfg = ToleranceConfig(zones=ZoneConfig(band=WindowBand(-1.0, 1.0)))
    before = []
    for path in HOURS:
        t, hr, rm, cs = short_windows(np.loadtxt(path))
        b = calibrate(t, hr, rm, cs, end_s=240.0, source="calibration")
        sampled, nxt = [], 0.0
        for ti, h, r in zip(t, hr, rm, strict=True):
            if ti < 240.0 and h is not None and r is not None and ti >= nxt:
                sampled.append((h, math.log(r)))
                nxt = ti + 5.0
        _c, hr_own = robust_center_spread([h for h, _ in sampled], 2.0)
        _c, ln_own = robust_center_spread([x for _, x in sampled], 0.15)
        old = Baseline(b.hr_center_bpm, hr_own, b.ln_rmssd_center, ln_own, "calibration", b.n_windows)
        tracker = ToleranceTracker(old, old_cfg)
        for ti, h, r, c in zip(t, hr, rm, cs, strict=True):
            if ti >= 240.0:
                tracker.add(ti, h, r, c)
        before.append(tracker.time_in_window.within_share or 0.0)
    now = [tiw.within_share or 0.0 for tiw, _z in hours]
    assert all(n >= b for n, b in zip(now, before, strict=True)), (now, before)
    assert statistics.median(now) - statistics.median(before) >= 0.1, (now, before)
    assert min(before) < 0.5 and min(now) >= 0.8, (now, before)
