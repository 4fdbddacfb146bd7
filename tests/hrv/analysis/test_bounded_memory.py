"""The fast engine's building blocks without per-beat Python objects give what the per-beat
versions gave: the correction rules applied one interval at a time, the flow chart in chunks,
the logistic fit's grid in blocks."""

from __future__ import annotations

import numpy as np
import pytest
from tolerance.hrv import ArtifactType, correct_artifacts, detect_artifacts
from tolerance.hrv.arousal import fits
from tolerance.hrv.artifacts import batch
from tolerance.hrv.artifacts.classify import interpolate_between


def _rules(rr: np.ndarray, types: list[ArtifactType]) -> tuple[list[float], list[int], list[bool]]:
    """correct_artifacts' documented rules, one interval at a time (the former implementation)."""
    n = rr.size
    merged = [False] * n
    for i in range(n - 1):
        if types[i] is ArtifactType.EXTRA and not merged[i]:
            merged[i + 1] = True
    ref = [i for i in range(n) if types[i] is ArtifactType.NORMAL and not merged[i]]
    nn: list[float] = []
    src: list[int] = []
    fixed: list[bool] = []
    for i, kind in enumerate(types):
        if merged[i]:
            continue
        if kind is ArtifactType.NORMAL:
            values = [float(rr[i])]
        elif kind is ArtifactType.EXTRA:
            values = [float(rr[i] + rr[i + 1])] if i + 1 < n else []
        elif kind is ArtifactType.MISSED:
            values = [float(rr[i] / 2)] * 2
        else:
            pos = int(np.searchsorted(ref, i))
            before = (ref[pos - 1], float(rr[ref[pos - 1]])) if pos > 0 else None
            after = (ref[pos], float(rr[ref[pos]])) if pos < len(ref) else None
            values = [interpolate_between(i, before, after, float(rr[i]))]
        nn += values
        src += [i] * len(values)
        fixed += [kind is not ArtifactType.NORMAL] * len(values)
    return nn, src, fixed


@pytest.mark.parametrize("seed", range(6))
def test_correct_artifacts_equals_the_rules_one_interval_at_a_time(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    rr = rng.uniform(400, 1200, n)
    kinds = list(ArtifactType)
    types = [kinds[int(k)] if rng.random() < 0.3 else ArtifactType.NORMAL for k in rng.integers(0, 6, n)]
    if seed == 0:
        types[-1] = ArtifactType.EXTRA  # a trailing fragment with no partner
    got = correct_artifacts(rr, np.asarray(types, dtype=object))
    nn, src, fixed = _rules(rr, types)
    assert got.nn_ms.tolist() == nn
    assert got.source_index.tolist() == src
    assert got.is_corrected.tolist() == fixed
    # Plain strings are accepted as before.
    assert correct_artifacts(rr, [str(t) for t in types]).nn_ms.tolist() == nn


def test_correct_artifacts_refuses_unknown_types_and_lengths() -> None:
    with pytest.raises(ValueError):
        correct_artifacts(np.array([800.0, 810.0]), ["normal", "odd"])
    with pytest.raises(ValueError, match="entries"):
        correct_artifacts(np.array([800.0, 810.0]), ["normal"])


def test_flow_chart_in_chunks_equals_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    rr = 800 + 60 * np.sin(np.arange(20_000) / 9) + rng.normal(0, 15, 20_000)
    bad = rng.choice(rr.size, 600, replace=False)
    rr[bad] *= rng.choice([0.6, 1.8, 0.45], bad.size)
    whole = detect_artifacts(rr)
    monkeypatch.setattr(batch, "_CLASSIFY_CHUNK", 5)
    small = detect_artifacts(rr)
    assert (whole != ArtifactType.NORMAL).sum() > 100
    assert whole.tolist() == small.tolist()


def test_logistic_grid_in_blocks_equals_the_whole_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(0.5, 1.2, 700))
    a = 2.0 / (1 + np.exp((t - t[200]) / 120)) + rng.normal(0, 0.1, t.size)
    blocks = fits.fit_logistic(t, a)
    monkeypatch.setattr(fits, "_GRID_BLOCK_VALUES", 1 << 40)  # the whole 96 x 96 grid at once
    assert repr(fits.fit_logistic(t, a)) == repr(blocks)
