"""The personal baseline the arousal index is measured against: calibration, rolling update,
population fallback.

A :class:`Baseline` holds a robust centre and spread of the 60 s window figures at rest:
``HR`` (bpm, the window's mean heart rate) and ``ln HRV_RMSSD`` (natural log of RMSSD in ms).
Centre = median, spread = 1.4826 * MAD (median absolute deviation; the factor makes it equal
the standard deviation for normally distributed values), of the window values sampled every
``sample_every_s`` (default 5 s) over the calibration span. Medians and MADs ignore a few bad
windows, which means and SDs do not.

The spread the band is built on (the estimator). A short calibration sees a few minutes of
stillness: its 60 s windows sampled every 5 s overlap by 92 %, so three minutes hold about three
independent windows, and their MAD measures minute-to-minute noise, not how far a person's calm
figures move over a working day (posture, speech, digestion, the level drifting). The band must
hold through the day, so the spread is a pooled (conjugate, scaled-inverse-chi-squared) estimate
that shrinks the person's own spread toward a *within-person prior*::

    spread^2 = (nu0 * prior^2 + nu * own^2) / (nu0 + nu)        nu = span / 60 s

``nu`` counts the independent 60 s windows of the span (the autocorrelation correction: one per
minute, whatever the sampling cadence), ``nu0`` (:data:`PRIOR_WEIGHT_WINDOWS`, 30) is the prior's
weight in the same units: half an hour of calm wear. The prior (:data:`PRIOR_HR_SPREAD_BPM` 3.9 bpm,
:data:`PRIOR_LN_RMSSD_SPREAD` 0.29) is measured on real long recordings
(``benchmarks/score_real.py --prior``; nine 12-23 h Holter days of healthy people, PhysioNet
*RR interval time series from healthy subjects*): for each hour of a person's calmer half of
hours, the centre of its first 4 minutes of windows, then the deviation of every later
independent 60 s window of that hour from that centre; 1.4826 * MAD of those deviations per
person; the median over people. So it already holds the error of a short calibration's centre.
A 4-minute calibration (nu = 3) gets 9 % weight; the rolling rule (:func:`rolling_update`),
whose day spread is measured over a whole session's calm windows (the right quantity), makes the
spread personal over the following days. The floors (:data:`HR_SPREAD_FLOOR_BPM`,
:data:`LN_RMSSD_SPREAD_FLOOR`) remain as absolute minima and no longer bind in practice.

The centre is the person's own median, never shrunk toward the population: the between-person
spread of resting HR (6.3 bpm) is wider than a minute's error of one person's resting median, and
shrinking it makes a person with an unusual resting heart rate read outside at rest.

Provisional baseline (:data:`PROVISIONAL_LEARN_S`). Without a calibration or a stored baseline
the window starts from the person's own first minute of still wear (:class:`Calibration` with
``source="provisional"``: one minute of usable 60 s windows, so about two minutes after the
strap is on; windows while moving or during paced breathing are not used), with the pooled
spread above (there, ``nu = 1``: the prior decides). It is labelled ``provisional`` until a
calibration replaces it or :data:`CONFIRM_WINDOWS` calm window samples (30 minutes of calm wear,
pooled by :func:`rolling_update`) confirm it (``source`` then ``rolling``). Population values
(:data:`POPULATION_BASELINE`) are no longer a default: they remain for ``--baseline population``
comparisons and as what the README's *before* figures were measured with.

Calibration (:class:`Calibration`) is a streaming accumulator fed per beat with the values the
engine already has; :func:`calibrate` runs the same accumulator over arrays (``--baseline
START:END``). Its rules: at least 180 s of samples (counted from the first usable window: a 60 s
window needs 60 s of beats before it gives a number, so the user sits about 4 minutes), at
least 80 % of the sampled windows usable, and on average at most 5 % corrected beats;
otherwise :class:`CalibrationRefused` with the reason in words.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from .. import HrvInputError

MAD_TO_SD: Final = 1.4826
"""1 / Phi^-1(3/4): scales a MAD to the standard deviation of normal data."""
HR_SPREAD_FLOOR_BPM: Final = 2.0
"""Smallest HR spread (bpm) a baseline may have (heuristic; see the module docstring)."""
LN_RMSSD_SPREAD_FLOOR: Final = 0.15
"""Smallest ln-RMSSD spread (dimensionless, ~15 % in RMSSD; heuristic)."""
CALIBRATION_MIN_S: Final = 180.0
"""Shortest calibration span (s): DESIGN asks for at least 3 minutes of seated rest."""
CALIBRATION_SAMPLE_EVERY_S: Final = 5.0
"""Cadence (s of beat time) at which the 60 s window values are sampled."""
CALIBRATION_MIN_USABLE: Final = 0.8
"""Smallest share of sampled windows that must give numbers."""
CALIBRATION_MAX_CORRECTED: Final = 0.10
"""Largest mean share of corrected beats in the sampled windows. 5 % refused three of ten real
ambulatory hours (a few ectopic beats); the engine already withholds any window with more than
20 % corrected beats, so 10 % keeps a calibration honest without refusing ordinary hearts."""
INDEPENDENT_WINDOW_S: Final = 60.0
"""Span (s) counted as one independent window by the pooled spread (the 60 s window's length)."""
PRIOR_HR_SPREAD_BPM: Final = 3.9
"""Within-person prior of the HR spread (bpm): a calm hour's 60 s windows around a 4-minute
centre, median of nine real Holter days (``benchmarks/score_real.py --prior``)."""
PRIOR_LN_RMSSD_SPREAD: Final = 0.29
"""Within-person prior of the ln-RMSSD spread (same measurement as the HR prior)."""
PRIOR_WEIGHT_WINDOWS: Final = 30.0
"""Weight of the within-person prior, in independent 60 s windows (half an hour of calm wear)."""
PROVISIONAL_LEARN_S: Final = 55.0
"""Span of usable window samples a provisional baseline learns from: twelve samples 5 s apart,
one minute of 60 s windows (about two minutes after the strap is on)."""
CONFIRM_WINDOWS: Final = 360
"""Calm window samples (5 s apart: 30 minutes of calm wear) that confirm a provisional baseline."""

BaselineSource = Literal["calibration", "rolling", "population", "range", "provisional"]

# Nunan, Sandercock & Brodie (2010), Pacing Clin Electrophysiol 33:1407-1417, normal short-term
# (5-minute, supine/seated rest) values pooled over 44 studies of healthy adults: mean RR
# 926 +/- 90 ms, RMSSD 42 +/- 15 ms (mean +/- SD between people). Quoted from the paper's
# summary table as recalled here; the search tool confirmed the paper, not these digits.
NUNAN_MEAN_RR_MS: Final = 926.0
NUNAN_MEAN_RR_SD_MS: Final = 90.0
NUNAN_RMSSD_MS: Final = 42.0
NUNAN_RMSSD_SD_MS: Final = 15.0


class CalibrationRefusal(enum.StrEnum):
    TOO_SHORT = "too_short"
    TOO_FEW_USABLE = "too_few_usable"
    TOO_MANY_CORRECTED = "too_many_corrected"
    NO_SIGNAL = "no_signal"


class CalibrationRefused(HrvInputError):
    """The calibration span cannot give a baseline.

    Attributes
    ----------
    reason : str
        Why, in words (what to do about it included).
    code : CalibrationRefusal
        The rule that failed.
    elapsed_s, usable_share, corrected_share
        The span's figures (s; shares 0-1, None when nothing was sampled).
    """

    def __init__(
        self,
        reason: str,
        *,
        code: CalibrationRefusal,
        elapsed_s: float,
        usable_share: float | None,
        corrected_share: float | None,
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.elapsed_s = elapsed_s
        self.usable_share = usable_share
        self.corrected_share = corrected_share


@dataclass(frozen=True, slots=True)
class Baseline:
    """Robust centre and spread of resting 60 s window figures.

    ``hr_center_bpm`` / ``hr_spread_bpm``: median and 1.4826 * MAD of 60 s mean HR (bpm).
    ``ln_rmssd_center`` / ``ln_rmssd_spread``: the same of ln(RMSSD / 1 ms); None when
    ``hr_only`` (no RR intervals, HR from the strap's notifications only). ``n_windows``: how
    many sampled windows went into it (0 for the population baseline).
    """

    hr_center_bpm: float
    hr_spread_bpm: float
    ln_rmssd_center: float | None
    ln_rmssd_spread: float | None
    source: BaselineSource
    n_windows: int
    hr_only: bool = False

    @property
    def rmssd_center_ms(self) -> float | None:
        return None if self.ln_rmssd_center is None else math.exp(self.ln_rmssd_center)

    def as_dict(self) -> dict[str, Any]:
        return {
            "hr_center_bpm": self.hr_center_bpm,
            "hr_spread_bpm": self.hr_spread_bpm,
            "ln_rmssd_center": self.ln_rmssd_center,
            "ln_rmssd_spread": self.ln_rmssd_spread,
            "rmssd_center_ms": self.rmssd_center_ms,
            "source": self.source,
            "n_windows": self.n_windows,
            "hr_only": self.hr_only,
        }


def _population() -> Baseline:
    """Nunan et al. (2010) mapped to this baseline's units.

    HR = 60000 / mean RR, spread by the delta method (HR * SD_RR / RR). ln RMSSD: the mean and
    SD of a log-normal with Nunan's mean and SD (sigma^2 = ln(1 + CV^2), mu = ln(mean) -
    sigma^2 / 2). Nunan's values are 5-minute figures; they are used as they are for 60 s
    windows because 60 s RMSSD and mean HR estimate the same quantities (60 s RMSSD agrees
    closely with 5-minute RMSSD, Munoz et al. 2015, PLoS One 10:e0138921), only more noisily.
    The spreads are between people, wider than one person's: against this baseline the index
    moves less, so the window is conservative. Use it only until a calibration exists.
    """
    hr = 60_000.0 / NUNAN_MEAN_RR_MS
    hr_sd = hr * NUNAN_MEAN_RR_SD_MS / NUNAN_MEAN_RR_MS
    sigma = math.sqrt(math.log1p((NUNAN_RMSSD_SD_MS / NUNAN_RMSSD_MS) ** 2))
    mu = math.log(NUNAN_RMSSD_MS) - sigma**2 / 2
    return Baseline(hr, hr_sd, mu, sigma, "population", 0)


POPULATION_BASELINE: Final = _population()
"""Population fallback from Nunan et al. (2010): HR 64.8 +/- 6.3 bpm, ln RMSSD 3.67 +/- 0.35."""


def robust_center_spread(values: npt.ArrayLike, floor: float) -> tuple[float, float]:
    """Median and max(1.4826 * MAD, ``floor``) of finite ``values``."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise HrvInputError("no finite values for a centre and spread")
    center = float(np.median(x))
    spread = MAD_TO_SD * float(np.median(np.abs(x - center)))
    return center, max(spread, floor)


def pooled_spread(own: float, span_s: float, prior: float, floor: float, weight: float = PRIOR_WEIGHT_WINDOWS) -> float:
    """The spread a band is built on: ``own`` (1.4826 * MAD over ``span_s`` seconds of window
    samples) pooled with the within-person ``prior`` (see the module docstring), floored.

    ``sqrt((weight * prior^2 + nu * own^2) / (weight + nu))`` with ``nu = max(span_s / 60 s, 1)``
    independent windows."""
    nu = max(span_s / INDEPENDENT_WINDOW_S, 1.0)
    return max(math.sqrt((weight * prior**2 + nu * own**2) / (weight + nu)), floor)


@dataclass(frozen=True, slots=True)
class CalibrationProgress:
    """``elapsed_s`` of ``required_s`` sampled so far; ``usable_share`` of the sampled windows
    that gave numbers (None before the first); ``warmup`` True while no window has been usable
    yet (the first 60 s window fills)."""

    elapsed_s: float
    required_s: float
    usable_share: float | None
    corrected_share: float | None
    warmup: bool

    @property
    def done(self) -> bool:
        return self.elapsed_s >= self.required_s

    def as_dict(self) -> dict[str, Any]:
        return {
            "elapsed_s": self.elapsed_s,
            "required_s": self.required_s,
            "usable_share": self.usable_share,
            "corrected_share": self.corrected_share,
            "warmup": self.warmup,
            "done": self.done,
        }


class Calibration:
    """Streaming calibration: feed every beat's 60 s window values, then :meth:`finish`.

    Samples the values at the first beat at or after each ``sample_every_s`` step of beat time.
    ``hr_only``: calibrate HR alone (a strap without RR intervals). Not thread-safe.
    """

    def __init__(
        self,
        *,
        required_s: float = CALIBRATION_MIN_S,
        sample_every_s: float = CALIBRATION_SAMPLE_EVERY_S,
        min_usable_share: float = CALIBRATION_MIN_USABLE,
        max_corrected_share: float = CALIBRATION_MAX_CORRECTED,
        hr_only: bool = False,
        source: BaselineSource = "calibration",
    ) -> None:
        self.required_s = required_s
        self.sample_every_s = sample_every_s
        self.min_usable_share = min_usable_share
        self.max_corrected_share = max_corrected_share
        self.hr_only = hr_only
        self.source: BaselineSource = source
        self._next_t: float | None = None
        self._first_usable_t: float | None = None
        self._last_t: float | None = None
        self._n_sampled = 0
        self._hr: list[float] = []
        self._ln_rmssd: list[float] = []
        self._corrected: list[float] = []

    def add(self, t_s: float, hr_bpm: float | None, rmssd_ms: float | None, corrected_share: float | None) -> None:
        """One beat's 60 s window figures (None when the window gave no number)."""
        if self._next_t is None:
            self._next_t = t_s
        if t_s < self._next_t:
            return
        self._next_t += self.sample_every_s * (math.floor((t_s - self._next_t) / self.sample_every_s) + 1)
        usable = hr_bpm is not None and math.isfinite(hr_bpm) and hr_bpm > 0
        if not self.hr_only:
            usable = usable and rmssd_ms is not None and math.isfinite(rmssd_ms) and rmssd_ms > 0
        if self._first_usable_t is None:
            if not usable:
                return  # warm-up: the first window is still filling
            self._first_usable_t = t_s
        self._last_t = t_s
        self._n_sampled += 1
        if usable:
            assert hr_bpm is not None
            self._hr.append(hr_bpm)
            if not self.hr_only:
                assert rmssd_ms is not None
                self._ln_rmssd.append(math.log(rmssd_ms))
            if corrected_share is not None:
                self._corrected.append(corrected_share)

    def progress(self) -> CalibrationProgress:
        elapsed = 0.0 if self._first_usable_t is None or self._last_t is None else self._last_t - self._first_usable_t
        usable = len(self._hr) / self._n_sampled if self._n_sampled else None
        corrected = float(np.mean(self._corrected)) if self._corrected else None
        return CalibrationProgress(elapsed, self.required_s, usable, corrected, self._first_usable_t is None)

    def finish(self) -> Baseline:
        """The baseline, or :class:`CalibrationRefused` saying which rule failed."""
        p = self.progress()

        def refuse(code: CalibrationRefusal, why: str) -> CalibrationRefused:
            return CalibrationRefused(
                why, code=code, elapsed_s=p.elapsed_s, usable_share=p.usable_share, corrected_share=p.corrected_share
            )

        if p.warmup:
            raise refuse(
                CalibrationRefusal.NO_SIGNAL,
                "no usable 60 s window yet: check the strap's contact and sit still for at least 4 minutes",
            )
        if p.elapsed_s < self.required_s:
            raise refuse(
                CalibrationRefusal.TOO_SHORT,
                f"only {p.elapsed_s:.0f} s of usable signal, need {self.required_s:.0f} s of seated rest",
            )
        assert p.usable_share is not None
        if p.usable_share < self.min_usable_share:
            raise refuse(
                CalibrationRefusal.TOO_FEW_USABLE,
                f"only {p.usable_share:.0%} of the windows were usable "
                f"(need {self.min_usable_share:.0%}): contact was lost or too many beats were artifacts",
            )
        if p.corrected_share is not None and p.corrected_share > self.max_corrected_share:
            raise refuse(
                CalibrationRefusal.TOO_MANY_CORRECTED,
                f"{p.corrected_share:.1%} of the beats were corrected "
                f"(limit {self.max_corrected_share:.0%}): moisten the strap's electrodes and sit still",
            )
        span = p.elapsed_s
        hr_c, hr_own = robust_center_spread(self._hr, 0.0)
        hr_s = pooled_spread(hr_own, span, PRIOR_HR_SPREAD_BPM, HR_SPREAD_FLOOR_BPM)
        if self.hr_only:
            return Baseline(hr_c, hr_s, None, None, self.source, len(self._hr), hr_only=True)
        ln_c, ln_own = robust_center_spread(self._ln_rmssd, 0.0)
        ln_s = pooled_spread(ln_own, span, PRIOR_LN_RMSSD_SPREAD, LN_RMSSD_SPREAD_FLOOR)
        return Baseline(hr_c, hr_s, ln_c, ln_s, self.source, len(self._hr))


def calibrate(
    t_s: npt.ArrayLike,
    hr_bpm: Sequence[float | None],
    rmssd_ms: Sequence[float | None],
    corrected_share: Sequence[float | None],
    *,
    start_s: float = -math.inf,
    end_s: float = math.inf,
    source: BaselineSource = "range",
    hr_only: bool = False,
    **options: Any,
) -> Baseline:
    """Offline calibration over the beats with ``start_s <= t < end_s``: a loop over :class:`Calibration`.

    The values are per beat, as the engine gives them (None = no number). ``options`` go to
    :class:`Calibration` (``required_s`` ...). Raises :class:`CalibrationRefused`.
    """
    cal = Calibration(source=source, hr_only=hr_only, **options)
    for t, hr, rm, cs in zip(np.asarray(t_s, dtype=float), hr_bpm, rmssd_ms, corrected_share, strict=True):
        if start_s <= t < end_s:
            cal.add(float(t), hr, rm, cs)
    return cal.finish()


@dataclass(frozen=True, slots=True)
class CalmWindow:
    """One sampled 60 s window as a candidate for the rolling baseline.

    ``since_excursion_s``: seconds since the last recovery episode returned (None: none yet);
    ``in_excursion``: an episode was running.
    """

    t_s: float
    hr_bpm: float
    rmssd_ms: float | None
    activity: bool
    breathing: bool
    in_excursion: bool
    since_excursion_s: float | None


@dataclass(frozen=True, slots=True)
class RollingRule:
    """How :func:`rolling_update` moves a baseline (one call per day or session).

    ``weight``: exponential weight of the new day (0.2: a day's median moves the centre a
    fifth of the way, an effective memory of about 5 updates). ``max_center_shift``: cap on
    the centre's move per update, in the old spread (0.5). ``max_spread_ratio``: the spread
    changes at most by this factor per update (1.25). ``min_windows``: fewer qualifying
    windows leave the baseline unchanged (36, 3 minutes at 5 s). ``quiet_after_excursion_s``:
    windows this soon after an episode returned are not calm (600 s).
    """

    weight: float = 0.2
    max_center_shift: float = 0.5
    max_spread_ratio: float = 1.25
    min_windows: int = 36
    quiet_after_excursion_s: float = 600.0
    sample_every_s: float = CALIBRATION_SAMPLE_EVERY_S
    """Cadence of the calm-window samples (s): with their count, the span they cover."""


def is_calm(w: CalmWindow, rule: RollingRule) -> bool:
    """Whether a window may teach the rolling baseline (never paced breathing, activity, excursions)."""
    if w.activity or w.breathing or w.in_excursion:
        return False
    return w.since_excursion_s is None or w.since_excursion_s >= rule.quiet_after_excursion_s


def rolling_update(baseline: Baseline, windows: Sequence[CalmWindow], rule: RollingRule | None = None) -> Baseline:
    """Move ``baseline`` towards the calm windows of a new day (an exponentially weighted update).

    Rule: keep the windows :func:`is_calm` accepts (no activity, no paced breathing, not in an
    excursion, not within ``quiet_after_excursion_s`` of one); with at least ``min_windows``,
    take their median and 1.4826 * MAD as the day's centre and spread; then::

        centre' = centre + clip(w * (day_centre - centre), +/- max_center_shift * spread)
        spread' = clip((1 - w) * spread + w * day_spread, spread / r, spread * r), floored

    Windows are deliberately *not* selected by zone ("within the band"): that would truncate
    the distribution at the band's edges and shrink the spread with every update (for a band
    of +/- 1 spread the MAD of the kept values is 0.65 of the true one), narrowing the window
    day after day. Excluding excursions and their aftermath keeps stress out instead. Returns
    the baseline unchanged when too few windows qualify; ``source`` becomes ``"rolling"``.

    A ``provisional`` baseline is pooled instead: ``centre' = centre + n / (n_old + n) * (day_centre
    - centre)`` with ``n`` calm windows, and the spread by :func:`pooled_spread` with the old spread
    as the prior; it stays ``provisional`` until :data:`CONFIRM_WINDOWS` samples, then ``rolling``.
    """
    r = rule or RollingRule()
    calm = [w for w in windows if is_calm(w, r)]
    if len(calm) < r.min_windows:
        return baseline
    provisional = baseline.source == "provisional"
    # A provisional baseline learnt from one minute is pooled with every calm window, as a running
    # estimate (weight by counts, no cap on the centre's move): the first calm hours are worth far
    # more than its minute. A confirmed one moves by the exponentially weighted step.
    weight = len(calm) / (baseline.n_windows + len(calm)) if provisional else r.weight
    calm_span_s = len(calm) * r.sample_every_s

    def step(center: float, spread: float, values: list[float], floor: float) -> tuple[float, float]:
        day_c, day_s = robust_center_spread(values, floor)
        if provisional:
            return center + weight * (day_c - center), pooled_spread(day_s, calm_span_s, spread, floor)
        cap = r.max_center_shift * spread
        new_c = center + float(np.clip(weight * (day_c - center), -cap, cap))
        new_s = float(
            np.clip((1 - weight) * spread + weight * day_s, spread / r.max_spread_ratio, spread * r.max_spread_ratio)
        )
        return new_c, max(new_s, floor)

    n_windows = baseline.n_windows + len(calm)
    source: BaselineSource = "provisional" if provisional and n_windows < CONFIRM_WINDOWS else "rolling"
    hr_c, hr_s = step(baseline.hr_center_bpm, baseline.hr_spread_bpm, [w.hr_bpm for w in calm], HR_SPREAD_FLOOR_BPM)
    out = replace(baseline, hr_center_bpm=hr_c, hr_spread_bpm=hr_s, source=source, n_windows=n_windows)
    ln = [math.log(w.rmssd_ms) for w in calm if w.rmssd_ms is not None and w.rmssd_ms > 0]
    if (
        not baseline.hr_only
        and baseline.ln_rmssd_center is not None
        and baseline.ln_rmssd_spread is not None
        and len(ln) >= r.min_windows
    ):
        ln_c, ln_s = step(baseline.ln_rmssd_center, baseline.ln_rmssd_spread, ln, LN_RMSSD_SPREAD_FLOOR)
        out = replace(out, ln_rmssd_center=ln_c, ln_rmssd_spread=ln_s)
    return out
