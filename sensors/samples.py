"""Values a heart-rate source produces: one per BLE notification, plus connection events.

Standard library only, so that every other package (simulations, api, tests) can import
these without pulling in bleak.

Times: every item carries the host's receive time twice. ``t_mono`` (seconds, from
``time.monotonic()`` or a simulated clock) orders items and measures gaps; ``t_utc`` (Unix
epoch seconds, UTC) dates them for storage and export. A simulated strap uses simulated time
for both, so a session run at ``--speed 10`` is stored as if it had taken real time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, TypeAlias

PMD_STREAM: Final = "pmd"
"""``MalformedNotification.stream`` (and the stored row's) of a Polar PMD data frame."""
RR_UNITS_PER_SECOND: Final = 1024
"""Heart Rate Measurement RR intervals are uint16 in 1/1024 s (Bluetooth SIG HRS 1.0)."""


def rr_raw_to_ms(raw: int) -> float:
    """Convert one RR interval from 1/1024 s units to milliseconds (exact in binary floats)."""
    return raw * 1000.0 / RR_UNITS_PER_SECOND


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One decoded Heart Rate Measurement (0x2A37) payload.

    ``rr_raw`` holds the RR intervals as sent (1/1024 s); ``rr_ms`` the same in ms.
    ``contact`` is True/False when the strap supports contact detection, else None.
    """

    hr_bpm: int
    rr_raw: tuple[int, ...] = ()
    contact: bool | None = None
    energy_kj: int | None = None

    @property
    def rr_ms(self) -> tuple[float, ...]:
        return tuple(rr_raw_to_ms(r) for r in self.rr_raw)


@dataclass(frozen=True, slots=True)
class HeartRateSample:
    """One notification from a strap (real, simulated or replayed), decoded.

    ``payload`` keeps the raw bytes exactly as received, so that storage can keep the
    notification itself and everything derived can be recomputed from it.
    """

    source: str
    t_mono: float
    t_utc: float
    hr_bpm: int
    rr_ms: tuple[float, ...]
    rr_raw: tuple[int, ...]
    contact: bool | None
    energy_kj: int | None
    payload: bytes = b""

    @classmethod
    def from_measurement(
        cls,
        m: HeartRateMeasurement,
        *,
        source: str,
        t_mono: float,
        t_utc: float,
        payload: bytes = b"",
    ) -> HeartRateSample:
        return cls(
            source=source,
            t_mono=t_mono,
            t_utc=t_utc,
            hr_bpm=m.hr_bpm,
            rr_ms=m.rr_ms,
            rr_raw=m.rr_raw,
            contact=m.contact,
            energy_kj=m.energy_kj,
            payload=payload,
        )

    @property
    def usable_for_hrv(self) -> bool:
        """False when the strap reports that it has no skin contact."""
        return self.contact is not False


@dataclass(frozen=True, slots=True)
class MalformedNotification:
    """A notification whose payload could not be decoded: kept and counted, never fatal."""

    source: str
    t_mono: float
    t_utc: float
    payload: bytes
    reason: str
    stream: str = "hrm"  # or PMD_STREAM
    """Which characteristic sent it: ``hrm`` (Heart Rate Measurement) or ``pmd`` (Polar PMD data)."""
    sample_rate_hz: float | None = None
    """For a PMD frame, the rate its stream was started with (so a replay can decode it again)."""


class ConnectionState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    LOST = "lost"
    RECONNECTING = "reconnecting"
    RECONNECTED = "reconnected"
    GAVE_UP = "gave_up"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ConnectionEvent:
    """A change in a source's link: connected, lost, reconnecting (with attempt), ..."""

    source: str
    t_mono: float
    t_utc: float
    state: ConnectionState
    detail: str = ""
    attempt: int = 0


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What a source knows about its device; any field may be unknown (None)."""

    source: str
    t_mono: float
    t_utc: float
    name: str | None = None
    address: str | None = None
    body_location: str | None = None
    battery_percent: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActivityEvent:
    """Physical activity started (``active``) or ended, as an accelerometer or a marker says.

    ``kind`` names the activity (``walking``, ``stairs`` ...); ``source`` says who knows:
    ``simulated`` (the simulator's script), ``marker`` (the user), ``accelerometer``. Movement
    is not stress: consumers keep activity out of stress episodes.
    """

    t_mono: float
    t_utc: float
    active: bool
    kind: str
    source: str


@dataclass(frozen=True, slots=True)
class AccelerometerSample:
    """One accelerometer frame from a strap (a Polar H10's PMD data, real, simulated or replayed),
    decoded.

    ``samples_mg`` (x, y, z in mG, oldest first) at ``sample_rate_hz`` (the rate the stream was
    started with); ``timestamp_ns`` the strap's own clock at the last sample (ns since
    2000-01-01, sensor time); ``t_mono``/``t_utc`` the host's receive time; ``factor`` the
    stream's scale factor (from the strap's start reply, 1.0 when it sent none); ``payload``
    the frame exactly as received.
    """

    source: str
    t_mono: float
    t_utc: float
    sample_rate_hz: float
    timestamp_ns: int
    samples_mg: tuple[tuple[int, int, int], ...]
    payload: bytes = b""
    factor: float = 1.0


@dataclass(frozen=True, slots=True)
class EcgSample:
    """One ECG frame from a Polar H10 (PMD data, measurement type 0), decoded: ``samples_uv``
    in µV at ``sample_rate_hz`` (130), ``timestamp_ns`` the strap's time of the last sample,
    ``payload`` the frame as received. Stored raw; nothing derives beats from it yet."""

    source: str
    t_mono: float
    t_utc: float
    sample_rate_hz: float
    timestamp_ns: int
    samples_uv: tuple[int, ...]
    payload: bytes = b""


SensorItem: TypeAlias = (
    HeartRateSample
    | MalformedNotification
    | ConnectionEvent
    | DeviceInfo
    | ActivityEvent
    | AccelerometerSample
    | EcgSample
)
"""Everything a source's stream can yield, in receive order."""
