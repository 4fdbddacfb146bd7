"""Validation of the arrays HRV functions take, shared by the time and frequency domain, the
coherence and both analysis engines: NN intervals (ms) and their times (s)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .errors import HrvInputError

__all__ = ["as_nn", "as_time"]


def as_nn(nn_ms: npt.ArrayLike) -> np.ndarray:
    """Validate NN intervals: 1-D, finite, > 0 ms; returns float64 (no copy if already so)."""
    x = np.asarray(nn_ms, dtype=np.float64)
    if x.ndim != 1:
        raise HrvInputError(f"NN intervals must be a 1-D array, got shape {x.shape}")
    if x.size and not (np.isfinite(x).all() and x.min() > 0.0):
        raise HrvInputError("NN intervals must be finite and > 0 ms")
    return x


def as_time(t_s: npt.ArrayLike | None, x: np.ndarray) -> np.ndarray:
    """Times (s) of the ends of the NN intervals ``x`` (ms): ``t_s`` validated, or cumulated.

    ``t_s`` must have ``x``'s shape and be finite and strictly increasing; None gives
    ``cumsum(x / 1000)``, neurokit2's default (``intervals_sanitize``: divide first, then
    cumulate).
    """
    if t_s is None:
        return np.cumsum(x / 1000.0)
    t = np.asarray(t_s, dtype=np.float64)
    if t.shape != x.shape:
        raise HrvInputError(f"t_s has shape {t.shape}, nn_ms has {x.shape}")
    if t.size and not (np.isfinite(t).all() and np.all(t[1:] > t[:-1])):
        raise HrvInputError("t_s must be finite and strictly increasing (seconds)")
    return t
