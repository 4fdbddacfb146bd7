"""A beat-by-beat model of the sinus rhythm: mean HR, RSA, Mayer waves, noise and stress.

The RR interval that ends at beat ``n`` is drawn at the previous beat's time ``t``::

    RR_n = mu(t) - v(t) * A(f_b) * sin(phi_r) + B * sin(phi_m) + v(t) * sigma * e_n      (ms)

``mu(t) = 60000 / HR(t)`` with ``HR(t) = hr_bpm + stress_hr_bpm * a(t)``; ``a(t)`` is the
arousal (0 at rest, 1 at the peak of a stress event) and ``v(t)`` the vagal factor (1 at
rest), which scales respiratory sinus arrhythmia and beat-to-beat noise, the vagally mediated
parts of HRV. ``v`` is chosen so that the expected RMSSD falls to ``1 - stress_rmssd_drop`` of
its resting value at arousal 1 and follows ``1 - stress_rmssd_drop * a(t)`` in between (solving
the RMSSD formula below for ``v``, with the shorter RR of the raised HR): RMSSD and HR then
both recover with the event's time constant. A vagal factor linear in arousal would not do
that, because the RSA's share of RMSSD also shrinks with the shorter RR (``sin(pi f T)``),
which stretches the apparent RMSSD recovery by about 10 %.

``phi_r`` is the respiratory phase (0 at the start of an inhalation, when RR starts to
shorten), integrated beat by beat from the current breathing rate ``f_b``, so a rate change
from the scenario or from :meth:`HeartModel.set_breathing` takes effect at the next beat
without a phase jump. ``phi_m`` is the phase of the ~0.1 Hz
baroreflex (Mayer) wave. Both phases diffuse slightly (a random walk), so their spectral lines
have a realistic small width. ``e_n`` is white Gaussian noise.

Resonance. The RSA amplitude follows the gain of a second-order resonance peaking at
``resonance_per_min`` (Vaschillo et al. 2002; Lehrer & Gevirtz 2014 put it near 6/min)::

    A(f) = A0 * g(f),   g(f) = 1 / sqrt(1 + Q^2 (f / f0 - f0 / f)^2)

so ``A0`` (``rsa_ms``, or derived as below) is the amplitude when breathing at the resonance
frequency ``f0`` and ``Q`` (``resonance_q``) sets how sharply it falls off (Q = 1.5: g = 0.30
at 15/min for f0 = 6/min; Lehrer's assessment rates 6.5 and 5.5/min get g = 0.97).

Calibration. The user gives ``rmssd_ms`` at rest; the noise ``sigma`` is derived from it. For
``RR = mu + A sin(2 pi f t) + B sin(2 pi f_m t) + e_n`` sampled at beats ``T = mu`` apart,
successive differences of a sine of amplitude A have mean square ``2 A^2 sin^2(pi f T)``, and
of white noise ``2 sigma^2``, so::

    RMSSD^2 = 2 A^2 sin^2(pi f T) + 2 B^2 sin^2(pi f_m T) + 2 sigma^2

evaluated at ``hr_bpm`` and the resting ``breathing_per_min``. A target below what RSA and
Mayer waves give alone raises :class:`ValueError` (lower ``rsa_ms``). Unless ``rsa_ms`` is
given, it is derived so that RSA makes ``rsa_share`` (default 0.7) of the resting RMSSD^2:
at rest most of RMSSD is respiratory, as in real recordings, which is also what lets slow
breathing raise RMSSD clearly (a slow sine contributes little to successive differences, so
white noise alone would mask it).

Randomness comes only from ``rng``: an int seed or a :class:`numpy.random.Generator`, from
which independent child streams are spawned for respiration, Mayer waves and beat noise. Time
is the model's own (seconds since the start), never the wall clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np

from .events import Activity, BreathingBlock, StressEvent, activity_at, arousal_at
from .params import SECONDS_PER_MINUTE, HeartParams, resonance_gain

MS_PER_MINUTE: Final = 60_000.0
MIN_RR_MS: Final = 250.0
"""Floor of a sinus RR interval (240 bpm): keeps extreme parameters physiological."""

STRESS_FORGET_TAUS: Final = 40.0
"""A stress event this many time constants after its decay starts no longer counts."""
MIN_BREATHING_PER_MIN: Final = 1.0
MAX_BREATHING_PER_MIN: Final = 60.0

RngLike = int | np.random.Generator | None

__all__ = ["HeartModel", "HeartParams", "RngLike", "StressEvent", "TrueBeat", "resonance_gain"]


def make_rng(rng: RngLike) -> np.random.Generator:
    """A Generator from a seed, a Generator (used as is) or None (fresh OS entropy)."""
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def check_breathing_rate(rate_per_min: float) -> None:
    """Raise ValueError unless the rate is within 1-60 breaths/min."""
    if not MIN_BREATHING_PER_MIN <= rate_per_min <= MAX_BREATHING_PER_MIN:
        raise ValueError(
            f"breathing rate {rate_per_min!r}/min is outside {MIN_BREATHING_PER_MIN:g}-{MAX_BREATHING_PER_MIN:g}"
        )


@dataclass(frozen=True, slots=True)
class TrueBeat:
    """One sinus beat: the interval that ends at ``t_s`` and the model state it was drawn from.

    ``arousal`` is the stress arousal only; ``activity`` the physical-activity level (0-1).
    """

    t_s: float
    rr_ms: float
    hr_bpm: float
    arousal: float
    vagal: float
    breathing_per_min: float
    activity: float = 0.0


@dataclass(slots=True)
class _BreathingChange:
    at_s: float
    per_min: float


class HeartModel:
    """Generates sinus beats one at a time; deterministic for a given ``rng`` seed.

    Parameters
    ----------
    params
        The seed-independent parameters (validated here).
    rng
        Seed or Generator; child streams for respiration, Mayer waves, noise and the VLF
        fluctuation are spawned from it, so changing one part's use of randomness does not
        shift the others.
    breathing
        Scripted ``(at_s, per_min)`` changes of the resting rate, applied when the model's
        time passes them.
    stress
        Scripted stress events (more can be added live with :meth:`add_stress`).
    activity
        Scripted bouts of physical activity.
    breathing_blocks
        Scripted paced-breathing breaks: the rate while a block lasts, the resting rate after.
    """

    def __init__(
        self,
        params: HeartParams,
        *,
        rng: RngLike = None,
        breathing: Iterable[tuple[float, float]] = (),
        stress: Iterable[StressEvent] = (),
        activity: Iterable[Activity] = (),
        breathing_blocks: Iterable[BreathingBlock] = (),
    ) -> None:
        params.validate()
        self.params = params
        self._sigma = params.noise_sd_ms
        resp_rng, mayer_rng, noise_rng, vlf_rng = make_rng(rng).spawn(4)
        self._resp_rng = resp_rng
        self._mayer_rng = mayer_rng
        self._noise_rng = noise_rng
        self._vlf_rng = vlf_rng
        self._t = 0.0
        self._rate = params.breathing_per_min
        self._phi_r = float(resp_rng.uniform(0, 2 * math.pi))
        self._phi_m = float(mayer_rng.uniform(0, 2 * math.pi))
        self._vlf = params.vlf_ms * float(vlf_rng.standard_normal())
        self._schedule = sorted((_BreathingChange(float(a), float(r)) for a, r in breathing), key=lambda c: c.at_s)
        self._stress: list[StressEvent] = sorted(stress, key=_stress_forget_s)
        self._activity: list[Activity] = sorted(activity, key=lambda a: a.forget_s)
        self._blocks: list[BreathingBlock] = sorted(breathing_blocks, key=lambda b: b.at_s)
        self._rsa_cache: dict[float, float] = {}

    @property
    def t_s(self) -> float:
        """Model time: when the last beat occurred (0 before the first)."""
        return self._t

    @property
    def breathing_rate_per_min(self) -> float:
        """The breathing rate now in force (a breathing block's, while one lasts)."""
        return self._rate_at(self._t)

    def set_breathing(self, rate_per_min: float) -> None:
        """Change the resting breathing rate from the next beat on (a pacer's command).

        The respiratory phase stays continuous. A scripted change later in the scenario still
        applies when its time comes, and a scripted breathing block still takes precedence
        while it lasts.
        """
        check_breathing_rate(rate_per_min)
        self._rate = float(rate_per_min)

    def add_stress(self, event: StressEvent) -> None:
        """Add a stress event; arousals of overlapping events add, capped at 1."""
        self._stress.append(event)
        self._stress.sort(key=_stress_forget_s)

    def arousal(self, t_s: float) -> float:
        """Arousal at ``t_s``: 0 at rest, 1 at the peak of a full stress event."""
        return arousal_at(self._stress, t_s)

    def _rate_at(self, t_s: float) -> float:
        while self._blocks and self._blocks[0].end_s <= t_s:
            self._blocks.pop(0)
        if self._blocks and self._blocks[0].covers(t_s):
            return self._blocks[0].rate_per_min
        return self._rate

    def _rsa(self, rate: float) -> float:
        rsa = self._rsa_cache.get(rate)
        if rsa is None:
            rsa = self._rsa_cache[rate] = self.params.rsa_amplitude_ms(rate)
        return rsa

    def next_beat(self) -> TrueBeat:
        """Advance to the next sinus beat and return the interval that ends there."""
        p = self.params
        t = self._t
        while self._schedule and self._schedule[0].at_s <= t:
            self._rate = self._schedule.pop(0).per_min
        rate = self._rate_at(t)
        while self._stress and t > _stress_forget_s(self._stress[0]):
            # Long past (contribution below e^-40): forget it, so a live session stays cheap.
            self._stress.pop(0)
        while self._activity and t > self._activity[0].forget_s:
            self._activity.pop(0)
        a = self.arousal(t)
        level, act_hr, act_factor = activity_at(self._activity, t)
        hr = p.hr_bpm + p.stress_hr_bpm * a + act_hr
        if a > 0.0 or level > 0.0:
            vagal = p.vagal_factor(a, rate, hr_bpm=hr, rmssd_factor=(1.0 - p.stress_rmssd_drop * a) * act_factor)
        else:
            vagal = 1.0
        mu = MS_PER_MINUTE / hr
        rr = (
            mu
            - vagal * self._rsa(rate) * math.sin(self._phi_r)
            + p.mayer_ms * math.sin(self._phi_m)
            + self._vlf
            + vagal * self._sigma * float(self._noise_rng.standard_normal())
        )
        rr = max(rr, MIN_RR_MS)
        dt = rr / 1000.0
        self._phi_r = (
            self._phi_r
            + 2 * math.pi * rate / SECONDS_PER_MINUTE * dt
            + p.respiration_phase_noise * math.sqrt(dt) * float(self._resp_rng.standard_normal())
        )
        self._phi_m = (
            self._phi_m
            + 2 * math.pi * p.mayer_hz * dt
            + p.mayer_phase_noise * math.sqrt(dt) * float(self._mayer_rng.standard_normal())
        )
        # Exact Ornstein-Uhlenbeck step over dt: stationary SD vlf_ms, correlation time vlf_tau_s.
        decay = math.exp(-dt / p.vlf_tau_s)
        self._vlf = self._vlf * decay + p.vlf_ms * math.sqrt(1.0 - decay * decay) * float(
            self._vlf_rng.standard_normal()
        )
        self._t = t + dt
        return TrueBeat(
            t_s=self._t, rr_ms=rr, hr_bpm=hr, arousal=a, vagal=vagal, breathing_per_min=rate, activity=level
        )

    def beats_until(self, t_s: float) -> list[TrueBeat]:
        """All beats up to and including the first one at or after ``t_s``."""
        out = []
        while self._t < t_s:
            out.append(self.next_beat())
        return out


def _stress_forget_s(event: StressEvent) -> float:
    return event.decay_s + STRESS_FORGET_TAUS * event.tau_s
