"""time_domain / time_domain_windows equal neurokit2's hrv_time (DESIGN.md: 1e-9 relative)."""

from __future__ import annotations

import math
from pathlib import Path

import neurokit2 as nk
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tolerance.hrv import HrvInputError, time_domain, time_domain_windows

RR_DIR = Path(__file__).parents[1] / "data" / "rr"
KEYS = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50")


def _nk(nn: np.ndarray, t: np.ndarray | None = None) -> dict[str, float]:
    t = np.cumsum(nn) / 1000 if t is None else t
    frame = nk.hrv_time({"RRI": nn, "RRI_Time": t})
    return {k: float(frame[k].iloc[0]) for k in KEYS}


def _assert_equal(ours: dict, ref: dict, rel: float = 1e-9) -> None:
    for key in KEYS:
        assert ours[key] == pytest.approx(ref[key], rel=rel, abs=1e-12), key


def _real(name: str) -> np.ndarray:
    return np.loadtxt(RR_DIR / name, dtype=np.float64)


@pytest.mark.parametrize("name", sorted(p.name for p in RR_DIR.glob("*.txt")))
def test_time_domain_equals_neurokit_on_reference_files(name: str) -> None:
    nn = _real(name)
    _assert_equal(time_domain(nn).as_dict(), _nk(nn))


@pytest.mark.parametrize("window_s", [30, 60, 300])
def test_windows_equal_neurokit_for_30_60_300_s(window_s: int) -> None:
    nn = _real("pyhrv-nni-long-60min.txt")
    t_end = np.cumsum(nn) / 1000
    starts = np.arange(0, t_end[-1] - window_s, 97.0)
    a = np.searchsorted(t_end - nn / 1000, starts)
    b = np.searchsorted(t_end, starts + window_s, side="right")
    windows = time_domain_windows(nn, a, b)
    for k in range(len(windows)):
        ref = _nk(nn[a[k] : b[k]], t_end[a[k] : b[k]])
        _assert_equal(windows.window(k).as_dict(), ref)
        _assert_equal(time_domain(nn[a[k] : b[k]]).as_dict(), ref)


def test_fractional_strap_rr_values_match_without_rounding() -> None:
    # 1/1024 s strap units: the values carry fractions that intervals_to_peaks would round.
    rng = np.random.default_rng(7)
    nn = np.round(rng.normal(820, 45, 300) * 1.024) / 1.024
    _assert_equal(time_domain(nn).as_dict(), _nk(nn))


def test_windows_stay_accurate_deep_into_a_24_hour_series() -> None:
    # A quiet window (SDNN ~ 2 ms) after 100k beats with a large trend: prefix sums are large.
    rng = np.random.default_rng(3)
    n = 100_000
    nn = 900 + 250 * np.sin(np.arange(n) / 4000) + rng.normal(0, 30, n)
    nn[95_000:95_400] = 650 + rng.normal(0, 2, 400)
    a = np.array([0, 50_000, 95_000, 99_600])
    b = a + 400
    windows = time_domain_windows(nn, a, b)
    for k in range(a.size):
        _assert_equal(windows.window(k).as_dict(), _nk(nn[a[k] : b[k]]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(300, 2000), min_size=2, max_size=80))
def test_windows_equal_single_window_function(values: list[float]) -> None:
    nn = np.array(values)
    whole = time_domain_windows(nn, [0], [nn.size]).window(0)
    single = time_domain(nn)
    for key, value in single.as_dict().items():
        assert whole.as_dict()[key] == pytest.approx(value, rel=1e-9, abs=1e-9)


def test_pnn50_counts_differences_strictly_above_50_over_the_number_of_intervals() -> None:
    nn = np.array([800.0, 850.0, 900.5, 900.0])  # differences 50 (not counted), 50.5, -0.5
    assert time_domain(nn).pnn50 == pytest.approx(100 * 1 / 4)


def test_hr_is_60000_over_mean_nn() -> None:
    assert time_domain(np.array([500.0, 1000.0])).hr_bpm == pytest.approx(80.0)


@pytest.mark.parametrize("n", [0, 1])
def test_too_few_intervals_give_nan_with_a_reason(n: int) -> None:
    td = time_domain(np.full(n, 800.0))
    assert math.isnan(td.sdnn) and math.isnan(td.rmssd) and math.isnan(td.pnn50)
    assert td.reason is not None
    assert td.as_dict()["HRV_RMSSD"] is None
    assert (td.mean_nn == 800.0) if n else math.isnan(td.mean_nn)
    windows = time_domain_windows(np.full(5, 800.0), [0, 2], [n, 2 + n])
    assert np.isnan(windows.rmssd).all()
    assert windows.window(0).reason is not None


@pytest.mark.parametrize("bad", [[800.0, float("nan")], [800.0, -1.0], [[800.0]], [0.0, 800]])
def test_invalid_intervals_raise(bad: list) -> None:
    with pytest.raises(HrvInputError):
        time_domain(np.array(bad))


def test_window_bounds_are_checked() -> None:
    with pytest.raises(HrvInputError):
        time_domain_windows(np.full(5, 800.0), [0], [6])
