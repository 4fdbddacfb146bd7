"""Claims about hrv/artifacts/batch.py: batch detection equals neurokit2's first pass
(Lipponen & Tarvainen 2019); correction by the rules."""

from __future__ import annotations

import inspect

import neurokit2 as nk
import numpy as np
import pandas as pd
import pytest
from neurokit2.signal.signal_fixpeaks import _find_artifacts
from rr_artifacts import (
    ECG,
    LONG,
    NK_KEYS,
    SHORT,
    T,
    as_nk_sets,
    inject,
    load,
    nk_first_pass,
    reference_nn,
)
from tolerance.hrv.artifacts import (
    ArtifactParameters,
    correct_artifacts,
    detect_artifacts,
)
from tolerance.hrv.artifacts.batch import _rolling_median, _rolling_quartile_range


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


def test_two_dimensional_input_raises() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        detect_artifacts(np.ones((3, 3)))


def test_types_of_the_wrong_length_raise() -> None:
    with pytest.raises(ValueError, match="2 entries for 3"):
        correct_artifacts(np.array([800.0] * 3), np.array([T.NORMAL] * 2, dtype=object))
