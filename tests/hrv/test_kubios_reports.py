"""``--spectrum kubios`` against public Kubios HRV reports, at each report's own settings (issue 24).

Every figure within 1 % of the report (docs/validation.md lists the largest difference per figure).

* Kubios HRV 3.1 (tests/data/kubios/, BSD-3-Clause): the report and its RR data are in the repository.
* Kubios HRV 3.3 (github.com/edudati/KubiosOutputReader, no licence): its RR data may not be copied
  here, so it is checked by ``benchmarks/kubios_reports.py`` (through ``benchmarks/validation.py``,
  into docs/validation.md) when ``TOLERANCE_KUBIOS_REPORTS`` names a folder holding the two reports;
  the suite runs no test that it would have to skip.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from tolerance.hrv.analysis import analyze_rr
from tolerance.hrv.frequency import spectral_parameters
from tolerance.hrv.kubios import (
    hamming_with_power,
    hanning_with_power,
    kubios_band_power,
    kubios_psd,
    kubios_time_domain,
)

DATA = Path(__file__).parents[1] / "data" / "kubios"
FIGURES = {
    "HRV_MeanNN": "Mean RR  (ms)",
    "HRV_SDNN": "STD RR (ms)",
    "HRV_RMSSD": "RMSSD (ms)",
    "HR": "Mean HR (beats/min)",
    "HRV_VLF": "VLF (ms^2)",
    "HRV_LF": "LF (ms^2)",
    "HRV_HF": "HF (ms^2)",
    "HRV_TP": "Total power (ms^2)",
    "HRV_LFHF": "LF/HF ratio",
}


def _report(path: Path) -> tuple[dict[str, float], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Figures (FFT column), beat times (s), RR (s), PSD frequencies (Hz) and values (ms²/Hz)."""
    lines = path.read_text(encoding="latin-1").splitlines()
    figures: dict[str, float] = {}
    for line in lines:
        m = re.match(r"\s*(.+?):\s*,\s*([-+\w.]+),", line)
        if m and m.group(1).strip() not in figures:
            try:
                figures[m.group(1).strip()] = float(m.group(2))
            except ValueError:
                pass
    start = next(i for i, line in enumerate(lines) if "(ms^2/Hz)" in line)
    t, rr, f, p = [], [], [], []
    for line in lines[start + 1 :]:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 5:
            break
        if cells[1]:
            t.append(float(cells[1]))
            rr.append(float(cells[2]))
        if cells[3]:
            f.append(float(cells[3]))
            p.append(float(cells[4]))
    return figures, np.array(t), np.array(rr), np.array(f), np.array(p)


def _window(rr_ms: np.ndarray, correction: str, **settings: float | None) -> dict[str, float | None]:
    spectral = spectral_parameters("kubios", 4.0, **settings)
    span = float(np.ceil(rr_ms.sum() / 1000.0))
    (w,) = analyze_rr(rr_ms, window_s=span, step_s=span, spectral=spectral, correction=correction).windows
    return w.values


# --- Kubios HRV 3.1: detrending none, 300 s segments, 300 points/Hz, no correction ---------------


PG31 = DATA / "pgomes92-kubios-3.1-report.txt"
PG31_SETTINGS = {"detrend_lambda": None, "welch_segment_s": 300.0, "points_per_hz": 300.0}


def test_the_31_reports_rr_data_is_the_rr_file() -> None:
    _, t, rr, _, _ = _report(PG31)
    rr_file = np.loadtxt(DATA / "pgomes92-kubios-3.1-rr.txt", comments="#")
    np.testing.assert_allclose(rr * 1000.0, rr_file, atol=1e-9)
    np.testing.assert_allclose(np.cumsum(rr), t, atol=1e-9)  # no correction: time is the RR sum


def test_the_31_psd_is_kubios_bin_by_bin_with_matlabs_hanning() -> None:
    """Issue 24: MATLAB's hanning (no zero end points) reproduces the printed PSD; Hamming does not."""
    _, t, rr, f, p = _report(PG31)
    freq, psd, _ = kubios_psd(rr * 1000.0, t, 4.0, None, 300.0, 0.5, 300.0)
    assert np.allclose(freq[: f.size], f, atol=5e-4)
    ok = p > 1.0
    rel = np.abs(psd[: p.size][ok] - p[ok]) / p[ok]
    assert np.median(rel) < 1e-6 and rel.max() < 1e-4
    w_hann, _ = hanning_with_power(8)
    w_hamming, _ = hamming_with_power(8)
    assert w_hann[0] > 0 and w_hann[0] != w_hamming[0]


@pytest.mark.parametrize("key", list(FIGURES))
def test_every_figure_of_the_31_report_within_1_percent(key: str) -> None:
    figures, *_ = _report(PG31)
    values = _window(np.loadtxt(DATA / "pgomes92-kubios-3.1-rr.txt", comments="#"), "none", **PG31_SETTINGS)
    assert values[key] == pytest.approx(figures[FIGURES[key]], rel=0.01)


def test_pnnxx_of_the_31_report_is_over_n_minus_1_differences() -> None:
    figures, t, rr, *_ = _report(PG31)
    d = kubios_time_domain(rr * 1000.0, t, 4.0, None, pnn_ms=20.0)  # the report's 20 ms threshold
    assert d["HRV_pNN50"] == pytest.approx(figures["pNNxx (%)"], rel=1e-5)  # 191 / 422
    assert figures["NNxx (beats)"] == 191 and rr.size == 423


def test_band_powers_include_the_upper_edge_on_the_reports_own_psd() -> None:
    """Issue 24: on the report's printed PSD, both edges in (interpolated) is within 0.6 % of its
    band powers; the half-open [low, high) rule loses the upper edge's half bin (VLF -9.5 %)."""
    figures, *_, f, p = _report(PG31)
    f = np.arange(f.size) / 300.0  # the printed frequencies are rounded to 3 decimals
    for band, name in (((0.0, 0.04), "VLF (ms^2)"), ((0.04, 0.15), "LF (ms^2)"), ((0.15, 0.4), "HF (ms^2)")):
        assert kubios_band_power(f, p, band) == pytest.approx(figures[name], rel=0.006)
    half_open = (f >= 0.0) & (f < 0.04 - 1e-12)
    assert np.trapezoid(p[half_open], f[half_open]) / figures["VLF (ms^2)"] == pytest.approx(0.905, abs=0.005)


def test_matlab_hanning_is_scipys_hann_without_its_zero_ends() -> None:
    import scipy.signal

    for n in (7, 1024, 1195):
        w, w2 = hanning_with_power(n)
        np.testing.assert_allclose(w, scipy.signal.windows.hann(n + 2)[1:-1], rtol=0, atol=1e-15)
        assert w2 == pytest.approx(float(w @ w))
