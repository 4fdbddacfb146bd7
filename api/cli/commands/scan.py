"""``tolerance scan``: list straps advertising the Heart Rate Service (0x180D).

Prints a table (name, address, RSSI in dBm, strongest first) on stdout. Without a usable
Bluetooth adapter: the reason and what to do on stderr, exit 1. Nothing found: what to try
on stderr, exit 0 (scanning worked; there was just nothing to see).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from typing import Any, Final

from tolerance.sensors import FoundStrap, SensorError, scan

from ..exits import ExitCode

NOTHING_FOUND_ADVICE: Final = (
    "Most straps advertise only while worn: moisten the electrodes and put the strap on. "
    "Close apps on phones or watches that may be connected to it (a connected strap stops "
    "advertising), move closer, and scan longer (--timeout 20)."
)

_log = logging.getLogger(__name__)


def format_table(straps: Sequence[FoundStrap]) -> str:
    """A plain-text table: NAME, ADDRESS, RSSI (dBm)."""
    rows = [("NAME", "ADDRESS", "RSSI")] + [
        (s.name or "(no name)", s.address, "?" if s.rssi is None else f"{s.rssi} dBm") for s in straps
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}".rstrip() for r in rows) + "\n"


def run(args: argparse.Namespace, *, scanner_factory: Any = None) -> int:
    """Scan for ``args.timeout`` seconds and print what answered; ``scanner_factory`` is for tests."""
    timeout_s = float(getattr(args, "timeout", 8.0))
    try:
        straps = asyncio.run(scan(timeout_s, scanner_factory=scanner_factory))
    except SensorError as exc:
        _log.debug("scan failed", exc_info=True)
        sys.stderr.write(f"tolerance scan: {exc}\n{exc.advice}\n")
        return ExitCode.FAILURE
    if not straps:
        sys.stderr.write(
            f"tolerance scan: no strap advertised the Heart Rate Service in {timeout_s:g} s.\n{NOTHING_FOUND_ADVICE}\n"
        )
        return ExitCode.OK
    sys.stdout.write(format_table(straps))
    return ExitCode.OK
