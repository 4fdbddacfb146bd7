"""Polar Measurement Data (PMD): raw ECG from a Polar H10, as pure functions of bytes.

Optional and not wired in: nothing here talks to Bluetooth (no bleak import). A caller
subscribes to the control point and data characteristics, writes :data:`ECG_START_H10`,
checks the indicated answer with :func:`decode_control_point` and feeds each data
notification to :func:`decode_ecg_frame`.

GATT (Polar, proprietary 128-bit UUIDs)::

    PMD service        FB005C80-02E7-F387-1CAD-8ACD2D8DF0C8
    control point      FB005C81-02E7-F387-1CAD-8ACD2D8DF0C8   read (features), write, indicate
    data               FB005C82-02E7-F387-1CAD-8ACD2D8DF0C8   notify

The SDK only writes to the control point once *both* the control point (indications) and the
data characteristic (notifications) are subscribed (``BlePMDClient.clientReady``).

Control point, client -> strap (little-endian)::

    byte 0      op code: 1 get measurement settings, 2 request measurement start,
                3 stop measurement (others: SDK mode, offline recording; not used here)
    byte 1      measurement type (bits 0-5): 0 ECG, 1 PPG, 2 ACC, 3 PPI, 5 gyro, 6 magnetometer
    then        settings, for "start": repeated (setting type uint8, count uint8 = 1,
                value uint16): type 0 sample rate (Hz), 1 resolution (bits), 2 range, ...

    start H10 ECG, 130 Hz, 14 bit:  02 00  00 01 82 00  01 01 0e 00
    stop ECG:                       03 00

Control point, strap -> client (indication)::

    byte 0      0xF0 = response to a command; 0x01 = "online measurement stopped" sent by
                the strap on its own, followed by the measurement types it stopped
    byte 1      op code being answered
    byte 2      measurement type
    byte 3      status: 0 success, 1 invalid op code, 2 invalid measurement type,
                3 not supported, 4 invalid length, 5 invalid parameter, 6 already in state,
                7 invalid resolution, 8 invalid sample rate, 9 invalid range, 10 invalid MTU,
                11 invalid number of channels, 12 invalid state, 13 device in charger,
                14 disk full
    byte 4      on success only: "more" (non-zero: parameters continue in the next indication)
    byte 5..    on success only: parameters (for "start": the settings in force, e.g. factor)

Data (notification), one frame::

    byte 0      measurement type (bits 0-5; 0 = ECG)
    byte 1-8    timestamp, uint64 little-endian, ns since 2000-01-01T00:00:00Z in *sensor*
                time (H10: reset to 2019-01-01 on power-down unless set); it is the time of
                the frame's *last* sample
    byte 9      frame type (bits 0-6); bit 7 set = compressed (delta) frame
    byte 10..   samples; ECG frame type 0: int24 little-endian, microvolts, one per sample

Frame types other than 0 (and compressed frames) are refused: the H10 at 130 Hz sends type 0
(every open-source H10 reader found decodes exactly that), and the other ECG types carry other
bit layouts (status bits, a second channel) for other devices. The number of samples per frame
follows the negotiated MTU (a notification is at most MTU - 3 bytes); it is not fixed.

Sources, all public: Polar BLE SDK, ``technical_documentation/Polar_Measurement_Data_Specification.pdf``
(referenced, its text not readable here) and the SDK's own Kotlin implementation in
``sources/Android/android-communications/.../gatt/client/pmd/`` (``BlePMDClient.kt``: UUIDs and
the write/indicate flow; ``PmdControlPointCommand.kt``: op codes; ``PmdControlPointResponse.kt``:
response layout and status codes; ``PmdSetting.kt``: setting types and field sizes;
``PmdMeasurementType.kt``: types and the 0x3F mask; ``PmdDataFrame.kt``: frame header;
``model/EcgData.kt``: type-0 samples as 3-byte signed integers in µV;
``model/PmdTimeStampUtils.kt``: the frame timestamp is the last sample's); the SDK's
``technical_documentation/TimeSystemExplained.md`` (epoch 2000-01-01, ns); and open-source H10
readers that write the same start command (``02 00 00 01 82 00 01 01 0e 00``). The iOS SDK
names the response byte ``CONTROL_POINT_RESPONSE_CODE = 0xF0``.

No capture from a real H10 was available while writing this: the tests build frames from the
layout above, so the decoder agrees with the documentation, not (yet) with a strap.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from ..errors import MalformedPayload

__all__ = [
    "COMPRESSED_FRAME_BIT",
    "ECG_STOP",
    "MEASUREMENT_TYPE_ECG",
    "PMD_CONTROL_POINT_UUID",
    "PMD_DATA_UUID",
    "PMD_SERVICE_UUID",
    "POLAR_EPOCH_UNIX_S",
    "ControlPointResponse",
    "EcgFrame",
    "MeasurementStopped",
    "PmdDataHeader",
    "PmdOpCode",
    "PmdSettingType",
    "PmdStatus",
    "decode_control_point",
    "decode_data_header",
    "decode_ecg_frame",
    "ecg_start_command",
    "encode_ecg_frame",
]

PMD_SERVICE_UUID: Final = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CONTROL_POINT_UUID: Final = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA_UUID: Final = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

H10_ECG_SAMPLE_RATE_HZ: Final = 130
H10_ECG_RESOLUTION_BITS: Final = 14

MEASUREMENT_TYPE_ECG: Final = 0
POLAR_EPOCH_UNIX_S: Final = 946_684_800
"""2000-01-01T00:00:00Z in Unix seconds: PMD timestamps count ns from there (sensor time)."""

_CP: Final = "PMD control point"
_DATA: Final = "PMD data"
_MEASUREMENT_TYPE_MASK: Final = 0x3F
COMPRESSED_FRAME_BIT: Final = 0x80
"""Bit 7 of a data frame's frame-type byte: the samples are delta-compressed (``PmdDataFrame``)."""
_RESPONSE_CODE: Final = 0xF0
_MEASUREMENT_STOPPED: Final = 0x01
_HEADER_BYTES: Final = 10  # type (1) + timestamp (8) + frame type (1)
_ECG_SAMPLE_BYTES: Final = 3
_INT24_MIN: Final = -(1 << 23)
_INT24_MAX: Final = (1 << 23) - 1


class PmdOpCode(IntEnum):
    """Control point commands, client to strap (``PmdControlPointCommandClientToService``)."""

    GET_MEASUREMENT_SETTINGS = 1
    REQUEST_MEASUREMENT_START = 2
    STOP_MEASUREMENT = 3


class PmdSettingType(IntEnum):
    """Setting types of a start command (``PmdSetting.PmdSettingType``); values are uint16."""

    SAMPLE_RATE = 0
    RESOLUTION = 1
    RANGE = 2
    RANGE_MILLIUNIT = 3
    CHANNELS = 4
    FACTOR = 5
    """Sent by the strap in a start reply only: 4 bytes, the bits of an IEEE 754 float32."""


class PmdStatus(IntEnum):
    """Status byte of a control point response (``PmdControlPointResponseCode``)."""

    SUCCESS = 0
    ERROR_INVALID_OP_CODE = 1
    ERROR_INVALID_MEASUREMENT_TYPE = 2
    ERROR_NOT_SUPPORTED = 3
    ERROR_INVALID_LENGTH = 4
    ERROR_INVALID_PARAMETER = 5
    ERROR_ALREADY_IN_STATE = 6
    ERROR_INVALID_RESOLUTION = 7
    ERROR_INVALID_SAMPLE_RATE = 8
    ERROR_INVALID_RANGE = 9
    ERROR_INVALID_MTU = 10
    ERROR_INVALID_NUMBER_OF_CHANNELS = 11
    ERROR_INVALID_STATE = 12
    ERROR_DEVICE_IN_CHARGER = 13
    ERROR_DISK_FULL = 14


def ecg_start_command(
    sample_rate_hz: int = H10_ECG_SAMPLE_RATE_HZ, resolution_bits: int = H10_ECG_RESOLUTION_BITS
) -> bytes:
    """The control point write that starts online ECG streaming (default: the H10's 130 Hz, 14 bit)."""
    for name, value in (("sample rate", sample_rate_hz), ("resolution", resolution_bits)):
        if not 0 < value <= 0xFFFF:
            raise ValueError(f"{name} {value} does not fit a uint16 setting")
    return bytes([PmdOpCode.REQUEST_MEASUREMENT_START, MEASUREMENT_TYPE_ECG]) + struct.pack(
        "<BBHBBH", PmdSettingType.SAMPLE_RATE, 1, sample_rate_hz, PmdSettingType.RESOLUTION, 1, resolution_bits
    )


ECG_START_H10: Final = ecg_start_command()
"""``02 00 00 01 82 00 01 01 0e 00``: start ECG, sample rate 130 Hz, resolution 14 bit."""
ECG_STOP: Final = bytes([PmdOpCode.STOP_MEASUREMENT, MEASUREMENT_TYPE_ECG])
"""``03 00``: stop ECG."""


@dataclass(frozen=True, slots=True)
class ControlPointResponse:
    """The strap's answer (0xF0 indication) to a control point command.

    ``status`` is a :class:`PmdStatus` when the code is documented, else the raw int.
    ``more`` and ``parameters`` are only sent on success (``False`` / empty otherwise).
    """

    op_code: int
    measurement_type: int
    status: PmdStatus | int
    more: bool = False
    parameters: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status == PmdStatus.SUCCESS

    @property
    def status_name(self) -> str:
        return self.status.name if isinstance(self.status, PmdStatus) else f"UNKNOWN_STATUS_{self.status}"


@dataclass(frozen=True, slots=True)
class MeasurementStopped:
    """The strap stopped streaming on its own (0x01 indication); the measurement types stopped."""

    measurement_types: tuple[int, ...]


def decode_control_point(payload: bytes | bytearray | memoryview) -> ControlPointResponse | MeasurementStopped:
    """Decode one indication of the PMD control point.

    Raises
    ------
    MalformedPayload
        When the payload is empty, starts with neither 0xF0 nor 0x01, or is shorter than a
        response's 4 header bytes. Nothing else is raised, whatever the bytes.
    """
    data = bytes(payload)
    if not data:
        raise MalformedPayload("empty payload (no response code)", data, _CP)
    if data[0] == _MEASUREMENT_STOPPED:
        return MeasurementStopped(tuple(b & _MEASUREMENT_TYPE_MASK for b in data[1:]))
    if data[0] != _RESPONSE_CODE:
        raise MalformedPayload(f"first byte 0x{data[0]:02x} is neither a response (0xf0) nor a stop (0x01)", data, _CP)
    if len(data) < 4:
        raise MalformedPayload(
            f"a response has at least 4 bytes (code, op code, type, status), got {len(data)}", data, _CP
        )
    code = data[3]
    status: PmdStatus | int = PmdStatus(code) if code in PmdStatus._value2member_map_ else code
    if status != PmdStatus.SUCCESS:
        return ControlPointResponse(op_code=data[1], measurement_type=data[2] & _MEASUREMENT_TYPE_MASK, status=status)
    return ControlPointResponse(
        op_code=data[1],
        measurement_type=data[2] & _MEASUREMENT_TYPE_MASK,
        status=status,
        more=len(data) > 4 and data[4] != 0,
        parameters=data[5:],
    )


@dataclass(frozen=True, slots=True)
class EcgFrame:
    """One decoded PMD ECG data frame (type 0).

    ``timestamp_ns`` is the sensor time of the *last* sample, ns since 2000-01-01 (see the
    module docstring); ``samples_uv`` the ECG in microvolts, oldest first.
    """

    timestamp_ns: int
    samples_uv: tuple[int, ...]

    def sample_times_ns(self, sample_rate_hz: float = H10_ECG_SAMPLE_RATE_HZ) -> tuple[int, ...]:
        """Sensor time of each sample, back from the last one at the nominal rate.

        The SDK does the same for a stream's first frame and otherwise spreads the samples
        between the previous frame's timestamp and this one; callers that keep the previous
        frame can do that for a clock-drift-free series.
        """
        step = 1e9 / sample_rate_hz
        n = len(self.samples_uv)
        return tuple(self.timestamp_ns - round((n - 1 - i) * step) for i in range(n))


@dataclass(frozen=True, slots=True)
class PmdDataHeader:
    """The 10-byte header of a PMD data frame: measurement type, sensor timestamp of the last
    sample (ns since 2000-01-01), frame type (bits 0-6) and the compression bit (bit 7)."""

    measurement_type: int
    timestamp_ns: int
    frame_type: int
    compressed: bool


def decode_data_header(data: bytes, measurement_type: int, name: str) -> tuple[PmdDataHeader, bytes]:
    """Check and split a PMD data frame expected to carry ``measurement_type`` (``name`` in errors).

    Returns the header and the bytes after it. Raises :class:`MalformedPayload` for an empty
    payload, another measurement type, a truncated timestamp or a missing frame-type byte.
    """
    if not data:
        raise MalformedPayload("empty payload (no measurement type)", data, _DATA)
    mtype = data[0] & _MEASUREMENT_TYPE_MASK
    if mtype != measurement_type:
        raise MalformedPayload(f"measurement type {mtype} is not {name} ({measurement_type})", data, _DATA)
    if len(data) < 9:
        raise MalformedPayload(f"timestamp truncated: {len(data) - 1} of 8 bytes", data, _DATA)
    if len(data) < _HEADER_BYTES:
        raise MalformedPayload("no frame-type byte after the timestamp", data, _DATA)
    (timestamp_ns,) = struct.unpack_from("<Q", data, 1)
    frame_type = data[9]
    header = PmdDataHeader(mtype, timestamp_ns, frame_type & 0x7F, bool(frame_type & COMPRESSED_FRAME_BIT))
    return header, data[_HEADER_BYTES:]


def decode_ecg_frame(payload: bytes | bytearray | memoryview) -> EcgFrame:
    """Decode one PMD data notification carrying ECG, frame type 0.

    Raises
    ------
    MalformedPayload
        When the payload is empty, is not ECG, has a truncated timestamp or no frame-type
        byte, is a compressed frame or another frame type, has no samples, or ends inside a
        3-byte sample. Nothing else is raised, whatever the bytes.
    """
    data = bytes(payload)
    header, body = decode_data_header(data, MEASUREMENT_TYPE_ECG, "ECG")
    timestamp_ns = header.timestamp_ns
    if header.compressed:
        raise MalformedPayload(f"compressed (delta) ECG frame, type {header.frame_type}, is not supported", data, _DATA)
    if header.frame_type != 0:
        raise MalformedPayload(f"ECG frame type {header.frame_type} is not supported (only 0: int24 µV)", data, _DATA)
    if not body:
        raise MalformedPayload("ECG frame has no samples", data, _DATA)
    if len(body) % _ECG_SAMPLE_BYTES:
        raise MalformedPayload(
            f"ECG samples are 3 bytes each but {len(body)} bytes follow the header "
            f"({len(body) % _ECG_SAMPLE_BYTES} left over)",
            data,
            _DATA,
        )
    samples = tuple(
        int.from_bytes(body[i : i + _ECG_SAMPLE_BYTES], "little", signed=True)
        for i in range(0, len(body), _ECG_SAMPLE_BYTES)
    )
    return EcgFrame(timestamp_ns=timestamp_ns, samples_uv=samples)


def encode_ecg_frame(frame: EcgFrame) -> bytes:
    """Encode a frame as a strap would send it (the inverse of :func:`decode_ecg_frame`).

    For simulators and tests; raises ValueError for values the layout cannot hold.
    """
    if not 0 <= frame.timestamp_ns < 1 << 64:
        raise ValueError(f"timestamp {frame.timestamp_ns} ns does not fit a uint64")
    if not frame.samples_uv:
        raise ValueError("an ECG frame needs at least one sample")
    body = bytearray()
    for s in frame.samples_uv:
        if not _INT24_MIN <= s <= _INT24_MAX:
            raise ValueError(f"sample {s} µV does not fit an int24")
        body += int(s).to_bytes(_ECG_SAMPLE_BYTES, "little", signed=True)
    return bytes([MEASUREMENT_TYPE_ECG]) + struct.pack("<Q", frame.timestamp_ns) + bytes([0]) + bytes(body)
