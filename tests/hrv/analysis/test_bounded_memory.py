"""The fast engine's building blocks without per-beat Python objects give what the per-beat
versions gave: the correction rules applied one interval at a time, the flow chart in chunks,
the logistic fit's grid in blocks."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest
from tolerance.hrv import ArtifactType, correct_artifacts, detect_artifacts, quality, segments
from tolerance.hrv.analysis import analyze_rr, fast
from tolerance.hrv.analysis.windows import WindowTable
from tolerance.hrv.arousal import fits
from tolerance.hrv.artifacts import batch
from tolerance.hrv.artifacts.classify import interpolate_between

# The module, not the function tolerance.hrv re-exports under its name.
time_domain = importlib.import_module("tolerance.hrv.time_domain")
REAL = np.loadtxt(Path(__file__).parents[2] / "data" / "rr" / "pyhrv-nni-long-60min.txt")


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


def _with_artifacts_at(rr: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``rr`` with an ectopic pair (65 %, then the compensatory pause), a missed beat (doubled)
    or an extra one (split) at each position of ``where``, in turn."""
    out = rr.copy()
    for k, i in enumerate(where.tolist()):
        if k % 3 == 0:
            out[i], out[i + 1] = 0.65 * out[i], out[i + 1] + 0.35 * out[i]
        elif k % 3 == 1:
            out[i] *= 2.0
        else:
            out[i] *= 0.4
    return out


def _boundary_series(chunk: int) -> np.ndarray:
    """The real 60-minute series tiled twice, with artifacts on, just before and just after
    every multiple of ``chunk`` (where a chunk of the flow chart ends and the next starts)."""
    rr = np.tile(REAL, 2)
    edges = np.arange(chunk, rr.size - 3, chunk)
    return _with_artifacts_at(rr, np.unique(np.concatenate([edges - 2, edges, edges + 1])))


@pytest.mark.parametrize("chunk", [1, 3, 50, 97, 1000])
def test_flow_chart_in_chunks_equals_one_chunk(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    rr = _boundary_series(max(chunk, 211))
    if chunk < 50:
        rr = rr[:1500]  # one chunk per beat or three: a short stretch is enough (and quick)
    monkeypatch.setattr(batch, "_DETECT_CHUNK", 1 << 40)  # the whole series at once
    whole = batch.detect_artifact_codes(rr)
    monkeypatch.setattr(batch, "_DETECT_CHUNK", chunk)
    small = batch.detect_artifact_codes(rr)
    assert np.count_nonzero(whole) > 30
    assert len(set(whole.tolist())) >= 4, "ectopic, missed, extra and long/short all met"
    np.testing.assert_array_equal(small, whole)
    assert detect_artifacts(rr).tolist() == [batch.ARTIFACT_CODES[k] for k in small.tolist()]


def test_flow_chart_in_chunks_on_short_series(monkeypatch: pytest.MonkeyPatch) -> None:
    """Series shorter than a window or a halo: the edges' clipping and reflection as whole."""
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 4, 5, 12, 60, 150):
        rr = _with_artifacts_at(800 + rng.normal(0, 20, n + 2), np.arange(1, n, 17))[:n]
        monkeypatch.setattr(batch, "_DETECT_CHUNK", 1 << 40)
        whole = batch.detect_artifact_codes(rr)
        monkeypatch.setattr(batch, "_DETECT_CHUNK", 2)
        np.testing.assert_array_equal(batch.detect_artifact_codes(rr), whole)


@pytest.mark.parametrize("seed", range(40))
def test_correct_artifact_codes_equals_correct_artifacts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    rr = rng.uniform(400, 1200, n)
    share = [0.02, 0.3, 0.9][seed % 3]  # sparse, dense and runs of flagged intervals
    codes = np.where(rng.random(n) < share, rng.integers(1, 6, n), 0).astype(np.uint8)
    if seed % 4 == 0:
        codes[-1] = batch.ARTIFACT_CODES.index(ArtifactType.EXTRA)  # a trailing fragment
    want = correct_artifacts(rr, np.asarray([batch.ARTIFACT_CODES[k] for k in codes], dtype=object))
    nn, corrected = batch.correct_artifact_codes(rr, codes)
    assert nn.tobytes() == want.nn_ms.tobytes()
    assert corrected.tolist() == want.is_corrected.tolist()


def test_logistic_grid_in_blocks_equals_the_whole_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(0.5, 1.2, 700))
    a = 2.0 / (1 + np.exp((t - t[200]) / 120)) + rng.normal(0, 0.1, t.size)
    blocks = fits.fit_logistic(t, a)
    monkeypatch.setattr(fits, "_GRID_BLOCK_VALUES", 1 << 40)  # the whole 96 x 96 grid at once
    assert repr(fits.fit_logistic(t, a)) == repr(blocks)


def _series_with_gaps() -> tuple[np.ndarray, np.ndarray, list[tuple[int, float]]]:
    """Three real hours with artifacts and two drop-outs: kept values, their input positions,
    the excluded ``(index, ms)``."""
    rr = _with_artifacts_at(np.tile(REAL, 3), np.arange(50, 3 * REAL.size - 2, 397))
    gone = {2000: 25_000.0, 2001: 4_000.0, 9000: 12_000.0}
    index = np.asarray([i for i in range(rr.size) if i not in gone])
    return rr[index], index, list(gone.items())


def test_time_domain_in_pieces_equals_the_whole_series(monkeypatch: pytest.MonkeyPatch) -> None:
    nn = np.tile(REAL, 3)
    starts = np.arange(0, nn.size - 400, 37)
    stops = starts + np.random.default_rng(1).integers(0, 400, starts.size)
    monkeypatch.setattr(time_domain, "_PREFIX_CHUNK", 1 << 40)
    whole = time_domain.time_domain_windows(nn, starts, stops)
    for chunk in (1, 7, 1000):
        monkeypatch.setattr(time_domain, "_PREFIX_CHUNK", chunk)
        got = time_domain.time_domain_windows(nn, starts, stops)
        for name in ("n_beats", "mean_nn", "sdnn", "rmssd", "pnn50", "hr_bpm"):
            assert getattr(got, name).tobytes() == getattr(whole, name).tobytes(), (chunk, name)


def test_time_axis_in_pieces_is_the_cumulative_sum_of_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    parts = [rng.uniform(300, 1500, n) for n in (700, 0, 1, 2500)]
    gaps = [0.0, 20_000.0, 3_500.0, 41_000.5]
    steps = [np.asarray([g]) if g > 0 else np.empty(0) for g in gaps]
    flat = np.concatenate([x for pair in zip(steps, parts, strict=True) for x in pair])
    is_nn = np.concatenate(
        [np.r_[np.zeros(s.size, bool), np.ones(p.size, bool)] for s, p in zip(steps, parts, strict=True)]
    )
    want = (np.cumsum(flat) / 1000.0)[is_nn]  # the former whole-series formula
    monkeypatch.setattr(segments, "_TIME_CHUNK", 3)
    got = segments.assemble_segments([(p, np.zeros(p.size, bool)) for p in parts], gaps)
    assert got.t_end.tobytes() == want.tobytes()
    assert got.segment.tolist() == np.repeat(np.arange(4), [p.size for p in parts]).tolist()


def test_abnormal_share_in_pieces_equals_one_search_over_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    rr, index, excluded = _series_with_gaps()
    ranges, gaps = segments.split_segments(rr.size, index, excluded)
    parts = [(rr[lo:hi], quality.abnormal_differences(rr[lo:hi])) for lo, hi in ranges]
    whole = segments.assemble_segments(parts, gaps)  # the raw series laid out at once
    starts = np.arange(0.0, float(whole.t_end[-1]), 30.0)
    t = whole.t_end
    lo = np.searchsorted(t, starts, side="left")
    hi = np.searchsorted(t, starts + 300.0, side="right")
    counts = np.concatenate([[0], np.cumsum(whole.corrected, dtype=np.int64)])
    want = np.where(hi > lo, (counts[hi] - counts[lo]) / np.maximum(hi - lo, 1), np.nan)
    monkeypatch.setattr(segments, "_TIME_CHUNK", 101)
    got = quality.window_abnormal_share(quality.abnormal_series(rr, ranges, gaps), starts, 300.0)
    assert np.nanmax(got) > 0.05
    assert got.tobytes() == want.tobytes()


def test_analysis_in_small_pieces_equals_the_whole_series_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every piece size of the fast engine at once (flow chart, time axis, prefix sums, spectra
    blocks): small pieces and the whole series give the same windows and artifacts."""
    rr, index, excluded = _series_with_gaps()
    pieces = {
        (batch, "_DETECT_CHUNK"): 333,
        (segments, "_TIME_CHUNK"): 257,
        (time_domain, "_PREFIX_CHUNK"): 129,
        (fast, "_FREQ_BLOCK"): 5,
    }
    for (module, name), _ in pieces.items():
        monkeypatch.setattr(module, name, 1 << 40)
    whole = analyze_rr(rr, input_index=index, excluded=excluded)
    for (module, name), size in pieces.items():
        monkeypatch.setattr(module, name, size)
    small = analyze_rr(rr, input_index=index, excluded=excluded)
    assert len(whole.artifacts) > 50 and {w.segment for w in whole.windows} == {0, 1, 2}
    assert sum(w.values["HRV_LF"] is not None for w in whole.windows) > 100
    assert small.artifacts == whole.artifacts
    assert [w.to_json_dict() for w in small.windows] == [w.to_json_dict() for w in whole.windows]


def test_windows_are_a_sequence_of_analysis_windows() -> None:
    windows = analyze_rr(np.tile(REAL, 2)).windows
    assert isinstance(windows, WindowTable)
    listed = list(windows)
    assert len(windows) == len(listed) > 100
    assert windows[0] == listed[0] and windows[-1] == listed[-1]
    assert windows[3:9:2] == tuple(listed[3:9:2])
    assert windows == tuple(listed) and windows == listed
    assert windows.reasons == [w.reason for w in listed]
    with pytest.raises(IndexError):
        windows[len(listed)]


@pytest.mark.parametrize("values", ["uniform", "integer ms", "one value", "two values"])
def test_median_in_pieces_is_numpys(monkeypatch: pytest.MonkeyPatch, values: str) -> None:
    rng = np.random.default_rng(4)
    for n in (9_999, 10_000):  # odd and even: one middle value or the mean of two
        x = {
            "uniform": rng.uniform(300, 2000, n),
            "integer ms": np.round(rng.normal(800, 40, n)),
            "one value": np.full(n, 812.0),
            "two values": rng.choice([600.0, 600.0000000000001], n),
        }[values]
        monkeypatch.setattr(time_domain, "_PREFIX_CHUNK", 333)
        assert time_domain._median(x) == float(np.median(x))


def test_window_starts_search_piece_by_piece_or_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beginnings (t_end - nn / 1000) are searched piece by piece while they increase; intervals
    that make them decrease (not a real series) are searched at once, as before."""
    nn = np.tile(REAL, 2)
    t_end = np.cumsum(nn) / 1000.0
    monkeypatch.setattr(segments, "_TIME_CHUNK", 1 << 40)
    whole = segments.layout_windows(t_end, nn, None, 300.0, 30.0, 0.8)
    monkeypatch.setattr(segments, "_TIME_CHUNK", 100)
    pieces = segments.layout_windows(t_end, nn, None, 300.0, 30.0, 0.8)
    assert pieces.a.tolist() == whole.a.tolist() and pieces.covered.tolist() == whole.covered.tolist()
    bent = nn.copy()
    bent[5000] = 3 * nn[5000]  # its beginning falls before the one of the interval before
    q = np.arange(0.0, float(t_end[-1]), 0.25)
    want = np.searchsorted(t_end - bent / 1000.0, q, side="left")
    assert segments._first_beginning_at(t_end, bent, q).tolist() == want.tolist()
