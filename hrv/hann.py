"""The periodic Hann window, computed as scipy computes it, shared by the Welch PSD
(:mod:`.frequency`, :mod:`.frequency_batch`) and the coherence (:mod:`.coherence`)."""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["hann_window", "hann_with_power"]


def hann_window(n: int) -> np.ndarray:
    """Periodic ("DFT-even") Hann window of ``n`` points, computed as scipy computes it."""
    if n <= 1:
        return np.ones(n)
    fac = np.linspace(-np.pi, np.pi, n + 1)
    return (0.5 + 0.5 * np.cos(fac))[:-1]


@functools.lru_cache(maxsize=64)
def hann_with_power(nperseg: int) -> tuple[np.ndarray, float]:
    """Periodic Hann window (read-only) and its sum of squares.

    Bit for bit scipy's ``get_window("hann", n)`` (``general_cosine`` with ``a = [0.5, 0.5]``
    on ``n + 1`` points, the last dropped), without importing ``scipy.signal`` (~0.3 s).
    """
    w = hann_window(nperseg)
    w.setflags(write=False)
    return w, float(w @ w)
