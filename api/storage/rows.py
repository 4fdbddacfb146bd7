"""Typed storage rows: one frozen dataclass per table, the only place that knows its columns.

Each row class names its table and columns once; :func:`insert_sql` builds the statement and
``to_params`` the values in the same order, and ``from_sql`` reads a row back. So a writer
never builds a positional tuple that must match a schema elsewhere.

Units: times ``t_mono`` are the session's monotonic clock in seconds (a source's own clock:
host monotonic for a strap, simulated time for a simulator), ``t_utc`` Unix seconds; RR and NN
in ms; ``rr_raw`` in the strap's 1/1024 s units.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Protocol

FIGURE_COLUMNS: Final[tuple[str, ...]] = (
    "HR",
    "HRV_MeanNN",
    "HRV_SDNN",
    "HRV_RMSSD",
    "HRV_pNN50",
    "HRV_VLF",
    "HRV_LF",
    "HRV_HF",
    "HRV_LFHF",
    "HRV_TP",
    "HF_peak_Hz",
    "coherence_ratio",
    "coherence_peak_Hz",
)
"""The window figures stored as columns of ``metrics`` (neurokit2's names; the data dictionary
in the README gives units and methods). A figure not listed goes to the ``extra`` JSON column."""


def dumps(value: Any) -> str:
    """Compact JSON for the TEXT columns (NaN is not JSON: callers store None instead)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


class Row(Protocol):
    TABLE: ClassVar[str]
    COLUMNS: ClassVar[tuple[str, ...]]
    REPLACE: ClassVar[bool]
    """A row with the key of a stored one replaces it (a window recomputed at the same beat)."""

    def to_params(self) -> tuple[Any, ...]: ...


def insert_sql(row_type: type[Row]) -> str:
    cols = ", ".join(f'"{c}"' for c in row_type.COLUMNS)
    verb = "INSERT OR REPLACE" if row_type.REPLACE else "INSERT"
    return f"{verb} INTO {row_type.TABLE} ({cols}) VALUES ({', '.join('?' * len(row_type.COLUMNS))})"


def _bool(v: int | None) -> bool | None:
    return None if v is None else bool(v)


def _int(v: bool | None) -> int | None:
    return None if v is None else int(v)


@dataclass(frozen=True, slots=True)
class SessionRow:
    TABLE: ClassVar[str] = "sessions"
    REPLACE: ClassVar[bool] = False
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "created_utc", "ended_utc", "status", "status_detail", "source_kind", "source_id", "label",
        "profile_id", "params",
    )  # fmt: skip

    id: str
    created_utc: float
    ended_utc: float | None
    status: str
    status_detail: str | None
    source_kind: str
    source_id: str
    label: str | None
    params: dict[str, Any]
    profile_id: str | None = None

    def to_params(self) -> tuple[Any, ...]:
        return (
            self.id, self.created_utc, self.ended_utc, self.status, self.status_detail, self.source_kind,
            self.source_id, self.label, self.profile_id, dumps(self.params),
        )  # fmt: skip

    @classmethod
    def from_sql(cls, r: sqlite3.Row) -> SessionRow:
        return cls(
            id=r["id"],
            created_utc=r["created_utc"],
            ended_utc=r["ended_utc"],
            status=r["status"],
            status_detail=r["status_detail"],
            source_kind=r["source_kind"],
            source_id=r["source_id"],
            label=r["label"],
            params=json.loads(r["params"]),
            profile_id=r["profile_id"],
        )

    def to_json(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in self.COLUMNS}


@dataclass(frozen=True, slots=True)
class NotificationRow:
    """One notification exactly as received; ``error`` is set (and the parsed fields are not)
    when the payload could not be parsed. ``stream`` is None for a Heart Rate Measurement,
    ``pmd`` for a Polar PMD data frame, whose ``settings`` (``rate_hz``, ``factor``) decode it."""

    TABLE: ClassVar[str] = "notifications"
    REPLACE: ClassVar[bool] = False
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "session_id", "seq", "t_mono", "t_utc", "payload", "hr_bpm", "rr_raw", "contact", "energy_kj", "error",
        "stream", "settings",
    )  # fmt: skip

    session_id: str
    seq: int
    t_mono: float
    t_utc: float
    payload: bytes
    hr_bpm: int | None = None
    rr_raw: tuple[int, ...] | None = None
    contact: bool | None = None
    energy_kj: int | None = None
    error: str | None = None
    stream: str | None = None
    settings: dict[str, Any] | None = None

    def to_params(self) -> tuple[Any, ...]:
        return (
            self.session_id, self.seq, self.t_mono, self.t_utc, self.payload, self.hr_bpm,
            None if self.rr_raw is None else dumps(list(self.rr_raw)), _int(self.contact), self.energy_kj, self.error,
            self.stream, None if self.settings is None else dumps(self.settings),
        )  # fmt: skip

    @classmethod
    def from_sql(cls, r: sqlite3.Row) -> NotificationRow:
        return cls(
            session_id=r["session_id"],
            seq=r["seq"],
            t_mono=r["t_mono"],
            t_utc=r["t_utc"],
            payload=bytes(r["payload"]),
            hr_bpm=r["hr_bpm"],
            rr_raw=tuple(json.loads(r["rr_raw"])) if r["rr_raw"] else None,
            contact=_bool(r["contact"]),
            energy_kj=r["energy_kj"],
            error=r["error"],
            stream=r["stream"],
            settings=json.loads(r["settings"]) if r["settings"] else None,
        )


@dataclass(frozen=True, slots=True)
class BeatRow:
    """One beat, final after the artifact look-ahead (columns: the CSV export's data dictionary)."""

    TABLE: ClassVar[str] = "beats"
    REPLACE: ClassVar[bool] = False
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "session_id", "idx", "t_mono", "t_utc", "rr_ms", "rr_raw", "segment", "contact", "artifact", "nn_ms",
    )  # fmt: skip

    session_id: str
    idx: int
    t_mono: float
    t_utc: float
    rr_ms: float
    rr_raw: int | None
    segment: int
    contact: bool | None
    artifact: str
    nn_ms: tuple[float, ...]

    def to_params(self) -> tuple[Any, ...]:
        return (
            self.session_id, self.idx, self.t_mono, self.t_utc, self.rr_ms, self.rr_raw, self.segment,
            _int(self.contact), self.artifact, dumps(list(self.nn_ms)),
        )  # fmt: skip

    @classmethod
    def from_sql(cls, r: sqlite3.Row) -> BeatRow:
        return cls(
            session_id=r["session_id"],
            idx=r["idx"],
            t_mono=r["t_mono"],
            t_utc=r["t_utc"],
            rr_ms=r["rr_ms"],
            rr_raw=r["rr_raw"],
            segment=r["segment"],
            contact=_bool(r["contact"]),
            artifact=r["artifact"],
            nn_ms=tuple(json.loads(r["nn_ms"])),
        )


@dataclass(frozen=True, slots=True)
class MetricRow:
    """The figures of one window ending at ``t_mono``; a figure is a column (None: no number)."""

    TABLE: ClassVar[str] = "metrics"
    REPLACE: ClassVar[bool] = True
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "session_id", "window_s", "t_mono", "t_utc", "segment", "n_beats", "corrected_share", "reason",
        *FIGURE_COLUMNS, "extra",
    )  # fmt: skip

    session_id: str
    window_s: float
    t_mono: float
    t_utc: float
    segment: int | None
    n_beats: int
    corrected_share: float | None
    values: dict[str, float | None] = field(default_factory=dict)
    reason: str | None = None

    def to_params(self) -> tuple[Any, ...]:
        extra = {k: v for k, v in self.values.items() if k not in FIGURE_COLUMNS}
        return (
            self.session_id, self.window_s, self.t_mono, self.t_utc, self.segment, self.n_beats,
            self.corrected_share, self.reason, *(self.values.get(c) for c in FIGURE_COLUMNS),
            dumps(extra) if extra else None,
        )  # fmt: skip

    @classmethod
    def from_sql(cls, r: sqlite3.Row) -> MetricRow:
        values: dict[str, float | None] = {c: r[c] for c in FIGURE_COLUMNS if r[c] is not None}
        if r["extra"]:
            values.update(json.loads(r["extra"]))
        return cls(
            session_id=r["session_id"],
            window_s=r["window_s"],
            t_mono=r["t_mono"],
            t_utc=r["t_utc"],
            segment=r["segment"],
            n_beats=r["n_beats"],
            corrected_share=r["corrected_share"],
            values=values,
            reason=r["reason"],
        )


@dataclass(frozen=True, slots=True)
class EventRow:
    """A typed event of a session: ``marker``, ``breathing``, ``connection``, ``device``,
    ``segment`` (and, with the window of tolerance, ``zone``, ``nudge``, ``activity``, ``note``)."""

    TABLE: ClassVar[str] = "events"
    REPLACE: ClassVar[bool] = False
    COLUMNS: ClassVar[tuple[str, ...]] = ("session_id", "seq", "t_mono", "t_utc", "type", "data")

    session_id: str
    seq: int
    t_mono: float
    t_utc: float
    type: str
    data: dict[str, Any]

    def to_params(self) -> tuple[Any, ...]:
        return (self.session_id, self.seq, self.t_mono, self.t_utc, self.type, dumps(self.data))

    @classmethod
    def from_sql(cls, r: sqlite3.Row) -> EventRow:
        return cls(r["session_id"], r["seq"], r["t_mono"], r["t_utc"], r["type"], json.loads(r["data"]))


@dataclass(frozen=True, slots=True)
class EpisodeRow:
    """A recovery episode (times: seconds since the session started; ``peak`` and ``area`` in
    arousal-index units). Rewritten as it updates; ``closed`` once it is over, with its fits."""

    TABLE: ClassVar[str] = "episodes"
    REPLACE: ClassVar[bool] = True
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "session_id", "id", "start_utc", "end_utc", "start_s", "peak_s", "peak", "return_s", "recovery_s", "tau_s",
        "r2", "area", "breathing", "activity", "reactivation_of", "closed", "data",
    )  # fmt: skip

    session_id: str
    id: int
    start_utc: float
    end_utc: float | None
    start_s: float
    peak_s: float | None
    peak: float | None
    return_s: float | None
    recovery_s: float | None
    tau_s: float | None
    r2: float | None
    area: float | None
    breathing: bool | None
    activity: bool | None
    reactivation_of: int | None
    closed: bool
    data: dict[str, Any]

    def to_params(self) -> tuple[Any, ...]:
        return (
            self.session_id, self.id, self.start_utc, self.end_utc, self.start_s, self.peak_s, self.peak,
            self.return_s, self.recovery_s, self.tau_s, self.r2, self.area, _int(self.breathing), _int(self.activity),
            self.reactivation_of, int(self.closed), dumps(self.data),
        )  # fmt: skip

    @classmethod
    def from_sql(cls, r: sqlite3.Row) -> EpisodeRow:
        return cls(
            session_id=r["session_id"], id=r["id"], start_utc=r["start_utc"], end_utc=r["end_utc"],
            start_s=r["start_s"], peak_s=r["peak_s"], peak=r["peak"], return_s=r["return_s"],
            recovery_s=r["recovery_s"], tau_s=r["tau_s"], r2=r["r2"], area=r["area"], breathing=_bool(r["breathing"]),
            activity=_bool(r["activity"]), reactivation_of=r["reactivation_of"], closed=bool(r["closed"]),
            data=json.loads(r["data"]),
        )  # fmt: skip
