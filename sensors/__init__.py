"""Heart-rate sources: BLE straps via bleak, recorded notification logs, and the shared types.

Importing this package imports neither bleak nor asyncio: the sources (``BleStrap``,
``ReplaySource``, ``scan`` ...) load on first use, so ``tolerance decode`` starts in tens of
milliseconds.
"""

from typing import TYPE_CHECKING, Any

from .errors import (
    AdapterUnavailable,
    ConnectionFailed,
    MalformedPayload,
    ReplayFileError,
    SensorError,
    StrapNotFound,
)
from .heart_rate import decode_battery_level, decode_body_sensor_location, decode_hrm, encode_hrm
from .samples import (
    PMD_STREAM,
    AccelerometerSample,
    ActivityEvent,
    ConnectionEvent,
    ConnectionState,
    DeviceInfo,
    EcgSample,
    HeartRateMeasurement,
    HeartRateSample,
    MalformedNotification,
    SensorItem,
    rr_raw_to_ms,
)
from .source import Sensor

if TYPE_CHECKING:
    from .ble import Backoff, BleStrap, FailureKind, FoundStrap, LinkStats, scan
    from .polar import EcgFrame, decode_control_point, decode_ecg_frame
    from .replay import LogRecord, NotificationLogWriter, ReplaySource, log_header, log_line, read_log, write_log

_LAZY = {
    "BleStrap": "ble",
    "FoundStrap": "ble",
    "scan": "ble",
    "Backoff": "ble",
    "FailureKind": "ble",
    "LinkStats": "ble",
    "EcgFrame": "polar",
    "decode_control_point": "polar",
    "decode_ecg_frame": "polar",
    "LogRecord": "replay",
    "log_header": "replay",
    "log_line": "replay",
    "NotificationLogWriter": "replay",
    "ReplaySource": "replay",
    "read_log": "replay",
    "write_log": "replay",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "PMD_STREAM",
    "AccelerometerSample",
    "ActivityEvent",
    "AdapterUnavailable",
    "Backoff",
    "BleStrap",
    "ConnectionEvent",
    "ConnectionFailed",
    "ConnectionState",
    "DeviceInfo",
    "EcgFrame",
    "EcgSample",
    "FailureKind",
    "FoundStrap",
    "HeartRateMeasurement",
    "HeartRateSample",
    "LinkStats",
    "MalformedNotification",
    "MalformedPayload",
    "LogRecord",
    "NotificationLogWriter",
    "ReplayFileError",
    "ReplaySource",
    "Sensor",
    "SensorError",
    "SensorItem",
    "StrapNotFound",
    "decode_battery_level",
    "decode_body_sensor_location",
    "decode_control_point",
    "decode_ecg_frame",
    "decode_hrm",
    "encode_hrm",
    "read_log",
    "rr_raw_to_ms",
    "scan",
    "log_header",
    "log_line",
    "write_log",
]
