"""Zones: no flicker under noise and isolated spikes; a real step changes the zone after the dwell."""

from __future__ import annotations

import numpy as np
import pytest
from tolerance.hrv import HrvInputError
from tolerance.hrv.arousal import TimeInWindow, WindowBand, Zone, ZoneConfig, ZoneTracker


def _run(t: np.ndarray, a: list[float | None], activity: list[bool] | None = None, config: ZoneConfig | None = None):
    zt = ZoneTracker(config)
    changes = []
    for i, ti in enumerate(t):
        c = zt.update(float(ti), a[i], bool(activity[i]) if activity else False)
        if c is not None:
            changes.append(c)
    return zt, changes


@pytest.mark.parametrize("seed", range(5))
def test_noise_near_the_edge_and_isolated_spikes_do_not_make_the_zone_flicker(seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 1800.0, 1.0)
    a = list(0.8 + rng.normal(0, 0.15, t.size))  # hovering just below the upper edge
    for k in range(100, t.size, 97):
        a[k] = 8.0  # isolated artifact spikes
        a[k + 1] = None
    zt, changes = _run(t, a)
    assert [c.zone for c in changes] == [Zone.WITHIN]


def test_a_step_above_the_band_changes_the_zone_after_the_dwell() -> None:
    t = np.arange(0.0, 300.0, 1.0)
    a = [0.0 if ti < 100 else 2.0 for ti in t]
    _, changes = _run(t, a)
    assert [c.zone for c in changes] == [Zone.WITHIN, Zone.HYPER]
    assert changes[1].since_s == 100.0 and changes[1].t_s == 120.0


def test_a_step_below_and_back_uses_the_hysteresis_band() -> None:
    t = np.arange(0.0, 400.0, 1.0)
    a = [-3.0 if 100 <= ti < 200 else (-1.9 if ti >= 200 else 0.0) for ti in t]
    _, changes = _run(t, a)
    # -1.9 is inside the band (lower edge -2) but within the hysteresis of its lower edge: stays hypo
    assert [c.zone for c in changes] == [Zone.WITHIN, Zone.HYPO]


def test_activity_is_its_own_zone_and_holds_until_back_below_the_edge() -> None:
    t = np.arange(0.0, 600.0, 1.0)
    a = [3.0 if 100 <= ti < 350 else 0.0 for ti in t]
    act = [100 <= ti < 250 for ti in t]
    _, changes = _run(t, a, act)
    assert [c.zone for c in changes] == [Zone.WITHIN, Zone.ACTIVITY, Zone.WITHIN]
    assert changes[1].t_s == 100.0
    assert changes[2].since_s == 350.0


def test_missing_signal_becomes_unknown_after_the_dwell() -> None:
    t = np.arange(0.0, 200.0, 1.0)
    a = [0.0 if ti < 100 else None for ti in t]
    _, changes = _run(t, a)
    assert [c.zone for c in changes] == [Zone.WITHIN, Zone.UNKNOWN]


def test_band_must_be_ordered() -> None:
    with pytest.raises(HrvInputError):
        WindowBand(1.0, -1.0)


def test_time_in_window_sums_to_the_total_with_unknown_apart() -> None:
    tw = TimeInWindow()
    zones = [Zone.WITHIN] * 100 + [Zone.HYPER] * 50 + [Zone.WITHIN] * 30 + [Zone.ACTIVITY] * 20
    usable = [not (60 <= i < 70) for i in range(len(zones))]
    for i, (z, u) in enumerate(zip(zones, usable, strict=True)):
        tw.add(float(i), z, u)
    tw.add(230.0, Zone.WITHIN, True)  # 30 s gap without beats after the activity
    s = tw.summary()
    assert s.total_s == pytest.approx(230.0)
    assert s.unknown_s == pytest.approx(10.0 + 26.0)  # the no-signal samples and the gap beyond 5 s
    assert s.within_s == pytest.approx(90.0 + 30.0) and s.hyper_s == pytest.approx(50.0)
    assert s.activity_s == pytest.approx(19.0 + 5.0)
    assert s.within_share == pytest.approx(120.0 / 170.0)
