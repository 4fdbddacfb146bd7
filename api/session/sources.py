"""Sources to record: from the command line (``--sim``/``--device``/``--replay``) or from
``POST /api/sessions`` (``{"source": "sim:SCENARIO" | "ble:NAME_OR_ADDRESS" | "replay:PATH"}``).

Both paths build their sensors here, so a source refused on one is refused on the other.
Over the API a source may read only what the worker allowed when starting the server: a
simulated source names a bundled scenario, or a ``.toml`` inside ``scenario_dir`` (``serve
--scenario-dir DIR``), and a replay a log inside ``replay_dir`` (``serve --replay-dir DIR``);
both are off by default, since a web page must not make the server read any file (nor learn
whether one exists). Those files must be regular files under a size limit, checked before
anything is read; the route runs :func:`parse_source` in a worker thread, off the event loop.
"""

from __future__ import annotations

import math
import os
import secrets
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from tolerance.sensors import Sensor

from ..settings import Settings

if TYPE_CHECKING:
    from tolerance.simulations import Scenario

KINDS: Final = ("sim", "ble", "replay")
MAX_SCENARIO_BYTES: Final = 1024 * 1024
"""The largest scenario file the API loads (bundled ones are a few kB)."""
MAX_REPLAY_BYTES: Final = 256 * 1024 * 1024
"""The largest notification log the API replays (a day of one strap is about 8 MB)."""


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
    """A simulated strap on a bundled scenario or a scenario file (the command line's ``--sim``)."""
    from tolerance.simulations import ScenarioError, load_scenario

    try:
        scenario = load_scenario(name)
    except ScenarioError as exc:
        raise SourceError(str(exc)) from None
    return _sim_spec(scenario, seed=seed, speed=speed, label=label)


def _sim_spec(scenario: Scenario, *, seed: int | None, speed: float, label: str | None) -> SourceSpec:
    from tolerance.simulations import SimulatedStrap

    seed = seed if seed is not None else secrets.randbelow(2**31)
    strap = SimulatedStrap(scenario, seed=seed, speed=speed, source_id=f"sim:{scenario.name}:{seed}")
    return SourceSpec(strap, "sim", {"scenario": scenario.name, "seed": seed, "speed": speed}, label)


def ble_source(
    wanted: str,
    *,
    source_id: str | None = None,
    label: str | None = None,
    accelerometer: bool = True,
    ecg: bool = False,
) -> SourceSpec:
    """A BLE strap; on a Polar H10 its accelerometer (and ECG with ``ecg``) start after every connect."""
    from tolerance.sensors import BleStrap
    from tolerance.sensors.ble import PmdOptions

    if not wanted.strip():
        raise SourceError("name the strap: ble:NAME_OR_ADDRESS (see `tolerance scan`)")
    strap = BleStrap(
        wanted, source_id=source_id or f"ble:{wanted}", pmd=PmdOptions(accelerometer=accelerometer, ecg=ecg)
    )
    params: dict[str, object] = {"device": wanted}
    if not accelerometer or ecg:
        params.update(accelerometer=accelerometer, ecg=ecg)
    return SourceSpec(strap, "ble", params, label)


def replay_source(
    path: str | Path, *, speed: float, label: str | None = None, max_bytes: int | None = None
) -> SourceSpec:
    from tolerance.sensors import ReplayFileError, ReplaySource, read_log

    p = Path(path)
    _regular(p, "replay file", str(path), max_bytes)
    try:
        read_log(p)  # fail now, with line numbers, rather than inside the session
    except ReplayFileError as exc:
        raise SourceError(str(exc)) from None
    source = ReplaySource(p, speed=speed if math.isfinite(speed) else math.inf)
    return SourceSpec(source, "replay", {"replay": str(p.resolve()), "speed": speed}, label)


def parse_source(
    text: str, settings: Settings, *, seed: int | None = None, speed: float | None = None, label: str | None = None
) -> SourceSpec:
    """A source named as ``KIND:WHAT`` (the API's form)."""
    kind, sep, what = text.partition(":")
    if not sep or kind not in KINDS:
        raise SourceError(f"a source is one of sim:SCENARIO, ble:NAME_OR_ADDRESS, replay:PATH; got {text[:80]!r}")
    if any(ord(c) < 32 or ord(c) == 127 for c in what):
        raise SourceError(f"a source name holds no control characters (NUL, line ends); got {what[:80]!r}")
    speed = settings.speed if speed is None else speed
    if kind == "sim":
        return _api_sim_source(what, settings, seed=seed, speed=speed, label=label)
    if kind == "ble":
        return ble_source(what, label=label, accelerometer=settings.accelerometer, ecg=settings.ecg)
    if settings.replay_dir is None:
        raise SourceError("this server does not replay files over the API (start it with --replay-dir DIR)")
    target = _inside(settings.replay_dir, what, "replay files")
    return replay_source(target, speed=speed, label=label, max_bytes=MAX_REPLAY_BYTES)


def _api_sim_source(what: str, settings: Settings, *, seed: int | None, speed: float, label: str | None) -> SourceSpec:
    """A bundled scenario by name, or a ``.toml`` inside the server's ``scenario_dir``; nothing
    else is opened (``sim:/dev/zero``, ``sim:/etc/passwd``)."""
    from tolerance.simulations import ScenarioError, list_scenarios, scenario_from_dict

    bundled = list_scenarios()
    if what in bundled:
        return sim_source(what, seed=seed, speed=speed, label=label)
    if settings.scenario_dir is None:
        raise SourceError(
            f"unknown scenario {what[:80]!r}; available: {', '.join(bundled)} (this server loads no scenario "
            "files over the API: start it with --scenario-dir DIR)"
        )
    name = what if what.endswith(".toml") else f"{what}.toml"
    target = _inside(settings.scenario_dir, name, "scenario files")
    raw = _read_limited(target, "scenario", what, MAX_SCENARIO_BYTES)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        scenario = scenario_from_dict(data, source=name, default_name=Path(name).stem)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"scenario {name}: not valid TOML ({exc})") from None
    except ScenarioError as exc:
        raise SourceError(str(exc)) from None
    return _sim_spec(scenario, seed=seed, speed=speed, label=label)


def _inside(folder: Path, name: str, what: str) -> Path:
    root = folder.resolve()
    target = (root / name).resolve()
    if not target.is_relative_to(root) or target == root:
        raise SourceError(f"{what} must be inside {root}")
    return target


def _regular(path: Path, what: str, given: str, max_bytes: int | None) -> None:
    """Refuse ``path`` unless it is a regular file (of at most ``max_bytes``), before opening it:
    a FIFO would block, a device (``/dev/zero``) never end."""
    try:
        st = os.stat(path)
    except OSError:
        raise SourceError(f"{what} {given[:80]!r} does not exist") from None
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"{what} {given[:80]!r} is not a regular file")
    if max_bytes is not None and st.st_size > max_bytes:
        raise SourceError(f"{what} {given[:80]!r} is larger than {max_bytes // 1024:,} KiB")


def _read_limited(path: Path, what: str, given: str, max_bytes: int) -> bytes:
    """A checked file's bytes, read with the limit (a file that grew since is still refused)."""
    _regular(path, what, given, max_bytes)
    try:
        # O_NONBLOCK: a FIFO put there since the check fails to open rather than hang the thread.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise SourceError(f"{what} {given[:80]!r} is not a regular file")
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"cannot read {what} {given[:80]!r}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise SourceError(f"{what} {given[:80]!r} is larger than {max_bytes // 1024:,} KiB")
    return raw


def build_sources(settings: Settings) -> list[SourceSpec]:
    """Sources for ``settings``, checked before the server starts; default: one ``calm`` sim."""
    if settings.devices:
        several = len(settings.devices) > 1
        return [
            ble_source(
                w,
                source_id=f"ble:{w}#{i}" if several else f"ble:{w}",
                accelerometer=settings.accelerometer,
                ecg=settings.ecg,
            )
            for i, w in enumerate(settings.devices)
        ]
    if settings.replays:
        return [replay_source(p, speed=settings.speed) for p in settings.replays]
    return [
        sim_source(name, seed=settings.seed + i if settings.seed is not None else None, speed=settings.speed)
        for i, name in enumerate(settings.sims or ["calm"])
    ]
