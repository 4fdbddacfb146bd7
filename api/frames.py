"""Websocket frames: the JSON shapes a client receives and may send (protocol version 1).

Every frame is an object ``{"v": 1, "type": ..., ...}``. Server to client: ``hello`` (on
connect: the session and the protocol), ``sample`` (one notification), ``beat`` (one beat, final
after artifact look-ahead, with its 30/60 s figures), ``metrics`` (5-minute and coherence
figures, every 5 s), ``pacer``, ``status`` (connection, session state, frames dropped for this
client), ``event`` (a stored marker), ``error`` (a bad client frame; the socket stays open).
Client to server: ``marker`` ``{"text": str}``, ``breathing`` ``{"action": "start"|"stop",
"rate_per_min"?: number, "ratio"?: [inhale, exhale]}``, ``ping``.

Times: ``t`` is seconds since the session started (session clock), ``t_utc`` Unix seconds.
"""

from __future__ import annotations

import math
from typing import Any, Final

from tolerance.hrv import BeatUpdate, MetricsUpdate, WindowMetrics
from tolerance.sensors import ConnectionEvent, DeviceInfo, HeartRateSample

PROTOCOL_VERSION: Final = 1
MAX_CLIENT_FRAME_BYTES: Final = 16 * 1024
CLIENT_TYPES: Final = ("marker", "breathing", "ping")


class FrameError(ValueError):
    """A client frame the server refuses; the message goes back in an ``error`` frame."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _clean(v: float | None) -> float | None:
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v


def window_json(w: WindowMetrics) -> dict[str, Any]:
    return {
        "window_s": w.window_s,
        "n_beats": w.n_beats,
        "corrected_share": w.corrected_share,
        "values": {k: _clean(v) for k, v in w.values.items()},
        "reason": w.reason,
    }


def sample_frame(s: HeartRateSample, t0: float) -> dict[str, Any]:
    return {
        "v": PROTOCOL_VERSION,
        "type": "sample",
        "t": s.t_mono - t0,
        "t_utc": s.t_utc,
        "hr_bpm": s.hr_bpm,
        "rr_ms": list(s.rr_ms),
        "contact": s.contact,
    }


def beat_frame(u: BeatUpdate, t0: float, utc_offset: float) -> dict[str, Any]:
    b = u.beat
    return {
        "v": PROTOCOL_VERSION,
        "type": "beat",
        "index": b.index,
        "t": b.t_s - t0,
        "t_utc": b.t_s + utc_offset,
        "rr_ms": b.rr_ms,
        "segment": b.segment,
        "contact": b.contact,
        "artifact": u.artifact.value if u.artifact is not None else None,
        "nn_ms": list(u.nn_ms),
        "windows": {f"{w.window_s:g}": window_json(w) for w in u.windows},
    }


def metrics_frame(u: MetricsUpdate, t0: float, utc_offset: float) -> dict[str, Any]:
    return {
        "v": PROTOCOL_VERSION,
        "type": "metrics",
        "t": u.t_s - t0,
        "t_utc": u.t_s + utc_offset,
        "long": window_json(u.long),
        "coherence": window_json(u.coherence),
    }


def connection_frame(e: ConnectionEvent, t0: float) -> dict[str, Any]:
    return {
        "v": PROTOCOL_VERSION,
        "type": "status",
        "t": e.t_mono - t0,
        "connection": e.state.value,
        "detail": e.detail,
        "attempt": e.attempt,
    }


def device_frame(d: DeviceInfo, t0: float) -> dict[str, Any]:
    return {
        "v": PROTOCOL_VERSION,
        "type": "status",
        "t": d.t_mono - t0,
        "device": {
            "name": d.name,
            "address": d.address,
            "body_location": d.body_location,
            "battery_percent": d.battery_percent,
        },
    }


def error_frame(code: str, message: str) -> dict[str, Any]:
    return {"v": PROTOCOL_VERSION, "type": "error", "code": code, "message": message}


def parse_client_frame(text: str | bytes | None) -> dict[str, Any]:
    """Validate a client frame; raises :class:`FrameError` with a code and a clear message."""
    import json

    if text is None or isinstance(text, bytes):
        raise FrameError("binary", "frames must be JSON text, not binary")
    if len(text) > MAX_CLIENT_FRAME_BYTES:
        raise FrameError("too_large", f"frames are limited to {MAX_CLIENT_FRAME_BYTES} bytes")
    try:
        frame = json.loads(text)
    except ValueError as exc:
        raise FrameError("not_json", f"not valid JSON: {exc}") from None
    if not isinstance(frame, dict):
        raise FrameError("not_object", "a frame must be a JSON object")
    try:
        # JSON escapes can spell lone surrogates ("\udc80"), which no client could be sent back.
        json.dumps(frame, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise FrameError("bad_text", "the frame holds text that is not valid Unicode") from None
    if frame.get("v") != PROTOCOL_VERSION:
        raise FrameError(
            "version", f"unsupported protocol version {frame.get('v')!r}; this server speaks v={PROTOCOL_VERSION}"
        )
    kind = frame.get("type")
    if kind not in CLIENT_TYPES:
        raise FrameError("unknown_type", f"unknown frame type {kind!r}; expected one of {', '.join(CLIENT_TYPES)}")
    if kind == "marker":
        text_ = frame.get("text", "")
        if not isinstance(text_, str) or len(text_) > 500:
            raise FrameError("bad_field", "marker text must be a string of at most 500 characters")
    if kind == "breathing":
        if frame.get("action") not in ("start", "stop"):
            raise FrameError("bad_field", "breathing action must be 'start' or 'stop'")
        rate = frame.get("rate_per_min")
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float)):
            raise FrameError("bad_field", "rate_per_min must be a number")
        ratio = frame.get("ratio")
        if ratio is not None and not (
            isinstance(ratio, list)
            and len(ratio) == 2
            and all(isinstance(x, int | float) and not isinstance(x, bool) for x in ratio)
        ):
            raise FrameError("bad_field", "ratio must be two numbers, [inhale, exhale]")
    return frame
