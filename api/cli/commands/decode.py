"""``tolerance decode HEX...``: decode Heart Rate Measurement (0x2A37) payloads given as hex.

One JSON object per payload on stdout, in the order given::

    {"hr": 73, "rr_ms": [841.796875, 896.484375], "rr_raw": [862, 918], "contact": null, "energy_kj": null}

Hex may contain spaces, colons or dashes between bytes (``10:49:5e:03``) and a ``0x``
prefix, as copied from gatttool, nRF Connect or a log. On the first payload that is not hex
or does not decode, one line on stderr names it and says what is wrong, and the exit code is
2; the payloads before it have been printed already (each line is a complete result, so a
script reading stdout keeps what was good), the ones after it are not decoded.

Imports only the standard library and the pure parser: no bleak, numpy or neurokit2, so the
command starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Final

from tolerance.sensors.errors import MalformedPayload
from tolerance.sensors.heart_rate import decode_hrm

from ..exits import ExitCode

_SEPARATORS: Final = str.maketrans("", "", " :-_\t")


def parse_hex(text: str) -> bytes:
    """Bytes from hex text, tolerating byte separators and a ``0x`` prefix; ValueError if not hex."""
    cleaned = text.strip()
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    cleaned = cleaned.translate(_SEPARATORS)
    if len(cleaned) % 2:
        raise ValueError(f"odd number of hex digits ({len(cleaned)})")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        bad = next((c for c in cleaned if c not in "0123456789abcdefABCDEF"), "?")
        raise ValueError(f"not hexadecimal (contains {bad!r})") from None


def decode_to_json(payload: bytes) -> dict[str, object]:
    """The contract's JSON object for one payload (raises MalformedPayload)."""
    m = decode_hrm(payload)
    return {
        "hr": m.hr_bpm,
        "rr_ms": list(m.rr_ms),
        "rr_raw": list(m.rr_raw),
        "contact": m.contact,
        "energy_kj": m.energy_kj,
    }


def run(args: argparse.Namespace) -> int:
    """Decode each of ``args.hex``; 0 if all decoded, 2 at the first bad one."""
    for position, text in enumerate(args.hex, start=1):
        try:
            result = decode_to_json(parse_hex(text))
        except MalformedPayload as exc:
            _error(position, text, f"malformed heart-rate payload: {exc.reason}")
            return ExitCode.USAGE
        except ValueError as exc:
            _error(position, text, f"bad hex: {exc}")
            return ExitCode.USAGE
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()  # a line per payload as it is decoded, even into a pipe
    return ExitCode.OK


def _error(position: int, text: str, what: str) -> None:
    sys.stderr.write(f"tolerance decode: payload {position} ({text!r}): {what}\n")
