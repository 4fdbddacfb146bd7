"""A beat-by-beat model of the sinus rhythm: mean HR, RSA, Mayer waves, VLF, noise, stress, activity.

The RR interval that ends at beat ``n`` is drawn at the previous beat's time ``t``::

    RR_n = mu(t) - v(t) A(f_b) sin(phi_r) + B(t) sin(phi_m) + x(t) + v(t) sigma e_n      (ms)

``mu(t) = 60000 / HR(t)`` with ``HR(t) = hr_bpm + stress_hr_bpm * a(t) + sum_i hr_i l_i(t)``;
``a(t)`` is the stress arousal (0 at rest, 1 at the peak of a full stress event) and ``l_i``
the level of activity bout ``i`` (see :mod:`~tolerance.simulations.events`); ``v(t)`` is the
vagal factor (1 at rest), which scales respiratory sinus arrhythmia and beat-to-beat noise, the
vagally mediated parts of HRV. ``v`` is solved so that the expected RMSSD is
``rest * (1 - stress_rmssd_drop * a) * prod_i (1 - drop_i l_i)`` at the raised HR (from the
RMSSD formula below): RMSSD and HR then recover with the event's own time constant. Activity is
not arousal: ``a`` stays 0 while walking; only HR and vagal withdrawal follow the bout.

``phi_r`` is the respiratory phase (of RSA), integrated beat by beat from the current breathing
rate ``f_b`` (the resting rate, a pacer's via :meth:`HeartModel.set_breathing`, or a breathing
block's while it lasts), so a rate change takes effect at the next beat without a phase jump.
Lung volume is not modelled until it matters: a person following a breathing guide
(:class:`Guide`) breathes in step with it, and RSA then keeps the resonance's phase response to
that breathing, ``theta(f_b)`` (:func:`~.params.resonance_phase`): heart rate in phase with
breathing at the resonance, leading below it, lagging above it, as the phase-synchrony
criterion of a resonance-frequency assessment expects. So ``phi_r`` is pulled towards
``guide + theta(f_b) + 2 pi f_b mu`` (the last term because an interval drawn at ``t`` is
stamped at its end, ``mu`` later), the error relaxing with time constant ``guide_lock_s``
while the phase diffuses as below. Without a guide the series is exactly what it was before
guides existed.
``phi_m`` is the phase of the ~0.1 Hz baroreflex (Mayer) wave; its amplitude is a fixed
oscillation of heart rate, so in RR ``B(t) = mayer_ms * (hr_bpm / HR(t))^2``
(:meth:`~.params.HeartParams.mayer_amplitude_ms`): ``mayer_ms`` at rest, 0.53 times that at
+25 bpm. A modelling choice, not a fitted one: held fixed in RR, a 38 ms wave and the VLF
fluctuation alone would give an RMSSD of 12.7 ms at +25 bpm, above the 10.8 ms a full stress
event's 70 % drop asks of the calm worker, so the vagal factor could not reach it. Both phases
diffuse (a random walk), so their spectral lines have a realistic width (LF is a band, not a
line). The Mayer phase's diffusion (``mayer_phase_noise`` 0.55 rad/sqrt(s)) is set from real
people: the share of heart rate variance a 0.1 Hz sine explains in 60 s windows (breathing
adherence's power share) has a median 0.10 in 13 people sitting for 2 minutes (GUDB,
``tests/data/real/gudb``; person medians 0.03-0.18) and 0.10-0.12 in the calm worker; with
0.4 rad/sqrt(s) the wave was nearly a line and gave 0.21-0.23. ``x(t)`` is a slow
Ornstein-Uhlenbeck fluctuation (SD ``vlf_ms``, correlation time ``vlf_tau_s``): the VLF power that
makes a real 5-minute SDNN larger than LF + HF alone. ``e_n`` is white noise.

Resonance. The RSA amplitude follows a second-order resonance peaking at ``resonance_per_min``
(Vaschillo et al. 2002; Lehrer & Gevirtz 2014 put it near 6/min)::

    A(f) = A0 * g(f),   g(f) = 1 / sqrt(1 + Q^2 (f / f0 - f0 / f)^2)

``A0`` is the amplitude at the resonance ``f0``; ``Q`` (``resonance_q``) sets how sharply it
falls off (Q = 1.5: g = 0.30 at 15/min for f0 = 6/min; Lehrer's assessment rates 6.5 and 5.5/min
get g = 0.97).

RMSSD. For a sine of amplitude A sampled at beats ``T = mu`` apart, successive differences have
mean square ``2 A^2 sin^2(pi f T)``; white noise ``2 sigma^2``; the AR(1)-sampled VLF
fluctuation ``2 vlf^2 (1 - exp(-T / tau))``, so (``B`` at the HR of ``T``)::

    RMSSD^2 = 2 A^2 sin^2(pi f T) + 2 B^2 sin^2(pi f_m T) + 2 vlf^2 (1 - e^(-T/tau)) + 2 sigma^2

evaluated at ``hr_bpm`` and the resting rate gives ``sigma`` from the target ``rmssd_ms``
(a target below what the periodic parts give alone raises :class:`ValueError`). Unless
``rsa_ms`` is given, RSA makes ``rsa_share`` of the resting RMSSD^2.

Calibration (the bundled scenarios: 66 bpm, RMSSD 36 ms, 15/min, ``rsa_share`` 0.48, Q 1.5,
Mayer 38 ms with phase noise 0.55, VLF 30 ms / 30 s; the defaults differ only in 65 bpm). Target: the normal
short-term (5-min) HRV of healthy adults in Nunan, Sandercock & Brodie (2010), Pacing Clin
Electrophysiol 33(11):1407-1417, 44 studies, 21,438 participants, mean +/- SD: mean RR 926 +/-
90 ms, SDNN 50 +/- 16 ms, RMSSD 42 +/- 15 ms, LF 519 +/- 291 ms^2, HF 657 +/- 777 ms^2, LF/HF 2.8
+/- 2.6 (study means 1.1-11.6), LFnu 52 +/- 10, HFnu 40 +/- 10. Measured (``calm``, 8 seeds, 5 min
after 30 s, ``nk.hrv_frequency(normalize=False, interpolation_rate=4)``; range over seeds): mean
RR 904 (892-931), SDNN 43 (40-49), RMSSD 37 (35-39), LF 590 ms^2 (464-739), HF 482 ms^2
(384-541), LF/HF 1.24 (0.86-1.61; 16 seeds: mean 1.20, 0.86-1.61), LF/(LF+HF) 55 nu (46-61.7):
every figure of every seed inside mean +/- 1 SD, and the mean LF/HF inside the range of study
means (``tests/simulations/test_norms.py``). A study mean is a mean over people; single seeds
(5-minute windows of one person) spread around it, less than real people's windows do: in each of
nine healthy Holter days' calmest hour (``tests/data/real/rr_healthy``, twelve 5-minute windows,
the same method) LF/HF spans 0.42-1.89 for the narrowest person, person medians 0.79-8.56.
LF/HF cannot go much higher while LFnu stays inside 52 +/- 10 for every seed: with LFnu = LF /
(LF + HF), 62 nu is LF/HF 1.63. The review's own nu (52 against 40, a ratio of 1.3) and its mean
LF over mean HF (0.79) also point to about 1-1.6; its mean LF/HF (2.8) is a mean of ratios,
pulled up by large ones. How it got there: HF is RSA plus the share of white beat noise that
falls in 0.15-0.40 Hz, and LF is capped (LF <= 810 ms^2 for every seed), so HF had to fall. RSA
keeps its amplitude (27 ms at rest, 89 ms at the resonance: the spectral peak at the breathing
rate, the phase response and the paced-breathing response need it); the noise fell (sigma 22 ->
14 ms, so RMSSD 42 -> 36 ms, inside 27-57) and the Mayer wave grew (30 -> 38 ms) and broadened
(phase noise 0.4 -> 0.55; a broader band at the same power raises LF/HF less, and spreads it
more between seeds, than a line does). Before, LF/HF was 0.96 (0.86-1.21), below every study
mean, with RMSSD 43, LF 548 and HF 571 ms^2; a 35 ms wave with phase noise 0.4 gave 1.30
(1.18-1.57) but twice real people's share at 0.1 Hz; before the first calibration rest LF was
about 70 ms^2 (a 6 ms Mayer wave) and LF/HF about 0.1. At rest the Mayer wave now carries more
power than RSA, in a band as broad as real people's, so at 15/min the highest spectral peak may
be its 0.1 Hz one; it lines up with a 6/min guide for a moment about as rarely as in real
people (against a 6/min guide, 2 "partly" figures in 256 for 6 seeds breathing at 15/min; 13
real people sitting, 12 in 624; none "following" in either).

Paced breathing. Song & Lehrer (2003), Appl Psychophysiol Biofeedback 28(1):13-23, found HRV
amplitude higher at slower rates (3-14/min), highest at 4-6/min and lower again at 3/min;
Lehrer et al. (2003), Psychosom Med 65(5):796-805, and Vaschillo et al. (2002), Appl
Psychophysiol Biofeedback 27(1):1-27, describe the large LF oscillations at the resonance
(~0.1 Hz). We found no pooled figure for the LF ratio in the sources we could search; the model
gives LF x 8.0 at 6/min against rest (x 4.8 at 4.5/min, x 1.7 at 9/min), RMSSD x 1.28, SDNN 43 ->
77 ms (8 seeds): several-fold, the order of magnitude those studies show, where the model before
the first calibration gave x 100 (and the previous calibrations x 8.5 and x 7.4).

Randomness comes only from ``rng``: an int seed or a :class:`numpy.random.Generator`, from
which independent child streams are spawned for respiration, Mayer waves, beat noise and the
VLF fluctuation. Time is the model's own (seconds since the start), never the wall clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np

from .events import Activity, BreathingBlock, StressEvent, activity_at, arousal_at
from .params import SECONDS_PER_MINUTE, HeartParams, resonance_gain, resonance_phase

MS_PER_MINUTE: Final = 60_000.0
MIN_RR_MS: Final = 250.0
"""Floor of a sinus RR interval (240 bpm): keeps extreme parameters physiological."""

STRESS_FORGET_TAUS: Final = 40.0
"""A stress event this many time constants after its decay starts no longer counts."""
MIN_BREATHING_PER_MIN: Final = 1.0
MAX_BREATHING_PER_MIN: Final = 60.0

RngLike = int | np.random.Generator | None

__all__ = ["Guide", "HeartModel", "HeartParams", "RngLike", "StressEvent", "TrueBeat", "resonance_gain"]


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


@dataclass(frozen=True, slots=True)
class Guide:
    """A breathing guide followed in step: its cycles begin with an in-breath at ``epoch_s``
    (model seconds) and every breath after it; the in-breath takes ``inhale_share`` of a cycle."""

    epoch_s: float
    inhale_share: float = 0.5

    def __post_init__(self) -> None:
        if not (math.isfinite(self.epoch_s) and 0.0 < self.inhale_share < 1.0):
            raise ValueError(f"a guide needs a finite epoch and an in-breath share in (0, 1), got {self!r}")

    def phase(self, t_s: float, rate_per_min: float) -> float:
        """The respiratory phase (rad) in step with the guide at ``t_s``.

        The guide's lung volume (a half-cosine up over the in-breath, down over the out-breath)
        has its fundamental's crest ``(inhale_share + 0.5) / 2`` of a cycle after the in-breath
        starts, so the model's sinusoidal volume ``sin(phi_r)`` is put there.
        """
        u = (t_s - self.epoch_s) * rate_per_min / SECONDS_PER_MINUTE
        return 2.0 * math.pi * (u - (self.inhale_share + 0.5) / 2.0) + math.pi / 2.0


def _wrap(x: float) -> float:
    """An angle in [-pi, pi)."""
    return (x + math.pi) % (2.0 * math.pi) - math.pi


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
        self._rsa_cache: dict[float, tuple[float, float]] = {}
        self._guide: Guide | None = None

    @property
    def t_s(self) -> float:
        """Model time: when the last beat occurred (0 before the first)."""
        return self._t

    @property
    def breathing_rate_per_min(self) -> float:
        """The breathing rate now in force (a breathing block's, while one lasts)."""
        return self._rate_at(self._t)

    @property
    def guide(self) -> Guide | None:
        """The breathing guide followed in step, None when breathing at a rate of one's own."""
        return self._guide

    def set_breathing(self, rate_per_min: float, guide: Guide | None = None) -> None:
        """Change the resting breathing rate from the next beat on (a pacer's command).

        With a ``guide`` the person breathes in step with it (its in-breaths, not only its
        rate): the phase is pulled to the guide's within a few ``guide_lock_s``. Without one the
        respiratory phase stays continuous. A scripted change later in the scenario still
        applies when its time comes (and ends the following), and a scripted breathing block
        still takes precedence while it lasts.
        """
        check_breathing_rate(rate_per_min)
        self._rate = float(rate_per_min)
        self._guide = guide

    def add_stress(self, event: StressEvent) -> None:
        """Add a stress event; arousals of overlapping events add, capped at 1."""
        self._stress.append(event)
        self._stress.sort(key=_stress_forget_s)

    def arousal(self, t_s: float) -> float:
        """Arousal at ``t_s``: 0 at rest, 1 at the peak of a full stress event."""
        return arousal_at(self._stress, t_s)

    def _block_at(self, t_s: float) -> BreathingBlock | None:
        while self._blocks and self._blocks[0].end_s <= t_s:
            self._blocks.pop(0)
        return self._blocks[0] if self._blocks and self._blocks[0].covers(t_s) else None

    def _rate_at(self, t_s: float) -> float:
        block = self._block_at(t_s)
        return block.rate_per_min if block is not None else self._rate

    def _rsa(self, rate: float) -> tuple[float, float]:
        """(amplitude in ms, phase response in rad) of RSA at a breathing rate."""
        rsa = self._rsa_cache.get(rate)
        if rsa is None:
            p = self.params
            theta = resonance_phase(rate / SECONDS_PER_MINUTE, p.resonance_per_min / SECONDS_PER_MINUTE, p.resonance_q)
            rsa = self._rsa_cache[rate] = (p.rsa_amplitude_ms(rate), theta)
        return rsa

    def next_beat(self) -> TrueBeat:
        """Advance to the next sinus beat and return the interval that ends there."""
        p = self.params
        t = self._t
        while self._schedule and self._schedule[0].at_s <= t:
            self._rate = self._schedule.pop(0).per_min
            self._guide = None
        block = self._block_at(t)
        rate = block.rate_per_min if block is not None else self._rate
        guide = self._guide if block is None else None
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
        rsa_ms, theta = self._rsa(rate)
        omega = 2 * math.pi * rate / SECONDS_PER_MINUTE
        rr = (
            mu
            - vagal * rsa_ms * math.sin(self._phi_r)
            + p.mayer_amplitude_ms(hr) * math.sin(self._phi_m)
            + self._vlf
            + vagal * self._sigma * float(self._noise_rng.standard_normal())
        )
        rr = max(rr, MIN_RR_MS)
        dt = rr / 1000.0
        diffusion = p.respiration_phase_noise * math.sqrt(dt) * float(self._resp_rng.standard_normal())
        if guide is None:
            self._phi_r = self._phi_r + omega * dt + diffusion
        else:
            # In step with the guide: the phase error relaxes towards 0 while it diffuses.
            lead = theta + omega * mu / 1000.0
            error = _wrap(self._phi_r - guide.phase(t, rate) - lead)
            self._phi_r = guide.phase(t + dt, rate) + lead + error * math.exp(-dt / p.guide_lock_s) + diffusion
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
