"""The numpy quadratic spline equals scipy's make_interp_spline(k=2); batch equals single."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tolerance.hrv import HrvInputError
from tolerance.hrv.spline import interpolate_nn, spline_pieces, spline_pieces_batch

RR_DIR = Path(__file__).parents[1] / "data" / "rr"


@pytest.fixture(scope="module")
def long_nn() -> np.ndarray:
    return np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")


def test_spline_equals_scipys_make_interp_spline(long_nn: np.ndarray) -> None:
    # neurokit2 resamples with interp1d(kind="quadratic") = make_interp_spline(k=2); ours is
    # numpy only (no scipy import at start-up) and must be the same function.
    from scipy.interpolate import make_interp_spline

    nn = long_nn
    t = np.cumsum(nn) / 1000
    for n, rate in [(3, 4.0), (4, 4.0), (5, 100.0), (80, 4.0), (380, 4.0), (380, 100.0)]:
        for lo in range(0, nn.size - n, 1013):
            x, y = t[lo : lo + n], nn[lo : lo + n]
            grid, ours = interpolate_nn(y, x, rate)
            ref = make_interp_spline(x, y, k=2)(grid)
            ref[grid > x[-1]] = y[-1]
            assert np.array_equal(grid, np.arange(x[0], x[-1] + 1 / rate, 1 / rate))
            np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=0)


def test_spline_equals_scipys_on_irregular_random_intervals() -> None:
    # Intervals varying a hundredfold (no pivoting in our solve: it must stay accurate).
    from scipy.interpolate import make_interp_spline

    rng = np.random.default_rng(3)
    for n in (3, 7, 50, 400):
        nn = rng.uniform(20, 2000, n)
        t = np.cumsum(nn) / 1000
        grid, ours = interpolate_nn(nn, t, 4.0)
        ref = make_interp_spline(t, nn, k=2)(grid)
        ref[grid > t[-1]] = nn[-1]
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-13 * nn.max())


def test_spline_passes_through_every_point(long_nn: np.ndarray) -> None:
    x, y = np.cumsum(long_nn[:40]) / 1000, long_nn[:40]
    knots, p0, p1, p2 = spline_pieces(x, y)
    j = np.clip(np.searchsorted(knots, x, side="right") - 3, 0, x.size - 3)
    u = x - knots[2:-1][j]
    np.testing.assert_allclose(p0[j] + u * (p1[j] + u * p2[j]), y, rtol=1e-13)


def test_batch_pieces_equal_single_window_pieces_bit_for_bit(long_nn: np.ndarray) -> None:
    t = np.cumsum(long_nn) / 1000
    mid = (t[1:] + t[:-1]) / 2
    a = np.array([0, 10, 500, 3000, 4000])
    b = a + np.array([3, 4, 80, 380, 250])
    t0, p0, p1, p2 = spline_pieces_batch(long_nn, t, mid, a, b)
    for k in range(a.size):
        n = b[k] - a[k]
        knots, q0, q1, q2 = spline_pieces(t[a[k] : b[k]], long_nn[a[k] : b[k]])
        np.testing.assert_array_equal(t0[k, : n - 2], knots[2:n])
        for got, want in ((p0, q0), (p1, q1), (p2, q2)):
            np.testing.assert_array_equal(got[k, : n - 2], want)


def test_fewer_than_three_points_is_an_input_error() -> None:
    with pytest.raises(HrvInputError):
        interpolate_nn(np.array([800.0, 810.0]), np.array([0.8, 1.61]), 4.0)
