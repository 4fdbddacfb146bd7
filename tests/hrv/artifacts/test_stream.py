"""Claims about hrv/artifacts/stream.py: streaming detection and correction, against batch and
against injected artifacts (Lipponen & Tarvainen 2019)."""

from __future__ import annotations

from typing import Final

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rr_artifacts import (
    ECG,
    KINDS,
    LONG,
    SHORT,
    T,
    as_nk_sets,
    inject,
    load,
    nk_first_pass,
    reference_nn,
    rmssd,
    scores,
    stream,
    stream_types,
)
from tolerance.hrv.artifacts import (
    ArtifactInputError,
    ArtifactParameters,
    StreamingArtifactDetector,
    correct_artifacts,
    detect_artifacts,
)
from tolerance.hrv.artifacts.stream import _quartile_threshold, _RecentWindow

# RMSSD bound per artifact rate: 5 % up to 3 % of beats. At 5 %, the artifacts themselves widen
# the thresholds (about 9 large jumps per 91-beat window) and a few get through: measured +5.7 %
# (batch) and +1.3 % (streaming) with this seed, so the bound there is 7 %, not 5 %.
RMSSD_BOUND: Final = {0.01: 0.05, 0.03: 0.05, 0.05: 0.07}


@pytest.mark.parametrize("rate", [0.01, 0.03, 0.05])
@pytest.mark.parametrize("mode", ["batch", "streaming"])
def test_injected_artifacts_found_and_rmssd_restored_on_60_min(rate: float, mode: str) -> None:
    clean = reference_nn(LONG)
    rr, events = inject(clean, rate, np.random.default_rng([2019, round(rate * 100)]))
    types = detect_artifacts(rr) if mode == "batch" else stream_types(rr)
    found, n, false_alarms, negatives = scores(types, events)
    assert found / n >= 0.95
    assert 1 - false_alarms / negatives >= 0.95
    corrected = rmssd(correct_artifacts(rr, types).nn_ms)
    assert corrected == pytest.approx(rmssd(clean), rel=RMSSD_BOUND[rate])


@pytest.mark.parametrize("mode", ["batch", "streaming"])
def test_injected_artifacts_found_on_5_min(mode: str) -> None:
    # 337 beats carry only 3-17 artifacts: pool 10 seeds per rate so that one miss is not 10 %.
    clean = reference_nn(SHORT)
    totals = np.zeros(4, dtype=int)
    for rate in (0.01, 0.03):
        for seed in range(10):
            rr, events = inject(clean, rate, np.random.default_rng([seed, round(rate * 100)]))
            types = detect_artifacts(rr) if mode == "batch" else stream_types(rr)
            totals += scores(types, events)
    found, n, false_alarms, negatives = totals
    assert found / n >= 0.95
    assert 1 - false_alarms / negatives >= 0.95


@pytest.mark.parametrize("mode", ["batch", "streaming"])
def test_rmssd_restored_on_5_min_in_median(mode: str) -> None:
    # This series varies a lot (RMSSD ~ 95 ms at a mean NN of 900 ms): the threshold, set by the
    # local variability, lets an occasional 35 %-short beat through, and one such beat moves a
    # 5-min RMSSD by several %. The claim is on the median over seeds; single seeds reach 6-8 %.
    # Measured medians: batch -4.6 %, streaming -4.1 % (-9.5 % with the trailing dRR threshold
    # alone, recent=0: see the next test).
    clean = reference_nn(SHORT)
    errors = []
    for rate in (0.01, 0.03):
        for seed in range(10):
            rr, _ = inject(clean, rate, np.random.default_rng([seed, round(rate * 100)]))
            types = detect_artifacts(rr) if mode == "batch" else stream_types(rr)
            errors.append(rmssd(correct_artifacts(rr, types).nn_ms) / rmssd(clean) - 1)
    assert abs(float(np.median(errors))) <= 0.05


def test_streaming_recent_window_cuts_false_alarms_where_variability_rises() -> None:
    # The cause of the gap above: a trailing 91-beat dRR threshold lags the variability by 40
    # beats, and this series' variability triples and falls back within 5 minutes; while it
    # rises, genuine beats are flagged LONG. Measured false alarms over the 20 runs: 149 with the
    # trailing window alone, 99 with the recent window, 77 in batch.
    clean = reference_nn(SHORT)
    false_alarms = {0: 0, 31: 0}
    for rate in (0.01, 0.03):
        for seed in range(10):
            rr, events = inject(clean, rate, np.random.default_rng([seed, round(rate * 100)]))
            for recent in false_alarms:
                types = np.array([b.type for b in stream(rr, recent=recent)], dtype=object)
                false_alarms[recent] += scores(types, events)[2]
    assert false_alarms[31] <= 0.75 * false_alarms[0]


# -- streaming --------------------------------------------------------------------------------


def test_streaming_agrees_with_batch_away_from_the_segment_start() -> None:
    # Causal thresholds (91 and 31 beats ending 5 beats ahead) against centred ones: beats near
    # the limits fall differently. Measured: 99.0 % of the 60-min series' beats agree after the
    # first window (98.9 % with the trailing window alone); batch flags 83 beats (1.8 %),
    # streaming 73. Bound set at 98.5 %, i.e. under 1.5 % of beats.
    rr = load(LONG)
    batch, live = detect_artifacts(rr), stream_types(rr)
    width = ArtifactParameters().window_width
    assert np.mean(batch[width:] == live[width:]) >= 0.985
    flagged_batch = np.count_nonzero(batch != T.NORMAL)
    assert abs(np.count_nonzero(live != T.NORMAL) - flagged_batch) <= 0.25 * flagged_batch


@pytest.mark.parametrize("name", [LONG, SHORT, ECG])
def test_streaming_nn_values_equal_batch_correction_of_the_same_types(name: str) -> None:
    rr, _ = inject(load(name), 0.03, np.random.default_rng(3))
    beats = stream(rr)
    types = np.array([b.type for b in beats], dtype=object)
    batch = correct_artifacts(rr, types)
    assert np.array_equal(np.array([x for b in beats for x in b.nn_ms]), batch.nn_ms)
    assert [b.index for b in beats for _ in b.nn_ms] == batch.source_index.tolist()


def test_streaming_reset_starts_a_new_segment_without_history() -> None:
    rr = load(SHORT)
    first, second = rr[:150], rr[150:]
    det = StreamingArtifactDetector()
    beats = [b for v in first for b in det.push(v)] + det.reset()
    beats += [b for v in second for b in det.push(v)] + det.flush()
    assert [b.index for b in beats] == list(range(rr.size))
    alone = stream(second)
    assert [(b.type, b.nn_ms) for b in beats[150:]] == [(b.type, b.nn_ms) for b in alone]


def test_streaming_releases_beats_after_the_lookahead() -> None:
    det = StreamingArtifactDetector(lookahead=5, warmup=20)
    released = [len(det.push(800.0 + 10 * (i % 3))) for i in range(30)]
    assert released[:19] == [0] * 19  # warming up
    assert sum(released) == 30 - 5  # all but the look-ahead


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), st.booleans()), min_size=1, max_size=80),
    st.integers(1, 12),
)
def test_recent_window_threshold_equals_brute_force(values: list[tuple[int, bool]], width: int) -> None:
    # The recent window keeps the last `width` values less the dropped ones, and its threshold
    # is taken again over the values not above the first one. Small integers: many ties.
    window, dropped = _RecentWindow(width), set()
    for k, (x, drop) in enumerate(values):
        window.add(k, float(x))
        if drop:  # drop this one or, for odd values, the one before (maybe already gone)
            j = k if x % 2 == 0 else k - 1
            window.drop(j)
            dropped.add(j)
        kept = sorted(float(v) for j, (v, _) in enumerate(values[: k + 1]) if j > k - width and j not in dropped)
        first = _quartile_threshold(kept, len(kept), 5.2)
        expected = _quartile_threshold(kept, sum(v <= first for v in kept), 5.2)
        assert window.threshold(5.2) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(300, 2000), min_size=0, max_size=60))
def test_streaming_emits_every_beat_once_in_order(rr: list[int]) -> None:
    beats = stream(np.array(rr, dtype=float))
    assert [b.index for b in beats] == list(range(len(rr)))
    assert all(len(b.nn_ms) <= 2 for b in beats)


# -- correction rules -------------------------------------------------------------------------


def test_empty_input_gives_empty_results() -> None:
    assert detect_artifacts(np.array([])).size == 0
    assert correct_artifacts(np.array([]), np.array([], dtype=object)).nn_ms.size == 0
    assert StreamingArtifactDetector().flush() == []


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10])
def test_fewer_beats_than_the_windows_classify_without_crash(n: int) -> None:
    # Windows are clipped to the series, as neurokit2's (pandas min_periods=1). Three beats or
    # fewer cannot be flagged at all: the flow chart needs two beats after the one it examines.
    rr = np.array([800, 400, 1300, 810, 790, 820, 805, 1700, 800, 795][:n])
    types = detect_artifacts(rr)
    assert as_nk_sets(types) == nk_first_pass(rr)
    if n <= 3:
        assert all(t is T.NORMAL for t in types)
    assert [b.index for b in stream(rr)] == list(range(n))


def test_identical_intervals_are_all_normal() -> None:
    # A zero threshold (no variability) leaves beats unclassifiable, hence NORMAL (as neurokit2).
    rr = np.full(200, 800.0)
    assert all(t is T.NORMAL for t in detect_artifacts(rr))
    beats = stream(rr)
    assert all(b.type is T.NORMAL and b.nn_ms == (800.0,) for b in beats)


@pytest.mark.parametrize("bad", [np.nan, -800.0, 0.0, np.inf])
def test_invalid_intervals_raise_value_error_naming_the_index(bad: float) -> None:
    rr = np.array([800.0, 810.0, bad, 790.0])
    with pytest.raises(ValueError, match=r"rr_ms\[2\]") as err:
        detect_artifacts(rr)
    assert isinstance(err.value, ArtifactInputError) and err.value.index == 2
    with pytest.raises(ValueError, match="finite and positive"):
        correct_artifacts(rr, np.array([T.NORMAL] * 4, dtype=object))
    det = StreamingArtifactDetector()
    det.push(800.0)
    with pytest.raises(ArtifactInputError, match="beat 1"):
        det.push(bad)


# What a found artifact is classified as. The method types by shape, so some injected kinds
# are legitimately named otherwise: an ectopic pair's compensatory pause can read as "long",
# an extra beat's second half as "ectopic". Each kind must be found; the share given the
# expected class is reported and held to the level measured, so a regression shows.
EXPECTED_CLASS: Final = {
    "ectopic": T.ECTOPIC,
    "missed": T.MISSED,
    "extra": T.EXTRA,
    "long": T.LONG,
    "short": T.SHORT,
}


@pytest.mark.parametrize("mode", ["batch", "streaming"])
def test_every_kind_of_artifact_is_found_and_mostly_named_right(mode: str) -> None:
    clean = reference_nn(LONG)
    per_kind: dict[str, list[int]] = {k: [0, 0, 0] for k in KINDS}  # found, typed right, total
    for seed in range(3):
        rr, events = inject(clean, 0.03, np.random.default_rng([seed, 77]))
        types = detect_artifacts(rr) if mode == "batch" else stream_types(rr)
        for kind, idx in events:
            got = [types[i] for i in idx]
            per_kind[kind][2] += 1
            per_kind[kind][0] += any(t is not T.NORMAL for t in got)
            per_kind[kind][1] += EXPECTED_CLASS[kind] in got
    report = {k: (f / n, r / n) for k, (f, r, n) in per_kind.items()}
    # Measured (3 seeds, 3 %): named right 0.93-0.99 for all but "long": a single interval
    # x1.4-1.6 is also close to two merged beats, and about half are called "missed".
    floors = {"ectopic": 0.95, "missed": 0.9, "extra": 0.9, "short": 0.9, "long": 0.4}
    for kind, (found, named) in report.items():
        assert found >= 0.95, (mode, kind, report)
        assert named >= floors[kind], (mode, kind, report)
