"""The value every RR-file reader returns, and the error every one raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np


class RRFileError(ValueError):
    """An RR file that cannot be used.

    Attributes
    ----------
    path : str
        The file.
    line : int or None
        1-based line number of the problem, None for the whole file.
    reason : str
        What is wrong.
    """

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


MAX_DROPOUT_MS: Final = 86_400_000.0
"""The most elapsed time one drop-out counts for (24 h, in ms). A longer value (``1e308``) is no
measurement of time: it still splits the series, but counting it whole would put every later
beat beyond any calendar (and past float precision) and refuse the whole file."""


@dataclass(frozen=True, slots=True)
class ExcludedValue:
    """A value left out of the series: position among the values, line, value in ms, why."""

    index: int
    line: int
    rr_ms: float
    reason: str

    @property
    def elapsed_ms(self) -> float:
        """The time this value stands for in the series' time base, ms (a drop-out's own length,
        at most :data:`MAX_DROPOUT_MS`)."""
        return min(self.rr_ms, MAX_DROPOUT_MS)


@dataclass(frozen=True, slots=True)
class RRSeries:
    """RR intervals read from a file.

    Attributes
    ----------
    rr_ms : numpy.ndarray
        Plausible RR intervals, ms, in file order.
    input_index : numpy.ndarray
        For each value of ``rr_ms``, its 0-based position among all values of the file
        (including excluded ones): the ``index`` of ``tolerance analyze``'s artifacts.
    source_lines : numpy.ndarray
        For each value of ``rr_ms``, its 1-based line in the file.
    excluded : tuple of ExcludedValue
        Implausible values, left out.
    unit : str
        ``"ms"`` or ``"s"``: the unit the file was read in.
    layout : str
        ``"single-column"``, ``"two-column"`` (headerless ``time, RR`` whose time steps match the RR
        values), ``"named-column"`` (a header named the RR column), ``"beat-times"`` (a column named as
        R-peak times, differenced), or a binary format's name (``"fit-hrv"``).
    interpretation : dict of str to str
        How the reader read the file, one sentence per decision (reader, encoding, delimiter, RR
        column, unit, number format, time columns...): ``tolerance analyze`` puts it in its
        ``parameters`` (``input``), so that no reading is a silent guess.
    """

    rr_ms: np.ndarray
    input_index: np.ndarray
    source_lines: np.ndarray
    excluded: tuple[ExcludedValue, ...]
    unit: str
    layout: str
    interpretation: dict[str, str] = field(default_factory=dict)
