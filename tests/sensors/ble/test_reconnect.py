"""The back-off policy: exponential ceilings, full jitter from an injected rng, no overflow."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tolerance.sensors import Backoff, LinkStats


def test_ceilings_grow_exponentially_up_to_the_cap() -> None:
    b = Backoff(base_s=1.0, factor=2.0, cap_s=30.0, jitter=False)
    assert [b.delay(n) for n in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_full_jitter_draws_uniformly_below_the_ceiling_from_the_injected_rng() -> None:
    b = Backoff(base_s=1.0, factor=2.0, cap_s=30.0, rng=random.Random(3))
    ref = random.Random(3)
    assert [b.delay(n) for n in (1, 2, 3)] == [ref.uniform(0, 1.0), ref.uniform(0, 2.0), ref.uniform(0, 4.0)]


def test_an_all_day_outage_does_not_overflow() -> None:
    assert Backoff(jitter=False).delay(5000) == 30.0


@given(attempt=st.integers(1, 10_000), seed=st.integers(0, 2**32))
def test_delay_is_between_zero_and_the_ceiling(attempt: int, seed: int) -> None:
    b = Backoff(base_s=0.5, factor=3.0, cap_s=60.0, rng=random.Random(seed))
    assert 0.0 <= b.delay(attempt) <= b.ceiling(attempt) <= 60.0


@pytest.mark.parametrize("kw", [{"base_s": -1.0}, {"factor": 0.5}, {"base_s": 10.0, "cap_s": 5.0}])
def test_nonsense_parameters_are_refused(kw: dict) -> None:
    with pytest.raises(ValueError):
        Backoff(**kw)


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError):
        Backoff().delay(0)


def test_backoff_delays_kept_are_bounded() -> None:
    stats = LinkStats()
    stats.backoff_delays.extend(range(10_000))
    assert len(stats.backoff_delays) == 256
