"""FIT activity files (Garmin and others) with HRV messages: beat-to-beat intervals.

Layout (Garmin FIT SDK, Profile 21.x: ``Profile.xlsx`` and the SDK's generated
``profile.py``): a FIT file starts with a 12- or 14-byte header whose bytes 8-11 are the ASCII
``.FIT``; message 78 ``hrv`` holds field 0 ``time``, an array of ``uint16`` with scale 1000 and
unit ``s``: the intervals between successive beats, in order, up to five per message, padded
with the invalid value 0xFFFF (65.535 s). Watches write them only when HRV recording (Garmin:
"Log HRV") is on; a FIT file without ``hrv`` messages holds heart rate but no RR intervals
and is refused saying so.

Decoded with Garmin's own SDK (PyPI ``garmin-fit-sdk``, which also checks the file's CRC);
the tests write their FIT file with the same SDK's ``Encoder``. The decoder keeps the file's
messages in memory: FIT activities are hours long, not days; the text readers are the ones
that stream.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np

from ..kinds import RRReader
from ..rr_series import RRFileError, RRSeries
from .series import series_from_values

__all__ = ["FIT_INVALID_UINT16_S", "READER", "read_fit", "sniff_fit"]

FIT_INVALID_UINT16_S: Final = 65.535
"""0xFFFF with the field's scale 1000: an unused slot of the ``time`` array, not a beat."""
_HRV_MESG: Final = "hrv_mesgs"


def sniff_fit(head: bytes) -> bool:
    """A FIT file: header size 12 or 14 and ``.FIT`` at bytes 8-11."""
    return len(head) >= 12 and head[0] in (12, 14) and head[8:12] == b".FIT"


def _times(mesg: Any) -> list[float]:
    value = mesg.get("time")
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    return [float(v) for v in values if v is not None and float(v) < FIT_INVALID_UINT16_S]


def read_fit(path: str | Path) -> RRSeries:
    """RR intervals (ms) from the ``hrv`` messages of a FIT file.

    Raises
    ------
    RRFileError
        Not a FIT file, a failed CRC or decoding error, or no ``hrv`` messages.
    """
    from garmin_fit_sdk import Decoder, Stream

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise RRFileError(p, None, f"cannot read the file ({exc.strerror or exc})") from exc
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    if not decoder.is_fit():
        raise RRFileError(p, None, "not a FIT file (no '.FIT' header)")
    if not decoder.check_integrity():
        raise RRFileError(p, None, "the FIT file fails its CRC check (truncated or damaged)")
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read(convert_datetimes_to_dates=False, merge_heart_rates=False)
    if errors:
        raise RRFileError(p, None, f"the FIT file cannot be decoded: {errors[0]}")
    hrv = messages.get(_HRV_MESG, [])
    values = [v for m in hrv for v in _times(m)]
    if not values:
        kinds = ", ".join(sorted(k.removesuffix("_mesgs") for k in messages)) or "none"
        raise RRFileError(
            p,
            None,
            "no HRV (beat interval) messages in this FIT file, so no RR intervals: turn on HRV logging on the "
            f"watch (messages found: {kinds})",
        )
    notes = {
        "reader": "fit",
        "rr_source": (
            f"FIT message 78 'hrv', field 'time' (s, scale 1000), {len(hrv)} messages; 0xFFFF padding left out"
        ),
        "unit": "s, from the FIT profile",
    }
    rr_s = np.asarray(values, dtype=np.float64)
    # No lines in a binary file: the 1-based position of the value stands in for it.
    return series_from_values(p, rr_s, 1000.0, np.arange(1, rr_s.size + 1, dtype=np.int64), "fit-hrv", notes)


READER: Final = RRReader(
    name="fit",
    description="FIT activity file (Garmin and others) with HRV messages",
    sniff=sniff_fit,
    read=read_fit,
)
