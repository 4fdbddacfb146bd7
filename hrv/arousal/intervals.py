"""Uncertainty of a fitted recovery time constant: effective samples and a profile-likelihood interval.

One recovery curve pins tau only loosely: the arousal index's resting noise (about half a
baseline spread, correlated over about a minute by the 60 s window) is of the same order as the
last third of the decay. The 95 % interval is the set of taus whose profiled residual sum of
squares satisfies ``n_eff * ln(SSE(tau) / SSE_min) <= 3.84`` (chi-square, 1 degree of freedom;
the profile likelihood of a Gaussian model with the variance profiled out), where ``n_eff`` is
the number of independent samples under an AR(1) model of the residuals
(:func:`effective_samples`). A heuristic of this project, stated so that one episode's tau is
never read as more exact than it is; its coverage is measured in ``tests/hrv/arousal/test_fits.py``
(synthetic decays with the index's noise: AR(1), SD 0.5, 45 s correlation).
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np

CI_CHI2: Final = 3.841458820694124
"""The 95 % point of chi-square with one degree of freedom (profile-likelihood interval)."""
CI_GRID_POINTS: Final = 400
"""Log-tau grid on which the interval's ends are found (then refined by bisection)."""
CI_STEP_S: Final = 1.0
"""Resampling step (s) of the residuals for their autocorrelation and of the span count."""


def effective_samples(t_s: np.ndarray, residuals: np.ndarray) -> float:
    """Independent samples in a residual series: ``span * (1 - rho) / (1 + rho)`` at 1 s steps.

    ``rho`` is the lag-1 (1 s) autocorrelation of the residuals resampled linearly on a 1 s grid,
    plus the small-sample bias correction ``(1 + 4 rho) / m`` (``m`` grid points), clipped to
    [0, 0.999]; the result is at least 2 and at most the sample count.
    """
    span = float(t_s[-1] - t_s[0])
    g = np.arange(float(t_s[0]), float(t_s[-1]) + 0.5 * CI_STEP_S, CI_STEP_S)
    if g.size < 3:
        return float(max(2, t_s.size))
    r = np.interp(g, t_s, residuals)
    r = r - r.mean()
    den = float(np.dot(r, r))
    rho = float(np.dot(r[:-1], r[1:]) / den) if den > 0 else 0.0
    # The sample autocorrelation of a short series is biased low, by about (1 + 4 rho) / n
    # (Kendall 1954; Marriott & Pope 1954): near rho = 1 that would double n_eff.
    rho += (1.0 + 4.0 * rho) / g.size
    rho = min(max(rho, 0.0), 0.999)
    n_eff = (span / CI_STEP_S + 1.0) * (1.0 - rho) / (1.0 + rho)
    return float(min(max(n_eff, 2.0), t_s.size))


def profile_interval(
    sse_of: Any, best: float, sse_min: float, n_eff: float, lo: float, hi: float
) -> tuple[float | None, float | None]:
    """Ends (exp of log tau) of ``{x: n_eff ln(SSE(x) / SSE_min) <= chi2}`` on [lo, hi].

    ``sse_of`` maps an array of log taus to the profiled SSE; ``best`` is the optimum (log tau).
    The ends are found on a 400-point grid, then by bisection; the upper end is None when the
    set reaches ``hi`` (unbounded above), the lower end ``exp(lo)`` when it reaches ``lo``.
    """
    if not sse_min > 0:
        return math.exp(best), math.exp(best)
    grid = np.linspace(lo, hi, CI_GRID_POINTS)
    inside = n_eff * np.log(np.maximum(sse_of(grid), sse_min) / sse_min) <= CI_CHI2

    def inside_at(x: float) -> bool:
        return bool(n_eff * math.log(max(float(sse_of(np.array([x]))[0]), sse_min) / sse_min) <= CI_CHI2)

    def edge(a: float, b: float) -> float:
        # a inside, b outside: bisection on log tau
        for _ in range(40):
            m = 0.5 * (a + b)
            a, b = (m, b) if inside_at(m) else (a, m)
        return 0.5 * (a + b)

    below = int(np.searchsorted(grid, best)) - 1  # the grid point just below the optimum
    while below >= 0 and inside[below]:
        below -= 1
    low = lo if below < 0 else edge(best, float(grid[below]))
    above = int(np.searchsorted(grid, best, side="right"))
    while above < grid.size and inside[above]:
        above += 1
    if above >= grid.size:
        return math.exp(low), None
    high = edge(best, float(grid[above]))
    return math.exp(low), math.exp(high)
