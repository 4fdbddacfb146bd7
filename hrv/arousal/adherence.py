"""Breathing adherence: does the heart follow the paced-breathing guide? (a heuristic)

The pacer is a server-owned clock (rate in breaths/min, inhale share of a breath, start time),
so its phase is known at every beat. Over the last ``window_s`` (default 60 s):

1. Instantaneous HR (60000 / RR, bpm) at the beat times is resampled on a ``fs_hz`` (4 Hz)
   grid by linear interpolation and linearly detrended. The pacer's target lung volume on the
   same grid (:func:`pacer_signal`: -1 empty, +1 full; rising over the inhalation, falling
   over the exhalation, half-cosine shaped) is the reference.
2. **Coherence** (magnitude-squared, 0-1) and **phase** between HR and the pacer signal at the
   pacer frequency ``f = rate / 60`` Hz: Welch-style cross-spectrum evaluated exactly at
   ``f`` (a single-frequency DFT per segment), Hann-windowed segments of two pacer periods,
   50 % overlap (a 60 s window at 6/min gives 5 segments). ``phase_deg`` is the HR
   oscillation's phase relative to the pacer's (positive: HR leads the lung volume). A heart
   that follows has the same phase in every segment, so coherence near 1; noise has random
   phases (expected coherence about 1 / number of segments, but with a wide scatter).
3. **Power share**: the share of the detrended HR variance explained by a sinusoid at ``f``
   (least squares on cos/sin over the whole window). Near 0 when the heart oscillates at
   another rate or only noise is present.

Labels (thresholds are choices of this project, tuned on synthetic and simulated series, not
published): *following* when coherence >= 0.8 and power share >= 0.5; *partly* when
coherence >= 0.5 and power share >= 0.4; otherwise *not following*. Both figures are required
because noise alone can reach a high coherence over only a few segments.

Cannot tell: whether the person breathes at all (no respiration sensor); a heart whose resting
Mayer wave (about 0.1 Hz) lines up with a 6/min guide for a minute can read partly, rarely
following (13 real people sitting, GUDB, against a 6/min guide they were not following: 12
figures in 624 partly, none following; the simulator's calm worker breathing at 15/min: 2 in
256 over 6 seeds partly, none following).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from .. import HrvInputError

DEFAULT_WINDOW_S: Final = 60.0
"""Analysis window (s) ending at the last beat."""
DEFAULT_FS_HZ: Final = 4.0
"""Resampling rate of HR and the pacer signal (Hz)."""
FOLLOWING_COHERENCE: Final = 0.8
FOLLOWING_SHARE: Final = 0.5
PARTLY_COHERENCE: Final = 0.5
PARTLY_SHARE: Final = 0.4
"""Above what resting Mayer waves give: in a 60 s window at 6/min, 13 real people sitting
(GUDB) reach a power share of 0.10 (median) and 0.23 (90th percentile); a heart breathing at
15/min in the norm-calibrated simulator (LF 590 ms², inside Nunan et al. 2010) 0.06-0.24
(median per seed over 6 seeds, 0.11 pooled) and 0.31 (90th percentile, pooled); one following
the guide 0.68-0.79 (median per seed over 5 seeds; 10th percentile >= 0.50)."""
MIN_COVERAGE: Final = 0.8
"""Share of the window the beats must cover."""

PhaseFn = Callable[[np.ndarray], np.ndarray]
"""Pacer phase in cycles (0 = start of an inhalation, increasing by 1 per breath) at times t (s)."""


class AdherenceLabel(enum.StrEnum):
    FOLLOWING = "following"
    PARTLY = "partly"
    NOT_FOLLOWING = "not following"


@dataclass(frozen=True, slots=True)
class Pacer:
    """The server's pacer clock: ``rate_per_min`` (breaths/min), ``inhale_share`` (0.4 for
    4:6), started at ``start_s``. ``phase(t)`` is its phase in cycles."""

    rate_per_min: float = 6.0
    inhale_share: float = 0.4
    start_s: float = 0.0

    def phase(self, t_s: np.ndarray) -> np.ndarray:
        return (np.asarray(t_s, dtype=float) - self.start_s) * self.rate_per_min / 60.0


def pacer_signal(phase_cycles: npt.ArrayLike, inhale_share: float = 0.4) -> np.ndarray:
    """Target lung volume (-1 empty .. +1 full) at pacer phases (cycles): half-cosine up over
    the inhalation (the first ``inhale_share`` of a cycle), half-cosine down over the exhalation."""
    u = np.mod(np.asarray(phase_cycles, dtype=float), 1.0)
    r = inhale_share
    up = -np.cos(np.pi * u / r)
    down = np.cos(np.pi * (u - r) / (1.0 - r))
    out: np.ndarray = np.where(u < r, up, down)
    return out


@dataclass(frozen=True, slots=True)
class Adherence:
    """Coherence (0-1), phase (deg, HR relative to the pacer), power share (0-1) and label."""

    t_end_s: float
    rate_per_min: float
    coherence: float
    phase_deg: float
    power_share: float
    n_segments: int
    label: AdherenceLabel

    def as_dict(self) -> dict[str, Any]:
        return {
            "t_end_s": self.t_end_s,
            "rate_per_min": self.rate_per_min,
            "coherence": self.coherence,
            "phase_deg": self.phase_deg,
            "power_share": self.power_share,
            "n_segments": self.n_segments,
            "label": str(self.label),
        }


@dataclass(frozen=True, slots=True)
class HrGrid:
    """Detrended instantaneous HR (bpm) on a regular grid ``t_s`` (s)."""

    t_s: np.ndarray
    hr_bpm: np.ndarray


def hr_on_grid(
    beat_t_s: npt.ArrayLike, rr_ms: npt.ArrayLike, t_start_s: float, t_end_s: float, fs_hz: float = DEFAULT_FS_HZ
) -> HrGrid:
    """60000 / RR at the beat times, linearly interpolated on ``[t_start, t_end)`` at ``fs_hz``,
    linearly detrended. Raises :class:`HrvInputError` when the beats cover less than 80 %."""
    t = np.asarray(beat_t_s, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    if t.shape != rr.shape or t.ndim != 1:
        raise HrvInputError("beat times and RR must be 1-D arrays of one length")
    keep = (t > t_start_s) & (t <= t_end_s) & np.isfinite(rr) & (rr > 0)
    t, rr = t[keep], rr[keep]
    span = t_end_s - t_start_s
    if t.size < 4 or (t[-1] - t[0]) < MIN_COVERAGE * span:
        raise HrvInputError(f"beats cover too little of the {span:g} s window")
    grid = np.arange(t_start_s, t_end_s, 1.0 / fs_hz)
    grid = grid[(grid >= t[0]) & (grid <= t[-1])]
    hr = np.interp(grid, t, 60_000.0 / rr)
    coef = np.polyfit(grid - grid.mean(), hr, 1)
    return HrGrid(grid, hr - np.polyval(coef, grid - grid.mean()))


def sinusoid_share(t_s: np.ndarray, x: np.ndarray, f_hz: float) -> float:
    """Share of the variance of ``x`` explained by a least-squares sinusoid at ``f_hz``."""
    xc = x - x.mean()
    total = float(np.sum(xc**2))
    if total <= 0:
        return 0.0
    basis = np.column_stack([np.cos(2 * np.pi * f_hz * t_s), np.sin(2 * np.pi * f_hz * t_s), np.ones_like(t_s)])
    coef, *_ = np.linalg.lstsq(basis, x, rcond=None)
    resid = x - basis @ coef
    return float(max(0.0, 1.0 - np.sum(resid**2) / total))


def cross_at(t_s: np.ndarray, x: np.ndarray, y: np.ndarray, f_hz: float) -> tuple[float, float, int]:
    """Magnitude-squared coherence and phase (deg, x relative to y) at ``f_hz``; segments of two
    periods, Hann window, 50 % overlap, single-frequency DFT. Returns (coherence, phase, segments)."""
    fs = 1.0 / float(np.median(np.diff(t_s)))
    seg = max(int(round(2.0 / f_hz * fs)), 8)
    step = max(seg // 2, 1)
    if x.size < seg:
        raise HrvInputError(f"the window is shorter than two pacer periods ({2 / f_hz:.0f} s)")
    w = np.hanning(seg)
    sxy = 0j
    sxx = syy = 0.0
    n = 0
    for a in range(0, x.size - seg + 1, step):
        tt = t_s[a : a + seg]
        e = np.exp(-2j * np.pi * f_hz * tt)
        xs = x[a : a + seg] - x[a : a + seg].mean()
        ys = y[a : a + seg] - y[a : a + seg].mean()
        fx = np.sum(w * xs * e)
        fy = np.sum(w * ys * e)
        sxy += fx * np.conj(fy)
        sxx += abs(fx) ** 2
        syy += abs(fy) ** 2
        n += 1
    coh = abs(sxy) ** 2 / (sxx * syy) if sxx > 0 and syy > 0 else 0.0
    return float(coh), math.degrees(float(np.angle(sxy))), n


def _label(coherence: float, share: float) -> AdherenceLabel:
    if coherence >= FOLLOWING_COHERENCE and share >= FOLLOWING_SHARE:
        return AdherenceLabel.FOLLOWING
    if coherence >= PARTLY_COHERENCE and share >= PARTLY_SHARE:
        return AdherenceLabel.PARTLY
    return AdherenceLabel.NOT_FOLLOWING


def breathing_adherence(
    beat_t_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    rate_per_min: float,
    phase: PhaseFn,
    *,
    inhale_share: float = 0.4,
    t_end_s: float | None = None,
    window_s: float = DEFAULT_WINDOW_S,
    fs_hz: float = DEFAULT_FS_HZ,
) -> Adherence:
    """Coherence, phase and power share of HR against the pacer over the last ``window_s``.

    Parameters
    ----------
    beat_t_s, rr_ms
        Beat times (s) and their RR (or NN) intervals (ms); only the window's beats are used.
    rate_per_min, phase
        The pacer's rate (breaths/min) and phase function (cycles at times in s), e.g.
        ``Pacer(...).phase``.
    inhale_share
        Inhalation's share of a breath (0.4 for the default 4:6).
    t_end_s
        End of the window (default: the last beat).

    Raises
    ------
    HrvInputError
        Too few beats in the window, or a window shorter than two pacer periods.
    """
    t = np.asarray(beat_t_s, dtype=float)
    end = float(t[-1]) if t_end_s is None else float(t_end_s)
    grid = hr_on_grid(t, rr_ms, end - window_s, end, fs_hz)
    f = rate_per_min / 60.0
    ref = pacer_signal(phase(grid.t_s), inhale_share)
    coh, ph, n = cross_at(grid.t_s, grid.hr_bpm, ref, f)
    share = sinusoid_share(grid.t_s, grid.hr_bpm, f)
    return Adherence(end, rate_per_min, coh, ph, share, n, _label(coh, share))
