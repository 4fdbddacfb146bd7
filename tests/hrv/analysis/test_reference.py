"""reference_analyze_rr: neurokit2's own functions over the same segments and windows."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from tolerance.hrv.analysis import analyze_rr
from tolerance.hrv.analysis.reference import reference_analyze_rr
from tolerance.hrv.frequency import SpectralParameters

RR_DIR = Path(__file__).parents[2] / "data" / "rr"
TIME = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50")
FREQ = ("HRV_LF", "HRV_HF", "HRV_LFHF")

NK = SpectralParameters(welch_segments="neurokit2")
"""The reference engine is neurokit2's: the fast one must use its Welch layout to agree."""


@pytest.fixture(scope="module")
def long_rr() -> np.ndarray:
    return np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")


def _two_sides(gap_ms: float, n_before: int = 400, n_after: int = 600) -> tuple[np.ndarray, ...]:
    """A clean series with one value excluded between two stretches: kept values, their
    input positions, the excluded pair, the two stretches."""
    rng = np.random.default_rng(8)
    beats = np.cumsum(np.full(n_before + n_after, 0.8))
    rr = 800 + 40 * np.sin(2 * np.pi * 0.1 * beats) + rng.normal(0, 4, beats.size)
    index = np.concatenate([np.arange(n_before), np.arange(n_before + 1, rr.size + 1)])
    return rr, index, ((n_before, gap_ms),), rr[:n_before], rr[n_before:]


def test_reference_engine_finds_the_same_artifacts_at_input_positions(long_rr: np.ndarray) -> None:
    fast = analyze_rr(long_rr[:1200], window_s=300, step_s=300, spectral=NK)
    slow = reference_analyze_rr(long_rr[:1200], window_s=300, step_s=300)
    assert fast.artifacts == slow.artifacts
    assert len(fast.artifacts) > 0


def test_engines_agree_on_a_clean_series() -> None:
    # Without artifacts both engines analyse the same NN intervals.
    rng = np.random.default_rng(5)
    beats = np.cumsum(np.full(900, 0.8))
    rr = 800 + 40 * np.sin(2 * np.pi * 0.1 * beats) + 15 * np.sin(2 * np.pi * 0.25 * beats)
    rr += rng.normal(0, 3, rr.size)
    fast = analyze_rr(rr, window_s=300, step_s=60, spectral=NK)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slow = reference_analyze_rr(rr, window_s=300, step_s=60)
    assert fast.artifacts == slow.artifacts == ()
    for f, s in zip(fast.windows, slow.windows, strict=True):
        assert (f.start_s, f.n_beats) == (s.start_s, s.n_beats)
        for key in TIME:
            assert f.values[key] == pytest.approx(s.values[key], rel=1e-9)
        for key in FREQ:
            assert f.values[key] == pytest.approx(s.values[key], rel=1e-6)


def test_both_engines_split_at_breaks_alike() -> None:
    rr, index, excluded, _, _ = _two_sides(20_000.0)
    kwargs = {"window_s": 120, "step_s": 30, "input_index": index, "excluded": excluded}
    fast = analyze_rr(rr, spectral=NK, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slow = reference_analyze_rr(rr, **kwargs)
    assert fast.artifacts == slow.artifacts == ()
    assert len(fast.windows) == len(slow.windows)
    for f, s in zip(fast.windows, slow.windows, strict=True):
        assert (f.start_s, f.n_beats, f.segment, f.covered_s, f.reason) == (
            s.start_s,
            s.n_beats,
            s.segment,
            s.covered_s,
            s.reason,
        )
        if f.reason is not None and "LF/HF" not in f.reason:
            assert f.values == s.values == dict.fromkeys(f.values)
            continue
        for key in TIME:
            assert f.values[key] == pytest.approx(s.values[key], rel=1e-9)
        for key in FREQ:
            assert f.values[key] == pytest.approx(s.values[key], rel=1e-6)


def test_the_old_import_paths_give_the_same_function() -> None:
    import tolerance.hrv
    import tolerance.hrv.analysis as analysis

    assert analysis.reference_analyze_rr is reference_analyze_rr
    assert tolerance.hrv.reference_analyze_rr is reference_analyze_rr
    assert "reference_analyze_rr" in analysis.__all__
    with pytest.raises(AttributeError):
        analysis.no_such_name  # noqa: B018


def test_neurokit2_is_imported_by_the_reference_call_only() -> None:
    import subprocess

    code = (
        "import sys\n"
        "import tolerance.hrv, tolerance.hrv.analysis, tolerance.hrv.analysis.reference\n"
        "print(sorted({'neurokit2', 'pandas', 'scipy'} & set(sys.modules)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "[]", r.stderr


def test_fast_engine_with_neurokits_correction_equals_the_reference_in_every_window(long_rr: np.ndarray) -> None:
    """Issue 24: ``--correction neurokit`` gives the fast engine neurokit2's NN intervals, so the two
    engines agree in every window, corrected beats included (the README's equality claim)."""
    rr = long_rr[:1500]
    fast = analyze_rr(rr, window_s=300, step_s=150, spectral=NK, correction="neurokit")
    slow = reference_analyze_rr(rr, window_s=300, step_s=150)
    assert fast.artifacts == slow.artifacts and len(fast.artifacts) > 0
    corrected = 0
    for f, s in zip(fast.windows, slow.windows, strict=True):
        assert (f.start_s, f.n_beats, f.corrected_share, f.corrected) == (
            s.start_s,
            s.n_beats,
            s.corrected_share,
            s.corrected,
        )
        corrected += bool(f.corrected_share)
        for key in TIME:
            assert f.values[key] == pytest.approx(s.values[key], rel=1e-9), key
        for key in FREQ:
            assert f.values[key] == pytest.approx(s.values[key], rel=1e-6), key
    assert corrected > 0
