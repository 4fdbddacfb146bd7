"""Segments, time axis and windows (tolerance.hrv.segments), shared by both engines."""

from __future__ import annotations

import numpy as np
import pytest
from tolerance.hrv.segments import (
    DEFAULT_MIN_COVERAGE,
    assemble_segments,
    input_positions,
    layout_windows,
    split_segments,
    window_bounds,
    window_reason,
)


def test_min_coverage_is_the_live_engines() -> None:
    from tolerance.hrv.engine import EngineConfig

    assert EngineConfig().min_coverage == DEFAULT_MIN_COVERAGE


def test_window_bounds_keep_each_window_to_one_segment() -> None:
    nn = np.full(200, 500.0)
    t_end = np.cumsum(nn) / 1000
    t_end[100:] += 5.0  # a 5 s gap after 50 s
    segment = np.repeat([0, 1], 100)
    starts, a, b = window_bounds(t_end, nn, 20, 10, segment=segment)
    for lo, hi in zip(a, b, strict=True):
        assert hi <= 100 or lo >= 100
    with pytest.raises(ValueError):
        window_bounds(t_end, nn, 20, 10, segment=segment[::-1])


def test_the_old_import_paths_give_the_same_objects() -> None:
    import tolerance.hrv
    import tolerance.hrv.analysis as analysis

    assert analysis.window_bounds is window_bounds is tolerance.hrv.window_bounds
    assert analysis.DEFAULT_MIN_COVERAGE == DEFAULT_MIN_COVERAGE == 0.8


def test_excluded_values_split_the_series_and_carry_their_time() -> None:
    index = np.asarray([0, 1, 3, 4, 7, 8])  # 2, then 5 and 6, excluded
    ranges, gaps = split_segments(6, index, [(2, 4000.0), (5, 50.0), (6, 9000.0)])
    assert ranges == [(0, 2), (2, 4), (4, 6)]
    assert gaps == [0.0, 4000.0, 9050.0]
    # Trailing excluded values end nothing; none at all: one segment.
    assert split_segments(6, index, [(9, 5000.0)]) == ([(0, 6)], [0.0])
    assert split_segments(3, np.arange(3), None) == ([(0, 3)], [0.0])


def test_assembled_time_runs_through_the_excluded_values() -> None:
    nn = np.full(4, 500.0)
    flags = np.zeros(4, dtype=bool)
    series = assemble_segments([(nn, flags), (nn, flags)], [0.0, 3000.0])
    assert series.t_end.tolist() == [0.5, 1.0, 1.5, 2.0, 5.5, 6.0, 6.5, 7.0]
    assert series.segment.tolist() == [0] * 4 + [1] * 4
    plain = assemble_segments([(nn, flags)], [0.0])
    assert np.array_equal(plain.t_end, np.cumsum(nn) / 1000)
    assert assemble_segments([], []).nn.size == 0


def test_input_positions_default_and_shape() -> None:
    assert input_positions(None, 3).tolist() == [0, 1, 2]
    assert input_positions([4, 5, 9], 3).tolist() == [4, 5, 9]
    with pytest.raises(ValueError):
        input_positions([1, 2], 3)


def test_layout_covers_each_window_with_its_longest_segment() -> None:
    nn = np.full(200, 500.0)
    t_end = np.cumsum(nn) / 1000
    t_end[100:] += 5.0  # beats 0-50 s, then 55-105 s
    lay = layout_windows(t_end, nn, np.repeat([0, 1], 100), 20, 10, 0.8)
    # [40, 60]: 10 s before, 5 s after the gap: segment 0, covered 10 s (< 80 %).
    k = int(np.flatnonzero(lay.starts == 40)[0])
    assert (lay.segment[k], lay.covered[k]) == (0, pytest.approx(10.0))
    assert window_reason(int(lay.b[k] - lay.a[k]), 0.0, 0.2, float(lay.covered[k]), 20, 0.8)
    # [50, 70]: segment 1 covers 15 s; [90, 110] is the last window, covered 15 s: left out.
    k = int(np.flatnonzero(lay.starts == 50)[0])
    assert (lay.segment[k], lay.covered[k]) == (1, pytest.approx(15.0))
    assert lay.starts[-1] == 80


def test_window_reason_rules() -> None:
    assert window_reason(100, 0.0, 0.2, 300.0, 300.0, 0.8) is None
    assert "contiguous" in window_reason(100, 0.0, 0.2, 239.0, 300.0, 0.8)
    assert "needs >= 2" in window_reason(1, 0.0, 0.2, 300.0, 300.0, 0.8)
    assert "corrected" in window_reason(100, 0.3, 0.2, 300.0, 300.0, 0.8)


def test_bad_window_parameters_are_input_errors() -> None:
    nn = np.full(10, 500.0)
    t_end = np.cumsum(nn) / 1000
    for window_s, step_s, cov in ((0, 1, 0.8), (1, float("inf"), 0.8), (1, 1, 1.5)):
        with pytest.raises(ValueError):
            layout_windows(t_end, nn, None, window_s, step_s, cov)
