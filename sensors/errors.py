"""Errors of the sensors package.

SensorError
 ├── MalformedPayload      a notification or characteristic value that does not decode
 ├── AdapterUnavailable    no Bluetooth adapter, or it is off / not permitted
 ├── StrapNotFound         no strap matched the name or address within the scan time
 ├── ConnectionFailed      connecting failed after every retry
 └── ReplayFileError       a recorded notification log that cannot be read
"""

from __future__ import annotations


class SensorError(Exception):
    """Root of every error a heart-rate source raises; ``advice`` is for the user."""

    advice: str = ""


class MalformedPayload(SensorError, ValueError):
    """A payload that does not follow the characteristic's layout.

    ``payload`` holds the bytes as received, ``reason`` says what is wrong in words a user
    can act on (e.g. "RR field has an odd number of bytes (3)").
    """

    def __init__(self, reason: str, payload: bytes, characteristic: str = "0x2A37") -> None:
        self.reason = reason
        self.payload = bytes(payload)
        self.characteristic = characteristic
        super().__init__(f"malformed {characteristic} payload {self.payload.hex() or '(empty)'}: {reason}")


class AdapterUnavailable(SensorError):
    """No Bluetooth stack to talk to; ``reason`` says what the stack (or its absence) said."""

    advice = (
        "No usable Bluetooth adapter was found. Check that the machine has Bluetooth, that it is "
        "switched on (bluetoothctl power on) and that this user may use it; or run with --sim."
    )

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Bluetooth is not available: {reason}")


class StrapNotFound(SensorError):
    advice = (
        "No heart-rate strap answered. Moisten the strap's electrodes and put it on (most straps "
        "only advertise while worn), make sure no other app (phone, watch) is connected to it, "
        "then run `tolerance scan`."
    )

    def __init__(self, wanted: str, scanned_s: float) -> None:
        self.wanted = wanted
        self.scanned_s = scanned_s
        super().__init__(f"no strap matching {wanted!r} advertised the Heart Rate Service in {scanned_s:g} s")


class ConnectionFailed(SensorError):
    advice = "The strap was seen but the connection failed repeatedly; move it closer and retry."

    def __init__(self, address: str, attempts: int, last_error: str) -> None:
        self.address = address
        self.attempts = attempts
        self.last_error = last_error
        super().__init__(f"could not connect to {address} after {attempts} attempts: {last_error}")


class ReplayFileError(SensorError, ValueError):
    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(f"{path}, line {line}: {reason}")
