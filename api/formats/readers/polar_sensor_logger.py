"""Polar Sensor Logger (Android app by Jukka Happonen) text exports: the RR file and the HR file.

Layouts (the app writes one ``;``-separated file per stream, header first; the headers below
are the app's, as reproduced by projects that read its exports, e.g. ``Phone timestamp;RR-
interval [ms]`` and ``Phone timestamp;HR [bpm];HRV [ms];Breathing interval [rpm];``):

* ``..._RR.txt``: ``Phone timestamp;RR-interval [ms]``, one beat per line, the phone's ISO 8601
  time of reception and the RR interval in ms (``2026-06-01T21:17:07.832;1111``). Read: the
  ``RR-interval [ms]`` column, ms; the timestamp is recognised and not used (notifications
  arrive about once a second, so the phone time is not the beat time).
* ``..._HR.txt``: ``Phone timestamp;HR [bpm];HRV [ms];Breathing interval [rpm];``, one line per
  notification: heart rate, and an HRV *summary* (often empty) with a decimal comma. It holds
  no beat-to-beat intervals, so it is refused, naming the sibling ``_RR.txt`` to analyse:
  reading its ``HRV [ms]`` or its HR as RR intervals would give numbers that mean nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from ..kinds import RRReader
from ..rr_series import RRFileError, RRSeries
from .tabular import TableSpec, read_table
from .text import decode_head, not_text, open_text

__all__ = ["READER", "read_polar_sensor_logger", "sniff_polar_sensor_logger"]

_PREFIX: Final = "phone timestamp;"
RR_COLUMN: Final = "RR-interval [ms]"


def _header(head: str) -> str:
    for line in head.splitlines():
        if line.strip():
            return line.strip().lower()
    return ""


def sniff_polar_sensor_logger(head: bytes) -> bool:
    """The first line starts ``Phone timestamp;`` and names RR intervals or HR."""
    line = _header(decode_head(head))
    return line.startswith(_PREFIX) and ("rr-interval" in line or "hr [bpm]" in line)


def read_polar_sensor_logger(path: str | Path) -> RRSeries:
    """RR intervals (ms) of a Polar Sensor Logger ``_RR.txt``; its ``_HR.txt`` is refused with why."""
    p = Path(path)
    handle, encoding = open_text(p)
    try:
        with handle:
            line = _header(handle.read(4096))
    except UnicodeDecodeError as exc:
        raise not_text(p, encoding, exc) from exc
    if "rr-interval" not in line:
        sibling = p.name.replace("_HR.", "_RR.") if "_HR." in p.name else "the _RR.txt file of the same recording"
        raise RRFileError(
            p,
            1,
            "a Polar Sensor Logger HR file: heart rate about once a second and an HRV summary, no beat-to-beat "
            f"RR intervals; analyse {sibling} instead",
        )
    return read_table(p, TableSpec(reader="polar-sensor-logger", delimiter=";", rr_column=RR_COLUMN, rr_scale=1.0))


READER: Final = RRReader(
    name="polar-sensor-logger",
    description="Polar Sensor Logger RR file (Phone timestamp;RR-interval [ms]); its HR file is refused",
    sniff=sniff_polar_sensor_logger,
    read=read_polar_sensor_logger,
)
