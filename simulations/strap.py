"""A simulated Bluetooth heart-rate strap: the heart model's beats as 0x2A37 notifications.

The strap notifies about once a second (``notify_interval_s`` plus Gaussian ``jitter_ms``);
each notification carries the RR intervals of the beats detected since the previous one (0-3,
more wait for the next notification), in 1/1024 s as real straps send them. Beat times are
quantised to 1/1024 s ticks and each RR is the difference of two ticks, so the RR values sum
exactly to the elapsed beat time: no drift, however long the run. The HR field is the strap's
smoothed HR (60000 / mean of the last ``hr_smoothing_beats`` RR). Every notification is
encoded with :func:`~tolerance.sensors.encode_hrm` and decoded back with
:func:`~tolerance.sensors.decode_hrm`, so simulated data goes through the real parser, and
the bytes are kept in ``HeartRateSample.payload``.

Times are simulated: an item's ``t_mono`` is ``t0_mono + s`` and ``t_utc`` is ``t0_utc + s``,
``s`` the simulated seconds since the start, so a run at ``speed=10`` is stored as if it had
taken real time. The stream starts with ``CONNECTED`` and a :class:`DeviceInfo`; a drop-out
yields ``LOST`` at its first silent slot and ``RECONNECTED`` before the first notification
after it (beats detected while the link was down are never delivered); a finite run ends
with ``CLOSED``.

Like a Polar H10 (``strap.accelerometer_hz`` > 0, the default), every notification slot also
delivers one PMD accelerometer frame (:class:`~tolerance.sensors.AccelerometerSample`, just
after the heart-rate notification) holding the samples since the previous one, from the
motion model (:mod:`.motion`: sitting, and the scenario's scripted activity as walking or
stairs), encoded with :func:`~tolerance.sensors.polar.encode_acc_frame` (uncompressed, frame
type 1, as the H10 sends) and decoded back with the real decoder. Activity is not announced:
a session finds it through the real classifier (issue 25; the scripted ``ActivityEvent`` items
of earlier versions are gone). ``accelerometer_hz = 0`` is a heart-rate-only strap, which says
nothing about movement (the worker's *Moving* marker is the only activity signal then).
Frame timestamps are the strap's clock: ns since 2000-01-01 from :data:`SENSOR_T0_NS` plus
simulated time.

:class:`StrapEmulator` is the synchronous core shared by the live :class:`SimulatedStrap`
and the offline :func:`~tolerance.simulations.offline.simulate`, so both give the same beats.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
from tolerance.sensors import (
    AccelerometerSample,
    ConnectionEvent,
    ConnectionState,
    DeviceInfo,
    HeartRateMeasurement,
    HeartRateSample,
    SensorItem,
    decode_hrm,
    encode_hrm,
)
from tolerance.sensors.polar import AccFrame, decode_acc_frame, encode_acc_frame
from tolerance.sensors.samples import RR_UNITS_PER_SECOND

from .events import StressEvent
from .faults import BEAT_FAULTS, Artifact, BeatFaults, DetectedBeat, FaultEvent, FaultKind
from .heart import Guide, HeartModel, RngLike, check_breathing_rate, make_rng
from .motion import MotionModel
from .scenario import Scenario, load_scenario

MAX_JITTER_FRACTION: Final = 0.45
"""Jitter is clipped to this fraction of the notification interval, so slots keep their order."""
YIELD_EVERY_NOTIFICATIONS: Final = 64
"""At speed=inf, hand control back to the event loop this often."""
DEVICE_NAME: Final = "Tolerance simulated strap"
SENSOR_T0_NS: Final = 599_616_000_000_000_000
"""The simulated strap's clock at simulated second 0 (ns since 2000-01-01: 2019-01-01 plus a bit)."""


@dataclass(frozen=True, slots=True)
class GroundTruthBeat:
    """What really happened at one detected beat.

    ``t_s`` true time (simulated seconds), ``rr_true_ms`` the unquantised interval since the
    previous detected beat, ``rr_raw`` the same in 1/1024 s as the strap reports it,
    ``hr_bpm``/``arousal``/``vagal``/``breathing_per_min``/``activity`` the model state the
    interval was drawn from (``arousal`` is stress only, ``activity`` the activity level 0-1),
    ``artifact`` its label, ``contact`` the strap's contact flag, ``delivered``
    False when a drop-out swallowed it, ``notification`` the index of the notification that
    carried it (-1 if none).
    """

    t_s: float
    rr_true_ms: float
    rr_raw: int
    hr_bpm: float
    arousal: float
    vagal: float
    breathing_per_min: float
    artifact: Artifact
    contact: bool
    delivered: bool
    notification: int
    activity: float = 0.0


class StrapEmulator:
    """Synchronous strap: call :meth:`step` for each notification slot.

    Parameters
    ----------
    scenario
        What to simulate.
    rng
        Seed or Generator; independent child streams go to the heart model (which splits
        them again into respiration, Mayer waves and noise), the beat faults and the jitter.
    source_id, t0_mono, t0_utc
        Stamped on every item: times are ``t0 + simulated seconds``.
    on_beat
        Called with every :class:`GroundTruthBeat`, in order.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        rng: RngLike,
        source_id: str,
        t0_mono: float = 0.0,
        t0_utc: float = 0.0,
        on_beat: Callable[[GroundTruthBeat], None] | None = None,
    ) -> None:
        # A fourth stream for the accelerometer: the first three are those of earlier versions.
        heart_rng, fault_rng, jitter_rng, motion_rng = make_rng(rng).spawn(4)
        self.scenario = scenario
        self.model = HeartModel(
            scenario.heart,
            rng=heart_rng,
            breathing=scenario.breathing,
            stress=scenario.stress,
            activity=scenario.activity,
            breathing_blocks=scenario.breathing_blocks,
        )
        self._acc_hz = scenario.strap.accelerometer_hz
        self.motion = MotionModel.from_activity(scenario.activity, motion_rng) if self._acc_hz > 0 else None
        self._acc_next = 1  # index of the next accelerometer sample (sample k at k / rate s)
        self._beats = BeatFaults(self.model, scenario.faults, fault_rng)
        self._jitter_rng = jitter_rng
        self._link = [e for e in scenario.faults.events if e.kind not in BEAT_FAULTS]
        self._source = source_id
        self._t0_mono = t0_mono
        self._t0_utc = t0_utc
        self._on_beat = on_beat
        self._next: DetectedBeat = self._beats.next_beat()
        self._pending: deque[tuple[DetectedBeat, int]] = deque()
        self._prev_tick = 0
        self._recent_raw: deque[int] = deque(maxlen=scenario.strap.hr_smoothing_beats)
        self._index = 0
        self._connected = True
        self._sent = 0
        self.t_s = 0.0
        """Simulated time of the last slot (receive time)."""

    def _stamp(self, t_s: float) -> tuple[float, float]:
        return self._t0_mono + t_s, self._t0_utc + t_s

    def start(self) -> list[SensorItem]:
        """Items at connection: ``CONNECTED`` and the device's description."""
        t_mono, t_utc = self._stamp(0.0)
        return [
            ConnectionEvent(self._source, t_mono, t_utc, ConnectionState.CONNECTED, "simulated"),
            DeviceInfo(
                self._source,
                t_mono,
                t_utc,
                name=DEVICE_NAME,
                address=self._source,
                body_location="chest",
                battery_percent=100,
            ),
        ]

    def close(self, detail: str = "end of simulation") -> list[SensorItem]:
        t_mono, t_utc = self._stamp(self.t_s)
        return [ConnectionEvent(self._source, t_mono, t_utc, ConnectionState.CLOSED, detail)]

    def next_receive_s(self) -> float:
        """Nominal receive time of the next slot (without its jitter), for pacing."""
        s = self.scenario.strap
        return (self._index + 1) * s.notify_interval_s + s.latency_ms / 1000.0

    def set_breathing(self, rate_per_min: float, in_step_from: float | None = None, inhale_share: float = 0.5) -> None:
        """Change the breathing rate from the current simulated time on.

        ``in_step_from``: breathe in step with a guide whose in-breaths start at that source
        time (``t_mono``, the clock of this emulator's items) and every breath after it.
        """
        guide = None if in_step_from is None else Guide(in_step_from - self._t0_mono, inhale_share)
        self.model.set_breathing(rate_per_min, guide)

    def add_stress(self, event: StressEvent) -> None:
        self.model.add_stress(event)

    def inject(self, kind: FaultKind, duration_s: float = 0.0) -> None:
        """A fault now: a beat fault at the next beat, or a link fault for ``duration_s``."""
        kind = FaultKind(kind)
        if kind in BEAT_FAULTS:
            self._beats.inject(kind)
        else:
            self._link.append(FaultEvent(kind, self.t_s, duration_s))

    def _in(self, kind: FaultKind, t_s: float) -> bool:
        return any(e.kind is kind and e.covers(t_s) for e in self._link)

    def _record(self, beat: DetectedBeat, raw: int, *, contact: bool, delivered: bool) -> None:
        if self._on_beat is None:
            return
        b = beat.sinus
        self._on_beat(
            GroundTruthBeat(
                t_s=beat.t_s,
                rr_true_ms=beat.rr_ms,
                rr_raw=raw,
                hr_bpm=b.hr_bpm,
                arousal=b.arousal,
                vagal=b.vagal,
                breathing_per_min=b.breathing_per_min,
                artifact=beat.artifact,
                contact=contact,
                delivered=delivered,
                notification=self._sent if delivered else -1,
                activity=b.activity,
            )
        )

    def _accelerometer(self, t_send: float, t_mono: float, t_utc: float) -> list[SensorItem]:
        """The accelerometer frame of the samples up to ``t_send``, as the strap sends it."""
        if self.motion is None:
            return []
        last = math.floor(t_send * self._acc_hz + 1e-9)
        if last < self._acc_next:
            return []
        k = np.arange(self._acc_next, last + 1)
        self._acc_next = last + 1
        samples = self.motion.samples(k / self._acc_hz)
        frame = AccFrame(SENSOR_T0_NS + round(last / self._acc_hz * 1e9), tuple(map(tuple, samples.tolist())))
        payload = encode_acc_frame(frame)
        decoded = decode_acc_frame(payload)
        return [
            AccelerometerSample(
                self._source, t_mono, t_utc, self._acc_hz, decoded.timestamp_ns, decoded.samples_mg, payload
            )
        ]

    def step(self) -> list[SensorItem]:
        """Advance one notification slot; return what the host receives in it (maybe nothing)."""
        s = self.scenario.strap
        interval = s.notify_interval_s
        self._index += 1
        jitter = float(self._jitter_rng.normal(0.0, self.scenario.faults.jitter_ms / 1000.0))
        jitter = max(-MAX_JITTER_FRACTION * interval, min(MAX_JITTER_FRACTION * interval, jitter))
        t_send = self._index * interval + jitter
        t_recv = t_send + s.latency_ms / 1000.0
        self.t_s = t_recv
        while self._next.t_s <= t_send:
            tick = round(self._next.t_s * RR_UNITS_PER_SECOND)
            raw = max(1, tick - self._prev_tick)
            self._prev_tick += raw
            self._recent_raw.append(raw)
            self._pending.append((self._next, raw))
            self._next = self._beats.next_beat()
        t_mono, t_utc = self._stamp(t_recv)
        items: list[SensorItem] = []
        if self._in(FaultKind.DROPOUT, t_send):
            self._acc_next = math.floor(t_send * self._acc_hz + 1e-9) + 1  # never delivered
            if self._connected:
                self._connected = False
                items.append(ConnectionEvent(self._source, t_mono, t_utc, ConnectionState.LOST, "simulated drop-out"))
            while self._pending:  # detected by the strap, never delivered
                beat, raw = self._pending.popleft()
                self._record(beat, raw, contact=not self._in(FaultKind.CONTACT_LOSS, beat.t_s), delivered=False)
            return items
        if not self._connected:
            self._connected = True
            items.append(
                ConnectionEvent(self._source, t_mono, t_utc, ConnectionState.RECONNECTED, "simulated drop-out ended")
            )
        contact = not self._in(FaultKind.CONTACT_LOSS, t_send)
        # More than the notification holds waits for the next one, in order.
        n = min(len(self._pending), s.max_rr_per_notification)
        carried = [self._pending.popleft() for _ in range(n)]
        if self._recent_raw:
            hr = round(60.0 * RR_UNITS_PER_SECOND * len(self._recent_raw) / sum(self._recent_raw))
        else:
            hr = round(self.scenario.heart.hr_bpm)
        payload = encode_hrm(HeartRateMeasurement(hr_bpm=hr, rr_raw=tuple(r for _, r in carried), contact=contact))
        items.append(
            HeartRateSample.from_measurement(
                decode_hrm(payload), source=self._source, t_mono=t_mono, t_utc=t_utc, payload=payload
            )
        )
        items.extend(self._accelerometer(t_send, t_mono, t_utc))
        for beat, raw in carried:
            self._record(beat, raw, contact=contact, delivered=True)
        self._sent += 1
        return items

    def run(self, duration_s: float | None) -> Iterator[SensorItem]:
        """All items in order, until the slot after ``duration_s`` (forever if None)."""
        yield from self.start()
        while duration_s is None or self.next_receive_s() <= duration_s:
            yield from self.step()
        yield from self.close()


class SimulatedStrap:
    """A :class:`~tolerance.sensors.Sensor` backed by the heart model.

    Parameters
    ----------
    scenario
        A :class:`Scenario` or the name/path for :func:`load_scenario`.
    seed
        Seed or Generator; the same seed gives the same series at any speed.
    speed
        Simulated seconds per real second; ``math.inf`` runs as fast as possible.
    clock, sleep
        Injectable monotonic clock and async sleep used for pacing (and ``clock`` for t0_mono).
    source_id
        Default ``sim:<scenario>:<seed>``.
    t0_utc
        UTC time of simulated second 0 (default: the wall clock when the stream starts).
    duration_s
        Simulated length; None (default) runs until the stream is closed.
    keep_beats
        How many recent :class:`GroundTruthBeat` values :attr:`ground_truth` keeps.
    """

    def __init__(
        self,
        scenario: Scenario | str,
        *,
        seed: RngLike = None,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        source_id: str | None = None,
        t0_utc: float | None = None,
        duration_s: float | None = None,
        keep_beats: int = 10_000,
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0 (math.inf for as fast as possible), got {speed!r}")
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self._seed = seed
        self._speed = speed
        self._clock = clock
        self._sleep = sleep
        seed_text = seed if isinstance(seed, int) else "random"
        self._source_id = source_id or f"sim:{self.scenario.name}:{seed_text}"
        self._t0_utc = t0_utc
        self._duration = duration_s
        self.ground_truth: deque[GroundTruthBeat] = deque(maxlen=keep_beats)
        self._emulator: StrapEmulator | None = None
        self._pending_rate: tuple[float, float | None, float] | None = None

    @property
    def source_id(self) -> str:
        return self._source_id

    @property
    def t_s(self) -> float:
        """Simulated seconds since the stream started."""
        return self._emulator.t_s if self._emulator else 0.0

    def set_breathing(
        self, rate_per_min: float | None, in_step_from: float | None = None, inhale_share: float = 0.5
    ) -> None:
        """Breathe at this rate from now on (the server's pacer calls this).

        ``None`` goes back to the scenario's spontaneous rate (the pacer was stopped). With
        ``in_step_from`` (a source time, on the clock of the items' ``t_mono``, when one of the
        guide's in-breaths starts) the simulated person follows the guide in step, as a
        participant watching it would, not only at its rate.
        """
        if rate_per_min is None:
            rate_per_min, in_step_from = self.scenario.heart.breathing_per_min, None
        check_breathing_rate(rate_per_min)
        if self._emulator is None:
            self._pending_rate = (rate_per_min, in_step_from, inhale_share)
        else:
            self._emulator.set_breathing(rate_per_min, in_step_from, inhale_share)

    def add_stress(self, event: StressEvent) -> None:
        """Add a stress event (times in simulated seconds); needs a running stream."""
        self._running().add_stress(event)

    def inject_fault(self, kind: FaultKind | str, duration_s: float = 0.0) -> None:
        """A fault now: a beat fault at the next beat, contact_loss/dropout for ``duration_s``."""
        self._running().inject(FaultKind(kind), duration_s)

    def _running(self) -> StrapEmulator:
        if self._emulator is None:
            raise RuntimeError("the simulated strap is not streaming yet")
        return self._emulator

    async def stream(self) -> AsyncIterator[SensorItem]:
        """Yield items paced at ``speed`` times real time; each call starts the scenario afresh."""
        wall0 = self._clock()
        emu = StrapEmulator(
            self.scenario,
            rng=self._seed,
            source_id=self._source_id,
            t0_mono=wall0,
            t0_utc=time.time() if self._t0_utc is None else self._t0_utc,
            on_beat=self.ground_truth.append,
        )
        if self._pending_rate is not None:
            emu.set_breathing(*self._pending_rate)
        self._emulator = emu
        self.ground_truth.clear()
        for item in emu.start():
            yield item
        n = 0
        while self._duration is None or emu.next_receive_s() <= self._duration:
            # Pace before computing the slot, so a live set_breathing() reaches the next beats.
            if math.isinf(self._speed):
                n += 1
                if n % YIELD_EVERY_NOTIFICATIONS == 0:
                    await self._sleep(0)
            else:
                delay = wall0 + emu.next_receive_s() / self._speed - self._clock()
                if delay > 0:
                    await self._sleep(delay)
            for item in emu.step():
                yield item
        for item in emu.close():
            yield item
