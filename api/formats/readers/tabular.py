"""Reading a table of text into RR intervals without guessing silently (shared by the readers).

Every text reader (:mod:`.rr_text`, :mod:`.polar_sensor_logger`, :mod:`.hrv_logger`) goes
through :func:`read_table`, so that one set of rules decides, and states, how a file was read.
What it decides and how (each decision lands in :attr:`RRSeries.interpretation`, which
``tolerance analyze`` copies into its ``parameters``):

Encoding
    A UTF-8 BOM, a UTF-16 BOM (LE or BE), or UTF-16 without a BOM (every other byte of the
    first line zero) is honoured; otherwise UTF-8. Anything else is refused. Line ends: LF,
    CRLF or CR.
Lines
    Empty lines and lines starting with ``#`` are skipped anywhere. The first other line is
    a header when any of its fields is not a number; a second header line (units under the
    names, e.g. ``s,ms,-``) is skipped when the first named the RR column and its RR field is
    not a number.
Delimiter
    Decided once, from the header (or the first data line): tab, else ``;``, else ``,``, else
    blanks. Fields are split with :mod:`csv`, so a quoted ``"1,023"`` is one field. A data
    line with more fields than the header is refused with its number: an unquoted ``,``
    inside a number (``1,023``) is the usual cause, and which column then holds the RR value
    cannot be known.
Columns
    Chosen by header name, never by position: an RR column is one whose name, without its
    unit, is ``rr``, ``rri``, ``ibi``, ``nn``, ``nni``, ``rr interval``, ``rr-interval``,
    ``rr_interval``, ``r-r interval``, ``inter-beat interval``... (:data:`RR_NAMES`). Its unit
    comes from the header (``(ms)``, ``[ms]``, ``_ms``, ``(s)``, ``[s]``, ``_s``); without one,
    values with a median below 10 are seconds (no human RR interval is 10 ms or 10 s long),
    stated as *inferred*. A column named like beat times (``R-peak time``, ``beat time``,
    ``peaks``) is converted to RR intervals (its successive differences), stated. Time
    columns (``time``, ``timestamp``, ``date``, ``elapsed``...: :data:`TIME_NAMES`, or values
    in ISO 8601) are recognised as such and never taken for RR. A file whose header names no
    RR column is refused with the columns it saw; so is one naming two.
No header
    One column: RR values. Two columns: taken as ``time, RR`` (Kubios' RR text layout) only
    when the first is a time axis the second sums to (each time step equals the RR value
    beside it, to 5 %, for 95 % of lines): then stated; otherwise refused.
Numbers
    ``.`` is the decimal mark. A ``,`` inside a number is read as a thousands separator
    (``1,023`` = 1023) or as a decimal comma (``0,812`` = 0.812) by the file's own evidence:
    a value only one reading accepts (``0,812``, ``12,5``, ``1,023.5``) decides; when both
    readings stay possible, the one whose values are plausible RR intervals wins; when both
    are plausible and give different values, the file is refused naming the first such line.
    When both readings give the same intervals (``1,023`` as 1023 ms or as 1.023 s), that is
    stated too.
Beat times
    A column of 16 or more values that only increase and at least double is R-peak (beat)
    times, not RR intervals: refused, saying so (a header that names beat times is converted
    instead, see above).

Memory: the file is read line by line, or in blocks of ~1 MB of whole lines once the header is
behind (a block of lines that each hold one plain number is parsed by numpy at once), into
``array('d')`` buffers (8 bytes per value and per line number), never as one string or a list
of lines; positions and line numbers are then kept in 4 bytes each, so a 25-million-beat file
costs about 16 bytes per beat once read.

Here: the header and the data lines, and the two layouts (a header naming the RR column, or
none). The parts: :mod:`.text` (encoding, lines and blocks), :mod:`.columns` (delimiter,
header names and units, the RR column), :mod:`.numbers` (the ``,`` inside numbers, seconds or
ms by size), :mod:`.series` (checks, implausible values, beat times, a time axis).
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TextIO

import numpy as np

from ..rr_series import RRFileError, RRSeries
from .columns import (
    FieldTooLong,
    choose_column,
    classify_name,
    delimiter_name,
    delimiter_of,
    is_prose,
    rr_index,
    split,
    split_names,
)
from .numbers import Column, decide_numbers, is_iso, is_numeric, plain_number, scale_for
from .series import KUBIOS_TIME_TOLERANCE, check_time_axis, from_beat_times, refuse_beat_times, series_from_values
from .text import Lines, PlainBlock, not_text, open_text

__all__ = ["TableSpec", "read_table"]

_PEEK_LINES: Final = 64
"""Data lines looked at before the delimiter of a headerless ``,`` file is decided."""


@dataclass(frozen=True)
class TableSpec:
    """What a reader knows about its format before reading (a named reader's layout)."""

    reader: str
    delimiter: str | None = None
    rr_column: str | None = None
    rr_scale: float | None = None


def read_table(path: str | Path, spec: TableSpec) -> RRSeries:
    """Read RR intervals from a delimited text file by the rules of the module docstring.

    Raises
    ------
    RRFileError
        With the path, the 1-based line when one is to blame, and what is ambiguous or wrong.
    """
    p = Path(path)
    handle, encoding = open_text(p)
    notes: dict[str, str] = {"reader": spec.reader, "encoding": encoding}
    try:
        with handle:
            return _read(p, handle, spec, notes)
    except UnicodeDecodeError as exc:
        raise not_text(p, encoding, exc) from exc
    except FieldTooLong as exc:
        raise RRFileError(p, None, f"{exc}: not a table of RR intervals") from exc


def _read(p: Path, handle: TextIO, spec: TableSpec, notes: dict[str, str]) -> RRSeries:
    lines = Lines(handle, p)
    preamble: list[tuple[int, str]] = []
    header: tuple[int, str] | None = None
    first_data: tuple[int, str] | None = None
    for number, line in lines:
        d = spec.delimiter or delimiter_of(line)
        fields = split(line, d)
        if header is None and all(is_numeric(f) for f in fields):
            first_data = (number, line)
            break
        if header is not None:
            # after a header: a units line under the names, or the data
            names_d = spec.delimiter or delimiter_of(header[1])
            hf = split_names(header[1], names_d)
            rr_i = rr_index(hf)
            df = split(line, names_d)
            if rr_i is not None and len(df) == len(hf) and is_numeric(df[rr_i]):
                first_data = (number, line)
                break
            if len(df) == len(hf) and all(not any(c.isdigit() for c in f) for f in df):
                preamble.append((number, line))  # a units line under the names ("s,ms,-")
                continue
            if rr_i is not None and len(df) == len(hf):
                raise RRFileError(p, number, f"RR value {df[rr_i].strip()!r} is not a number")
            first_data = (number, line)
            break
        if is_prose(line):
            preamble.append((number, line))
            continue
        header = (number, line)
    if first_data is None:
        if header is not None:
            d = spec.delimiter or delimiter_of(header[1])
            names = split_names(header[1], d)
            # called for its refusal: a header naming no RR column is refused with the names it saw
            choose_column(p, [n.strip().strip('"') for n in names], spec.rr_column, spec.rr_scale)
        raise RRFileError(p, None, "no RR values found (no data lines)")
    if preamble:
        notes["skipped_lines"] = ", ".join(str(n) for n, _ in preamble) + " (text before the data)"
    number, line = first_data
    if header is not None:
        d = spec.delimiter or delimiter_of(header[1])
        head_fields = split_names(header[1], d)
        data_width = len(split(line, d))
        if d == " " and len(head_fields) != data_width:
            head_fields = header[1].split()
        if d != " " and d not in line and len(line.split()) == len(head_fields):
            d = " "  # names split by the header's delimiter, values by blanks
            data_width = len(head_fields)
        names = [f.strip().strip('"').strip() for f in head_fields]
        if len(names) != data_width and not (len(names) == 1 and is_prose(header[1])):
            raise RRFileError(
                p,
                number,
                f"{data_width} fields where the header (line {header[0]}) has {len(names)}: a ',' inside a number "
                "such as 1,023 (1023 or 1.023?) must be quoted, or the file must use ';' or tabs",
            )
        return _read_named(p, lines, header[0], names, d, first_data, spec, notes)
    return _read_unnamed(p, lines, first_data, spec, notes)


@dataclass
class _Values:
    """The RR column's values as they are read, with each one's line, and whether all so far
    increase (as beat times do: known without a second pass over 25 M values)."""

    path: Path
    column: Column = field(default_factory=Column)
    source_lines: array[int] = field(default_factory=lambda: array("q"))
    increasing: bool = True
    last: float = -math.inf

    def add(self, text: str, number: int) -> None:
        self.column.add(text, number, self.path)
        self.source_lines.append(number)
        if self.increasing:
            v = self.column.last()
            self.increasing = v > self.last
            self.last = v

    def one_by_one(self, lines: Lines, first: list[tuple[int, str]], plain: bool) -> Iterator[tuple[int, str]]:
        """The data lines to split and :meth:`add` one at a time: ``first`` (already read), then
        the rest of the file, whose blocks of plain numbers (``plain``: one column) go in here at
        once, unless a ``,`` met before makes the column keep both readings value by value."""
        yield from first
        for got in lines.rest(plain=plain):
            if not isinstance(got, PlainBlock):
                yield got
            elif self.column.take_block(got.values, got.text):
                v = got.values
                self.source_lines.frombytes(np.arange(got.first, got.first + v.size, dtype=np.int64).tobytes())
                if self.increasing:
                    self.increasing = bool(v[0] > self.last) and bool(np.all(v[1:] > v[:-1]))
                    self.last = float(v[-1])
            else:
                yield from got.numbered()

    def line_numbers(self) -> np.ndarray:
        return np.frombuffer(self.source_lines, dtype=np.int64)


def _read_named(
    p: Path,
    lines: Lines,
    header_line: int,
    names: list[str],
    d: str,
    first_data: tuple[int, str],
    spec: TableSpec,
    notes: dict[str, str],
) -> RRSeries:
    col, kind, scale = choose_column(p, names, spec.rr_column, spec.rr_scale)
    width = len(names)
    notes["delimiter"] = delimiter_name(d)
    notes["rr_column"] = f"{names[col]!r} (column {col + 1} of {width}, chosen by its name on line {header_line})"
    if scale is not None:
        notes["unit"] = f"{'ms' if scale == 1.0 else 's'}, from the header {names[col]!r}"
    times = [n for n in names if classify_name(n)[0] == "time"]
    if times:
        notes["time_columns"] = (
            ", ".join(repr(t) for t in times) + " recognised as time, not RR (time is the running sum of the RR values)"
        )
    read = _Values(p)
    for number, line in read.one_by_one(lines, [first_data], plain=width == 1):
        fields = split(line, d)
        if len(fields) != width:
            raise RRFileError(
                p,
                number,
                f"{len(fields)} fields where the header (line {header_line}) has {width} (delimiter "
                f"{notes['delimiter']}): a ',' inside a number such as 1,023 (1023 or 1.023?) must be quoted, "
                "or the file must use ';' or tabs",
            )
        read.add(fields[col], number)
    values = decide_numbers(p, read.column, scale, notes)
    if kind == "beat_time":
        return from_beat_times(p, values, scale, read.line_numbers(), notes)
    refuse_beat_times(p, values, read.increasing)
    return series_from_values(p, values, scale, read.line_numbers(), "named-column", notes)


def _read_unnamed(
    p: Path,
    lines: Lines,
    first_data: tuple[int, str],
    spec: TableSpec,
    notes: dict[str, str],
) -> RRSeries:
    peek = [first_data]
    for item in lines:
        peek.append(item)
        if len(peek) >= _PEEK_LINES:
            break
    d = _unnamed_delimiter(peek, spec)
    notes["delimiter"] = delimiter_name(d)
    fields = split(first_data[1], d)
    width = len(fields)
    if width == 1:
        col, layout = 0, "single-column"
    elif width == 2 and not is_iso(fields[0]):
        col, layout = 1, "two-column"
    else:
        raise RRFileError(
            p,
            first_data[0],
            f"{width} columns and no header naming the RR column: which one holds RR intervals cannot be known; "
            "add a header such as 'time,rr_ms'",
        )
    read = _Values(p)
    time_col = array("d")
    for number, line in read.one_by_one(lines, peek, plain=width == 1):
        fields = split(line, d)
        if len(fields) != width:
            raise RRFileError(
                p,
                number,
                f"{len(fields)} fields where the first data line (line {first_data[0]}) has {width} "
                f"(delimiter {notes['delimiter']}): a ',' inside a number such as 1,023 must be quoted, "
                "or the file must use ';' or tabs",
            )
        read.add(fields[col], number)
        if width == 2:
            t = plain_number(fields[0].strip())
            if t is None:
                raise RRFileError(p, number, f"time value {fields[0]!r} is not a number")
            time_col.append(t)
    values = decide_numbers(p, read.column, None, notes)
    refuse_beat_times(p, values, read.increasing)
    if width == 2:
        check_time_axis(p, np.frombuffer(time_col, dtype=np.float64), values, None, notes)
    return series_from_values(p, values, None, read.line_numbers(), layout, notes)


def _unnamed_delimiter(peek: list[tuple[int, str]], spec: TableSpec) -> str:
    """The delimiter of a headerless file, from its first data lines."""
    d = spec.delimiter or delimiter_of(peek[0][1])
    if d == "," and any("," not in line for _, line in peek):
        d = " "  # some lines hold no ',': it is inside numbers (1,023), not between fields
    elif d == "," and all(re.fullmatch(r"\d+,\d+", line) for _, line in peek):
        # "0,812" or "1,023" on every line: one number with a ',' or two fields "time,RR"?
        pairs = np.array([[float(x) for x in line.split(",")] for _, line in peek])
        ok = pairs.shape[0] >= 3 and np.all(np.diff(pairs[:, 0]) > 0)
        if ok:
            rr = pairs[1:, 1] * scale_for(pairs[:, 1], None)[0]
            dt = np.diff(pairs[:, 0])
            ok = any(np.mean(np.abs(dt * s - rr) / rr <= KUBIOS_TIME_TOLERANCE) >= 0.95 for s in (1000.0, 1.0))
        if not ok:
            d = " "
    return d
