"""The live engine: per-beat and cadence figures equal neurokit2 on the same NN windows."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from tolerance.hrv import BeatUpdate, Engine, EngineConfig, MetricsUpdate, SegmentStart
from tolerance.hrv.frequency import SpectralParameters

DATA = Path(__file__).parents[1] / "data" / "rr"

NK = SpectralParameters(welch_segments="neurokit2")
"""neurokit2's Welch segment layout, for the comparisons with nk.hrv_frequency."""


def _feed(engine: Engine, rr_ms: np.ndarray, t_start: float = 100.0) -> list[object]:
    """Send ``rr_ms`` as a strap would: ~1 Hz notifications carrying the beats since the last one."""
    out: list[object] = []
    t = t_start
    batch: list[float] = []
    next_send = t_start + 1.0
    for rr in rr_ms:
        t += rr / 1000.0
        while t > next_send:
            out += engine.add(next_send, batch)
            batch = []
            next_send += 1.0
        batch.append(float(rr))
    out += engine.add(next_send, batch)
    out += engine.flush()
    return out


def _nn_timeline(updates: list[object]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t, nn, seg = [], [], []
    for u in updates:
        if isinstance(u, BeatUpdate):
            tk = u.beat.t_s
            times = []
            for v in reversed(u.nn_ms):
                times.append(tk)
                tk -= v / 1000.0
            for ti, v in zip(reversed(times), u.nn_ms, strict=True):
                t.append(ti)
                nn.append(v)
                seg.append(u.beat.segment)
    return np.array(t), np.array(nn), np.array(seg)


def _window(t: np.ndarray, nn: np.ndarray, seg: np.ndarray, t_end: float, w: float, segment: int) -> np.ndarray:
    return nn[(t > t_end - w) & (t <= t_end) & (seg == segment)]


def _nk():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # neurokit2's import emits deprecation warnings of its dependencies
        import neurokit2 as nk
    return nk


def _nk_time(nn: np.ndarray) -> dict[str, float]:
    nk = _nk()
    t = np.cumsum(nn) / 1000.0
    return nk.hrv_time({"RRI": nn, "RRI_Time": t}).iloc[0].to_dict()


def _feed_simulation(scenario: str, seed: int, duration_s: float) -> list[object]:
    """A simulated strap's own notifications (1/1024 s RR, jitter, faults) into the engine."""
    from tolerance.sensors import ConnectionEvent, ConnectionState, HeartRateSample
    from tolerance.simulations import simulate

    engine = Engine(EngineConfig(spectral=NK))
    out: list[object] = []
    for item in simulate(scenario, seed=seed, duration_s=duration_s).items:
        if isinstance(item, HeartRateSample):
            out += engine.add(item.t_mono, item.rr_ms, item.contact, item.rr_raw)
        elif isinstance(item, ConnectionEvent) and item.state is ConnectionState.LOST:
            out += engine.mark_gap()
    return out + engine.flush()


@pytest.fixture(scope="module", params=["real 60-min recording", "simulated stress-spike", "simulated artifacts"])
def long_run(request: pytest.FixtureRequest) -> tuple[list[object], np.ndarray, np.ndarray, np.ndarray]:
    if request.param.startswith("real"):
        rr = np.loadtxt(DATA / "pyhrv-nni-long-60min.txt")[:1400]  # ~18 minutes of a real recording
        updates = _feed(Engine(EngineConfig(spectral=NK)), rr)
    elif request.param == "simulated stress-spike":
        updates = _feed_simulation("stress-spike", seed=3, duration_s=900)
    else:  # ectopic/missed/extra beats, a contact loss and a drop-out: corrected beats and segments
        updates = _feed_simulation("artifacts", seed=4, duration_s=1200)
    return (updates, *_nn_timeline(updates))


def test_every_beat_gets_its_30_and_60_s_figures_equal_to_neurokit2(long_run) -> None:
    updates, t, nn, seg = long_run
    beats = [u for u in updates if isinstance(u, BeatUpdate)]
    checked = 0
    for u in beats[200::37]:
        for w in u.windows:
            if w.reason is not None and not w.values:
                continue
            ref = _nk_time(_window(t, nn, seg, u.beat.t_s, w.window_s, u.beat.segment))
            assert w.values["HRV_RMSSD"] == pytest.approx(ref["HRV_RMSSD"], rel=1e-9)
            assert w.values["HRV_SDNN"] == pytest.approx(ref["HRV_SDNN"], rel=1e-9)
            assert w.values["HRV_MeanNN"] == pytest.approx(ref["HRV_MeanNN"], rel=1e-9)
            checked += 1
    assert checked > 40


def test_cadence_figures_equal_neurokit2_time_and_frequency_domain(long_run) -> None:
    updates, t, nn, seg = long_run
    nk = _nk()
    metrics = [u for u in updates if isinstance(u, MetricsUpdate) and u.long.values]
    assert len(metrics) > 100, "after 5 minutes, a 5-minute figure every 5 s"
    gaps = np.diff([m.t_s for m in metrics])
    assert np.median(gaps) == pytest.approx(5.0, abs=1.0)
    for m in metrics[::25]:
        window = _window(t, nn, seg, m.t_s, 300.0, m.long.segment)
        assert m.long.n_beats == window.size
        tt = np.cumsum(window) / 1000.0
        ref_t = nk.hrv_time({"RRI": window, "RRI_Time": tt}).iloc[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ref_f = nk.hrv_frequency({"RRI": window, "RRI_Time": tt}, normalize=False, interpolation_rate=4).iloc[0]
        for key in ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50"):
            assert m.long.values[key] == pytest.approx(ref_t[key], rel=1e-9), key
        for key in ("HRV_LF", "HRV_HF", "HRV_LFHF"):
            assert m.long.values[key] == pytest.approx(ref_f[key], rel=1e-6), key
        assert m.coherence.values["coherence_ratio"] >= 0


def test_windows_need_enough_contiguous_beats_and_never_span_a_gap() -> None:
    engine = Engine()
    rr = np.full(400, 800.0) + np.random.default_rng(0).normal(0, 20, 400)
    first = _feed(engine, rr[:200], t_start=0.0)
    out = engine.mark_gap()
    second = _feed(engine, rr[200:], t_start=200.0)
    starts = [u for u in second if isinstance(u, SegmentStart)]
    assert starts and starts[0].segment == 1
    beats = [u for u in second if isinstance(u, BeatUpdate)]
    early = [u for u in beats if u.beat.t_s - starts[0].t_s < 20]
    assert early and all(
        w.values == {} and "contiguous" in (w.reason or "") for u in early for w in u.windows if w.window_s == 60
    )
    later = [u for u in beats if u.beat.t_s - starts[0].t_s > 70]
    assert later and all(w.n_beats < 100 for u in later for w in u.windows)  # only this segment's beats
    # Nothing is lost at the gap: every beat before it came out, in its own segment.
    before = [u for u in first + out if isinstance(u, BeatUpdate)]
    assert [u.beat.index for u in before] == list(range(200)) and {u.beat.segment for u in before} == {0}


def test_an_ectopic_beat_is_corrected_and_counted_in_the_window_share() -> None:
    rng = np.random.default_rng(4)
    rr = 850 + 30 * np.sin(np.arange(600) * 2 * np.pi / 4.5) + rng.normal(0, 8, 600)
    clean = _feed(Engine(), rr)
    rr_bad = rr.copy()
    rr_bad[300] *= 0.6  # premature beat...
    rr_bad[301] += rr[300] * 0.4  # ...and its compensatory pause
    bad = _feed(Engine(), rr_bad)
    kinds = {u.beat.index: u.artifact for u in bad if isinstance(u, BeatUpdate)}
    assert kinds[300] != "normal"
    after = [u for u in bad if isinstance(u, BeatUpdate) and 305 <= u.beat.index <= 320]
    assert all(u.windows[1].corrected_share and u.windows[1].corrected_share > 0 for u in after)
    clean60 = {u.beat.index: u.windows[1].values.get("HRV_RMSSD") for u in clean if isinstance(u, BeatUpdate)}
    for u in after:
        assert u.windows[1].values["HRV_RMSSD"] == pytest.approx(clean60[u.beat.index], rel=0.15)


def test_memory_stays_bounded_over_a_long_session() -> None:
    engine = Engine(EngineConfig())
    rr = 900 + np.random.default_rng(5).normal(0, 30, 8000)  # two hours
    _feed(engine, rr)
    buf = engine._buffer
    assert buf._t.size == 1024, "the buffer never grows at a normal heart rate"
    assert len(buf) <= 1024
    nn, _ = buf.window(buf._t[buf._hi - 1], 300.0)
    assert 300 < nn.size < 400  # about 5 minutes at ~67 bpm are reachable
