"""A fake Bluetooth stack at the hardware edge: stand-ins for ``bleak.BleakClient`` and
``bleak.BleakScanner`` with the same method names and callback signatures, fed with real
payloads from ``tests/data/ble/heart_rate_measurement.json``.

The fake client is handed to :class:`BleStrap` as ``client_factory`` and goes through the
real ``bleak_retry_connector.establish_connection`` (it accepts that function's extra
keyword arguments); its ``BLEDevice`` has no BlueZ path, so the connector touches no D-Bus.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from bleak.backends.device import BLEDevice
from bleak.exc import BleakCharacteristicNotFoundError, BleakError
from tolerance.sensors.ble import (
    BATTERY_LEVEL,
    BODY_SENSOR_LOCATION,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
)
from tolerance.sensors.polar import PMD_CONTROL_POINT_UUID, PMD_DATA_UUID

DATA = Path(__file__).parents[1] / "data" / "ble" / "heart_rate_measurement.json"
T = TypeVar("T")


def real_payloads(*, captured_only: bool = True) -> list[dict[str, Any]]:
    entries = json.loads(DATA.read_text())["payloads"]
    return [e for e in entries if e["captured"] or not captured_only]


def run(coro: Awaitable[T], timeout_s: float = 20.0) -> T:
    """Run a coroutine to completion in a fresh loop, failing if it takes longer than ``timeout_s``."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout_s)

    return asyncio.run(bounded())


async def take(stream: AsyncIterator[Any], until: Callable[[list[Any]], bool]) -> list[Any]:
    """Collect items from ``stream`` until ``until(items)``, then close the stream."""
    items: list[Any] = []
    try:
        async for item in stream:
            items.append(item)
            if until(items):
                break
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return items


class FakeClock:
    """Monotonic and wall time that move only when the injected ``sleep`` is awaited."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def utc(self) -> float:
        return 1_700_000_000.0 + self.t

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.t += delay
        await asyncio.sleep(0)


class FakePmd:
    """A Polar H10's PMD service: answers start commands on the control point with the
    documented reply bytes (``F0 02 type status 00`` plus ``params``), then sends ``frames``
    (real PMD data payloads) on the data characteristic, one every ``interval_s``, from the
    first frame again after each reconnect (the strap stops streaming when the link drops).
    ``status`` per measurement type (0: success) sets a refusal; ``silent`` never answers."""

    def __init__(self, frames: Iterable[bytes], *, params: bytes = b"", interval_s: float = 0.002) -> None:
        self.frames = list(frames)
        self.params, self.interval_s = params, interval_s
        self.status: dict[int, int] = {}
        self.silent = False
        self.commands: list[bytes] = []
        self.sent: list[bytes] = []


class FakePeripheral:
    """One strap: what it advertises, what it answers, and the notifications it sends.

    ``script`` is sent in order, one payload every ``interval_s`` (real time), continuing
    across reconnects; when it runs out the strap goes silent (stays connected, sends
    nothing) unless ``repeat``. ``drop_after`` holds counts of sent notifications after
    which the link drops; ``refuse_connects`` makes that many next connects fail.
    """

    def __init__(
        self,
        address: str,
        name: str,
        script: Iterable[bytes],
        *,
        interval_s: float = 0.002,
        repeat: bool = False,
        battery: bytes | None = b"\x57",
        location: bytes | None = b"\x01",
        rssi: int = -60,
        pmd: FakePmd | None = None,
    ) -> None:
        self.pmd = pmd
        self.address, self.name, self.rssi = address, name, rssi
        self.script = list(script)
        self.interval_s, self.repeat = interval_s, repeat
        self.battery, self.location = battery, location
        self.advertising = True
        self.refuse_connects = 0
        self.drop_after: set[int] = set()
        self.sent: list[bytes] = []
        self.connects = 0
        self.connect_attempts = 0
        self.stop_notify_calls = 0
        self.disconnect_calls = 0
        self.battery_reads = 0
        self.client: FakeBleakClient | None = None
        self._next = 0

    def device(self) -> BLEDevice:
        return BLEDevice(self.address, self.name, details=self)

    def next_payload(self) -> bytes | None:
        if self._next >= len(self.script):
            if not self.repeat or not self.script:
                return None
            self._next = 0
        payload = self.script[self._next]
        self._next += 1
        return payload

    def drop(self) -> None:
        """The link drops (out of range, BlueZ's 150 s drop): the stack reports it."""
        if self.client is not None:
            self.client._lose_link()


class FakeBleakClient:
    """Stand-in for ``bleak.BleakClient(device, disconnected_callback=...)``."""

    def __init__(
        self, device: BLEDevice, disconnected_callback: Callable[[Any], None] | None = None, **_kwargs: Any
    ) -> None:  # establish_connection passes pair=, _is_retry_client=
        self._peripheral: FakePeripheral = device.details
        self._device = device
        self._disconnected_callback = disconnected_callback
        self._connected = False
        self._feeder: asyncio.Task[None] | None = None  # reference kept (STYLE §5)
        self._pmd_tasks: list[asyncio.Task[None]] = []
        self._pmd_callbacks: dict[str, Callable[[Any, bytearray], None]] = {}

    @property
    def services(self) -> Any:
        """bleak's service collection, reduced to ``get_characteristic``."""
        has_pmd = self._peripheral.pmd is not None
        pmd_chars = {PMD_CONTROL_POINT_UUID, PMD_DATA_UUID}
        return SimpleNamespace(
            get_characteristic=lambda uuid: SimpleNamespace(uuid=uuid) if has_pmd and uuid in pmd_chars else None
        )

    async def write_gatt_char(self, uuid: str, data: bytes, response: bool = False) -> None:
        if not self._connected:
            raise BleakError("Not connected")
        pmd = self._peripheral.pmd
        if pmd is None or uuid != PMD_CONTROL_POINT_UUID:
            raise BleakCharacteristicNotFoundError(uuid)
        pmd.commands.append(bytes(data))
        if pmd.silent:
            return
        op, mtype = data[0], data[1]
        status = pmd.status.get(mtype, 0)
        reply = bytes([0xF0, op, mtype, status]) + (b"\x00" + pmd.params if status == 0 else b"")
        loop = asyncio.get_running_loop()
        loop.call_soon(self._pmd_callbacks[PMD_CONTROL_POINT_UUID], SimpleNamespace(uuid=uuid), bytearray(reply))
        if status == 0 and op == 2:
            self._pmd_tasks.append(loop.create_task(self._feed_pmd(pmd)))

    async def _feed_pmd(self, pmd: FakePmd) -> None:
        sender = SimpleNamespace(uuid=PMD_DATA_UUID)
        for frame in pmd.frames:
            await asyncio.sleep(pmd.interval_s)
            if not self._connected:
                return
            self._pmd_callbacks[PMD_DATA_UUID](sender, bytearray(frame))
            pmd.sent.append(frame)

    @property
    def address(self) -> str:
        return self._device.address

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def connect(self, **_kwargs: Any) -> None:
        p = self._peripheral
        p.connect_attempts += 1
        await asyncio.sleep(0)
        if p.refuse_connects > 0:
            p.refuse_connects -= 1
            raise BleakError("fake: the strap did not accept the connection")
        self._connected = True
        p.connects += 1
        p.client = self

    async def disconnect(self) -> None:
        self._peripheral.disconnect_calls += 1
        if self._connected:
            self._lose_link()

    async def read_gatt_char(self, uuid: str) -> bytearray:
        if not self._connected:
            raise BleakError("Not connected")
        value = {BATTERY_LEVEL: self._peripheral.battery, BODY_SENSOR_LOCATION: self._peripheral.location}.get(uuid)
        if uuid == BATTERY_LEVEL:
            self._peripheral.battery_reads += 1
        if value is None:
            raise BleakCharacteristicNotFoundError(uuid)
        return bytearray(value)

    async def start_notify(self, uuid: str, callback: Callable[[Any, bytearray], None], **_kw: Any) -> None:
        if not self._connected:
            raise BleakError("Not connected")
        if uuid in (PMD_CONTROL_POINT_UUID, PMD_DATA_UUID) and self._peripheral.pmd is not None:
            self._pmd_callbacks[uuid] = callback
            return
        assert uuid == HEART_RATE_MEASUREMENT
        sender = SimpleNamespace(uuid=uuid, handle=0x0010)
        self._feeder = asyncio.get_running_loop().create_task(self._feed(sender, callback))

    async def stop_notify(self, uuid: str) -> None:
        self._peripheral.stop_notify_calls += 1
        self._stop_feeder()

    async def __aenter__(self) -> FakeBleakClient:
        await self.connect()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.disconnect()

    async def _feed(self, sender: Any, callback: Callable[[Any, bytearray], None]) -> None:
        p = self._peripheral
        while self._connected:
            await asyncio.sleep(p.interval_s)
            payload = p.next_payload()
            if payload is None or not self._connected:
                return  # silent from now on (still connected)
            callback(sender, bytearray(payload))
            p.sent.append(payload)
            if len(p.sent) in p.drop_after:
                self._lose_link()
                return

    def _stop_feeder(self) -> None:
        if self._feeder is not None and self._feeder is not asyncio.current_task():
            self._feeder.cancel()
        self._feeder = None

    def _lose_link(self) -> None:
        self._connected = False
        self._stop_feeder()
        for task in self._pmd_tasks:
            if task is not asyncio.current_task():
                task.cancel()
        self._pmd_tasks = []
        if self._disconnected_callback is not None:
            self._disconnected_callback(self)


class FakeWorld:
    """The radio environment: peripherals in range, and a ``scanner`` factory that sees them."""

    client_class = FakeBleakClient  # what BleStrap gets as client_factory

    def __init__(self) -> None:
        self.peripherals: list[FakePeripheral] = []
        self.scanner_error: BaseException | None = None
        self.scans = 0

    def add(self, *args: Any, **kwargs: Any) -> FakePeripheral:
        p = FakePeripheral(*args, **kwargs)
        self.peripherals.append(p)
        return p

    def scanner(
        self, detection_callback: Callable[[Any, Any], None], service_uuids: list[str] | None = None, **_kw: Any
    ) -> _FakeScanner:
        return _FakeScanner(self, detection_callback)


class _FakeScanner:
    def __init__(self, world: FakeWorld, callback: Callable[[Any, Any], None]) -> None:
        self._world, self._callback = world, callback

    async def __aenter__(self) -> _FakeScanner:
        self._world.scans += 1
        if self._world.scanner_error is not None:
            raise self._world.scanner_error
        loop = asyncio.get_running_loop()
        for p in self._world.peripherals:
            if p.advertising and (p.client is None or not p.client.is_connected):
                adv = SimpleNamespace(local_name=p.name, rssi=p.rssi, service_uuids=[HEART_RATE_SERVICE])
                loop.call_soon(self._callback, p.device(), adv)  # later, as a real stack would
        return self

    async def __aexit__(self, *_exc: object) -> None:
        return None


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def kit() -> SimpleNamespace:
    """Helpers for test modules (with --import-mode=importlib they cannot import conftest)."""
    return SimpleNamespace(run=run, take=take, real_payloads=real_payloads, FakeClock=FakeClock, FakePmd=FakePmd)
