"""The public Kubios HRV reports against ``--spectrum kubios``: the rows of docs/validation.md.

Used by ``benchmarks/validation.py``. The Kubios HRV 3.1 report and its RR data are in
``tests/data/kubios/`` (BSD-3-Clause); the two 3.3 reports (github.com/edudati/KubiosOutputReader,
no licence) are read from ``TOLERANCE_KUBIOS_REPORTS`` when it names a folder holding
``Sample01.txt`` and ``Sample02.txt``, else left out of the tables with a note.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "kubios"
FIGURES = {
    "Mean RR": ("HRV_MeanNN", "Mean RR  (ms)"),
    "SDNN": ("HRV_SDNN", "STD RR (ms)"),
    "RMSSD": ("HRV_RMSSD", "RMSSD (ms)"),
    "pNNxx": ("HRV_pNN50", "pNNxx (%)"),
    "Mean HR": ("HR", "Mean HR (beats/min)"),
    "VLF": ("HRV_VLF", "VLF (ms^2)"),
    "LF": ("HRV_LF", "LF (ms^2)"),
    "HF": ("HRV_HF", "HF (ms^2)"),
    "TP": ("HRV_TP", "Total power (ms^2)"),
    "LF/HF": ("HRV_LFHF", "LF/HF ratio"),
}


def parse_report(path: Path) -> tuple[dict[str, float], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
    for line in lines:
        m = re.match(r"\s*Threshold for NNxx/pNNxx:\s*(\d+)", line)
        if m:
            figures["pnn_ms"] = float(m.group(1))
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


def _reports() -> list[tuple[str, Path, dict[str, float | None]]]:
    out: list[tuple[str, Path, dict[str, float | None]]] = [
        (
            "Kubios 3.1 (PGomes92/kubios, 5 min, detrending none, 300 s, 300 pts/Hz, correction none)",
            DATA / "pgomes92-kubios-3.1-report.txt",
            {"detrend_lambda": None, "welch_segment_s": 300.0, "points_per_hz": 300.0},
        )
    ]
    folder = os.environ.get("TOLERANCE_KUBIOS_REPORTS")
    if folder:
        for name, what in (("Sample01.txt", "9.5 min at rest"), ("Sample02.txt", "6 min of exercise, 160 beats/min")):
            out.append(
                (
                    f"Kubios 3.3 (edudati/KubiosOutputReader {name}, {what}, lambda 256, 256 s, 256 pts/Hz, "
                    "correction medium)",
                    Path(folder) / name,
                    {"detrend_lambda": 256.0, "welch_segment_s": 256.0, "points_per_hz": 256.0},
                )
            )
    return out


def report_rows() -> tuple[list[str], bool]:
    """``| report | figure | Kubios | Tolerance | difference |`` rows, and whether the 3.3 reports
    were included. Each report is one window: its difference is the largest for that figure.

    The reports' RR column holds Kubios' NN intervals (corrected where Kubios corrected) at the
    raw beats' times (its time column): Tolerance analyses those intervals at those times with
    ``--correction none``, so the rows measure the spectrum and the time domain, not the
    correction (compared separately, :func:`correction_rows`)."""
    from tolerance.hrv.frequency import frequency_domain, spectral_parameters
    from tolerance.hrv.kubios import kubios_time_domain

    rows: list[str] = []
    for label, path, settings in _reports():
        figures, t, rr, _, _ = parse_report(path)
        nn = rr * 1000.0
        spectral = spectral_parameters("kubios", 4.0, **settings)  # type: ignore[arg-type]
        lam = settings["detrend_lambda"]
        values: dict[str, float | None] = dict(kubios_time_domain(nn, t, 4.0, lam, figures.get("pnn_ms", 50.0)))
        values.update(frequency_domain(nn, t, spectral).as_dict())
        for name, (key, kubios_name) in FIGURES.items():
            ref = figures[kubios_name]
            got = values[key]
            diff = "-" if got is None or ref == 0 else f"{100 * (got / ref - 1):+.2f} %"
            shown = "-" if got is None else f"{got:.4f}"
            rows.append(f"| {label} | {name} | {ref:.4f} | {shown} | {diff} |")
    return rows, len(_reports()) > 1


def window_rows() -> list[str]:
    """Median and largest relative error of the 3.1 report's printed PSD per segment window."""
    from tolerance.hrv import kubios

    figures, t, rr, f, p = parse_report(DATA / "pgomes92-kubios-3.1-report.txt")
    y = kubios.cubic_resample(rr * 1000.0, t, 4.0)
    y = y - y.mean()
    n = y.size
    k = np.arange(n)
    windows = {
        "MATLAB `hanning` (no zero end points)": 0.5 - 0.5 * np.cos(2 * np.pi * (k + 1) / (n + 1)),
        "symmetric Hann (zero end points)": 0.5 - 0.5 * np.cos(2 * np.pi * k / (n - 1)),
        "periodic Hann": 0.5 - 0.5 * np.cos(2 * np.pi * k / n),
        "symmetric Hamming": 0.54 - 0.46 * np.cos(2 * np.pi * k / (n - 1)),
    }
    rows = []
    ok = p > 1.0
    for name, w in windows.items():
        spec = np.abs(np.fft.rfft(y * w, 1200)) ** 2 / (4.0 * float(w @ w))
        spec[1:-1] *= 2.0
        rel = np.abs(spec[: p.size][ok] - p[ok]) / p[ok]
        rows.append(f"| {name} | {np.median(rel):.1e} | {rel.max():.1e} |")
    return rows


def band_rule_rows() -> list[str]:
    """The 3.1 report's band powers from its own printed PSD, by integration rule."""
    from tolerance.hrv.kubios import kubios_band_power

    figures, _, _, f, p = parse_report(DATA / "pgomes92-kubios-3.1-report.txt")
    f = np.arange(f.size) / 300.0
    rows = []
    for name, band in (("VLF", (0.0, 0.04)), ("LF", (0.04, 0.15)), ("HF", (0.15, 0.4))):
        ref = figures[f"{name} (ms^2)"]
        closed = kubios_band_power(f, p, band)
        half = (f >= band[0]) & (f < band[1] - 1e-12)
        half_open = float(np.trapezoid(p[half], f[half]))
        both, half_rule = 100 * (closed / ref - 1), 100 * (half_open / ref - 1)
        rows.append(f"| {name} | {ref:.4f} | {both:+.2f} % | {half_rule:+.2f} % |")
    return rows


def correction_rows() -> list[str]:
    """The 3.3 rest report's corrected beats (its RR column against its time column's intervals)
    and those Tolerance's threshold rule flags at "medium"."""
    folder = os.environ.get("TOLERANCE_KUBIOS_REPORTS")
    if not folder:
        return []
    from tolerance.hrv.correction import kubios_threshold_correction

    _, t, rr, _, _ = parse_report(Path(folder) / "Sample01.txt")
    raw = np.round(np.diff(np.concatenate([[0.0], t])) * 1000.0)
    kubios_fixed = set(np.flatnonzero(np.abs(raw - rr * 1000.0) > 1.5).tolist())
    ours = set(kubios_threshold_correction(raw, 0.25).flagged.tolist())
    return [
        f"| beats Kubios corrected | {len(kubios_fixed)} of {raw.size} |",
        f"| of those, flagged by `--correction medium` | {len(kubios_fixed & ours)} |",
        f"| flagged by `--correction medium`, not by Kubios | {len(ours - kubios_fixed)} |",
    ]
