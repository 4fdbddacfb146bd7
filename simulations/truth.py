"""Ground truth of a scenario's physiology, for tests: what the episode detector should find.

:func:`scenario_truth` lists every scripted stress event with its timing and expected effect,
links re-activations, and gives the activity and breathing intervals, the true arousal
``a(t)`` and the resting (baseline) HR and RMSSD. It is computed from the same event values the
heart model draws its beats from, so it holds for every seed.

Definitions
-----------
Recovered
    An event has recovered at ``recovered_s = decay_s + RECOVERY_TAUS * tau_s`` (its peak, plus
    its plateau if any, plus 4 time constants: arousal below e^-4 = 1.8 % of its intensity).
Re-activation
    An event that starts within ``reactivation_window_s`` (default 30 min) after an earlier
    event has recovered is a re-activation of it (``reactivation_of`` is the index of the latest
    such earlier event); one that starts before the earlier one has recovered overlaps it and
    is not a re-activation.
Expected effect
    ``peak_hr_rise_bpm = stress_hr_bpm * min(1, intensity)`` and ``peak_rmssd_drop =
    stress_rmssd_drop * min(1, intensity)`` (fraction of the resting RMSSD), the event's own
    effect at its peak; overlapping events add, capped at arousal 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from .events import arousal_at
from .scenario import Scenario

RECOVERY_TAUS: Final = 4.0
"""An event has recovered this many time constants after its decay starts."""
REACTIVATION_WINDOW_S: Final = 30 * 60.0
"""Default: a new event within 30 min of an earlier one's recovery re-activates it."""


@dataclass(frozen=True, slots=True)
class StressTruth:
    """One scripted stress event (times in simulated seconds)."""

    index: int
    label: str
    start_s: float
    peak_s: float
    decay_s: float
    recovered_s: float
    tau_s: float
    intensity: float
    peak_hr_rise_bpm: float
    peak_rmssd_drop: float
    reactivation_of: int | None


@dataclass(frozen=True, slots=True)
class ActivityTruth:
    """One bout of physical activity, ``[start_s, end_s)``, and its effect at a steady level."""

    start_s: float
    end_s: float
    kind: str
    hr_bpm: float
    rmssd_drop: float


@dataclass(frozen=True, slots=True)
class BreathingTruth:
    """One breathing block: paced at ``rate_per_min`` during ``[start_s, end_s)``."""

    start_s: float
    end_s: float
    rate_per_min: float


@dataclass(frozen=True)
class ScenarioTruth:
    """The physiology a scenario scripts, seed-independent."""

    scenario: Scenario
    rest_hr_bpm: float
    rest_rmssd_ms: float
    rest_breathing_per_min: float
    stress: tuple[StressTruth, ...]
    activity: tuple[ActivityTruth, ...]
    breathing: tuple[BreathingTruth, ...]
    reactivation_window_s: float

    def arousal_at(self, t_s: float | np.ndarray) -> float | np.ndarray:
        """True arousal at ``t_s`` (s): 0 at rest, 1 at the peak of a full event; not activity."""
        t = np.asarray(t_s, dtype=float)
        out = np.array([arousal_at(self.scenario.stress, float(x)) for x in t.ravel()]).reshape(t.shape)
        return float(out) if out.ndim == 0 else out

    def active_at(self, t_s: float | np.ndarray) -> bool | np.ndarray:
        """True inside an activity bout (its scripted interval, not its off-kinetics)."""
        t = np.asarray(t_s, dtype=float)
        out = np.zeros(t.shape, dtype=bool)
        for a in self.activity:
            out |= (t >= a.start_s) & (t < a.end_s)
        return bool(out) if out.ndim == 0 else out

    @property
    def reactivations(self) -> tuple[StressTruth, ...]:
        return tuple(e for e in self.stress if e.reactivation_of is not None)


def scenario_truth(scenario: Scenario, *, reactivation_window_s: float = REACTIVATION_WINDOW_S) -> ScenarioTruth:
    """The ground truth of ``scenario`` (see the module docstring for the definitions)."""
    heart = scenario.heart
    events = sorted(scenario.stress, key=lambda e: e.at_s)
    recovered = [e.decay_s + RECOVERY_TAUS * e.tau_s for e in events]
    stress = []
    for i, e in enumerate(events):
        earlier = [j for j in range(i) if recovered[j] <= e.at_s <= recovered[j] + reactivation_window_s]
        size = min(1.0, e.intensity)
        stress.append(
            StressTruth(
                index=i,
                label=e.label,
                start_s=e.at_s,
                peak_s=e.peak_s,
                decay_s=e.decay_s,
                recovered_s=recovered[i],
                tau_s=e.tau_s,
                intensity=e.intensity,
                peak_hr_rise_bpm=heart.stress_hr_bpm * size,
                peak_rmssd_drop=heart.stress_rmssd_drop * size,
                reactivation_of=max(earlier, key=lambda j: recovered[j]) if earlier else None,
            )
        )
    activity = tuple(ActivityTruth(a.at_s, a.end_s, a.kind, a.hr_bpm, a.rmssd_drop) for a in scenario.activity)
    breathing = tuple(BreathingTruth(b.at_s, b.end_s, b.rate_per_min) for b in scenario.breathing_blocks)
    return ScenarioTruth(
        scenario=scenario,
        rest_hr_bpm=heart.hr_bpm,
        rest_rmssd_ms=heart.rmssd_ms,
        rest_breathing_per_min=heart.breathing_per_min,
        stress=tuple(stress),
        activity=activity,
        breathing=breathing,
        reactivation_window_s=reactivation_window_s,
    )
