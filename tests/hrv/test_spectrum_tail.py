"""The default Welch layout uses every resampled point: a change confined to the window's last
minute changes LF for every window length (neurokit2's layout misses it when N = 2 mod 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pytest
from tolerance.hrv.frequency import SpectralParameters, frequency_domain, segment_starts

RR = np.loadtxt(Path(__file__).parents[1] / "data" / "rr" / "pyhrv-nni-long-60min.txt")
NK = SpectralParameters(welch_segments="neurokit2")


def _tail_change(window_s: float, params: SpectralParameters) -> float:
    """Relative change of LF when a 0.1 Hz wave is added to the window's last minute only."""
    t = np.cumsum(RR) / 1000
    sel = t <= window_s
    nn, tt = RR[sel].copy(), t[sel]
    before = frequency_domain(nn, tt, params).lf
    tail = tt > tt[-1] - 60.0
    nn[tail] += 25 * np.sin(2 * np.pi * 0.1 * tt[tail])  # a 0.1 Hz wave in the last minute only
    return abs(frequency_domain(nn, tt, params).lf / before - 1)


def _lengths(lo: float = 120.0) -> list[float]:
    return [lo + 0.25 * k for k in range(0, int((300 - lo) * 4) + 1, 7)]  # every N mod 4


SEEN: Final = 1e-4
"""A relative LF change above 1e-4: the wave was in the spectrum. The quadratic spline carries a
trace of any change everywhere (1e-11 to 1e-8 here), so "changed at all" would prove nothing;
with the whole window used the smallest change measured is 6e-4 (the wave's cross term with
the window's own 0.1 Hz power can offset its added power), the median 4e-2."""


def test_a_change_in_the_last_minute_changes_lf_for_every_window_length() -> None:
    changes = [_tail_change(w, SpectralParameters()) for w in _lengths()]
    assert min(changes) > SEEN


def test_neurokit2_layout_misses_the_last_minute_in_about_a_quarter_of_windows() -> None:
    # From 240 s on, its unused tail (a quarter of the window when N = 2 mod 4) holds the last minute.
    lengths = _lengths(240.0)
    missed = [w for w in lengths if _tail_change(w, NK) < SEEN]
    assert 0.2 < len(missed) / len(lengths) < 0.5


@pytest.mark.parametrize("n", range(400, 1300, 37))
def test_default_segments_start_at_0_and_end_at_n(n: int) -> None:
    nperseg = n // 2
    starts = segment_starts(n, nperseg, "cover")
    assert starts[0] == 0 and starts[-1] + nperseg == n
    nk_starts = segment_starts(n, nperseg, "neurokit2")
    if n % 4 == 0:
        np.testing.assert_array_equal(starts, nk_starts)
    if n % 4 == 2:
        assert nk_starts[-1] + nperseg < n  # the tail defect, kept for --spectrum neurokit2


def test_the_method_is_named_in_the_parameters() -> None:
    assert "every resampled point" in str(SpectralParameters().as_dict()["spectral_method"])
    assert "last quarter" in str(NK.as_dict()["spectral_method"])
