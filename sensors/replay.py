"""Record notifications to a log, and replay a log through the live pipeline.

Notification log format (JSON Lines, UTF-8, one object per line, in receive order)::

    {"format": "tolerance-notifications", "version": 2, "source": "ble:C8:2E:..."}   optional header
    {"t": 0.0,   "t_utc": 1732521600.0, "source": "ble:C8:2E:...", "hex": "10495e039603"}
    {"t": 0.02,  "t_utc": 1732521600.02, "source": "ble:C8:2E:...", "pmd": "02da...01...", "rate_hz": 25}
    {"t": 61.02, "t_utc": 1732521661.02, "source": "ble:C8:2E:...", "event": "lost", "detail": "..."}

- ``t``: seconds since the start of the recording (host monotonic clock), non-decreasing.
- ``t_utc``: host receive time, Unix epoch seconds (required on notification lines; on event
  lines it may be left out and is then derived from ``t``).
- ``hex``: the Heart Rate Measurement (0x2A37) payload exactly as received; it is decoded
  on replay by :func:`~tolerance.sensors.heart_rate.decode_hrm`, the live parser, so a
  replay also replays the parser's behaviour (a malformed payload gives a
  :class:`MalformedNotification`, as live).
- ``pmd`` (version 2): a Polar PMD data frame exactly as received, with the rate its stream was
  started at (``rate_hz``) and, when not 1, the scale factor of the strap's start reply
  (``factor``); decoded on replay by :func:`~tolerance.sensors.polar.pmd_item` (the live
  strap's decoder) into an :class:`AccelerometerSample` or :class:`EcgSample` by its
  measurement type (a frame it refuses gives a :class:`MalformedNotification`, ``stream="pmd"``).
  Version 1 logs (heart rate only) are read as before; a version 1 reader refuses a version 2
  log by its header, saying so.
- ``event``: a :class:`ConnectionState` value ("lost", "reconnecting", ...), with optional
  ``detail`` and ``attempt``.
- ``source`` is informative: replayed items carry the replay's own ``source_id``.
Blank lines are ignored; anything else that does not fit raises :class:`ReplayFileError`
naming the file and line, except a last line cut short (the recording stopped mid-write, no
line end after it): that one is reported (a warning, and in ``problems``) and the lines before
it are replayed. :class:`DeviceInfo` items are not recorded.

A recorded clock that jumps (``t`` forward by more than :data:`MAX_PLAYBACK_GAP_S`, or
``t_utc`` moving against ``t`` by more than :data:`MAX_UTC_STEP_S`: two recordings pasted
together, a host clock set to 1938) is replayed as a gap: a ``lost`` then ``reconnected``
event, so no HRV window spans it, and playback does not wait out the jump.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from .errors import MalformedPayload, ReplayFileError
from .heart_rate import decode_hrm, encode_hrm
from .polar.items import pmd_item
from .samples import (
    PMD_STREAM,
    AccelerometerSample,
    ConnectionEvent,
    ConnectionState,
    EcgSample,
    HeartRateMeasurement,
    HeartRateSample,
    MalformedNotification,
    SensorItem,
)

_log = logging.getLogger(__name__)

LOG_FORMAT: Final = "tolerance-notifications"
LOG_VERSION: Final = 2
"""Written by this version; 1 (heart-rate notifications and events only) is read too."""
READ_VERSIONS: Final = (1, 2)
_YIELD_EVERY: Final = 200  # at speed=inf, give the loop a turn this often
MAX_PLAYBACK_GAP_S: Final = 3600.0
"""A forward step of the recorded ``t`` longer than this (s) is a clock jump, not a pause."""
MAX_UTC_STEP_S: Final = 60.0
"""``t_utc - t`` changing by more than this (s) between two lines is a jump of the host clock."""


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One line of a notification log: a payload (``payload`` set) or an event (``event`` set)."""

    line: int
    t: float
    t_utc: float
    source: str
    payload: bytes | None = None
    event: ConnectionState | None = None
    detail: str = ""
    attempt: int = 0
    stream: str = "hrm"
    """``hrm`` (Heart Rate Measurement) or ``pmd`` (a Polar PMD data frame)."""
    rate_hz: float | None = None
    factor: float = 1.0


class NotificationLogWriter:
    """Append items of a source's stream to a notification log (see the module docstring).

    Use as a context manager, or call :meth:`close`. Times are written relative to the first
    item written. Samples without their raw payload (a simulator's) are re-encoded with
    :func:`encode_hrm`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # 0600: a notification log is health data, for the worker's account alone.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        self._file: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._t0: float | None = None
        self.lines = 0

    def __enter__(self) -> NotificationLogWriter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def write(self, item: SensorItem) -> None:
        """Write one item; DeviceInfo and ActivityEvent items are skipped (re-read on every
        connect; derived)."""
        if not isinstance(
            item, HeartRateSample | MalformedNotification | ConnectionEvent | AccelerometerSample | EcgSample
        ):
            return
        if self._t0 is None:
            self._t0 = item.t_mono
            self._file.write(log_header(item.source))
        t = round(item.t_mono - self._t0, 6)
        if isinstance(item, ConnectionEvent):
            record = LogRecord(
                0, t, item.t_utc, item.source, event=item.state, detail=item.detail, attempt=item.attempt
            )
        elif isinstance(item, AccelerometerSample | EcgSample):
            factor = item.factor if isinstance(item, AccelerometerSample) else 1.0
            record = LogRecord(
                0, t, item.t_utc, item.source, payload=item.payload, stream=PMD_STREAM,
                rate_hz=item.sample_rate_hz, factor=factor,
            )  # fmt: skip
        elif isinstance(item, MalformedNotification) and item.stream == PMD_STREAM:
            record = LogRecord(
                0, t, item.t_utc, item.source, payload=item.payload, stream=PMD_STREAM, rate_hz=item.sample_rate_hz
            )
        else:
            payload = item.payload
            if not payload and isinstance(item, HeartRateSample):
                payload = encode_hrm(HeartRateMeasurement(item.hr_bpm, item.rr_raw, item.contact, item.energy_kj))
            record = LogRecord(0, t, item.t_utc, item.source, payload=payload)
        self._file.write(log_line(record))
        self.lines += 1


def log_header(source: str, **extra: str) -> str:
    """The optional first line of a log (with a newline); ``extra`` keys are informative."""
    return json.dumps({"format": LOG_FORMAT, "version": LOG_VERSION, "source": source, **extra}) + "\n"


def log_line(record: LogRecord) -> str:
    """One record as a log line (with a newline): the only writer of the format."""
    obj: dict[str, Any] = {"t": record.t, "t_utc": record.t_utc, "source": record.source}
    if record.event is not None:
        obj["event"] = record.event.value
        if record.detail:
            obj["detail"] = record.detail
        if record.attempt:
            obj["attempt"] = record.attempt
    elif record.payload is not None and record.stream == PMD_STREAM:
        obj["pmd"] = record.payload.hex()
        if record.rate_hz is None:
            raise ValueError("a PMD frame is written with the rate its stream was started at")
        obj["rate_hz"] = record.rate_hz
        if record.factor != 1.0:
            obj["factor"] = record.factor
    elif record.payload is not None:
        obj["hex"] = record.payload.hex()
    else:
        raise ValueError("a log record holds a payload or an event")
    return json.dumps(obj) + "\n"


def write_log(items: Iterable[SensorItem], path: str | Path) -> int:
    """Write ``items`` to a new notification log at ``path``; returns the lines written."""
    with NotificationLogWriter(path) as writer:
        for item in items:
            writer.write(item)
        return writer.lines


def _number(obj: dict[str, Any], key: str, fail: Callable[[str], ReplayFileError]) -> float:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise fail(f"{key!r} must be a finite number, got {value!r}")
    return float(value)


def read_log(path: str | Path, problems: list[str] | None = None) -> list[LogRecord]:
    """Parse and check a whole notification log; raises ReplayFileError (path, line).

    A cut last line is not an error: it is logged, added to ``problems`` if given, and left out."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReplayFileError(str(path), 0, f"cannot read the file: {exc}") from exc
    records: list[LogRecord] = []
    utc_offset: float | None = None  # t_utc - t, from the first line that has both
    last_t = 0.0
    lines = text.splitlines()
    last_number = max((n for n, raw in enumerate(lines, start=1) if raw.strip()), default=0)
    unfinished = bool(text) and not text.endswith(("\n", "\r"))
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue

        def fail(reason: str, _n: int = number) -> ReplayFileError:
            return ReplayFileError(str(path), _n, reason)

        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            if number == last_number and unfinished and number > 1:
                problem = f"{path}, line {number}: the last line is cut short (the recording stopped mid-write)"
                _log.warning("%s", problem)
                if problems is not None:
                    problems.append(problem)
                break
            raise fail(f"not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise fail("each line must be a JSON object")
        if "format" in obj:
            if obj["format"] != LOG_FORMAT or obj.get("version") not in READ_VERSIONS:
                raise fail(f"unknown log format {obj.get('format')!r} version {obj.get('version')!r}")
            continue
        t = _number(obj, "t", fail)
        if t < last_t:
            raise fail(f"time goes backwards ({t} after {last_t})")
        last_t = t
        source = str(obj.get("source", ""))
        if "hex" in obj:
            if not isinstance(obj["hex"], str):
                raise fail("'hex' must be a string")
            try:
                payload = bytes.fromhex(obj["hex"])
            except ValueError:
                raise fail(f"'hex' is not hexadecimal: {obj['hex']!r}") from None
            t_utc = _number(obj, "t_utc", fail)
            utc_offset = t_utc - t if utc_offset is None else utc_offset
            records.append(LogRecord(number, t, t_utc, source, payload=payload))
        elif "pmd" in obj:
            if not isinstance(obj["pmd"], str):
                raise fail("'pmd' must be a string")
            try:
                payload = bytes.fromhex(obj["pmd"])
            except ValueError:
                raise fail(f"'pmd' is not hexadecimal: {obj['pmd']!r}") from None
            t_utc = _number(obj, "t_utc", fail)
            rate = _number(obj, "rate_hz", fail)
            factor = _number(obj, "factor", fail) if "factor" in obj else 1.0
            if rate <= 0 or factor <= 0:
                raise fail(f"'rate_hz' and 'factor' must be positive, got {rate}, {factor}")
            utc_offset = t_utc - t if utc_offset is None else utc_offset
            records.append(
                LogRecord(number, t, t_utc, source, payload=payload, stream=PMD_STREAM, rate_hz=rate, factor=factor)
            )
        elif "event" in obj:
            try:
                state = ConnectionState(obj["event"])
            except ValueError:
                raise fail(f"unknown event {obj['event']!r}") from None
            t_utc = _number(obj, "t_utc", fail) if "t_utc" in obj else math.nan
            attempt = obj.get("attempt", 0)
            if not isinstance(attempt, int) or isinstance(attempt, bool):
                raise fail(f"'attempt' must be an integer, got {attempt!r}")
            records.append(
                LogRecord(number, t, t_utc, source, event=state, detail=str(obj.get("detail", "")), attempt=attempt)
            )
        else:
            raise fail("a line needs 'hex' (a notification), 'pmd' (a PMD frame) or 'event'")
    # Events written without t_utc get it from the notifications' clock offset.
    offset = utc_offset or 0.0
    return [r if not math.isnan(r.t_utc) else _with_utc(r, r.t + offset) for r in records]


def _clock_jump(previous: LogRecord | None, r: LogRecord) -> str | None:
    """Why the step from ``previous`` to ``r`` is a clock jump (for the gap's detail), or None."""
    if previous is None:
        return None
    step = r.t - previous.t
    if step > MAX_PLAYBACK_GAP_S:
        return f"the recorded clock jumps {step / 86400:.1f} days ahead at line {r.line}: a gap"
    drift = (r.t_utc - r.t) - (previous.t_utc - previous.t)
    if abs(drift) > MAX_UTC_STEP_S:
        when = time.strftime("%Y-%m-%d", time.gmtime(r.t_utc)) if -6e10 < r.t_utc < 2.5e11 else "out of range"
        return f"the recorded wall clock jumps {drift / 86400:+.1f} days (to {when}) at line {r.line}: a gap"
    return None


def _with_utc(r: LogRecord, t_utc: float) -> LogRecord:
    return dataclasses.replace(r, t_utc=t_utc)


class ReplaySource:
    """A recorded notification log as a :class:`~tolerance.sensors.source.Sensor`.

    Items keep the recorded times: ``t_mono`` is the log's ``t`` and ``t_utc`` its
    ``t_utc``, so a replayed session is stored exactly as the live one was. Playback waits
    between notifications for the recorded gaps divided by ``speed`` (``math.inf``: no
    waiting). ``sleep`` and ``clock`` are injectable for tests.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        speed: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        source_id: str | None = None,
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be positive (math.inf for no waiting), got {speed}")
        self.path = Path(path)
        self._speed = speed
        self._sleep = sleep
        self._clock = clock
        self._source_id = source_id or f"replay:{self.path.name}"
        self.malformed = 0
        self.clock_jumps = 0
        """Clock jumps replayed as gaps."""

    @property
    def source_id(self) -> str:
        return self._source_id

    async def stream(self) -> AsyncIterator[SensorItem]:
        """Yield every recorded notification (decoded) and event, with the recorded timing;
        a clock jump is yielded as a gap (``lost``, then ``reconnected``) and not waited out."""
        # Off the event loop: a long log takes seconds to parse. A bad file fails before
        # anything is yielded.
        records = await asyncio.to_thread(read_log, self.path)
        start = self._clock()
        t0 = records[0].t if records else 0.0
        skipped = 0.0  # recorded seconds of clock jumps, not waited for
        previous: LogRecord | None = None
        for i, r in enumerate(records):
            jump = _clock_jump(previous, r)
            if jump is not None:
                assert previous is not None
                self.clock_jumps += 1
                if r.t - previous.t > MAX_PLAYBACK_GAP_S:
                    skipped += r.t - previous.t
                yield ConnectionEvent(self._source_id, r.t, r.t_utc, ConnectionState.LOST, jump)
                yield ConnectionEvent(self._source_id, r.t, r.t_utc, ConnectionState.RECONNECTED, "replay resumes")
            previous = r
            if math.isfinite(self._speed):
                # Against an absolute schedule, so sleep overshoot does not accumulate.
                delay = start + (r.t - t0 - skipped) / self._speed - self._clock()
                if delay > 0:
                    await self._sleep(delay)
            elif i % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
            yield self._item(r)

    def _item(self, r: LogRecord) -> SensorItem:
        if r.event is not None:
            return ConnectionEvent(self._source_id, r.t, r.t_utc, r.event, r.detail, r.attempt)
        assert r.payload is not None
        if r.stream == PMD_STREAM:
            assert r.rate_hz is not None
            item = pmd_item(
                r.payload, source=self._source_id, t_mono=r.t, t_utc=r.t_utc, rate_hz=r.rate_hz, factor=r.factor
            )
            self.malformed += isinstance(item, MalformedNotification)
            return item
        try:
            m = decode_hrm(r.payload)
        except MalformedPayload as exc:
            self.malformed += 1
            return MalformedNotification(self._source_id, r.t, r.t_utc, r.payload, exc.reason)
        return HeartRateSample.from_measurement(m, source=self._source_id, t_mono=r.t, t_utc=r.t_utc, payload=r.payload)
