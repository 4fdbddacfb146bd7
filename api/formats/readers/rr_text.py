"""Reading RR-interval files for ``tolerance analyze`` (I/O lives here, not in ``hrv``).

Accepted layouts (detected from the content, not the file name):

* one number per line (ms or s);
* a CSV (``,`` ``;`` or tab) whose header names an ``rr_ms`` column (or ``rr_s``, ``rr``,
  ``RR (ms)``, ``RR (s)``; case-insensitive); other columns are ignored and may hold text
  (``tolerance simulate``'s own CSV, whose ``artifact`` column holds ``none``): only the RR
  field of a data line must be a number;
* a Kubios-style RR text file: optional header lines, then one column of RR values or two
  columns ``time  RR`` separated by blanks, tabs, commas or semicolons (the *last* column is
  RR, as in Kubios' RR import and its RR export).

Lines that are empty or start with ``#`` are skipped anywhere; header lines are allowed only
*before* the first data line. Before a header has named the RR column, a header line is one
with any non-numeric field; after it, one whose RR field is not a number. Units: a header that
says ``ms`` or ``s`` decides; otherwise values whose median is below 10 are seconds
(multiplied by 1000), else ms. No human RR interval is 10 ms long, and none is 10 s, so the
rule cannot confuse the two.

Values that are not numbers, NaN, infinite, zero or negative after the header make the file
unusable: :class:`RRFileError`, with the path, the 1-based line and the reason. Values that
are numbers but physiologically implausible (below :data:`MIN_PLAUSIBLE_RR_MS` or above
:data:`MAX_PLAUSIBLE_RR_MS`) are *excluded* from the series and listed in
:attr:`RRSeries.excluded` (e.g. the ~50 ms extra value some Garmin straps append): treating
such a value as a beat would shift every later beat's time. The bounds are the live
timeline's (:mod:`tolerance.hrv.timeline`), so a file and a live session drop the same values.
"""

from __future__ import annotations

import logging
import math
import re
import statistics
from pathlib import Path
from typing import Final

import numpy as np
from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS, MIN_PLAUSIBLE_RR_MS

from ..kinds import RRReader
from ..rr_series import ExcludedValue, RRFileError, RRSeries

__all__ = ["READER", "read_rr_text"]

_log = logging.getLogger(__name__)

SECONDS_MEDIAN_LIMIT: Final = 10.0
"""Unitless values with a median below this are seconds."""

_SPLIT: Final = re.compile(r"[,;\t ]+")
_RR_NAMES: Final = {
    "rr_ms": 1.0,
    "rr (ms)": 1.0,
    "rr[ms]": 1.0,
    "rri": None,
    "rr": None,
    "ibi": None,
    "rr_s": 1000.0,
    "rr (s)": 1000.0,
    "rr[s]": 1000.0,
    "ibi_ms": 1.0,
}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _header_column(fields: list[str]) -> tuple[int, float | None] | None:
    names = [f.strip().strip('"').strip().lower() for f in fields]
    for name, scale in _RR_NAMES.items():
        if name in names:
            return names.index(name), scale
    return None


_UNIT_IN_HEADER: Final = re.compile(r"\b(?:rr|rri|ibi)\b[^,;\t]*?[(\[]\s*(ms|s)\s*[)\]]")


def _unit_from_header(line: str) -> float | None:
    """Scale to ms named next to the RR column in a header, e.g. ``RR (s)`` or ``rr [ms]``."""
    m = _UNIT_IN_HEADER.search(line.lower())
    if m is None:
        return None
    return 1.0 if m.group(1) == "ms" else 1000.0


def _fields(line: str) -> list[str]:
    if "," in line or ";" in line or "\t" in line:
        fields = [f.strip() for f in re.split(r"[,;\t]", line)]
    else:
        fields = [f for f in _SPLIT.split(line) if f]
    while fields and not fields[-1]:  # a trailing delimiter (spreadsheets write them)
        fields.pop()
    return fields


def read_rr_text(path: str | Path) -> RRSeries:
    """Read RR intervals from a text file (layouts and rules: module docstring).

    Parameters
    ----------
    path : str or Path
        The file (UTF-8 text).

    Returns
    -------
    RRSeries
        Plausible intervals in ms, their input positions and lines, and the excluded values.

    Raises
    ------
    RRFileError
        Unreadable file, no data, a non-numeric, NaN, infinite, zero or negative value.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RRFileError(path, None, f"cannot read the file ({exc})") from exc

    column: int | None = None
    scale: float | None = None
    layout = ""
    # A header that names the RR column: (index, scale, number of fields). It is trusted only
    # when the data lines have as many fields, so that a prose line ("RR intervals exported")
    # or a blank-separated header with spaces in its names ("Time (s)  RR (s)") cannot point
    # at the wrong column; the last column is taken then.
    named: tuple[int, float | None, int] | None = None
    header_scale: float | None = None
    values: list[float] = []
    lines: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = _fields(line)
        if not fields:
            continue
        if not values:
            if named is not None and len(fields) == named[2]:
                # Other columns may hold text (e.g. `tolerance simulate`'s `artifact`).
                header = _number(fields[named[0]]) is None
            else:
                header = any(_number(f) is None for f in fields)
            if header:  # header lines come only before the data
                found = _header_column(fields)
                if found is not None:
                    named = (found[0], found[1], len(fields))
                header_scale = header_scale if header_scale is not None else _unit_from_header(line)
                continue
        if column is None:
            if named is not None and len(fields) == named[2]:
                column, scale, layout = named[0], named[1], "named-column"
            else:
                column = len(fields) - 1
                layout = "single-column" if len(fields) == 1 else "two-column"
            if scale is None:
                scale = header_scale
        parsed = _number(fields[column]) if column < len(fields) else None
        if parsed is None:
            shown = fields[column] if column < len(fields) else "(missing)"
            raise RRFileError(path, number, f"RR value {shown!r} is not a number")
        value = parsed
        if not math.isfinite(value):
            raise RRFileError(path, number, f"RR value {value} is not finite")
        if value <= 0:
            raise RRFileError(path, number, f"RR value {value} is not positive")
        values.append(value)
        lines.append(number)
    if not values:
        raise RRFileError(path, None, "no RR values found")

    if scale is None:
        scale = 1000.0 if statistics.median(values) < SECONDS_MEDIAN_LIMIT else 1.0
    unit = "s" if scale == 1000.0 else "ms"
    rr = np.asarray(values, dtype=np.float64) * scale
    plausible = (rr >= MIN_PLAUSIBLE_RR_MS) & (rr <= MAX_PLAUSIBLE_RR_MS)
    excluded = tuple(
        ExcludedValue(
            int(i),
            lines[i],
            float(rr[i]),
            f"below {MIN_PLAUSIBLE_RR_MS:.0f} ms"
            if rr[i] < MIN_PLAUSIBLE_RR_MS
            else f"above {MAX_PLAUSIBLE_RR_MS:.0f} ms",
        )
        for i in np.flatnonzero(~plausible)
    )
    if excluded:
        _log.warning("%s: %d implausible RR value(s) excluded", path, len(excluded))
    keep = np.flatnonzero(plausible)
    return RRSeries(rr[keep], keep, np.asarray(lines, dtype=np.int64)[keep], excluded, unit, layout)


READER: Final = RRReader(
    name="rr-text",
    description="plain one-per-line (ms or s), CSV with a named RR column, Kubios-style RR text",
    sniff=lambda head: True,  # the fallback: it reads any text layout or refuses it with a reason
    read=read_rr_text,
)
