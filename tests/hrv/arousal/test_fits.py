"""Recovery fits against scipy.optimize.curve_fit on noisy synthetic curves."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import curve_fit
from tolerance.hrv import HrvInputError
from tolerance.hrv.arousal import fit_exponential, fit_logistic, recovery_onset

T_PEAK = 100.0


def _exp(t: np.ndarray, a_inf: float, d: float, tau: float) -> np.ndarray:
    return a_inf + d * np.exp(-(t - T_PEAK) / tau)


def _logistic(t: np.ndarray, a_inf: float, amount: float, t_mid: float, width: float) -> np.ndarray:
    return a_inf + amount / (1 + np.exp((t - t_mid) / width))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("tau", [20.0, 60.0, 150.0])
def test_exponential_fit_recovers_tau_and_equals_curve_fit(seed: int, tau: float) -> None:
    rng = np.random.default_rng(seed)
    t = T_PEAK + np.arange(0.0, 300.0, 1.0)
    y = _exp(t, 0.3, 6.0, tau) + rng.normal(0, 0.3, t.size)
    fit = fit_exponential(t, y, T_PEAK)
    (a_inf, d, tau_ref), _ = curve_fit(_exp, t, y, p0=(0.0, 5.0, 50.0))
    assert fit.tau_s == pytest.approx(tau, rel=0.10)
    assert fit.tau_s == pytest.approx(tau_ref, rel=1e-5)
    assert fit.a_inf == pytest.approx(a_inf, abs=1e-5)
    assert fit.a_peak - fit.a_inf == pytest.approx(d, rel=1e-5)
    assert fit.r2 > 0.8
    assert not fit.at_bound


@pytest.mark.parametrize("seed", range(5))
def test_logistic_fit_recovers_parameters_and_equals_curve_fit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = T_PEAK + np.arange(0.0, 300.0, 1.0)
    truth = (0.2, 6.0, T_PEAK + 70.0, 15.0)
    y = _logistic(t, *truth) + rng.normal(0, 0.3, t.size)
    fit = fit_logistic(t, y, T_PEAK)
    ref, _ = curve_fit(_logistic, t, y, p0=(0.0, 5.0, T_PEAK + 50.0, 10.0))
    assert (fit.a_inf, fit.amount, fit.t_mid_s, fit.width_s) == pytest.approx(tuple(ref), rel=1e-4, abs=1e-4)
    assert fit.half_recovery_s == pytest.approx(70.0, rel=0.05)
    assert fit.half_recovery_note is None
    assert fit.width_s == pytest.approx(15.0, rel=0.15)
    assert fit.r2 > 0.9


@pytest.mark.parametrize("seed", range(3))
def test_logistic_half_recovery_is_never_negative(seed: int) -> None:
    """Issue 24: a curve already half recovered at the peak fits a midpoint before it; the
    time from the peak is then null with a note, never a negative number."""
    rng = np.random.default_rng(seed)
    t = T_PEAK + np.arange(0.0, 300.0, 1.0)
    y = _logistic(t, 0.2, 6.0, T_PEAK - 40.0, 25.0) + rng.normal(0, 0.05, t.size)
    fit = fit_logistic(t, y, T_PEAK)
    assert fit.t_mid_s < fit.t_peak_s
    assert fit.half_recovery_s is None
    assert fit.half_recovery_note is not None and "before the peak" in fit.half_recovery_note
    d = fit.as_dict()
    assert d["half_recovery_s"] is None and d["half_recovery_note"] == fit.half_recovery_note


def test_logistic_of_a_rising_curve_gives_no_half_recovery() -> None:
    t = T_PEAK + np.arange(0.0, 300.0, 1.0)
    y = _logistic(t, 6.0, -5.0, T_PEAK + 100.0, 15.0)
    fit = fit_logistic(t, y, T_PEAK)
    assert fit.amount < 0
    assert fit.half_recovery_s is None and "does not fall" in (fit.half_recovery_note or "")


def test_fits_refuse_too_few_points() -> None:
    with pytest.raises(HrvInputError):
        fit_exponential([0.0, 1.0, 2.0], [3.0, 2.0, 1.0])
    with pytest.raises(HrvInputError):
        fit_logistic([0.0, 1.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 1.0, 1.0])


def test_flat_curve_puts_tau_at_the_bound() -> None:
    t = np.arange(0.0, 100.0)
    fit = fit_exponential(t, np.linspace(5.0, 4.99, t.size), 0.0)
    assert fit.at_bound


def test_exponential_level_bounds_are_the_constrained_least_squares_solution() -> None:
    rng = np.random.default_rng(4)
    t = np.arange(0.0, 150.0, 1.0)
    y = -2.0 + 8.0 * np.exp(-t / 60.0) + rng.normal(0, 0.1, t.size)
    free = fit_exponential(t, y, 0.0)
    wide = fit_exponential(t, y, 0.0, a_inf_bounds=(-5.0, 5.0))
    assert (wide.tau_s, wide.a_inf) == pytest.approx((free.tau_s, free.a_inf))
    tight = fit_exponential(t, y, 0.0, a_inf_bounds=(-1.0, 1.0))
    assert tight.a_inf == pytest.approx(-1.0)
    (d, tau), _ = curve_fit(lambda x, d, tau: -1.0 + d * np.exp(-x / tau), t, y, p0=(8.0, 50.0))
    assert (tight.a_peak + 1.0, tight.tau_s) == pytest.approx((d, tau), rel=1e-4)
    with pytest.raises(HrvInputError):
        fit_exponential(t, y, 0.0, a_inf_bounds=(1.0, -1.0))


def _ar1(rng: np.random.Generator, n: int, sd: float, corr_s: float) -> np.ndarray:
    phi = np.exp(-1.0 / corr_s)
    e = np.empty(n)
    e[0] = rng.normal(0, sd)
    w = rng.normal(0, sd * np.sqrt(1 - phi**2), n)
    for i in range(1, n):
        e[i] = phi * e[i - 1] + w[i]
    return e


@pytest.mark.parametrize(("amount", "tau"), [(5.0, 60.0), (5.0, 120.0), (8.0, 120.0)])
def test_the_tau_interval_holds_the_true_tau_about_95_percent_of_the_time(amount: float, tau: float) -> None:
    """The arousal index's resting noise: AR(1), SD 0.5, 45 s correlation; curves to return + 60 s."""
    rng = np.random.default_rng(11)
    held, n = 0, 80
    t = np.arange(0.0, tau * np.log(amount) + 60.0, 1.0)
    for _ in range(n):
        y = amount * np.exp(-t / tau) + _ar1(rng, t.size, 0.5, 45.0)
        fit = fit_exponential(t, y, 0.0, a_inf_bounds=(-1.0, 1.0))
        assert fit.tau_low_s is not None and fit.tau_low_s <= fit.tau_s <= (fit.tau_high_s or np.inf)
        held += fit.tau_low_s <= tau <= (fit.tau_high_s or np.inf)
    assert 0.85 <= held / n <= 1.0, held


def test_the_interval_is_narrow_on_clean_data_and_open_above_on_a_flat_curve() -> None:
    t = np.arange(0.0, 400.0, 1.0)
    rng = np.random.default_rng(0)
    fit = fit_exponential(t, 5.0 * np.exp(-t / 80.0) + rng.normal(0, 0.02, t.size), 0.0)
    assert fit.tau_low_s is not None and fit.tau_high_s is not None
    assert 0.97 * 80 < fit.tau_low_s < 80 < fit.tau_high_s < 1.03 * 80
    flat = fit_exponential(t, rng.normal(0, 0.3, t.size), 0.0)
    assert flat.tau_high_s is None


def test_recovery_onset_is_the_plateau_end_or_the_peak() -> None:
    t = np.arange(0.0, 1200.0, 1.0)
    rng = np.random.default_rng(5)
    plateau = np.where(t < 600, 4.0, 4.0 * np.exp(-(t - 600) / 100.0)) + rng.normal(0, 0.3, t.size)
    i = recovery_onset(t, plateau)
    assert abs(t[i] - 600) <= 40  # 48 candidates over 1195 s: 25 s apart
    sharp = 4.0 * np.exp(-t / 100.0) + rng.normal(0, 0.3, t.size)
    assert t[recovery_onset(t, sharp)] <= 30
    assert fit_exponential(t, sharp, interval=False).tau_low_s is None
