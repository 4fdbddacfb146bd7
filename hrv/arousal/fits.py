"""Recovery-curve fits from the peak of an excursion: a single exponential and a logistic.

Both models are fitted by least squares with numpy only. Each is linear in its level and
amount once its shape parameters are fixed, so the fit profiles those out in closed form
(ordinary least squares on two columns) and searches only the shape parameters: one (tau) for
the exponential, two (midpoint and width) for the logistic. A dense grid followed by a
golden-section / coordinate refinement finds the global least-squares minimum on the search
range without starting values, which is what makes it robust on short noisy curves where
Gauss-Newton from a guess (scipy's ``curve_fit``) can wander off. The tests check both
against ``scipy.optimize.curve_fit`` on synthetic curves with noise.

Models (``t`` in s, ``a`` the arousal index, dimensionless z units)
--------------------------------------------------------------------
Exponential (the DESIGN's first model)::

    a(t) = a_inf + (a_peak - a_inf) * exp(-(t - t_peak) / tau)

with ``t_peak`` fixed where the decay is anchored (the episodes pass the recovery onset, see
:mod:`.episodes`): free parameters level ``a_inf``, amount ``a_peak - a_inf`` and time
constant ``tau`` (s). ``a_inf_bounds=(lo, hi)`` confines the level
(the episodes pass the window's edges, see :mod:`.episodes`): for each tau the level is the
least-squares one clipped to the bounds and the amount refitted with it, which is the exact
constrained least-squares solution for that tau (the problem is convex in the two linear
parameters).

Uncertainty of tau: ``tau_low_s .. tau_high_s`` is a 95 % profile-likelihood interval with an
autocorrelation-corrected sample count (:mod:`.intervals`); ``tau_high_s`` is None when the
curve does not say how slow the recovery is.

Logistic (second model)::

    a(t) = a_inf + amount / (1 + exp((t - t_mid) / width))

Christenfeld, Glynn & Gerin (2000, Psychophysiology 37:543-550) found that simple recovery
measures (e.g. the value some minutes after the task) had essentially no test-retest
reliability, while a fitted three-parameter logistic function of *amount, speed and level* of
recovery was reliable. This is a logistic of that kind; their exact parameterisation is not
reproduced here (not checked against the paper's text), and the midpoint is left free, so it
has four parameters: level ``a_inf``, ``amount`` (the height of the decline), speed
``1 / width`` (1/s) and ``t_mid`` (s, half recovered; ``t_mid - t_peak`` is the time to half
recovery). Why a logistic besides the exponential: it has a flat top, so it also describes a
recovery that starts after a delay (continued worry after the stressor) and the rounded top
that a 60 s moving window puts on any peak, both of which bias a pure exponential fitted from
the peak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from .. import HrvInputError
from .intervals import effective_samples, profile_interval

MIN_POINTS: Final = 5
"""Fewer samples than this after the peak give no fit."""
GRID_POINTS: Final = 96
"""Grid size per shape parameter before refinement."""
MAX_TAU_SPANS: Final = 20.0
"""Upper end of the tau search, in multiples of the curve's time span (beyond it the curve is a line)."""
_GOLDEN: Final = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True, slots=True)
class ExponentialFit:
    """Single-exponential recovery from the peak.

    ``tau_s`` time constant (s); ``a_peak`` the fitted value at ``t_peak_s`` (the anchor) and
    ``a_inf`` the level it recovers to (index units); ``r2`` coefficient of determination on
    the fitted samples; ``at_bound`` True when tau hit the end of the search range (a curve that
    does not decay, or decays within one sample), in which case tau is a bound, not an
    estimate. ``tau_low_s`` / ``tau_high_s``: the 95 % interval of the module docstring
    (``tau_high_s`` None: unbounded above); ``n_effective`` the independent samples it assumed.
    """

    t_peak_s: float
    tau_s: float
    a_peak: float
    a_inf: float
    r2: float
    n: int
    at_bound: bool
    tau_low_s: float | None = None
    tau_high_s: float | None = None
    n_effective: float | None = None

    def predict(self, t_s: npt.ArrayLike) -> np.ndarray:
        t = np.asarray(t_s, dtype=float)
        return self.a_inf + (self.a_peak - self.a_inf) * np.exp(-(t - self.t_peak_s) / self.tau_s)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": "exponential",
            "t_peak_s": self.t_peak_s,
            "tau_s": self.tau_s,
            "a_peak": self.a_peak,
            "a_inf": self.a_inf,
            "r2": self.r2,
            "n": self.n,
            "at_bound": self.at_bound,
            "tau_low_s": self.tau_low_s,
            "tau_high_s": self.tau_high_s,
            "n_effective": self.n_effective,
        }


@dataclass(frozen=True, slots=True)
class LogisticFit:
    """Logistic recovery: level ``a_inf``, ``amount``, ``t_mid_s`` (half recovered, s), ``width_s``.

    ``speed_per_s = 1 / width_s``; ``half_recovery_s = t_mid_s - t_peak_s``; ``r2`` as above.

    ``half_recovery_s`` is None (with :attr:`half_recovery_note` saying why) when the fitted
    curve is no recovery from the peak: a midpoint before the peak (the midpoint search reaches
    half a span before it, so that a curve already falling at the peak fits; issue 24 found
    negative times in about half of simulated runs) or a non-positive ``amount`` (a rising
    curve). The other parameters are the least-squares fit either way.
    """

    t_peak_s: float
    a_inf: float
    amount: float
    t_mid_s: float
    width_s: float
    r2: float
    n: int
    at_bound: bool

    @property
    def speed_per_s(self) -> float:
        return 1.0 / self.width_s

    @property
    def half_recovery_s(self) -> float | None:
        """Peak to the fitted midpoint, s; None when it is no recovery time (class docstring)."""
        return None if self.half_recovery_note else self.t_mid_s - self.t_peak_s

    @property
    def half_recovery_note(self) -> str | None:
        """Why :attr:`half_recovery_s` is None (None when it is given)."""
        if not self.amount > 0:
            return "the fitted logistic does not fall (amount <= 0): no recovery to time"
        if self.t_mid_s < self.t_peak_s:
            return (
                f"the fitted midpoint lies {self.t_peak_s - self.t_mid_s:.0f} s before the peak: "
                "the curve was already half recovered when the fit starts"
            )
        return None

    def predict(self, t_s: npt.ArrayLike) -> np.ndarray:
        t = np.asarray(t_s, dtype=float)
        return self.a_inf + self.amount * _logistic(t, self.t_mid_s, self.width_s)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": "logistic",
            "t_peak_s": self.t_peak_s,
            "a_inf": self.a_inf,
            "amount": self.amount,
            "t_mid_s": self.t_mid_s,
            "width_s": self.width_s,
            "speed_per_s": self.speed_per_s,
            "half_recovery_s": self.half_recovery_s,
            "half_recovery_note": self.half_recovery_note,
            "r2": self.r2,
            "n": self.n,
            "at_bound": self.at_bound,
        }


_GRID_BLOCK_VALUES: Final = 1 << 20
"""Grid points times samples evaluated at once by :func:`fit_logistic` (8 MB per array)."""


def _logistic(t: np.ndarray, t_mid: np.ndarray | float, width: np.ndarray | float) -> np.ndarray:
    x = np.clip((t - t_mid) / width, -60.0, 60.0)
    out: np.ndarray = 1.0 / (1.0 + np.exp(x))
    return out


def _as_curve(t_s: npt.ArrayLike, a: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(t_s, dtype=float)
    y = np.asarray(a, dtype=float)
    if t.ndim != 1 or t.shape != y.shape:
        raise HrvInputError(f"times and values must be 1-D of one length, got {t.shape} and {y.shape}")
    ok = np.isfinite(t) & np.isfinite(y)
    t, y = t[ok], y[ok]
    if t.size < MIN_POINTS:
        raise HrvInputError(f"{t.size} finite sample(s) to fit, need {MIN_POINTS}")
    if np.any(np.diff(t) <= 0):
        raise HrvInputError("times must increase strictly")
    return t, y


def _profile_sse(basis: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares of ``y = c0 + c1 * basis_g`` for each row g: (sse, c0, c1)."""
    xm = basis.mean(axis=-1, keepdims=True)
    ym = y.mean()
    xc = basis - xm
    sxx = np.einsum("...n,...n->...", xc, xc)
    sxy = xc @ (y - ym)
    syy = float(np.sum((y - ym) ** 2))
    safe = np.where(sxx > 1e-300, sxx, np.inf)
    c1 = sxy / safe
    c0 = ym - c1 * xm[..., 0]
    sse = syy - c1 * sxy
    return np.maximum(sse, 0.0), c0, c1


def _clamp_level(
    basis: np.ndarray, y: np.ndarray, fit: tuple[np.ndarray, np.ndarray, np.ndarray], lo: float, hi: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares of ``y = c0 + c1 * basis_g`` with ``lo <= c0 <= hi``, from the free fit ``(sse, c0, c1)``."""
    sse, c0, c1 = fit
    out = (c0 < lo) | (c0 > hi)
    if not np.any(out):
        return sse, c0, c1
    c0 = np.clip(c0, lo, hi)
    bb = np.einsum("...n,...n->...", basis, basis)
    r = y[None, :] - c0[:, None]
    c1 = np.where(out, np.einsum("gn,gn->g", basis, r) / np.where(bb > 1e-300, bb, np.inf), c1)
    sse = np.where(out, np.sum((r - c1[:, None] * basis) ** 2, axis=-1), sse)
    return np.maximum(sse, 0.0), c0, c1


def _r2(sse: float, y: np.ndarray) -> float:
    syy = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - sse / syy if syy > 0 else float("nan")


def fit_exponential(
    t_s: npt.ArrayLike,
    a: npt.ArrayLike,
    t_peak_s: float | None = None,
    *,
    a_inf_bounds: tuple[float, float] | None = None,
    interval: bool = True,
) -> ExponentialFit:
    """Fit ``a(t) = a_inf + (a_peak - a_inf) exp(-(t - t_peak) / tau)`` by least squares.

    Parameters
    ----------
    t_s, a
        The curve from the peak on: times (s, strictly increasing) and arousal values.
    t_peak_s
        The peak time the decay is anchored at (default: the first sample's time).
    a_inf_bounds
        ``(lo, hi)``: the level ``a_inf`` is confined to this range (default: free).
    interval
        Compute the 95 % interval of tau (False: ``tau_low_s`` etc. are None; for searches).

    Returns
    -------
    ExponentialFit
        Exact least-squares solution over tau in [0.2 * smallest step, 20 * span]: the linear
        parts are closed-form for each tau, tau is found on a log grid and refined by
        golden-section search on log tau.

    Raises
    ------
    HrvInputError
        Fewer than 5 finite samples, mismatched shapes, times not increasing, or bounds with
        ``lo > hi``.
    """
    t, y = _as_curve(t_s, a)
    if a_inf_bounds is not None and not a_inf_bounds[0] <= a_inf_bounds[1]:
        raise HrvInputError(f"a_inf bounds {a_inf_bounds} are not ordered")
    t0 = float(t[0]) if t_peak_s is None else float(t_peak_s)
    span = float(t[-1] - t0)
    lo = math.log(max(0.2 * float(np.min(np.diff(t))), 1e-3))
    hi = math.log(max(MAX_TAU_SPANS * span, math.exp(lo) * 10))

    def solve(basis: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        fit = _profile_sse(basis, y)
        return fit if a_inf_bounds is None else _clamp_level(basis, y, fit, *a_inf_bounds)

    def sse_of(log_tau: np.ndarray) -> np.ndarray:
        return solve(np.exp(-(t[None, :] - t0) / np.exp(log_tau)[:, None]))[0]

    grid = np.linspace(lo, hi, GRID_POINTS)
    sse = sse_of(grid)
    k = int(np.argmin(sse))
    a_, b_ = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    best = _golden(lambda x: float(sse_of(np.array([x]))[0]), a_, b_)
    tau = math.exp(best)
    basis = np.exp(-(t - t0) / tau)[None, :]
    s, c0, c1 = solve(basis)
    at_bound = k in (0, grid.size - 1)
    low = high = n_eff = None
    if interval:
        residuals = y - (c0[0] + c1[0] * basis[0])
        n_eff = effective_samples(t, residuals)
        low, high = profile_interval(sse_of, best, float(s[0]), n_eff, lo, hi)
    return ExponentialFit(
        t_peak_s=t0,
        tau_s=tau,
        a_peak=float(c0[0] + c1[0]),
        a_inf=float(c0[0]),
        r2=_r2(float(s[0]), y),
        n=int(t.size),
        at_bound=at_bound,
        tau_low_s=low,
        tau_high_s=high,
        n_effective=n_eff,
    )


ONSET_CANDIDATES: Final = 48
"""Candidate onsets tried by :func:`recovery_onset` (evenly spaced sample indices)."""
ONSET_SEARCH_POINTS: Final = 600
"""Samples the onset search looks at, at most (longer curves are taken at an even stride)."""
ONSET_GRID_POINTS: Final = 64
"""Log-tau grid of the onset search's exponential (no refinement: it only ranks candidates)."""


def recovery_onset(
    t_s: npt.ArrayLike, a: npt.ArrayLike, *, last: int | None = None, a_inf_bounds: tuple[float, float] | None = None
) -> int:
    """Where the decay starts, under a hold-then-exponential model of a curve from its peak on.

    The model: ``a = c`` (a hold at a constant level) before the onset ``t_i``, and
    :func:`fit_exponential` anchored at ``t_i`` from there to the end. The onset is the sample
    index ``i`` (among up to 48 evenly spaced ones in ``[0, last]``, ``last`` default the end
    minus 5 samples; searched on at most 600 samples and a 64-point tau grid) that minimises the
    two parts' summed squared residuals. For a sharp peak it
    is at or just after the peak; for a plateau (a long meeting), the plateau's end. A rule of
    this project: a fit anchored at the peak of a plateau reported tau 10-65 times too long.

    Raises
    ------
    HrvInputError
        As :func:`fit_exponential`.
    """
    t, y = _as_curve(t_s, a)
    top = t.size - MIN_POINTS
    stop = top if last is None else min(int(last), top)
    if stop <= 0:
        return 0
    # The search only ranks candidates, so it runs on at most ONSET_SEARCH_POINTS samples (an even
    # stride) with tau on a coarse log grid and no refinement: a 45-minute plateau took 0.7 s
    # with a full fit per candidate, a stall of the live loop at the episode's close.
    stride = max(1, math.ceil(t.size / ONSET_SEARCH_POINTS))
    ts, ys = t[::stride], y[::stride]
    stop_s = max(0, min(stop // stride, ts.size - MIN_POINTS))
    best_i, best_sse = 0, math.inf
    for i in np.unique(np.linspace(0, stop_s, min(ONSET_CANDIDATES, stop_s + 1)).astype(int)):
        hold = ys[:i]
        sse = float(np.sum((hold - hold.mean()) ** 2)) if i > 0 else 0.0
        sse += _grid_sse(ts[i:], ys[i:], a_inf_bounds)
        if sse < best_sse:
            best_i, best_sse = int(i), sse
    return best_i * stride


def _grid_sse(t: np.ndarray, y: np.ndarray, bounds: tuple[float, float] | None) -> float:
    """Smallest SSE of the exponential anchored at ``t[0]`` over a coarse log-tau grid."""
    span = float(t[-1] - t[0])
    lo = math.log(max(0.2 * float(np.min(np.diff(t))), 1e-3))
    hi = math.log(max(MAX_TAU_SPANS * span, math.exp(lo) * 10))
    taus = np.exp(np.linspace(lo, hi, ONSET_GRID_POINTS))
    basis = np.exp(-(t[None, :] - t[0]) / taus[:, None])
    fit = _profile_sse(basis, y)
    if bounds is not None:
        fit = _clamp_level(basis, y, fit, *bounds)
    return float(np.min(fit[0]))


def fit_logistic(t_s: npt.ArrayLike, a: npt.ArrayLike, t_peak_s: float | None = None) -> LogisticFit:
    """Fit ``a(t) = a_inf + amount / (1 + exp((t - t_mid) / width))`` by least squares.

    Parameters
    ----------
    t_s, a
        The curve from the peak on (s; index units).
    t_peak_s
        The peak's time (default: the first sample's), used for ``half_recovery_s`` and as the
        lower end of the midpoint search.

    Returns
    -------
    LogisticFit
        ``t_mid`` is searched in [t_peak - span/2, t_end + span/2] and ``width`` on a log scale
        in [0.2 * smallest step, 5 * span]; the linear parts (``a_inf``, ``amount``) are
        closed-form. A 96 x 96 grid, then alternating golden-section refinements.

    Raises
    ------
    HrvInputError
        As :func:`fit_exponential`.
    """
    t, y = _as_curve(t_s, a)
    t0 = float(t[0]) if t_peak_s is None else float(t_peak_s)
    span = float(t[-1] - t0)
    mid_lo, mid_hi = t0 - 0.5 * span, float(t[-1]) + 0.5 * span
    w_lo = math.log(max(0.2 * float(np.min(np.diff(t))), 1e-3))
    w_hi = math.log(max(5.0 * span, math.exp(w_lo) * 10))

    def sse_of(mid: np.ndarray, log_w: np.ndarray) -> np.ndarray:
        basis = _logistic(t[None, :], mid[:, None], np.exp(log_w)[:, None])
        return _profile_sse(basis, y)[0]

    mids = np.linspace(mid_lo, mid_hi, GRID_POINTS)
    widths = np.linspace(w_lo, w_hi, GRID_POINTS)
    mm, ww = np.meshgrid(mids, widths, indexing="ij")
    # The grid in blocks of rows: one 96 x 96 x n array of a long episode would be gigabytes.
    rows = max(64, (_GRID_BLOCK_VALUES // max(t.size, 1)) // 64 * 64)
    flat_m, flat_w = mm.ravel(), ww.ravel()
    sse = np.concatenate(
        [sse_of(flat_m[r : r + rows], flat_w[r : r + rows]) for r in range(0, flat_m.size, rows)]
    ).reshape(mm.shape)
    i, j = np.unravel_index(int(np.argmin(sse)), sse.shape)
    at_bound = i in (0, GRID_POINTS - 1) or j in (0, GRID_POINTS - 1)
    mid, lw = float(mids[i]), float(widths[j])
    dm, dw = mids[1] - mids[0], widths[1] - widths[0]
    for _ in range(6):
        mid = _golden(lambda x, lw=lw: float(sse_of(np.array([x]), np.array([lw]))[0]), mid - dm, mid + dm)
        lw = _golden(lambda x, mid=mid: float(sse_of(np.array([mid]), np.array([x]))[0]), lw - dw, lw + dw)
        dm, dw = dm / 2, dw / 2
    width = math.exp(lw)
    basis = _logistic(t, mid, width)[None, :]
    s, c0, c1 = _profile_sse(basis, y)
    return LogisticFit(
        t_peak_s=t0,
        a_inf=float(c0[0]),
        amount=float(c1[0]),
        t_mid_s=float(mid),
        width_s=width,
        r2=_r2(float(s[0]), y),
        n=int(t.size),
        at_bound=at_bound,
    )


def _golden(f: Any, a: float, b: float, iterations: int = 60) -> float:
    """Minimum of a unimodal ``f`` on [a, b] by golden-section search."""
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iterations):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - _GOLDEN * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + _GOLDEN * (b - a)
            fd = f(d)
        if abs(b - a) < 1e-10:
            break
    return (a + b) / 2
