"""BLE heart-rate straps through bleak: find, connect, subscribe, reconnect (``scan``: :mod:`.scan`).

Importing this module does not import bleak: bleak and bleak-retry-connector are imported
inside the functions that talk to the stack, so ``import tolerance.sensors`` stays light and
tests can pass fakes (``client_factory``, ``scanner``) without the real stack.

Flow of :meth:`BleStrap.stream`::

    CONNECTING -> scan for the Heart Rate Service (0x180D) by name/address -> connect
    (bleak-retry-connector's ``establish_connection``: a few quick retries for the transient
    BlueZ errors it knows) -> read Body Sensor Location (0x2A38) and Battery Level (0x2A19)
    -> start_notify Heart Rate Measurement (0x2A37) -> on a Polar H10, start its PMD streams
    (:mod:`.pmd`: the accelerometer by default, ECG when asked) -> CONNECTED, DeviceInfo
    -> samples ... (battery re-read every ``battery_interval_s``: DeviceInfo)
    -> link lost (disconnected callback, or silence longer than ``watchdog_s``): LOST
    -> RECONNECTING attempt 1, 2, ... (exponential back-off, full jitter; re-scan each time)
    -> RECONNECTED, DeviceInfo -> samples ...
    -> GAVE_UP and ConnectionFailed only after ``give_up_after_s`` (default: never)

At start-up the strap must be found (else :class:`StrapNotFound`) and connect (else
:class:`ConnectionFailed`): a user starting a session wants to know now. Once running, a
drop is the normal day (BlueZ drops some straps every ~150 s) and is retried.

The notification and disconnect callbacks only enqueue (receive times taken there) into a
bounded queue; the generator, in the consumer's task, decodes and yields. No task is created
here, so nothing outlives the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NamedTuple

from ..errors import AdapterUnavailable, ConnectionFailed, MalformedPayload, SensorError, StrapNotFound
from ..heart_rate import decode_battery_level, decode_body_sensor_location, decode_hrm
from ..polar import PMD_CONTROL_POINT_UUID, PMD_DATA_UUID
from ..samples import (
    AccelerometerSample,
    ConnectionEvent,
    ConnectionState,
    DeviceInfo,
    EcgSample,
    HeartRateSample,
    MalformedNotification,
    SensorItem,
)
from .pmd import PmdOptions, PmdStream, decode_pmd_notification, start_pmd
from .reconnect import Backoff, FailureKind, LinkStats
from .scan import (
    BATTERY_LEVEL,
    BODY_SENSOR_LOCATION,
    HEART_RATE_MEASUREMENT,
    Scanner,
    adapter_unavailable,
    run_scan,
)

_log = logging.getLogger(__name__)

__all__ = ["BleStrap"]


class _Notification(NamedTuple):
    t_mono: float
    t_utc: float
    payload: bytes
    pmd: bool = False


class _Lost(NamedTuple):
    generation: int
    reason: str


class BleStrap:
    """A BLE heart-rate strap as a :class:`~tolerance.sensors.source.Sensor`.

    Parameters
    ----------
    address_or_name
        The strap's address (MAC on Linux/Windows, UUID on macOS) or advertised name,
        matched exactly (case-insensitive). ``tolerance scan`` lists both.
    client_factory
        A ``bleak.BleakClient``-like class, given to bleak-retry-connector's
        ``establish_connection`` (default ``BleakClientWithServiceCache``).
    scanner
        A ``bleak.BleakScanner``-like class (see :data:`Scanner`); default ``BleakScanner``.
    backoff
        Delays between reconnect attempts (default: 1 s doubling to 30 s, full jitter).
    battery_interval_s
        Re-read Battery Level this often (None: only at connect).
    clock, wall_clock, sleep
        Monotonic and UTC time sources and the back-off sleep; injectable for tests.
    give_up_after_s
        Stop reconnecting after this long without a link (None: never, for all-day use).
    watchdog_s
        A link without any notification for this long is treated as lost.
    pmd
        Which Polar PMD streams to start on a strap that has them (default: the accelerometer
        at 25 Hz; :class:`~.pmd.PmdOptions`), after every connect.

    One instance streams once at a time; several instances are independent.
    """

    def __init__(
        self,
        address_or_name: str,
        *,
        client_factory: type[Any] | None = None,
        scanner: Scanner | None = None,
        backoff: Backoff | None = None,
        battery_interval_s: float | None = 300.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        source_id: str | None = None,
        give_up_after_s: float | None = None,
        watchdog_s: float = 10.0,
        scan_timeout_s: float = 15.0,
        rescan_timeout_s: float = 10.0,
        connect_timeout_s: float = 90.0,
        connect_attempts: int = 3,
        gatt_timeout_s: float = 10.0,
        queue_size: int = 256,
        pmd: PmdOptions | None = None,
    ) -> None:
        self._wanted = address_or_name
        self._client_factory = client_factory
        self._scanner = scanner
        self._backoff = backoff if backoff is not None else Backoff()
        self._battery_interval_s = battery_interval_s
        self._clock, self._wall_clock, self._sleep = clock, wall_clock, sleep
        self._source_id = source_id or f"ble:{address_or_name}"
        self._give_up_after_s = give_up_after_s
        self._watchdog_s = watchdog_s
        self._scan_timeout_s, self._rescan_timeout_s = scan_timeout_s, rescan_timeout_s
        self._connect_timeout_s, self._connect_attempts = connect_timeout_s, connect_attempts
        self._gatt_timeout_s = gatt_timeout_s
        self._queue_size = queue_size
        self._queue: asyncio.Queue[_Notification | _Lost] = asyncio.Queue(maxsize=queue_size)
        self.stats = LinkStats()
        self._client: Any = None
        self._generation = 0  # bumps per connection, so a late callback of an old link is ignored
        self._streaming = False
        self._name: str | None = None
        self._address: str | None = None
        self._location: str | None = None
        self._battery: int | None = None
        self._last_rx = 0.0  # loop time of the last notification taken off the queue
        self._battery_at = math.inf  # loop time of the next battery read
        self._pmd_options = pmd if pmd is not None else PmdOptions()
        self._pmd: dict[int, PmdStream] = {}
        self._pmd_notes: list[str] = []

    @property
    def source_id(self) -> str:
        return self._source_id

    # --- callbacks of the stack: enqueue only -------------------------------------------

    def _put(self, item: _Notification | _Lost) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            # The consumer fell behind: drop the oldest so the stack's callback never blocks
            # and live feedback stays current. (A dropped _Lost is caught by the watchdog.)
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
                self.stats.dropped += 1
            self._queue.put_nowait(item)

    def _on_notification(self, _sender: Any, data: bytearray) -> None:
        self._put(_Notification(self._clock(), self._wall_clock(), bytes(data)))

    def _on_pmd(self, _sender: Any, data: bytearray) -> None:
        self._put(_Notification(self._clock(), self._wall_clock(), bytes(data), pmd=True))

    # --- the stream ------------------------------------------------------------------------

    async def stream(self) -> AsyncIterator[SensorItem]:
        """Connect and yield samples, malformed notifications, connection events, device info."""
        if self._streaming:
            raise RuntimeError(f"{self._source_id}: stream() is already running")
        self._streaming = True
        loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue(maxsize=self._queue_size)  # nothing stale from an earlier run
        try:
            yield self._event(ConnectionState.CONNECTING, self._wanted)
            device = await self._find(self._scan_timeout_s)
            try:
                await self._connect(device)
            except TimeoutError as exc:
                raise ConnectionFailed(self._wanted, self._connect_attempts, "timed out") from exc
            yield self._event(ConnectionState.CONNECTED, self._address or "")
            yield self._info()
            while True:
                item = await self._next(loop)
                if item is None:  # battery due
                    await self._read_battery()
                    yield self._info()
                elif isinstance(item, _Notification):
                    yield self._decode(item)
                elif item.generation == self._generation:
                    yield self._event(ConnectionState.LOST, item.reason)
                    await self._drop_client()
                    async for event in self._reconnect():
                        yield event
        finally:
            self._streaming = False
            await self._drop_client()

    async def _next(self, loop: asyncio.AbstractEventLoop) -> _Notification | _Lost | None:
        """The next queued item; a _Lost when the watchdog expires; None when battery is due."""
        watchdog_at = self._last_rx + self._watchdog_s
        try:
            async with asyncio.timeout_at(min(watchdog_at, self._battery_at)):
                item = await self._queue.get()
        except TimeoutError:
            if loop.time() >= watchdog_at:
                self.stats.watchdog_timeouts += 1
                return _Lost(self._generation, f"no notification for {self._watchdog_s:g} s")
            self._battery_at = loop.time() + (self._battery_interval_s or math.inf)
            return None
        if isinstance(item, _Notification):
            self._last_rx = loop.time()
        elif item.generation == self._generation:
            if getattr(self._client, "is_connected", False):
                # A late callback from a failed attempt inside establish_connection, while
                # the link that attempt ended up making is up: not a loss.
                return _Lost(-1, item.reason)
            self.stats.disconnects += 1
        return item

    def _decode(self, n: _Notification) -> HeartRateSample | MalformedNotification | AccelerometerSample | EcgSample:
        self.stats.notifications += 1
        if n.pmd:
            item = decode_pmd_notification(n.payload, self._pmd, self._source_id, n.t_mono, n.t_utc)
            self.stats.malformed += isinstance(item, MalformedNotification)
            return item
        try:
            m = decode_hrm(n.payload)
        except MalformedPayload as exc:
            self.stats.malformed += 1
            _log.warning("%s: %s", self._source_id, exc)
            return MalformedNotification(self._source_id, n.t_mono, n.t_utc, n.payload, exc.reason)
        self.stats.samples += 1
        return HeartRateSample.from_measurement(
            m, source=self._source_id, t_mono=n.t_mono, t_utc=n.t_utc, payload=n.payload
        )

    async def _reconnect(self) -> AsyncIterator[ConnectionEvent | DeviceInfo]:
        """Retry until connected (RECONNECTED) or ``give_up_after_s`` passes (raises)."""
        started = self._clock()
        remaining = math.inf
        last_error = "link lost"
        attempt = 0
        while True:
            attempt += 1
            delay = self._backoff.delay(attempt)
            if self._give_up_after_s is not None:
                # The last attempt is made right at the deadline rather than skipped.
                remaining = self._give_up_after_s - (self._clock() - started)
                delay = min(delay, max(remaining, 0.0))
            if self._give_up_after_s is not None and remaining <= 0:
                yield self._event(ConnectionState.GAVE_UP, last_error, attempt - 1)
                failed = ConnectionFailed(self._address or self._wanted, attempt - 1, last_error)
                failed.advice = (
                    f"The strap stayed unreachable for {self._give_up_after_s:g} s. Check that it is worn "
                    "(moist electrodes), within a few metres, not connected to a phone or watch, and that "
                    "its battery is not flat; then start the session again."
                )
                raise failed
            self.stats.backoff_delays.append(delay)
            yield self._event(ConnectionState.RECONNECTING, f"next attempt in {delay:.2f} s", attempt)
            await self._sleep(delay)
            try:
                device = await self._find(self._rescan_timeout_s)
                await self._connect(device)
            except (StrapNotFound, ConnectionFailed, AdapterUnavailable, TimeoutError) as exc:
                kind = {
                    StrapNotFound: FailureKind.NOT_FOUND,
                    ConnectionFailed: FailureKind.CONNECT,
                    AdapterUnavailable: FailureKind.ADAPTER,
                }.get(type(exc), FailureKind.TIMEOUT)
                self.stats.failures[kind] += 1
                last_error = str(exc) or type(exc).__name__
                _log.info("%s: reconnect attempt %d failed (%s): %s", self._source_id, attempt, kind, last_error)
                continue
            self.stats.reconnects += 1
            yield self._event(ConnectionState.RECONNECTED, self._address or "", attempt)
            yield self._info()
            return

    # --- steps -----------------------------------------------------------------------------

    def _matches(self, device: Any, adv: Any) -> bool:
        wanted = self._wanted.casefold()
        names = (device.address, device.name, getattr(adv, "local_name", None))
        return any(n is not None and n.casefold() == wanted for n in names)

    async def _find(self, timeout_s: float) -> Any:
        scanner = self._scanner
        if scanner is None:
            from bleak import BleakScanner

            scanner = BleakScanner
        seen = await run_scan(scanner, timeout_s, stop_when=self._matches)
        for device, adv in seen.values():
            if self._matches(device, adv):
                self._name = getattr(adv, "local_name", None) or device.name
                self._address = device.address
                return device
        raise StrapNotFound(self._wanted, timeout_s)

    async def _connect(self, device: Any) -> None:
        """Connect, read device info, subscribe; raises ConnectionFailed/AdapterUnavailable/TimeoutError."""
        from bleak_retry_connector import BleakClientWithServiceCache, establish_connection

        self._generation += 1
        generation = self._generation

        def on_disconnected(_client: Any) -> None:
            # A callback of the stack: only enqueue.
            self._put(_Lost(generation, "the strap or the Bluetooth stack closed the link"))

        try:
            async with asyncio.timeout(self._connect_timeout_s):
                client = await establish_connection(
                    self._client_factory or BleakClientWithServiceCache,
                    device,
                    self._name or self._wanted,
                    disconnected_callback=on_disconnected,
                    max_attempts=self._connect_attempts,
                )
        except (TimeoutError, SensorError):
            raise
        except Exception as exc:  # bleak's errors are untyped strings; classify, keep the cause
            if (unavailable := adapter_unavailable(exc)) is not None:
                raise unavailable from exc
            raise ConnectionFailed(device.address, self._connect_attempts, str(exc) or type(exc).__name__) from exc
        self._client = client
        try:
            self._location = await self._read_optional(BODY_SENSOR_LOCATION, decode_body_sensor_location)
            self._battery = await self._read_optional(BATTERY_LEVEL, decode_battery_level)
            async with asyncio.timeout(self._gatt_timeout_s):
                await client.start_notify(HEART_RATE_MEASUREMENT, self._on_notification)
        except Exception as exc:
            await self._drop_client()
            raise ConnectionFailed(device.address, 1, f"subscribing to heart rate failed: {exc!r}") from exc
        # Every connect (the strap stops its PMD streams when the link drops); failures only
        # leave the streams out, with the reason in the device's description.
        self._pmd, self._pmd_notes = await start_pmd(client, self._pmd_options, self._on_pmd, self._gatt_timeout_s)
        loop = asyncio.get_running_loop()
        self._last_rx = loop.time()
        if self._battery_interval_s:
            self._battery_at = loop.time() + self._battery_interval_s

    async def _read_optional(self, uuid: str, decode: Callable[[bytes], Any]) -> Any:
        """Read and decode a characteristic; None when the strap lacks it or sends nonsense."""
        from bleak.exc import BleakError

        try:
            async with asyncio.timeout(self._gatt_timeout_s):
                raw = await self._client.read_gatt_char(uuid)
            return decode(bytes(raw))
        except (BleakError, MalformedPayload, TimeoutError) as exc:
            _log.info("%s: cannot read %s: %s", self._source_id, uuid[4:8], exc)
            return None

    async def _read_battery(self) -> None:
        if self._client is not None:
            level = await self._read_optional(BATTERY_LEVEL, decode_battery_level)
            self.stats.battery_reads += 1
            if level is not None:
                self._battery = level

    async def _drop_client(self) -> None:
        """Unsubscribe and disconnect, each within a time limit; never raises."""
        client, self._client = self._client, None
        if client is None:
            return
        steps = [client.disconnect]
        if getattr(client, "is_connected", False):  # unsubscribing a dead link only waits
            steps.insert(0, lambda: client.stop_notify(HEART_RATE_MEASUREMENT))
            if self._pmd:
                steps[:0] = [
                    lambda: client.stop_notify(PMD_DATA_UUID),
                    lambda: client.stop_notify(PMD_CONTROL_POINT_UUID),
                ]
        self._pmd = {}
        for step in steps:
            try:
                async with asyncio.timeout(self._gatt_timeout_s):
                    await step()
            except Exception as exc:  # the link may already be gone: nothing left to release
                _log.debug("%s: while closing: %r", self._source_id, exc)

    def _event(self, state: ConnectionState, detail: str = "", attempt: int = 0) -> ConnectionEvent:
        return ConnectionEvent(self._source_id, self._clock(), self._wall_clock(), state, detail, attempt)

    def _info(self) -> DeviceInfo:
        return DeviceInfo(
            self._source_id,
            self._clock(),
            self._wall_clock(),
            name=self._name,
            address=self._address,
            body_location=self._location,
            battery_percent=self._battery,
            extra={"pmd": "; ".join(self._pmd_notes)} if self._pmd_notes else {},
        )
