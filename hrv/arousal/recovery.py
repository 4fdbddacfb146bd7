"""Model-free recovery measures on an episode's curve (no fitted level, no fitted shape).

The half-recovery time is read against the baseline centre, the arousal index's own zero, so it
needs neither a model nor a fitted asymptote; see :mod:`.episodes` for how it is reported
(``half_recovery_s``, ``tau_half_s``) and what it measured on the simulated workday.
"""

from __future__ import annotations

from typing import Final

import numpy as np

HALF_SMOOTH_S: Final = 15.0
"""Width (s) of the centred moving mean the half-recovery time is read on (beat-level noise)."""


def half_recovery_time(t: np.ndarray, a: np.ndarray) -> float | None:
    """Seconds from the peak to the first fall to half the peak, on the curve's centred 15 s moving mean.

    Read on a smoothed curve because the highest raw sample overshoots by the noise and the
    first raw sample under half comes early by it, both shortening the time. None when the
    curve never falls to half, or its peak is not above the centre.
    """
    lo = np.searchsorted(t, t - HALF_SMOOTH_S / 2, side="left")
    hi = np.searchsorted(t, t + HALF_SMOOTH_S / 2, side="right")
    c = np.concatenate(([0.0], np.cumsum(a)))
    m = (c[hi] - c[lo]) / (hi - lo)
    peak = int(np.argmax(m))
    half = 0.5 * float(m[peak])
    if not half > 0:
        return None
    below = np.nonzero(m[peak:] <= half)[0]
    if below.size == 0:
        return None
    j = peak + int(below[0])
    t0, t1, a0, a1 = float(t[j - 1]), float(t[j]), float(m[j - 1]), float(m[j])
    at = t1 if a0 == a1 else t0 + (a0 - half) / (a0 - a1) * (t1 - t0)
    return at - float(t[peak])
