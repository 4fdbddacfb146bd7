"""The arousal index against a baseline."""

from __future__ import annotations

import math

import pytest
from tolerance.hrv.arousal import Baseline, arousal_index

BASE = Baseline(60.0, 5.0, math.log(40.0), 0.2, "calibration", 36)


def test_index_is_the_mean_of_hr_and_negated_ln_rmssd_z() -> None:
    v = arousal_index(70.0, 40.0 * math.exp(-0.4), BASE)
    assert v is not None and not v.hr_only
    assert v.z_hr == pytest.approx(2.0) and v.z_ln_rmssd == pytest.approx(-2.0)
    assert v.arousal == pytest.approx(2.0)


def test_resting_values_give_zero() -> None:
    v = arousal_index(60.0, 40.0, BASE)
    assert v is not None and v.arousal == pytest.approx(0.0)


def test_without_rmssd_the_index_is_hr_only_and_flagged() -> None:
    v = arousal_index(65.0, None, BASE)
    assert v is not None and v.hr_only and v.arousal == pytest.approx(1.0)


def test_missing_hr_gives_none() -> None:
    assert arousal_index(None, 40.0, BASE) is None
    assert arousal_index(float("nan"), 40.0, BASE) is None
