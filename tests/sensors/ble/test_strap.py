"""BleStrap through the fake bleak client (tests/sensors/conftest.py), with real payloads."""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

import pytest
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason, BleakDBusError, BleakError
from tolerance.sensors import (
    AdapterUnavailable,
    Backoff,
    BleStrap,
    ConnectionEvent,
    ConnectionFailed,
    ConnectionState,
    DeviceInfo,
    HeartRateSample,
    MalformedNotification,
    StrapNotFound,
    scan,
)
from tolerance.sensors.ble import adapter_unavailable

ADDR = "C8:2E:00:00:00:01"
S = ConnectionState


def make_strap(world: Any, clock: Any = None, **kw: Any) -> BleStrap:
    kw.setdefault("backoff", Backoff(base_s=1.0, factor=2.0, cap_s=30.0, jitter=False))
    kw.setdefault("connect_attempts", 1)
    kw.setdefault("scan_timeout_s", 0.5)
    kw.setdefault("rescan_timeout_s", 0.5)
    if clock is not None:
        kw.update(clock=clock.monotonic, wall_clock=clock.utc, sleep=clock.sleep)
    return BleStrap(kw.pop("wanted", ADDR), client_factory=world.client_class, scanner=world.scanner, **kw)


def states(items: list[Any]) -> list[tuple[ConnectionState, int]]:
    return [(i.state, i.attempt) for i in items if isinstance(i, ConnectionEvent)]


def samples(items: list[Any]) -> list[HeartRateSample]:
    return [i for i in items if isinstance(i, HeartRateSample)]


def n_samples(n: int) -> Any:
    return lambda items: len(samples(items)) >= n


def test_stream_yields_real_payloads_in_order_with_device_info(world: Any, kit: Any) -> None:
    entries = kit.real_payloads()
    p = world.add(ADDR, "Polar H10 1A2B3C4D", [bytes.fromhex(e["hex"]) for e in entries])
    strap = make_strap(world)
    items = kit.run(kit.take(strap.stream(), n_samples(len(entries))))
    assert states(items)[:2] == [(S.CONNECTING, 0), (S.CONNECTED, 0)]
    info = next(i for i in items if isinstance(i, DeviceInfo))
    assert (info.name, info.address, info.body_location, info.battery_percent) == (
        "Polar H10 1A2B3C4D",
        ADDR,
        "chest",
        87,
    )
    got = samples(items)
    assert [(s.hr_bpm, list(s.rr_raw), list(s.rr_ms), s.contact) for s in got] == [
        (e["hr"], e["rr_raw"], e["rr_ms"], e["contact"]) for e in entries
    ]
    assert [s.payload for s in got] == p.sent
    assert all(s.source == f"ble:{ADDR}" for s in got)
    assert [s.t_mono for s in got] == sorted(s.t_mono for s in got)
    assert strap.stats.samples == len(entries) and strap.stats.malformed == 0
    # closing the stream unsubscribed and disconnected
    assert p.stop_notify_calls == 1 and p.disconnect_calls == 1 and not p.client.is_connected


def test_strap_is_found_by_name_case_insensitively(world: Any, kit: Any) -> None:
    world.add(ADDR, "Polar H10 1A2B3C4D", [bytes.fromhex("10495e039603")])
    items = kit.run(kit.take(make_strap(world, wanted="polar h10 1a2b3c4d").stream(), n_samples(1)))
    assert samples(items)[0].rr_raw == (862, 918)  # two RR values in one notification


def test_contact_loss_passes_through_as_false(world: Any, kit: Any) -> None:
    worn, off = bytes.fromhex("1634e404"), bytes([0x14, 52])  # contact supported, not detected, no RR
    world.add(ADDR, "strap", [worn, off, off, worn])
    got = samples(kit.run(kit.take(make_strap(world).stream(), n_samples(4))))
    assert [s.contact for s in got] == [True, False, False, True]
    assert [s.usable_for_hrv for s in got] == [True, False, False, True]


def test_malformed_payload_mid_stream_is_counted_and_nothing_is_lost(world: Any, kit: Any) -> None:
    good = [bytes.fromhex(e["hex"]) for e in kit.real_payloads()][:6]
    script = good[:3] + [bytes.fromhex("103c2c")] + good[3:]
    world.add(ADDR, "strap", script)
    strap = make_strap(world)
    items = kit.run(kit.take(strap.stream(), n_samples(6)))
    data = [i for i in items if isinstance(i, HeartRateSample | MalformedNotification)]
    assert [i.payload for i in data] == script
    bad = data[3]
    assert isinstance(bad, MalformedNotification) and "odd number" in bad.reason
    assert (strap.stats.malformed, strap.stats.samples, strap.stats.notifications) == (1, 6, 7)


def test_missing_characteristics_are_none(world: Any, kit: Any) -> None:
    world.add(ADDR, "strap", [bytes.fromhex("063c")], battery=None, location=None)
    items = kit.run(kit.take(make_strap(world).stream(), n_samples(1)))
    info = next(i for i in items if isinstance(i, DeviceInfo))
    assert info.battery_percent is None and info.body_location is None


def test_reconnects_after_a_drop_with_exponential_backoff(world: Any, kit: Any, clock: Any) -> None:
    script = [bytes.fromhex(e["hex"]) for e in kit.real_payloads()]
    p = world.add(ADDR, "strap", script)
    p.drop_after = {3}
    strap = make_strap(world, clock)

    async def scenario() -> list[Any]:
        stream = strap.stream()
        items: list[Any] = []
        async for item in stream:
            items.append(item)
            if isinstance(item, ConnectionEvent) and item.state is S.LOST:
                p.refuse_connects = 2  # the next two connects fail
            if len(samples(items)) == len(script):
                break
        await stream.aclose()
        return items

    items = kit.run(scenario())
    assert states(items) == [
        (S.CONNECTING, 0),
        (S.CONNECTED, 0),
        (S.LOST, 0),
        (S.RECONNECTING, 1),
        (S.RECONNECTING, 2),
        (S.RECONNECTING, 3),
        (S.RECONNECTED, 3),
    ]
    assert clock.sleeps == [1.0, 2.0, 4.0]  # base * factor**(n-1), no jitter
    assert list(strap.stats.backoff_delays) == [1.0, 2.0, 4.0]
    assert strap.stats.failures == {"connect": 2}
    assert (strap.stats.disconnects, strap.stats.reconnects) == (1, 1)
    assert [s.payload for s in samples(items)] == script  # the stream went on, nothing lost
    lost = next(i for i in items if isinstance(i, ConnectionEvent) and i.state is S.LOST)
    assert "closed the link" in lost.detail
    # device info is re-read after the reconnect
    assert sum(isinstance(i, DeviceInfo) for i in items) == 2


def test_backoff_with_full_jitter_uses_the_injected_rng(world: Any, kit: Any, clock: Any) -> None:
    p = world.add(ADDR, "strap", [bytes.fromhex("063c")] * 4)
    p.drop_after = {1}
    backoff = Backoff(base_s=2.0, factor=3.0, cap_s=10.0, rng=random.Random(7))
    strap = make_strap(world, clock, backoff=backoff)

    async def scenario() -> None:
        stream = strap.stream()
        async for item in stream:
            if isinstance(item, ConnectionEvent) and item.state is S.LOST:
                p.refuse_connects = 3
            if isinstance(item, ConnectionEvent) and item.state is S.RECONNECTED:
                break
        await stream.aclose()

    kit.run(scenario())
    expected_rng = random.Random(7)
    expected = [expected_rng.uniform(0, c) for c in (2.0, 6.0, 10.0, 10.0)]
    assert clock.sleeps == expected


def test_watchdog_declares_a_silent_strap_lost_and_reconnects(world: Any, kit: Any, clock: Any) -> None:
    p = world.add(ADDR, "strap", [bytes.fromhex("163c1104")] * 2)  # then silent, still connected
    strap = make_strap(world, clock, watchdog_s=0.1)
    items = kit.run(kit.take(strap.stream(), lambda items: S.RECONNECTED in [s for s, _ in states(items)]))
    assert states(items)[2:] == [(S.LOST, 0), (S.RECONNECTING, 1), (S.RECONNECTED, 1)]
    lost = [i for i in items if isinstance(i, ConnectionEvent)][2]
    assert "no notification for 0.1 s" in lost.detail
    assert strap.stats.watchdog_timeouts == 1
    assert p.connects == 2 and p.disconnect_calls >= 1  # the silent link was released first


def test_gives_up_after_the_overall_timeout_with_advice(world: Any, kit: Any, clock: Any) -> None:
    p = world.add(ADDR, "strap", [bytes.fromhex("063c")] * 3)
    p.drop_after = {2}
    strap = make_strap(world, clock, give_up_after_s=10.0, rescan_timeout_s=0.05)

    async def scenario() -> list[Any]:
        items: list[Any] = []
        stream = strap.stream()
        try:
            async for item in stream:
                items.append(item)
                if isinstance(item, ConnectionEvent) and item.state is S.LOST:
                    p.advertising = False  # walked away with the strap
        finally:
            await stream.aclose()
        return items

    with pytest.raises(ConnectionFailed) as info:
        kit.run(scenario())
    assert clock.sleeps == [1.0, 2.0, 4.0, 3.0]  # the 4th delay (8 s) is cut to the deadline
    assert strap.stats.failures == {"not_found": 4}
    assert "unreachable for 10 s" in info.value.advice
    assert info.value.attempts == 4


def test_gave_up_event_comes_before_the_error(world: Any, kit: Any, clock: Any) -> None:
    p = world.add(ADDR, "strap", [bytes.fromhex("063c")] * 3)
    p.drop_after = {1}
    strap = make_strap(world, clock, give_up_after_s=0.5, rescan_timeout_s=0.05)
    seen: list[Any] = []

    async def scenario() -> None:
        async for item in strap.stream():
            seen.append(item)
            if isinstance(item, ConnectionEvent) and item.state is S.LOST:
                p.advertising = False

    with pytest.raises(ConnectionFailed):
        kit.run(scenario())
    assert states(seen)[-3:] == [(S.LOST, 0), (S.RECONNECTING, 1), (S.GAVE_UP, 1)]
    assert strap.stats.failures == {"not_found": 1}


def test_battery_is_re_read_periodically(world: Any, kit: Any) -> None:
    p = world.add(ADDR, "strap", [bytes.fromhex("063c")], repeat=True, interval_s=0.005)
    strap = make_strap(world, battery_interval_s=0.05)

    async def scenario() -> list[Any]:
        items: list[Any] = []
        stream = strap.stream()
        async for item in stream:
            items.append(item)
            if len(samples(items)) == 3:
                p.battery = b"\x56"  # 86 %
            infos = [i for i in items if isinstance(i, DeviceInfo)]
            if infos and infos[-1].battery_percent == 86:
                break
        await stream.aclose()
        return items

    items = kit.run(scenario(), timeout_s=5)
    assert [i.battery_percent for i in items if isinstance(i, DeviceInfo)][0] == 87
    assert strap.stats.battery_reads >= 1 and p.battery_reads >= 2


def test_two_straps_stream_independently_at_once(world: Any, kit: Any) -> None:
    a = world.add("AA:00:00:00:00:01", "strap A", [bytes.fromhex("1634e404")] * 20, interval_s=0.003)
    b = world.add("BB:00:00:00:00:02", "strap B", [bytes.fromhex("10495e039603")] * 20, interval_s=0.004)
    a.drop_after = {5}
    sa, sb = make_strap(world, wanted=a.address), make_strap(world, wanted=b.address, sleep=_no_sleep)
    sa._sleep = _no_sleep  # reconnect immediately; real clocks so the streams interleave

    async def both() -> tuple[list[Any], list[Any]]:
        return await asyncio.gather(kit.take(sa.stream(), n_samples(20)), kit.take(sb.stream(), n_samples(20)))

    ia, ib = kit.run(both())
    assert {s.source for s in samples(ia)} == {f"ble:{a.address}"} and {s.hr_bpm for s in samples(ia)} == {52}
    assert {s.source for s in samples(ib)} == {f"ble:{b.address}"} and {s.hr_bpm for s in samples(ib)} == {73}
    assert S.LOST in [s for s, _ in states(ia)] and S.LOST not in [s for s, _ in states(ib)]
    ta, tb = [s.t_mono for s in samples(ia)], [s.t_mono for s in samples(ib)]
    assert min(tb) < max(ta) and min(ta) < max(tb)  # they ran interleaved, not one after the other
    assert sa.stats is not sb.stats and sb.stats.reconnects == 0


async def _no_sleep(_delay: float) -> None:
    await asyncio.sleep(0)


def test_no_strap_found_raises_with_advice(world: Any, kit: Any) -> None:
    world.add("11:22:33:44:55:66", "someone else's strap", [])
    with pytest.raises(StrapNotFound) as info:
        kit.run(kit.take(make_strap(world, scan_timeout_s=0.05).stream(), n_samples(1)))
    assert info.value.wanted == ADDR and "tolerance scan" in info.value.advice


def test_initial_connect_failure_raises_connection_failed(world: Any, kit: Any) -> None:
    p = world.add(ADDR, "strap", [bytes.fromhex("063c")])
    p.refuse_connects = 5
    with pytest.raises(ConnectionFailed) as info:
        kit.run(kit.take(make_strap(world).stream(), n_samples(1)))
    assert info.value.address == ADDR and info.value.advice


def test_no_adapter_in_the_scanner_raises_adapter_unavailable(world: Any, kit: Any) -> None:
    world.scanner_error = FileNotFoundError(2, "No such file or directory")
    with pytest.raises(AdapterUnavailable) as info:
        kit.run(kit.take(make_strap(world).stream(), n_samples(1)))
    assert "D-Bus" in str(info.value) and "bluetoothctl" in info.value.advice


@pytest.mark.parametrize(
    "exc",
    [
        BleakBluetoothNotAvailableError("No Bluetooth adapters found.", BleakBluetoothNotAvailableReason.NO_BLUETOOTH),
        BleakDBusError("org.bluez.Error.NotReady", ["Resource Not Ready"]),
        BleakDBusError("org.freedesktop.DBus.Error.ServiceUnknown", []),
        BleakError("adapter 'hci0' not found"),
        ConnectionRefusedError(111, "Connection refused"),
    ],
    ids=type,
)
def test_stack_errors_meaning_no_adapter_map_to_adapter_unavailable(exc: Exception) -> None:
    mapped = adapter_unavailable(exc)
    assert isinstance(mapped, AdapterUnavailable) and mapped.reason


@pytest.mark.parametrize("exc", [BleakError("fake: the strap did not accept the connection"), ValueError("x")])
def test_other_errors_are_not_adapter_errors(exc: Exception) -> None:
    assert adapter_unavailable(exc) is None


def test_scan_lists_straps_strongest_first(world: Any, kit: Any) -> None:
    world.add("AA:00:00:00:00:01", "Polar H10 1", [], rssi=-80)
    world.add("BB:00:00:00:00:02", "Garmin HRM", [], rssi=-50)
    found = kit.run(scan(0.05, scanner_factory=world.scanner))
    assert [(f.name, f.address, f.rssi) for f in found] == [
        ("Garmin HRM", "BB:00:00:00:00:02", -50),
        ("Polar H10 1", "AA:00:00:00:00:01", -80),
    ]


@pytest.mark.skipif(os.path.exists("/var/run/dbus/system_bus_socket"), reason="this machine has a system D-Bus")
def test_real_bleak_without_bluez_raises_adapter_unavailable(kit: Any) -> None:
    with pytest.raises(AdapterUnavailable):
        kit.run(scan(0.5))
    with pytest.raises(AdapterUnavailable):
        kit.run(kit.take(BleStrap(ADDR, scan_timeout_s=0.5).stream(), lambda items: False))


def test_ble_strap_is_a_sensor_and_importing_sensors_does_not_import_bleak() -> None:
    import subprocess
    import sys

    assert isinstance(BleStrap(ADDR), __import__("tolerance.sensors", fromlist=["Sensor"]).Sensor)
    code = "import sys, tolerance.sensors; print('bleak' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert out.stdout.strip() == "False"


def test_a_consumer_that_falls_behind_loses_the_oldest_notifications_counted(world: Any, kit: Any) -> None:
    world.add(ADDR, "strap", [bytes([0x00, hr]) for hr in range(40, 80)], interval_s=0.0005)
    strap = make_strap(world, queue_size=4)

    async def slow() -> list[Any]:
        items: list[Any] = []
        stream = strap.stream()
        async for item in stream:
            items.append(item)
            if isinstance(item, HeartRateSample):
                await asyncio.sleep(0.01)  # a slow consumer
                if item.hr_bpm == 79:
                    break
        await stream.aclose()
        return items

    got = samples(kit.run(slow()))
    assert strap.stats.dropped > 0 and len(got) + strap.stats.dropped == 40
    assert got[-1].hr_bpm == 79 and [s.hr_bpm for s in got] == sorted(s.hr_bpm for s in got)
