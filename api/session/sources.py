"""Sources to record: from the command line (``--sim``/``--device``/``--replay``) or from
``POST /api/sessions`` (``{"source": "sim:SCENARIO" | "ble:NAME_OR_ADDRESS" | "replay:PATH"}``).

Both paths build their sensors here, so a source refused on one is refused on the other.
Replays over the API read files only inside the server's ``replay_dir`` (``serve
--replay-dir DIR``; off by default): a web page must not make the server read any file.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tolerance.sensors import Sensor

from ..settings import Settings

KINDS: Final = ("sim", "ble", "replay")


class SourceError(ValueError):
    """A source that cannot be used (unknown scenario, missing file, replay not allowed)."""


@dataclass(frozen=True)
class SourceSpec:
    """A sensor to record, with what to store about it (``kind``: sim, ble, replay)."""

    sensor: Sensor
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    label: str | None = None
    calibrate_span_s: tuple[float, float] | None = None
    """seconds after the first beat between which this session calibrates its baseline"""
    profile: str | None = None
    """the worker's profile: its baseline and window are used, a new calibration is kept in it"""


def sim_source(name: str, *, seed: int | None, speed: float, label: str | None = None) -> SourceSpec:
    from tolerance.simulations import ScenarioError, SimulatedStrap, load_scenario

    try:
        scenario = load_scenario(name)
    except ScenarioError as exc:
        raise SourceError(str(exc)) from None
    seed = seed if seed is not None else secrets.randbelow(2**31)
    strap = SimulatedStrap(scenario, seed=seed, speed=speed, source_id=f"sim:{scenario.name}:{seed}")
    return SourceSpec(strap, "sim", {"scenario": scenario.name, "seed": seed, "speed": speed}, label)


def ble_source(wanted: str, *, source_id: str | None = None, label: str | None = None) -> SourceSpec:
    from tolerance.sensors import BleStrap

    if not wanted.strip():
        raise SourceError("name the strap: ble:NAME_OR_ADDRESS (see `tolerance scan`)")
    return SourceSpec(BleStrap(wanted, source_id=source_id or f"ble:{wanted}"), "ble", {"device": wanted}, label)


def replay_source(path: str | Path, *, speed: float, label: str | None = None) -> SourceSpec:
    from tolerance.sensors import ReplaySource, read_log

    p = Path(path)
    if not p.is_file():
        raise SourceError(f"replay file {str(path)!r} does not exist")
    read_log(p)  # fail now, with line numbers, rather than inside the session
    source = ReplaySource(p, speed=speed if math.isfinite(speed) else math.inf)
    return SourceSpec(source, "replay", {"replay": str(p.resolve()), "speed": speed}, label)


def parse_source(
    text: str, settings: Settings, *, seed: int | None = None, speed: float | None = None, label: str | None = None
) -> SourceSpec:
    """A source named as ``KIND:WHAT`` (the API's form)."""
    kind, sep, what = text.partition(":")
    if not sep or kind not in KINDS:
        raise SourceError(f"a source is one of sim:SCENARIO, ble:NAME_OR_ADDRESS, replay:PATH; got {text!r}")
    speed = settings.speed if speed is None else speed
    if kind == "sim":
        return sim_source(what, seed=seed, speed=speed, label=label)
    if kind == "ble":
        return ble_source(what, label=label)
    if settings.replay_dir is None:
        raise SourceError("this server does not replay files over the API (start it with --replay-dir DIR)")
    root = settings.replay_dir.resolve()
    target = (root / what).resolve()
    if not target.is_relative_to(root):
        raise SourceError(f"replay files must be inside {root}")
    return replay_source(target, speed=speed, label=label)


def build_sources(settings: Settings) -> list[SourceSpec]:
    """Sources for ``settings``, checked before the server starts; default: one ``calm`` sim."""
    if settings.devices:
        several = len(settings.devices) > 1
        return [
            ble_source(w, source_id=f"ble:{w}#{i}" if several else f"ble:{w}") for i, w in enumerate(settings.devices)
        ]
    if settings.replays:
        return [replay_source(p, speed=settings.speed) for p in settings.replays]
    return [
        sim_source(name, seed=settings.seed + i if settings.seed is not None else None, speed=settings.speed)
        for i, name in enumerate(settings.sims or ["calm"])
    ]
