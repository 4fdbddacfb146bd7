"""PMD measurement settings: the start command a client writes and the settings a strap answers.

Start command (control point write, little-endian)::

    02  type  (setting type, count = 1, value)...

Each setting is ``type uint8, count uint8, value`` where the value's size depends on the type:
sample rate, resolution and range 2 bytes, range in milli-units 4, channels 1, factor 4
(``PmdSetting.typeToFieldSize``). Start H10 accelerometer, 25 Hz, 16 bit, 8 G::

    02 02  00 01 19 00  01 01 10 00  02 01 08 00

The strap's reply to a start (``F0 02 type status more`` then parameters) may carry the settings
in force in the same layout; a compressed stream's scale factor comes there as setting type 5,
whose 4 bytes are the bits of an IEEE 754 float32 (``PmdSetting.updateSelectedFromStartResponse``
and the SDK's ``PmdDataFrame`` factor). A reply without a factor means 1.0 (the H10's documented
examples carry none; ``AccData`` multiplies compressed samples only when the factor differs from 1).

Sources: Polar BLE SDK, ``PmdSetting.kt`` (types, field sizes, the start-reply factor),
``PolarH10.md`` (the H10's accelerometer: 25/50/100/200 Hz, 2/4/8 G, 16 bit, mG).
"""

from __future__ import annotations

import math
import struct
from typing import Final

from ..errors import MalformedPayload
from .pmd import ControlPointResponse, PmdOpCode, PmdSettingType

__all__ = [
    "FIELD_BYTES",
    "decode_settings",
    "start_command",
    "start_factor",
]

FIELD_BYTES: Final[dict[PmdSettingType, int]] = {
    PmdSettingType.SAMPLE_RATE: 2,
    PmdSettingType.RESOLUTION: 2,
    PmdSettingType.RANGE: 2,
    PmdSettingType.RANGE_MILLIUNIT: 4,
    PmdSettingType.CHANNELS: 1,
    PmdSettingType.FACTOR: 4,
}
"""Size in bytes of one value of each setting type (``PmdSetting.typeToFieldSize``)."""
_WHAT: Final = "PMD settings"


def start_command(measurement_type: int, settings: dict[PmdSettingType, int]) -> bytes:
    """The control point write that starts ``measurement_type`` with ``settings`` (in that order).

    The factor is never sent (the strap chooses it); a value that does not fit its field is a
    ValueError."""
    out = bytearray([PmdOpCode.REQUEST_MEASUREMENT_START, measurement_type])
    for kind, value in settings.items():
        if kind is PmdSettingType.FACTOR:
            raise ValueError("the factor is the strap's answer, not a setting a client sends")
        size = FIELD_BYTES[kind]
        if not 0 <= value < 1 << (8 * size):
            raise ValueError(f"{kind.name.lower()} {value} does not fit {size} bytes")
        out += bytes([kind, 1]) + value.to_bytes(size, "little")
    return bytes(out)


def decode_settings(parameters: bytes) -> dict[PmdSettingType, tuple[int, ...]]:
    """Settings in the ``type, count, values`` layout (a start reply's parameters, or the answer
    to "get measurement settings"), each value an unsigned int of its field's size.

    Raises :class:`MalformedPayload` for an unknown setting type or a setting cut short."""
    out: dict[PmdSettingType, tuple[int, ...]] = {}
    i = 0
    while i < len(parameters):
        if i + 2 > len(parameters):
            raise MalformedPayload(f"setting at byte {i} has no count byte", parameters, _WHAT)
        code, count = parameters[i], parameters[i + 1]
        if code not in PmdSettingType._value2member_map_:
            raise MalformedPayload(f"unknown setting type {code} at byte {i}", parameters, _WHAT)
        kind = PmdSettingType(code)
        size = FIELD_BYTES[kind]
        end = i + 2 + count * size
        if end > len(parameters):
            raise MalformedPayload(
                f"setting {kind.name.lower()} announces {count} values of {size} bytes, "
                f"{len(parameters) - i - 2} bytes follow",
                parameters,
                _WHAT,
            )
        out[kind] = tuple(int.from_bytes(parameters[j : j + size], "little") for j in range(i + 2, end, size))
        i = end
    return out


def start_factor(response: ControlPointResponse) -> float:
    """The scale factor of a started stream: the reply's factor setting, else 1.0.

    Raises :class:`MalformedPayload` when the reply's parameters do not decode, or carry a
    factor that is not a finite positive float."""
    settings = decode_settings(response.parameters)
    if PmdSettingType.FACTOR not in settings:
        return 1.0
    (bits,) = settings[PmdSettingType.FACTOR][:1] or (0,)
    (factor,) = struct.unpack("<f", bits.to_bytes(4, "little"))
    if not (math.isfinite(factor) and factor > 0):
        raise MalformedPayload(f"scale factor {factor} is not a finite positive number", response.parameters, _WHAT)
    return float(factor)
