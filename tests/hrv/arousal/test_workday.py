"""Episode detection on the simulated workday against its ground truth (benchmarks/score_workday.py).

What holds on seeds 0-4 (``benchmarks/score_workday.py`` prints the table): every event of
intensity >= 0.6 and the meeting found, the re-activation linked to the episode of the event it
follows, no episode in a walk, the peak within 30 s of the scripted one, time in window within
0.05 of the truth's. What does not, and is therefore not asserted per event: the 0.4 event
(tau 30 s) is missed on seed 0 and its tau is off by +95 .. +330 % (a 30 s decay under a 60 s
window is not measurable); one to two episodes per day match no event and no walk (index
noise from the resting VLF fluctuation crossing the edge); the full-size event splits into two
episodes on seed 3; the meeting's plateau gives no tau; taus of the 0.6-0.7 events scatter by
-64 .. +375 %. Only the full-size event's tau is asserted, within the single-run scatter (40 %)
that the stress-spike test documents.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SEEDS = (0, 1, 2)
_PATH = Path(__file__).resolve().parents[3] / "benchmarks" / "score_workday.py"


def _module():
    spec = importlib.util.spec_from_file_location("score_workday", _PATH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def days():
    mod = _module()
    return [mod.score_workday(seed) for seed in SEEDS]


def test_large_events_and_the_meeting_are_found_with_their_peak(days) -> None:
    for d in days:
        for e in d.events:
            if e.intensity >= 0.6 or e.label == "meeting":
                assert e.episodes, (d.seed, e)
                assert e.peak_error_s is not None and abs(e.peak_error_s) <= 30.0, (d.seed, e)
        assert d.recall >= 0.8


def test_full_size_event_tau_within_single_run_scatter(days) -> None:
    for d in days:
        (big,) = [e for e in d.events if e.intensity >= 1.0]
        assert big.tau_error_rel is not None and abs(big.tau_error_rel) <= 0.40, (d.seed, big)


def test_reactivation_is_linked_to_the_episode_of_the_event_it_follows(days) -> None:
    for d in days:
        (re,) = [e for e in d.events if e.truth_reactivation_of is not None]
        first = d.events[re.truth_reactivation_of]
        assert re.reactivation_of is not None and re.reactivation_of in first.episodes, (d.seed, re, first)
        others = [e for e in d.events if e.truth_reactivation_of is None and e.episodes]
        # not linked to another event's episode (a link to an unexplained episode can occur: seed 1)
        event_eps = {i for e in d.events for i in e.episodes}
        assert all(d.episodes[e.episodes[0]].reactivation_of not in event_eps for e in others), d.seed


def test_walks_are_activity_not_episodes_and_few_episodes_lack_a_cause(days) -> None:
    for d in days:
        assert d.walk_episodes == [], d.seed
        assert len(d.unexplained) <= 2, (d.seed, d.unexplained)
        assert d.precision >= 0.7


def test_time_in_window_agrees_with_the_truth(days) -> None:
    for d in days:
        assert d.within_share is not None
        assert d.within_share == pytest.approx(d.truth_within_share, abs=0.05), d.seed
        assert d.agree > 0.9, d.seed
