"""Claims about hrv/artifacts.py and hrv/artifacts_stream.py (Lipponen & Tarvainen 2019)."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Final

import neurokit2 as nk
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from neurokit2.signal.signal_fixpeaks import _find_artifacts
from tolerance.hrv.artifacts import (
    ArtifactInputError,
    ArtifactParameters,
    ArtifactType,
    _rolling_median,
    _rolling_quartile_range,
    correct_artifacts,
    detect_artifacts,
)
from tolerance.hrv.artifacts_stream import (
    ClassifiedBeat,
    StreamingArtifactDetector,
    _quartile_threshold,
    _RecentWindow,
)

RR_DIR: Final = Path(__file__).parent.parent / "data" / "rr"
LONG: Final = "pyhrv-nni-long-60min.txt"
SHORT: Final = "pyhrv-nni-short-5min.txt"
ECG: Final = "pyhrv-bitalino-ecg-derived-rr.txt"
NK_KEYS: Final = ("ectopic", "missed", "extra", "longshort")
T = ArtifactType


def load(name: str) -> np.ndarray:
    return np.loadtxt(RR_DIR / name).astype(np.int64)


def nk_first_pass(rr: np.ndarray, leading_zero: bool = True) -> dict[str, set[int]]:
    """neurokit2's first-pass lists, mapped to input RR indices (peak k ends interval k - 1)."""
    peaks = np.concatenate([[0], np.cumsum(rr)]) if leading_zero else np.cumsum(rr)
    info, _ = nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios", iterative=False)
    shift = 1 if leading_zero else 0
    return {k: {int(i) - shift for i in info[k] if i - shift >= 0} for k in NK_KEYS}


def as_nk_sets(types: np.ndarray) -> dict[str, set[int]]:
    groups = {"ectopic": {T.ECTOPIC}, "missed": {T.MISSED}, "extra": {T.EXTRA}, "longshort": {T.LONG, T.SHORT}}
    return {k: {i for i, t in enumerate(types) if t in g} for k, g in groups.items()}


def stream(rr: np.ndarray, **kwargs: int) -> list[ClassifiedBeat]:
    det = StreamingArtifactDetector(**kwargs)
    out = [b for v in rr for b in det.push(float(v))]
    return out + det.flush()


def stream_types(rr: np.ndarray) -> np.ndarray:
    beats = stream(rr)
    assert [b.index for b in beats] == list(range(len(rr)))
    return np.array([b.type for b in beats], dtype=object)


def rmssd(nn: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.diff(nn) ** 2)))


# Injected artifacts. Sizes are stated, since detection depends on them relative to the local
# variability: ectopic = premature by 30-45 % with a full compensatory pause (typical coupling
# of a premature beat); missed = two intervals merged; extra = one interval split at 20-40 %;
# long = x1.40-1.60 and short = x0.45-0.65 single outliers (a strap's spurious or lost R-wave).
KINDS: Final = ("ectopic", "missed", "extra", "long", "short")
MIN_GAP_BEATS: Final = 8  # artifacts do not touch each other (they do in real bursts)


def inject(rr: np.ndarray, rate: float, rng: np.random.Generator):
    """Series with ``rate`` x len artifacts, and per artifact (kind, output indices it made)."""
    n = rr.size
    slots = np.arange(10, n - 10, MIN_GAP_BEATS)
    pos = rng.choice(slots, size=min(round(rate * n), slots.size), replace=False)
    at = dict(zip(pos.tolist(), rng.choice(KINDS, size=pos.size).tolist(), strict=True))
    out: list[int] = []
    events: list[tuple[str, tuple[int, ...]]] = []
    i = 0
    while i < n:
        kind, j, v = at.get(i), len(out), int(rr[i])
        if kind == "ectopic":
            s = round(v * (1 - rng.uniform(0.30, 0.45)))
            out += [s, int(rr[i + 1]) + v - s]
            events.append((kind, (j, j + 1)))
            i += 2
            continue
        if kind == "missed":
            out.append(v + int(rr[i + 1]))
            events.append((kind, (j,)))
            i += 2
            continue
        if kind == "extra":
            a = round(v * rng.uniform(0.20, 0.40))
            out += [a, v - a]
            events.append((kind, (j, j + 1)))
        elif kind in ("long", "short"):
            lo, hi = (1.40, 1.60) if kind == "long" else (0.45, 0.65)
            out.append(round(v * rng.uniform(lo, hi)))
            events.append((kind, (j,)))
        else:
            out.append(v)
        i += 1
    return np.asarray(out, dtype=np.int64), events


def scores(types: np.ndarray, events) -> tuple[int, int, int, int]:
    """(artifacts found, artifacts, false alarms, untouched beats). An artifact is found when
    any interval it made is flagged; every other flagged interval is a false alarm."""
    flagged = np.array([t is not T.NORMAL for t in types])
    truth = np.zeros(types.size, dtype=bool)
    found = 0
    for _, idx in events:
        truth[list(idx)] = True
        found += bool(flagged[list(idx)].any())
    return found, len(events), int(np.count_nonzero(flagged & ~truth)), int(np.count_nonzero(~truth))


def reference_nn(name: str) -> np.ndarray:
    # The recordings are not free of what the method calls artifacts (83 of the 4,684 intervals
    # of the 60-min one: real ectopics, and some of its large variability), and correcting them
    # alone moves RMSSD by 8 % (60 min) and 6 % (5 min). To measure what correction does to the
    # *injected* artifacts, they are injected into the corrected recording (whole ms).
    rr = load(name)
    return np.round(correct_artifacts(rr, detect_artifacts(rr)).nn_ms).astype(np.int64)


# -- batch detection equals neurokit2's first pass ---------------------------------------------


@pytest.mark.parametrize("name", [LONG, SHORT, ECG])
def test_detect_equals_neurokit_first_pass_on_real_series(name: str) -> None:
    rr = load(name)
    assert as_nk_sets(detect_artifacts(rr)) == nk_first_pass(rr)


@pytest.mark.parametrize("name", [LONG, SHORT])
@pytest.mark.parametrize("rate", [0.01, 0.05])
def test_detect_equals_neurokit_first_pass_with_injected_artifacts(name: str, rate: float) -> None:
    rr, _ = inject(load(name), rate, np.random.default_rng(2019))
    assert as_nk_sets(detect_artifacts(rr)) == nk_first_pass(rr)


def test_neurokit_without_leading_zero_never_sees_the_first_interval() -> None:
    # peaks = cumsum(rr): neurokit2's first peak has no interval before it, so its result is
    # ours on rr[1:], shifted by one.
    rr = load(SHORT)
    ours = {k: {i + 1 for i in v} for k, v in as_nk_sets(detect_artifacts(rr[1:])).items()}
    assert ours == nk_first_pass(rr, leading_zero=False)


@pytest.mark.parametrize("seed", range(20))
def test_detect_equals_neurokit_on_short_random_series(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rr = rng.integers(400, 1400, size=int(rng.integers(1, 120)))
    assert as_nk_sets(detect_artifacts(rr)) == nk_first_pass(rr)


def test_neurokit_iterative_lists_do_not_index_the_input() -> None:
    # The pitfall in the module docstring: with iterative=True, the lists of the last pass index
    # the corrected peaks, so they lose (or misplace) the injected artifacts.
    rr, events = inject(reference_nn(LONG), 0.03, np.random.default_rng(7))
    peaks = np.concatenate([[0], np.cumsum(rr)])
    info, _ = nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios", iterative=True)
    listed = {int(i) - 1 for k in NK_KEYS for i in info[k]}
    first = set().union(*nk_first_pass(rr).values())
    injected = {i for _, idx in events for i in idx}
    assert len(injected & first) > 2 * len(injected & listed)


def test_parameters_are_neurokits_defaults() -> None:
    defaults = {k: v.default for k, v in inspect.signature(_find_artifacts).parameters.items()}
    p = ArtifactParameters()
    assert (p.alpha, p.c1, p.c2, p.window_width, p.medfilt_order) == (
        defaults["alpha"],
        defaults["c1"],
        defaults["c2"],
        defaults["window_width"],
        defaults["medfilt_order"],
    )


@pytest.mark.parametrize("width", [1, 4, 11, 91])
def test_rolling_statistics_are_bit_identical_to_pandas(width: int) -> None:
    x = np.abs(np.random.default_rng(width).normal(size=300))
    roll = pd.Series(x).rolling(width, center=True, min_periods=1)
    assert np.array_equal(_rolling_quartile_range(x, width), roll.quantile(0.75).values - roll.quantile(0.25).values)
    assert np.array_equal(_rolling_median(x, width), roll.median().values)


def test_longshort_splits_by_the_local_median() -> None:
    rr = load(LONG)
    types = detect_artifacts(rr)
    med = pd.Series(rr).rolling(11, center=True, min_periods=1).median().values
    for i in np.flatnonzero((types == T.LONG) | (types == T.SHORT)):
        assert (types[i] is T.LONG) == (rr[i] > med[i])


# -- detection and correction of injected artifacts ----------------------------------------------


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


def test_correction_merges_extra_splits_missed_and_interpolates_the_rest() -> None:
    rr = np.array([800, 300, 500, 800, 1600, 820, 840, 600, 860, 880.0])
    types = [T.NORMAL, T.EXTRA, T.NORMAL, T.NORMAL, T.MISSED, T.NORMAL, T.NORMAL, T.SHORT, T.NORMAL, T.NORMAL]
    c = correct_artifacts(rr, np.array(types, dtype=object))
    assert c.nn_ms.tolist() == [800, 800, 800, 800, 800, 820, 840, 850, 860, 880]
    assert c.source_index.tolist() == [0, 1, 3, 4, 4, 5, 6, 7, 8, 9]
    assert c.is_corrected.tolist() == [False, True, False, True, True, False, False, True, False, False]
    assert c.n_corrected == 4  # extra, the interval merged into it, missed, short


def test_correction_interpolates_across_a_run_and_holds_at_the_ends() -> None:
    rr = np.array([500, 800, 100, 100, 900, 2000.0])
    types = np.array([T.LONG, T.NORMAL, T.ECTOPIC, T.SHORT, T.NORMAL, T.LONG], dtype=object)
    c = correct_artifacts(rr, types)
    assert c.nn_ms.tolist() == pytest.approx([800, 800, 800 + 100 / 3, 800 + 200 / 3, 900, 900])


def test_correction_drops_an_extra_interval_with_nothing_to_merge() -> None:
    c = correct_artifacts(np.array([800, 200.0]), np.array([T.NORMAL, T.EXTRA], dtype=object))
    assert c.nn_ms.tolist() == [800]


# -- edge cases -------------------------------------------------------------------------------


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


def test_two_dimensional_input_raises() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        detect_artifacts(np.ones((3, 3)))


def test_types_of_the_wrong_length_raise() -> None:
    with pytest.raises(ValueError, match="2 entries for 3"):
        correct_artifacts(np.array([800.0] * 3), np.array([T.NORMAL] * 2, dtype=object))


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
