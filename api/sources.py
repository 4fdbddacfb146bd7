"""Turning the command line's ``--sim`` / ``--device`` / ``--replay`` into sources to record."""

from __future__ import annotations

import math
import secrets
from pathlib import Path

from .app import SourceSpec
from .settings import Settings


class SourceError(ValueError):
    """A source named on the command line that cannot be used (unknown scenario, missing file)."""


def build_sources(settings: Settings) -> list[SourceSpec]:
    """Sources for ``settings``, checked before the server starts; default: one ``calm`` sim."""
    specs: list[SourceSpec] = []
    if settings.devices:
        from tolerance.sensors import BleStrap

        for i, wanted in enumerate(settings.devices):
            specs.append(
                (
                    BleStrap(wanted, source_id=f"ble:{wanted}" if len(settings.devices) == 1 else f"ble:{wanted}#{i}"),
                    "ble",
                    {"device": wanted},
                )
            )
        return specs
    if settings.replays:
        from tolerance.sensors.replay import ReplaySource, read_log

        for path in settings.replays:
            p = Path(path)
            if not p.is_file():
                raise SourceError(f"replay file {path!r} does not exist")
            read_log(p)  # fail now, with line numbers, rather than inside the session
            specs.append(
                (
                    ReplaySource(p, speed=settings.speed if math.isfinite(settings.speed) else math.inf),
                    "replay",
                    {"replay": str(p.resolve()), "speed": settings.speed},
                )
            )
        return specs
    from tolerance.simulations import ScenarioError, SimulatedStrap, load_scenario

    for i, name in enumerate(settings.sims or ["calm"]):
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            raise SourceError(str(exc)) from None
        seed = settings.seed + i if settings.seed is not None else secrets.randbelow(2**31)
        strap = SimulatedStrap(scenario, seed=seed, speed=settings.speed, source_id=f"sim:{scenario.name}:{seed}")
        specs.append((strap, "sim", {"scenario": scenario.name, "seed": seed, "speed": settings.speed}))
    return specs
