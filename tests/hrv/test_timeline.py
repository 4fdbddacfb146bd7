"""The beat timeline: RR intervals placed on the host clock, split into segments at gaps."""

from __future__ import annotations

import numpy as np
import pytest
from tolerance.hrv import BeatTimeline, GapReason


def _notify(rr_ms: np.ndarray, *, clock_ratio: float = 1.0, jitter_s: float = 0.0, seed: int = 0):
    """Group beats into ~1 Hz notifications as a strap does; yields (t_recv, rr list, true beat times).

    ``clock_ratio`` scales the strap's RR (its clock) against the host's: 1.0002 = strap 200 ppm slow.
    """
    rng = np.random.default_rng(seed)
    true_t = np.cumsum(rr_ms) / 1000.0 * clock_ratio
    next_send = 1.0
    batch: list[int] = []
    for i, t in enumerate(true_t):
        while t > next_send:
            yield next_send + abs(rng.normal(0, jitter_s)), [rr_ms[j] for j in batch], true_t[batch]
            batch = []
            next_send += 1.0
        batch.append(i)


def test_beats_keep_their_rr_values_and_follow_the_receive_time() -> None:
    rr = np.random.default_rng(1).normal(850, 40, 400)
    tl = BeatTimeline()
    beats = []
    for t_recv, rrs, _true in _notify(rr, jitter_s=0.03):
        new, _ = tl.add(t_recv, rrs)
        assert all(b.t_s <= t_recv + 1e-12 for b in new), "a beat never ends after its notification arrived"
        beats += new
    assert [b.rr_ms for b in beats] == pytest.approx(list(rr[: len(beats)]), abs=0)
    assert [b.index for b in beats] == list(range(len(beats)))
    assert {b.segment for b in beats} == {0}


def test_notifications_with_zero_one_or_several_rr_are_all_placed() -> None:
    tl = BeatTimeline()
    assert tl.add(10.0, []) == ([], None)
    beats, start = tl.add(11.0, [700.0, 650.0, 720.0])
    assert start is not None and start.reason is GapReason.START
    assert [round(b.t_s, 6) for b in beats] == [round(11.0 - 2.07 + 0.7, 6), round(11.0 - 0.72, 6), 11.0]
    more, start = tl.add(12.0, [800.0])
    assert start is None and more[0].t_s == pytest.approx(11.8)


@pytest.mark.parametrize("ppm", [-300, 0, 300])
def test_drift_between_strap_and_host_clocks_stays_within_the_stated_bound(ppm: int) -> None:
    rr = np.random.default_rng(2).normal(900, 50, 4000)  # about an hour
    tl = BeatTimeline()
    worst = 0.0
    for t_recv, rrs, true in _notify(rr, clock_ratio=1 + ppm * 1e-6, jitter_s=0.02, seed=3):
        beats, _ = tl.add(t_recv, rrs)
        for b, t in zip(beats, true, strict=True):
            worst = max(worst, abs(b.t_s - t))
    # 0.25 s, plus one 30 s epoch of drift, plus the notification jitter the host cannot see.
    assert worst < 0.25 + 30 * abs(ppm) * 1e-6 + 0.1, worst
    assert tl.segment == 0, "drift is corrected, not treated as a gap"


def test_silent_notifications_start_a_new_segment() -> None:
    tl = BeatTimeline()
    tl.add(1.0, [800.0])
    tl.add(2.0, [800.0])
    beats, start = tl.add(6.0, [800.0])  # 4 s without notifications: some were lost
    assert start is not None and start.reason is GapReason.NOTIFICATIONS_MISSING
    assert beats[0].segment == 1


def test_rr_values_missing_from_regular_notifications_start_a_new_segment() -> None:
    tl = BeatTimeline()
    for k in range(1, 6):
        tl.add(float(k), [1000.0])
    for k in range(6, 10):
        tl.add(float(k), [])  # notifications arrive, RR values do not
    beats, start = tl.add(10.0, [1000.0])
    assert start is not None and start.reason is GapReason.RR_MISSING


def test_contact_loss_keeps_beats_but_out_of_hrv_and_splits_segments() -> None:
    tl = BeatTimeline()
    a, _ = tl.add(1.0, [800.0], contact=True)
    b, sb = tl.add(2.0, [800.0], contact=False)
    c, sc = tl.add(3.0, [800.0], contact=True)
    assert a[0].usable and not b[0].usable and c[0].usable
    assert sb is not None and sb.reason is GapReason.NO_CONTACT
    assert sc is not None and sc.reason is GapReason.NO_CONTACT
    assert a[0].segment < b[0].segment < c[0].segment


def test_a_marked_gap_starts_a_new_segment() -> None:
    tl = BeatTimeline()
    tl.add(1.0, [800.0])
    tl.mark_gap(GapReason.CONNECTION_LOST)
    beats, start = tl.add(1.9, [900.0])
    assert start is not None and start.reason is GapReason.CONNECTION_LOST and beats[0].segment == 1


def test_beat_times_always_increase_even_after_a_late_notification() -> None:
    tl = BeatTimeline()
    first, _ = tl.add(10.0, [800.0, 800.0])
    late, start = tl.add(10.3, [800.0] * 3)  # impossible timing: the previous beats were placed late
    assert start is None, "RR values are contiguous: no gap"
    times = [b.t_s for b in first + late]
    assert all(b > a for a, b in zip(times, times[1:], strict=False)), times
    following = []
    for k in range(1, 6):
        beats, _ = tl.add(10.3 + k, [1000.0])
        following += beats
    times = [b.t_s for b in first + late + following]
    assert all(b > a for a, b in zip(times, times[1:], strict=False))
    assert following[-1].t_s <= 15.3 + 1e-9, "the shift is taken up: causality is restored"


def test_a_spurious_short_value_is_dropped_and_a_very_long_one_ends_the_segment() -> None:
    tl = BeatTimeline()
    tl.add(1.0, [800.0])
    beats, start = tl.add(2.0, [800.0, 50.0], rr_raw=[819, 51])  # a Garmin strap's extra value
    assert [b.rr_ms for b in beats] == [800.0] and beats[0].rr_raw == 819 and start is None
    beats, start = tl.add(8.0, [4500.0, 800.0])
    assert [b.rr_ms for b in beats] == [800.0]
    assert start is not None and start.reason is GapReason.RR_MISSING
    assert tl.stats.implausible == 2


def test_beat_times_increase_across_segment_boundaries() -> None:
    tl = BeatTimeline()
    tl.add(1.0, [800.0])
    before, _ = tl.add(2.0, [800.0, 800.0, 800.0])  # placed partly ahead of the host clock
    after, start = tl.add(2.1, [300.0], contact=False)  # contact lost: a new segment
    assert start is not None and after[0].t_s > before[-1].t_s


def test_a_notification_delivered_twice_is_placed_once() -> None:
    tl = BeatTimeline()
    tl.add(1.0, [800.0])
    tl.add(2.0, [810.0])
    again, _ = tl.add(2.0, [810.0])
    assert again == [] and tl.stats.duplicates == 1
    more, start = tl.add(3.0, [820.0])
    assert start is None and more[0].index == 2


def test_a_receive_time_that_steps_back_does_not_fake_a_gap() -> None:
    tl = BeatTimeline()
    tl.add(10.0, [800.0])
    tl.add(7.0, [800.0])  # the host clock stepped back
    _, start = tl.add(11.0, [800.0])
    assert start is None
