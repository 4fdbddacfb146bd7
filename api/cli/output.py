"""Where a command's output goes: a file, or standard output for ``-``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO


@contextlib.contextmanager
def open_output(path: str) -> Iterator[TextIO]:
    """A text stream for ``path`` (``-`` = stdout, left open); files are UTF-8, ``newline=""``
    so that the csv module's line endings are kept as written."""
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            yield handle
