"""A text file as the text readers see it: its encoding, and its lines (rules: :mod:`.tabular`).

Lines come one at a time until the header is behind, then in blocks of ~1 MB of whole lines, so
that a file is never one string or a list of lines; a block of lines that each hold one plain
number is parsed by numpy at once (a one-number-per-line file of 25 M beats: seconds, not
minutes).
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

import numpy as np

from ..rr_series import RRFileError

__all__ = ["Lines", "PlainBlock", "decode_head", "open_text"]


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
    """The file opened as text with its encoding (see :mod:`.tabular`); the encoding.

    A start holding NUL bytes in an 8-bit encoding is refused at once: such a file is binary
    (or a sparse file of zeros), and reading it as lines would hold it whole in memory."""
    try:
        with path.open("rb") as raw:
            head = raw.read(4096)
        encoding = _encoding(head)
        if encoding.startswith("utf-8") and b"\x00" in head:
            raise RRFileError(path, None, f"it holds NUL bytes (first at byte {head.index(0)}): binary, not text")
        return path.open("r", encoding=encoding, newline=""), encoding
    except OSError as exc:
        raise RRFileError(path, None, f"cannot read the file ({exc.strerror or exc})") from exc


def not_text(path: Path, encoding: str, exc: UnicodeDecodeError) -> RRFileError:
    """The refusal of a file that does not decode in the encoding its start suggested."""
    return RRFileError(path, None, f"not text in {encoding} ({exc.reason} at byte {exc.start})")


_BLOCK_CHARS: Final = 1 << 20
"""Characters read at a time after the header (whole lines of about 1 MB)."""
MAX_LINE_CHARS: Final = 1 << 16
"""The longest line read (characters): no RR file has one near it, and without a bound a file
with no line ends (2 GB of one byte) would be read into memory whole before anything is said."""
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
class PlainBlock:
    """Consecutive lines each holding one plain number (``812``, ``0.812``): parsed at once."""

    first: int
    text: str
    values: np.ndarray

    def numbered(self) -> Iterator[tuple[int, str]]:
        """The block's lines one at a time, for a column that must read them one by one."""
        return enumerate(self.text.splitlines(), start=self.first)


class Lines:
    """A text file's lines that hold something (not blank, not a ``#`` comment), numbered from
    1, one at a time; :meth:`rest` gives the remaining ones, with blocks of plain numbers
    parsed by numpy."""

    def __init__(self, handle: TextIO, path: str | Path = "<file>") -> None:
        self._handle = handle
        self._path = path
        self._numbered = enumerate(self._bounded_lines(), start=1)
        self._consumed = 0

    def _bounded_lines(self) -> Iterator[str]:
        while True:
            raw = self._handle.readline(MAX_LINE_CHARS + 1)
            if not raw:
                return
            if len(raw) > MAX_LINE_CHARS:
                raise self._too_long(self._consumed + 1)
            yield raw

    def _too_long(self, number: int) -> RRFileError:
        return RRFileError(self._path, number, f"a line longer than {MAX_LINE_CHARS:,} characters: not an RR file")

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return self

    def __next__(self) -> tuple[int, str]:
        for number, raw in self._numbered:
            self._consumed = number
            line = raw.strip()
            if line and not line.startswith("#"):
                return number, line.lstrip("\ufeff")
        raise StopIteration

    def rest(self, plain: bool) -> Iterator[tuple[int, str] | PlainBlock]:
        """The lines after those read so far, as ``(number, line)``; with ``plain``, a block of
        lines that are each one plain number comes as one :class:`PlainBlock` instead.

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
                if len(text) > MAX_LINE_CHARS:
                    raise self._too_long(number + 1)
                tail = text  # one line longer than a block: read on
                continue
            block, tail = text[:cut], text[cut:]
            values = _parse_plain(block) if plain else None
            if values is not None:
                yield PlainBlock(number + 1, block, values)
                number += values.size
                continue
            for raw in io.StringIO(block, newline=""):
                number += 1
                line = raw.strip()
                if line and not line.startswith("#"):
                    yield number, line.lstrip("\ufeff")
