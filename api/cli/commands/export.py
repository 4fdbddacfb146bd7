"""``tolerance export SESSION --format FORMAT --out PATH``: a stored session as a file.

Formats: every writer of :mod:`tolerance.api.formats`. The file is streamed (a day-long
session is never held in memory whole) to ``PATH.partial`` and renamed when complete, so a
failed export never leaves a truncated file that looks finished. An existing file is never
replaced unless ``--force`` is given (exit 2, before anything is read), and only a regular
file is ever replaced: a FIFO, a device node or a directory at ``PATH`` is refused even with
``--force``. The file is made ``0600`` (the worker's account alone can read it), whatever the
umask: it is health data.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..exits import ExitCode, UsageError


def run(args: argparse.Namespace) -> int:
    from tolerance.api.files import open_private_binary, require_regular_or_absent
    from tolerance.api.formats import export_format
    from tolerance.api.settings import default_db_path
    from tolerance.api.storage import queries, read_only

    db = Path(args.db) if args.db else default_db_path()
    fmt = export_format(args.format)
    with read_only(db) as conn:
        queries.require_session(conn, args.session)  # an unknown session is the first thing to hear
        # Checked without opening it: opening a FIFO would block, a device would be written into.
        if args.out != "-" and require_regular_or_absent(args.out) and not getattr(args, "force", False):
            raise UsageError(f"{args.out} exists; give --force to overwrite it")
        chunks = fmt.write(conn, args.session)
        if args.out == "-":
            out = sys.stdout.buffer
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            return ExitCode.OK
        target = Path(args.out)
        partial = target.with_name(target.name + ".partial")
        try:
            with open_private_binary(partial) as handle:
                for chunk in chunks:
                    handle.write(chunk)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    print(f"wrote {args.out}", file=sys.stderr)  # noqa: T201
    return ExitCode.OK
