"""What a format module provides: an export writer or an RR-file reader."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .rr_series import RRSeries


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    suffix: str
    description: str
    write: Callable[[sqlite3.Connection, str], Iterator[bytes]]


@dataclass(frozen=True)
class RRReader:
    """``sniff(head)`` says from the file's first bytes whether this reader takes the file;
    readers are asked in table order, the most specific first."""

    name: str
    description: str
    sniff: Callable[[bytes], bool]
    read: Callable[[Path], RRSeries]
