"""The window of tolerance on real people: rest, tasks and calm hours of real recordings.

Scores every real data set of ``../shared/data/real/`` (see its README for sources and
licences) with the product's own computation: the live engine's 60 s windows
(:func:`tolerance.api.session.offline.short_windows`) and :class:`~tolerance.hrv.arousal.ToleranceTracker`.

Rest and task sets (``gudb``: chest strap, sitting then mental arithmetic; ``biopsykit``: lab
ECG, baseline, intervention, stress, recovery; ``stress_predict``: wrist pulse intervals, baseline
with questionnaires, Stroop, rest, interview, rest). Each person's segments are one session in
order. Per person, against the baseline the session ends with:

* ``rest_within``: the share of the rest segments' index samples (every 5 s) inside the band;
  the person reads *within at rest* when it is at least 0.8;
* ``rises``: the mean index over the task segments is above the mean over the rest segments;
* ``above_end``: the live zone at the last beat of the first task is *hyper*;
* ``below``: the share of rest samples under the band's lower edge.

Baselines compared: ``population`` (Nunan et al. 2010, the *before*) and ``provisional`` (learnt
from the session's first minute of still wear, the product's default since issue 21). Index
candidates: ``w * z_HR - (1 - w) * z_lnRMSSD`` for w = 0.5 (the index), 0.75, 1 (HR alone).
Ceiling: the share of people whose median RR falls from rest to task (no heart index can
beat that on a set).

``--long`` adds the calm hours of ``rr_healthy`` (nine Holter days): for each person's calmer half
of hours (by the spread of independent 60 s HR windows), a 4-minute calibration at the hour's
start (the product's :class:`~tolerance.hrv.arousal.Calibration`), then the share of the rest of
the hour *within* (the live tracker), and the share *below*. ``--prior`` prints the within-person
prior the band's spread is pooled with (:mod:`tolerance.hrv.arousal.baseline`). ``--rolling`` wears
each Holter day from its first minute with no calibration: a provisional baseline, then the rolling
rule at every hour's end (as at a session's end), against the same provisional baseline kept fixed.

Usage: ``.venv/bin/python benchmarks/score_real.py [--long] [--prior] [--data DIR]``
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tolerance.api.session.offline import short_windows
from tolerance.hrv.arousal import (
    POPULATION_BASELINE,
    Baseline,
    Calibration,
    CalibrationRefused,
    ToleranceConfig,
    ToleranceTracker,
    Zone,
    arousal_index,
    rolling_update,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
WEIGHTS = (0.5, 0.6, 0.75, 1.0)
SAMPLE_S = 5.0


@dataclass
class Segment:
    role: str  # rest, task, other
    t: np.ndarray
    hr: list[float | None]
    rmssd: list[float | None]
    share: list[float | None]
    rr: np.ndarray


def load_rr(path: Path) -> np.ndarray:
    text = path.read_text().split() if path.stat().st_size else []
    return np.array([float(x) for x in text])


def segment(path: Path, role: str) -> Segment | None:
    if not path.exists():
        return None
    rr = load_rr(path)
    if rr.size < 10:
        return None
    t, hr, rm, cs = short_windows(rr)
    return Segment(role, np.asarray(t), hr, rm, cs, rr)


def people(data: Path) -> dict[str, list[tuple[str, list[Segment]]]]:
    sets: dict[str, list[tuple[str, list[Segment]]]] = {"gudb": [], "biopsykit": [], "stress_predict": []}
    for s in range(13):
        segs = [
            segment(data / "gudb" / f"subject_{s:02d}_{c}.txt", r) for c, r in (("sitting", "rest"), ("maths", "task"))
        ]
        sets["gudb"].append((f"{s:02d}", [g for g in segs if g]))
    for v in ("Vp01", "Vp02"):
        bio = (("baseline", "rest"), ("intervention", "other"), ("stress", "task"), ("recovery", "rest"))
        segs = [segment(data / "biopsykit" / f"{v}_{p}.txt", r) for p, r in bio]
        sets["biopsykit"].append((v, [g for g in segs if g]))
    ids = sorted({p.name.split("_")[0] for p in (data / "stress_predict").glob("S*_stroop.txt")})
    for sid in ids:
        phases = (
            ("baseline_questionnaire", "rest"),
            ("stroop", "task"),
            ("rest1", "rest"),
            ("interview", "task"),
            ("rest2", "rest"),
        )
        segs = [segment(data / "stress_predict" / f"{sid}_{p}.txt", r) for p, r in phases]
        sets["stress_predict"].append((sid, [g for g in segs if g]))
    return sets


@dataclass
class PersonScore:
    rest_within: float | None
    below: float | None
    rises: bool | None
    above_end: bool | None
    rr_falls: bool | None


def _samples(seg: Segment, baseline: Baseline, w: float) -> list[float]:
    out: list[float] = []
    nxt = -math.inf
    for t, h, r in zip(seg.t, seg.hr, seg.rmssd, strict=True):
        if t < nxt:
            continue
        v = arousal_index(h, r, baseline, w)
        if v is not None:
            out.append(v.arousal)
            nxt = t + SAMPLE_S
    return out


def score_person(segs: Sequence[Segment], baseline: Baseline | None, w: float) -> PersonScore:
    cfg = ToleranceConfig(hr_weight=w)
    tracker = ToleranceTracker(baseline, cfg)
    offset = 0.0
    above_end: bool | None = None
    first_task_seen = False
    for seg in segs:
        for t, h, r, c in zip(seg.t, seg.hr, seg.rmssd, seg.share, strict=True):
            tracker.add(offset + float(t), h, r, c)
        if seg.role == "task" and not first_task_seen:
            first_task_seen = True
            above_end = tracker.zone is Zone.HYPER
        offset += float(seg.t[-1]) + 1.0
    used = tracker.baseline
    band = cfg.zones.band
    rr_rest = [float(np.median(s.rr)) for s in segs if s.role == "rest"]
    rr_task = [float(np.median(s.rr)) for s in segs if s.role == "task"]
    rr_falls = statistics.mean(rr_task) < statistics.mean(rr_rest) if rr_rest and rr_task else None
    if used is None:
        return PersonScore(None, None, None, above_end, rr_falls)
    rest = [a for s in segs if s.role == "rest" for a in _samples(s, used, w)]
    task = [a for s in segs if s.role == "task" for a in _samples(s, used, w)]
    within = sum(band.lower <= a <= band.upper for a in rest) / len(rest) if rest else None
    below = sum(a < band.lower for a in rest) / len(rest) if rest else None
    rises = statistics.mean(task) > statistics.mean(rest) if rest and task else None
    return PersonScore(within, below, rises, above_end, rr_falls)


def _share(xs: Sequence[bool | None]) -> str:
    k = [x for x in xs if x is not None]
    return f"{sum(k) / len(k):.0%} ({sum(k)}/{len(k)})" if k else "-"


def rest_task_table(data: Path, per_person: bool) -> None:
    sets = people(data)
    print("| set | baseline | w | within at rest | index rises | above at task end | below at rest | ceiling |")
    print("|---|---|---|---|---|---|---|---|")
    for name, ppl in sets.items():
        for label, base in (("population", POPULATION_BASELINE), ("provisional", None)):
            for w in WEIGHTS if label == "provisional" else (0.5,):
                scores = [(pid, score_person(segs, base, w)) for pid, segs in ppl if segs]
                rw = [None if s.rest_within is None else s.rest_within >= 0.8 for _p, s in scores]
                below = [s.below for _p, s in scores if s.below is not None]
                row = (
                    f"| {name} | {label} | {w:g} | {_share(rw)} | {_share([s.rises for _p, s in scores])} | "
                    f"{_share([s.above_end for _p, s in scores])} | "
                    f"{(statistics.mean(below) if below else float('nan')):.1%} | "
                    f"{_share([s.rr_falls for _p, s in scores])} |"
                )
                print(row)
                if per_person and label == "provisional" and w == 0.5:
                    for pid, s in scores:
                        print(
                            f"|   {pid} | | | {s.rest_within} | {s.rises} | {s.above_end} | {s.below} | {s.rr_falls} |"
                        )


def day_hours(path: Path) -> list[tuple[float, Segment]]:
    """Every whole hour of a long recording with at least 1,000 usable windows, in order, with the
    robust spread (1.4826 * MAD, bpm) of its independent 60 s HR windows."""
    rr = load_rr(path)
    t, hr, rm, cs = short_windows(rr)
    ta = np.asarray(t)
    hours: list[tuple[float, Segment]] = []
    for h in range(int(ta[-1] // 3600)):
        lo, hi = np.searchsorted(ta, [h * 3600.0, (h + 1) * 3600.0])
        hh = [x for x in hr[lo:hi] if x is not None]
        if len(hh) < 1000:
            continue
        idx = np.searchsorted(ta[lo:hi], np.arange(h * 3600.0 + 60, (h + 1) * 3600.0, 60.0))
        ind = [hr[lo + i] for i in idx if lo + i < hi and hr[lo + i] is not None]
        spread = 1.4826 * float(np.median(np.abs(np.asarray(ind) - np.median(ind))))
        seg = Segment("rest", ta[lo:hi], hr[lo:hi], rm[lo:hi], cs[lo:hi], rr)
        hours.append((spread, seg))
    return hours


def calm_hours(path: Path) -> list[Segment]:
    """The calmer half of a day's hours (spread at or below the day's median)."""
    hours = day_hours(path)
    med = float(np.median([s for s, _ in hours]))
    return [seg for s, seg in hours if s <= med]


def rolling_day(hours: Sequence[tuple[float, Segment]], rolling: bool) -> list[tuple[bool, float]]:
    """A day worn from its first hour with no calibration: a provisional baseline from the first
    minute, then (``rolling``) the rolling rule at every hour's end on that hour's calm windows,
    as a session's end does. Per later hour: (calm half, share within)."""
    med = float(np.median([s for s, _ in hours]))
    baseline: Baseline | None = None
    out: list[tuple[bool, float]] = []
    for i, (spread, seg) in enumerate(hours):
        tracker = ToleranceTracker(baseline)
        for t, h, r, c in zip(seg.t, seg.hr, seg.rmssd, seg.share, strict=True):
            tracker.add(float(t), h, r, c)
        tracker.finish()
        if i > 0:
            share = tracker.time_in_window.within_share
            if share is not None:
                out.append((spread <= med, share))
        if baseline is None:
            baseline = tracker.baseline
        elif rolling:
            baseline = rolling_update(baseline, tracker.calm_windows)
    return out


def rolling_table(data: Path) -> None:
    print("\nA day from its first minute, no calibration: share of each later hour within")
    print("| person | hours | fixed provisional: all / calm half | with the rolling rule: all / calm half |")
    print("|---|---|---|---|")
    every: dict[bool, list[tuple[bool, float]]] = {False: [], True: []}
    for path in sorted((data / "rr_healthy").glob("*_holter.txt")):
        hours = day_hours(path)
        row = []
        for rolling in (False, True):
            res = rolling_day(hours, rolling)
            every[rolling] += res
            calm = [x for c, x in res if c]
            row.append(f"{np.median([x for _c, x in res]):.2f} / {np.median(calm):.2f}")
        print(f"| {path.stem[:3]} | {len(hours)} | {row[0]} | {row[1]} |")
    for rolling in (False, True):
        res = every[rolling]
        print(
            f"all, {'rolling' if rolling else 'fixed'}: median {np.median([x for _c, x in res]):.2f}, "
            f"calm half {np.median([x for c, x in res if c]):.2f} ({len(res)} hours)"
        )


def score_calm_hour(seg: Segment, w: float = 0.5, calibration_s: float = 240.0) -> tuple[float, float] | None:
    """Calibrate on the hour's first ``calibration_s`` (the 60 s window's first minute fills), then
    (share within, share below) of the rest of the hour; None when the calibration is refused."""
    t0 = float(seg.t[0])
    cal = Calibration(required_s=calibration_s - 60.0, source="calibration")
    for t, h, r, c in zip(seg.t, seg.hr, seg.rmssd, seg.share, strict=True):
        if t >= t0 + calibration_s:
            break
        cal.add(float(t), h, r, c)
    try:
        baseline = cal.finish()
    except CalibrationRefused:
        return None
    tracker = ToleranceTracker(baseline, ToleranceConfig(hr_weight=w))
    for t, h, r, c in zip(seg.t, seg.hr, seg.rmssd, seg.share, strict=True):
        if t >= t0 + calibration_s:
            tracker.add(float(t), h, r, c)
    tiw = tracker.time_in_window
    judged = tiw.within_s + tiw.hyper_s + tiw.hypo_s
    if judged <= 0:
        return None
    return tiw.within_s / judged, tiw.hypo_s / judged


def long_table(data: Path) -> None:
    hours = {path.stem[:3]: calm_hours(path) for path in sorted((data / "rr_healthy").glob("*_holter.txt"))}
    for w in WEIGHTS:
        print(f"\ncalm hours, 4-minute calibration at the hour's start, w = {w:g}")
        print("| person | calm hours | median within | hours >= 0.9 | median below | refused |")
        print("|---|---|---|---|---|---|")
        allw: list[float] = []
        allb: list[float] = []
        for person, segs in hours.items():
            res = [score_calm_hour(seg, w) for seg in segs]
            ok = [r for r in res if r is not None]
            allw += [x for x, _ in ok]
            allb += [b for _, b in ok]
            print(
                f"| {person} | {len(res)} | {np.median([x for x, _ in ok]):.2f} | "
                f"{sum(x >= 0.9 for x, _ in ok)}/{len(ok)} | {np.median([b for _, b in ok]):.3f} | "
                f"{len(res) - len(ok)} |"
            )
        print(
            f"| all | {len(allw)} | {np.median(allw):.2f} | {sum(x >= 0.9 for x in allw)}/{len(allw)} | "
            f"{np.median(allb):.3f} | |",
            flush=True,
        )


def prior(data: Path) -> None:
    """The within-person prior: per person, 1.4826 * MAD of calm-hour 60 s windows around the hour's
    first 4 minutes' centre; the median over people."""
    hr_s, ln_s = [], []
    for path in sorted((data / "rr_healthy").glob("*_holter.txt")):
        dh: list[float] = []
        dl: list[float] = []
        for seg in calm_hours(path):
            t0 = float(seg.t[0])
            first = [(h, r) for t, h, r in zip(seg.t, seg.hr, seg.rmssd, strict=True) if t < t0 + 240 and h and r]
            ch = float(np.median([h for h, _ in first]))
            cl = float(np.median([math.log(r) for _, r in first]))
            nxt = t0 + 300
            for t, h, r in zip(seg.t, seg.hr, seg.rmssd, strict=True):
                if t >= nxt and h and r:
                    dh.append(h - ch)
                    dl.append(math.log(r) - cl)
                    nxt = t + 60
        hr_s.append(1.4826 * float(np.median(np.abs(dh))))
        ln_s.append(1.4826 * float(np.median(np.abs(dl))))
    print(
        f"\nwithin-person prior: HR {np.median(hr_s):.2f} bpm, ln RMSSD {np.median(ln_s):.3f} (median of {len(hr_s)})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--long", action="store_true", help="also the calm hours of the Holter days (minutes)")
    ap.add_argument("--prior", action="store_true", help="print the within-person prior")
    ap.add_argument("--rolling", action="store_true", help="whole Holter days learning from the first minute")
    ap.add_argument("--per-person", action="store_true")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"no real data at {args.data}", file=sys.stderr)
        return 2
    rest_task_table(args.data, args.per_person)
    if args.long:
        long_table(args.data)
    if args.prior:
        prior(args.data)
    if args.rolling:
        rolling_table(args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
