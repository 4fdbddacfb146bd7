"""Beat timeline: RR intervals from notifications placed on the host's clock, split at gaps.

A strap measures each RR interval on its own clock and sends it in a notification about once a
second, batching the 0-3 intervals that ended since the previous one. The host knows only when
a notification arrived. This module turns that into beats with times:

* Anchoring. The beats of a notification are laid end to end from the previous beat, by their
  RR values (cumulative sums: the strap's own, exact beat spacing). The RR values themselves are
  never altered; only the times at which beats are placed on the host clock move.
* Causality. A beat cannot end after the notification that carries it arrived: when the
  cumulative time runs ahead of the receive time (the strap's clock runs fast, or the anchor was
  late), the new beats are shifted back so the last one ends at the receive time, but never
  before the previous beat: beat times always increase. A shift larger than the first new RR
  interval (a notification delivered late placed the beats before it too late) is taken up over
  the following notifications, so beats may run ahead of the host clock for a few seconds then.
* Drift. When the strap's clock runs slow, beats fall behind. Over each epoch of
  ``drift_epoch_s`` the smallest lag (receive time minus the time of the last beat in a
  notification) is taken; since a ~1 Hz notification timer and the heart beat are not in phase,
  some notification in an epoch follows its last beat closely, and a smallest lag above
  ``max_lag_s`` means drift: the anchor moves forward by that lag. **Bound:** beat times lag the
  host clock by at most ``max_lag_s`` (0.25 s) plus the drift of one epoch (30 s at a 50 ppm clock
  error: 1.5 ms), on top of the BLE transport latency, which no host can see; they run ahead of it
  only transiently, after a notification delivered late (see Causality).
* Implausible values. RR values below 200 ms are dropped (spurious: not elapsed time); values
  above 3000 ms are dropped and end the segment (beats went undetected). Both are counted in
  ``stats.implausible``; the raw notification keeps them.
* Gaps. A segment ends, and a new one begins, when notifications stop for more than
  ``max_notification_gap_s``, when beats lag their receive time by more than ``max_beat_lag_s``
  (RR values went missing though notifications came), when the strap reports no skin contact,
  or when the caller marks a gap (a lost connection). No HRV window may span two segments:
  successive differences are only taken within a segment.

Pure computation: no I/O, no asyncio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

DEFAULT_MAX_NOTIFICATION_GAP_S: Final = 2.5
"""Straps notify about once a second; silence of more than 2.5 s means notifications were lost."""
DEFAULT_MAX_BEAT_LAG_S: Final = 3.0
"""A beat ending more than 3 s before the notification carrying it means RR values are missing."""
MIN_PLAUSIBLE_RR_MS: Final = 200.0
"""Shorter RR values (300 bpm) are not heart beats: spurious values (some Garmin straps append
one of ~50 ms to a notification). They are dropped, not elapsed time."""
MAX_PLAUSIBLE_RR_MS: Final = 3000.0
"""Longer RR values (20 bpm) mean beats went undetected: real time passed, so they end a segment."""
DEFAULT_MAX_LAG_S: Final = 0.25
_MIN_BEAT_SPACING_S: Final = 0.001
DEFAULT_DRIFT_EPOCH_S: Final = 30.0


class GapReason(StrEnum):
    START = "start"
    NOTIFICATIONS_MISSING = "notifications_missing"
    RR_MISSING = "rr_missing"
    NO_CONTACT = "no_contact"
    CONNECTION_LOST = "connection_lost"


@dataclass(frozen=True, slots=True)
class Beat:
    """One heart beat: the R-peak that ends an RR interval.

    ``t_s`` is on the clock of the receive times given to the timeline (the host's monotonic
    clock, or a simulated one), ``rr_ms`` the interval ending here as the strap reported it,
    ``segment`` the contiguous stretch it belongs to, ``contact`` the strap's contact flag.
    ``usable`` is False for beats recorded without skin contact: stored, but kept out of HRV.
    """

    index: int
    t_s: float
    rr_ms: float
    segment: int
    contact: bool | None = None
    rr_raw: int | None = None

    @property
    def usable(self) -> bool:
        return self.contact is not False


@dataclass(frozen=True, slots=True)
class SegmentStart:
    """A new segment begins at ``t_s`` (the first beat's time), after a gap of ``reason``."""

    segment: int
    t_s: float
    reason: GapReason


@dataclass
class TimelineStats:
    notifications: int = 0
    beats: int = 0
    segments: int = 0
    shifted_back: int = 0
    drift_corrections: int = 0
    implausible: int = 0
    duplicates: int = 0
    max_abs_shift_s: float = 0.0


class BeatTimeline:
    """Incremental placement of RR intervals on the host clock (see the module docstring)."""

    def __init__(
        self,
        *,
        max_notification_gap_s: float = DEFAULT_MAX_NOTIFICATION_GAP_S,
        max_beat_lag_s: float = DEFAULT_MAX_BEAT_LAG_S,
        max_lag_s: float = DEFAULT_MAX_LAG_S,
        drift_epoch_s: float = DEFAULT_DRIFT_EPOCH_S,
    ) -> None:
        self.max_notification_gap_s = max_notification_gap_s
        self.max_beat_lag_s = max_beat_lag_s
        self.max_lag_s = max_lag_s
        self.drift_epoch_s = drift_epoch_s
        self.stats = TimelineStats()
        self._next_index = 0
        self._segment = -1
        self._last_beat_t: float | None = None
        self._last_recv_t: float | None = None
        self._pending_gap: GapReason | None = GapReason.START
        self._epoch_start: float | None = None
        self._epoch_min_lag = float("inf")
        self._no_contact = False
        self._last_rr: list[float] | None = None

    @property
    def segment(self) -> int:
        """The current segment number (-1 before the first beat)."""
        return self._segment

    def mark_gap(self, reason: GapReason = GapReason.CONNECTION_LOST) -> None:
        """End the current segment: the next beat starts a new one (e.g. after a lost link)."""
        if self._pending_gap is None:
            self._pending_gap = reason

    def _plausible(self, rr_ms: Sequence[float], rr_raw: Sequence[int] | None) -> tuple[list[float], list[int] | None]:
        raws = list(rr_raw) if rr_raw is not None and len(rr_raw) == len(rr_ms) else None
        keep = [i for i, r in enumerate(rr_ms) if MIN_PLAUSIBLE_RR_MS <= r <= MAX_PLAUSIBLE_RR_MS]
        self.stats.implausible += len(rr_ms) - len(keep)
        if any(r > MAX_PLAUSIBLE_RR_MS for r in rr_ms):
            self.mark_gap(GapReason.RR_MISSING)
        return [rr_ms[i] for i in keep], None if raws is None else [raws[i] for i in keep]

    def add(
        self,
        t_recv: float,
        rr_ms: Sequence[float],
        contact: bool | None = None,
        rr_raw: Sequence[int] | None = None,
    ) -> tuple[list[Beat], SegmentStart | None]:
        """Place the RR intervals of one notification received at ``t_recv`` (seconds).

        Returns the new beats, and a :class:`SegmentStart` when they open a new segment.
        """
        if t_recv == self._last_recv_t and list(rr_ms) == self._last_rr:
            # The same notification delivered twice: its beats are already placed.
            self.stats.duplicates += 1
            return [], None
        self._last_rr = list(rr_ms)
        self.stats.notifications += 1
        if any(not MIN_PLAUSIBLE_RR_MS <= r <= MAX_PLAUSIBLE_RR_MS for r in rr_ms):
            rr_ms, rr_raw = self._plausible(rr_ms, rr_raw)
        if self._last_recv_t is not None and t_recv - self._last_recv_t > self.max_notification_gap_s:
            self.mark_gap(GapReason.NOTIFICATIONS_MISSING)
        # A receive time that goes backwards (a host clock step) must not fake a gap later.
        self._last_recv_t = t_recv if self._last_recv_t is None else max(self._last_recv_t, t_recv)
        no_contact = contact is False
        if no_contact != self._no_contact:
            # Beats without skin contact are kept (stored, shown) in segments of their own, and
            # the segment after them starts fresh: no HRV window crosses a contact loss.
            self._no_contact = no_contact
            if self._last_beat_t is not None:
                self.mark_gap(GapReason.NO_CONTACT)
        if not rr_ms:
            return [], None

        total_s = sum(rr_ms) / 1000.0
        started: SegmentStart | None = None
        if self._last_beat_t is not None and self._pending_gap is None:
            lag = t_recv - (self._last_beat_t + total_s)
            if lag > self.max_beat_lag_s:
                self._pending_gap = GapReason.RR_MISSING
        if self._pending_gap is not None or self._last_beat_t is None:
            self._segment += 1
            self.stats.segments += 1
            start = t_recv - total_s
            if self._last_beat_t is not None:
                start = max(start, self._last_beat_t)  # beat times increase across segments too
            reason = self._pending_gap or GapReason.START
            self._pending_gap = None
            self._epoch_start = t_recv
            self._epoch_min_lag = float("inf")
        else:
            start = self._last_beat_t
            lag = t_recv - (start + total_s)
            if lag < 0.0:
                # Ahead of the host clock: shift this notification's beats back, but never
                # before the previous beat (beat times only increase). A larger shift (a late,
                # delayed notification placed the previous beats too late) is taken up over
                # the next notifications.
                shift = max(lag, -(rr_ms[0] / 1000.0 - _MIN_BEAT_SPACING_S))
                start += shift
                self.stats.shifted_back += 1
                self.stats.max_abs_shift_s = max(self.stats.max_abs_shift_s, -shift)
                lag = 0.0
            self._epoch_min_lag = min(self._epoch_min_lag, lag)
            assert self._epoch_start is not None
            if t_recv - self._epoch_start >= self.drift_epoch_s:
                if self._epoch_min_lag > self.max_lag_s:
                    start += self._epoch_min_lag
                    self.stats.drift_corrections += 1
                    self.stats.max_abs_shift_s = max(self.stats.max_abs_shift_s, self._epoch_min_lag)
                self._epoch_start = t_recv
                self._epoch_min_lag = float("inf")
            reason = None

        beats: list[Beat] = []
        t = start
        raws = list(rr_raw) if rr_raw is not None and len(rr_raw) == len(rr_ms) else [None] * len(rr_ms)
        for rr, raw in zip(rr_ms, raws, strict=True):
            t += rr / 1000.0
            beats.append(Beat(self._next_index, t, float(rr), self._segment, contact, raw))
            self._next_index += 1
        self._last_beat_t = t
        self.stats.beats += len(beats)
        if reason is not None:
            started = SegmentStart(self._segment, beats[0].t_s, reason)
        return beats, started
