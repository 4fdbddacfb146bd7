"""Heart-rate sources: BLE straps via bleak, recorded notification logs, and the shared types.

Importing this package does not import bleak; :mod:`tolerance.sensors.ble` does, on use.
"""

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
    "ConnectionEvent",
    "ConnectionFailed",
    "ConnectionState",
    "DeviceInfo",
    "HeartRateMeasurement",
    "HeartRateSample",
    "MalformedNotification",
    "MalformedPayload",
    "ReplayFileError",
    "Sensor",
    "SensorError",
    "SensorItem",
    "StrapNotFound",
    "decode_battery_level",
    "decode_body_sensor_location",
    "decode_hrm",
    "encode_hrm",
    "rr_raw_to_ms",
]
