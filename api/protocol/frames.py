"""Server-to-client websocket frames (protocol version 1): one pydantic model per frame type.

Every frame is an object ``{"v": 1, "type": ..., ...}``:

* ``hello`` on connect: the session (as ``GET /api/sessions/{id}`` gives it) and the last
  beats (``history``), so a late client's traces start full;
* ``sample``: one notification as received; ``beat``: one beat, final after the artifact
  look-ahead, with its 30/60 s figures; ``metrics``: the 5-minute and coherence figures, every
  5 s of beat time;
* ``pacer``: the breathing guide's clock; ``status``: connection, device, session state, or
  frames dropped for this client (only the fields that changed are present);
* ``event``: a stored marker; ``error``: a refused client frame (the socket stays open);
  ``pong``: the answer to ``ping``.

Times: ``t`` is seconds since the session started (session clock), ``t_utc`` Unix seconds.
Figures use neurokit2's names and units (README, *HRV definitions*); ``null`` is no number,
with the window's ``reason``. A frame is encoded to JSON once and fanned out as text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .codes import PROTOCOL_VERSION, ErrorCode


class Frame(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    v: Literal[1] = PROTOCOL_VERSION

    def encode(self) -> str:
        return self.model_dump_json()


class WindowFrame(BaseModel):
    """Figures of one window ending at the frame's time."""

    model_config = ConfigDict(frozen=True)

    window_s: float = Field(description="window length, s")
    n_beats: int = Field(description="NN intervals in the window")
    corrected_share: float | None = Field(description="share of the window's beats the artifact detector corrected")
    values: dict[str, float | None] = Field(description="figures by neurokit2 name (HR bpm; HRV_* ms, ms², %)")
    reason: str | None = Field(None, description="why the window gives no numbers, if it does not")


class SampleFrame(Frame):
    type: Literal["sample"] = "sample"
    t: float
    t_utc: float
    hr_bpm: int
    rr_ms: list[float]
    contact: bool | None


class BeatFrame(Frame):
    type: Literal["beat"] = "beat"
    index: int
    t: float
    t_utc: float
    rr_ms: float
    segment: int
    contact: bool | None
    artifact: str | None = Field(description="normal, ectopic, missed, extra, long, short; null without contact")
    nn_ms: list[float]
    windows: dict[str, WindowFrame] = Field(description="the 30 s and 60 s windows ending at this beat, by length")


class MetricsFrame(Frame):
    type: Literal["metrics"] = "metrics"
    t: float
    t_utc: float
    long: WindowFrame
    coherence: WindowFrame


class PacerFrame(Frame):
    """The guide's clock: ``phase = ((now + offset - epoch_utc) * rate_per_min / 60) mod 1``,
    where ``offset`` is the client's estimate of server minus client clock from ``server_utc``."""

    type: Literal["pacer"] = "pacer"
    running: bool
    rate_per_min: float
    inhale_fraction: float
    epoch_utc: float
    server_utc: float


class DeviceView(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str | None = None
    address: str | None = None
    body_location: str | None = None
    battery_percent: int | None = None


class StatusFrame(Frame):
    """A change of state; only the fields that changed are sent."""

    type: Literal["status"] = "status"
    t: float | None = None
    connection: str | None = Field(None, description="connecting, connected, lost, reconnecting, closed")
    attempt: int | None = None
    device: DeviceView | None = None
    malformed: int | None = Field(None, description="malformed notifications so far")
    session: str | None = Field(None, description="live, ended, failed")
    dropped_frames: int | None = Field(None, description="frames dropped for this slow client so far")
    activity_signal: Literal["marker", "accelerometer"] | None = Field(
        None,
        description="what tells this session that the worker moves: the strap's accelerometer, or only "
        "the Moving marker (a strap without one)",
    )
    storage: Literal["ok", "full"] | None = Field(
        None, description="full: the disk is full, recording into memory; ok: writing to disk again"
    )
    detail: str | None = None

    def encode(self) -> str:
        return self.model_dump_json(exclude_none=True)


class EventFrame(Frame):
    type: Literal["event"] = "event"
    event: str = Field(description="marker, note (on an episode), stress (a scripted one, simulated straps only)")
    t: float
    t_utc: float
    text: str | None = None
    source: str | None = None
    episode: int | None = None


class ErrorFrame(Frame):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str


class PongFrame(Frame):
    type: Literal["pong"] = "pong"
    server_utc: float


class ZoneFrame(Frame):
    """Where arousal stands against the window: on every change of zone and every 5 s.

    ``arousal`` is the index (z-score units; null without a usable 60 s window), ``zone`` one of
    hypo, within, hyper, activity, unknown, warmup (the first 60 s window filling), learning (a
    provisional baseline learning the person's first minute); ``baseline`` where the personal
    centre and spread come from (``learning``, ``provisional``: learnt from this person's first
    minute, not yet confirmed; ``calibration``, ``range``, ``rolling``). A heuristic, not a
    diagnosis."""

    type: Literal["zone"] = "zone"
    t: float
    t_utc: float
    arousal: float | None
    zone: str
    change: bool = Field(description="true when the zone has just changed (then ``previous`` is set)")
    previous: str | None = None
    since_utc: float | None = Field(
        None, description="when the current zone began (Unix s; the server's, so a reloaded page keeps it)"
    )
    within_share: float | None = Field(None, description="time within / (within + hyper + hypo) so far")
    baseline: str
    hr_only: bool = False


class EpisodeFrame(Frame):
    """A recovery episode, when it opens, as it updates, and when it closes (then with its fits).

    Times are seconds since the session started; ``peak`` in index units, ``area`` index·s above
    the window's upper edge, ``tau_s`` the single-exponential recovery time constant (fitted from
    ``onset_s``) with its 95 % interval ``tau_low_s`` .. ``tau_high_s``."""

    type: Literal["episode"] = "episode"
    state: Literal["open", "update", "close"]
    index: int
    t: float
    start_s: float | None = None
    peak_s: float | None = None
    peak: float | None = None
    return_s: float | None = None
    recovery_s: float | None = None
    onset_s: float | None = None
    half_recovery_s: float | None = Field(None, description="model-free: peak to half its height above the centre, s")
    tau_half_s: float | None = Field(None, description="half_recovery_s / ln 2, s")
    tau_s: float | None = None
    tau_low_s: float | None = Field(None, description="95 % interval of tau, lower end (s)")
    tau_high_s: float | None = Field(None, description="95 % interval of tau, upper end (s); null: unbounded")
    r2: float | None = None
    logistic: dict[str, Any] | None = None
    area: float | None = None
    breathing: bool | None = None
    activity: bool | None = None
    reactivation_of: int | None = None
    arousal: float | None = None


class NudgeFrame(Frame):
    """Arousal has stayed above the window for ``above_s``: paced breathing is offered, gently."""

    type: Literal["nudge"] = "nudge"
    t: float
    arousal: float | None
    above_s: float
    message: str = "You have been above your window for a while. A few slow breaths may help it fall again."


class AdherenceFrame(Frame):
    """Is the heart following the breathing guide? Over the last 60 s, at the pacer's frequency:
    magnitude-squared coherence of HR with the pacer's signal (0-1), HR's phase against it
    (deg), and the share of HR power at that frequency (0-1); ``label`` following / partly /
    not following (thresholds: the data dictionary)."""

    type: Literal["adherence"] = "adherence"
    t: float
    rate_per_min: float
    coherence: float
    phase_deg: float
    power_share: float
    label: str


class ResonanceFrame(Frame):
    """The resonance-frequency assessment: each step as it starts, then the per-rate table and
    the chosen rate (``state`` step / done / refused)."""

    type: Literal["resonance"] = "resonance"
    t: float
    state: Literal["step", "done", "refused"]
    step: int | None = None
    steps: int | None = None
    rate_per_min: float | None = None
    chosen_rate_per_min: float | None = None
    rows: list[dict[str, Any]] | None = None
    criteria_used: list[str] | None = None
    detail: str | None = None


class BaselineFrame(Frame):
    """The baseline in use, or a calibration's progress or refusal (``detail`` says why)."""

    type: Literal["baseline"] = "baseline"
    t: float
    source: str = Field(
        description="learning (a provisional baseline is being learnt), provisional, calibration, range, rolling, "
        "population"
    )
    hr_center_bpm: float | None = None
    hr_spread_bpm: float | None = None
    rmssd_center_ms: float | None = None
    ln_rmssd_spread: float | None = None
    calibrating: bool = False
    progress_s: float | None = None
    required_s: float | None = None
    refused: str | None = None


class SessionView(BaseModel):
    """A session as the API shows it: the stored row, with its live state while it runs."""

    model_config = ConfigDict(frozen=True)

    id: str
    created_utc: float
    ended_utc: float | None
    status: str = Field(description="live, ended, failed, interrupted")
    status_detail: str | None
    source_kind: str = Field(description="sim, ble, replay")
    source_id: str
    label: str | None
    profile_id: str | None = None
    params: dict[str, Any]
    connection: str | None = None


class LiveView(SessionView):
    device: DeviceView | None = None
    activity_signal: Literal["marker", "accelerometer"] = Field(
        "marker", description="accelerometer once the strap's first accelerometer frame came, else marker"
    )
    counts: dict[str, int] = Field(default_factory=dict)
    last_sample: SampleFrame | None = None
    last_metrics: MetricsFrame | None = None
    pacer: PacerFrame | None = None
    engine: dict[str, Any] = Field(default_factory=dict)
    stored: dict[str, int] | None = None


class HelloFrame(Frame):
    type: Literal["hello"] = "hello"
    session: LiveView
    history: list[BeatFrame]
    zone: ZoneFrame | None = None
    zones: list[ZoneFrame] = Field(
        default_factory=list, description="recent zone frames, oldest first (the arousal chart's last minutes)"
    )
    baseline: BaselineFrame | None = None
    episodes: list[EpisodeFrame] = Field(default_factory=list, description="this session's closed episodes")


ServerFrameModel = (
    HelloFrame
    | SampleFrame
    | BeatFrame
    | MetricsFrame
    | PacerFrame
    | StatusFrame
    | EventFrame
    | ErrorFrame
    | PongFrame
    | ZoneFrame
    | EpisodeFrame
    | NudgeFrame
    | BaselineFrame
)
