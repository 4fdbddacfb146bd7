# ruff: noqa: F821, F722, N802  (D-Bus signatures as annotations; method names are BlueZ's)
"""A scripted BlueZ on a private D-Bus system bus, so that bleak's real BlueZ backend runs in the suite.

:class:`PrivateSystemBus` starts Debian's ``dbus-daemon`` with a minimal configuration (a unix
socket in a temporary folder, EXTERNAL authentication, everything allowed for this user) and
points ``DBUS_SYSTEM_BUS_ADDRESS`` at it; it must be entered before bleak first touches the bus.
:class:`ScriptedBluez` plays bluetoothd on that bus with dbus-fast's service API: it owns
``org.bluez``, exports an adapter (``org.bluez.Adapter1`` at ``/org/bluez/hci0``) and, while
discovering, the devices it is given (``org.bluez.Device1``), announced by the ObjectManager's
``InterfacesAdded`` signal as bluetoothd does; ``GetManagedObjects`` is dbus-fast's own. A
device's ``Connect`` exports its GATT services and characteristics (``org.bluez.GattService1``,
``org.bluez.GattCharacteristic1``) and sets ``Connected`` then ``ServicesResolved``; a
characteristic notifies by a ``PropertiesChanged`` of its ``Value`` after ``StartNotify``
(bleak's default; ``AcquireNotify`` with fd passing is not scripted). :meth:`Device.drop` is the
link lost (out of range): ``Connected`` false, the GATT objects removed.

Written from BlueZ's documented D-Bus API (``doc/org.bluez.Adapter.rst``, ``org.bluez.Device.rst``,
``org.bluez.GattCharacteristic.rst``) and what bleak's ``bleak/backends/bluezdbus/manager.py``
reads (``Roles`` with ``central``, ``Powered``, ``Address``, ``Name``, ``RSSI``, ``UUIDs``,
``ServicesResolved``, the handle in the object path).

Not ``from __future__ import annotations``: dbus-fast reads the D-Bus signatures from the
annotations of the service methods and properties.
"""

import asyncio
import concurrent.futures
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from dbus_fast import BusType, DBusError, PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_property, method

T = TypeVar("T")
BLUEZ = "org.bluez"
ADAPTER_PATH = "/org/bluez/hci0"

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
"""


def dbus_daemon() -> str | None:
    """The path of ``dbus-daemon``, or None (``scripts/test.sh`` installs it when missing)."""
    return shutil.which("dbus-daemon")


class PrivateSystemBus:
    """A ``dbus-daemon`` of our own, as the system bus of this process (context manager)."""

    def __init__(self) -> None:
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._saved: str | None = None
        self.address = ""

    def __enter__(self) -> "PrivateSystemBus":
        daemon = dbus_daemon()
        if daemon is None:
            raise RuntimeError("dbus-daemon is missing: scripts/test.sh installs Debian's dbus-daemon")
        self._dir = tempfile.TemporaryDirectory(prefix="tolerance-dbus-")
        socket = Path(self._dir.name) / "system_bus_socket"
        config = Path(self._dir.name) / "system.conf"
        config.write_text(_CONFIG.format(socket=socket))
        self._proc = subprocess.Popen(
            [daemon, f"--config-file={config}", "--nofork", "--nopidfile", "--print-address"],
            stdout=subprocess.PIPE,
        )
        assert self._proc.stdout is not None
        self.address = self._proc.stdout.readline().decode().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon did not print its address")
        self._saved = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self.address
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._saved is None:
            os.environ.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self._saved
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            if self._proc.stdout is not None:
                self._proc.stdout.close()
        if self._dir is not None:
            self._dir.cleanup()


class Adapter(ServiceInterface):
    """``org.bluez.Adapter1``: powered, central; discovery shows the scripted devices."""

    def __init__(self, bluez: "ScriptedBluez") -> None:
        super().__init__("org.bluez.Adapter1")
        self._bluez = bluez
        self.discovering = False
        self.powered = True
        self.filters: list[dict[str, Any]] = []

    @method()
    def SetDiscoveryFilter(self, properties: "a{sv}") -> None:
        self.filters.append({k: v.value for k, v in properties.items()})

    @method()
    def StartDiscovery(self) -> None:
        self.discovering = True
        self.emit_properties_changed({"Discovering": True})
        self._bluez.show_devices()

    @method()
    def StopDiscovery(self) -> None:
        self.discovering = False
        self.emit_properties_changed({"Discovering": False})

    @method()
    def RemoveDevice(self, device: "o") -> None:
        self._bluez.remove_device(device)

    @dbus_property(access=PropertyAccess.READ)
    def Address(self) -> "s":
        return "00:1A:7D:DA:71:13"

    @dbus_property(access=PropertyAccess.READ)
    def Name(self) -> "s":
        return "scripted"

    @dbus_property(access=PropertyAccess.READ)
    def Powered(self) -> "b":
        return self.powered

    def set_powered(self, on: bool) -> None:
        self.powered = on
        self.emit_properties_changed({"Powered": on})

    @dbus_property(access=PropertyAccess.READ)
    def Discovering(self) -> "b":
        return self.discovering

    @dbus_property(access=PropertyAccess.READ)
    def Roles(self) -> "as":
        return ["central", "peripheral"]


class GattService(ServiceInterface):
    """``org.bluez.GattService1``."""

    def __init__(self, uuid: str, device: str) -> None:
        super().__init__("org.bluez.GattService1")
        self.uuid, self.device = uuid, device

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":
        return self.uuid

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> "b":
        return True

    @dbus_property(access=PropertyAccess.READ)
    def Device(self) -> "o":
        return self.device


class GattCharacteristic(ServiceInterface):
    """``org.bluez.GattCharacteristic1``: ``value`` read, ``on_write`` called with what is
    written, :meth:`notify` sends a value while notifying."""

    def __init__(self, uuid: str, service: str, flags: list[str], value: bytes = b"") -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self.uuid, self.service, self.flags, self.value = uuid, service, flags, value
        self.notifying = False
        self.on_write: Callable[[bytes], None] | None = None
        self.writes: list[bytes] = []

    @method()
    def ReadValue(self, options: "a{sv}") -> "ay":
        return self.value

    @method()
    def WriteValue(self, value: "ay", options: "a{sv}") -> None:
        self.writes.append(bytes(value))
        if self.on_write is not None:
            self.on_write(bytes(value))

    @method()
    def StartNotify(self) -> None:
        self.notifying = True
        self.emit_properties_changed({"Notifying": True})

    @method()
    def StopNotify(self) -> None:
        self.notifying = False
        self.emit_properties_changed({"Notifying": False})

    def notify(self, value: bytes) -> None:
        if self.notifying:
            self.value = value
            self.emit_properties_changed({"Value": value})

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> "s":
        return self.uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> "o":
        return self.service

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> "ay":
        return self.value

    @dbus_property(access=PropertyAccess.READ)
    def Notifying(self) -> "b":
        return self.notifying

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> "as":
        return self.flags


HRS = "0000180d-0000-1000-8000-00805f9b34fb"
HRM = "00002a37-0000-1000-8000-00805f9b34fb"
BSL = "00002a38-0000-1000-8000-00805f9b34fb"
BAS = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL = "00002a19-0000-1000-8000-00805f9b34fb"
PMD_SERVICE = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CP = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"


class Device(ServiceInterface):
    """``org.bluez.Device1``: what a strap advertises (name, RSSI, service UUIDs), and its GATT
    table once connected (Heart Rate with its measurement and body location, Battery)."""

    def __init__(self, bluez: "ScriptedBluez", address: str, name: str, uuids: list[str], rssi: int) -> None:
        super().__init__("org.bluez.Device1")
        # Not ``self.name``: ServiceInterface keeps the interface's name there.
        self.address, self.local_name, self.uuids, self.rssi = address, name, uuids, rssi
        self._bluez = bluez
        self.path = device_path(address)
        self.connected = False
        self.in_range = True
        self.refuse_connects = 0
        self.connects = 0
        hrs, bas = f"{self.path}/service000a", f"{self.path}/service0010"
        self.hrm = GattCharacteristic(HRM, hrs, ["notify"])
        self.gatt: list[tuple[str, ServiceInterface]] = [
            (hrs, GattService(HRS, self.path)),
            (f"{hrs}/char000b", self.hrm),
            (f"{hrs}/char000e", GattCharacteristic(BSL, hrs, ["read"], b"\x01")),
            (bas, GattService(BAS, self.path)),
            (f"{bas}/char0011", GattCharacteristic(BATTERY_LEVEL, bas, ["read"], b"\x57")),
        ]
        self.pmd_cp: GattCharacteristic | None = None
        self.pmd_data: GattCharacteristic | None = None

    def add_pmd(self, frames: list[bytes], interval_s: float = 0.02) -> None:
        """A Polar H10's PMD service: a start written to the control point is answered with the
        documented indication (``F0 02 type 00 00``), then ``frames`` follow on the data
        characteristic, one every ``interval_s``, after every connect."""
        pmd = f"{self.path}/service0030"
        self.pmd_cp = GattCharacteristic(PMD_CP, pmd, ["read", "write", "indicate"])
        self.pmd_data = GattCharacteristic(PMD_DATA, pmd, ["notify"])
        self.gatt += [
            (pmd, GattService(PMD_SERVICE, self.path)),
            (f"{pmd}/char0031", self.pmd_cp),
            (f"{pmd}/char0034", self.pmd_data),
        ]
        cp, data = self.pmd_cp, self.pmd_data

        def on_write(command: bytes) -> None:
            cp.notify(bytes([0xF0, command[0], command[1], 0, 0]))
            if command[0] == 2:
                self._bluez.stream_pmd(self, data, frames, interval_s)

        cp.on_write = on_write

    @method()
    def Connect(self) -> None:
        if not self.in_range:
            raise DBusError("org.bluez.Error.Failed", "Page Timeout")
        if self.refuse_connects > 0:
            self.refuse_connects -= 1
            raise DBusError("org.bluez.Error.Failed", "le-connection-abort-by-remote")
        bus = self._bluez.bus
        assert bus is not None
        self.connected = True
        self.connects += 1
        self.emit_properties_changed({"Connected": True})
        for path, iface in self.gatt:
            bus.export(path, iface)
        self.emit_properties_changed({"ServicesResolved": True})

    @method()
    def Disconnect(self) -> None:
        self.drop()

    def drop(self) -> None:
        """The link is gone (out of range, the strap taken off, BlueZ's 150 s drop)."""
        if not self.connected:
            return
        bus = self._bluez.bus
        assert bus is not None
        self.connected = False
        for _path, iface in self.gatt:
            if isinstance(iface, GattCharacteristic):
                iface.notifying = False
        self.emit_properties_changed({"ServicesResolved": False})
        self.emit_properties_changed({"Connected": False})
        for path, _iface in reversed(self.gatt):
            bus.unexport(path)

    @dbus_property(access=PropertyAccess.READ)
    def Address(self) -> "s":
        return self.address

    @dbus_property(access=PropertyAccess.READ)
    def AddressType(self) -> "s":
        return "public"

    @dbus_property(access=PropertyAccess.READ)
    def Name(self) -> "s":
        return self.local_name

    @dbus_property(access=PropertyAccess.READ)
    def Alias(self) -> "s":
        return self.local_name

    @dbus_property(access=PropertyAccess.READ)
    def RSSI(self) -> "n":
        return self.rssi

    @dbus_property(access=PropertyAccess.READ)
    def UUIDs(self) -> "as":
        return self.uuids

    @dbus_property(access=PropertyAccess.READ)
    def Adapter(self) -> "o":
        return ADAPTER_PATH

    @dbus_property(access=PropertyAccess.READ)
    def Connected(self) -> "b":
        return self.connected

    @dbus_property(access=PropertyAccess.READ)
    def Paired(self) -> "b":
        return False

    @dbus_property(access=PropertyAccess.READ)
    def ServicesResolved(self) -> "b":
        return False

    @dbus_property(access=PropertyAccess.READ)
    def ManufacturerData(self) -> "a{qv}":
        return {}

    @dbus_property(access=PropertyAccess.READ)
    def ServiceData(self) -> "a{sv}":
        return {}


def device_path(address: str) -> str:
    return f"{ADAPTER_PATH}/dev_{address.replace(':', '_')}"


class ScriptedBluez:
    """bluetoothd's part on the private bus: ``await start()``, ``add_device(...)``, ``await stop()``."""

    def __init__(self, address: str) -> None:
        self._bus_address = address
        self.bus: MessageBus | None = None
        self.adapter = Adapter(self)
        self.devices: dict[str, Device] = {}
        self._shown: set[str] = set()
        self.sent: list[bytes] = []
        self.pmd_sent: list[bytes] = []
        self._tasks: list[asyncio.Task[None]] = []  # references kept

    async def start(self) -> None:
        self.bus = await MessageBus(bus_address=self._bus_address, bus_type=BusType.SYSTEM).connect()
        self.bus.export(ADAPTER_PATH, self.adapter)
        await self.bus.request_name(BLUEZ)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.bus is not None:
            self.bus.disconnect()
            await asyncio.sleep(0)
            self.bus = None

    def add_device(self, address: str, name: str, uuids: list[str], rssi: int = -60) -> Device:
        """A strap in range; it appears on the bus when discovery runs (or at once if it does)."""
        dev = Device(self, address, name, uuids, rssi)
        self.devices[device_path(address)] = dev
        if self.adapter.discovering:
            self.show_devices()
        return dev

    def show_devices(self) -> None:
        """Discovery sees the devices in range: new ones are added, known ones that are not
        connected advertise again (their ``RSSI`` changes, as bluetoothd reports a new
        advertisement)."""
        assert self.bus is not None
        for path, dev in self.devices.items():
            if not dev.in_range:
                continue
            if path not in self._shown:
                self._shown.add(path)
                self.bus.export(path, dev)
            elif not dev.connected:
                dev.emit_properties_changed({"RSSI": dev.rssi})

    def remove_device(self, path: str) -> None:
        if self.bus is not None and path in self._shown:
            self._shown.discard(path)
            self.bus.unexport(path)

    def variant(self, signature: str, value: Any) -> Variant:
        return Variant(signature, value)

    def stream_pmd(self, dev: Device, data: GattCharacteristic, frames: list[bytes], interval_s: float) -> None:
        """Send ``frames`` on the PMD data characteristic while this connection lasts."""
        connects = dev.connects

        async def feed() -> None:
            for frame in frames:
                await asyncio.sleep(interval_s)
                if not dev.connected or dev.connects != connects:
                    return
                data.notify(frame)
                self.pmd_sent.append(frame)

        self._tasks.append(asyncio.get_running_loop().create_task(feed()))

    async def notify_every(self, dev: Device, payloads: list[bytes], interval_s: float) -> None:
        """Send ``payloads`` on the heart rate measurement, one every ``interval_s`` while the
        strap is connected and notifying (a payload due while it is not waits for the link)."""
        for payload in payloads:
            while True:
                while not (dev.connected and dev.hrm.notifying):
                    await asyncio.sleep(interval_s / 4)
                await asyncio.sleep(interval_s)
                if dev.connected and dev.hrm.notifying:
                    dev.hrm.notify(payload)
                    self.sent.append(payload)
                    break


class BluezThread:
    """A :class:`ScriptedBluez` running in a thread of its own with its own event loop, as
    bluetoothd runs in a process of its own: the code under test may start and stop as many
    event loops as it likes (``asyncio.run`` in the CLI). Context manager; :meth:`call` runs a
    function in bluetoothd's loop and returns its result."""

    def __init__(self, address: str) -> None:
        self.bluez = ScriptedBluez(address)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="scripted-bluez", daemon=True)

    def __enter__(self) -> "BluezThread":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.bluez.start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.bluez.stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def spawn(self, coro: Any) -> "concurrent.futures.Future[Any]":
        """Run a coroutine in bluetoothd's loop (a notifying strap); the future is kept by the caller."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call(self, fn: Callable[[], T]) -> T:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return future.result(timeout=10)
