"""Where a command's output goes: a file, or standard output for ``-``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO

from ..files import open_private_text


@contextlib.contextmanager
def open_output(path: str) -> Iterator[TextIO]:
    """A text stream for ``path`` (``-`` = stdout, left open); files are UTF-8, ``newline=""``
    so that the csv module's line endings are kept as written. A file is made ``0600`` and only
    a regular file is written (:func:`~tolerance.api.files.open_private_text`)."""
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
    else:
        with open_private_text(path) as handle:
            yield handle
