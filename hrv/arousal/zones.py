"""Zones on the arousal index: hypo / within / hyper, activity and unknown, without flicker.

The window of tolerance is a band on the index (:class:`WindowBand`, default -1 .. +1 baseline
spreads; personal and adjustable, a heuristic starting point, not a clinical threshold).

:class:`ZoneTracker` turns per-beat index values into a stable zone:

* Hysteresis ``h`` (default 0.25): from *within*, the zone becomes *hyper* only above
  ``upper + h`` and *hypo* only below ``lower - h``; from *hyper* it leaves only below
  ``upper - h`` (from *hypo* only above ``lower + h``). Values between the edges and these
  thresholds keep the current zone.
* Minimum dwell (default 20 s of beat time): a new zone is taken only when the candidate has
  held continuously that long. The change is reported at the moment it is confirmed, with
  ``since_s``, the time the candidate began. A single artifact, or noise around an edge, never
  moves the zone.
* *activity* is entered at once while the activity signal is on (movement is not stress,
  DESIGN.md; Firstbeat labels it apart), and held after it goes off until the index is back
  at or below the upper edge (at most ``activity_recovery_s``, default 600 s), so the heart's
  recovery from exercise is not counted as a stress excursion.
* *unknown* (no usable signal) is entered when values have been missing for the dwell time;
  shorter gaps keep the current zone on display (but :class:`TimeInWindow` counts them as
  unknown, see there).
* *warmup*: beats arrive but the first 60 s window has not filled yet (a session's first
  minute); the tracker starts there and leaves it with the first usable value. Never *unknown*:
  the strap is working.
* *learning*: set by :class:`~.tracker.ToleranceTracker` while a provisional baseline learns the
  person's first minute ("getting to know you"); no zone is judged yet.

*Below* only with evidence. The default band is asymmetric, -2 .. +1 baseline spreads: a calmer
heart than the resting centre is common and mostly benign (relaxation, after a meal, sitting
back), and a slow, variable heart is also what calm relaxation looks like, so hypo-arousal is
weakly identifiable from the heart alone. *Below your window* therefore needs the index 2
spreads (plus the hysteresis) under the centre for the dwell time; on real calm hours that is
rare (``benchmarks/score_real.py``: the share of calm time read *below* is reported per data
set), and the page words it as a prompt to notice, never as a finding.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Final

from .. import HrvInputError

DEFAULT_LOWER: Final = -2.0
"""Lower edge of the window (index units, baseline spreads): *below* only with evidence (module
docstring). Was -1; on real calm hours -1 read *below* a fifth of the time."""
DEFAULT_UPPER: Final = 1.0
"""Upper edge of the window (index units)."""
DEFAULT_HYSTERESIS: Final = 0.25
"""Half-width of the hysteresis band around each edge (index units)."""
DEFAULT_DWELL_S: Final = 20.0
"""Minimum time (s) a candidate zone must hold before the zone changes."""
DEFAULT_ACTIVITY_RECOVERY_S: Final = 600.0
"""Longest time (s) after activity ends that an elevated index is still labelled activity."""
DEFAULT_MAX_STEP_S: Final = 5.0
"""Longest gap (s) between samples counted as signal by TimeInWindow; beyond it, unknown."""


class Zone(enum.StrEnum):
    HYPO = "hypo"
    WITHIN = "within"
    HYPER = "hyper"
    ACTIVITY = "activity"
    UNKNOWN = "unknown"
    WARMUP = "warmup"
    LEARNING = "learning"


JUDGED_ZONES: Final = frozenset({Zone.HYPO, Zone.WITHIN, Zone.HYPER})
"""The zones time in window is computed over; the others are reported apart."""


@dataclass(frozen=True, slots=True)
class WindowBand:
    """The window of tolerance on the arousal index: ``lower < upper`` (index units)."""

    lower: float = DEFAULT_LOWER
    upper: float = DEFAULT_UPPER

    def __post_init__(self) -> None:
        if not self.lower < self.upper:
            raise HrvInputError(f"the window's lower edge {self.lower} must be below its upper edge {self.upper}")

    def classify(self, arousal: float) -> Zone:
        """The zone of a value without hysteresis (edges belong to *within*)."""
        if arousal > self.upper:
            return Zone.HYPER
        if arousal < self.lower:
            return Zone.HYPO
        return Zone.WITHIN

    def as_dict(self) -> dict[str, Any]:
        return {"lower": self.lower, "upper": self.upper}


@dataclass(frozen=True, slots=True)
class ZoneConfig:
    band: WindowBand = field(default_factory=WindowBand)
    hysteresis: float = DEFAULT_HYSTERESIS
    dwell_s: float = DEFAULT_DWELL_S
    activity_recovery_s: float = DEFAULT_ACTIVITY_RECOVERY_S

    def as_dict(self) -> dict[str, Any]:
        return {
            "band": self.band.as_dict(),
            "hysteresis": self.hysteresis,
            "dwell_s": self.dwell_s,
            "activity_recovery_s": self.activity_recovery_s,
        }


@dataclass(frozen=True, slots=True)
class ZoneChange:
    """The zone became ``zone`` at ``t_s`` (confirmed then; the candidate began at ``since_s``)."""

    t_s: float
    arousal: float | None
    zone: Zone
    previous: Zone
    since_s: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "t_s": self.t_s,
            "arousal": self.arousal,
            "zone": str(self.zone),
            "previous": str(self.previous),
            "since_s": self.since_s,
        }


class ZoneTracker:
    """Hysteresis and dwell on per-beat index values; see the module docstring."""

    def __init__(self, config: ZoneConfig | None = None) -> None:
        self.config = config or ZoneConfig()
        self.zone = Zone.WARMUP
        self._candidate: Zone | None = None
        self._candidate_since = 0.0
        self._activity_ended: float | None = None

    def _target(self, t_s: float, arousal: float | None, activity: bool) -> Zone:
        cfg, band, z = self.config, self.config.band, self.zone
        if activity:
            self._activity_ended = None
            return Zone.ACTIVITY
        if z is Zone.ACTIVITY and self._activity_ended is None:
            self._activity_ended = t_s
        if arousal is None:
            return Zone.WARMUP if z is Zone.WARMUP else Zone.UNKNOWN
        if z is Zone.ACTIVITY and self._activity_ended is not None:
            if arousal > band.upper and t_s - self._activity_ended < cfg.activity_recovery_s:
                return Zone.ACTIVITY
        h = cfg.hysteresis
        if z is Zone.HYPER:
            if arousal >= band.upper - h:
                return Zone.HYPER
            return Zone.HYPO if arousal < band.lower - h else Zone.WITHIN
        if z is Zone.HYPO:
            if arousal <= band.lower + h:
                return Zone.HYPO
            return Zone.HYPER if arousal > band.upper + h else Zone.WITHIN
        if z is Zone.WITHIN:
            if arousal > band.upper + h:
                return Zone.HYPER
            if arousal < band.lower - h:
                return Zone.HYPO
            return Zone.WITHIN
        return band.classify(arousal)  # from unknown, warm-up or activity: no previous side to hold

    def update(self, t_s: float, arousal: float | None, activity: bool = False) -> ZoneChange | None:
        """One sample (beat time in s, index or None); returns the change it confirmed, if any."""
        target = self._target(t_s, arousal, activity)
        if target is self.zone:
            self._candidate = None
            return None
        if target is not self._candidate:
            self._candidate, self._candidate_since = target, t_s
        immediate = target is Zone.ACTIVITY
        if immediate or t_s - self._candidate_since >= self.config.dwell_s:
            change = ZoneChange(t_s, arousal, target, self.zone, self._candidate_since)
            self.zone, self._candidate = target, None
            return change
        return None


@dataclass(frozen=True, slots=True)
class ZoneInterval:
    """The zone was ``zone`` from ``start_s`` to ``end_s`` (s)."""

    start_s: float
    end_s: float
    zone: Zone

    def as_dict(self) -> dict[str, Any]:
        return {"start_s": self.start_s, "end_s": self.end_s, "zone": str(self.zone)}


@dataclass(frozen=True, slots=True)
class TimeInWindowSummary:
    """Seconds per zone and ``within_share = within / (within + hyper + hypo)``.

    Activity, unknown (no usable signal), warm-up (the first window filling) and learning (a
    provisional baseline learning) are reported apart and never in the share; None when no
    classified time exists. ``total_s`` is the sum of all seven.
    """

    within_s: float
    hyper_s: float
    hypo_s: float
    activity_s: float
    unknown_s: float
    warmup_s: float = 0.0
    learning_s: float = 0.0

    @property
    def total_s(self) -> float:
        judged = self.within_s + self.hyper_s + self.hypo_s
        return judged + self.activity_s + self.unknown_s + self.warmup_s + self.learning_s

    @property
    def within_share(self) -> float | None:
        classified = self.within_s + self.hyper_s + self.hypo_s
        return self.within_s / classified if classified > 0 else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "within_s": self.within_s,
            "hyper_s": self.hyper_s,
            "hypo_s": self.hypo_s,
            "activity_s": self.activity_s,
            "unknown_s": self.unknown_s,
            "warmup_s": self.warmup_s,
            "learning_s": self.learning_s,
            "total_s": self.total_s,
            "within_share": self.within_share,
            "definition": "within_s / (within_s + hyper_s + hypo_s); activity, unknown, warm-up and learning apart",
        }


class TimeInWindow:
    """Accumulates time per zone from successive samples (left-continuous).

    The interval from one sample to the next is given to the earlier sample's state: its zone
    when it had a usable index value, *unknown* when it had none (so a short gap that the zone
    tracker holds on display still counts as unknown here: time without signal is never
    counted inside). An interval longer than ``max_step_s`` (beats stopped arriving: contact
    or connection lost) counts as unknown beyond ``max_step_s``.
    """

    def __init__(self, max_step_s: float = DEFAULT_MAX_STEP_S) -> None:
        self.max_step_s = max_step_s
        self._s = {z: 0.0 for z in Zone}
        self._last: tuple[float, Zone] | None = None

    def add(self, t_s: float, zone: Zone, usable: bool) -> None:
        if self._last is not None:
            t0, z0 = self._last
            dt = max(t_s - t0, 0.0)
            counted = min(dt, self.max_step_s)
            self._s[z0] += counted
            self._s[Zone.UNKNOWN] += dt - counted
        kept = (Zone.ACTIVITY, Zone.WARMUP, Zone.LEARNING)
        state = zone if usable or zone in kept else Zone.UNKNOWN
        self._last = (t_s, state)

    def summary(self) -> TimeInWindowSummary:
        s = self._s
        return TimeInWindowSummary(
            s[Zone.WITHIN],
            s[Zone.HYPER],
            s[Zone.HYPO],
            s[Zone.ACTIVITY],
            s[Zone.UNKNOWN],
            s[Zone.WARMUP],
            s[Zone.LEARNING],
        )
