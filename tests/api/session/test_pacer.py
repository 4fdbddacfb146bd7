"""The server-owned breathing pacer."""

from __future__ import annotations

import pytest
from tolerance.api.session import Pacer, PacerError


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_phase_advances_at_the_rate_and_the_guide_grows_on_the_in_breath() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock)
    state = pacer.start(6.0, (4, 6))
    assert state.phase(1000.0) == 0.0
    assert state.phase(1005.0) == pytest.approx(0.5)  # 6/min: a 10 s cycle
    assert state.size(1000.0) == pytest.approx(0.0)
    assert state.size(1004.0) == pytest.approx(1.0)  # the in-breath takes 4 of 10 s
    assert state.size(1002.0) == pytest.approx(0.5)
    assert state.size(1007.0) == pytest.approx(0.5)
    assert state.size(1003.0) > state.size(1001.0)
    assert state.size(1009.0) < state.size(1006.0)


def test_changing_the_rate_keeps_the_phase_continuous() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock)
    pacer.start(6.0)
    clock.t = 1003.0
    before = pacer.state.phase(clock.t)
    after = pacer.start(4.5).phase(clock.t)
    assert after == pytest.approx(before)


@pytest.mark.parametrize("rate", [2.9, 12.1, float("nan")])
def test_rates_outside_3_to_12_per_minute_are_refused(rate: float) -> None:
    with pytest.raises(PacerError, match="rate"):
        Pacer().start(rate)


def test_every_change_is_announced() -> None:
    seen = []
    pacer = Pacer(on_change=seen.append)
    pacer.start(5.5)
    pacer.stop()
    assert [s.running for s in seen] == [True, False]
    assert seen[-1].rate_per_min == 5.5


@pytest.mark.parametrize("rate, ratio", [(10**400, None), (6, (10**400, 1)), (6, ("a", 1)), (None, (1, 0))])
def test_absurd_numbers_are_a_pacer_error_not_a_crash(rate: object, ratio: object) -> None:
    with pytest.raises(PacerError):
        Pacer().start(rate, ratio)  # type: ignore[arg-type]
