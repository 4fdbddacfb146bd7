"""BLE heart-rate straps through bleak: the strap (:mod:`.strap`), scanning (:mod:`.scan`) and
the reconnection policy (:mod:`.reconnect`) and a Polar H10's PMD streams (:mod:`.pmd`).

Importing this package does not import bleak: bleak and bleak-retry-connector are imported
inside the functions that talk to the stack.
"""

from .pmd import PmdOptions, PmdStream, decode_pmd_notification, start_pmd
from .reconnect import Backoff, FailureKind, LinkStats
from .scan import (
    BATTERY_LEVEL,
    BODY_SENSOR_LOCATION,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    FoundStrap,
    Scanner,
    adapter_unavailable,
    scan,
)
from .strap import BleStrap

__all__ = [
    "BATTERY_LEVEL",
    "BODY_SENSOR_LOCATION",
    "HEART_RATE_MEASUREMENT",
    "HEART_RATE_SERVICE",
    "Backoff",
    "BleStrap",
    "FailureKind",
    "FoundStrap",
    "LinkStats",
    "PmdOptions",
    "PmdStream",
    "Scanner",
    "adapter_unavailable",
    "decode_pmd_notification",
    "scan",
    "start_pmd",
]
