"""What the numbers of a column are: plain numbers, a ``,`` inside them read as a thousands
separator or as a decimal comma by the file's own evidence, and seconds or ms by their size
(rules: :mod:`.tabular`)."""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final

import numpy as np
from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS, MIN_PLAUSIBLE_RR_MS

from ..rr_series import RRFileError

__all__ = [
    "SECONDS_MEDIAN_LIMIT",
    "Column",
    "decide_numbers",
    "is_iso",
    "is_numeric",
    "plain_number",
    "scale_for",
]

SECONDS_MEDIAN_LIMIT: Final = 10.0
"""Unitless values with a median below this are seconds."""

_PLAIN: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS: Final = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA: Final = re.compile(r"\d+,\d+")
_DOT_GROUPED: Final = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
_INTEGER: Final = re.compile(r"[+-]?\d+")
_NON_FINITE: Final = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "-infinity"})


def is_iso(text: str) -> bool:
    """Whether ``text`` is an ISO 8601 date or time stamp (``2026-06-01T21:17:07.832``)."""
    t = text.strip()
    if len(t) < 10 or not t[:4].isdigit() or t[4] != "-":
        return False
    try:
        datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def plain_number(text: str) -> float | None:
    """The value of a number written without a ``,`` (or NaN, infinite), else None."""
    if _PLAIN.fullmatch(text) is None:
        return float(text) if text.lower() in _NON_FINITE else None
    return float(text)


def is_numeric(field_text: str) -> bool:
    """Whether a field is a value (a number in any format read, or a time stamp), not a name."""
    t = field_text.strip().strip('"').strip()
    return (
        plain_number(t) is not None
        or _THOUSANDS.fullmatch(t) is not None
        or _DECIMAL_COMMA.fullmatch(t) is not None
        or _DOT_GROUPED.fullmatch(t) is not None
        or is_iso(t)
    )


@dataclass
class Column:
    """One column being read: the two readings of a ``,`` inside a number, kept until decided.

    ``a`` is the reading with ``,`` as a thousands separator (and ``.`` as the decimal mark),
    ``b`` the one with ``,`` as the decimal mark (and ``.`` grouping thousands); a reading is
    dropped at the first value it cannot read. ``b`` is only built from the first value with a
    ``,`` on (before it, every value read the same both ways when all were integers).
    """

    a: array[float] | None = field(default_factory=lambda: array("d"))
    b: array[float] | None = None
    b_possible: bool = True
    comma_line: int | None = None
    count: int = 0

    def add(self, text: str, line: int, path: Path) -> None:
        t = text.strip().strip('"').strip()
        va: float | None
        vb: float | None
        if "," in t:
            va = float(t.replace(",", "")) if _THOUSANDS.fullmatch(t) else None
            if _DECIMAL_COMMA.fullmatch(t):
                vb = float(t.replace(",", "."))
            elif _DOT_GROUPED.fullmatch(t):
                vb = float(t.replace(".", "").replace(",", "."))
            else:
                vb = None
            if va is None and vb is None:
                raise RRFileError(path, line, f"RR value {t!r} is not a number")
            if self.comma_line is None:
                self.comma_line = line
                if self.b_possible and self.a is not None:
                    self.b = array("d", self.a)
        else:
            va = plain_number(t)
            if va is None:
                raise RRFileError(path, line, f"RR value {t if t else '(empty)'!r} is not a number")
            if _INTEGER.fullmatch(t):
                vb = va
            elif self.comma_line is not None and _DOT_GROUPED.fullmatch(t):
                vb = float(t.replace(".", ""))
            else:
                vb = None
        if self.a is not None:
            if va is None:
                self.a = None
            else:
                self.a.append(va)
        if vb is None:
            self.b_possible = False
            self.b = None
        elif self.b is not None:
            self.b.append(vb)
        if self.a is None and self.b is None:
            raise RRFileError(
                path,
                line,
                f"RR value {t!r}: the ',' in this column's numbers reads consistently neither as a thousands "
                "separator nor as a decimal comma",
            )
        self.count += 1

    def take_block(self, values: np.ndarray, text: str) -> bool:
        """Add a block of plain numbers at once, as :meth:`add` would one by one; False (nothing
        added) once a ``,`` has been met, when the two readings must be kept value by value."""
        if self.comma_line is not None or self.a is None:
            return False
        self.a.frombytes(values.tobytes())
        if "." in text:  # a plain number that is not an integer: no decimal-comma reading
            self.b_possible = False
        self.count += values.size
        return True

    def last(self) -> float:
        values = self.a if self.a is not None else self.b
        assert values is not None
        return values[-1]


def scale_for(values: np.ndarray, scale: float | None) -> tuple[float, bool]:
    """``(scale to ms, inferred)``: ``scale`` when known, else seconds when the median is below
    :data:`SECONDS_MEDIAN_LIMIT` (no human RR interval is 10 ms or 10 s long)."""
    if scale is not None:
        return scale, False
    return (1000.0 if float(np.median(values)) < SECONDS_MEDIAN_LIMIT else 1.0), True


def _plausible_share(values: np.ndarray, scale: float | None) -> float:
    s, _ = scale_for(values, scale)
    ms = values * s
    return float(np.mean((ms >= MIN_PLAUSIBLE_RR_MS) & (ms <= MAX_PLAUSIBLE_RR_MS)))


def decide_numbers(p: Path, column: Column, scale: float | None, notes: dict[str, str]) -> np.ndarray:
    """The column's values in the one reading of its ``,`` that the file supports (stated in
    ``notes``), or refused naming the first line with a ``,``."""
    a = None if column.a is None else np.frombuffer(column.a, dtype=np.float64)
    b = None if column.b is None else np.frombuffer(column.b, dtype=np.float64)
    if column.comma_line is None:
        assert a is not None
        return a
    if a is not None and b is not None:
        sa, sb = scale_for(a, scale)[0], scale_for(b, scale)[0]
        if np.allclose(a * sa, b * sb, rtol=1e-12, atol=1e-9):
            notes["number_format"] = (
                "',' inside numbers (first on line "
                f"{column.comma_line}) read as a thousands separator; as a decimal comma it gives the same intervals"
            )
            return a
        pa, pb = _plausible_share(a, scale), _plausible_share(b, scale)
        if pa > pb and pa >= 0.95:
            b = None
        elif pb > pa and pb >= 0.95:
            a = None
        else:
            raise RRFileError(
                p,
                column.comma_line,
                "',' inside a number is ambiguous: as a thousands separator the values give "
                f"{100 * pa:.0f} % plausible RR intervals, as a decimal comma {100 * pb:.0f} %, and the two "
                "readings differ; quote the numbers or state the unit in the header",
            )
    chosen, how = (a, "a thousands separator") if a is not None else (b, "a decimal comma")
    assert chosen is not None
    if _plausible_share(chosen, scale) < 0.5:
        raise RRFileError(
            p,
            column.comma_line,
            f"',' inside a number is ambiguous: read as {how} (the only reading these values allow) most values "
            "are not plausible RR intervals; check the unit and the number format",
        )
    notes["number_format"] = f"',' inside numbers (first on line {column.comma_line}) read as {how}"
    return chosen
