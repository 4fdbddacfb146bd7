"""Episode detection on the simulated workday, scored against the scenario's ground truth.

Usage: ``.venv/bin/python benchmarks/score_workday.py [SEED ...]`` (default seeds 0-4).

Each run: the ``workday`` scenario simulated (``tolerance.simulations.simulate``), its
notifications through ``tolerance.hrv.Engine``, the 60 s windows' ``HR`` and ``HRV_RMSSD``
through ``tolerance.hrv.arousal.ToleranceTracker`` with a baseline calibrated on the first
rest minutes (before the first event), activity on while the accelerometer classifier
(``tolerance.hrv.ActivityClassifier``, fed the simulated H10's PMD frames as decoded by the real
decoder) says *moving*, and paced breathing during the scenario's breathing blocks.

Definitions
-----------
Activity agreement
    The share of 1 s grid points (after the first epoch) where the classifier's state (moving
    or still) equals the script's (inside an ``[[activity]]`` bout or not): ``activity_agree``;
    ``moving_in_walks`` the share of the walks' time called moving, ``moving_outside`` the share
    of the rest called moving.
Match
    An episode matches a scripted stress event when its peak lies in ``[start_s, recovered_s]``
    of the event (``scenario_truth``); an episode that matches no event is explained by
    activity when flagged ``activity`` or its peak lies in a walk or its recovery
    (``ACTIVITY_AFTER_S`` after the walk), else it has no cause (a false positive).
Recall / precision
    Events matched by at least one episode / episodes that match an event.
Peak error
    ``peak_s`` minus the scripted peak; for a plateau (the meeting) 0 inside
    ``[peak_s, decay_s]``, else the distance to the nearer end. Relative figure: over the
    event's ``peak_s`` (the stress-spike test's convention).
Tau error
    The episode's exponential ``tau_s`` over the scripted ``tau_s``, minus 1; "held" when the
    scripted tau lies inside the fit's 95 % interval ``tau_low_s .. tau_high_s``. The same for
    the model-free ``tau_half_s`` (half-recovery time / ln 2); for the meeting the scripted
    figure it is compared with is its decay's tau, but its half-recovery is measured from a peak
    somewhere on the plateau, so that column is meaningless for it.
Time in window (truth)
    The truth is *within* at time t when the true arousal ``a(t)`` is below ``a_edge``, the
    arousal whose noise-free index equals the window's upper edge under the run's baseline
    spreads: ``(stress_hr_bpm a / hr_spread - ln(1 - stress_rmssd_drop a) / ln_spread) / 2 = 1``
    (the baseline centres taken as exact); hypo is not scripted. Time in walks and
    ``ACTIVITY_AFTER_S`` after them is left out of both shares, as the tracker leaves activity
    out, and so is the first ``WARMUP_S`` (the first window filling). The tracker's share is its
    ``time_in_window.within_share``; ``agree`` is the share of 5 s grid points (outside
    activity) where the tracker's zone (within or hypo vs hyper) equals the truth zone lagged by
    ``LAG_S`` (the window's half-width).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from tolerance.hrv import ActivityClassifier, BeatUpdate, Engine
from tolerance.hrv.arousal import Baseline, Episode, ToleranceTracker, Zone, calibrate
from tolerance.simulations import ScenarioTruth, SimulationResult, load_scenario, scenario_truth, simulate

ACTIVITY_AFTER_S: Final = 600.0
"""After a walk, this long (s) still counts as its recovery (the zone tracker's activity_recovery_s)."""
WARMUP_S: Final = 60.0
LAG_S: Final = 30.0
GRID_S: Final = 5.0
MEASURABLE_INTENSITY: Final = 0.6
"""Events at least this large are expected within 20 % in peak time and tau."""


@dataclass
class EventScore:
    index: int
    label: str
    intensity: float
    tau_s: float
    episodes: list[int]
    peak_error_s: float | None = None
    peak_error_rel: float | None = None
    tau_fit_s: float | None = None
    tau_error_rel: float | None = None
    tau_low_s: float | None = None
    tau_high_s: float | None = None
    tau_half_error_rel: float | None = None
    reactivation_of: int | None = None
    truth_reactivation_of: int | None = None


@dataclass
class DayScore:
    seed: int
    baseline: Baseline
    episodes: tuple[Episode, ...]
    events: list[EventScore]
    unexplained: list[int]
    activity_episodes: list[int]
    walk_episodes: list[int]
    within_share: float | None
    truth_within_share: float
    agree: float
    a_edge: float
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return sum(1 for e in self.events if e.episodes) / len(self.events)

    @property
    def precision(self) -> float:
        matched = {i for e in self.events for i in e.episodes}
        return len(matched) / len(self.episodes) if self.episodes else float("nan")


def inside(t: float, spans: list[tuple[float, float]]) -> bool:
    return any(a <= t < b for a, b in spans)


def arousal_edge(baseline: Baseline, truth: ScenarioTruth, upper: float = 1.0) -> float:
    """The true arousal whose noise-free index is ``upper`` (bisection on 0-1)."""
    h = truth.scenario.heart
    assert baseline.ln_rmssd_spread is not None

    def index(a: float) -> float:
        return 0.5 * (
            h.stress_hr_bpm * a / baseline.hr_spread_bpm
            - math.log(1 - h.stress_rmssd_drop * a) / baseline.ln_rmssd_spread
        )

    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if index(mid) < upper else (lo, mid)
    return 0.5 * (lo + hi)


def score_workday(seed: int) -> DayScore:
    scenario = load_scenario("workday")
    truth = scenario_truth(scenario)
    sim = simulate(scenario, seed=seed)
    eng = Engine()
    updates = []
    for s in sim.samples:
        updates.extend(eng.add(s.t_mono, s.rr_ms, s.contact, s.rr_raw))
    updates.extend(eng.flush())
    t, hr, rm, cs = [], [], [], []
    for u in updates:
        if isinstance(u, BeatUpdate) and u.windows:
            w = next(w for w in u.windows if w.window_s == 60.0)
            t.append(u.beat.t_s)
            hr.append(w.values.get("HR"))
            rm.append(w.values.get("HRV_RMSSD"))
            cs.append(w.corrected_share)
    moving, activity_extra = classify_activity(sim, truth)
    walks = [(a.start_s, a.end_s) for a in truth.activity]
    breathing = [(b.start_s, b.end_s) for b in truth.breathing]
    first = truth.stress[0].start_s
    baseline = calibrate(t, hr, rm, cs, start_s=0.0, end_s=first, source="calibration")
    tracker = ToleranceTracker(baseline)
    grid_zone: list[tuple[float, Zone]] = []
    next_grid = 0.0
    for ti, h, r, c in zip(t, hr, rm, cs, strict=True):
        tracker.add(ti, h, r, c, inside(ti, breathing), inside(ti, moving))
        if ti >= next_grid:
            grid_zone.append((ti, tracker.zone))
            next_grid = ti + GRID_S
    tracker.finish()
    episodes = tracker.episodes
    lag = tracker.config.episodes.lag_s

    events = []
    matched: set[int] = set()
    by_event: dict[int, int] = {}
    for ev in truth.stress:
        eps = [e.index for e in episodes if ev.start_s <= e.peak_s <= ev.recovered_s]
        sc = EventScore(ev.index, ev.label, ev.intensity, ev.tau_s, eps, truth_reactivation_of=ev.reactivation_of)
        if eps:
            e = episodes[eps[0]]
            by_event[ev.index] = e.index
            err = (
                0.0
                if ev.peak_s <= e.peak_s <= ev.decay_s
                else min(e.peak_s - ev.peak_s, e.peak_s - ev.decay_s, key=abs)
            )
            sc.peak_error_s, sc.peak_error_rel = err, err / ev.peak_s
            if e.fit is not None:
                sc.tau_fit_s = e.fit.tau_s
                sc.tau_error_rel = e.fit.tau_s / ev.tau_s - 1
                sc.tau_low_s, sc.tau_high_s = e.fit.tau_low_s, e.fit.tau_high_s
            if e.tau_half_s is not None:
                sc.tau_half_error_rel = e.tau_half_s / ev.tau_s - 1
            sc.reactivation_of = e.reactivation_of
        matched.update(eps)
        events.append(sc)
    recovery = [(a, b + ACTIVITY_AFTER_S) for a, b in walks]
    unexplained, act = [], []
    for e in episodes:
        if e.index in matched:
            continue
        if e.activity or inside(e.peak_s, recovery):
            act.append(e.index)
        else:
            unexplained.append(e.index)
    walk_eps = [e.index for e in episodes if inside(e.peak_s + lag, walks) or inside(e.start_s + lag, walks)]

    a_edge = arousal_edge(baseline, truth)
    g = np.arange(WARMUP_S, scenario.duration_s, GRID_S)
    keep = ~np.array([inside(x, recovery) for x in g])
    true_a = np.asarray(truth.arousal_at(g))
    truth_within = float(np.mean(true_a[keep] < a_edge))
    gz_t = np.array([x for x, _ in grid_zone])
    gz = [z for _, z in grid_zone]
    agree_n = agree_d = 0
    for x, z in zip(gz_t, gz, strict=True):
        if x < WARMUP_S or inside(x, recovery) or z in (Zone.ACTIVITY, Zone.UNKNOWN):
            continue
        true_hyper = float(truth.arousal_at(x - LAG_S)) >= a_edge
        agree_d += 1
        agree_n += int((z is Zone.HYPER) == true_hyper)
    return DayScore(
        seed=seed,
        baseline=baseline,
        episodes=episodes,
        events=events,
        unexplained=unexplained,
        activity_episodes=act,
        walk_episodes=walk_eps,
        within_share=tracker.time_in_window.within_share,
        truth_within_share=truth_within,
        agree=agree_n / agree_d if agree_d else float("nan"),
        a_edge=a_edge,
        extra=activity_extra,
    )


def classify_activity(
    sim: SimulationResult, truth: ScenarioTruth
) -> tuple[list[tuple[float, float]], dict[str, float]]:
    """The classifier's moving spans over a run's accelerometer frames, and its agreement with
    the script (see *Activity agreement*)."""
    clf = ActivityClassifier()
    changes = [c for f in sim.accelerometer for c in clf.add(f.t_mono, f.samples_mg, f.sample_rate_hz)]
    changes.extend(clf.flush())
    spans: list[tuple[float, float]] = []
    on: float | None = None
    for c in changes:
        if c.active:
            on = c.t_s
        elif on is not None:
            spans.append((on, c.t_s))
            on = None
    if on is not None:
        spans.append((on, sim.duration_s))
    grid = np.arange(clf.config.epoch_s, sim.duration_s, 1.0)
    said = np.array([inside(x, spans) for x in grid])
    script = np.array([inside(x, [(a.start_s, a.end_s) for a in truth.activity]) for x in grid])
    extra = {
        "activity_agree": float(np.mean(said == script)),
        "moving_in_walks": float(said[script].mean()) if script.any() else float("nan"),
        "moving_outside": float(said[~script].mean()),
        "bouts": float(len(spans)),
    }
    return spans, extra


def _f(x: float | None, fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


def main(argv: list[str]) -> int:
    seeds = [int(a) for a in argv] or list(range(5))
    print(
        "seed recall precision  no-cause walk-ep  within(tracker) within(truth) agree  a_edge"
        "  act-agree moving-in-walks moving-outside bouts  reactivation"
    )
    rows = []
    for seed in seeds:
        d = score_workday(seed)
        rows.append(d)
        re = [
            (e.index, e.reactivation_of, e.truth_reactivation_of)
            for e in d.events
            if e.truth_reactivation_of is not None
        ]
        print(
            f"{seed:4d} {d.recall:6.2f} {d.precision:9.2f} {len(d.unexplained):9d} {len(d.walk_episodes):7d}"
            f"  {_f(d.within_share, '15.3f')} {d.truth_within_share:13.3f} {d.agree:6.3f} {d.a_edge:7.3f}"
            f"  {d.extra['activity_agree']:9.4f} {d.extra['moving_in_walks']:15.4f}"
            f" {d.extra['moving_outside']:14.4f} {d.extra['bouts']:5.0f}  "
            + " ".join(f"event {i}: linked to episode {got} (truth: event {want})" for i, got, want in re)
        )
    unexplained = [(d.seed, round(d.episodes[i].peak, 2)) for d in rows for i in d.unexplained]
    print(f"episodes without a cause (seed, peak): {unexplained or 'none'}")
    print()
    print("seed event label    intensity tau_s  n_ep  peak_err_s peak_err  tau_fit_s tau_err  tau_95%")
    for d in rows:
        for e in d.events:
            print(
                f"{d.seed:4d} {e.index:5d} {e.label:8s} {e.intensity:9.2f} {e.tau_s:5.0f} {len(e.episodes):5d}"
                f" {_f(e.peak_error_s, '10.1f')} {_f(e.peak_error_rel, '+8.1%')} {_f(e.tau_fit_s, '10.1f')}"
                f" {_f(e.tau_error_rel, '+7.1%')}  {_f(e.tau_low_s, '.0f')}-{_f(e.tau_high_s, '.0f')}"
            )
    print()
    print(
        "event label    intensity tau_s  found_once  tau_err_median  within_20%  held_by_95%"
        "  tau_half_err_median  within_20%"
    )
    for i, ev in enumerate(rows[0].events):
        col = [d.events[i] for d in rows]
        errs = [e.tau_error_rel for e in col if e.tau_error_rel is not None]
        held = [e for e in col if e.tau_low_s is not None and e.tau_low_s <= e.tau_s <= (e.tau_high_s or math.inf)]
        once = sum(len(e.episodes) == 1 for e in col)
        median = float(np.median(errs)) if errs else None
        close = sum(abs(x) <= 0.2 for x in errs)
        halves = [e.tau_half_error_rel for e in col if e.tau_half_error_rel is not None]
        half_median = float(np.median(halves)) if halves else None
        print(
            f"{i:5d} {ev.label:8s} {ev.intensity:9.2f} {ev.tau_s:5.0f} {once:7d}/{len(col)}"
            f" {_f(median, '+15.0%')} {close:8d}/{len(errs)} {len(held):9d}/{len(errs)}"
            f" {_f(half_median, '+20.0%')} {sum(abs(x) <= 0.2 for x in halves):8d}/{len(halves)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
