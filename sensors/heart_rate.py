"""Decoding (and, for simulators and tests, encoding) of the Heart Rate Service characteristics.

Heart Rate Measurement, 0x2A37 (Bluetooth SIG, Heart Rate Service 1.0, little-endian)::

    byte 0      flags
                  bit 0  HR value format: 0 = uint8, 1 = uint16
                  bit 1  sensor contact detected (meaningful only when bit 2 is set)
                  bit 2  sensor contact supported
                  bit 3  energy expended present (uint16, kJ)
                  bit 4  RR intervals present
                  bits 5-7 reserved (ignored)
    byte 1..    HR: uint8, or uint16 when bit 0 is set
    then        energy expended: uint16 kJ, when bit 3 is set
    then        RR intervals: uint16 each, 1/1024 s, until the end of the payload, when bit 4 is set

Body Sensor Location, 0x2A38: one uint8 (0 other, 1 chest, 2 wrist, 3 finger, 4 hand,
5 ear lobe, 6 foot). Battery Level, 0x2A19: one uint8, percent (0-100).
"""

from __future__ import annotations

import struct
from typing import Final

from .errors import MalformedPayload
from .samples import HeartRateMeasurement

_HR_UINT16: Final = 0x01
_CONTACT_DETECTED: Final = 0x02
_CONTACT_SUPPORTED: Final = 0x04
_ENERGY_PRESENT: Final = 0x08
_RR_PRESENT: Final = 0x10

BODY_SENSOR_LOCATIONS: Final = ("other", "chest", "wrist", "finger", "hand", "ear lobe", "foot")


def decode_hrm(payload: bytes | bytearray | memoryview) -> HeartRateMeasurement:
    """Decode one Heart Rate Measurement (0x2A37) notification.

    Raises
    ------
    MalformedPayload
        When the payload is empty, shorter than its flags announce, or its RR field is not a
        whole number of uint16 values. Nothing else is raised, whatever the bytes.
    """
    data = bytes(payload)
    if not data:
        raise MalformedPayload("empty payload (no flags byte)", data)
    flags = data[0]
    pos = 1
    if flags & _HR_UINT16:
        if len(data) < pos + 2:
            raise MalformedPayload(f"flags say uint16 heart rate but only {len(data) - pos} byte(s) follow", data)
        (hr,) = struct.unpack_from("<H", data, pos)
        pos += 2
    else:
        if len(data) < pos + 1:
            raise MalformedPayload("no heart-rate byte after the flags", data)
        hr = data[pos]
        pos += 1
    contact: bool | None = bool(flags & _CONTACT_DETECTED) if flags & _CONTACT_SUPPORTED else None
    energy: int | None = None
    if flags & _ENERGY_PRESENT:
        if len(data) < pos + 2:
            raise MalformedPayload("flags say energy expended is present but the payload ends", data)
        (energy,) = struct.unpack_from("<H", data, pos)
        pos += 2
    rr: tuple[int, ...] = ()
    rest = len(data) - pos
    if flags & _RR_PRESENT:
        if rest % 2:
            raise MalformedPayload(f"RR field has an odd number of bytes ({rest})", data)
        rr = struct.unpack_from(f"<{rest // 2}H", data, pos)
    # Without the RR flag, trailing bytes are ignored rather than refused: the HR is still
    # good, and the raw payload is kept by storage anyway.
    return HeartRateMeasurement(hr_bpm=hr, rr_raw=tuple(rr), contact=contact, energy_kj=energy)


def encode_hrm(m: HeartRateMeasurement, *, hr_uint16: bool | None = None, rr_flag: bool | None = None) -> bytes:
    """Encode a measurement as a strap would send it (the inverse of :func:`decode_hrm`).

    ``hr_uint16`` forces the HR format (default: uint16 only when HR > 255); ``rr_flag``
    forces the RR-present flag (default: set when there are RR values).
    """
    wide = m.hr_bpm > 255 if hr_uint16 is None else hr_uint16
    if not 0 <= m.hr_bpm <= (0xFFFF if wide else 0xFF):
        raise ValueError(f"heart rate {m.hr_bpm} does not fit the chosen format")
    flags = 0
    body = bytearray()
    if wide:
        flags |= _HR_UINT16
        body += struct.pack("<H", m.hr_bpm)
    else:
        body.append(m.hr_bpm)
    if m.contact is not None:
        flags |= _CONTACT_SUPPORTED | (_CONTACT_DETECTED if m.contact else 0)
    if m.energy_kj is not None:
        flags |= _ENERGY_PRESENT
        body += struct.pack("<H", m.energy_kj)
    if rr_flag if rr_flag is not None else bool(m.rr_raw):
        flags |= _RR_PRESENT
        body += struct.pack(f"<{len(m.rr_raw)}H", *m.rr_raw)
    return bytes([flags]) + bytes(body)


def decode_body_sensor_location(payload: bytes | bytearray) -> str:
    """Decode Body Sensor Location (0x2A38) to a name ("chest", "wrist", ...)."""
    data = bytes(payload)
    if len(data) != 1:
        raise MalformedPayload(f"expected 1 byte, got {len(data)}", data, "0x2A38")
    code = data[0]
    return BODY_SENSOR_LOCATIONS[code] if code < len(BODY_SENSOR_LOCATIONS) else f"reserved ({code})"


def decode_battery_level(payload: bytes | bytearray) -> int:
    """Decode Battery Level (0x2A19): percent, 0-100."""
    data = bytes(payload)
    if len(data) != 1:
        raise MalformedPayload(f"expected 1 byte, got {len(data)}", data, "0x2A19")
    if data[0] > 100:
        raise MalformedPayload(f"battery level {data[0]} % is above 100", data, "0x2A19")
    return data[0]
