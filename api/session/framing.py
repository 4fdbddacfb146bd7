"""What a session's clients see: the frames (:mod:`tolerance.api.protocol`) of each value.

One function per value type (``singledispatch``), beside :mod:`.recording`'s rows. Frames are
made once per value and encoded once, whatever the number of clients.
"""

from __future__ import annotations

import math
from functools import singledispatch

from tolerance.hrv import BeatUpdate, MetricsUpdate, WindowMetrics
from tolerance.hrv.arousal import Episode, EpisodeClosed, EpisodeOpened, EpisodeUpdated, Nudge, ZoneChange, ZoneTick
from tolerance.sensors import (
    AccelerometerSample,
    ConnectionEvent,
    DeviceInfo,
    EcgSample,
    HeartRateSample,
    MalformedNotification,
)

from ..protocol import (
    AdherenceFrame,
    BaselineFrame,
    BeatFrame,
    DeviceView,
    EpisodeFrame,
    EventFrame,
    Frame,
    MetricsFrame,
    NudgeFrame,
    PacerFrame,
    ResonanceFrame,
    SampleFrame,
    StatusFrame,
    WindowFrame,
    ZoneFrame,
)
from .activity import ActivitySignal, StreamGap
from .adherence import AdherenceUpdate
from .clock import SessionClock, SessionState
from .pacer import PacerState
from .resonance import ResonanceDone, ResonanceProgress
from .tolerance import BaselineSet, CalibrationUpdate
from .values import EpisodeNote, Marker, PacerChanged, StressTriggered


def window_frame(w: WindowMetrics) -> WindowFrame:
    values = {k: None if v is None or not math.isfinite(v) else v for k, v in w.values.items()}
    return WindowFrame(
        window_s=w.window_s, n_beats=w.n_beats, corrected_share=w.corrected_share, values=values, reason=w.reason
    )


def pacer_frame(state: PacerState, now_utc: float) -> PacerFrame:
    return PacerFrame(
        running=state.running,
        rate_per_min=state.rate_per_min,
        inhale_fraction=state.inhale_fraction,
        epoch_utc=state.epoch_utc,
        server_utc=now_utc,
    )


@singledispatch
def frames_of(value: object, clock: SessionClock, state: SessionState) -> list[Frame]:
    """The frames to publish for ``value``; updates ``state`` (what a joining client is told)."""
    return []


@frames_of.register
def _(value: HeartRateSample, clock: SessionClock, state: SessionState) -> list[Frame]:
    frame = SampleFrame(
        t=clock.rel(value.t_mono), t_utc=value.t_utc, hr_bpm=value.hr_bpm, rr_ms=list(value.rr_ms),
        contact=value.contact,
    )  # fmt: skip
    state.last_sample = frame
    state.counts["notifications"] += 1
    return [frame]


@frames_of.register
def _(value: MalformedNotification, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.counts["notifications"] += 1
    state.counts["malformed"] += 1
    return [StatusFrame(t=clock.rel(value.t_mono), malformed=state.counts["malformed"], detail=value.reason)]


@frames_of.register
def _(value: ConnectionEvent, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.connection = value.state.value
    state.counts["events"] += 1
    return [
        StatusFrame(
            t=clock.rel(value.t_mono), connection=value.state.value, detail=value.detail or None,
            attempt=value.attempt or None,
        )
    ]  # fmt: skip


@frames_of.register
def _(value: ActivitySignal, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.activity_signal = "accelerometer"
    state.counts["events"] += 1
    return [StatusFrame(t=clock.rel(value.t_mono), activity_signal="accelerometer")]


@frames_of.register
def _(value: StreamGap, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.counts["events"] += 1
    what = "repeated" if value.kind == "repeat" else f"lost ({value.missing} samples missing)"
    return [StatusFrame(t=clock.rel(value.t_mono), detail=f"{value.stream} frames {what}")]


@frames_of.register
def _(value: EcgSample, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.counts["ecg"] += 1  # stored, not sent (130 samples a second)
    return []


@frames_of.register
def _(value: AccelerometerSample, clock: SessionClock, state: SessionState) -> list[Frame]:
    # Stored, not sent: 25 samples a second would outweigh everything else on the socket; the
    # activity it carries reaches the page as the zone (moving). ``notifications`` counts the
    # heart-rate ones (about one a second); the accelerometer's frames are counted apart.
    state.counts["accelerometer"] += 1
    return []


@frames_of.register
def _(value: DeviceInfo, clock: SessionClock, state: SessionState) -> list[Frame]:
    device = DeviceView(
        name=value.name, address=value.address, body_location=value.body_location,
        battery_percent=value.battery_percent,
    )  # fmt: skip
    if state.device is not None:  # a battery re-read keeps what the first read found
        device = state.device.model_copy(update={k: v for k, v in device.model_dump().items() if v is not None})
    state.device = device
    state.counts["events"] += 1
    return [StatusFrame(t=clock.rel(value.t_mono), device=device)]


@frames_of.register
def _(value: BeatUpdate, clock: SessionClock, state: SessionState) -> list[Frame]:
    b = value.beat
    frame = BeatFrame(
        index=b.index,
        t=clock.rel(b.t_s),
        t_utc=clock.utc(b.t_s),
        rr_ms=b.rr_ms,
        segment=b.segment,
        contact=b.contact,
        artifact=value.artifact.value if value.artifact is not None else None,
        nn_ms=list(value.nn_ms),
        windows={f"{w.window_s:g}": window_frame(w) for w in value.windows},
    )
    state.history.append(frame)
    state.counts["beats"] += 1
    state.counts["metrics"] += len(value.windows)
    return [frame]


@frames_of.register
def _(value: MetricsUpdate, clock: SessionClock, state: SessionState) -> list[Frame]:
    frame = MetricsFrame(
        t=clock.rel(value.t_s), t_utc=clock.utc(value.t_s), long=window_frame(value.long),
        coherence=window_frame(value.coherence),
    )  # fmt: skip
    state.last_metrics = frame
    state.counts["metrics"] += 2
    return [frame]


@frames_of.register
def _(value: Marker, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.counts["events"] += 1
    return [
        EventFrame(event="marker", t=clock.rel(value.t_mono), t_utc=value.t_utc, text=value.text, source=value.source)
    ]


@frames_of.register
def _(value: PacerChanged, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.counts["events"] += 1
    return [pacer_frame(value.state, value.server_utc)]


# -- the window of tolerance ------------------------------------------------------------------
@frames_of.register
def _(value: ZoneChange, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.zone_since_utc = clock.utc(value.t_s)
    frame = ZoneFrame(
        t=clock.rel(value.t_s), t_utc=clock.utc(value.t_s), arousal=value.arousal, zone=value.zone.value,
        change=True, previous=value.previous.value, since_utc=state.zone_since_utc, within_share=state.within_share,
        baseline=state.baseline_source,
        hr_only=state.zone.hr_only if state.zone is not None else False,  # the session's mode, from its last tick
    )  # fmt: skip
    state.zone = frame
    state.zones.append(frame)
    return [frame]


@frames_of.register
def _(value: ZoneTick, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.within_share = value.within_share
    frame = ZoneFrame(
        t=clock.rel(value.t_s), t_utc=clock.utc(value.t_s), arousal=value.arousal, zone=value.zone.value,
        change=False, since_utc=state.zone_since_utc, within_share=value.within_share, baseline=state.baseline_source,
        hr_only=value.hr_only,
    )  # fmt: skip
    state.zone = frame
    state.zones.append(frame)
    return [frame]


@frames_of.register
def _(value: Nudge, clock: SessionClock, state: SessionState) -> list[Frame]:
    return [NudgeFrame(t=clock.rel(value.t_s), arousal=value.arousal, above_s=value.above_s)]


@frames_of.register
def _(value: BaselineSet, clock: SessionClock, state: SessionState) -> list[Frame]:
    b = value.baseline
    state.baseline_source = value.source
    if b is None:
        frame = BaselineFrame(t=clock.rel(value.t_s), source=value.source)
    else:
        frame = BaselineFrame(
            t=clock.rel(value.t_s), source=b.source, hr_center_bpm=b.hr_center_bpm, hr_spread_bpm=b.hr_spread_bpm,
            rmssd_center_ms=b.rmssd_center_ms, ln_rmssd_spread=b.ln_rmssd_spread,
        )  # fmt: skip
    state.baseline = frame
    return [frame]


@frames_of.register
def _(value: CalibrationUpdate, clock: SessionClock, state: SessionState) -> list[Frame]:
    p = value.progress
    frame = BaselineFrame(
        t=clock.rel(value.t_s), source=state.baseline_source, calibrating=not value.done, progress_s=p.elapsed_s,
        required_s=p.required_s, refused=value.refused,
    )  # fmt: skip
    return [frame]


@frames_of.register
def _(value: EpisodeOpened, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.open_episodes.add(value.index)
    rel = clock.rel
    return [
        EpisodeFrame(
            state="open", index=value.index, t=rel(value.t_s), start_s=rel(value.start_s), arousal=value.arousal
        )
    ]


@frames_of.register
def _(value: EpisodeUpdated, clock: SessionClock, state: SessionState) -> list[Frame]:
    rel = clock.rel
    return [
        EpisodeFrame(
            state="update", index=value.index, t=rel(value.t_s), peak_s=rel(value.peak_s), peak=value.peak,
            area=value.area, arousal=value.arousal,
        )
    ]  # fmt: skip


def episode_frame(e: Episode, t_s: float, clock: SessionClock) -> EpisodeFrame:
    rel = clock.rel
    return EpisodeFrame(
        state="close", index=e.index, t=rel(t_s), start_s=rel(e.start_s), peak_s=rel(e.peak_s), peak=e.peak,
        return_s=None if e.return_s is None else rel(e.return_s), recovery_s=e.recovery_s,
        onset_s=rel(e.onset_s), half_recovery_s=e.half_recovery_s, tau_half_s=e.tau_half_s,
        tau_s=e.fit.tau_s if e.fit else None, r2=e.fit.r2 if e.fit else None,
        tau_low_s=e.fit.tau_low_s if e.fit else None, tau_high_s=e.fit.tau_high_s if e.fit else None,
        logistic=clock.fit(e.logistic.as_dict() if e.logistic else None), area=e.area, breathing=e.breathing,
        activity=e.activity, reactivation_of=e.reactivation_of,
    )  # fmt: skip


@frames_of.register
def _(value: EpisodeClosed, clock: SessionClock, state: SessionState) -> list[Frame]:
    frame = episode_frame(value.episode, value.t_s, clock)
    state.open_episodes.discard(value.episode.index)
    state.episodes.append(frame)
    return [frame]


@frames_of.register
def _(value: EpisodeNote, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.counts["events"] += 1
    return [
        EventFrame(event="note", t=clock.rel(value.t_mono), t_utc=value.t_utc, text=value.text, episode=value.episode)
    ]


@frames_of.register
def _(value: StressTriggered, clock: SessionClock, state: SessionState) -> list[Frame]:
    state.counts["events"] += 1
    text = f"scripted stress: intensity {value.intensity:g}, rise {value.rise_s:g} s, tau {value.tau_s:g} s"
    return [EventFrame(event="stress", t=clock.rel(value.t_mono), t_utc=value.t_utc, text=text, source="trainer")]


@frames_of.register
def _(value: AdherenceUpdate, clock: SessionClock, state: SessionState) -> list[Frame]:
    a = value.adherence
    frame = AdherenceFrame(
        t=clock.rel(value.t_s), rate_per_min=a.rate_per_min, coherence=a.coherence, phase_deg=a.phase_deg,
        power_share=a.power_share, label=str(a.label),
    )  # fmt: skip
    return [frame]


@frames_of.register
def _(value: ResonanceProgress, clock: SessionClock, state: SessionState) -> list[Frame]:
    return [
        ResonanceFrame(
            t=clock.rel(value.t_s), state="step", step=value.step, steps=value.steps, rate_per_min=value.rate_per_min
        )
    ]


@frames_of.register
def _(value: ResonanceDone, clock: SessionClock, state: SessionState) -> list[Frame]:
    if value.result is None:
        return [ResonanceFrame(t=clock.rel(value.t_s), state="refused", detail=value.refused)]
    d = value.result.as_dict()
    return [
        ResonanceFrame(
            t=clock.rel(value.t_s), state="done", chosen_rate_per_min=d["chosen_rate_per_min"], rows=d["rows"],
            criteria_used=d["criteria_used"],
        )
    ]  # fmt: skip
