"""``tolerance analyze FILE``: HRV of an RR file in sliding windows, as JSON or CSV.

Output (DESIGN.md contract): JSON ``{"windows": [...], "artifacts": [{"index", "type"}],
"parameters": {...}, "excluded": [...]}`` or CSV with one row per window. ``index`` is the
0-based position of the value in the file's RR values; ``excluded`` lists implausible values
left out before the analysis (see :mod:`tolerance.api.rr_files`).

numpy, neurokit2 and tqdm are imported inside :func:`run`, so that the CLI starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import logging
import math
import sys
from collections.abc import Iterator
from typing import IO, Any, Final

_log = logging.getLogger(__name__)

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
PROGRESS_MIN_WINDOWS: Final = 200
"""Show a progress bar only for analyses with at least this many windows."""


def _fail(message: str) -> int:
    print(f"tolerance analyze: {message}", file=sys.stderr)  # noqa: T201 - the CLI's voice
    return EXIT_USAGE


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


@contextlib.contextmanager
def _output(path: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            yield handle


def run(args: argparse.Namespace) -> int:
    """Read ``args.file``, analyse it, write ``args.format`` to ``args.out``; exit code."""
    from tolerance.api.rr_files import RRFileError, read_rr_file
    from tolerance.hrv.analysis import analyze_rr, reference_analyze_rr
    from tolerance.hrv.time_domain import HrvInputError

    try:
        series = read_rr_file(args.file)
    except RRFileError as exc:
        return _fail(str(exc))

    if series.rr_ms.size < 2:
        reasons = sorted({e.reason for e in series.excluded})
        why = f" ({len(series.excluded)} value(s) left out: {'; '.join(reasons)})" if reasons else ""
        return _fail(f"{args.file} holds no usable RR intervals{why}")

    engine = reference_analyze_rr if args.engine == "neurokit" else analyze_rr
    show_bar = not args.no_progress and sys.stderr.isatty()
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total >= PROGRESS_MIN_WINDOWS:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="window", file=sys.stderr, leave=False)
        if bar is not None:
            bar.update(done - bar.n)

    try:
        analysis = engine(
            series.rr_ms,
            window_s=args.window,
            step_s=args.step,
            progress=progress if show_bar else None,
            input_index=series.input_index,
        )
    except (HrvInputError, ValueError) as exc:
        return _fail(f"{args.file}: {exc}")
    finally:
        if bar is not None:
            bar.close()
    if not analysis.windows:
        _log.warning(
            "%s: %.0f s of beats is shorter than one %.0f s window",
            args.file, float(series.rr_ms.sum()) / 1000.0, args.window,
        )

    excluded = [
        {"index": e.index, "line": e.line, "rr_ms": e.rr_ms, "reason": e.reason}
        for e in series.excluded
    ]
    try:
        with _output(args.out) as out:
            if args.format == "csv":
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                for row in analysis.csv_rows():
                    writer.writerow(["" if v is None else v for v in row])
                out.write(buffer.getvalue())
            else:
                doc = analysis.to_json_dict()
                doc["parameters"]["input_unit"] = series.unit
                doc["parameters"]["input_layout"] = series.layout
                doc["excluded"] = excluded
                json.dump(_json_safe(doc), out, allow_nan=False)
                out.write("\n")
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc}")
    return EXIT_OK
