"""A table's columns: how a line splits into fields, what a header's names mean (RR, beat
times, time) with their units, and which column holds the RR values (rules: :mod:`.tabular`)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Final

from ..rr_series import RRFileError

__all__ = [
    "BEAT_TIME_NAMES",
    "RR_NAMES",
    "TIME_NAMES",
    "choose_column",
    "classify_name",
    "delimiter_name",
    "delimiter_of",
    "is_prose",
    "rr_index",
    "split",
    "split_names",
]

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


class FieldTooLong(ValueError):
    """A field longer than :mod:`csv` reads (131,072 characters by default): no RR table has one."""


def split(line: str, delimiter: str) -> list[str]:
    """The fields of ``line``: by blanks, or by :mod:`csv` (quotes honoured) for another delimiter.

    Raises :class:`FieldTooLong` for a field longer than the csv module's limit."""
    if delimiter == " ":
        return line.split()
    try:
        fields = next(csv.reader([line], delimiter=delimiter))
    except csv.Error as exc:
        limit = csv.field_size_limit()
        raise FieldTooLong(f"a field of more than {limit:,} characters, starting {line[:24]!r}") from exc
    while fields and not fields[-1].strip():  # a trailing delimiter (spreadsheets write them)
        fields.pop()
    return fields


def split_names(header: str, delimiter: str) -> list[str]:
    """The fields of a header line: as :func:`split`, except that blank-separated names are
    split at two or more blanks or a tab, since a name may hold one blank (``RR (ms)``)."""
    return split(header, delimiter) if delimiter != " " else re.split(r"\s{2,}|\t", header)


def delimiter_of(line: str) -> str:
    """Tab, else ``;``, else ``,``, else blanks: the first of them found in ``line``."""
    for d in ("\t", ";", ","):
        if d in line:
            return d
    return " "


def delimiter_name(d: str) -> str:
    """A delimiter as the notes name it."""
    return {"\t": "tab", ";": "';'", ",": "','", " ": "blanks"}[d]


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


def is_prose(line: str) -> bool:
    """A sentence, not column names: no delimiter, single blanks between at least 3 words."""
    return (
        delimiter_of(line) == " "
        and re.search(r"\s{2,}", line) is None
        and len(line.split()) >= 3
        and classify_name(line)[0] == "other"
    )


def rr_index(fields: list[str]) -> int | None:
    """The position of the one field named as RR intervals, else of the one named as beat times."""
    kinds = [classify_name(f)[0] for f in fields]
    for k in ("rr", "beat_time"):
        if kinds.count(k) == 1:
            return kinds.index(k)
    return None


def choose_column(
    p: Path, names: list[str], rr_column: str | None, rr_scale: float | None
) -> tuple[int, str, float | None]:
    """``(position, kind, scale to ms)`` of the column to read: the reader's ``rr_column`` (its
    ``rr_scale``, else the unit in the name), else the one named as RR, else the one named as
    beat times; refused when none or two are."""
    if rr_column is not None:
        lowered = [n.lower() for n in names]
        if rr_column.lower() not in lowered:
            raise RRFileError(p, None, f"no {rr_column!r} column among {names}")
        i = lowered.index(rr_column.lower())
        return i, "rr", rr_scale if rr_scale is not None else classify_name(names[i])[1]
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
        f"no column that can be RR intervals among the columns {', '.join(repr(_shown(n)) for n in names)} "
        f"(an RR column is named e.g. rr_ms, RR (ms), RRI, IBI, NN or RR-interval [ms])",
    )


def _shown(name: str, limit: int = 40) -> str:
    """A column name as a message shows it: cut, so that a file of junk never floods the terminal."""
    return name if len(name) <= limit else name[:limit] + "..."
