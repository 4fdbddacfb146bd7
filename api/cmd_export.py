"""``tolerance export SESSION --format csv|json --out PATH``: a stored session as a file."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from .cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    from . import export
    from .settings import default_db_path
    from .store import SessionNotFound

    db = Path(args.db) if args.db else default_db_path()
    if not db.is_file():
        print(f"tolerance export: no database at {db} (give --db PATH)", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    try:
        conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            text, _media = export.export_session(conn, args.session, args.format)
        finally:
            conn.close()
    except SessionNotFound as exc:
        print(f"tolerance export: {exc} in {db}", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    except sqlite3.Error as exc:
        print(f"tolerance export: cannot read {db}: {exc}", file=sys.stderr)  # noqa: T201
        return EXIT_FAILURE
    if args.out == "-":
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"tolerance export: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)  # noqa: T201
        return EXIT_FAILURE
    print(f"wrote {args.out}", file=sys.stderr)  # noqa: T201
    return EXIT_OK
