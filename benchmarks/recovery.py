"""Time from a strap's recovery (``reconnected``) to the first beat the engine releases after it.

Usage: ``.venv/bin/python benchmarks/recovery.py [SEED ...]`` (default seeds 0-4).

The ``artifacts`` scenario (a drop-out of 8 s at 200 s, 1 notification a second, some ectopic and
missed beats) through the live engine (``tolerance.hrv.Engine``), the gap marked at ``lost`` as
the session does. Measured in simulated seconds of the session clock: from the ``reconnected``
event to the notification whose processing released the first beat after it (the streaming
artifact detector holds beats back for its look-ahead). The transport's own share (reconnected
to first notification) is measured through bleak's real BlueZ backend in
``tests/sensors/bluez/test_strap.py`` (``pytest -s`` prints it). Printed, never asserted.
"""

from __future__ import annotations

import sys

from tolerance.hrv import BeatUpdate, Engine
from tolerance.sensors import ConnectionEvent, ConnectionState, HeartRateSample
from tolerance.simulations import simulate


def recovery_to_first_beat_s(seed: int) -> list[float]:
    sim = simulate("artifacts", seed=seed, duration_s=600)
    engine = Engine()
    back: float | None = None
    out: list[float] = []
    for item in sim.items:
        if isinstance(item, ConnectionEvent):
            if item.state is ConnectionState.LOST:
                engine.mark_gap()
            elif item.state is ConnectionState.RECONNECTED:
                back = item.t_mono
        elif isinstance(item, HeartRateSample):
            released = engine.add(item.t_mono, item.rr_ms, item.contact, item.rr_raw)
            if back is not None and any(isinstance(u, BeatUpdate) for u in released):
                out.append(item.t_mono - back)
                back = None
    return out


def main(argv: list[str]) -> int:
    seeds = [int(a) for a in argv] or list(range(5))
    print("seed  recovery -> first beat (s)")
    for seed in seeds:
        print(f"{seed:4d}  {', '.join(f'{x:.2f}' for x in recovery_to_first_beat_s(seed))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
