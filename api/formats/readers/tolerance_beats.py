"""Tolerance's own beats CSV (``tolerance export --format csv``), read back.

Layout: :mod:`..writers.beats_csv` (its ``COLUMNS`` are this reader's sniff, so the two can
never drift apart). Read: the ``rr_ms`` column, ms, as the strap sent it; ``nn_ms`` (the live
session's corrected intervals) is not re-used, so ``analyze`` corrects the raw series itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from ..kinds import RRReader
from ..rr_series import RRSeries
from ..writers.beats_csv import COLUMNS
from .tabular import TableSpec, read_table
from .text import decode_head

__all__ = ["READER", "read_tolerance_beats", "sniff_tolerance_beats"]


def sniff_tolerance_beats(head: bytes) -> bool:
    for line in decode_head(head).splitlines():
        if line.strip():
            return tuple(n.strip() for n in line.split(",")) == COLUMNS
    return False


def read_tolerance_beats(path: str | Path) -> RRSeries:
    """RR intervals (ms) of a Tolerance beats export."""
    return read_table(Path(path), TableSpec(reader="tolerance-beats", delimiter=",", rr_column="rr_ms", rr_scale=1.0))


READER: Final = RRReader(
    name="tolerance-beats",
    description="Tolerance's own beats export (tolerance export --format csv)",
    sniff=sniff_tolerance_beats,
    read=read_tolerance_beats,
)
