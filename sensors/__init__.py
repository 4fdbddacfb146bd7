"""Heart-rate sources: BLE straps via bleak, recorded notification logs, and the shared types.

Importing this package does not import bleak: :mod:`tolerance.sensors.ble` imports it inside
the functions that talk to the Bluetooth stack, on first use.
"""

from .ble import BleStrap, FoundStrap, scan
from .errors import (
    AdapterUnavailable,
    ConnectionFailed,
    MalformedPayload,
    ReplayFileError,
    SensorError,
    StrapNotFound,
)
from .heart_rate import decode_battery_level, decode_body_sensor_location, decode_hrm, encode_hrm
from .reconnect import Backoff, FailureKind, LinkStats
from .replay import NotificationLogWriter, ReplaySource, read_log, write_log
from .samples import (
    ConnectionEvent,
    ConnectionState,
    DeviceInfo,
    HeartRateMeasurement,
    HeartRateSample,
    MalformedNotification,
    SensorItem,
    rr_raw_to_ms,
)
from .source import Sensor

__all__ = [
    "AdapterUnavailable",
    "Backoff",
    "BleStrap",
    "ConnectionEvent",
    "ConnectionFailed",
    "ConnectionState",
    "DeviceInfo",
    "FailureKind",
    "FoundStrap",
    "HeartRateMeasurement",
    "HeartRateSample",
    "LinkStats",
    "MalformedNotification",
    "MalformedPayload",
    "NotificationLogWriter",
    "ReplayFileError",
    "ReplaySource",
    "Sensor",
    "SensorError",
    "SensorItem",
    "StrapNotFound",
    "decode_battery_level",
    "decode_body_sensor_location",
    "decode_hrm",
    "encode_hrm",
    "read_log",
    "rr_raw_to_ms",
    "scan",
    "write_log",
]
