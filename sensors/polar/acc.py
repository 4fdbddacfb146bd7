"""Polar PMD accelerometer frames (measurement type 2), as pure functions of bytes.

The frame header is every PMD data frame's (:func:`~.pmd.decode_data_header`: type, 64-bit ns
sensor timestamp of the *last* sample, frame type with bit 7 = compressed). Samples are x, y, z
in milli-g (mG), signed, little-endian (``AccData.kt``):

uncompressed, frame type 0, 1 or 2 (``0x00``/``0x01``/``0x02``)::

    x y z, x y z, ...       each an int8, int16 or int24; the H10 sends type 1 (16 bit)

delta-compressed, frame type 1 with bit 7 set (``0x81``; ``BlePMDClient.parseDeltaFramesAll``)::

    x y z                   the reference sample, int16 each (6 bytes): the frame's first sample
    then blocks of:
      width   uint8         bits per delta (signed, two's complement)
      count   uint8         samples in the block
      deltas  ceil(width * 3 * count / 8) bytes: count x (dx dy dz), each ``width`` bits,
              packed from the least significant bit of the first byte on
    every sample is the previous one plus its delta.

A compressed frame's samples are multiplied by the stream's scale factor when it is not 1.0
(the strap's start reply, :func:`~.settings.start_factor`; truncated to whole mG as the SDK does).
Compressed type 0 (``0x80``, samples in G scaled by the factor, another device's layout) is
refused, as are the other frame types.

Malformed frames are refused with :class:`~tolerance.sensors.errors.MalformedPayload` saying
what is wrong; nothing else is raised, whatever the bytes.

Sources: Polar BLE SDK, ``PolarH10.md`` (25/50/100/200 Hz, 2/4/8 G, mG), ``AccData.kt`` (frame
types), ``BlePMDClient.kt`` (``parseDeltaFramesAll``, ``parseDeltaFrame``: the delta layout),
``PmdDataFrame.kt`` (the header). No capture of a real H10 was available: the tests build
frames byte by byte from this layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypeAlias

from ..errors import MalformedPayload
from .pmd import COMPRESSED_FRAME_BIT, PmdOpCode, PmdSettingType, decode_data_header
from .settings import start_command

__all__ = [
    "ACC_STOP",
    "H10_ACC_RANGES_G",
    "H10_ACC_SAMPLE_RATES_HZ",
    "MEASUREMENT_TYPE_ACC",
    "AccFrame",
    "Xyz",
    "acc_start_command",
    "decode_acc_frame",
    "encode_acc_frame",
]

MEASUREMENT_TYPE_ACC: Final = 2
H10_ACC_SAMPLE_RATES_HZ: Final = (25, 50, 100, 200)
H10_ACC_RANGES_G: Final = (2, 4, 8)
H10_ACC_RESOLUTION_BITS: Final = 16
ACC_STOP: Final = bytes([PmdOpCode.STOP_MEASUREMENT, MEASUREMENT_TYPE_ACC])
"""``03 02``: stop the accelerometer."""

Xyz: TypeAlias = tuple[int, int, int]
_DATA: Final = "PMD accelerometer"
_RAW_BYTES: Final = {0: 1, 1: 2, 2: 3}  # uncompressed frame type -> bytes per axis
_REF_BYTES: Final = 2  # compressed type 1: int16 reference per axis
_MAX_DELTA_BITS: Final = 32
_BLOCK_MAX: Final = 255


def acc_start_command(sample_rate_hz: int = 25, range_g: int = 8, resolution_bits: int = 16) -> bytes:
    """Start the accelerometer (default 25 Hz, 8 G, 16 bit: ``02 02 00 01 19 00 01 01 10 00 02 01 08 00``)."""
    return start_command(
        MEASUREMENT_TYPE_ACC,
        {
            PmdSettingType.SAMPLE_RATE: sample_rate_hz,
            PmdSettingType.RESOLUTION: resolution_bits,
            PmdSettingType.RANGE: range_g,
        },
    )


@dataclass(frozen=True, slots=True)
class AccFrame:
    """One accelerometer frame: ``timestamp_ns`` the sensor time of the last sample (ns since
    2000-01-01), ``samples_mg`` (x, y, z) in mG, oldest first, ``frame_type`` as sent (bits 0-6)
    and whether it was ``compressed``."""

    timestamp_ns: int
    samples_mg: tuple[Xyz, ...]
    frame_type: int = 1
    compressed: bool = False


def decode_acc_frame(payload: bytes | bytearray | memoryview, factor: float = 1.0) -> AccFrame:
    """Decode one PMD data notification carrying accelerometer samples (see the module docstring).

    ``factor`` is the stream's scale factor (applied to compressed frames only, when not 1.0).

    Raises
    ------
    MalformedPayload
        An empty payload, another measurement type, a truncated header, an unsupported frame
        type, no samples, a body that ends inside a sample, a delta block cut short, or a
        delta width of 0 or over 32 bits.
    """
    data = bytes(payload)
    header, body = decode_data_header(data, MEASUREMENT_TYPE_ACC, "accelerometer")
    if header.compressed:
        if header.frame_type != 1:
            raise MalformedPayload(
                f"compressed accelerometer frame type {header.frame_type} is not supported (only 1: 16-bit deltas)",
                data,
                _DATA,
            )
        samples = _decode_deltas(body, data)
        if factor != 1.0:
            samples = [(int(x * factor), int(y * factor), int(z * factor)) for x, y, z in samples]
    else:
        size = _RAW_BYTES.get(header.frame_type)
        if size is None:
            raise MalformedPayload(
                f"accelerometer frame type {header.frame_type} is not supported (0, 1 or 2: 8, 16, 24 bit)",
                data,
                _DATA,
            )
        if not body:
            raise MalformedPayload("accelerometer frame has no samples", data, _DATA)
        if len(body) % (3 * size):
            raise MalformedPayload(
                f"samples are {3 * size} bytes (x, y, z of {size}) but {len(body)} bytes follow the header "
                f"({len(body) % (3 * size)} left over)",
                data,
                _DATA,
            )
        values = [int.from_bytes(body[i : i + size], "little", signed=True) for i in range(0, len(body), size)]
        samples = [(values[i], values[i + 1], values[i + 2]) for i in range(0, len(values), 3)]
    return AccFrame(header.timestamp_ns, tuple(samples), header.frame_type, header.compressed)


def _decode_deltas(body: bytes, data: bytes) -> list[Xyz]:
    if len(body) < 3 * _REF_BYTES:
        raise MalformedPayload(
            f"a compressed frame starts with a 6-byte reference sample, {len(body)} bytes follow the header",
            data,
            _DATA,
        )
    ref = [int.from_bytes(body[i : i + _REF_BYTES], "little", signed=True) for i in range(0, 6, 2)]
    samples: list[Xyz] = [(ref[0], ref[1], ref[2])]
    i = 3 * _REF_BYTES
    while i < len(body):
        if i + 2 > len(body):
            raise MalformedPayload(f"delta block at byte {i} of the samples has no count byte", data, _DATA)
        width, count = body[i], body[i + 1]
        if count and not 0 < width <= _MAX_DELTA_BITS:
            raise MalformedPayload(f"delta block at byte {i}: width {width} bits is not 1-32", data, _DATA)
        n_bytes = (width * 3 * count + 7) // 8
        block = body[i + 2 : i + 2 + n_bytes]
        if len(block) < n_bytes:
            raise MalformedPayload(
                f"delta block at byte {i}: {count} samples of 3 x {width} bits need {n_bytes} bytes, "
                f"{len(block)} follow",
                data,
                _DATA,
            )
        bits = int.from_bytes(block, "little")
        mask, sign = (1 << width) - 1, 1 << (width - 1) if width else 0
        x, y, z = samples[-1]
        for k in range(count):
            d = [(bits >> (width * (3 * k + c))) & mask for c in range(3)]
            dx, dy, dz = ((v - (1 << width)) if v & sign else v for v in d)
            x, y, z = x + dx, y + dy, z + dz
            samples.append((x, y, z))
        i += 2 + n_bytes
    return samples


def encode_acc_frame(frame: AccFrame) -> bytes:
    """Encode a frame as a strap would send it (the inverse of :func:`decode_acc_frame` at factor 1).

    Uncompressed: ``frame.frame_type`` 0, 1 or 2. Compressed (type 1): the first sample is the
    reference, the rest go in blocks of at most 255 with the smallest signed width that holds
    their deltas. For simulators and tests; ValueError for values the layout cannot hold."""
    if not 0 <= frame.timestamp_ns < 1 << 64:
        raise ValueError(f"timestamp {frame.timestamp_ns} ns does not fit a uint64")
    if not frame.samples_mg:
        raise ValueError("an accelerometer frame needs at least one sample")
    head = bytes([MEASUREMENT_TYPE_ACC]) + frame.timestamp_ns.to_bytes(8, "little")
    if not frame.compressed:
        size = _RAW_BYTES.get(frame.frame_type)
        if size is None:
            raise ValueError(f"uncompressed frame type {frame.frame_type} is not 0, 1 or 2")
        body = b"".join(_signed(v, size) for s in frame.samples_mg for v in s)
        return head + bytes([frame.frame_type]) + body
    if frame.frame_type != 1:
        raise ValueError("only compressed frame type 1 (16-bit reference) is encoded")
    out = bytearray(head + bytes([COMPRESSED_FRAME_BIT | 1]))
    out += b"".join(_signed(v, _REF_BYTES) for v in frame.samples_mg[0])
    prev = frame.samples_mg[0]
    rest = frame.samples_mg[1:]
    for start in range(0, len(rest), _BLOCK_MAX):
        chunk = rest[start : start + _BLOCK_MAX]
        deltas: list[int] = []
        for s in chunk:
            deltas.extend(s[c] - prev[c] for c in range(3))
            prev = s
        width = max((d if d >= 0 else ~d).bit_length() + 1 for d in deltas)
        if width > _MAX_DELTA_BITS:
            raise ValueError(f"a delta needs {width} bits, more than {_MAX_DELTA_BITS}")
        bits = 0
        for k, d in enumerate(deltas):
            bits |= (d & ((1 << width) - 1)) << (width * k)
        out += bytes([width, len(chunk)]) + bits.to_bytes((width * len(deltas) + 7) // 8, "little")
    return bytes(out)


def _signed(value: int, size: int) -> bytes:
    try:
        return int(value).to_bytes(size, "little", signed=True)
    except OverflowError:
        raise ValueError(f"{value} mG does not fit {8 * size} bits") from None
