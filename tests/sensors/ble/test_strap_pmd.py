"""BleStrap on a Polar H10: the PMD streams started after every connect, through the fake stack
(tests/sensors/conftest.py: ``FakePmd`` answers with the documented control point bytes and
sends PMD data frames built from the documented layout)."""

from __future__ import annotations

import struct
from typing import Any

from tolerance.sensors import (
    AccelerometerSample,
    Backoff,
    BleStrap,
    ConnectionEvent,
    ConnectionState,
    DeviceInfo,
    EcgSample,
    HeartRateSample,
    MalformedNotification,
)
from tolerance.sensors.ble import PmdOptions
from tolerance.sensors.polar import AccFrame, EcgFrame, encode_acc_frame, encode_ecg_frame

ADDR = "C8:2E:00:00:00:10"
HR = bytes.fromhex("10495e039603")  # 73 bpm, RR 862 and 918 (1/1024 s)
ACC_START = bytes.fromhex("02 02 00 01 19 00 01 01 10 00 02 01 08 00")
ECG_START = bytes.fromhex("02 00 00 01 82 00 01 01 0e 00")
TS = 599_616_023_171_427_290


def acc_frames(n: int, compressed: bool = False) -> list[bytes]:
    period = 40_000_000  # 25 Hz
    return [
        encode_acc_frame(
            AccFrame(TS + (k + 1) * 25 * period, tuple((k, -k, 1000 + i) for i in range(25)), compressed=compressed)
        )
        for k in range(n)
    ]


def make_strap(world: Any, **kw: Any) -> BleStrap:
    kw.setdefault("backoff", Backoff(base_s=0.01, factor=1.0, cap_s=0.01, jitter=False))
    return BleStrap(
        ADDR,
        client_factory=world.client_class,
        scanner=world.scanner,
        connect_attempts=1,
        scan_timeout_s=0.5,
        rescan_timeout_s=0.5,
        **kw,
    )


def of(items: list[Any], kind: type) -> list[Any]:
    return [i for i in items if isinstance(i, kind)]


def test_an_h10_streams_its_accelerometer_started_with_the_documented_command(world: Any, kit: Any) -> None:
    pmd = kit.FakePmd(acc_frames(20))
    world.add(ADDR, "Polar H10 1A2B3C4D", [HR] * 200, pmd=pmd)
    items = kit.run(kit.take(make_strap(world).stream(), lambda got: len(of(got, AccelerometerSample)) >= 20))
    assert pmd.commands == [ACC_START]
    info = of(items, DeviceInfo)[0]
    assert info.extra == {"pmd": "accelerometer 25 Hz"}
    frames = of(items, AccelerometerSample)
    assert [f.payload for f in frames] == pmd.sent[:20]
    assert frames[3].samples_mg[0] == (3, -3, 1000) and frames[3].sample_rate_hz == 25.0
    assert frames[3].timestamp_ns == TS + 4 * 25 * 40_000_000
    assert of(items, HeartRateSample), "the heart rate goes on beside it"


def test_the_accelerometer_is_started_again_after_every_reconnect(world: Any, kit: Any) -> None:
    pmd = kit.FakePmd(acc_frames(5))
    p = world.add(ADDR, "Polar H10 1A2B3C4D", [HR] * 400, pmd=pmd)
    p.drop_after = {30, 60}
    items = kit.run(
        kit.take(
            make_strap(world).stream(),
            lambda got: (
                [e.state for e in of(got, ConnectionEvent)].count(ConnectionState.RECONNECTED) >= 2
                and len(of(got, AccelerometerSample)) >= 15
            ),
        )
    )
    assert pmd.commands == [ACC_START] * 3
    assert len(of(items, AccelerometerSample)) == 15


def test_a_refused_or_unanswered_start_leaves_the_heart_rate_going_with_the_reason(world: Any, kit: Any) -> None:
    refused = kit.FakePmd(acc_frames(3))
    refused.status[2] = 3  # not supported
    world.add(ADDR, "Polar H10 1A2B3C4D", [HR] * 50, pmd=refused)
    items = kit.run(kit.take(make_strap(world).stream(), lambda got: len(of(got, HeartRateSample)) >= 20))
    assert of(items, DeviceInfo)[0].extra == {"pmd": "accelerometer refused by the strap (ERROR_NOT_SUPPORTED)"}
    assert not of(items, AccelerometerSample)

    silent = kit.FakePmd(acc_frames(3))
    silent.silent = True
    world.peripherals.clear()
    world.add(ADDR, "Polar H10 1A2B3C4D", [HR] * 50, pmd=silent)
    items = kit.run(
        kit.take(make_strap(world, gatt_timeout_s=0.05).stream(), lambda got: len(of(got, HeartRateSample)) >= 5)
    )
    assert of(items, DeviceInfo)[0].extra == {"pmd": "accelerometer: no answer within 0.05 s"}


def test_a_strap_without_pmd_is_heart_rate_only(world: Any, kit: Any) -> None:
    world.add(ADDR, "Garmin HRM-Dual", [HR] * 20)
    items = kit.run(kit.take(make_strap(world).stream(), lambda got: len(of(got, HeartRateSample)) >= 5))
    assert of(items, DeviceInfo)[0].extra == {"pmd": "no PMD service (not a Polar H10): heart rate only"}


def test_the_start_replys_factor_scales_compressed_frames(world: Any, kit: Any) -> None:
    half = bytes([5, 1]) + struct.pack("<f", 0.5)  # setting type 5 (factor), one float32
    pmd = kit.FakePmd(acc_frames(3, compressed=True), params=half)
    world.add(ADDR, "Polar H10 1A2B3C4D", [HR] * 50, pmd=pmd)
    items = kit.run(kit.take(make_strap(world).stream(), lambda got: len(of(got, AccelerometerSample)) >= 3))
    frames = of(items, AccelerometerSample)
    assert frames[2].factor == 0.5 and frames[2].samples_mg[0] == (1, -1, 500)


def test_ecg_when_asked_and_a_frame_of_an_unstarted_stream_is_malformed(world: Any, kit: Any) -> None:
    ecg = encode_ecg_frame(EcgFrame(TS, (10, -20, 30)))
    pmd = kit.FakePmd([ecg, *acc_frames(2)])
    world.add(ADDR, "Polar H10 1A2B3C4D", [HR] * 50, pmd=pmd)
    items = kit.run(
        kit.take(
            make_strap(world, pmd=PmdOptions(accelerometer=True, ecg=True)).stream(),
            lambda got: len(of(got, AccelerometerSample)) >= 4,
        )
    )
    assert pmd.commands == [ACC_START, ECG_START]
    assert of(items, DeviceInfo)[0].extra == {"pmd": "accelerometer 25 Hz; ECG 130 Hz"}
    assert [e.samples_uv for e in of(items, EcgSample)][:2] == [(10, -20, 30)] * 2

    world.peripherals.clear()
    pmd = kit.FakePmd([ecg, *acc_frames(2)])
    world.add(ADDR, "Polar H10 1A2B3C4D", [HR] * 50, pmd=pmd)
    items = kit.run(kit.take(make_strap(world).stream(), lambda got: len(of(got, AccelerometerSample)) >= 2))
    bad = of(items, MalformedNotification)
    assert bad and bad[0].stream == "pmd" and bad[0].reason == "a PMD frame of a stream not started"
