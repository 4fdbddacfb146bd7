"""The daily review: a day's time in window, episodes with their curves and notes,
re-activations, breathing and nudges, and how the day compares with the last weeks.

Days are the server's local calendar days (a worker's day, not UTC's). Time in window comes
from the stored ``zone`` events (one at every change and every 5 s of beat time): each event's
zone holds until the next one, for at most :data:`MAX_ZONE_STEP_S`; longer silences (the strap
off, the server stopped) count as ``unknown_s``, never as inside.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
from typing import Any, Final

from .storage import EpisodeRow, queries

MAX_ZONE_STEP_S: Final = 10.0
"""A zone event covers the time to the next one up to this (s); zone ticks come every 5 s."""
TREND_DAYS: Final = 28
ZONES: Final = ("within", "hyper", "hypo", "activity", "unknown", "warmup", "learning")


def day_bounds(day: dt.date) -> tuple[float, float]:
    """The day's start and end (Unix s). Any date answers: 9999-12-31 has no next day in
    ``datetime`` (its end is its start plus 24 h), and 0001-01-01 no day before it."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.datetime.now().astimezone().tzinfo)
    try:
        end = (start + dt.timedelta(days=1)).timestamp()
    except OverflowError:
        end = start.timestamp() + 86_400.0
    return start.timestamp(), end


def time_in_window(conn: sqlite3.Connection, t0: float, t1: float) -> dict[str, float | None]:
    seconds = dict.fromkeys(ZONES, 0.0)
    by_session: dict[str, list[tuple[float, str]]] = {}
    for e in queries.events_between(conn, ("zone",), t0, t1):
        by_session.setdefault(e.session_id, []).append((e.t_utc, str(e.data.get("zone", "unknown"))))
    for points in by_session.values():
        for (t, zone), (t_next, _z) in zip(points, points[1:], strict=False):
            step = t_next - t
            covered = min(step, MAX_ZONE_STEP_S)
            seconds[zone if zone in seconds else "unknown"] += covered
            seconds["unknown"] += step - covered
    judged = seconds["within"] + seconds["hyper"] + seconds["hypo"]
    out: dict[str, float | None] = {f"{z}_s": v for z, v in seconds.items()}
    out["within_share"] = seconds["within"] / judged if judged > 0 else None
    return out


def episode_view(e: EpisodeRow, notes: list[dict[str, Any]]) -> dict[str, Any]:
    d = e.data
    offset = e.start_utc - e.start_s  # session clock -> UTC
    return {
        "session_id": e.session_id,
        "index": e.id,
        "start_utc": e.start_utc,
        "peak_utc": None if e.peak_s is None else e.peak_s + offset,
        "return_utc": None if e.return_s is None else e.return_s + offset,
        "peak": e.peak,
        "recovery_s": e.recovery_s,
        "tau_s": e.tau_s,
        "half_recovery_s": d.get("half_recovery_s"),
        "tau_half_s": d.get("tau_half_s"),
        "tau_low_s": (d.get("fit") or {}).get("tau_low_s"),
        "tau_high_s": (d.get("fit") or {}).get("tau_high_s"),
        "r2": e.r2,
        "area": e.area,
        "breathing": e.breathing,
        "activity": e.activity,
        "reactivation_of": e.reactivation_of,
        "closed": e.closed,
        "fit": d.get("fit"),
        "logistic": d.get("logistic"),
        "curve": {"t_s": d.get("curve_t_s", []), "arousal": d.get("curve_arousal", [])},
        "notes": notes,
    }


def review(conn: sqlite3.Connection, day: dt.date) -> dict[str, Any]:
    t0, t1 = day_bounds(day)
    sessions = queries.sessions_between(conn, t0, t1)
    episodes = queries.episodes_between(conn, t0, t1)
    events = queries.events_between(conn, ("note", "nudge", "breathing"), t0, t1)
    notes: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for e in events:
        if e.type == "note":
            key = (e.session_id, int(e.data.get("episode", -1)))
            notes.setdefault(key, []).append({"t_utc": e.t_utc, "text": e.data.get("text", "")})
    breathing: list[dict[str, Any]] = []
    running: dict[str, dict[str, Any]] = {}
    for e in events:
        if e.type != "breathing":
            continue
        if e.data.get("running"):
            running.setdefault(e.session_id, {"session_id": e.session_id, "start_utc": e.t_utc})
            running[e.session_id]["rate_per_min"] = e.data.get("rate_per_min")
        elif e.session_id in running:
            breathing.append({**running.pop(e.session_id), "end_utc": e.t_utc})
    breathing.extend({**b, "end_utc": None} for b in running.values())
    return {
        "date": day.isoformat(),
        "sessions": [
            {k: getattr(s, k) for k in ("id", "source_id", "label", "created_utc", "ended_utc", "status")}
            for s in sessions
        ],
        "time_in_window": time_in_window(conn, t0, t1),
        "episodes": [episode_view(e, notes.get((e.session_id, e.id), [])) for e in episodes],
        "reactivations": sum(1 for e in episodes if e.reactivation_of is not None),
        "nudges": sum(1 for e in events if e.type == "nudge"),
        "breathing": breathing,
        "trend": trend(conn, day),
        "definitions": {
            "within_share": "within_s / (within_s + hyper_s + hypo_s); activity and unknown (no usable signal) apart",
            "tau_s": "time constant (s) of a single exponential fitted to arousal from the recovery onset; "
            "tau_low_s .. tau_high_s its 95 % interval (tau_high_s null: unbounded)",
            "tau_half_s": "model-free: time (s) from the peak to half its height above the baseline centre, / ln 2",
            "reactivation_of": "index of the episode this one followed within 30 min of its return",
            "days": "the server's local calendar days",
        },
    }


def trend(conn: sqlite3.Connection, day: dt.date, days: int = TREND_DAYS) -> list[dict[str, Any]]:
    """One row per day of the last ``days`` (oldest first): time-in-window share, median tau."""
    out = []
    for k in range(days - 1, -1, -1):
        if day.toordinal() - k < 1:
            continue  # before 0001-01-01: no such day
        d = day - dt.timedelta(days=k)
        t0, t1 = day_bounds(d)
        episodes = queries.episodes_between(conn, t0, t1)
        taus = [e.tau_s for e in episodes if e.tau_s is not None and e.closed]
        halves = [e.data["tau_half_s"] for e in episodes if e.closed and e.data.get("tau_half_s") is not None]
        share = time_in_window(conn, t0, t1)["within_share"]
        n = len(episodes)
        out.append(
            {
                "date": d.isoformat(),
                "within_share": share,
                "tau_median_s": statistics.median(taus) if taus else None,
                "tau_half_median_s": statistics.median(halves) if halves else None,
                "episodes": n,
            }
        )
    return out
