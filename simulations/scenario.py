"""Scenarios as data: TOML files with seed-independent parameters of heart, breathing, stress,
faults and strap.

Layout (every table optional except the top-level keys; defaults are the dataclass defaults)::

    name = "stress-spike"                 # defaults to the file name
    description = "One stress event ..."
    duration_s = 600                      # default length of a run

    [heart]                               # HeartParams: hr_bpm, rmssd_ms, breathing_per_min,
    hr_bpm = 66                           # rsa_ms, resonance_per_min, resonance_q, mayer_ms,
    rmssd_ms = 42                         # mayer_hz, stress_hr_bpm, stress_vagal_drop, ...

    [[breathing]]                         # a scripted change of the resting rate ...
    at_s = 300
    per_min = 6
    [[breathing]]                         # ... or a breathing block (BreathingBlock): paced
    at_s = 900                            # at rate_per_min for duration_s, then back to the
    duration_s = 300                      # resting rate
    rate_per_min = 6

    [[stress]]                            # StressEvent: at_s, rise_s, tau_s, intensity,
    at_s = 180                            # hold_s (plateau), label ("stress", "meeting")
    tau_s = 60

    [[activity]]                          # Activity: at_s, duration_s, kind, hr_bpm,
    at_s = 1200                           # rmssd_drop, on_tau_s, off_tau_s
    duration_s = 600
    kind = "walking"

    [faults]                              # FaultSettings: *_per_min rates, jitter_ms
    ectopic_per_min = 0.5
    [[faults.events]]                     # FaultEvent: kind, at_s, duration_s
    kind = "dropout"
    at_s = 200
    duration_s = 8

    [strap]                               # StrapParams
    notify_interval_s = 1.0
    accelerometer_hz = 25                 # 0: a heart-rate-only strap

:func:`load_scenario` takes a bundled name (see :func:`list_scenarios`) or a path; any problem
raises :class:`ScenarioError` naming the file and the field.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

from .events import Activity, BreathingBlock, StressEvent
from .faults import FaultEvent, FaultKind, FaultSettings
from .params import HeartParams

SCENARIO_SUFFIX: Final = ".toml"


class ScenarioError(ValueError):
    """A scenario that cannot be found or read.

    ``source`` is the name or path asked for, ``field`` the offending dotted key (or None),
    ``available`` the bundled scenario names.
    """

    def __init__(self, message: str, *, source: str, field: str | None = None, available: tuple[str, ...] = ()) -> None:
        self.source = source
        self.field = field
        self.available = available
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class StrapParams:
    """How the simulated strap notifies (a Polar H10 sends about one notification a second)."""

    notify_interval_s: float = 1.0
    latency_ms: float = 30.0
    """Delay from a notification's send time to the host's receive time."""
    max_rr_per_notification: int = 3
    hr_smoothing_beats: int = 5
    """The HR field is 60000 / mean of this many last RR intervals, as straps smooth it."""
    accelerometer_hz: float = 25.0
    """The simulated H10's accelerometer rate (25, 50, 100 or 200 Hz, as the H10 offers), one PMD
    frame per notification; 0: a strap without one (heart rate only: nothing tells activity)."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything a simulation needs except the seed."""

    name: str
    description: str = ""
    duration_s: float = 600.0
    heart: HeartParams = field(default_factory=HeartParams)
    breathing: tuple[tuple[float, float], ...] = ()
    """Scripted ``(at_s, per_min)`` changes of the resting breathing rate."""
    stress: tuple[StressEvent, ...] = ()
    activity: tuple[Activity, ...] = ()
    breathing_blocks: tuple[BreathingBlock, ...] = ()
    """Paced-breathing breaks, in time order, not overlapping."""
    faults: FaultSettings = field(default_factory=FaultSettings)
    strap: StrapParams = field(default_factory=StrapParams)
    source: str = ""
    """Where the scenario came from (a file path, or empty)."""


def _scenario_dir() -> Any:
    return resources.files("tolerance.simulations").joinpath("scenarios")


def list_scenarios() -> tuple[str, ...]:
    """Names of the bundled scenarios, sorted."""
    return tuple(
        sorted(p.name[: -len(SCENARIO_SUFFIX)] for p in _scenario_dir().iterdir() if p.name.endswith(SCENARIO_SUFFIX))
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a bundled scenario by name (``"calm"``) or a TOML file by path.

    Raises
    ------
    ScenarioError
        Unknown name (the message lists the available ones), unreadable file, invalid TOML,
        or a bad field (the message names it).
    """
    text = str(name_or_path)
    looks_like_path = text.endswith(SCENARIO_SUFFIX) or "/" in text or "\\" in text
    if isinstance(name_or_path, Path) or looks_like_path:
        path = Path(name_or_path)
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(
                f"cannot read scenario file {text}: {exc.strerror or exc}", source=text, available=list_scenarios()
            ) from exc
        return _parse(raw, source=text, default_name=path.stem)
    entry = _scenario_dir().joinpath(text + SCENARIO_SUFFIX)
    if not entry.is_file():
        available = list_scenarios()
        raise ScenarioError(
            f"unknown scenario {text!r}; available: {', '.join(available)} (or give a path to a .toml file)",
            source=text,
            available=available,
        )
    return _parse(entry.read_text(encoding="utf-8"), source=text, default_name=text)


def _parse(raw: str, *, source: str, default_name: str) -> Scenario:
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario {source}: invalid TOML: {exc}", source=source) from exc
    return scenario_from_dict(data, source=source, default_name=default_name)


def scenario_from_dict(data: dict[str, Any], *, source: str = "<dict>", default_name: str = "custom") -> Scenario:
    """Build and validate a :class:`Scenario` from parsed TOML (or an equivalent dict)."""
    p = _Parser(source)
    p.check_keys(
        data, "", {"name", "description", "duration_s", "heart", "breathing", "stress", "activity", "faults", "strap"}
    )
    name = p.string(data.get("name", default_name), "name")
    description = p.string(data.get("description", ""), "description")
    duration = p.number(data.get("duration_s", 600.0), "duration_s", positive=True)
    heart = p.record(HeartParams, data.get("heart", {}), "heart")
    try:
        heart.validate()
    except ValueError as exc:
        raise ScenarioError(f"scenario {source}: heart: {exc}", source=source, field="heart") from exc
    breathing, blocks = [], []
    for i, item in enumerate(p.table_list(data.get("breathing", []), "breathing")):
        where = f"breathing[{i}]"
        if "duration_s" in item or "rate_per_min" in item:
            block = p.record(BreathingBlock, item, where, positive=("duration_s", "rate_per_min"))
            _check_rate(p, block.rate_per_min, f"{where}.rate_per_min")
            blocks.append(block)
            continue
        p.check_keys(item, where, {"at_s", "per_min"})
        at = p.number(item.get("at_s"), f"{where}.at_s", minimum=0.0)
        rate = p.number(item.get("per_min"), f"{where}.per_min", positive=True)
        _check_rate(p, rate, f"{where}.per_min")
        breathing.append((at, rate))
    blocks.sort(key=lambda b: b.at_s)
    for a, b in zip(blocks, blocks[1:], strict=False):
        if b.at_s < a.end_s:
            p.fail("breathing", f"breathing blocks at {a.at_s:g} s and {b.at_s:g} s overlap")
    stress = tuple(
        p.record(StressEvent, item, f"stress[{i}]", positive=("rise_s", "tau_s"))
        for i, item in enumerate(p.table_list(data.get("stress", []), "stress"))
    )
    for i, ev in enumerate(stress):
        if ev.hold_s < 0 or ev.at_s < 0 or ev.intensity < 0:
            p.fail(f"stress[{i}]", "at_s, hold_s and intensity must be >= 0")
    activity = tuple(
        p.record(Activity, item, f"activity[{i}]", positive=("duration_s", "on_tau_s", "off_tau_s"))
        for i, item in enumerate(p.table_list(data.get("activity", []), "activity"))
    )
    for i, act in enumerate(activity):
        if act.at_s < 0 or act.hr_bpm < 0 or not 0 <= act.rmssd_drop <= 1:
            p.fail(f"activity[{i}]", "at_s and hr_bpm must be >= 0, rmssd_drop within 0-1")
    faults_raw = dict(p.table(data.get("faults", {}), "faults"))
    events_raw = faults_raw.pop("events", [])
    faults = p.record(FaultSettings, faults_raw, "faults", exclude=frozenset({"events"}))
    events = []
    for i, item in enumerate(p.table_list(events_raw, "faults.events")):
        where = f"faults.events[{i}]"
        p.check_keys(item, where, {"kind", "at_s", "duration_s"})
        kind_text = p.string(item.get("kind"), f"{where}.kind")
        try:
            kind = FaultKind(kind_text)
        except ValueError:
            p.fail(
                f"{where}.kind",
                f"unknown fault kind {kind_text!r}; expected one of {', '.join(k.value for k in FaultKind)}",
            )
        at_s = p.number(item.get("at_s"), f"{where}.at_s", minimum=0.0)
        duration_s = p.number(item.get("duration_s", 0.0), f"{where}.duration_s", minimum=0.0)
        events.append(FaultEvent(kind=kind, at_s=at_s, duration_s=duration_s))
    faults = dataclasses.replace(faults, events=tuple(sorted(events, key=lambda e: e.at_s)))
    strap = p.record(
        StrapParams,
        data.get("strap", {}),
        "strap",
        positive=("notify_interval_s", "max_rr_per_notification", "hr_smoothing_beats"),
    )
    if strap.accelerometer_hz not in (0, 25, 50, 100, 200):
        p.fail("strap.accelerometer_hz", "must be 0 (no accelerometer) or an H10 rate: 25, 50, 100 or 200")
    return Scenario(
        name=name,
        description=description,
        duration_s=duration,
        heart=heart,
        breathing=tuple(sorted(breathing)),
        stress=stress,
        activity=tuple(sorted(activity, key=lambda a: a.at_s)),
        breathing_blocks=tuple(blocks),
        faults=faults,
        strap=strap,
        source=source,
    )


def _check_rate(p: _Parser, rate: float, where: str) -> None:
    if not 1.0 <= rate <= 60.0:
        p.fail(where, f"breathing rate {rate:g}/min is outside 1-60")


class _Parser:
    """Field-by-field checks whose errors name the scenario and the dotted field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, why: str) -> Any:
        raise ScenarioError(f"scenario {self.source}: field {where}: {why}", source=self.source, field=where)

    def check_keys(self, table: dict[str, Any], where: str, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                self.fail(
                    f"{where}.{key}" if where else key, f"unknown field; expected one of {', '.join(sorted(allowed))}"
                )

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            self.fail(where, f"expected a string, got {value!r}")
        return str(value)

    def number(self, value: Any, where: str, *, positive: bool = False, minimum: float | None = None) -> float:
        if value is None:
            self.fail(where, "missing")
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, f"expected a number, got {value!r}")
        if positive and not value > 0:
            self.fail(where, f"must be > 0, got {value!r}")
        if minimum is not None and value < minimum:
            self.fail(where, f"must be >= {minimum:g}, got {value!r}")
        return float(value)

    def table(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected a table, got {value!r}")
        return dict(value)

    def table_list(self, value: Any, where: str) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(where, f"expected an array of tables ([[{where}]]), got {value!r}")
        return list(value)

    def record(
        self, cls: Any, value: Any, where: str, *, positive: tuple[str, ...] = (), exclude: frozenset[str] = frozenset()
    ) -> Any:
        """Build dataclass ``cls`` from a table of numbers (and strings), checking names and types."""
        table = self.table(value, where)
        fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in exclude}
        self.check_keys(table, where, set(fields))
        kwargs: dict[str, Any] = {}
        for key, val in table.items():
            if fields[key].type in ("str", str):
                kwargs[key] = self.string(val, f"{where}.{key}")
                continue
            num = self.number(val, f"{where}.{key}", positive=key in positive)
            kwargs[key] = int(num) if fields[key].type in ("int", int) else num
            if fields[key].type in ("int", int) and num != int(num):
                self.fail(f"{where}.{key}", f"expected a whole number, got {val!r}")
        try:
            return cls(**kwargs)
        except TypeError as exc:  # a required field (e.g. stress at_s) is missing
            raise ScenarioError(f"scenario {self.source}: {where}: {exc}", source=self.source, field=where) from exc
