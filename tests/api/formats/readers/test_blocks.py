"""The text reader's blocks of plain numbers (parsed by numpy at once) read a file exactly as
reading it line by line does: values, positions, line numbers, excluded values, statements and
errors, whatever the block size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tolerance.api.formats import RRFileError, read_rr_file
from tolerance.api.formats.readers import text


def _read_both(monkeypatch: pytest.MonkeyPatch, path: Path, block: int) -> tuple[object, object]:
    """The file read with blocks of ``block`` characters, then one line at a time (no block is
    ever parsed at once): each result, or the error's message."""

    def read() -> object:
        try:
            s = read_rr_file(path)
        except RRFileError as exc:
            return str(exc)
        return (
            s.rr_ms.tobytes(),
            s.input_index.tolist(),
            s.source_lines.tolist(),
            s.excluded,
            s.unit,
            s.layout,
            s.interpretation,
        )

    monkeypatch.setattr(text, "_BLOCK_CHARS", block)
    blocks = read()
    monkeypatch.setattr(text, "_parse_plain", lambda block: None)
    monkeypatch.setattr(text, "_BLOCK_CHARS", 1 << 30)
    return blocks, read()


_RNG = np.random.default_rng(5)
_INTS = [str(v) for v in _RNG.integers(600, 1100, 300).tolist()]
_DECIMALS = [f"{v:.{d}f}" for v, d in zip(_RNG.uniform(0.6, 1.1, 300).tolist(), [1, 3, 6, 12, 16] * 60, strict=True)]

FILES = {
    "integers": "\n".join(_INTS) + "\n",
    "no final newline": "\n".join(_INTS),
    "crlf": "\r\n".join(_INTS) + "\r\n",
    "cr only": "\r".join(_INTS) + "\r",
    "seconds with decimals": "\n".join(_DECIMALS) + "\n",
    "blank lines and comments inside": "\n".join(_INTS[:100] + ["", "# pause", "  "] + _INTS[100:]) + "\n",
    "implausible values deep inside": "\n".join(_INTS[:150] + ["40", "25000"] + _INTS[150:250] + ["3"] + _INTS[250:]),
    "a header then numbers": "RR (ms)\n" + "\n".join(_INTS) + "\n",
    "thousands separator after many lines": "\n".join(_INTS[:200] + ['"1,023"'] + _INTS[200:]) + "\n",
    "a lone cr inside": "\n".join(_INTS[:120]) + "\r\r\n" + "\n".join(_INTS[120:]) + "\n",
    "not a number deep inside": "\n".join(_INTS[:230] + ["1.2.3"] + _INTS[230:]) + "\n",
    "a dot alone deep inside": "\n".join(_INTS[:260] + ["."] + _INTS[260:]) + "\n",
    "beat times": "\n".join(str(800 * k) for k in range(1, 300)) + "\n",
    "blanks around numbers": "\n".join(f" {v} " for v in _INTS) + "\n",
}


@pytest.mark.parametrize("block", [7, 64, 1000])
@pytest.mark.parametrize("name", list(FILES))
def test_blocks_read_as_lines_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, block: int) -> None:
    path = tmp_path / "rr.txt"
    path.write_bytes(FILES[name].encode())
    blocks, lines = _read_both(monkeypatch, path, block)
    assert blocks == lines


def test_blocks_are_used_and_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "rr.txt"
    path.write_text(FILES["implausible values deep inside"], encoding="utf-8")
    s = read_rr_file(path)
    assert [(e.index, e.line, e.rr_ms) for e in s.excluded] == [(150, 151, 40.0), (151, 152, 25000.0), (252, 253, 3.0)]
    assert s.source_lines.dtype == np.int32 and s.input_index.dtype == np.int32
    assert text._parse_plain("812\n0.9\r\n1000") is not None
