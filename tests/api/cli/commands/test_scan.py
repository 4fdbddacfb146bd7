"""`tolerance scan`, in-process: with a fake scanner, and with this machine's real (absent) Bluetooth."""

from __future__ import annotations

import argparse
import os
from types import SimpleNamespace
from typing import Any

import pytest
from tolerance.api.cli import main
from tolerance.api.cli.commands import scan as cmd_scan
from tolerance.sensors.ble import HEART_RATE_SERVICE

HRS = [HEART_RATE_SERVICE]


class FakeScanner:
    """bleak.BleakScanner's shape: constructed with a detection callback, used as a context manager."""

    adverts: list[tuple[Any, Any]] = []
    error: BaseException | None = None

    def __init__(self, detection_callback: Any, service_uuids: list[str] | None = None, **_kw: Any) -> None:
        self._callback = detection_callback

    async def __aenter__(self) -> FakeScanner:
        if self.error is not None:
            raise self.error
        for device, adv in self.adverts:
            self._callback(device, adv)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        return None


def advert(address: str, name: str | None, rssi: int, uuids: list[str] = HRS) -> tuple[Any, Any]:
    return SimpleNamespace(address=address, name=name), SimpleNamespace(local_name=name, rssi=rssi, service_uuids=uuids)


def scanner_with(adverts: list[tuple[Any, Any]], error: BaseException | None = None) -> type[FakeScanner]:
    return type("Scanner", (FakeScanner,), {"adverts": adverts, "error": error})


def test_scan_prints_a_table_strongest_first(capsys: pytest.CaptureFixture[str]) -> None:
    scanner = scanner_with(
        [
            advert("AA:BB:CC:00:00:01", "Polar H10 1A2B3C4D", -71),
            advert("AA:BB:CC:00:00:02", None, -48),
            advert("AA:BB:CC:00:00:03", "a lamp", -30, uuids=["0000fe95-0000-1000-8000-00805f9b34fb"]),
        ]
    )
    assert cmd_scan.run(argparse.Namespace(timeout=0.05), scanner_factory=scanner) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "NAME                ADDRESS               RSSI",
        "(no name)           AA:BB:CC:00:00:02  -48 dBm",
        "Polar H10 1A2B3C4D  AA:BB:CC:00:00:01  -71 dBm",
    ]
    assert err == ""


def test_scan_with_nothing_found_says_what_to_try(capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_scan.run(argparse.Namespace(timeout=0.05), scanner_factory=scanner_with([])) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "no strap advertised the Heart Rate Service in 0.05 s" in err and "moisten the electrodes" in err


def test_scan_without_adapter_from_a_fake_exits_1_with_advice(capsys: pytest.CaptureFixture[str]) -> None:
    from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason

    error = BleakBluetoothNotAvailableError(
        "No Bluetooth adapters found.", BleakBluetoothNotAvailableReason.NO_BLUETOOTH
    )
    assert cmd_scan.run(argparse.Namespace(timeout=0.05), scanner_factory=scanner_with([], error)) == 1
    err = capsys.readouterr().err
    assert "No Bluetooth adapters found." in err and "bluetoothctl power on" in err and "Traceback" not in err


@pytest.mark.skipif(os.path.exists("/var/run/dbus/system_bus_socket"), reason="this machine has a system D-Bus")
def test_scan_on_this_machine_without_bluetooth_exits_1_with_advice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--timeout", "0.5"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "tolerance scan: Bluetooth is not available: cannot reach BlueZ (the Linux Bluetooth service) "
        "over the system D-Bus: No such file or directory",
        "No usable Bluetooth adapter was found. Check that the machine has Bluetooth, that it is switched "
        "on (bluetoothctl power on) and that this user may use it; or run with --sim.",
    ]
