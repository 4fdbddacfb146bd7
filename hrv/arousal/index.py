"""The arousal index: how far the current 60 s window is from the personal baseline (a heuristic).

Definition (DESIGN.md, "Window of tolerance")::

    z_HR       = (HR - hr_center) / hr_spread                     HR: 60 s mean, bpm
    z_lnRMSSD  = (ln RMSSD - ln_rmssd_center) / ln_rmssd_spread   RMSSD: 60 s, ms
    a          = 0.6 z_HR - 0.4 z_lnRMSSD                           (w = 0.6)

Positive = faster heart and less vagal variability than at rest (sympathetic activation or
vagal withdrawal), negative = slower and more variable. Dimensionless, in baseline spreads
(roughly: a = 1 is one resting standard deviation above the resting state in both figures).
A heuristic; the weight is this project's choice from real recordings (below).

HR-only mode: without RR intervals (or when the window gives HR but no RMSSD), ``a = z_HR``
and the value is flagged ``hr_only``; the two are not on exactly the same scale, so displays
should say so. None when HR is missing (the window is not usable).

Why HR weighs 0.6 (``benchmarks/score_real.py``, every real data set of ``../shared/data/real``).
With equal weights, ln RMSSD cancelled the heart-rate rise of some people under a mental task
(speech and irregular breathing raise RMSSD): the index rose in 10 of 13 GUDB people and 1 of 2
BioPsyKit people while their mean RR fell in 12 of 13 and 2 of 2. Weights compared, with the
provisional baseline (within at rest / index rises, per set; calm Holter hours: median share
within after a 4-minute calibration):

======  ==============  ================  ==================  ==========
w       GUDB (13)       BioPsyKit (2)     Stress-Predict (34)  calm hours
======  ==============  ================  ==================  ==========
0.5     100 % / 77 %    0 % / 50 %        81 % / 68 %          0.91
0.6     100 % / 85 %    0 % / 100 %       84 % / 74 %          0.906
0.75    100 % / 92 %    0 % / 100 %       75 % / 74 %          0.88
1 (HR)  100 % / 92 %    0 % / 100 %       72 % / 74 %          0.84
======  ==============  ================  ==================  ==========

No weight meets every target (rest within for 90 % of people, the index rising in 90 %, a calm
hour 90 % within): HR-heavier weights find the task in more people but read calm real hours less
within (HR drifts with posture and movement more than ln RMSSD does). 0.6 is the best on all of
them together: never the worst, and above 0.9 on the calm hours. SD1 is RMSSD / sqrt(2), so ln SD1
gives the same z-score as ln RMSSD and is no separate candidate. The inputs stay 60 s windows:
extra smoothing would delay episode onsets and peaks, and the zone tracker's hysteresis and dwell
already keep the display from flickering.

What it cannot tell: HR and HRV respond to posture, movement, digestion, caffeine, alcohol,
illness, heat, breathing pattern and speech as much as to stress; a high index is "the heart
is far from its resting state", not "this person is stressed". Low values (hypo-arousal) are
weakly identifiable: a slow, variable heart is also what relaxation looks like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from .baseline import Baseline


@dataclass(frozen=True, slots=True)
class ArousalValue:
    """One index value: ``arousal`` (z units), its parts, and whether it is HR only."""

    arousal: float
    z_hr: float
    z_ln_rmssd: float | None
    hr_only: bool

    def as_dict(self) -> dict[str, Any]:
        return {"arousal": self.arousal, "z_hr": self.z_hr, "z_ln_rmssd": self.z_ln_rmssd, "hr_only": self.hr_only}


DEFAULT_HR_WEIGHT: Final = 0.6
"""Weight ``w`` of z_HR in ``a = w * z_HR - (1 - w) * z_lnRMSSD`` (0.5 was the equal-weight index).
Chosen by ``benchmarks/score_real.py`` among 0.5, 0.6, 0.75 and 1 (HR alone) on every real data set."""


def arousal_index(
    hr_bpm: float | None, rmssd_ms: float | None, baseline: Baseline, hr_weight: float = DEFAULT_HR_WEIGHT
) -> ArousalValue | None:
    """The arousal index of one 60 s window against ``baseline`` (see the module docstring).

    Parameters
    ----------
    hr_bpm
        The window's mean HR (bpm), None when the window gave no number.
    rmssd_ms
        The window's RMSSD (ms), None without RR intervals or when the window gave no number.
    baseline
        The personal (or population) baseline.
    hr_weight
        ``w`` in ``a = w * z_HR - (1 - w) * z_lnRMSSD`` (0.6 by default, :data:`DEFAULT_HR_WEIGHT`).

    Returns
    -------
    ArousalValue or None
        None when HR is missing or not a positive finite number.
    """
    if hr_bpm is None or not math.isfinite(hr_bpm) or hr_bpm <= 0:
        return None
    z_hr = (hr_bpm - baseline.hr_center_bpm) / baseline.hr_spread_bpm
    usable_rmssd = rmssd_ms is not None and math.isfinite(rmssd_ms) and rmssd_ms > 0
    if baseline.hr_only or baseline.ln_rmssd_center is None or baseline.ln_rmssd_spread is None or not usable_rmssd:
        return ArousalValue(z_hr, z_hr, None, True)
    assert rmssd_ms is not None
    z_ln = (math.log(rmssd_ms) - baseline.ln_rmssd_center) / baseline.ln_rmssd_spread
    return ArousalValue(hr_weight * z_hr - (1.0 - hr_weight) * z_ln, z_hr, z_ln, False)
