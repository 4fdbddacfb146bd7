"""Seed-independent parameters of the heart model and the RSA resonance curve.

The formulas and the calibration are documented in :mod:`~tolerance.simulations.heart`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

SECONDS_PER_MINUTE: Final = 60.0


def resonance_gain(f_hz: float | np.ndarray, peak_hz: float, q: float) -> float | np.ndarray:
    """Gain of the RSA response at breathing frequency ``f_hz``: 1 at ``peak_hz``, less elsewhere.

    ``g(f) = 1 / sqrt(1 + q^2 (f / f0 - f0 / f)^2)``, the magnitude of a second-order band-pass
    resonance with quality factor ``q``.
    """
    f = np.asarray(f_hz, dtype=float)
    g = 1.0 / np.sqrt(1.0 + q**2 * (f / peak_hz - peak_hz / f) ** 2)
    return float(g) if g.ndim == 0 else g


def resonance_phase(f_hz: float, peak_hz: float, q: float) -> float:
    """Phase (rad) of the RSA response relative to lung volume at breathing frequency ``f_hz``.

    ``theta(f) = -atan(q (f / f0 - f0 / f))``, the phase of the same band-pass resonance as
    :func:`resonance_gain`: 0 at the resonance, where heart rate and breathing oscillate in phase
    (Vaschillo, Lehrer, Rishe & Konstantinov 2002, Appl Psychophysiol Biofeedback 27(1):1-27),
    HR leading below it and lagging above it (-72 deg at 15/min for f0 = 6/min, Q = 1.5).
    """
    return -math.atan(q * (f_hz / peak_hz - peak_hz / f_hz))


@dataclass(frozen=True, slots=True)
class HeartParams:
    """Seed-independent parameters of :class:`HeartModel`, in units a user understands.

    The defaults are calibrated to the published normal short-term HRV of healthy adults (see
    the module docstring).
    """

    hr_bpm: float = 65.0
    """Mean heart rate at rest."""
    rmssd_ms: float = 36.0
    """RMSSD at rest, breathing at ``breathing_per_min`` (sets the beat-to-beat noise)."""
    breathing_per_min: float = 15.0
    """Spontaneous breathing rate at rest."""
    rsa_ms: float | None = None
    """RSA amplitude (ms, half peak-to-peak) when breathing at the resonance frequency;
    None derives it from ``rsa_share``."""
    rsa_share: float = 0.48
    """When ``rsa_ms`` is None: the fraction of the resting RMSSD^2 that RSA accounts for."""
    resonance_per_min: float = 6.0
    """Breathing rate of maximal RSA (the resonance frequency, ~0.1 Hz)."""
    resonance_q: float = 1.5
    """Sharpness of the resonance gain curve."""
    mayer_ms: float = 38.0
    """Amplitude of the ~0.1 Hz baroreflex (Mayer) wave in RR at ``hr_bpm`` (LF power about
    mayer_ms^2 / 2); smaller in RR at a raised heart rate (:meth:`mayer_amplitude_ms`)."""
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
    mayer_phase_noise: float = 0.55
    """Diffusion of the Mayer-wave phase, rad / sqrt(s) (LF is a broad band, not a line: a
    Lorentzian of half-width ``noise^2 / (4 pi)`` Hz, 0.024 Hz). Set so that a 0.1 Hz sine
    explains as much of a 60 s window's heart rate as in real people sitting (median 0.10, GUDB;
    see the module docstring of :mod:`~tolerance.simulations.heart`)."""
    guide_lock_s: float = 5.0
    """Time constant (s) with which a person following a breathing guide pulls their breathing
    back into step with it; with ``respiration_phase_noise`` it leaves a phase error of SD
    ``respiration_phase_noise * sqrt(guide_lock_s / 2)`` (0.16 rad, 9 deg, by default)."""

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

    def mayer_amplitude_ms(self, hr_bpm: float | None = None) -> float:
        """Mayer-wave amplitude in RR (ms) at a heart rate: ``mayer_ms * (hr_bpm_rest / hr)^2``.

        The wave is an oscillation of heart rate of a fixed size (bpm), so in RR
        (``60000 / HR``) it scales with the square of the mean interval: at a raised HR it is
        smaller, as absolute LF power falls under mental stress while HR rises.
        """
        hr = self.hr_bpm if hr_bpm is None else hr_bpm
        return self.mayer_ms * (self.hr_bpm / hr) ** 2

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
        b = self.mayer_amplitude_ms(SECONDS_PER_MINUTE / rr_s)
        mayer = 2 * b**2 * math.sin(math.pi * self.mayer_hz * rr_s) ** 2
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
            "guide_lock_s",
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
