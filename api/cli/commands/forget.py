"""``tolerance forget SESSION... | --all | --before DATE [--profiles] [--yes]``: delete stored
sessions (and, with ``--profiles``, the workers' profiles) for good.

Every row of each session (notifications, beats, metrics, events, episodes, and any table with
a ``session_id``) is deleted, then the file rebuilt and its WAL truncated, so that no trace is
left in it (:mod:`tolerance.api.storage.forget`). The database's lock is taken first: while a
server records into the file this refuses (use ``DELETE /api/sessions/{id}/data`` there). A
session still marked live is refused. Without ``--yes`` it asks; with no terminal to ask on it
refuses (exit 2). ``forget`` returns success only once the data is gone from the file: while
another program holds the file open (a database browser) it waits :data:`FORGET_WAIT_S`, then
says the rows are deleted but traces remain, and exits 1; ``forget --finish`` (or any later
``forget``) finishes the job.
``--all`` and ``--before`` say which profiles they kept.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Final

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


FORGET_WAIT_S: Final = 5.0
"""Seconds ``forget`` waits for a reader (another program holding the file open) to leave."""


def run(args: argparse.Namespace) -> int:
    from tolerance.api.settings import default_db_path
    from tolerance.api.storage import NoDatabase, SessionNotFound, forget_sessions, queries, scrub
    from tolerance.api.storage.lock import DatabaseLock
    from tolerance.api.storage.store import connect_writer

    profiles_too = getattr(args, "profiles", False)
    if not (args.sessions or args.all or args.before or profiles_too or getattr(args, "finish", False)):
        raise UsageError("name the sessions to forget, or give --all, --before DATE, --profiles or --finish")
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
            elif args.all:
                chosen = stored
            else:
                chosen = []
            live = [s.id for s in chosen if s.status == "live"]
            if live:
                raise UsageError(f"session {', '.join(live)} is marked live; start and stop the server first")
            profiles = [name for name, *_ in queries.list_profiles(conn)]
            doomed_profiles = profiles if profiles_too else []
            if not chosen and not doomed_profiles:
                # Nothing new: finish an earlier forget a reader kept from completing, if any.
                finished = scrub(conn, FORGET_WAIT_S)
                print(  # noqa: T201 - the CLI's voice
                    ("no session to forget" if not getattr(args, "finish", False) else f"{db} holds no trace")
                    if finished
                    else f"a program holding {db} open (a database browser?) still keeps traces; close it first",
                    file=sys.stderr,
                )
                return ExitCode.OK if finished else ExitCode.FAILURE
            what = _listing(chosen, doomed_profiles)
            if not args.yes:
                if not sys.stdin.isatty():
                    raise UsageError(f"would forget {what}; give --yes to confirm")
                answer = input(f"Forget {what} for good? Nothing can bring them back. [y/N] ")
                if answer.strip().lower() not in ("y", "yes"):
                    print("nothing forgotten", file=sys.stderr)  # noqa: T201
                    return ExitCode.OK
            done = forget_sessions(conn, [s.id for s in chosen], wait_s=FORGET_WAIT_S, profiles=doomed_profiles)
        finally:
            conn.close()
    finally:
        lock.release()
    rows = sum(n for t, n in done.rows.items() if t not in ("sessions", "profiles"))
    said = f"forgot {len(done.sessions)} sessions ({rows} rows)"
    if doomed_profiles:
        said += f" and {len(doomed_profiles)} profiles ({', '.join(doomed_profiles)})"
    if done.pending:
        print(  # noqa: T201
            f"{said}, but a program holding {db} open (a database browser?) keeps copies of them in the file; "
            "close it, then run `tolerance forget --finish` to remove them",
            file=sys.stderr,
        )
        return ExitCode.FAILURE
    print(f"{said}; {db} holds no trace of them", file=sys.stderr)  # noqa: T201
    kept = [p for p in profiles if p not in doomed_profiles]
    if kept and (args.all or before is not None):
        print(  # noqa: T201
            f"kept {len(kept)} profiles ({', '.join(kept)}): their baselines and windows; "
            "`tolerance forget --profiles` deletes them",
            file=sys.stderr,
        )
    return ExitCode.OK


def _listing(chosen: list[Any], profiles: list[str]) -> str:
    parts = []
    if chosen:
        ids = ", ".join(s.id for s in chosen[:10]) + (f" and {len(chosen) - 10} more" if len(chosen) > 10 else "")
        parts.append(f"{len(chosen)} sessions ({ids})")
    if profiles:
        parts.append(f"{len(profiles)} profiles ({', '.join(profiles)})")
    return " and ".join(parts)
