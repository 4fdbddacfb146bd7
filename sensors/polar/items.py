"""A PMD data frame as a source item: the one decoder that live straps and replays share."""

from __future__ import annotations

from ..errors import MalformedPayload
from ..samples import PMD_STREAM, AccelerometerSample, EcgSample, MalformedNotification
from .acc import decode_acc_frame
from .pmd import MEASUREMENT_TYPE_ECG, decode_ecg_frame

__all__ = ["pmd_item"]

_MEASUREMENT_TYPE_MASK = 0x3F


def pmd_item(
    payload: bytes, *, source: str, t_mono: float, t_utc: float, rate_hz: float, factor: float = 1.0
) -> AccelerometerSample | EcgSample | MalformedNotification:
    """Decode a PMD data frame by its measurement type (accelerometer or ECG) at the rate and
    scale factor its stream was started with; anything refused is a MalformedNotification
    (``stream="pmd"``) carrying the reason, never an exception."""
    try:
        mtype = payload[0] & _MEASUREMENT_TYPE_MASK if payload else None
        if mtype == MEASUREMENT_TYPE_ECG:
            ecg = decode_ecg_frame(payload)
            return EcgSample(source, t_mono, t_utc, rate_hz, ecg.timestamp_ns, ecg.samples_uv, payload)
        acc = decode_acc_frame(payload, factor)  # refuses an empty payload or any other type
        return AccelerometerSample(source, t_mono, t_utc, rate_hz, acc.timestamp_ns, acc.samples_mg, payload, factor)
    except MalformedPayload as exc:
        return MalformedNotification(source, t_mono, t_utc, payload, exc.reason, PMD_STREAM, rate_hz)
