"""The live HRV engine of one session: notifications in, beats and metrics out.

Per notification, :meth:`Engine.add` places its RR intervals on the beat timeline
(:mod:`~tolerance.hrv.timeline`), classifies each beat with the streaming Lipponen & Tarvainen
detector (:mod:`~tolerance.hrv.artifacts`, a look-ahead of ``lookahead_beats`` beats, so a beat
is final that many beats after it arrived), and turns the corrected NN intervals into:

* a :class:`BeatUpdate` per beat, with the **ultra-short-term** figures over the last 30 s and
  60 s (HR, MeanNN, SDNN, RMSSD): cheap, for the live display. 10-30 s RMSSD agrees only
  loosely with a 5-minute one; 60 s closely (Munoz et al. 2015, PLoS One 10:e0138921).
* a :class:`MetricsUpdate` every ``cadence_s`` (default 5 s) of beat time, with the
  **standard short-term** 5-minute figures (HRV_MeanNN, HRV_SDNN, HRV_RMSSD, HRV_pNN50, HRV_LF,
  HRV_HF, HRV_LFHF, the HF peak frequency) and the coherence ratio over the last 64 s.

Windows end at the current beat and hold the NN intervals whose beats fall in
``(t - window_s, t]`` of the current segment only: no window spans a gap. A window gives no
number (None, with a ``reason``) when its segment covers less than ``min_coverage`` of it or
more than ``max_corrected_share`` of its beats were corrected; every window reports its share
of corrected beats. Beats without skin contact are reported but never enter a window.

Memory is bounded: only the last ``long_window_s`` of NN intervals are kept.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from .artifacts import ArtifactType, ClassifiedBeat, StreamingArtifactDetector
from .coherence import coherence
from .frequency import SpectralParameters, frequency_domain
from .time_domain import time_domain
from .timeline import Beat, BeatTimeline, GapReason, SegmentStart

DEFAULT_SHORT_WINDOWS_S: Final = (30.0, 60.0)
DEFAULT_LONG_WINDOW_S: Final = 300.0
DEFAULT_CADENCE_S: Final = 5.0
DEFAULT_COHERENCE_WINDOW_S: Final = 64.0


@dataclass(frozen=True, slots=True)
class EngineConfig:
    short_windows_s: tuple[float, ...] = DEFAULT_SHORT_WINDOWS_S
    long_window_s: float = DEFAULT_LONG_WINDOW_S
    cadence_s: float = DEFAULT_CADENCE_S
    coherence_window_s: float = DEFAULT_COHERENCE_WINDOW_S
    lookahead_beats: int = 5
    min_coverage: float = 0.8
    """Fraction of a window the segment must cover for the window to give numbers."""
    max_corrected_share: float = 0.2
    """Above this share of corrected beats a window gives no numbers."""
    spectral: SpectralParameters = field(default_factory=SpectralParameters)

    def as_dict(self) -> dict[str, Any]:
        return {
            "short_windows_s": list(self.short_windows_s),
            "long_window_s": self.long_window_s,
            "cadence_s": self.cadence_s,
            "coherence_window_s": self.coherence_window_s,
            "artifact_lookahead_beats": self.lookahead_beats,
            "min_coverage": self.min_coverage,
            "max_corrected_share": self.max_corrected_share,
            "spectral": self.spectral.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class WindowMetrics:
    """Figures of one window ending at ``t_s``; ``values`` use neurokit2's names, None = no number."""

    window_s: float
    t_s: float
    segment: int
    n_beats: int
    corrected_share: float | None
    values: dict[str, float | None]
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class BeatUpdate:
    """A beat whose classification is final, its NN interval(s), and the short windows at it."""

    beat: Beat
    artifact: ArtifactType | None
    nn_ms: tuple[float, ...]
    windows: tuple[WindowMetrics, ...]


@dataclass(frozen=True, slots=True)
class MetricsUpdate:
    """The cadence figures: the 5-minute window and the coherence window."""

    t_s: float
    long: WindowMetrics
    coherence: WindowMetrics


Update = BeatUpdate | MetricsUpdate | SegmentStart


class _NNBuffer:
    """The current segment's NN intervals with their times, trimmed to a horizon.

    Numpy arrays used as a sliding buffer: appends are O(1) amortised, and a window ending at
    the newest value is a view found by one binary search (no copy per beat).
    """

    def __init__(self, horizon_s: float, capacity: int = 1024) -> None:
        self.horizon_s = horizon_s
        self._t = np.empty(capacity)
        self._nn = np.empty(capacity)
        self._corrected = np.zeros(capacity, dtype=bool)
        self._lo = 0
        self._hi = 0
        self.segment_start: float | None = None

    def __len__(self) -> int:
        return self._hi - self._lo

    def reset(self, segment_start: float | None) -> None:
        self._lo = self._hi = 0
        self.segment_start = segment_start

    def append(self, t: float, nn: float, corrected: bool) -> None:
        if self._hi == self._t.size:
            self._compact(t)
        i = self._hi
        self._t[i] = t
        self._nn[i] = nn
        self._corrected[i] = corrected
        self._hi = i + 1

    def _compact(self, t_now: float) -> None:
        lo, hi = self._lo, self._hi
        lo += int(np.searchsorted(self._t[lo:hi], t_now - self.horizon_s, side="right"))
        keep = hi - lo
        if keep > self._t.size // 2:  # a very fast heart: grow rather than compact often
            size = self._t.size * 2
            for name in ("_t", "_nn", "_corrected"):
                old = getattr(self, name)
                new = np.zeros(size, dtype=old.dtype)
                new[:keep] = old[lo:hi]
                setattr(self, name, new)
        else:
            for arr in (self._t, self._nn, self._corrected):
                arr[:keep] = arr[lo:hi]
        self._lo, self._hi = 0, keep

    def window(self, t_end: float, window_s: float) -> tuple[np.ndarray, int]:
        """NN values with times in (t_end - window_s, t_end], and how many were corrected.

        ``t_end`` is the newest value's time (windows end at the current beat).
        """
        lo, hi = self._lo, self._hi
        a = lo + int(np.searchsorted(self._t[lo:hi], t_end - window_s, side="right"))
        return self._nn[a:hi], int(np.count_nonzero(self._corrected[a:hi]))


class Engine:
    """Streaming HRV for one session. Not thread-safe; one engine per live source."""

    def __init__(self, config: EngineConfig | None = None, timeline: BeatTimeline | None = None) -> None:
        self.config = config or EngineConfig()
        self.timeline = timeline or BeatTimeline()
        self._detector = StreamingArtifactDetector(lookahead=self.config.lookahead_beats)
        self._pending: deque[Beat] = deque()
        cfg = self.config
        self._buffer = _NNBuffer(max(cfg.long_window_s, cfg.coherence_window_s, *cfg.short_windows_s))
        self._next_metrics_t: float | None = None
        self._origin = 0.0
        self.beats_out = 0

    # input ---------------------------------------------------------------------------------
    def add(
        self,
        t_recv: float,
        rr_ms: tuple[float, ...] | list[float],
        contact: bool | None = None,
        rr_raw: tuple[int, ...] | list[int] | None = None,
    ) -> list[Update]:
        """Feed one notification received at ``t_recv`` (s); returns what became final."""
        beats, started = self.timeline.add(t_recv, rr_ms, contact, rr_raw)
        out: list[Update] = []
        if started is not None:
            out.extend(self._end_segment())
            self._buffer.reset(started.t_s - beats[0].rr_ms / 1000.0)
            out.append(started)
        for beat in beats:
            if not beat.usable:
                out.append(BeatUpdate(beat, None, (), ()))
                self.beats_out += 1
                continue
            self._pending.append(beat)
            for c in self._detector.push(beat.rr_ms):
                out.extend(self._classified(c))
        return out

    def mark_gap(self, reason: GapReason = GapReason.CONNECTION_LOST) -> list[Update]:
        """The link was lost: finish the segment's pending beats; the next beat opens a new one."""
        self.timeline.mark_gap(reason)
        return self._end_segment()

    def flush(self) -> list[Update]:
        """End of input: classify the beats still waiting for look-ahead."""
        return self._end_segment()

    # internals -----------------------------------------------------------------------------
    def _end_segment(self) -> list[Update]:
        out: list[Update] = []
        for c in self._detector.flush():
            out.extend(self._classified(c))
        self._detector.reset()
        self._pending.clear()
        return out

    def _accept(self, c: ClassifiedBeat) -> tuple[Beat, ArtifactType, tuple[float, ...]]:
        """Match a classified beat to its timeline beat and add its NN value(s) to the buffer."""
        beat = self._pending.popleft()
        kind = ArtifactType(c.type)
        nn = tuple(float(v) for v in c.nn_ms)
        corrected = kind is not ArtifactType.NORMAL
        # The last NN value ends at this beat; an inserted (missed) beat sits before it.
        t = beat.t_s
        times = []
        for v in reversed(nn):
            times.append(t)
            t -= v / 1000.0
        for tk, v in zip(reversed(times), nn, strict=True):
            self._buffer.append(tk, v, corrected)
        return beat, kind, nn

    def _classified(self, c: ClassifiedBeat) -> list[Update]:
        beat, kind, nn = self._accept(c)
        windows = tuple(self._window(beat.t_s, w, beat.segment, short=True) for w in self.config.short_windows_s)
        out: list[Update] = [BeatUpdate(beat, kind, nn, windows)]
        self.beats_out += 1
        if self._next_metrics_t is None:
            # The cadence counts from the first beat, not from the clock's origin, so a replay
            # of a recording (times shifted) computes its metrics at the same beats.
            self._origin = beat.t_s
            self._next_metrics_t = beat.t_s
        if beat.t_s >= self._next_metrics_t:
            cad = self.config.cadence_s
            self._next_metrics_t = self._origin + (math.floor((beat.t_s - self._origin) / cad) + 1) * cad
            out.append(
                MetricsUpdate(
                    beat.t_s,
                    self._window(beat.t_s, self.config.long_window_s, beat.segment, short=False),
                    self._coherence(beat.t_s, beat.segment),
                )
            )
        return out

    def _coverage_reason(self, t_end: float, window_s: float) -> str | None:
        start = self._buffer.segment_start
        covered = t_end - start if start is not None else 0.0
        if covered < self.config.min_coverage * window_s:
            return f"only {covered:.0f} s of contiguous beats in a {window_s:g} s window"
        return None

    def _window(self, t_end: float, window_s: float, segment: int, *, short: bool) -> WindowMetrics:
        nn, corrected = self._buffer.window(t_end, window_s)
        n = int(nn.size)
        share = corrected / n if n else None
        reason = self._coverage_reason(t_end, window_s)
        if reason is None and share is not None and share > self.config.max_corrected_share:
            reason = f"{share:.0%} of the beats were corrected (limit {self.config.max_corrected_share:.0%})"
        if reason is not None or n < 2:
            return WindowMetrics(window_s, t_end, segment, n, share, {}, reason or f"{n} NN interval(s)")
        td = time_domain(nn)
        values: dict[str, float | None] = td.as_dict()
        if short:
            values.pop("HRV_pNN50", None)
        else:
            values.update(frequency_domain(nn, params=self.config.spectral).as_dict())
        return WindowMetrics(window_s, t_end, segment, n, share, values, td.reason)

    def _coherence(self, t_end: float, segment: int) -> WindowMetrics:
        w = self.config.coherence_window_s
        nn, corrected = self._buffer.window(t_end, w)
        n = int(nn.size)
        share = corrected / n if n else None
        reason = self._coverage_reason(t_end, w)
        if reason is not None or n < 8:
            return WindowMetrics(w, t_end, segment, n, share, {}, reason or f"{n} NN interval(s)")
        return WindowMetrics(w, t_end, segment, n, share, coherence(nn).as_dict(), None)
