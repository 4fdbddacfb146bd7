"""The fixed-criterion quality gate: contamination that fools the adaptive detector closes it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tolerance.hrv.analysis import analyze_rr
from tolerance.hrv.quality import MAX_ABNORMAL_SHARE, abnormal_differences

RR = np.loadtxt(Path(__file__).parents[1] / "data" / "rr" / "pyhrv-nni-long-60min.txt")


def _pairs(rr: np.ndarray, rate: float, seed: int = 1) -> np.ndarray:
    """``rate`` x len beats made premature by 30-45 %, each with its full compensatory pause."""
    rng = np.random.default_rng(seed)
    out = rr.copy()
    slots = np.arange(5, rr.size - 5, 3)
    for i in rng.choice(slots, size=min(int(rate * rr.size / 2), slots.size), replace=False):
        d = out[i] * rng.uniform(0.30, 0.45)
        out[i] -= d
        out[i + 1] += d
    return out


def test_the_rule_flags_a_20_percent_jump_only() -> None:
    np.testing.assert_array_equal(abnormal_differences(np.array([800.0, 1000.0, 1050.0, 700.0])), [0, 1, 0, 1])


def test_clean_real_windows_stay_open() -> None:
    analysis = analyze_rr(RR, window_s=300, step_s=60)
    assert all(w.reason is None for w in analysis.windows if w.covered_s >= 240)
    assert max(w.abnormal_share for w in analysis.windows if w.abnormal_share is not None) < MAX_ABNORMAL_SHARE


@pytest.mark.parametrize("rate", [0.10, 0.20, 0.30])
def test_heavy_contamination_gives_no_numbers_whatever_the_detector_corrected(rate: float) -> None:
    analysis = analyze_rr(_pairs(RR, rate), window_s=300, step_s=300)
    assert analysis.windows and all(w.values["HRV_RMSSD"] is None for w in analysis.windows)
    assert all("quality gate" in (w.reason or "") for w in analysis.windows if w.covered_s >= 240)
    if rate >= 0.20:  # the detector's own share is fooled (it stays far below the contamination)
        assert np.median([w.corrected_share for w in analysis.windows]) < 0.1
