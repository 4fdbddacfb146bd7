"""The moving/still classifier (``hrv/activity.py``) on simulated H10 accelerometer frames: each
frame is encoded with the PMD layout and decoded by the real decoder before it is classified."""

from __future__ import annotations

import numpy as np
import pytest
from tolerance.hrv import ActivityClassifier, ActivityConfig, HrvInputError, intensity, mean_amplitude_deviation
from tolerance.sensors.polar import AccFrame, decode_acc_frame, encode_acc_frame
from tolerance.simulations import MotionBout, MotionModel

RATE = 25
DURATION_S = 600


def _classify(model: MotionModel, duration_s: float = DURATION_S, compressed: bool = False):
    clf = ActivityClassifier()
    changes = []
    for second in range(int(duration_s)):
        t = second + np.arange(1, RATE + 1) / RATE
        frame = AccFrame(second, tuple(map(tuple, model.samples(t).tolist())), compressed=compressed)
        decoded = decode_acc_frame(encode_acc_frame(frame))
        changes.extend(clf.add(float(t[-1]), decoded.samples_mg, RATE))
    changes.extend(clf.flush())
    return clf, changes


def _moving_share(changes, start: float, end: float) -> float:
    grid = np.arange(start, end, 1.0)
    on = np.zeros(grid.size, bool)
    for c in changes:
        on[grid >= c.t_s] = c.active
    return float(on.mean())


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["sitting", "typing"])
def test_sitting_still_or_typing_is_never_movement(kind: str, seed: int) -> None:
    clf, changes = _classify(MotionModel([MotionBout(0, DURATION_S, kind)], seed))
    assert changes == []
    assert max(e.mad_mg for e in clf.epochs) < ActivityConfig().off_mg


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("kind", "label"), [("walking", "moderate"), ("stairs", "moderate")])
def test_walking_and_stairs_are_found_within_15_s_and_end_within_40_s(kind: str, label: str, seed: int) -> None:
    bout = MotionBout(200, 180, kind)
    clf, changes = _classify(MotionModel([bout], seed), compressed=seed % 2 == 1)
    assert [(c.active, c.kind) for c in changes] == [(True, label), (False, "still")]
    assert bout.at_s < changes[0].t_s <= bout.at_s + 15
    assert bout.end_s < changes[1].t_s <= bout.end_s + 40
    assert _moving_share(changes, bout.at_s + 15, bout.end_s) == 1.0


def test_a_sudden_posture_change_is_movement_for_a_short_while() -> None:
    clf, changes = _classify(MotionModel([], 3, postures=[(300.0, 80.0)]))  # sitting to lying back
    assert [(c.active, c.kind) for c in changes] == [(True, "posture"), (False, "still")]
    assert 300 < changes[0].t_s <= 310 and changes[1].t_s - changes[0].t_s <= 35


def test_a_short_reach_is_not_a_bout() -> None:
    clf, changes = _classify(MotionModel([MotionBout(300, 4, "walking")], 5))
    assert changes == []


def test_a_gap_drops_the_open_epoch_and_too_few_samples_change_nothing() -> None:
    clf = ActivityClassifier()
    walk = MotionModel([MotionBout(0, 100, "walking")], 1)
    t = np.arange(1, 2 * RATE + 1) / RATE  # 2 s: less than 80 % of an epoch
    assert clf.add(float(t[-1]), walk.samples(t), RATE) == []
    clf.gap()
    assert clf.flush() == [] and clf.epochs == []


def test_mad_and_intensity_follow_the_definition() -> None:
    # r = 1000 +- 100 alternately: |r - mean| = 100 everywhere.
    a = np.array([[1100, 0, 0], [900, 0, 0]] * 10)
    assert mean_amplitude_deviation(a) == pytest.approx(100.0)
    assert (intensity(90.9), intensity(91.0), intensity(414.0)) == ("light", "moderate", "vigorous")
    with pytest.raises(HrvInputError):
        mean_amplitude_deviation(np.zeros((0, 3)))
    with pytest.raises(HrvInputError):
        ActivityConfig(on_mg=10, off_mg=20)
