"""HRV Logger (iOS/Android app by Marco Altini) RR export.

Layout (RRational's documentation of the formats it reads, "Supported Data Formats", HRV
Logger section; the app's own guide, marcoaltini.com "Heart Rate Variability Logger - app
details", section 7, describes the same export): a ``,``-separated CSV, header
``date,rr,since start``; ``date`` the wall-clock time of the beat (``2025-03-15
09:00:15.123``), ``rr`` the RR interval in integer ms, ``since start`` the cumulative time
from the start of the recording in ms. Read: the ``rr`` column, ms (the format's unit, not
inferred); ``date`` and ``since start`` are recognised as time columns and not used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from ..kinds import RRReader
from ..rr_series import RRSeries
from .tabular import TableSpec, read_table
from .text import decode_head

__all__ = ["READER", "read_hrv_logger", "sniff_hrv_logger"]


def sniff_hrv_logger(head: bytes) -> bool:
    """The first line is ``date,rr,since start`` (spaces and case aside)."""
    for line in decode_head(head).splitlines():
        if line.strip():
            names = [n.strip().lower() for n in line.split(",")]
            return names[:3] == ["date", "rr", "since start"]
    return False


def read_hrv_logger(path: str | Path) -> RRSeries:
    """RR intervals (ms) of an HRV Logger RR CSV."""
    return read_table(Path(path), TableSpec(reader="hrv-logger", delimiter=",", rr_column="rr", rr_scale=1.0))


READER: Final = RRReader(
    name="hrv-logger",
    description="HRV Logger RR export (date,rr,since start)",
    sniff=sniff_hrv_logger,
    read=read_hrv_logger,
)
