"""``tolerance forget SESSION... | --all | --before DATE [--yes]``: delete stored sessions for good.

Every row of each session (notifications, beats, metrics, events, episodes, and any table with
a ``session_id``) is deleted, then the file rebuilt and its WAL truncated, so that no trace is
left in it (:mod:`tolerance.api.storage.forget`). The database's lock is taken first: while a
server records into the file this refuses (use ``DELETE /api/sessions/{id}/data`` there). A
session still marked live is refused. Without ``--yes`` it asks; with no terminal to ask on it
refuses (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from ..exits import ExitCode, UsageError


def _before_utc(text: str) -> float:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--before {text!r} is not a date such as 2026-11-30 or 2026-11-30T12:00") from None
    if when.tzinfo is None:
        # A date without a zone is local time; today's offset, since the C library's local time
        # cannot convert year 1 (a traceback for `--before 0001-01-01`).
        try:
            return when.timestamp()
        except (OverflowError, OSError, ValueError):
            when = when.replace(tzinfo=datetime.now().astimezone().tzinfo)
    return when.timestamp()


def run(args: argparse.Namespace) -> int:
    from tolerance.api.settings import default_db_path
    from tolerance.api.storage import NoDatabase, SessionNotFound, forget_sessions, queries
    from tolerance.api.storage.lock import DatabaseLock
    from tolerance.api.storage.store import connect_writer

    if not (args.sessions or args.all or args.before):
        raise UsageError("name the sessions to forget, or give --all or --before DATE")
    if args.sessions and (args.all or args.before):
        raise UsageError("give session ids, or --all, or --before DATE, not several")
    before = _before_utc(args.before) if args.before else None
    db = Path(args.db) if args.db else default_db_path()
    if not db.is_file():
        raise NoDatabase(db)
    lock = DatabaseLock(db)
    lock.acquire()  # DatabaseInUse while a server holds the file
    try:
        conn = connect_writer(db)
        try:
            stored = queries.list_sessions(conn)
            if args.sessions:
                known = {s.id: s for s in stored}
                for sid in args.sessions:
                    if sid not in known:
                        raise SessionNotFound(sid)
                chosen = [known[sid] for sid in dict.fromkeys(args.sessions)]
            elif before is not None:
                chosen = [s for s in stored if s.created_utc < before]
            else:
                chosen = stored
            live = [s.id for s in chosen if s.status == "live"]
            if live:
                raise UsageError(f"session {', '.join(live)} is marked live; start and stop the server first")
            if not chosen:
                print("no session to forget", file=sys.stderr)
                return ExitCode.OK
            listing = ", ".join(s.id for s in chosen[:10]) + (
                f" and {len(chosen) - 10} more" if len(chosen) > 10 else ""
            )
            if not args.yes:
                if not sys.stdin.isatty():
                    raise UsageError(f"would forget {len(chosen)} sessions ({listing}); give --yes to confirm")
                answer = input(
                    f"Forget {len(chosen)} sessions ({listing}) for good? Nothing can bring them back. [y/N] "
                )
                if answer.strip().lower() not in ("y", "yes"):
                    print("nothing forgotten", file=sys.stderr)
                    return ExitCode.OK
            done = forget_sessions(conn, [s.id for s in chosen])
        finally:
            conn.close()
    finally:
        lock.release()
    rows = sum(n for t, n in done.rows.items() if t != "sessions")
    print(f"forgot {len(done.sessions)} sessions ({rows} rows); {db} holds no trace of them", file=sys.stderr)
    return ExitCode.OK
