"""Client commands: the same models validate a websocket frame and a REST request body.

On the websocket a command is a frame ``{"v": 1, "type": "marker" | "breathing" | "stop" |
"ping", ...}``; over REST the route's body is the same model (``v`` and ``type`` may be left
out there, the route names the command). So a command refused on one path is refused on the
other, with the same message.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from .codes import MAX_CLIENT_FRAME_BYTES, MAX_JSON_DEPTH, PROTOCOL_VERSION, ClientCommand, ErrorCode

MAX_MARKER_CHARS = 500
MAX_NOTE_CHARS = 2000
RATE_MIN_PER_MIN = 3.0
RATE_MAX_PER_MIN = 12.0
CALIBRATION_MIN_S = 180.0
"""A calibration spans at least 3 minutes of seated rest (DESIGN.md); its first minute fills the 60 s window."""
CALIBRATION_MAX_S = 1800.0


class FrameError(ValueError):
    """A client frame the server refuses; the message goes back in an ``error`` frame."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _valid_unicode(v: str) -> str:
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text is not valid Unicode") from None
    return v


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = PROTOCOL_VERSION

    @field_validator("v", mode="before")
    @classmethod
    def _integer_version(cls, v: Any) -> Any:
        if type(v) is not int:  # True == 1 and 1.0 == 1 in Python; the protocol says the integer 1
            raise ValueError(f"the protocol version must be the integer {PROTOCOL_VERSION}")
        return v


class MarkerCommand(Command):
    """A marker at 'now' on the session clock: a one-tap "noticed", or a short note."""

    type: Literal["marker"] = "marker"
    text: Annotated[str, Field(max_length=MAX_MARKER_CHARS)] = ""

    _unicode = field_validator("text")(classmethod(lambda cls, v: _valid_unicode(v)))


def _strict_number(v: Any) -> Any:
    if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
        raise ValueError("must be a number")
    return v


class BreathingCommand(Command):
    """Start (or change) or stop the session's breathing guide."""

    type: Literal["breathing"] = "breathing"
    action: Literal["start", "stop"]
    rate_per_min: Annotated[float | None, Field(ge=RATE_MIN_PER_MIN, le=RATE_MAX_PER_MIN)] = None
    ratio: tuple[Annotated[float, Field(gt=0)], Annotated[float, Field(gt=0)]] | None = Field(
        None, description="inhale:exhale, e.g. [4, 6]; the in-breath takes 20-80 % of a breath"
    )

    _number = field_validator("rate_per_min", mode="before")(classmethod(lambda cls, v: _strict_number(v)))

    @field_validator("ratio", mode="before")
    @classmethod
    def _numbers(cls, v: Any) -> Any:
        if v is not None and not (isinstance(v, list | tuple) and all(_strict_number(x) is x for x in v)):
            raise ValueError("ratio must be two numbers, [inhale, exhale]")
        return v


class StopCommand(Command):
    """End the session (its source is closed; what was recorded stays)."""

    type: Literal["stop"] = "stop"


class CalibrateCommand(Command):
    """Start a personal calibration now: sit still and breathe normally for ``duration_s``."""

    type: Literal["calibrate"] = "calibrate"
    duration_s: Annotated[float, Field(ge=CALIBRATION_MIN_S, le=CALIBRATION_MAX_S)] = 240.0


class StressCommand(Command):
    """A scripted stress event on a *simulated* participant, now (demos: arousal rising and falling)."""

    type: Literal["stress"] = "stress"
    intensity: Annotated[
        float, Field(gt=0, le=2.0, description="arousal at the peak (1: the scenario's full event)")
    ] = 1.0
    rise_s: Annotated[float, Field(ge=5, le=300)] = 20.0
    tau_s: Annotated[float, Field(ge=10, le=900, description="recovery time constant, s")] = 60.0


class NoteCommand(Command):
    """A short note on an episode: what happened; what I told myself before, during and after."""

    type: Literal["note"] = "note"
    episode: Annotated[int, Field(ge=0)]
    text: Annotated[str, Field(min_length=1, max_length=MAX_NOTE_CHARS)]

    _unicode = field_validator("text")(classmethod(lambda cls, v: _valid_unicode(v)))


class AssessResonanceCommand(Command):
    """Run the resonance-frequency assessment (Lehrer): the guide steps through the rates."""

    type: Literal["assess_resonance"] = "assess_resonance"
    rates_per_min: tuple[Annotated[float, Field(ge=RATE_MIN_PER_MIN, le=RATE_MAX_PER_MIN)], ...] = Field(
        (6.5, 6.0, 5.5, 5.0, 4.5), min_length=2, max_length=8
    )
    step_s: Annotated[float, Field(ge=60, le=600)] = 120.0


class PingCommand(Command):
    type: Literal["ping"] = "ping"


ClientCommandModel = (
    MarkerCommand
    | BreathingCommand
    | StopCommand
    | PingCommand
    | CalibrateCommand
    | StressCommand
    | NoteCommand
    | AssessResonanceCommand
)
AnyCommand = Annotated[ClientCommandModel, Field(discriminator="type")]
_ADAPTER: TypeAdapter[ClientCommandModel] = TypeAdapter(AnyCommand)


def _depth(obj: Any, limit: int) -> bool:
    """True if ``obj`` nests deeper than ``limit`` (iterative: no recursion on hostile input)."""
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, dict | list):
            if d > limit:
                return True
            stack.extend((x, d + 1) for x in (o.values() if isinstance(o, dict) else o))
    return False


def describe(exc: ValidationError) -> str:
    """One line a person can act on, from pydantic's errors (never echoing the input)."""
    parts = []
    for e in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(x) for x in e.get("loc", ()) if not isinstance(x, int) or len(e["loc"]) > 1)
        parts.append(f"{loc}: {e.get('msg', '')}" if loc else e.get("msg", ""))
    return "; ".join(parts)


def parse_client_frame(text: str | bytes | None) -> ClientCommandModel:
    """Validate a websocket frame; raises :class:`FrameError` with a code and a clear message."""
    if text is None or isinstance(text, bytes):
        raise FrameError(ErrorCode.BINARY, "frames must be JSON text, not binary")
    if len(text) > MAX_CLIENT_FRAME_BYTES:
        raise FrameError(ErrorCode.TOO_LARGE, f"frames are limited to {MAX_CLIENT_FRAME_BYTES} bytes")
    try:
        frame = json.loads(text)
    except RecursionError:
        raise FrameError(ErrorCode.TOO_DEEP, f"frames may nest at most {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise FrameError(ErrorCode.NOT_JSON, f"not valid JSON: {exc}") from None
    if not isinstance(frame, dict):
        raise FrameError(ErrorCode.NOT_OBJECT, "a frame must be a JSON object")
    if _depth(frame, MAX_JSON_DEPTH):
        raise FrameError(ErrorCode.TOO_DEEP, f"frames may nest at most {MAX_JSON_DEPTH} levels")
    try:
        # JSON escapes can spell lone surrogates ("\udc80"), which no client could be sent back.
        json.dumps(frame, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise FrameError(ErrorCode.BAD_TEXT, "the frame holds text that is not valid Unicode") from None
    version = frame.get("v")
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise FrameError(
            ErrorCode.VERSION, f"unsupported protocol version {version!r}; this server speaks v={PROTOCOL_VERSION}"
        )
    kind = frame.get("type")
    if kind not in tuple(ClientCommand):
        known = ", ".join(c.value for c in ClientCommand)
        raise FrameError(ErrorCode.UNKNOWN_TYPE, f"unknown frame type {kind!r}; expected one of {known}")
    try:
        return _ADAPTER.validate_python(frame)
    except ValidationError as exc:
        raise FrameError(ErrorCode.BAD_FIELD, describe(exc)) from None
