"""Physical activity from a trunk-worn accelerometer: moving or still, with hysteresis.

Method
------
Samples (x, y, z in mG) are grouped into epochs of ``epoch_s`` (default 5 s) of *sample* time,
counted from the first sample (so a replay, whose clock starts elsewhere, cuts the same epochs).
Per epoch, the **mean amplitude deviation** (MAD, Vähä-Ypyä et al. 2015) of the vector magnitude
``r = sqrt(x² + y² + z²)``::

    MAD = (1/n) Σ |r_i - mean(r)|          (mG; gravity drops out with the mean)

and the mean acceleration vector (gravity, when the trunk is still: its direction is the trunk's
tilt). An epoch with fewer than ``min_coverage`` of its expected samples (a gap) is left out:
it changes nothing.

State, with hysteresis and minimum durations (no flicker):

* *still* → *moving* when ``on_epochs`` consecutive epochs have MAD ≥ ``on_mg``, or at once
  when the trunk's tilt turns by ``posture_deg`` or more between two epochs (sitting down,
  standing up, lying down: ``kind = "posture"``);
* *moving* → *still* when ``off_epochs`` consecutive epochs have MAD < ``off_mg``.

The kind of a bout is named at its start from the published hip cut-points: MAD ≥ 414 mG
``vigorous`` (≈ 6 MET), ≥ 91 mG ``moderate`` (≈ 3 MET), else ``light``.

Thresholds (heuristics)
-----------------------
Published cut-points come from hip-worn sensors in adults walking and running on a track
(Vähä-Ypyä et al. 2015: 91 mG ≈ 3 MET, 414 mG ≈ 6 MET); none is published for a chest strap.
Firstbeat calls activity above about 2 MET "physical activity", below the 3-MET cut-point, so
``on_mg`` = 50 mG sits below 91 mG to catch slow walking (≈ 2-3 MET), and ``off_mg`` = 25 mG
gives the hysteresis. They were chosen on the simulated H10 of :mod:`tolerance.simulations`
(MAD in 5 s epochs: sitting and typing 1-2 mG, a posture change 50 mG in one epoch, walking
190 mG, stairs 280 mG), whose
motion model is itself a heuristic built from the same literature: they are **not validated on
real chest-strap recordings**. ``on_epochs`` = 2 (10 s) keeps a reach for the phone out;
``off_epochs`` = 6 (30 s) bridges a pause at a door. The tilt threshold of 30° is a heuristic
too (sitting upright to reclining or standing; a chest strap's axes are not aligned with the
body, so only the change of direction is used).

References
----------
Vähä-Ypyä H, Vasankari T, Husu P, Suni J, Sievänen H (2015). A universal, accurate intensity-based
classification of different physical activities using raw data of accelerometer. Clin Physiol
Funct Imaging 35(1):64-70. Vähä-Ypyä H et al. (2015). Validation of cut-points for evaluating the
intensity of physical activity with accelerometry-based mean amplitude deviation (MAD). PLoS One
10(8):e0134813. Firstbeat Technologies (2014). Stress and recovery analysis method based on 24-hour
heart rate variability (white paper).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike

from .errors import HrvInputError

MODERATE_MAD_MG: Final = 91.0
"""Vähä-Ypyä et al. 2015: MAD (mG, hip, 6 s epochs) at about 3 MET."""
VIGOROUS_MAD_MG: Final = 414.0
"""Vähä-Ypyä et al. 2015: MAD (mG, hip, 6 s epochs) at about 6 MET."""


@dataclass(frozen=True, slots=True)
class ActivityConfig:
    """The classifier's thresholds (see the module docstring: heuristics, with their reasons)."""

    epoch_s: float = 5.0
    on_mg: float = 50.0
    off_mg: float = 25.0
    on_epochs: int = 2
    off_epochs: int = 6
    posture_deg: float = 30.0
    min_coverage: float = 0.8

    def __post_init__(self) -> None:
        if not (self.epoch_s > 0 and 0 < self.off_mg <= self.on_mg and self.on_epochs >= 1 and self.off_epochs >= 1):
            raise HrvInputError("activity thresholds need epoch_s > 0, 0 < off_mg <= on_mg and epochs >= 1")


@dataclass(frozen=True, slots=True)
class ActivityEpoch:
    """One epoch: ``start_s`` .. ``start_s + epoch_s``, its MAD (mG), mean vector (mG) and samples."""

    start_s: float
    mad_mg: float
    mean_mg: tuple[float, float, float]
    n: int


@dataclass(frozen=True, slots=True)
class ActivityChange:
    """Moving started (``active``) or ended; ``t_s`` the end of the epoch that decided it,
    ``since_s`` the start of the run of epochs that led to it, ``kind`` light / moderate /
    vigorous / posture, ``mad_mg`` the MAD of the deciding epoch."""

    t_s: float
    active: bool
    kind: str
    since_s: float
    mad_mg: float


def intensity(mad_mg: float) -> str:
    """``vigorous``, ``moderate`` or ``light`` by the hip cut-points of Vähä-Ypyä et al. 2015."""
    return "vigorous" if mad_mg >= VIGOROUS_MAD_MG else "moderate" if mad_mg >= MODERATE_MAD_MG else "light"


def mean_amplitude_deviation(samples_mg: ArrayLike) -> float:
    """MAD (mG) of the vector magnitude of ``samples_mg`` (shape (n, 3), n ≥ 1)."""
    a = np.asarray(samples_mg, dtype=float)
    if a.ndim != 2 or a.shape[1] != 3 or len(a) == 0:
        raise HrvInputError(f"samples must have shape (n >= 1, 3), got {a.shape}")
    r = np.sqrt(np.einsum("ij,ij->i", a, a))
    return float(np.mean(np.abs(r - r.mean())))


class ActivityClassifier:
    """Streaming moving/still classifier (see the module docstring). Feed :meth:`add` frames in
    time order; it returns the :class:`ActivityChange` values they decide."""

    def __init__(self, config: ActivityConfig | None = None) -> None:
        self.config = config or ActivityConfig()
        self.active = False
        self.epochs: list[ActivityEpoch] = []
        """Every closed epoch (5 s each: 17,280 a day)."""
        self._index: int | None = None
        self._parts: list[np.ndarray] = []
        self._rate = 0.0
        self._run = 0
        self._run_start = 0.0
        self._run_peak = 0.0
        self._last_mean: np.ndarray | None = None
        self._origin: float | None = None

    def add(self, t_last_s: float, samples_mg: ArrayLike, sample_rate_hz: float) -> list[ActivityChange]:
        """Samples of one frame, the last at ``t_last_s`` (s), earlier ones at ``1 / sample_rate_hz``."""
        a = np.asarray(samples_mg, dtype=float).reshape(-1, 3)
        if not (sample_rate_hz > 0 and math.isfinite(t_last_s)):
            raise HrvInputError(f"need a positive sample rate and a finite time, got {sample_rate_hz}, {t_last_s}")
        self._rate = float(sample_rate_hz)
        n = len(a)
        t = t_last_s - (n - 1 - np.arange(n)) / sample_rate_hz
        if self._origin is None and n:
            self._origin = float(t[0])
        idx = np.floor((t - (self._origin or 0.0)) / self.config.epoch_s).astype(np.int64)
        out: list[ActivityChange] = []
        start = 0
        while start < n:
            k = int(idx[start])
            if self._index is None or k > self._index:
                if self._index is not None:
                    out.extend(self._close())
                self._index = k
            # Samples stamped before the open epoch (receive jitter) stay in it.
            stop = start + int(np.searchsorted(idx[start:], max(k, self._index), side="right"))
            stop = max(stop, start + 1)
            self._parts.append(a[start:stop])
            start = stop
        return out

    def flush(self) -> list[ActivityChange]:
        """Close the open epoch (end of the stream)."""
        return self._close() if self._index is not None else []

    def gap(self) -> None:
        """The stream was interrupted: drop the open epoch and forget the last tilt."""
        self._index, self._parts, self._last_mean = None, [], None

    def _close(self) -> list[ActivityChange]:
        c = self.config
        assert self._index is not None
        parts, self._parts = self._parts, []
        start_s = (self._origin or 0.0) + self._index * c.epoch_s
        samples = np.concatenate(parts) if parts else np.empty((0, 3))
        if len(samples) < c.min_coverage * c.epoch_s * self._rate:
            self._last_mean = None
            return []
        mad = mean_amplitude_deviation(samples)
        mean = samples.mean(axis=0)
        self.epochs.append(ActivityEpoch(start_s, mad, (float(mean[0]), float(mean[1]), float(mean[2])), len(samples)))
        turned = self._last_mean is not None and _angle_deg(self._last_mean, mean) >= c.posture_deg
        self._last_mean = mean
        end_s = start_s + c.epoch_s
        if not self.active:
            if turned:
                self._run = 0
                self.active = True
                return [ActivityChange(end_s, True, "posture", start_s, mad)]
            if mad >= c.on_mg:
                if self._run == 0:
                    self._run_start, self._run_peak = start_s, 0.0
                self._run += 1
                self._run_peak = max(self._run_peak, mad)
                if self._run >= c.on_epochs:
                    self._run = 0
                    self.active = True
                    return [ActivityChange(end_s, True, intensity(self._run_peak), self._run_start, mad)]
            else:
                self._run = 0
            return []
        if mad < c.off_mg and not turned:
            if self._run == 0:
                self._run_start = start_s
            self._run += 1
            if self._run >= c.off_epochs:
                self._run = 0
                self.active = False
                return [ActivityChange(end_s, False, "still", self._run_start, mad)]
        else:
            self._run = 0
        return []


def _angle_deg(u: np.ndarray, v: np.ndarray) -> float:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0.0 or nv == 0.0:
        return 0.0
    return math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(u, v)) / (nu * nv)))))
