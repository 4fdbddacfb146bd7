"""A worker's own summary of a week or a month, for a consultation call: time in window,
recoveries, times noticed, per day and in total, and the notes of the period for the worker to
choose from. Made only when the worker asks (nothing is stored or sent); for the worker alone."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any, Final, Literal

from . import review
from .storage import queries

PERIOD_DAYS: Final = {"week": 7, "month": 30}
Period = Literal["week", "month"]


def summary(conn: sqlite3.Connection, period: Period, end: dt.date) -> dict[str, Any]:
    """The ``period`` (7 or 30 days) ending on ``end``, oldest day first."""
    n = PERIOD_DAYS[period]
    first = end - dt.timedelta(days=n - 1) if end.toordinal() > n else dt.date.min
    t0 = review.day_bounds(first)[0]
    t1 = review.day_bounds(end)[1]
    days = []
    d = first
    while d <= end:
        a, b = review.day_bounds(d)
        days.append({"date": d.isoformat(), **review.practice(conn, a, b)})
        if d == dt.date.max:
            break
        d += dt.timedelta(days=1)
    notes = [
        {"session_id": e.session_id, "episode": int(e.data.get("episode", -1)), "t_utc": e.t_utc,
         "text": e.data.get("text", "")}
        for e in queries.events_between(conn, ("note",), t0, t1)
    ]  # fmt: skip
    return {
        "period": period,
        "start": first.isoformat(),
        "end": end.isoformat(),
        "days": days,
        "totals": review.practice(conn, t0, t1),
        "notes": notes,
        "definitions": {
            "within_share": "time within the window / time measured within, above or below it",
            "recoveries": "excursions above the window that came back inside it",
            "recovery_median_s": "median time from an excursion's peak to back inside the window, s",
            "noticed": "presses of Noticed",
        },
    }
