"""What a chest strap's accelerometer feels: gravity at the trunk's tilt, the heart, and movement.

A heuristic model, not a measured one, for the simulated H10 (its frames go through the real
PMD codec and the real classifier, :mod:`tolerance.hrv.activity`). Axes: x along the trunk
(vertical when upright), y left-right, z front-back; values in mG, rounded to whole mG as the
H10 reports them. Per kind of bout:

``sitting`` (between bouts)
    gravity (1000 mG) tilted back by ``tilt_deg`` (20°: sitting at a desk), the heart's
    seismocardiographic vibration along z (3 mG at the heart rate's frequency and its second
    harmonic: chest-wall SCG is of the order of 10 mG at the sternum, less through a strap's
    elastic), and sensor noise (1.5 mG per axis, Gaussian).
``typing``
    sitting plus trunk sway from the arms: three sines at 2-5 Hz, 10 mG together, in bursts.
``walking``
    upright; the step's vertical acceleration at a cadence of 1.8-2.0 Hz (about 110 steps/min),
    300 mG at the step frequency and 80 mG at its harmonic, 120 mG front-back and 60 mG sideways
    at the stride frequency. Vertical trunk acceleration in walking peaks at about 0.3-0.5 g.
``stairs``
    as walking, slower (1.5 Hz) and harder (450 and 150 mG vertical, 200 mG front-back).
posture changes
    the tilt turns to a new angle over 2 s (``postures``: (time, tilt) pairs), with the
    transition's jolt (200 mG along x, one half sine).

Movement fades in and out over 1 s at a bout's edges. Any kind other than ``stairs``, ``typing``
and ``sitting`` moves like ``walking`` (the scenario's kinds are free text).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from .events import Activity
from .heart import RngLike, make_rng

GRAVITY_MG: Final = 1000.0
SITTING_TILT_DEG: Final = 20.0
NOISE_MG: Final = 1.5
SCG_MG: Final = 3.0
FADE_S: Final = 1.0
POSTURE_TURN_S: Final = 2.0
_GAIT: Final = {  # kind: (step Hz, vertical at step, vertical at 2x step, front-back, sideways) mG
    "walking": (1.9, 300.0, 80.0, 120.0, 60.0),
    "stairs": (1.5, 450.0, 150.0, 200.0, 80.0),
}
_TYPING_MG: Final = 10.0


@dataclass(frozen=True, slots=True)
class MotionBout:
    """``kind`` (sitting, typing, walking, stairs, ...) from ``at_s`` for ``duration_s``."""

    at_s: float
    duration_s: float
    kind: str = "walking"

    @property
    def end_s(self) -> float:
        return self.at_s + self.duration_s


class MotionModel:
    """Acceleration at any sample times (see the module docstring).

    ``bouts`` of movement, ``postures`` ((time s, tilt deg) pairs: the tilt from then on),
    ``hr_hz`` the heart's frequency for the vibration, ``rng`` a seed or Generator (noise, the
    gait's cadence and phase, the typing sway)."""

    def __init__(
        self,
        bouts: Iterable[MotionBout] = (),
        rng: RngLike = None,
        *,
        postures: Iterable[tuple[float, float]] = (),
        tilt_deg: float = SITTING_TILT_DEG,
        hr_hz: float = 1.2,
    ) -> None:
        self._rng = make_rng(rng)
        self.bouts = tuple(sorted(bouts, key=lambda b: b.at_s))
        self._gait = [(self._rng.uniform(0.95, 1.05), self._rng.uniform(0, 2 * math.pi)) for _ in self.bouts]
        self._typing = self._rng.uniform(2.0, 5.0, 3), self._rng.uniform(0, 2 * math.pi, 3)
        self._postures = sorted(postures)
        self._tilt0 = tilt_deg
        self._hr_hz = hr_hz

    @classmethod
    def from_activity(cls, activity: Sequence[Activity], rng: RngLike = None) -> MotionModel:
        """A scenario's scripted activity as movement (sitting between bouts)."""
        return cls([MotionBout(a.at_s, a.duration_s, a.kind) for a in activity], rng)

    def _tilt(self, t: np.ndarray) -> np.ndarray:
        tilt = np.full(t.shape, math.radians(self._tilt0))
        previous = self._tilt0
        for at_s, deg in self._postures:
            x = np.clip((t - at_s) / POSTURE_TURN_S, 0.0, 1.0)
            step = math.radians(deg - previous) * 0.5 * (1 - np.cos(np.pi * x))
            tilt = tilt + step
            previous = deg
        return tilt

    def samples(self, t: np.ndarray) -> np.ndarray:
        """Acceleration (mG, int, shape (n, 3)) at the sample times ``t`` (s, increasing)."""
        t = np.asarray(t, dtype=float)
        n = len(t)
        tilt = self._tilt(t)
        out = np.empty((n, 3))
        out[:, 0] = GRAVITY_MG * np.cos(tilt)
        out[:, 1] = 0.0
        out[:, 2] = -GRAVITY_MG * np.sin(tilt)
        w = 2 * np.pi * self._hr_hz * t
        out[:, 2] += SCG_MG * (np.sin(w) + 0.5 * np.sin(2 * w))
        for at_s, _deg in self._postures:
            x = (t - at_s) / POSTURE_TURN_S
            out[:, 0] += np.where((x >= 0) & (x < 1), 200.0 * np.sin(np.pi * np.clip(x, 0, 1)), 0.0)
        for bout, (speed, phase) in zip(self.bouts, self._gait, strict=True):
            inside = (t > bout.at_s - FADE_S) & (t < bout.end_s + FADE_S)
            if not inside.any():
                continue
            ti = t[inside]
            fade = np.clip(np.minimum(ti - bout.at_s, bout.end_s - ti) / FADE_S + 0.5, 0.0, 1.0)
            if bout.kind == "sitting":
                continue
            if bout.kind == "typing":
                freqs, phases = self._typing
                sway = sum(np.sin(2 * np.pi * f * ti + p) for f, p in zip(freqs, phases, strict=True)) / 3
                burst = 0.5 * (1 + np.sin(2 * np.pi * 0.2 * ti + phase))
                out[inside, 1] += _TYPING_MG * 1.5 * sway * burst * fade
                out[inside, 2] += _TYPING_MG * sway * burst * fade
                continue
            f, v1, v2, ap, ml = _GAIT.get(bout.kind, _GAIT["walking"])
            ws = 2 * np.pi * f * speed * ti + phase
            # Upright while moving: the sitting tilt is undone over the fade.
            out[inside, 0] += fade * (GRAVITY_MG * (1 - np.cos(tilt[inside])) + v1 * np.sin(ws) + v2 * np.sin(2 * ws))
            out[inside, 2] += fade * (GRAVITY_MG * np.sin(tilt[inside]) + ap * np.sin(ws + 1.0))
            out[inside, 1] += fade * ml * np.sin(ws / 2)
        out += self._rng.normal(0.0, NOISE_MG, out.shape)
        return np.rint(out).astype(np.int64)
