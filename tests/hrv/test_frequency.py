"""frequency_domain equals nk.hrv_frequency(normalize=False, interpolation_rate=4) to 1e-6."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import neurokit2 as nk
import numpy as np
import pytest
from tolerance.hrv.frequency import SpectralParameters, frequency_domain

NK = SpectralParameters(welch_segments="neurokit2")
"""neurokit2's Welch segment layout: the one to compare with nk.hrv_frequency."""

RR_DIR = Path(__file__).parents[1] / "data" / "rr"
KEYS = ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP")


def _nk(nn: np.ndarray, t: np.ndarray | None, rate: float = 4) -> dict[str, float]:
    data = {"RRI": nn} if t is None else {"RRI": nn, "RRI_Time": t}
    with warnings.catch_warnings():
        # neurokit2 divides 0/0 for LF/HF when HF holds no bin (short windows): NaN expected.
        warnings.simplefilter("ignore", RuntimeWarning)
        frame = nk.hrv_frequency(data, normalize=False, interpolation_rate=rate)
    return {k: float(frame[k].iloc[0]) for k in KEYS}


def _assert_equal(ours: dict, ref: dict) -> None:
    for key in KEYS:
        if key == "HRV_TP" and ref[key] == 0.0:
            assert ours[key] is None  # every band empty: we say null, neurokit2 says 0
        elif math.isnan(ref[key]):
            assert ours[key] is None, key
        else:
            assert ours[key] == pytest.approx(ref[key], rel=1e-6), key


@pytest.mark.parametrize("window_s", [30, 60, 300])
def test_equals_neurokit_on_real_windows_of_30_60_300_s(window_s: int) -> None:
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")
    t_end = np.cumsum(nn) / 1000
    for start in np.arange(0, t_end[-1] - window_s, 611.0):
        sel = (t_end - nn / 1000 >= start) & (t_end <= start + window_s)
        _assert_equal(frequency_domain(nn[sel], t_end[sel], NK).as_dict(), _nk(nn[sel], t_end[sel]))


def test_default_time_base_is_neurokits_own() -> None:
    # Without RRI_Time neurokit2 uses cumsum(nn / 1000); so do we.
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-short-5min.txt")
    _assert_equal(frequency_domain(nn, params=NK).as_dict(), _nk(nn, None))
    _assert_equal(frequency_domain(nn, params=NK).as_dict(), _nk(nn, np.cumsum(nn / 1000)))


def test_time_origin_does_not_change_the_figures() -> None:
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-short-5min.txt")
    here = frequency_domain(nn, np.cumsum(nn) / 1000).as_dict()
    later = frequency_domain(nn, 3600.0 + np.cumsum(nn) / 1000).as_dict()
    for key in KEYS:
        assert later[key] == pytest.approx(here[key], rel=1e-6)


def test_fractional_strap_values_and_100_hz_rate_match_too() -> None:
    rng = np.random.default_rng(11)
    nn = np.round(rng.normal(800, 40, 400) * 1.024) / 1.024
    t = np.cumsum(nn) / 1000
    params = SpectralParameters(interpolation_rate=100, welch_segments="neurokit2")
    _assert_equal(frequency_domain(nn, t, params).as_dict(), _nk(nn, t, rate=100))


def test_lf_of_a_40_ms_0_1_hz_sine_is_about_800_ms2() -> None:
    # A sine of amplitude A has power A^2 / 2 = 800 ms^2 (DESIGN.md: neurokit2 gives 799.5).
    beats = np.arange(0, 300, 0.8)
    nn = 800 + 40 * np.sin(2 * np.pi * 0.1 * beats)
    for params in (SpectralParameters(), NK):
        fd = frequency_domain(nn, params=params)
        assert fd.lf == pytest.approx(800, rel=0.01)
        assert fd.hf < 0.01 * fd.lf
    _assert_equal(fd.as_dict(), _nk(nn, None))


def test_hf_peak_tracks_the_breathing_rate() -> None:
    beats = np.cumsum(np.full(400, 750.0)) / 1000
    nn = 750 + 30 * np.sin(2 * np.pi * 0.25 * beats)
    fd = frequency_domain(nn)
    assert fd.hf_peak_hz == pytest.approx(0.25, abs=fd.resolution_hz)
    assert fd.resolution_hz == pytest.approx(1 / 300, rel=0.05)


def test_too_few_intervals_give_nan_with_a_reason() -> None:
    fd = frequency_domain(np.array([800.0, 810.0]))
    assert fd.reason is not None and math.isnan(fd.lf)
    assert fd.as_dict()["HRV_LF"] is None


def test_parameters_describe_the_method() -> None:
    d = SpectralParameters().as_dict()
    assert d["interpolation_rate"] == 4.0
    assert d["psd_method"] == "welch" and d["interpolation_method"] == "quadratic"
    assert d["lf_hz"] == [0.04, 0.15] and d["hf_hz"] == [0.15, 0.4]
    with pytest.raises(ValueError):
        SpectralParameters(interpolation_rate=0.5)


def test_interpolate_nn_stays_importable_from_frequency() -> None:
    # coherence.py and older callers import it from here; it lives in hrv/spline.py.
    from tolerance.hrv import frequency, spline

    assert frequency.interpolate_nn is spline.interpolate_nn


KUBIOS = SpectralParameters.kubios()


def test_kubios_and_default_agree_on_hf_of_an_hour_and_differ_below_lf() -> None:
    # The 60-minute series as one window: HF (0.15-0.4 Hz, far above the detrender's 0.035 Hz
    # cutoff) is the same power whatever the estimator, within 2 % (measured: 0.3 %); VLF is
    # what smoothness priors removes (measured: 221 against 2621 ms²), LF loses its low edge.
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-long-60min.txt")
    default, kubios = frequency_domain(nn), frequency_domain(nn, params=KUBIOS)
    assert kubios.hf == pytest.approx(default.hf, rel=0.02)
    assert kubios.vlf < 0.2 * default.vlf
    assert 0.8 * default.lf < kubios.lf < default.lf


def test_a_slow_wave_is_vlf_to_the_default_and_mostly_detrended_away_by_kubios() -> None:
    # A 0.02 Hz wave of 50 ms (1250 ms²) added to a real 5-minute series. The default removes
    # the mean only: VLF takes the wave (measured +2228 ms², the wave's power plus its cross
    # term with the series' own VLF). Smoothness priors passes gain(0.02 Hz)^2 = 4 % of it
    # (measured +55 ms²). LF and HF, above the cutoff, move by less than 1 % in both.
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-short-5min.txt")
    t = np.cumsum(nn) / 1000
    waved = nn + 50.0 * np.sin(2 * np.pi * 0.02 * t)
    for params, least, most in ((SpectralParameters(), 1000.0, 4000.0), (KUBIOS, 20.0, 120.0)):
        before, after = frequency_domain(nn, t, params), frequency_domain(waved, t, params)
        assert least < after.vlf - before.vlf < most
        assert after.lf == pytest.approx(before.lf, rel=0.01) and after.hf == pytest.approx(before.hf, rel=0.01)


def test_a_straight_line_does_not_move_kubios_figures() -> None:
    # A drift of 100 ms over 5 minutes: the cubic spline carries a line unchanged and
    # smoothness priors removes it exactly.
    nn = np.loadtxt(RR_DIR / "pyhrv-nni-short-5min.txt")
    t = np.cumsum(nn) / 1000
    before, after = frequency_domain(nn, t, KUBIOS), frequency_domain(nn + 100.0 * t / t[-1], t, KUBIOS)
    for name in ("vlf", "lf", "hf"):
        assert getattr(after, name) == pytest.approx(getattr(before, name), rel=1e-6), name
