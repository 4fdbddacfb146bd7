"""Strap timestamps on the host clock (drift followed), and repeats and gaps found in a PMD stream."""

from __future__ import annotations

import numpy as np
import pytest
from tolerance.sensors.polar import Continuity, FrameContinuity, StrapClock

S = 1_000_000_000


@pytest.mark.parametrize("drift_ppm", [-100.0, 0.0, 50.0, 150.0])
def test_the_clock_follows_drift_within_its_bound_and_ignores_latency(drift_ppm: float) -> None:
    """Frames every second for 4 h; latency 20-500 ms (exponential, as radio and stack add it);
    the strap's clock runs ``drift_ppm`` off. The mapped time stays within the smallest latencies
    of the truth, never after the receive time."""
    rng = np.random.default_rng(1)
    clock = StrapClock(max_drift_ppm=200.0)
    errors = []
    for k in range(4 * 3600):
        true_s = 1000.0 + k
        strap_ns = int(5 * S + k * S * (1 + drift_ppm * 1e-6))
        received = true_s + 0.02 + rng.exponential(0.08)
        mapped = clock.observe(strap_ns, received)
        assert mapped <= received + 1e-9
        if k > 300:
            errors.append(mapped - true_s)
    assert max(abs(e) for e in errors) < 0.1
    assert float(np.median(errors)) == pytest.approx(0.02, abs=0.03)


def test_a_reset_forgets_the_offset() -> None:
    clock = StrapClock()
    clock.observe(10 * S, 100.0)
    clock.reset()
    assert clock.observe(0, 50.0) == 50.0
    with pytest.raises(ValueError):
        StrapClock().host_time(0)


def test_repeats_and_gaps_are_found_with_the_samples_missing() -> None:
    c = FrameContinuity()
    period = S // 25
    ts = 10 * S
    assert c.check(ts, 25, 25).continuity is Continuity.FIRST
    ts += 25 * period
    assert c.check(ts, 25, 25).continuity is Continuity.OK
    assert c.check(ts, 25, 25).continuity is Continuity.REPEAT  # the same frame again
    ts += 75 * period  # two frames (50 samples) lost
    check = c.check(ts, 25, 25)
    assert check.continuity is Continuity.GAP and check.missing == 50
    ts += 26 * period  # one sample late: within the tolerance of 1.5 periods
    assert c.check(ts, 25, 25).continuity is Continuity.OK
    assert c.check(ts - 600 * period, 25, 25).continuity is Continuity.GAP  # the strap's clock went back
    assert (c.repeats, c.gaps, c.missing) == (1, 2, 50)
