"""The arousal index: how far the current 60 s window is from the personal baseline (a heuristic).

Definition (DESIGN.md, "Window of tolerance")::

    z_HR       = (HR - hr_center) / hr_spread                     HR: 60 s mean, bpm
    z_lnRMSSD  = (ln RMSSD - ln_rmssd_center) / ln_rmssd_spread   RMSSD: 60 s, ms
    a          = (z_HR - z_lnRMSSD) / 2

Positive = faster heart and less vagal variability than at rest (sympathetic activation or
vagal withdrawal), negative = slower and more variable. Dimensionless, in baseline spreads
(roughly: a = 1 is one resting standard deviation above the resting state in both figures).

HR-only mode: without RR intervals (or when the window gives HR but no RMSSD), ``a = z_HR``
and the value is flagged ``hr_only``; the two are not on exactly the same scale, so displays
should say so. None when HR is missing (the window is not usable).

Why no further change. The inputs are already 60 s moving windows (a 60 s boxcar filter,
about 30 s of lag); extra smoothing would delay episode onsets and peaks further, and the zone
tracker's hysteresis and dwell already keep the display from flickering. Equal weights are
kept: no data here says which of HR and RMSSD tracks arousal better for a given person, and
the ln transform already makes RMSSD's scatter roughly symmetric (RMSSD is right-skewed).

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


DEFAULT_HR_WEIGHT: Final = 0.5
"""Weight ``w`` of z_HR in ``a = w * z_HR - (1 - w) * z_lnRMSSD`` (0.5: the equal-weight index).
Chosen by ``benchmarks/score_real.py`` among 0.5, 0.75 and 1 (HR alone) on every real data set."""


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
        ``w`` in ``a = w * z_HR - (1 - w) * z_lnRMSSD`` (0.5 by default: ``(z_HR - z_lnRMSSD) / 2``).

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
