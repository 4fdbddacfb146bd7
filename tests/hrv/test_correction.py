"""``--correction`` methods (issue 24): what each corrects, that the beats keep their time, and
neurokit2's own correction on sub-millisecond (Polar 1/1024 s) intervals."""

from __future__ import annotations

from pathlib import Path

import neurokit2 as nk
import numpy as np
import pytest
from tolerance.hrv import HrvInputError
from tolerance.hrv.analysis import analyze_rr
from tolerance.hrv.artifacts import correct_artifact_codes, detect_artifact_codes
from tolerance.hrv.correction import (
    CORRECTIONS,
    KUBIOS_THRESHOLDS_S,
    correct_segment,
    kubios_threshold_correction,
    neurokit_correction,
    neurokit_sampling_rate,
)

RR_DIR = Path(__file__).parents[1] / "data" / "rr"


def _calm(n: int = 600, seed: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 850.0 + 40.0 * np.sin(np.arange(n) / 4.0) + rng.normal(0, 8, n)


def test_auto_is_todays_correction_with_the_beats_time_kept() -> None:
    rr = _calm()
    rr[100] = 1400.0  # a long interval: interpolated, so its NN value is shorter than the time that passed
    rr[300] *= 2  # a missed beat: split in two halves
    c = correct_segment(rr, "auto")
    nn, flags = correct_artifact_codes(rr, detect_artifact_codes(rr))
    np.testing.assert_array_equal(c.nn, nn)
    np.testing.assert_array_equal(c.codes > 0, flags)
    assert c.nn.sum() < rr.sum() - 400  # the NN values lose the long interval's excess ...
    assert c.steps.sum() == pytest.approx(rr.sum(), abs=1e-6)  # ... the time axis does not
    # every beat after the interpolation keeps its own time
    assert np.cumsum(c.steps)[-1] == pytest.approx(np.cumsum(rr)[-1])


def test_a_window_keeps_the_recordings_time_and_counts_its_corrections_by_kind() -> None:
    rr = _calm(800)
    rr[100] = 1400.0
    rr[400] *= 2
    w = analyze_rr(rr, window_s=300, step_s=300).windows
    assert w[0].corrected["long"] + w[0].corrected["ectopic"] >= 1
    assert w[1].corrected["missed"] == 2  # one missed beat: two NN intervals made
    assert sum(w[0].corrected.values()) == round(w[0].corrected_share * w[0].n_beats)
    assert w[0].to_json_dict()["corrected"] == w[0].corrected


def test_none_corrects_nothing_but_lists_what_it_detects() -> None:
    rr = _calm()
    rr[100] = 1400.0
    c = correct_segment(rr, "none")
    np.testing.assert_array_equal(c.nn, rr)
    assert not c.codes.any() and 100 in c.flagged.tolist()
    a = analyze_rr(rr, window_s=300, correction="none")
    assert a.parameters["correction"] == "none" and a.artifacts
    assert all(w.corrected_share == 0 for w in a.windows)


@pytest.mark.parametrize(("level", "flagged"), [("very-low", False), ("low", True), ("medium", True)])
def test_kubios_levels_flag_by_their_threshold_from_the_local_median(level: str, flagged: bool) -> None:
    rr = np.full(200, 850.0) + np.tile([0.0, 10.0, -10.0, 5.0], 50)
    rr[100] = 850.0 + 340.0  # 0.34 s above: beyond low (0.35 x 0.85 s = 0.30 s), within very low (0.38 s)
    c = correct_segment(rr, level)
    assert (100 in c.flagged.tolist()) is flagged
    np.testing.assert_array_equal(c.steps, rr)  # the beats keep their time
    if flagged:
        assert c.codes[100] and abs(c.nn[100] - 850.0) < 30.0  # replaced by the spline through its neighbours
    else:
        assert c.nn[100] == rr[100]


def test_kubios_thresholds_are_the_documented_levels() -> None:
    assert KUBIOS_THRESHOLDS_S == {"very-low": 0.45, "low": 0.35, "medium": 0.25, "strong": 0.15, "very-strong": 0.05}
    rr = _calm()
    counts = [kubios_threshold_correction(rr, t).flagged.size for t in KUBIOS_THRESHOLDS_S.values()]
    assert counts == sorted(counts)  # stronger levels flag at least as many


def test_unknown_correction_is_refused() -> None:
    with pytest.raises(HrvInputError):
        correct_segment(_calm(), "strongest")
    with pytest.raises(HrvInputError):
        analyze_rr(_calm(), correction="strongest")
    assert set(CORRECTIONS) >= {"auto", "none", "neurokit", *KUBIOS_THRESHOLDS_S}


def test_neurokit_correction_is_signal_fixpeaks_on_whole_milliseconds() -> None:
    rr = np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")[:600]
    assert neurokit_sampling_rate(rr) == 1000.0
    c = neurokit_correction(nk, rr)
    peaks = np.concatenate([[0.0], np.cumsum(rr)])
    info, clean = nk.signal_fixpeaks(peaks, sampling_rate=1000, iterative=False, method="Kubios")
    np.testing.assert_array_equal(c.nn, np.diff(np.asarray(clean, dtype=float)))
    found = sorted({int(k) - 1 for kind in ("ectopic", "missed", "extra", "longshort") for k in info[kind]})
    assert c.flagged.tolist() == found


def test_neurokit_correction_on_polar_1024_units_rounds_nothing() -> None:
    """Issue 24: at 1000 Hz neurokit2 truncated every peak of a 1/1024 s series once it moved one,
    and every interval counted as corrected. At 1024 Hz every beat is a whole sample."""
    rr = _calm(400)
    rr[200] = rr[200] * 0.6  # one premature beat ...
    rr[201] = rr[201] * 1.4  # ... and its compensatory pause: neurokit2 moves that peak
    rr = np.round(rr * 1.024) / 1.024  # Polar's units
    assert neurokit_sampling_rate(rr) == 1024.0
    c = neurokit_correction(nk, rr)
    assert 0 < np.count_nonzero(c.codes) < 0.06 * rr.size and c.codes[200]
    unchanged = c.codes == 0
    assert np.array_equal(c.nn[unchanged], rr[unchanged])  # bit for bit where nothing moved
    # The old call (peaks in ms at 1000 Hz): once one peak moves, all are truncated to whole ms.
    peaks = np.concatenate([[0.0], np.cumsum(rr)])
    _, clean = nk.signal_fixpeaks(peaks, sampling_rate=1000, iterative=False, method="Kubios")
    assert np.mean(np.abs(np.asarray(clean, dtype=float) - peaks) > 0.5) > 0.3
    a = analyze_rr(rr, window_s=300, step_s=60, correction="neurokit")
    assert all(w.corrected_share is not None and w.corrected_share < 0.06 for w in a.windows)
    assert any(w.values["HRV_RMSSD"] is not None for w in a.windows)


def test_neurokit_correction_on_other_sub_millisecond_units_keeps_unmoved_beats_exact() -> None:
    rr = _calm(400) + 0.37  # no whole unit at all
    assert neurokit_sampling_rate(rr) == 10_000.0
    c = neurokit_correction(nk, rr)
    unchanged = c.codes == 0
    assert unchanged.mean() > 0.95 and c.nn.size == rr.size
    np.testing.assert_allclose(c.nn[unchanged], rr[unchanged], rtol=0, atol=1e-9)
