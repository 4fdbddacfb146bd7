"""analyze_rr: windows of artifact-corrected NN equal neurokit2, JSON per DESIGN.md."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import neurokit2 as nk
import numpy as np
import pytest

from tolerance.hrv.analysis import (
    CSV_COLUMNS,
    analyze_rr,
    reference_analyze_rr,
    window_bounds,
)
from tolerance.hrv.artifacts import correct_artifacts, detect_artifacts
from tolerance.hrv.frequency import frequency_domain

RR_DIR = Path(__file__).parents[1] / "data" / "rr"
TIME = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50")
FREQ = ("HRV_LF", "HRV_HF", "HRV_LFHF")


@pytest.fixture(scope="module")
def long_rr() -> np.ndarray:
    return np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")


@pytest.mark.parametrize("window_s", [30, 60, 300])
def test_windows_equal_neurokit_on_the_corrected_real_series(
    long_rr: np.ndarray, window_s: int
) -> None:
    analysis = analyze_rr(long_rr, window_s=window_s, step_s=90)
    nn = correct_artifacts(long_rr, detect_artifacts(long_rr)).nn_ms
    t_end = np.cumsum(nn) / 1000
    starts, a, b = window_bounds(t_end, nn, window_s, 90)
    assert len(analysis.windows) == starts.size > 0
    for k, w in enumerate(analysis.windows[::4]):
        k *= 4
        assert w.n_beats == b[k] - a[k]
        if w.corrected_share > 0.2:
            assert w.values["HRV_RMSSD"] is None
            continue
        ref = nk.hrv_time({"RRI": nn[a[k] : b[k]], "RRI_Time": t_end[a[k] : b[k]]})
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


def test_reference_engine_finds_the_same_artifacts_at_input_positions(long_rr: np.ndarray) -> None:
    fast = analyze_rr(long_rr[:1200], window_s=300, step_s=300)
    slow = reference_analyze_rr(long_rr[:1200], window_s=300, step_s=300)
    assert fast.artifacts == slow.artifacts
    assert len(fast.artifacts) > 0


def test_engines_agree_on_a_clean_series() -> None:
    # Without artifacts both engines analyse the same NN intervals.
    rng = np.random.default_rng(5)
    beats = np.cumsum(np.full(900, 0.8))
    rr = 800 + 40 * np.sin(2 * np.pi * 0.1 * beats) + 15 * np.sin(2 * np.pi * 0.25 * beats)
    rr += rng.normal(0, 3, rr.size)
    fast = analyze_rr(rr, window_s=300, step_s=60)
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


def test_series_shorter_than_a_window_gives_no_windows() -> None:
    assert analyze_rr(np.full(100, 800.0), window_s=300).windows == ()


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
    t_end = np.cumsum(nn) / 1000
    _, a, b = window_bounds(t_end, nn, 300, 30)
    checked = 0
    for k, w in enumerate(analysis.windows):
        if w.reason is not None:
            assert w.values["HRV_LF"] is None
            continue
        ref = frequency_domain(nn[a[k] : b[k]], t_end[a[k] : b[k]]).as_dict()
        for key in ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP", "HF_peak_Hz"):
            assert w.values[key] == pytest.approx(ref[key], rel=1e-12, abs=0), (k, key)
        checked += 1
    assert checked > 50
