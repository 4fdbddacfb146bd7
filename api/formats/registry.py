"""The table of file formats: session export writers and RR-file readers, one module each.

A format is added by writing its module and registering it here (``_WRITER_MODULES`` /
``_READER_MODULES``): the CLI's ``--format`` choices, the API's ``format`` parameter and its
OpenAPI enum all come from this table.

Writers stream: ``write(conn, session_id)`` yields ``bytes`` chunks from a read-only
connection, so a day-long session is never one string in memory, and the same generator
feeds a file (``tolerance export``) or an HTTP response.
"""

from __future__ import annotations

import importlib
import os
import stat
from pathlib import Path
from typing import Final

from ..files import file_kind
from .kinds import ExportFormat, RRReader
from .rr_series import RRFileError, RRSeries

__all__ = ["EXPORTS", "export_format", "read_rr_file", "readers"]

_WRITER_MODULES: Final = ("beats_csv", "session_json", "replay_log")
_READER_MODULES: Final = ("tolerance_beats", "fit", "polar_sensor_logger", "hrv_logger", "rr_text")
"""Asked in this order: binary and named formats by their signature first, the generic text reader last."""


def _load(package: str, names: tuple[str, ...], attr: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in names:
        fmt = getattr(importlib.import_module(f"{__package__}.{package}.{name}"), attr)
        out[fmt.name] = fmt
    return out


EXPORTS: Final[dict[str, ExportFormat]] = _load("writers", _WRITER_MODULES, "FORMAT")  # type: ignore[assignment]
"""Export writers by name (light: loading them imports no numpy, so the CLI's parser lists them)."""


def readers() -> dict[str, RRReader]:
    """RR-file readers by name, in the order they are asked (loaded on first use: they need numpy)."""
    if not _READERS:
        _READERS.update(_load("readers", _READER_MODULES, "READER"))  # type: ignore[arg-type]
    return _READERS


_READERS: dict[str, RRReader] = {}


def export_format(name: str) -> ExportFormat:
    try:
        return EXPORTS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r}; choose one of {', '.join(EXPORTS)}") from None


def read_rr_file(path: str | Path) -> RRSeries:
    """Read an RR file with the first reader that takes it (see each reader for its layouts)."""
    p = Path(path)
    try:
        # Checked before opening: a FIFO would block the open (for ever, with no writer), a
        # device such as /dev/zero would never end.
        st = os.stat(p)
        if not stat.S_ISREG(st.st_mode):
            raise RRFileError(str(p), None, f"it is {file_kind(st.st_mode)}, not a regular file")
        with p.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise RRFileError(str(p), None, f"cannot read it: {exc.strerror or exc}") from None
    for reader in readers().values():
        if reader.sniff(head):
            return reader.read(p)
    raise RRFileError(str(p), None, "no reader recognises this file")  # pragma: no cover - rr_text takes all
