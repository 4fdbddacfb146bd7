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

MS_PER_MINUTE: Final = 60_000.0
SECONDS_PER_MINUTE: Final = 60.0
MIN_RR_MS: Final = 250.0
"""Floor of a sinus RR interval (240 bpm): keeps extreme parameters physiological."""

STRESS_FORGET_TAUS: Final = 40.0
"""A stress event this many time constants after its decay starts no longer counts."""
MIN_BREATHING_PER_MIN: Final = 1.0
MAX_BREATHING_PER_MIN: Final = 60.0

RngLike = int | np.random.Generator | None


def make_rng(rng: RngLike) -> np.random.Generator:
    """A Generator from a seed, a Generator (used as is) or None (fresh OS entropy)."""
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def check_breathing_rate(rate_per_min: float) -> None:
    """Raise ValueError unless the rate is within 1-60 breaths/min."""
    if not MIN_BREATHING_PER_MIN <= rate_per_min <= MAX_BREATHING_PER_MIN:
        raise ValueError(
            f"breathing rate {rate_per_min!r}/min is outside {MIN_BREATHING_PER_MIN:g}-{MAX_BREATHING_PER_MIN:g}"
        )


def resonance_gain(f_hz: float | np.ndarray, peak_hz: float, q: float) -> float | np.ndarray:
    """Gain of the RSA response at breathing frequency ``f_hz``: 1 at ``peak_hz``, less elsewhere.

    ``g(f) = 1 / sqrt(1 + q^2 (f / f0 - f0 / f)^2)``, the magnitude of a second-order band-pass
    resonance with quality factor ``q``.
    """
    f = np.asarray(f_hz, dtype=float)
    g = 1.0 / np.sqrt(1.0 + q**2 * (f / peak_hz - peak_hz / f) ** 2)
    return float(g) if g.ndim == 0 else g


@dataclass(frozen=True, slots=True)
class HeartParams:
    """Seed-independent parameters of :class:`HeartModel`, in units a user understands.

    The defaults are calibrated to the published normal short-term HRV of healthy adults (see
    the module docstring).
    """

    hr_bpm: float = 65.0
    """Mean heart rate at rest."""
    rmssd_ms: float = 40.0
    """RMSSD at rest, breathing at ``breathing_per_min`` (sets the beat-to-beat noise)."""
    breathing_per_min: float = 15.0
    """Spontaneous breathing rate at rest."""
    rsa_ms: float | None = None
    """RSA amplitude (ms, half peak-to-peak) when breathing at the resonance frequency;
    None derives it from ``rsa_share``."""
    rsa_share: float = 0.35
    """When ``rsa_ms`` is None: the fraction of the resting RMSSD^2 that RSA accounts for."""
    resonance_per_min: float = 6.0
    """Breathing rate of maximal RSA (the resonance frequency, ~0.1 Hz)."""
    resonance_q: float = 1.5
    """Sharpness of the resonance gain curve."""
    mayer_ms: float = 30.0
    """Amplitude of the ~0.1 Hz baroreflex (Mayer) wave in RR (LF power about mayer_ms^2 / 2)."""
    mayer_hz: float = 0.1
    vlf_ms: float = 30.0
    """Standard deviation of the slow (VLF) fluctuation of RR, an Ornstein-Uhlenbeck process."""
    vlf_tau_s: float = 30.0
    """Correlation time of the VLF fluctuation (its spectrum falls off above 1/(2 pi tau))."""
    stress_hr_bpm: float = 25.0
    """HR increase at arousal 1."""
    stress_rmssd_drop: float = 0.7
    """Fraction by which RMSSD falls at arousal 1 (vagal withdrawal of RSA and noise)."""
    respiration_phase_noise: float = 0.1
    """Diffusion of the respiratory phase, rad / sqrt(s) (irregular breathing)."""
    mayer_phase_noise: float = 0.4
    """Diffusion of the Mayer-wave phase, rad / sqrt(s) (LF is a broad band, not a line)."""

    @property
    def rsa_peak_ms(self) -> float:
        """RSA amplitude at the resonance frequency: ``rsa_ms``, or derived from ``rsa_share``.

        Derived: A(f_rest) = sqrt(rsa_share * rmssd^2 / (2 sin^2(pi f_rest T))), divided by
        the gain g(f_rest).
        """
        if self.rsa_ms is not None:
            return self.rsa_ms
        f = self.breathing_per_min / SECONDS_PER_MINUTE
        t = SECONDS_PER_MINUTE / self.hr_bpm
        a_rest = math.sqrt(self.rsa_share * self.rmssd_ms**2 / (2 * math.sin(math.pi * f * t) ** 2))
        return a_rest / float(resonance_gain(f, self.resonance_per_min / SECONDS_PER_MINUTE, self.resonance_q))

    def rsa_amplitude_ms(self, breathing_per_min: float) -> float:
        """RSA amplitude A at a breathing rate, from the resonance gain curve."""
        return self.rsa_peak_ms * float(
            resonance_gain(
                breathing_per_min / SECONDS_PER_MINUTE, self.resonance_per_min / SECONDS_PER_MINUTE, self.resonance_q
            )
        )

    def expected_rmssd_ms(
        self, breathing_per_min: float | None = None, *, hr_bpm: float | None = None, vagal: float = 1.0
    ) -> float:
        """RMSSD the model should produce (see the module docstring for the formula)."""
        rate = self.breathing_per_min if breathing_per_min is None else breathing_per_min
        hr = self.hr_bpm if hr_bpm is None else hr_bpm
        vagal_sq, other_sq = self._msd_parts(rate, SECONDS_PER_MINUTE / hr)
        return math.sqrt(vagal**2 * vagal_sq + other_sq)

    def _msd_parts(self, breathing_per_min: float, rr_s: float, rsa_ms: float | None = None) -> tuple[float, float]:
        """Mean square successive difference (ms^2): vagal part (RSA, noise), other (Mayer, VLF)."""
        f = breathing_per_min / SECONDS_PER_MINUTE
        a = self.rsa_amplitude_ms(breathing_per_min) if rsa_ms is None else rsa_ms
        vagal_sq = 2 * a**2 * math.sin(math.pi * f * rr_s) ** 2 + 2 * self.noise_sd_ms**2
        return vagal_sq, self._other_msd(rr_s)

    def _other_msd(self, rr_s: float) -> float:
        mayer = 2 * self.mayer_ms**2 * math.sin(math.pi * self.mayer_hz * rr_s) ** 2
        # An AR(1) process sampled every rr_s: E[(x_n - x_n-1)^2] = 2 var (1 - e^(-rr_s / tau)).
        vlf = 2 * self.vlf_ms**2 * (1.0 - math.exp(-rr_s / self.vlf_tau_s))
        return mayer + vlf

    def vagal_factor(
        self,
        arousal: float,
        breathing_per_min: float,
        *,
        hr_bpm: float | None = None,
        rmssd_factor: float | None = None,
    ) -> float:
        """Vagal factor that gives RMSSD = rest * rmssd_factor at HR ``hr_bpm``.

        Defaults: ``rmssd_factor = 1 - stress_rmssd_drop * arousal`` and ``hr_bpm`` the HR at
        that arousal, so ``vagal_factor(a, rate)`` is the stress response alone; activity
        passes its own combined factor and HR.
        """
        factor = 1.0 - self.stress_rmssd_drop * arousal if rmssd_factor is None else rmssd_factor
        hr = self.hr_bpm + self.stress_hr_bpm * arousal if hr_bpm is None else hr_bpm
        if factor >= 1.0 and hr == self.hr_bpm:
            return 1.0
        rsa = self.rsa_amplitude_ms(breathing_per_min)
        rest_v, rest_o = self._msd_parts(breathing_per_min, SECONDS_PER_MINUTE / self.hr_bpm, rsa)
        v_sq, o_sq = self._msd_parts(breathing_per_min, SECONDS_PER_MINUTE / hr, rsa)
        target_sq = (rest_v + rest_o) * max(0.0, factor) ** 2
        return math.sqrt(min(1.0, max(0.0, (target_sq - o_sq) / v_sq)))

    @property
    def noise_sd_ms(self) -> float:
        """Beat-to-beat noise sigma that makes the resting RMSSD equal ``rmssd_ms``."""
        return math.sqrt(self._noise_var())

    def _noise_var(self) -> float:
        f = self.breathing_per_min / SECONDS_PER_MINUTE
        t = SECONDS_PER_MINUTE / self.hr_bpm
        a = self.rsa_amplitude_ms(self.breathing_per_min)
        periodic = 2 * a**2 * math.sin(math.pi * f * t) ** 2 + self._other_msd(t)
        return (self.rmssd_ms**2 - periodic) / 2.0

    def validate(self) -> None:
        """Raise ValueError naming the first parameter out of range."""
        positive = (
            "hr_bpm",
            "rmssd_ms",
            "breathing_per_min",
            "resonance_per_min",
            "resonance_q",
            "mayer_hz",
            "vlf_tau_s",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("mayer_ms", "vlf_ms", "stress_hr_bpm", "respiration_phase_noise", "mayer_phase_noise"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if self.rsa_ms is not None and not self.rsa_ms >= 0:
            raise ValueError(f"rsa_ms must be >= 0, got {self.rsa_ms!r}")
        if not 0 <= self.rsa_share < 1:
            raise ValueError(f"rsa_share must be within 0-1 (1 excluded), got {self.rsa_share!r}")
        if not 0 <= self.stress_rmssd_drop <= 1:
            raise ValueError(f"stress_rmssd_drop must be within 0-1, got {self.stress_rmssd_drop!r}")
        if self._noise_var() < 0:
            floor = math.sqrt(self.rmssd_ms**2 - 2 * self._noise_var())
            raise ValueError(
                f"rmssd_ms={self.rmssd_ms:g} is below the {floor:.1f} ms that RSA, Mayer and VLF "
                f"waves give alone at {self.breathing_per_min:g}/min; lower rsa_ms or mayer_ms"
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
