"""Exit codes, and the one table that maps error classes to them.

0 the result is real; 1 a runtime failure (device, server, storage, writing the output);
2 bad usage or bad input (a malformed payload, an unreadable file, an unknown scenario or
session); 3 ``analyze`` wrote its whole output (artifacts, excluded values, every window with
its reason) but no window gave numbers; 130 interrupted. A command returns a code, or raises: :func:`exit_for` turns any
error of the table into its code and a one-line message (with the error's ``advice`` if it
has one), so no user mistake ends in a traceback. Classes are named, not imported, so that
the CLI starts without loading numpy, bleak or FastAPI.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    NO_WINDOW = 3
    INTERRUPTED = 130


ERROR_EXITS: Final[dict[str, ExitCode]] = {
    # bad input or usage
    "MalformedPayload": ExitCode.USAGE,
    "RRFileError": ExitCode.USAGE,
    "ReplayFileError": ExitCode.USAGE,
    "ScenarioError": ExitCode.USAGE,
    "SourceError": ExitCode.USAGE,
    "SessionNotFound": ExitCode.USAGE,
    "HrvInputError": ExitCode.USAGE,
    "UsageError": ExitCode.USAGE,
    "NoDatabase": ExitCode.USAGE,
    "NotARegularFile": ExitCode.USAGE,
    # the machine or a device failed
    "DatabaseInUse": ExitCode.FAILURE,
    "StoreError": ExitCode.FAILURE,
    "AdapterUnavailable": ExitCode.FAILURE,
    "SensorError": ExitCode.FAILURE,
    "OSError": ExitCode.FAILURE,
}
"""Class name -> exit code; an error matches by its class or the nearest base in this table
(``DatabaseInUse`` before its base ``StoreError``). Only Tolerance's own classes and OSError."""


class UsageError(Exception):
    """A command's own refusal of its arguments (exit 2)."""


def exit_for(exc: BaseException) -> tuple[ExitCode, str] | None:
    """(code, message) for an error of the table, None for anything else (a bug)."""
    for cls in type(exc).__mro__:
        code = ERROR_EXITS.get(cls.__name__)
        if code is not None and (cls.__module__.startswith("tolerance.") or cls is OSError):
            if isinstance(exc, OSError) and not cls.__module__.startswith("tolerance."):
                where = f"{exc.filename}: " if exc.filename else ""
                return code, f"{where}{exc.strerror or exc}"
            advice = getattr(exc, "advice", "")
            return code, f"{exc}. {advice}".strip() if advice else str(exc)
    return None
