"""Arousal against a personal window of tolerance, recovery episodes and paced breathing.

Pure computation (numpy only; no I/O, no asyncio, nothing else of Tolerance but
:mod:`tolerance.hrv`'s public names). Streaming classes come first, fed once per beat with
values the engine already has; the offline analysis is a loop over the same classes, so live
and offline agree by construction:

* :mod:`.baseline`: :class:`Calibration` (>= 180 s of seated rest) gives a :class:`Baseline`
  (median of 60 s HR and ln RMSSD, and a spread pooled with a within-person prior measured on
  real long recordings: :func:`pooled_spread`), or refuses with a reason
  (:class:`CalibrationRefused`); without one, a ``provisional`` baseline learnt from the first
  minute of still wear; :func:`rolling_update` moves it from calm windows only;
  :data:`POPULATION_BASELINE` (Nunan et al. 2010) for comparisons.
* :mod:`.index`: the arousal index ``a = 0.6 z_HR - 0.4 z_lnRMSSD`` (HR only: ``a = z_HR``).
* :mod:`.zones`: :class:`WindowBand` (default -1 .. +1), :class:`ZoneTracker` (hysteresis and
  dwell: no flicker), :class:`TimeInWindow` (unknown and activity apart).
* :mod:`.episodes`, :mod:`.fits`: excursions above the window, their peak, return, area,
  re-activation, and exponential and logistic recovery fits.
* :mod:`.tracker`: :class:`ToleranceTracker`, the live facade (zone changes, ticks, episodes,
  nudges); :mod:`.analysis`: :func:`analyze_tolerance` on a recording.
* :mod:`.adherence`: does the heart follow the breathing pacer; :mod:`.resonance`: Lehrer's
  resonance-frequency assessment scored by Shaffer & Meehan's (2020) criteria.

What the index can and cannot tell
----------------------------------
The index is a heuristic, not a diagnosis. It says how far the last minute's heart rate and
RMSSD are from this person's resting values, in units of their resting spread; "window of
tolerance" is a clinical metaphor (Siegel) that the index only approximates. HR and HRV respond
to posture, movement, speech, digestion, caffeine, alcohol, nicotine, illness, heat, sleep debt
and breathing pattern as much as to stress or emotion, so a high value means "far from rest",
and an activity signal (a marker, later an accelerometer) is needed to keep movement apart.
Hypo-arousal (shutdown, dissociation) is weakly identifiable from HRV: a slow and variable
heart is also what calm relaxation looks like, so the *hypo* zone must be shown with that
caveat. The 60 s windows lag the body by about 30 s. Time without usable signal is reported
apart, never counted inside the window.
"""

from .adherence import Adherence, AdherenceLabel, Pacer, breathing_adherence, pacer_signal
from .analysis import ToleranceResult, analyze_tolerance
from .baseline import (
    POPULATION_BASELINE,
    Baseline,
    Calibration,
    CalibrationProgress,
    CalibrationRefusal,
    CalibrationRefused,
    CalmWindow,
    RollingRule,
    calibrate,
    is_calm,
    pooled_spread,
    robust_center_spread,
    rolling_update,
)
from .episodes import Episode, EpisodeClosed, EpisodeConfig, EpisodeOpened, EpisodeTracker, EpisodeUpdated
from .fits import ExponentialFit, LogisticFit, fit_exponential, fit_logistic, recovery_onset
from .index import ArousalValue, arousal_index
from .resonance import (
    ResonanceCriteria,
    ResonanceProtocol,
    ResonanceResult,
    ResonanceRow,
    ResonanceStep,
    score_resonance,
    step_criteria,
)
from .tracker import BaselineLearned, Nudge, ToleranceConfig, ToleranceTracker, ToleranceUpdate, ZoneTick
from .zones import (
    TimeInWindow,
    TimeInWindowSummary,
    WindowBand,
    Zone,
    ZoneChange,
    ZoneConfig,
    ZoneInterval,
    ZoneTracker,
)

__all__ = [
    "POPULATION_BASELINE",
    "Adherence",
    "AdherenceLabel",
    "Pacer",
    "ArousalValue",
    "Baseline",
    "BaselineLearned",
    "Calibration",
    "CalibrationProgress",
    "CalibrationRefusal",
    "CalibrationRefused",
    "CalmWindow",
    "Episode",
    "EpisodeClosed",
    "EpisodeConfig",
    "EpisodeOpened",
    "EpisodeTracker",
    "EpisodeUpdated",
    "ExponentialFit",
    "LogisticFit",
    "Nudge",
    "ResonanceCriteria",
    "ResonanceProtocol",
    "ResonanceResult",
    "ResonanceRow",
    "ResonanceStep",
    "RollingRule",
    "TimeInWindow",
    "TimeInWindowSummary",
    "ToleranceConfig",
    "ToleranceResult",
    "ToleranceTracker",
    "ToleranceUpdate",
    "WindowBand",
    "Zone",
    "ZoneChange",
    "ZoneConfig",
    "ZoneInterval",
    "ZoneTick",
    "ZoneTracker",
    "analyze_tolerance",
    "arousal_index",
    "breathing_adherence",
    "calibrate",
    "fit_exponential",
    "fit_logistic",
    "recovery_onset",
    "is_calm",
    "pacer_signal",
    "pooled_spread",
    "robust_center_spread",
    "rolling_update",
    "score_resonance",
    "step_criteria",
]
