"""analyze_rr: windows of artifact-corrected NN equal neurokit2, JSON per DESIGN.md.

The neurokit2 engine: test_reference.py; the segment and window layout: test_segments.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import neurokit2 as nk
import numpy as np
import pytest
from tolerance.hrv import correct_artifacts, detect_artifacts
from tolerance.hrv.analysis import CSV_COLUMNS, analyze_rr, window_bounds
from tolerance.hrv.correction import correct_segment
from tolerance.hrv.frequency import SpectralParameters, frequency_domain

RR_DIR = Path(__file__).parents[2] / "data" / "rr"
TIME = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50")
FREQ = ("HRV_LF", "HRV_HF", "HRV_LFHF")

NK = SpectralParameters(welch_segments="neurokit2")
"""neurokit2's Welch segment layout, for the comparisons with nk.hrv_frequency."""


@pytest.fixture(scope="module")
def long_rr() -> np.ndarray:
    return np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")


@pytest.mark.parametrize("window_s", [30, 60, 300])
def test_windows_equal_neurokit_on_the_corrected_real_series(long_rr: np.ndarray, window_s: int) -> None:
    analysis = analyze_rr(long_rr, window_s=window_s, step_s=90, spectral=NK)
    nn = correct_artifacts(long_rr, detect_artifacts(long_rr)).nn_ms
    # The beats keep their time (issue 24): an interpolated interval advances time by the RR
    # interval it replaces, so t_end is the sum of the time steps, not of the NN intervals.
    steps = correct_segment(long_rr, "auto").steps
    t_end = np.cumsum(steps) / 1000
    starts, a, b = window_bounds(t_end, nn, window_s, 90)
    assert len(analysis.windows) == starts.size > 0
    for k, w in enumerate(analysis.windows[::4]):
        k *= 4
        assert w.n_beats == b[k] - a[k]
        if w.corrected_share > 0.2:
            assert w.values["HRV_RMSSD"] is None
            continue
        # RRI alone: neurokit2 leaves out successive differences whose RRI_Time disagrees with
        # the intervals, as an interpolated interval's does (it keeps the beats' time).
        ref = nk.hrv_time({"RRI": nn[a[k] : b[k]]})
        for key in TIME:
            assert w.values[key] == pytest.approx(float(ref[key].iloc[0]), rel=1e-9), key
        if window_s < 120:
            assert w.values["HRV_LF"] is None
            continue
        ref = nk.hrv_frequency(
            {"RRI": nn[a[k] : b[k]], "RRI_Time": t_end[a[k] : b[k]]},
            normalize=False,
            interpolation_rate=4,
        )
        for key in FREQ:
            assert w.values[key] == pytest.approx(float(ref[key].iloc[0]), rel=1e-6), key


def test_artifact_indices_refer_to_input_positions() -> None:
    rng = np.random.default_rng(9)
    rr = rng.normal(850, 20, 600)
    rr[200] = 1700.0  # a missed beat: one interval twice as long
    rr[400] = 430.0  # an extra beat splits one interval ...
    rr[401] = 420.0  # ... in two
    analysis = analyze_rr(rr, window_s=60, step_s=30)
    found = dict(analysis.artifacts)
    assert found.get(200) == "missed"
    assert found.get(400) == "extra"
    shifted = analyze_rr(rr, window_s=60, step_s=30, input_index=np.arange(rr.size) + 3)
    assert dict(shifted.artifacts).get(203) == "missed"


def test_json_follows_the_analyze_contract(long_rr: np.ndarray) -> None:
    doc = json.loads(json.dumps(analyze_rr(long_rr[:800]).to_json_dict(), allow_nan=False))
    assert set(doc) == {"windows", "artifacts", "parameters"}
    assert doc["parameters"]["interpolation_rate"] == 4
    window = doc["windows"][0]
    for key in ("start_s", "end_s", "n_beats", *TIME, *FREQ):
        assert key in window
    assert window["end_s"] - window["start_s"] == 300
    for artifact in doc["artifacts"]:
        assert set(artifact) == {"index", "type"}
        assert artifact["type"] in {"ectopic", "missed", "extra", "long", "short"}


def test_too_many_corrected_beats_give_nulls_with_a_reason() -> None:
    rng = np.random.default_rng(2)
    rr = rng.normal(800, 10, 400)
    rr[150:300:8] = 1600.0  # many missed beats in one stretch
    analysis = analyze_rr(rr, window_s=60, step_s=60, max_corrected_share=0.05)
    bad = [w for w in analysis.windows if w.corrected_share and w.corrected_share > 0.05]
    assert bad
    assert all(w.values["HRV_RMSSD"] is None and w.reason for w in bad)


def test_series_shorter_than_a_window_gives_one_null_window_with_its_reason() -> None:
    """Issue 24: never nothing: the one window, null, says why."""
    (w,) = analyze_rr(np.full(100, 800.0), window_s=300).windows
    assert (w.start_s, w.end_s, w.covered_s) == (0.0, 300.0, 80.0)
    assert w.values["HRV_MeanNN"] is None and w.reason and "contiguous beats" in w.reason


def test_csv_rows_have_the_header_columns(long_rr: np.ndarray) -> None:
    rows = list(analyze_rr(long_rr[:800], window_s=60, step_s=60).csv_rows())
    assert rows[0] == list(CSV_COLUMNS)
    assert all(len(r) == len(CSV_COLUMNS) for r in rows)
    assert not math.isnan(rows[1][CSV_COLUMNS.index("HRV_RMSSD")])


def test_progress_is_reported_per_window(long_rr: np.ndarray) -> None:
    calls: list[tuple[int, int]] = []
    analysis = analyze_rr(long_rr, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (len(analysis.windows), len(analysis.windows))


def test_spectra_computed_at_once_equal_frequency_domain_per_window(long_rr: np.ndarray) -> None:
    # analyze_rr computes all windows' spectra in batches; each must be frequency_domain's.
    analysis = analyze_rr(long_rr, window_s=300, step_s=30)
    nn = correct_artifacts(long_rr, detect_artifacts(long_rr)).nn_ms
    t_end = np.cumsum(correct_segment(long_rr, "auto").steps) / 1000  # the beats' own time
    _, a, b = window_bounds(t_end, nn, 300, 30)
    checked = 0
    for k, w in enumerate(analysis.windows):
        if w.reason is not None:
            assert w.values["HRV_LF"] is None
            continue
        ref = frequency_domain(nn[a[k] : b[k]], t_end[a[k] : b[k]]).as_dict()
        assert w.values["HRV_VLF"] is None  # windows under 600 s give no VLF (MIN_VLF_WINDOW_S)
        for key in ("HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP", "HF_peak_Hz"):
            assert w.values[key] == pytest.approx(ref[key], rel=1e-12, abs=0), (k, key)
        checked += 1
    assert checked > 50


# --- Segment breaks (excluded values), coverage, the window past the end --------------------


def _two_sides(gap_ms: float, n_before: int = 400, n_after: int = 600) -> tuple[np.ndarray, ...]:
    """A clean series with one value excluded between two stretches: kept values, their
    input positions, the excluded pair, the two stretches."""
    rng = np.random.default_rng(8)
    beats = np.cumsum(np.full(n_before + n_after, 0.8))
    rr = 800 + 40 * np.sin(2 * np.pi * 0.1 * beats) + rng.normal(0, 4, beats.size)
    index = np.concatenate([np.arange(n_before), np.arange(n_before + 1, rr.size + 1)])
    return rr, index, ((n_before, gap_ms),), rr[:n_before], rr[n_before:]


def test_an_excluded_drop_out_is_a_break_and_time_goes_on_through_it() -> None:
    rr, index, excluded, before, after = _two_sides(20_000.0)
    analysis = analyze_rr(rr, window_s=60, step_s=10, input_index=index, excluded=excluded)
    t_break = before.sum() / 1000  # last beat before the drop-out
    resume = t_break + 20.0  # first beat after it: time advanced by the excluded value
    nn_time = np.cumsum(np.concatenate([before, [20_000.0], after])) / 1000
    t_last = nn_time[-1]
    for w in analysis.windows:
        assert w.segment in (0, 1)
        side = before if w.segment == 0 else after
        t_side = nn_time[: before.size] if w.segment == 0 else nn_time[before.size + 1 :]
        inside = (t_side - side / 1000 >= w.start_s - 1e-9) & (t_side <= w.end_s + 1e-9)
        assert w.n_beats == inside.sum()  # the NN of one side only
        if w.segment == 0:
            span = min(w.end_s, t_break) - w.start_s
        else:
            span = min(w.end_s, t_last) - max(w.start_s, resume)
        assert w.covered_s == pytest.approx(span, abs=1e-6)
        if w.reason is None or "LF/HF" in w.reason:
            ref = nk.hrv_time({"RRI": side[inside], "RRI_Time": t_side[inside]})
            for key in TIME:
                assert w.values[key] == pytest.approx(float(ref[key].iloc[0]), rel=1e-9), key
        else:
            assert w.covered_s < 0.8 * 60 and w.values["HRV_RMSSD"] is None
            assert "contiguous" in w.reason


def test_a_window_over_a_break_uses_the_side_covering_80_percent_else_gives_null() -> None:
    rr, index, excluded, before, _ = _two_sides(20_000.0)
    t_break = before.sum() / 1000  # 320 s
    analysis = analyze_rr(rr, window_s=300, step_s=30, input_index=index, excluded=excluded)
    by_start = {w.start_s: w for w in analysis.windows}
    # [30, 330]: 290 s before the break (97 %): computed on that side only.
    assert by_start[30].segment == 0 and by_start[30].reason is None
    assert by_start[30].covered_s == pytest.approx(t_break - 30, abs=1e-6)
    # [120, 420]: 200 s before, 80 s after: neither side covers 240 s.
    assert by_start[120].values["HRV_RMSSD"] is None and "contiguous" in by_start[120].reason
    # [300, 600]: 260 s after the break (beats resume at 340 s): the later side.
    assert by_start[300].segment == 1 and by_start[300].reason is None


def test_an_excluded_short_value_advances_time_by_its_value_too() -> None:
    rr, index, excluded, before, _ = _two_sides(50.0)
    analysis = analyze_rr(rr, window_s=60, step_s=10, input_index=index, excluded=excluded)
    resume = before.sum() / 1000 + 0.05
    first = next(w for w in analysis.windows if w.segment == 1)
    assert first.covered_s == pytest.approx(first.end_s - resume, abs=1e-6)
    assert analysis.parameters["min_coverage"] == 0.8
    assert "long or short" in analysis.parameters["time_base"]
    assert "per segment" in analysis.parameters["segment_breaks"]


def test_artifacts_are_detected_within_each_segment_only() -> None:
    # 60 then 100 beats/min around a drop-out: joined, the step looks like an artifact.
    rng = np.random.default_rng(4)
    slow = 1000 + 20 * np.sin(np.arange(300) / 3) + rng.normal(0, 2, 300)
    fast = 600 + 12 * np.sin(np.arange(300) / 3) + rng.normal(0, 2, 300)
    rr = np.concatenate([slow, fast])
    joined = dict(analyze_rr(rr, window_s=60).artifacts)
    index = np.concatenate([np.arange(300), np.arange(301, 601)])
    split = dict(analyze_rr(rr, window_s=60, input_index=index, excluded=[(300, 30_000.0)]).artifacts)
    assert set(joined) & {298, 299, 300, 301}
    assert not set(split) & {298, 299, 301, 302}


def test_a_5_minute_recording_slightly_short_of_300_s_gives_one_window() -> None:
    # pyhrv's 5-minute series holds 299.6 s of beats: one [0, 300] window, >= 80 % covered.
    rr = np.loadtxt(RR_DIR / "pyhrv-nni-short-5min.txt")
    analysis = analyze_rr(rr, window_s=300, step_s=30, spectral=NK)
    assert len(analysis.windows) == 1
    w = analysis.windows[0]
    nn = correct_artifacts(rr, detect_artifacts(rr)).nn_ms
    t_end = np.cumsum(correct_segment(rr, "auto").steps) / 1000
    assert (w.start_s, w.end_s, w.n_beats) == (0.0, 300.0, nn.size)
    # The recording's own length (issue 24: interpolations no longer lose time; 298.7 s before).
    assert w.covered_s == pytest.approx(rr.sum() / 1000, abs=1e-6) == pytest.approx(299.578)
    assert w.covered_s == pytest.approx(t_end[-1], abs=1e-6) and w.covered_s < 300
    assert w.reason is None
    ref = nk.hrv_frequency({"RRI": nn, "RRI_Time": t_end}, normalize=False, interpolation_rate=4)
    for key in FREQ:
        assert w.values[key] == pytest.approx(float(ref[key].iloc[0]), rel=1e-6), key


@pytest.mark.parametrize(("step_s", "last_start"), [(30, 510.0), (300, 300.0)])
def test_the_window_past_the_last_beat_needs_80_percent_coverage(step_s: float, last_start: float) -> None:
    # 800 s of beats. Step 30: the last window, [510, 810], is covered 290 s: kept. Step 300:
    # [600, 900] is covered 200 s (67 %): left out.
    analysis = analyze_rr(np.full(1000, 800.0), window_s=300, step_s=step_s)
    assert analysis.windows[-1].start_s == last_start
    assert all(w.reason is None for w in analysis.windows)


@pytest.mark.parametrize(
    ("index", "excluded"),
    [([0, 1, 2, 3], [(2, 9000.0)]), ([0, 2, 1, 3], [(4, 9000.0)]), ([0, 1, 2, 3], [(4, -1.0)])],
)
def test_inconsistent_exclusions_are_input_errors(index: list[int], excluded: list) -> None:
    with pytest.raises(ValueError):
        analyze_rr(np.full(4, 800.0), window_s=2, input_index=index, excluded=excluded)
