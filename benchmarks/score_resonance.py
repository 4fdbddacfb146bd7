"""The resonance-frequency assessment on the simulated participant, scored against its true rate.

Usage: ``.venv/bin/python benchmarks/score_resonance.py [N]`` (default 200 assessments).

Each assessment: the ``calm`` heart (resonance 6/min, Q 1.5; ``tolerance.simulations``) rests
for ``100 + 7.3 k`` s (seed ``k``, so the protocol starts at a different moment of the slow
fluctuations each time), then runs Lehrer's protocol (6.5 ... 4.5 /min, 120 s each), breathing
in step with each step's guide (``simulations.Guide``, inhale share 0.4). The steps' true beats
are scored by ``tolerance.hrv.arousal.step_criteria`` and combined four ways:

* ``score_resonance`` (the project's rule: phase gate, then five weighted ranks);
* the same without the pacer's phase (what a recording scored offline has): five ranks alone;
* phase alone (the smallest ``|phase|``);
* the rule this project had before (all six criteria as weighted ranks, weights 6 ... 1),
  re-implemented here for the comparison only.

"Within" means a chosen rate within 0.5 /min of the true 6.0 (5.5, 6.0 or 6.5). Not timed.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from tolerance.hrv.arousal import (
    Pacer,
    ResonanceCriteria,
    ResonanceProtocol,
    ResonanceStep,
    score_resonance,
    step_criteria,
)
from tolerance.simulations import Guide, HeartModel, load_scenario

RATES = (6.5, 6.0, 5.5, 5.0, 4.5)
CRITERIA = ("phase_deg", "peak_trough_bpm", "lf_ms2", "lf_peak_ms2_per_hz", "smoothness", "lf_peaks")
LOWER_IS_BETTER = {"phase_deg", "lf_peaks"}
INHALE = 0.4


def assessment(seed: int, with_phase: bool) -> list[ResonanceStep]:
    model = HeartModel(load_scenario("calm").heart, rng=seed)
    model.beats_until(100.0 + 7.3 * seed)
    steps = []
    for start, end, rate in ResonanceProtocol(RATES, start_s=model.t_s).steps():
        model.set_breathing(rate, Guide(start, INHALE))
        beats = model.beats_until(end)
        t, rr = np.array([b.t_s for b in beats]), np.array([b.rr_ms for b in beats])
        phase = Pacer(rate, INHALE, start).phase if with_phase else None
        steps.append(ResonanceStep(rate, t, rr, start, end, phase, INHALE))
    return steps


def _ranks(values: Sequence[float], lower_is_better: bool) -> np.ndarray:
    key = np.asarray(values, dtype=float) * (1 if lower_is_better else -1)
    ranks = np.empty(key.size)
    ranks[np.argsort(key, kind="stable")] = np.arange(1, key.size + 1)
    for u in np.unique(key):
        ranks[key == u] = ranks[key == u].mean()
    return ranks


def six_ranks(crit: Sequence[ResonanceCriteria]) -> float:
    total = sum(
        w * _ranks([float(c.value(n) or 0.0) for c in crit], n in LOWER_IS_BETTER)
        for n, w in zip(CRITERIA, (6, 5, 4, 3, 2, 1), strict=True)
    )
    return crit[int(np.argmin(total))].rate_per_min


def phase_alone(crit: Sequence[ResonanceCriteria]) -> float:
    return crit[int(np.argmin([float(c.phase_deg or 0.0) for c in crit]))].rate_per_min


def main(n: int) -> None:
    picks: dict[str, Counter[float]] = {k: Counter() for k in ("rule", "no phase", "phase alone", "six ranks")}
    methods: dict[str, Callable[[Sequence[ResonanceCriteria]], float]] = {
        "phase alone": phase_alone,
        "six ranks": six_ranks,
    }
    for seed in range(n):
        steps = assessment(seed, with_phase=True)
        picks["rule"][score_resonance(steps).chosen_rate_per_min] += 1
        crit = [step_criteria(s) for s in steps]
        for name, choose in methods.items():
            picks[name][choose(crit)] += 1
        picks["no phase"][score_resonance(assessment(seed, with_phase=False)).chosen_rate_per_min] += 1
    labels = {
        "rule": "score_resonance (phase gate, five ranks)",
        "no phase": "score_resonance without the pacer's phase",
        "phase alone": "phase alone",
        "six ranks": "six weighted ranks (the previous rule)",
    }
    print(f"{n} assessments, true resonance 6.0/min")
    print(f"{'method':46s} {'within 0.5':>10s}   " + "  ".join(f"{r:>4g}" for r in RATES))
    for key, label in labels.items():
        c = picks[key]
        within = sum(c[r] for r in (5.5, 6.0, 6.5))
        print(f"{label:46s} {within:>6d}/{n:<3d}   " + "  ".join(f"{c[r]:>4d}" for r in RATES))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
