"""Resonance-frequency assessment: Lehrer's stepped protocol scored by Shaffer & Meehan's criteria.

Protocol (Lehrer, Vaschillo & Vaschillo 2000; Shaffer & Meehan 2020, Front. Neurosci.
14:570400): paced breathing at 6.5, 6.0, 5.5, 5.0 and 4.5 breaths/min, about 2 minutes each
(:class:`ResonanceProtocol`, ``step_s`` default 120 s). Each step is scored
(:func:`step_criteria`) on the criteria Shaffer & Meehan list, in their order of priority:

1. phase synchrony of HR and breathing: ``|phase|`` (deg) between the HR oscillation and the
   pacer's lung-volume signal at the pacer frequency (:func:`~.adherence.cross_at`); 0 is best.
   Each RR interval is stamped at the beat that ends it (the Kubios and neurokit2 convention;
   stamping it at its middle would move every phase by about ``180 f RR``, 16 deg at 6/min, and
   the rates' differences by a few degrees). Needs the pacer phase (without it this criterion
   is left out);
2. peak-to-trough HR (bpm): mean over the step's breaths of max - min of instantaneous HR;
   higher is better;
3. LF power (ms², 0.04-0.15 Hz) of the RR tachogram; higher is better;
4. peak LF amplitude: the highest spectral density in LF (ms²/Hz); higher is better;
5. smoothness of the HR curve: the share of HR variance explained by one sinusoid at the
   pacing rate (:func:`~.adherence.sinusoid_share`; 1 = a pure sine); higher is better;
6. fewest LF peaks: local maxima of the LF spectrum above 10 % of its highest; fewer is better.

Spectra: RR interpolated linearly at 4 Hz over the step after ``settle_s`` (default 15 s, the
change of rate), linearly detrended, Hann-windowed periodogram zero-padded to 4096 points,
one-sided density in ms²/Hz, band power by the rectangle rule. A periodogram of 105 s
resolves about 0.01 Hz; the rates 4.5-6.5/min (0.075-0.108 Hz) are 0.008 Hz apart, so the
LF figures compare amplitude more than position.

Combination (:func:`score_resonance`; a choice of this project, Shaffer & Meehan give the order
of priority and leave the weighing to the clinician's judgment). Phase synchrony comes first
as a gate: the rates whose ``|phase|`` is within :data:`PHASE_TOLERANCE_DEG` (10 deg) of the
best one are *in phase* (``in_phase``), the others cannot be chosen. Among the rates in phase,
the other five criteria decide: each ranks all rates (1 = best, ties share the mean rank), the
score is the weighted mean rank with weights 5, 4, 3, 2, 1 in the order above (a criterion
without values for every rate is left out), the lowest score wins, ties go to the higher LF
power. Without the pacer's phase every rate is eligible and the five criteria decide alone.

Why a gate and not a sixth weighted rank (as this module did first): the amplitude criteria
(2-6) separate rates near the resonance by a few per cent against a step-to-step scatter of
tens of per cent (the Mayer wave and slow drift share the LF band), and a weighted mean of ranks
counts a 2 % difference like a 40 % one, so they outvoted the phase. On the simulator (resonance
at 6/min, Q 1.5, breathing in step with the guide; 200 assessments): phase alone chose 5.5-6.5
in 199, the weighted ranks of all six in 190 (4.5/min twice), the gate and five ranks in 200.
The 10 deg tolerance is about twice the scatter of one step's phase there (SD 5-7 deg); a
heuristic, like the whole combination: check the curves, and fine-tune around the chosen rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from .. import HrvInputError
from .adherence import PhaseFn, cross_at, pacer_signal, sinusoid_share

LEHRER_RATES_PER_MIN: Final = (6.5, 6.0, 5.5, 5.0, 4.5)
"""Breathing rates of the stepped protocol (breaths/min), in the order they are run."""
DEFAULT_STEP_S: Final = 120.0
"""Time per rate (s)."""
DEFAULT_SETTLE_S: Final = 15.0
"""Start of each step left out of the scoring (s)."""
FS_HZ: Final = 4.0
"""Tachogram interpolation rate (Hz)."""
NFFT: Final = 4096
LF_BAND_HZ: Final = (0.04, 0.15)
LF_PEAK_FLOOR: Final = 0.1
"""A spectral maximum counts as an LF peak above this share of the highest LF density."""
CRITERIA: Final = ("phase_deg", "peak_trough_bpm", "lf_ms2", "lf_peak_ms2_per_hz", "smoothness", "lf_peaks")
"""The criteria in Shaffer & Meehan's order of priority."""
RANKED: Final = CRITERIA[1:]
"""The criteria that rank the rates in phase (phase synchrony is the gate before them)."""
WEIGHTS: Final = (5.0, 4.0, 3.0, 2.0, 1.0)
"""Weights of :data:`RANKED`, in their order."""
PHASE_TOLERANCE_DEG: Final = 10.0
"""A rate is in phase when its ``|phase|`` is at most this much above the best rate's."""
LOWER_IS_BETTER: Final = frozenset({"phase_deg", "lf_peaks"})


@dataclass(frozen=True, slots=True)
class ResonanceProtocol:
    """The stepped protocol: ``rates_per_min`` for ``step_s`` each, from ``start_s``."""

    rates_per_min: tuple[float, ...] = LEHRER_RATES_PER_MIN
    step_s: float = DEFAULT_STEP_S
    start_s: float = 0.0

    @property
    def duration_s(self) -> float:
        return self.step_s * len(self.rates_per_min)

    def steps(self) -> tuple[tuple[float, float, float], ...]:
        """``(start_s, end_s, rate_per_min)`` per step."""
        s0, d = self.start_s, self.step_s
        return tuple((s0 + i * d, s0 + (i + 1) * d, r) for i, r in enumerate(self.rates_per_min))

    def rate_at(self, t_s: float) -> float | None:
        """The rate running at ``t_s``, None outside the protocol."""
        k = math.floor((t_s - self.start_s) / self.step_s)
        return self.rates_per_min[k] if 0 <= k < len(self.rates_per_min) else None

    def phase(self, t_s: npt.ArrayLike) -> np.ndarray:
        """Pacer phase (cycles, continuous across steps) at ``t_s``."""
        t = np.clip(np.asarray(t_s, dtype=float) - self.start_s, 0.0, self.duration_s)
        out = np.zeros_like(t)
        for i, r in enumerate(self.rates_per_min):
            out += np.clip(t - i * self.step_s, 0.0, self.step_s) * r / 60.0
        return out


@dataclass(frozen=True, slots=True)
class ResonanceStep:
    """One step's beats (times in s, RR in ms) at ``rate_per_min``; ``phase`` the pacer's if known."""

    rate_per_min: float
    beat_t_s: np.ndarray
    rr_ms: np.ndarray
    start_s: float
    end_s: float
    phase: PhaseFn | None = None
    inhale_share: float = 0.4


@dataclass(frozen=True, slots=True)
class ResonanceCriteria:
    rate_per_min: float
    phase_deg: float | None
    peak_trough_bpm: float
    lf_ms2: float
    lf_peak_ms2_per_hz: float
    smoothness: float
    lf_peaks: int

    def value(self, name: str) -> float | None:
        v = getattr(self, name)
        return None if v is None else float(v)


@dataclass(frozen=True, slots=True)
class ResonanceRow:
    """One rate: its criteria, their ranks among all rates, the weighted mean rank of the
    ranked criteria (``score``, lower is better) and whether it passed the phase gate
    (``in_phase``; None without the pacer's phase, when every rate is eligible)."""

    criteria: ResonanceCriteria
    ranks: dict[str, float]
    score: float
    in_phase: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        c = self.criteria
        return {
            "rate_per_min": c.rate_per_min,
            **{k: c.value(k) for k in CRITERIA},
            "ranks": dict(self.ranks),
            "score": self.score,
            "in_phase": self.in_phase,
        }


@dataclass(frozen=True, slots=True)
class ResonanceResult:
    rows: tuple[ResonanceRow, ...]
    chosen_rate_per_min: float
    criteria_used: tuple[str, ...]
    weights: dict[str, float] = field(default_factory=dict)
    phase_tolerance_deg: float | None = None
    """The phase gate's tolerance; None when the phase was not known."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [r.as_dict() for r in self.rows],
            "chosen_rate_per_min": self.chosen_rate_per_min,
            "criteria_used": list(self.criteria_used),
            "weights": dict(self.weights),
            "phase_tolerance_deg": self.phase_tolerance_deg,
        }


def _tachogram(step: ResonanceStep, settle_s: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(step.beat_t_s, dtype=float)
    rr = np.asarray(step.rr_ms, dtype=float)
    keep = (t >= step.start_s + settle_s) & (t <= step.end_s)
    t, rr = t[keep], rr[keep]
    if t.size < 10:
        raise HrvInputError(f"only {t.size} beats in the {step.rate_per_min:g}/min step")
    grid = np.arange(t[0], t[-1], 1.0 / FS_HZ)
    return grid, np.interp(grid, t, rr)


def step_criteria(step: ResonanceStep, settle_s: float = DEFAULT_SETTLE_S) -> ResonanceCriteria:
    """The six criteria of one step (see the module docstring for definitions and units)."""
    grid, rr = _tachogram(step, settle_s)
    hr = 60_000.0 / rr
    x = rr - np.polyval(np.polyfit(grid - grid.mean(), rr, 1), grid - grid.mean())
    w = np.hanning(x.size)
    spec = np.abs(np.fft.rfft(x * w, n=max(NFFT, x.size))) ** 2
    psd = 2.0 * spec / (FS_HZ * np.sum(w**2))
    f = np.fft.rfftfreq(max(NFFT, x.size), 1.0 / FS_HZ)
    lf = (f >= LF_BAND_HZ[0]) & (f < LF_BAND_HZ[1])
    df = f[1] - f[0]
    lf_psd = psd[lf]
    lf_power = float(np.sum(lf_psd) * df)
    peak = float(lf_psd.max())
    inner = lf_psd[1:-1]
    is_peak = (inner > lf_psd[:-2]) & (inner >= lf_psd[2:]) & (inner >= LF_PEAK_FLOOR * peak)
    f_hz = step.rate_per_min / 60.0
    hr_d = hr - np.polyval(np.polyfit(grid - grid.mean(), hr, 1), grid - grid.mean())
    phase_deg = None
    if step.phase is not None:
        ref = pacer_signal(step.phase(grid), step.inhale_share)
        phase_deg = abs(cross_at(grid, hr_d, ref, f_hz)[1])
        cycles = np.floor(step.phase(grid))
    else:
        cycles = np.floor((grid - step.start_s) * f_hz)
    per_cycle = 0.9 * FS_HZ / f_hz  # samples of a whole breath, 10 % slack
    swings = [float(np.ptp(hr[cycles == c])) for c in np.unique(cycles) if np.count_nonzero(cycles == c) >= per_cycle]
    if not swings:
        raise HrvInputError(f"no whole breath in the {step.rate_per_min:g}/min step")
    return ResonanceCriteria(
        step.rate_per_min,
        phase_deg,
        float(np.mean(swings)),
        lf_power,
        peak,
        sinusoid_share(grid, hr_d, f_hz),
        int(np.count_nonzero(is_peak)),
    )


def _ranks(values: list[float], lower_is_better: bool) -> list[float]:
    v = np.asarray(values, dtype=float)
    key = v if lower_is_better else -v
    order = np.argsort(key, kind="stable")
    ranks = np.empty(v.size)
    ranks[order] = np.arange(1, v.size + 1, dtype=float)
    for u in np.unique(key):  # ties share the mean rank
        same = key == u
        ranks[same] = ranks[same].mean()
    return [float(r) for r in ranks]


def score_resonance(steps: Sequence[ResonanceStep], settle_s: float = DEFAULT_SETTLE_S) -> ResonanceResult:
    """Score each step and choose the resonance rate (phase gate, then weighted mean rank of the
    other criteria; see the module docstring)."""
    if not steps:
        raise HrvInputError("no resonance steps to score")
    crit = [step_criteria(s, settle_s) for s in steps]
    used: list[str] = []
    weights: dict[str, float] = {}
    per_rate: list[dict[str, float]] = [{} for _ in crit]
    for name in CRITERIA:
        vals = [c.value(name) for c in crit]
        if any(v is None for v in vals):
            continue
        used.append(name)
        for i, r in enumerate(_ranks([float(v) for v in vals if v is not None], name in LOWER_IS_BETTER)):
            per_rate[i][name] = r
    for name, wgt in zip(RANKED, WEIGHTS, strict=True):
        if name in used:
            weights[name] = wgt
    total_w = sum(weights.values())
    phases = [c.phase_deg for c in crit]
    gate: list[bool | None]
    if all(p is not None for p in phases):
        best_phase = min(float(p) for p in phases if p is not None)
        gate = [float(p) <= best_phase + PHASE_TOLERANCE_DEG for p in phases if p is not None]
    else:
        gate = [None] * len(crit)
    rows = tuple(
        ResonanceRow(c, per_rate[i], sum(w * per_rate[i][k] for k, w in weights.items()) / total_w, gate[i])
        for i, c in enumerate(crit)
    )
    best = min((r for r in rows if r.in_phase is not False), key=lambda r: (r.score, -r.criteria.lf_ms2))
    tolerance = PHASE_TOLERANCE_DEG if "phase_deg" in used else None
    return ResonanceResult(rows, best.criteria.rate_per_min, tuple(used), weights, tolerance)
