"""``tolerance review [DATE] [--db PATH] [--format text|json]``: a day's window of tolerance.

Text: time in window (the headline), each episode (when, how high, how fast it came back,
with notes and re-activations), breathing used, nudges, and the last four weeks' trend. JSON:
the same object as ``GET /api/review?date=DATE``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from ..exits import ExitCode, UsageError


def _clock(t_utc: float | None) -> str:
    return "–" if t_utc is None else dt.datetime.fromtimestamp(t_utc).strftime("%H:%M")


def _minutes(s: float | None) -> str:
    return "–" if s is None else f"{s / 60:.0f} min"


def render(doc: dict[str, Any]) -> str:
    tiw = doc["time_in_window"]
    share = tiw["within_share"]
    lines = [f"Tolerance review for {doc['date']}", ""]
    lines.append(
        "Time in your window: "
        + ("no usable signal this day" if share is None else f"{share:.0%}")
        + f"  (within {_minutes(tiw['within_s'])}, above {_minutes(tiw['hyper_s'])}, below {_minutes(tiw['hypo_s'])};"
        + f" moving {_minutes(tiw['activity_s'])} and no signal {_minutes(tiw['unknown_s'])} apart)"
    )
    lines.append(f"Sessions: {len(doc['sessions'])}   nudges: {doc['nudges']}   re-activations: {doc['reactivations']}")
    lines.append("")
    if not doc["episodes"]:
        lines.append("No excursions above your window.")
    for e in doc["episodes"]:
        tau = "–" if e["tau_s"] is None else f"{e['tau_s']:.0f} s"
        if e["tau_s"] is not None and e.get("tau_low_s") is not None:
            high = "?" if e.get("tau_high_s") is None else f"{e['tau_high_s']:.0f}"
            tau += f" (95 % {e['tau_low_s']:.0f}-{high})"
        back = "not back yet" if e["return_utc"] is None else f"back at {_clock(e['return_utc'])}"
        extra = []
        if e["breathing"]:
            extra.append("with paced breathing")
        if e["reactivation_of"] is not None:
            extra.append(f"re-activation of #{e['reactivation_of']}")
        lines.append(
            f"  #{e['index']} {_clock(e['start_utc'])}  peak {e['peak']:.1f} at {_clock(e['peak_utc'])}, {back}, "
            f"recovery tau {tau}" + (f" ({', '.join(extra)})" if extra else "")
        )
        lines.extend(f"      note: {n['text']}" for n in e["notes"])
    if doc["breathing"]:
        lines.append("")
        lines.append(
            "Paced breathing: "
            + ", ".join(f"{_clock(b['start_utc'])}-{_clock(b['end_utc'])}" for b in doc["breathing"])
        )
    days = [d for d in doc["trend"] if d["within_share"] is not None]
    if days:
        lines.append("")
        lines.append(
            "Last weeks (days with signal): "
            + "  ".join(
                f"{d['date'][5:]} {d['within_share']:.0%}"
                + (f"/tau {d['tau_median_s']:.0f}s" if d["tau_median_s"] else "")
                for d in days[-14:]
            )
        )
    lines.append("")
    lines.append("A training aid, not a diagnosis: the index reads heart rate and HRV against your own baseline.")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from tolerance.api.review import review
    from tolerance.api.settings import default_db_path
    from tolerance.api.storage import read_only

    try:
        day = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    except ValueError:
        raise UsageError(f"{args.date!r} is not a date (YYYY-MM-DD)") from None
    with read_only(args.db or default_db_path()) as conn:
        doc = review(conn, day)
    sys.stdout.write(json.dumps(doc) + "\n" if args.format == "json" else render(doc))
    return ExitCode.OK
