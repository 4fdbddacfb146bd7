"""Offline simulation: the strap's notifications and the ground truth as numpy arrays.

Uses the same :class:`~tolerance.simulations.strap.StrapEmulator` as the live
:class:`~tolerance.simulations.strap.SimulatedStrap`, so for the same scenario and seed both
produce the same beats and notifications (only ``t0`` differs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tolerance.sensors import AccelerometerSample, ConnectionEvent, HeartRateSample, SensorItem
from tolerance.sensors.samples import RR_UNITS_PER_SECOND

from .heart import RngLike
from .scenario import Scenario, load_scenario
from .strap import GroundTruthBeat, StrapEmulator


@dataclass(frozen=True)
class SimulationResult:
    """One simulated run.

    Beat arrays (one entry per detected beat, delivered or not, in time order):
    ``beat_t_s`` true time (s), ``beat_rr_true_ms`` unquantised interval, ``beat_rr_raw``
    interval in 1/1024 s as the strap reports it, ``beat_rr_ms`` the same in ms,
    ``beat_hr_bpm`` model HR (activity included), ``beat_arousal`` (stress arousal only: 0 while
    walking), ``beat_vagal``, ``beat_breathing_per_min``, ``beat_activity`` (activity level 0-1),
    ``beat_artifact`` (str: none/ectopic/missed/extra), ``beat_contact``, ``beat_delivered``,
    ``beat_notification`` (index into the notification arrays, -1 if lost).

    Notification arrays (one per notification received): ``note_t_s`` receive time (simulated
    s), ``note_hr_bpm``, ``note_n_rr``, ``note_contact``. ``samples`` holds the decoded
    :class:`HeartRateSample` values (with payloads), ``events`` the connection events,
    ``accelerometer`` the :class:`AccelerometerSample` frames (none from a heart-rate-only
    strap), and ``items`` everything in stream order.
    """

    scenario: Scenario
    seed: int | None
    duration_s: float
    beat_t_s: np.ndarray
    beat_rr_true_ms: np.ndarray
    beat_rr_raw: np.ndarray
    beat_hr_bpm: np.ndarray
    beat_arousal: np.ndarray
    beat_vagal: np.ndarray
    beat_breathing_per_min: np.ndarray
    beat_artifact: np.ndarray
    beat_contact: np.ndarray
    beat_delivered: np.ndarray
    beat_notification: np.ndarray
    note_t_s: np.ndarray
    note_hr_bpm: np.ndarray
    note_n_rr: np.ndarray
    note_contact: np.ndarray
    samples: tuple[HeartRateSample, ...]
    events: tuple[ConnectionEvent, ...]
    items: tuple[SensorItem, ...]
    beat_activity: np.ndarray
    accelerometer: tuple[AccelerometerSample, ...]

    @property
    def beat_rr_ms(self) -> np.ndarray:
        """Reported RR in ms (exact conversion of ``beat_rr_raw``)."""
        return self.beat_rr_raw * (1000.0 / RR_UNITS_PER_SECOND)


def simulate(
    scenario: Scenario | str | Path,
    seed: RngLike = 0,
    duration_s: float | None = None,
    *,
    t0_utc: float = 0.0,
    source_id: str | None = None,
) -> SimulationResult:
    """Run a scenario offline, as fast as possible.

    Parameters
    ----------
    scenario
        A :class:`Scenario`, or a name or path for :func:`load_scenario`.
    seed
        Seed or Generator (the same seed gives the same result).
    duration_s
        Simulated seconds (default: the scenario's ``duration_s``).
    t0_utc
        UTC time of simulated second 0 stamped on the items (``t_mono`` starts at 0).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    duration = sc.duration_s if duration_s is None else float(duration_s)
    beats: list[GroundTruthBeat] = []
    seed_text = seed if isinstance(seed, int) else "random"
    emu = StrapEmulator(
        sc,
        rng=seed,
        source_id=source_id or f"sim:{sc.name}:{seed_text}",
        t0_mono=0.0,
        t0_utc=t0_utc,
        on_beat=beats.append,
    )
    items = tuple(emu.run(duration))
    samples = tuple(i for i in items if isinstance(i, HeartRateSample))
    events = tuple(i for i in items if isinstance(i, ConnectionEvent))

    def col(name: str, dtype: type) -> np.ndarray:
        return np.array([getattr(b, name) for b in beats], dtype=dtype)

    return SimulationResult(
        scenario=sc,
        seed=seed if isinstance(seed, int) else None,
        duration_s=duration,
        beat_t_s=col("t_s", float),
        beat_rr_true_ms=col("rr_true_ms", float),
        beat_rr_raw=col("rr_raw", np.int64),
        beat_hr_bpm=col("hr_bpm", float),
        beat_arousal=col("arousal", float),
        beat_vagal=col("vagal", float),
        beat_breathing_per_min=col("breathing_per_min", float),
        beat_artifact=np.array([str(b.artifact) for b in beats], dtype=str),
        beat_contact=col("contact", bool),
        beat_delivered=col("delivered", bool),
        beat_notification=col("notification", np.int64),
        note_t_s=np.array([s.t_mono for s in samples], dtype=float),
        note_hr_bpm=np.array([s.hr_bpm for s in samples], dtype=np.int64),
        note_n_rr=np.array([len(s.rr_raw) for s in samples], dtype=np.int64),
        note_contact=np.array([bool(s.contact) for s in samples], dtype=bool),
        samples=samples,
        events=events,
        items=items,
        beat_activity=col("activity", float),
        accelerometer=tuple(i for i in items if isinstance(i, AccelerometerSample)),
    )
