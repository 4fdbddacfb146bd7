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
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import warnings
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final, TextIO

import numpy as np
from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS, MIN_PLAUSIBLE_RR_MS

from ..rr_series import ExcludedValue, RRFileError, RRSeries

__all__ = [
    "BEAT_TIME_NAMES",
    "RR_NAMES",
    "SECONDS_MEDIAN_LIMIT",
    "TIME_NAMES",
    "Column",
    "TableSpec",
    "classify_name",
    "decode_head",
    "open_text",
    "read_table",
    "series_from_values",
]

SECONDS_MEDIAN_LIMIT: Final = 10.0
"""Unitless values with a median below this are seconds."""
MIN_BEAT_TIME_VALUES: Final = 16
"""Fewest values whose monotonic increase marks a column as beat times."""
KUBIOS_TIME_TOLERANCE: Final = 0.05
"""Relative agreement of a headerless first column's time steps with the RR values."""

RR_NAMES: Final = frozenset(
    {
        "rr",
        "rri",
        "ibi",
        "nn",
        "nni",
        "rr interval",
        "rr intervals",
        "rr-interval",
        "rr-intervals",
        "rr_interval",
        "rr_intervals",
        "rrinterval",
        "r-r interval",
        "r-r",
        "nn interval",
        "nn intervals",
        "inter-beat interval",
        "interbeat interval",
        "ibi interval",
        "beat interval",
        "rr interval duration",
    }
)
"""Header names (lower case, unit removed) of an RR-interval column."""
BEAT_TIME_NAMES: Final = frozenset(
    {"r-peak", "r-peaks", "rpeak", "rpeaks", "r peak", "r peaks", "peak", "peaks", "beat time", "beat times",
     "r-peak time", "r-peak times", "peak time", "peak times", "beat", "beats time"}
)  # fmt: skip
"""Header names of a column of R-peak (beat) times."""
TIME_NAMES: Final = frozenset(
    {"time", "timestamp", "phone timestamp", "sensor timestamp", "date", "datetime", "date time", "elapsed",
     "elapsed time", "since start", "t", "seconds", "sec", "clock", "utc", "epoch", "time stamp", "start time"}
)  # fmt: skip
"""Header names of a time column (recognised, never taken for RR)."""

_UNIT: Final = re.compile(r"\s*[(\[]\s*([a-zµ/]+)\s*[)\]]\s*$|[ _](ms|s|sec|msec)$")
_UNIT_SCALE: Final = {"ms": 1.0, "msec": 1.0, "s": 1000.0, "sec": 1000.0}
_PLAIN: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS: Final = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA: Final = re.compile(r"\d+,\d+")
_DOT_GROUPED: Final = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
_INTEGER: Final = re.compile(r"[+-]?\d+")


def decode_head(head: bytes) -> str:
    """The first bytes of a file as text (BOMs and UTF-16 honoured, bad bytes replaced)."""
    encoding = _encoding(head)
    return head.decode(encoding, errors="replace").lstrip("\ufeff")


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:200]
    if len(sample) >= 4 and sample[1::2].count(0) > 0.8 * len(sample[1::2]):
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > 0.8 * len(sample[0::2]):
        return "utf-16-be"
    return "utf-8"


def open_text(path: Path) -> tuple[TextIO, str]:
    """The file opened as text with its encoding (see the module docstring); the encoding."""
    try:
        with path.open("rb") as raw:
            head = raw.read(4096)
        encoding = _encoding(head)
        return path.open("r", encoding=encoding, newline=""), encoding
    except OSError as exc:
        raise RRFileError(path, None, f"cannot read the file ({exc.strerror or exc})") from exc


def classify_name(name: str) -> tuple[str, float | None]:
    """``(kind, scale to ms)`` of a header name: kind ``rr``, ``beat_time``, ``time`` or ``other``."""
    n = name.strip().strip('"').strip().lstrip("\ufeff").lower()
    scale: float | None = None
    m = _UNIT.search(n)
    if m is not None:
        unit = m.group(1) or m.group(2)
        if unit in _UNIT_SCALE:
            scale = _UNIT_SCALE[unit]
        base = n[: m.start()].strip()
    else:
        base = n
    base = re.sub(r"\s+", " ", base)
    if base in RR_NAMES or base.replace("_", " ") in RR_NAMES:
        return "rr", scale
    if base in BEAT_TIME_NAMES or base.replace("_", " ") in BEAT_TIME_NAMES:
        return "beat_time", scale
    if base in TIME_NAMES or base.replace("_", " ") in TIME_NAMES or base.endswith(("time", "timestamp")):
        return "time", scale
    return "other", scale


def _is_iso(text: str) -> bool:
    t = text.strip()
    if len(t) < 10 or not t[:4].isdigit() or t[4] != "-":
        return False
    try:
        datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_NON_FINITE: Final = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "-infinity"})


def _plain_number(text: str) -> float | None:
    if _PLAIN.fullmatch(text) is None:
        return float(text) if text.lower() in _NON_FINITE else None
    return float(text)


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
            va = _plain_number(t)
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


@dataclass(frozen=True)
class TableSpec:
    """What a reader knows about its format before reading (a named reader's layout)."""

    reader: str
    delimiter: str | None = None
    rr_column: str | None = None
    rr_scale: float | None = None


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        return line.split()
    fields = next(csv.reader([line], delimiter=delimiter))
    while fields and not fields[-1].strip():  # a trailing delimiter (spreadsheets write them)
        fields.pop()
    return fields


def _delimiter_of(line: str) -> str:
    for d in ("\t", ";", ","):
        if d in line:
            return d
    return " "


_BLOCK_CHARS: Final = 1 << 20
"""Characters read at a time after the header (whole lines of about 1 MB)."""
_PLAIN_CHARS: Final = re.compile(r"[0-9.\r\n]*")
"""The characters of a block of lines that each hold one unsigned decimal number."""


def _parse_plain(block: str) -> np.ndarray | None:
    """The numbers of ``block`` when every line holds one plain decimal number and nothing else
    (not even blanks), line ends ``\n`` or ``\r\n``; else None (read it line by line).

    numpy's C parser reads such a number as ``float()`` does (correctly rounded); a line that is
    not one number (``.``, ``1.2.3``) stops it (a warning, or an error in later numpy), and a
    blank line leaves one value fewer than lines."""
    if not _PLAIN_CHARS.fullmatch(block) or block.count("\r") != block.count("\r\n"):
        return None
    count = block.count("\n") + (not block.endswith("\n"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            values = np.fromstring(block, dtype=np.float64, sep="\n")
        except (DeprecationWarning, ValueError):
            return None
    return values if values.size == count else None


@dataclass(frozen=True)
class _PlainBlock:
    """Consecutive lines each holding one plain number (``812``, ``0.812``): parsed at once."""

    first: int
    text: str
    values: np.ndarray

    def numbered(self) -> Iterator[tuple[int, str]]:
        """The block's lines one at a time, for a column that must read them one by one."""
        return enumerate(self.text.splitlines(), start=self.first)


class _Lines:
    """A text file's lines that hold something (not blank, not a ``#`` comment), numbered from
    1, one at a time; :meth:`rest` gives the remaining ones, with blocks of plain numbers
    parsed by numpy (a one-number-per-line file of 25 M beats: seconds, not minutes)."""

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self._numbered = enumerate(handle, start=1)
        self._consumed = 0

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return self

    def __next__(self) -> tuple[int, str]:
        for number, raw in self._numbered:
            self._consumed = number
            line = raw.strip()
            if line and not line.startswith("#"):
                return number, line.lstrip("\ufeff")
        raise StopIteration

    def rest(self, plain: bool) -> Iterator[tuple[int, str] | _PlainBlock]:
        """The lines after those read so far, as ``(number, line)``; with ``plain``, a block of
        lines that are each one plain number comes as one :class:`_PlainBlock` instead.

        The file is read in blocks of whole lines (cut after a ``\n``, or after a ``\r`` that
        is not the block's last character, which may be the first half of ``\r\n``); a block
        that is not all plain numbers is split into lines as iterating the file splits them
        (``newline=""``: ``\n``, ``\r\n`` and ``\r``), so line numbers stay those of the file.
        """
        number = self._consumed
        tail = ""
        while True:
            chunk = self._handle.read(_BLOCK_CHARS)
            text = tail + chunk
            if not text:
                return
            cut = len(text) if not chunk else max(text.rfind("\n"), text.rfind("\r", 0, len(text) - 1)) + 1
            if cut == 0:
                tail = text  # one line longer than a block: read on
                continue
            block, tail = text[:cut], text[cut:]
            values = _parse_plain(block) if plain else None
            if values is not None:
                yield _PlainBlock(number + 1, block, values)
                number += values.size
                continue
            for raw in io.StringIO(block, newline=""):
                number += 1
                line = raw.strip()
                if line and not line.startswith("#"):
                    yield number, line.lstrip("\ufeff")


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
        raise RRFileError(p, None, f"not text in {encoding} ({exc.reason} at byte {exc.start})") from exc


def _numeric(field_text: str) -> bool:
    t = field_text.strip().strip('"').strip()
    return (
        _plain_number(t) is not None
        or _THOUSANDS.fullmatch(t) is not None
        or _DECIMAL_COMMA.fullmatch(t) is not None
        or _DOT_GROUPED.fullmatch(t) is not None
        or _is_iso(t)
    )


def _is_prose(line: str) -> bool:
    """A sentence, not column names: no delimiter, single blanks between at least 3 words."""
    return (
        _delimiter_of(line) == " "
        and re.search(r"\s{2,}", line) is None
        and len(line.split()) >= 3
        and classify_name(line)[0] == "other"
    )


_PEEK_LINES: Final = 64
"""Data lines looked at before the delimiter of a headerless ``,`` file is decided."""


def _read(p: Path, handle: TextIO, spec: TableSpec, notes: dict[str, str]) -> RRSeries:
    lines = _Lines(handle)
    preamble: list[tuple[int, str]] = []
    header: tuple[int, str] | None = None
    first_data: tuple[int, str] | None = None
    for number, line in lines:
        d = spec.delimiter or _delimiter_of(line)
        fields = _split(line, d) if d != " " else line.split()
        if header is None and all(_numeric(f) for f in fields):
            first_data = (number, line)
            break
        if header is not None:
            # after a header: a units line under the names, or the data
            names_d = spec.delimiter or _delimiter_of(header[1])
            hf = _split(header[1], names_d) if names_d != " " else re.split(r"\s{2,}|\t", header[1])
            rr_i = _rr_index(hf)
            df = _split(line, names_d) if names_d != " " else line.split()
            if rr_i is not None and len(df) == len(hf) and _numeric(df[rr_i]):
                first_data = (number, line)
                break
            if len(df) == len(hf) and all(not any(c.isdigit() for c in f) for f in df):
                preamble.append((number, line))  # a units line under the names ("s,ms,-")
                continue
            if rr_i is not None and len(df) == len(hf):
                raise RRFileError(p, number, f"RR value {df[rr_i].strip()!r} is not a number")
            first_data = (number, line)
            break
        if _is_prose(line):
            preamble.append((number, line))
            continue
        header = (number, line)
    if first_data is None:
        if header is not None:
            d = spec.delimiter or _delimiter_of(header[1])
            names = _split(header[1], d) if d != " " else re.split(r"\s{2,}|\t", header[1])
            _choose_column(p, [n.strip().strip('"') for n in names], spec)  # refuses a header naming no RR
        raise RRFileError(p, None, "no RR values found (no data lines)")
    if preamble:
        notes["skipped_lines"] = ", ".join(str(n) for n, _ in preamble) + " (text before the data)"
    number, line = first_data
    if header is not None:
        d = spec.delimiter or _delimiter_of(header[1])
        head_fields = _split(header[1], d) if d != " " else re.split(r"\s{2,}|\t", header[1])
        data_width = len(_split(line, d) if d != " " else line.split())
        if d == " " and len(head_fields) != data_width:
            head_fields = header[1].split()
        if d != " " and d not in line and len(line.split()) == len(head_fields):
            d = " "  # names split by the header's delimiter, values by blanks
            data_width = len(head_fields)
        names = [f.strip().strip('"').strip() for f in head_fields]
        if len(names) != data_width and not (len(names) == 1 and _is_prose(header[1])):
            raise RRFileError(
                p,
                number,
                f"{data_width} fields where the header (line {header[0]}) has {len(names)}: a ',' inside a number "
                "such as 1,023 (1023 or 1.023?) must be quoted, or the file must use ';' or tabs",
            )
        return _read_named(p, lines, header[0], names, d, first_data, spec, notes)
    return _read_unnamed(p, lines, first_data, spec, notes)


def _rr_index(fields: list[str]) -> int | None:
    kinds = [classify_name(f)[0] for f in fields]
    for k in ("rr", "beat_time"):
        if kinds.count(k) == 1:
            return kinds.index(k)
    return None


def _delimiter_name(d: str) -> str:
    return {"\t": "tab", ";": "';'", ",": "','", " ": "blanks"}[d]


def _read_named(
    p: Path,
    lines: _Lines,
    header_line: int,
    names: list[str],
    d: str,
    first_data: tuple[int, str],
    spec: TableSpec,
    notes: dict[str, str],
) -> RRSeries:
    col, kind, scale = _choose_column(p, names, spec)
    width = len(names)
    notes["delimiter"] = _delimiter_name(d)
    notes["rr_column"] = f"{names[col]!r} (column {col + 1} of {width}, chosen by its name on line {header_line})"
    if scale is not None:
        notes["unit"] = f"{'ms' if scale == 1.0 else 's'}, from the header {names[col]!r}"
    times = [n for n in names if classify_name(n)[0] == "time"]
    if times:
        notes["time_columns"] = (
            ", ".join(repr(t) for t in times) + " recognised as time, not RR (time is the running sum of the RR values)"
        )
    column = Column()
    lines_out = array("q")
    prev = -math.inf
    increasing = True

    def add_line(number: int, line: str) -> None:
        nonlocal prev, increasing
        fields = _split(line, d)
        if len(fields) != width:
            raise RRFileError(
                p,
                number,
                f"{len(fields)} fields where the header (line {header_line}) has {width} (delimiter "
                f"{notes['delimiter']}): a ',' inside a number such as 1,023 (1023 or 1.023?) must be quoted, "
                "or the file must use ';' or tabs",
            )
        column.add(fields[col], number, p)
        lines_out.append(number)
        if increasing:
            v = column.last()
            increasing = v > prev
            prev = v

    add_line(*first_data)
    for got in lines.rest(plain=width == 1):
        if not isinstance(got, _PlainBlock):
            add_line(*got)
        elif column.take_block(got.values, got.text):
            increasing, prev = _block_order(got, lines_out, increasing, prev)
        else:
            for number, line in got.numbered():
                add_line(number, line)
    values = _decide_numbers(p, column, scale, notes)
    line_numbers = np.frombuffer(lines_out, dtype=np.int64)
    if kind == "beat_time":
        return _from_beat_times(p, values, scale, line_numbers, notes)
    _refuse_beat_times(p, values, increasing)
    return series_from_values(p, values, scale, line_numbers, "named-column", notes)


def _block_order(block: _PlainBlock, lines_out: array[int], increasing: bool, prev: float) -> tuple[bool, float]:
    """Record a block's line numbers; whether the values still only increase, and the last."""
    v = block.values
    lines_out.frombytes(np.arange(block.first, block.first + v.size, dtype=np.int64).tobytes())
    if increasing:
        increasing = bool(v[0] > prev) and bool(np.all(v[1:] > v[:-1]))
        prev = float(v[-1])
    return increasing, prev


def _refuse_beat_times(p: Path, values: np.ndarray, increasing: bool) -> None:
    if increasing and values.size >= MIN_BEAT_TIME_VALUES and values[-1] >= 2 * values[0] > 0:
        raise RRFileError(
            p,
            None,
            f"the {values.size} values only increase, from {values[0]:g} to {values[-1]:g}: these look like "
            "R-peak (beat) times, not RR intervals; give RR intervals, or name the column 'R-peak time (s)' "
            "to have them converted",
        )


def _read_unnamed(
    p: Path,
    lines: _Lines,
    first_data: tuple[int, str],
    spec: TableSpec,
    notes: dict[str, str],
) -> RRSeries:
    peek = [first_data]
    for item in lines:
        peek.append(item)
        if len(peek) >= _PEEK_LINES:
            break
    d = spec.delimiter or _delimiter_of(first_data[1])
    if d == "," and any("," not in line for _, line in peek):
        d = " "  # some lines hold no ',': it is inside numbers (1,023), not between fields
    elif d == "," and all(re.fullmatch(r"\d+,\d+", line) for _, line in peek):
        # "0,812" or "1,023" on every line: one number with a ',' or two fields "time,RR"?
        pairs = np.array([[float(x) for x in line.split(",")] for _, line in peek])
        ok = pairs.shape[0] >= 3 and np.all(np.diff(pairs[:, 0]) > 0)
        if ok:
            rr = pairs[1:, 1] * _scale_for(pairs[:, 1], None)[0]
            dt = np.diff(pairs[:, 0])
            ok = any(np.mean(np.abs(dt * s - rr) / rr <= KUBIOS_TIME_TOLERANCE) >= 0.95 for s in (1000.0, 1.0))
        if not ok:
            d = " "
    notes["delimiter"] = _delimiter_name(d)
    fields = _split(first_data[1], d)
    width = len(fields)
    if width == 1:
        col, layout = 0, "single-column"
    elif width == 2 and not _is_iso(fields[0]):
        col, layout = 1, "two-column"
    else:
        raise RRFileError(
            p,
            first_data[0],
            f"{width} columns and no header naming the RR column: which one holds RR intervals cannot be known; "
            "add a header such as 'time,rr_ms'",
        )
    column = Column()
    time_col = array("d")
    lines_out = array("q")
    prev = -math.inf
    increasing = True

    def add_line(number: int, line: str) -> None:
        nonlocal prev, increasing
        fields = _split(line, d)
        if len(fields) != width:
            raise RRFileError(
                p,
                number,
                f"{len(fields)} fields where the first data line (line {first_data[0]}) has {width} "
                f"(delimiter {notes['delimiter']}): a ',' inside a number such as 1,023 must be quoted, "
                "or the file must use ';' or tabs",
            )
        column.add(fields[col], number, p)
        if width == 2:
            t = _plain_number(fields[0].strip())
            if t is None:
                raise RRFileError(p, number, f"time value {fields[0]!r} is not a number")
            time_col.append(t)
        lines_out.append(number)
        if increasing:
            v = column.last()
            increasing = v > prev
            prev = v

    for number, line in peek:
        add_line(number, line)
    for got in lines.rest(plain=width == 1):
        if not isinstance(got, _PlainBlock):
            add_line(*got)
        elif column.take_block(got.values, got.text):
            increasing, prev = _block_order(got, lines_out, increasing, prev)
        else:
            for number, line in got.numbered():
                add_line(number, line)
    values = _decide_numbers(p, column, None, notes)
    _refuse_beat_times(p, values, increasing)
    if width == 2:
        _check_time_axis(p, np.frombuffer(time_col, dtype=np.float64), values, None, notes)
    return series_from_values(p, values, None, np.frombuffer(lines_out, dtype=np.int64), layout, notes)


def _choose_column(p: Path, names: list[str], spec: TableSpec) -> tuple[int, str, float | None]:
    if spec.rr_column is not None:
        lowered = [n.lower() for n in names]
        if spec.rr_column.lower() not in lowered:
            raise RRFileError(p, None, f"no {spec.rr_column!r} column among {names}")
        i = lowered.index(spec.rr_column.lower())
        return i, "rr", spec.rr_scale if spec.rr_scale is not None else classify_name(names[i])[1]
    kinds = [classify_name(n) for n in names]
    rr = [i for i, (k, _) in enumerate(kinds) if k == "rr"]
    beats = [i for i, (k, _) in enumerate(kinds) if k == "beat_time"]
    if len(rr) > 1:
        raise RRFileError(p, None, f"two columns could be RR intervals: {[names[i] for i in rr]}; keep one")
    if rr:
        return rr[0], "rr", kinds[rr[0]][1]
    if len(beats) == 1:
        return beats[0], "beat_time", kinds[beats[0]][1]
    raise RRFileError(
        p,
        None,
        f"no column that can be RR intervals among the columns {', '.join(repr(n) for n in names)} "
        f"(an RR column is named e.g. rr_ms, RR (ms), RRI, IBI, NN or RR-interval [ms])",
    )


def _scale_for(values: np.ndarray, scale: float | None) -> tuple[float, bool]:
    if scale is not None:
        return scale, False
    return (1000.0 if float(np.median(values)) < SECONDS_MEDIAN_LIMIT else 1.0), True


def _plausible_share(values: np.ndarray, scale: float | None) -> float:
    s, _ = _scale_for(values, scale)
    ms = values * s
    return float(np.mean((ms >= MIN_PLAUSIBLE_RR_MS) & (ms <= MAX_PLAUSIBLE_RR_MS)))


def _decide_numbers(p: Path, column: Column, scale: float | None, notes: dict[str, str]) -> np.ndarray:
    a = None if column.a is None else np.frombuffer(column.a, dtype=np.float64)
    b = None if column.b is None else np.frombuffer(column.b, dtype=np.float64)
    if column.comma_line is None:
        assert a is not None
        return a
    if a is not None and b is not None:
        sa, sb = _scale_for(a, scale)[0], _scale_for(b, scale)[0]
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


def _check_time_axis(p: Path, t: np.ndarray, rr: np.ndarray, scale: float | None, notes: dict[str, str]) -> None:
    s, _ = _scale_for(rr, scale)
    rr_ms = rr * s
    if t.size < 3:
        raise RRFileError(p, None, "two unnamed columns and too few lines to tell which one is RR; add a header")
    dt = np.diff(t)
    agree = None
    for t_scale in (1000.0, 1.0):  # time in s or ms
        err = np.abs(dt * t_scale - rr_ms[1:]) / rr_ms[1:]
        share = float(np.mean(err <= KUBIOS_TIME_TOLERANCE))
        if share >= 0.95:
            agree = "s" if t_scale == 1000.0 else "ms"
            break
    if agree is None:
        raise RRFileError(
            p,
            None,
            "two unnamed columns, and the first is not a time axis that the second sums to: which one holds "
            "RR intervals cannot be known; add a header such as 'time,rr_ms'",
        )
    notes["two_columns"] = (
        f"no header: column 1 read as time ({agree}) and column 2 as RR, because each time step equals "
        f"the RR value beside it (Kubios RR text layout)"
    )


def _from_beat_times(
    p: Path, times: np.ndarray, scale: float | None, lines: np.ndarray, notes: dict[str, str]
) -> RRSeries:
    if times.size < 2 or np.any(np.diff(times) <= 0):
        bad = int(np.flatnonzero(np.diff(times) <= 0)[0]) + 1 if times.size >= 2 else 0
        raise RRFileError(p, int(lines[bad]) if times.size >= 2 else None, "beat times must increase strictly")
    rr = np.diff(times)
    s, inferred = _scale_for(rr, scale)
    notes["beat_times"] = (
        "the column holds R-peak (beat) times (named so in the header); RR intervals are their successive "
        f"differences, {'unit inferred from their size' if inferred else 'unit from the header'}; index 0 is "
        "the interval ending at the second beat"
    )
    return series_from_values(p, rr, s, lines[1:], "beat-times", notes)


def series_from_values(
    path: str | Path,
    values: np.ndarray,
    scale: float | None,
    lines: np.ndarray,
    layout: str,
    notes: dict[str, str],
) -> RRSeries:
    """The :class:`RRSeries` of RR values in a unit (``scale`` to ms; None: inferred, stated)."""
    if not np.all(np.isfinite(values)):
        i = int(np.flatnonzero(~np.isfinite(values))[0])
        raise RRFileError(path, int(lines[i]), f"RR value {values[i]} is not finite")
    if np.any(values <= 0):
        i = int(np.flatnonzero(values <= 0)[0])
        raise RRFileError(path, int(lines[i]), f"RR value {values[i]:g} is not positive")
    s, inferred = _scale_for(values, scale)
    unit = "s" if s == 1000.0 else "ms"
    notes.setdefault(
        "unit", f"{unit}, " + ("inferred: median below 10 means seconds" if inferred else "from the header or format")
    )
    rr = values * s if s != 1.0 else values
    plausible = (rr >= MIN_PLAUSIBLE_RR_MS) & (rr <= MAX_PLAUSIBLE_RR_MS)
    bad = np.flatnonzero(~plausible)
    excluded = tuple(
        ExcludedValue(
            int(i),
            int(lines[i]),
            float(rr[i]),
            f"below {MIN_PLAUSIBLE_RR_MS:.0f} ms"
            if rr[i] < MIN_PLAUSIBLE_RR_MS
            else f"above {MAX_PLAUSIBLE_RR_MS:.0f} ms",
        )
        for i in bad
    )
    # Positions and line numbers in 4 bytes each when they fit (a file of under 2**31 lines).
    small = np.int32 if rr.size and int(lines.max()) < 2**31 else np.int64
    if bad.size:
        keep = np.flatnonzero(plausible)
        return RRSeries(rr[keep], keep.astype(small), lines[keep].astype(small), excluded, unit, layout, notes)
    index = np.arange(rr.size, dtype=small)
    return RRSeries(np.ascontiguousarray(rr), index, lines.astype(small), excluded, unit, layout, notes)
