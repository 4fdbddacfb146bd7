"""Scanning for heart-rate straps, and telling "no Bluetooth here" apart from other errors.

Like :mod:`tolerance.sensors.ble.strap`, importing this module does not import bleak; the
functions do, on use.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from ..errors import AdapterUnavailable, SensorError

__all__ = [
    "BATTERY_LEVEL",
    "BODY_SENSOR_LOCATION",
    "HEART_RATE_MEASUREMENT",
    "HEART_RATE_SERVICE",
    "FoundStrap",
    "Scanner",
    "adapter_unavailable",
    "run_scan",
    "scan",
]

HEART_RATE_SERVICE: Final = "0000180d-0000-1000-8000-00805f9b34fb"
HEART_RATE_MEASUREMENT: Final = "00002a37-0000-1000-8000-00805f9b34fb"
BODY_SENSOR_LOCATION: Final = "00002a38-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL: Final = "00002a19-0000-1000-8000-00805f9b34fb"

_SCAN_STACK_GRACE_S: Final = 10.0  # extra time for the stack to start/stop a scan (D-Bus can stall)
# D-Bus errors that mean "no usable adapter" rather than "this strap failed".
_ADAPTER_DBUS_ERRORS: Final = frozenset(
    {
        "org.freedesktop.DBus.Error.ServiceUnknown",  # bluetoothd not running
        "org.freedesktop.DBus.Error.AccessDenied",
        "org.bluez.Error.NotReady",  # adapter powered off
    }
)

Scanner = Callable[..., Any]
"""``scanner(detection_callback=cb, service_uuids=[...])`` -> async context manager that calls
``cb(device, advertisement)`` while entered: ``bleak.BleakScanner`` or a fake."""


@dataclass(frozen=True, slots=True)
class FoundStrap:
    """A strap seen advertising the Heart Rate Service; ``rssi`` in dBm (None if unknown)."""

    name: str | None
    address: str
    rssi: int | None


def adapter_unavailable(exc: BaseException) -> AdapterUnavailable | None:
    """Return an :class:`AdapterUnavailable` if ``exc`` means "no Bluetooth here", else None.

    On Linux without BlueZ's D-Bus socket bleak lets ``FileNotFoundError`` through (checked on
    bleak 3.1); without an adapter it raises ``BleakBluetoothNotAvailableError``.
    """
    if isinstance(exc, AdapterUnavailable):
        return exc
    if isinstance(exc, FileNotFoundError | ConnectionRefusedError | PermissionError):
        return AdapterUnavailable(
            f"cannot reach BlueZ (the Linux Bluetooth service) over the system D-Bus: {exc.strerror or exc}"
        )
    from bleak.exc import BleakBluetoothNotAvailableError, BleakDBusError, BleakError

    if isinstance(exc, BleakBluetoothNotAvailableError):
        return AdapterUnavailable(str(exc) or type(exc).__name__)
    if isinstance(exc, BleakDBusError) and exc.dbus_error in _ADAPTER_DBUS_ERRORS:
        return AdapterUnavailable(f"{exc.dbus_error}: {exc.dbus_error_details or ''}".rstrip(": "))
    if isinstance(exc, BleakError):
        text = str(exc).lower()
        if (
            "no bluetooth adapter" in text
            or ("adapter" in text and "not found" in text)
            or any(w in text for w in ("turned off", "powered off", "unauthorized"))
        ):
            return AdapterUnavailable(str(exc))
    return None


async def run_scan(
    scanner: Scanner, timeout_s: float, stop_when: Callable[[Any, Any], bool] | None = None
) -> dict[str, tuple[Any, Any]]:
    """Scan for up to ``timeout_s`` (less if ``stop_when`` matches); address -> (device, adv)."""
    seen: dict[str, tuple[Any, Any]] = {}
    done = asyncio.Event()

    def on_advertisement(device: Any, adv: Any) -> None:
        # A callback of the stack: only record (STYLE §5).
        seen[device.address] = (device, adv)
        if stop_when is not None and stop_when(device, adv):
            done.set()

    try:
        async with asyncio.timeout(timeout_s + _SCAN_STACK_GRACE_S):
            async with scanner(detection_callback=on_advertisement, service_uuids=[HEART_RATE_SERVICE]):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), timeout_s)
    except TimeoutError as exc:
        raise AdapterUnavailable(
            f"the Bluetooth stack did not start or stop a scan within {_SCAN_STACK_GRACE_S:g} s"
        ) from exc
    except SensorError:
        raise
    except Exception as exc:
        if (unavailable := adapter_unavailable(exc)) is not None:
            raise unavailable from exc
        raise
    return seen


def _advertises_hrs(adv: Any) -> bool:
    uuids = {str(u).lower() for u in (getattr(adv, "service_uuids", None) or ())}
    # The OS filter already asked for 0x180D; an advertisement without a UUID list is kept.
    return not uuids or HEART_RATE_SERVICE in uuids


async def scan(timeout_s: float = 8.0, *, scanner_factory: Scanner | None = None) -> list[FoundStrap]:
    """List straps advertising the Heart Rate Service, strongest signal first.

    Raises :class:`AdapterUnavailable` (with advice) when there is no usable Bluetooth.
    """
    if scanner_factory is None:
        from bleak import BleakScanner

        scanner_factory = BleakScanner
    seen = await run_scan(scanner_factory, timeout_s)
    found = [
        FoundStrap(
            name=getattr(adv, "local_name", None) or device.name,
            address=device.address,
            rssi=getattr(adv, "rssi", None),
        )
        for device, adv in seen.values()
        if _advertises_hrs(adv)
    ]
    return sorted(found, key=lambda s: (s.rssi is None, -(s.rssi or 0), s.address))
