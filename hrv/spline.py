"""Quadratic interpolating spline of an NN tachogram: one window, or thousands at once.

neurokit2's ``hrv_frequency`` resamples the NN intervals with
``scipy.interpolate.interp1d(kind="quadratic")``, which is ``make_interp_spline(x, y, k=2)``:
the quadratic B-spline with knots ``x[0]`` (three times), the midpoints of the interior
points' consecutive pairs, ``x[-1]`` (three times), through every point. This module builds
the same spline with numpy alone:

* :func:`spline_pieces` fits one window (a tridiagonal solve by the Thomas algorithm) and
  returns it as polynomial pieces; :func:`interpolate_nn` evaluates it on neurokit2's grid;
* :func:`spline_pieces_batch` fits many windows of one series in one sweep, each step of the
  elimination on a row of all windows, in exactly the operation order of
  :func:`spline_pieces`, so both give the same bits.

Why not scipy's own:

1. Start-up. Importing ``scipy.interpolate`` costs about 0.25 s (0.25-0.34 s measured here,
   numpy already imported) of every ``tolerance analyze``, whose whole run on a 24-hour file
   takes under a second.
2. Many windows. scipy fits one spline per call, or several ``y`` on one shared ``x``; it has
   no vectorised path to fit thousands of windows with their own beat times and lengths at
   once, which is what ``tolerance analyze`` does (:mod:`tolerance.hrv.frequency_batch`).
   Fitting with scipy window by window would cost about as much as the whole batched
   spectrum does (measured here on 5-minute windows: 0.10 ms against 0.12 ms per window).

Same function, tested: ``tests/hrv/test_spline.py`` compares :func:`interpolate_nn` with
``make_interp_spline(x, y, k=2)`` on real windows of 3 to 380 beats at 4 and 100 Hz to 1e-12
relative, and :func:`spline_pieces_batch` with :func:`spline_pieces` bit for bit. No
pivoting: a B-spline collocation matrix is totally positive, for which Gaussian elimination
without pivoting is stable (de Boor & Pinkus, 1977); on real windows the values equal scipy's
(LU with partial pivoting) to a few 1e-16 relative, and to ~3e-14 of the largest value on
random series whose intervals vary a hundredfold.

References
----------
* de Boor, C., & Pinkus, A. (1977). Backward error analysis for totally positive linear
  systems. Numerische Mathematik, 27(4), 485-490.
"""

from __future__ import annotations

import numpy as np

from .errors import HrvInputError

__all__ = ["interpolate_nn", "spline_pieces", "spline_pieces_batch"]


def _spline_knots(x: np.ndarray) -> np.ndarray:
    """Knots of ``scipy.interpolate.make_interp_spline(x, y, k=2)`` (its ``_not_a_knot`` for
    even k): ``x[0]`` three times, the midpoints of ``x[1:-1]``'s consecutive pairs (all
    midpoints but the first and the last), ``x[-1]`` three times; ``n + 3`` knots for
    ``n`` points."""
    m = (x[1:] + x[:-1]) / 2
    return np.concatenate([np.full(3, x[0]), m[1:-1], np.full(3, x[-1])])


def _basis(
    x: np.ndarray, tm1: np.ndarray, t0: np.ndarray, t1: np.ndarray, t2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three quadratic B-splines that are non-zero at ``x`` in the knot interval
    ``[t0, t1)`` (``tm1``, ``t2``: the knots before and after it), by de Boor-Cox's
    recursion as FITPACK's ``fpbspl`` does it. Elementwise on arrays of any shape."""
    f = 1.0 / (t1 - t0)
    a1 = f * (t1 - x)
    a2 = f * (x - t0)
    f1 = a1 / (t1 - tm1)
    f2 = a2 / (t2 - t0)
    return f1 * (t1 - x), f1 * (x - tm1) + f2 * (t2 - x), f2 * (x - t0)


def _pieces(
    tm1: np.ndarray,
    t0: np.ndarray,
    t1: np.ndarray,
    t2: np.ndarray,
    c0: np.ndarray,
    c1: np.ndarray,
    c2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The spline on the knot interval ``[t0, t1)`` as ``p0 + u (p1 + u p2)``, ``u = x - t0``,
    from its three B-spline coefficients (the expansion of :func:`_basis`). Elementwise."""
    e = t1 - tm1
    d = t1 - t0
    g = t2 - t0
    p0 = (c0 * d + c1 * (t0 - tm1)) / e
    p1 = 2.0 * (c1 - c0) / e
    p2 = ((c0 - c1) / e + (c2 - c1) / g) / d
    return p0, p1, p2


def spline_pieces(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quadratic interpolating spline through ``(x, y)`` (``n >= 3`` points, ``x`` strictly
    increasing) as ``n - 2`` polynomial pieces; returns the knots and ``p0, p1, p2``.

    The spline of ``make_interp_spline(x, y, k=2)``: same knots, same interpolation
    conditions, so the same function; the coefficients come from a tridiagonal solve (rows
    ``i`` hold ``B[i-1..i+1](x[i])``; rows 0 and ``n - 1`` are ``c = y``) by the Thomas
    algorithm in plain Python floats, in exactly the operation order of
    :func:`spline_pieces_batch`, so both give the same bits (no pivoting: module docstring).
    """
    n = x.size
    t = _spline_knots(x)
    tm1, t0, t1, t2 = t[1 : n - 1], t[2:n], t[3 : n + 1], t[4 : n + 2]
    sub, diag, sup = _basis(x[1 : n - 1], tm1, t0, t1, t2)
    c = _thomas(sub.tolist(), diag.tolist(), sup.tolist(), y.tolist())
    p0, p1, p2 = _pieces(tm1, t0, t1, t2, c[: n - 2], c[1 : n - 1], c[2:])
    return t, p0, p1, p2


def _thomas(sub: list[float], diag: list[float], sup: list[float], y: list[float]) -> np.ndarray:
    """Solve the spline system: rows ``1..n-2`` are ``(sub, diag, sup)``, rows 0 and ``n - 1``
    the identity. Forward elimination then back substitution (no pivoting)."""
    n = len(y)
    cps = [0.0] * n
    dps = [0.0] * n
    cp = 0.0  # row 0: (a, b, c) = (0, 1, 0)
    dp = dps[0] = y[0]
    for i, (a, b, c_, d) in enumerate(zip(sub, diag, sup, y[1:], strict=False), start=1):
        den = b - a * cp
        cp = c_ / den
        dp = (d - a * dp) / den
        cps[i] = cp
        dps[i] = dp
    # Row n - 1: (0, 1, 0), as the batch computes it: den = 1 - 0 * cp, and so on.
    den = 1.0 - 0.0 * cp
    dp = (y[n - 1] - 0.0 * dp) / den
    cps[n - 1] = 0.0 / den
    dps[n - 1] = dp
    out = [0.0] * n
    xi = out[n - 1] = dps[n - 1] - cps[n - 1] * 0.0
    for i in range(n - 2, -1, -1):
        xi = dps[i] - cps[i] * xi
        out[i] = xi
    return np.asarray(out)


def interpolate_nn(nn_ms: np.ndarray, t_s: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Resample NN intervals at ``rate_hz`` as neurokit2's ``intervals_process`` does.

    Parameters
    ----------
    nn_ms : ndarray
        NN intervals, ms (>= 3 values).
    t_s : ndarray
        Time of the beat ending each interval, s, strictly increasing.
    rate_hz : float
        Resampling rate, Hz.

    Returns
    -------
    x_new : ndarray
        Grid ``np.arange(t_s[0], t_s[-1] + 1/rate, 1/rate)``, s.
    y_new : ndarray
        Quadratic interpolating spline of ``nn_ms`` on the grid, held at the last value past
        the last beat, ms.

    Notes
    -----
    The spline is scipy's ``make_interp_spline(t_s, nn_ms, k=2)`` (what neurokit2's
    ``interp1d(kind="quadratic")`` builds), computed with numpy alone (why: module
    docstring): same knots and conditions, values equal to rounding (a few 1e-16 relative
    on real windows).
    """
    x = np.asarray(t_s, dtype=np.float64)
    y = np.asarray(nn_ms, dtype=np.float64)
    if x.size < 3 or x.shape != y.shape:
        raise HrvInputError("a quadratic spline needs >= 3 points, as many times as intervals")
    step = 1 / rate_hz
    x_new = np.arange(x[0], x[-1] + step, step)
    t, p0, p1, p2 = spline_pieces(x, y)
    j = np.searchsorted(t, x_new, side="right") - 3  # piece: interior knots <= x
    np.clip(j, 0, x.size - 3, out=j)
    u = x_new - t[2:-1][j]
    y_new = p0[j] + u * (p1[j] + u * p2[j])
    # interp1d(bounds_error=False, fill_value=(y[0], y[-1])): x_new never starts before t_s[0]
    y_new[x_new > x[-1]] = y[-1]
    return x_new, y_new


def spline_pieces_batch(
    x: np.ndarray, t: np.ndarray, mid: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`spline_pieces` of the windows ``(t[a:b], x[a:b])`` (each >= 3 points).

    ``x`` holds the NN intervals (ms) of the whole series, ``t`` their times (s, strictly
    increasing), ``mid`` the midpoints ``(t[1:] + t[:-1]) / 2`` (every window's interior knots
    are a slice of them), ``a``, ``b`` the index bounds of the windows (``b`` exclusive).

    Returns ``t0, p0, p1, p2``, shape ``(windows, nmax - 2)``: piece ``j`` of window ``k``
    starts at knot ``t0[k, j]``; pieces ``j >= n - 2`` of a shorter window are padding (not
    finite). Computed rows x windows, so that each step of the sweep is contiguous.
    """
    n = b - a
    nmax = int(n.max())
    w = a.size
    rows = np.arange(nmax + 3)[:, None]
    # Knots: t[a] three times, mid[a + 1 .. a + n - 3], then t[b - 1] (and in the padding).
    knots = mid[np.clip(a + rows - 2, 0, mid.size - 1)]
    knots = np.where(rows < 3, t[a], knots)
    knots = np.where(rows >= n, t[b - 1], knots)
    tm1, t0, t1, t2 = knots[1 : nmax - 1], knots[2:nmax], knots[3 : nmax + 1], knots[4 : nmax + 2]
    inner = rows[1 : nmax - 1]
    inside = inner < n - 1  # rows 1 .. n - 2 of each window
    with np.errstate(divide="ignore", invalid="ignore"):
        sub, diag, sup = _basis(t[np.minimum(a + inner, t.size - 1)], tm1, t0, t1, t2)
    # Identity rows (0, 1, 0) at 0, n - 1 and in the padding, whose right-hand side is 0.
    big_a = np.zeros((nmax, w))
    big_b = np.ones((nmax, w))
    big_c = np.zeros((nmax, w))
    np.copyto(big_a[1 : nmax - 1], sub, where=inside)
    np.copyto(big_b[1 : nmax - 1], diag, where=inside)
    np.copyto(big_c[1 : nmax - 1], sup, where=inside)
    all_rows = rows[:nmax]
    big_d = np.where(all_rows < n, x[np.minimum(a + all_rows, x.size - 1)], 0.0)
    # The sweep of _thomas, each operation on a row of all windows.
    cps = np.empty((nmax, w))
    dps = np.empty((nmax, w))
    cps[0] = 0.0  # row 0: (0, 1, 0)
    dps[0] = big_d[0]
    cp, dp = cps[0], dps[0]
    for i in range(1, nmax):
        ai = big_a[i]
        den = big_b[i] - ai * cp
        cp = cps[i] = big_c[i] / den
        dp = dps[i] = (big_d[i] - ai * dp) / den
    coef = np.empty((nmax, w))
    xi = coef[nmax - 1] = dps[nmax - 1] - cps[nmax - 1] * 0.0
    for i in range(nmax - 2, -1, -1):
        xi = coef[i] = dps[i] - cps[i] * xi
    with np.errstate(divide="ignore", invalid="ignore"):
        p0, p1, p2 = _pieces(tm1, t0, t1, t2, coef[: nmax - 2], coef[1 : nmax - 1], coef[2:])
    return t0.T.copy(), p0.T.copy(), p1.T.copy(), p2.T.copy()
