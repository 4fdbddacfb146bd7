"""``tolerance scan`` through bleak's real BlueZ backend, against a scripted bluetoothd on a
private system bus (tests/support/bluez.py; issue 25, part 4). The bus fixtures are in this
folder's conftest.py."""

from __future__ import annotations

from typing import Any

from bluez import BluezThread
from tolerance.api.cli.main import main

HRS = "0000180d-0000-1000-8000-00805f9b34fb"
BATTERY = "0000180f-0000-1000-8000-00805f9b34fb"


def test_scan_lists_heart_rate_straps_strongest_first_through_bleaks_bluez_backend(
    bluez: BluezThread, capsys: Any
) -> None:
    bz = bluez.bluez
    bluez.call(lambda: bz.add_device("C8:2E:00:00:00:01", "Polar H10 1A2B3C4D", [HRS], -70))
    bluez.call(lambda: bz.add_device("C8:2E:00:00:00:02", "Polar H10 5E6F7A8B", [HRS, BATTERY], -50))
    bluez.call(lambda: bz.add_device("AA:BB:00:00:00:03", "a speaker", [BATTERY], -40))
    assert main(["scan", "--timeout", "1"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "Polar" in line or "speaker" in line]
    assert [("5E6F7A8B" in line, "1A2B3C4D" in line) for line in lines] == [(True, False), (False, True)]
    assert bz.adapter.filters and not bz.adapter.discovering, "discovery was started and stopped again"


def test_an_adapter_that_is_off_is_said_so_with_exit_1(bluez: BluezThread, capsys: Any) -> None:
    bluez.call(lambda: bluez.bluez.adapter.set_powered(False))
    assert main(["scan", "--timeout", "1"]) == 1
    assert "tolerance scan:" in capsys.readouterr().err
