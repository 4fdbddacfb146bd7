"""The 0x2A37 / 0x2A38 / 0x2A19 decoders against real payloads and the specification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tolerance.sensors import (
    HeartRateMeasurement,
    MalformedPayload,
    decode_battery_level,
    decode_body_sensor_location,
    decode_hrm,
    encode_hrm,
)

DATA = json.loads((Path(__file__).parents[1] / "data" / "ble" / "heart_rate_measurement.json").read_text())


@pytest.mark.parametrize("entry", DATA["payloads"], ids=lambda e: e["hex"])
def test_every_reference_payload_decodes_to_the_listed_values(entry: dict) -> None:
    m = decode_hrm(bytes.fromhex(entry["hex"]))
    assert m.hr_bpm == entry["hr"]
    assert list(m.rr_raw) == entry["rr_raw"]
    assert list(m.rr_ms) == entry["rr_ms"]  # exact: n * 1000 / 1024 is exact in binary floats
    assert m.contact is entry["contact"]
    assert m.energy_kj == entry["energy_kj"]


@pytest.mark.parametrize("entry", DATA["malformed"], ids=lambda e: e["why"])
def test_every_malformed_reference_payload_is_refused_with_a_reason(entry: dict) -> None:
    with pytest.raises(MalformedPayload) as info:
        decode_hrm(bytes.fromhex(entry["hex"]))
    assert info.value.reason
    assert info.value.payload == bytes.fromhex(entry["hex"])
    assert info.value.characteristic == "0x2A37"


def test_parse_two_rr_values_in_one_notification() -> None:
    assert decode_hrm(bytes.fromhex("10495e039603")).rr_raw == (862, 918)


def test_contact_bit_without_support_bit_means_unknown() -> None:
    # 0x02: "detected" set but "supported" clear; the spec says the bit is then meaningless.
    assert decode_hrm(b"\x02\x3c").contact is None


def test_contact_not_detected_passes_through_as_false() -> None:
    # flags 0x14: RR present, contact supported, not detected (a strap lying on a desk)
    m = decode_hrm(bytes([0x14, 60, 0x00, 0x04]))
    assert m.contact is False and m.rr_raw == (1024,)


def test_reserved_flag_bits_are_ignored() -> None:
    assert decode_hrm(bytes([0xE0 | 0x10, 72, 0x2C, 0x03])) == decode_hrm(bytes.fromhex("10482c03"))


def test_rr_flag_with_no_rr_bytes_gives_no_rr() -> None:
    assert decode_hrm(b"\x10\x3c").rr_raw == ()


def test_decoder_accepts_bytearray_and_memoryview() -> None:
    raw = bytes.fromhex("163c1104")
    assert decode_hrm(bytearray(raw)) == decode_hrm(memoryview(raw)) == decode_hrm(raw)


measurements = st.builds(
    HeartRateMeasurement,
    hr_bpm=st.integers(0, 0xFFFF),
    rr_raw=st.lists(st.integers(0, 0xFFFF), max_size=9).map(tuple),
    contact=st.sampled_from([None, True, False]),
    energy_kj=st.none() | st.integers(0, 0xFFFF),
)


@given(m=measurements, wide=st.booleans(), rr_flag=st.booleans())
def test_encode_then_decode_round_trips_over_all_flag_combinations(
    m: HeartRateMeasurement, wide: bool, rr_flag: bool
) -> None:
    if m.hr_bpm > 255:
        wide = True
    if m.rr_raw:
        rr_flag = True
    payload = encode_hrm(m, hr_uint16=wide, rr_flag=rr_flag)
    assert bool(payload[0] & 0x01) is wide
    assert bool(payload[0] & 0x10) is rr_flag
    assert decode_hrm(payload) == m


@given(st.binary(max_size=40))
def test_arbitrary_bytes_raise_nothing_but_malformed_payload(data: bytes) -> None:
    try:
        m = decode_hrm(data)
    except MalformedPayload as exc:
        assert exc.reason
        return
    assert 0 <= m.hr_bpm <= 0xFFFF
    assert all(0 <= r <= 0xFFFF for r in m.rr_raw)


@given(st.binary(min_size=1, max_size=40))
def test_decoding_is_stable_under_re_encoding(data: bytes) -> None:
    # Whatever decodes, re-encodes to something that decodes to the same measurement.
    try:
        m = decode_hrm(data)
    except MalformedPayload:
        return
    assert decode_hrm(encode_hrm(m, hr_uint16=bool(data[0] & 1))) == m


@pytest.mark.parametrize(
    ("raw", "name"),
    [(b"\x00", "other"), (b"\x01", "chest"), (b"\x02", "wrist"), (b"\x06", "foot"), (b"\x07", "reserved (7)")],
)
def test_body_sensor_location_names(raw: bytes, name: str) -> None:
    assert decode_body_sensor_location(raw) == name


@pytest.mark.parametrize("raw", [b"", b"\x01\x01"])
def test_body_sensor_location_must_be_one_byte(raw: bytes) -> None:
    with pytest.raises(MalformedPayload) as info:
        decode_body_sensor_location(raw)
    assert info.value.characteristic == "0x2A38"


@pytest.mark.parametrize(("raw", "percent"), [(b"\x00", 0), (b"\x57", 87), (b"\x64", 100)])
def test_battery_level_percent(raw: bytes, percent: int) -> None:
    assert decode_battery_level(bytearray(raw)) == percent


@pytest.mark.parametrize("raw", [b"", b"\x65", b"\x50\x00"])
def test_battery_level_refuses_wrong_length_and_above_100(raw: bytes) -> None:
    with pytest.raises(MalformedPayload) as info:
        decode_battery_level(raw)
    assert info.value.characteristic == "0x2A19" and info.value.reason


@given(st.binary(max_size=4))
def test_characteristic_decoders_raise_nothing_but_malformed_payload(data: bytes) -> None:
    for decode in (decode_battery_level, decode_body_sensor_location):
        try:
            decode(data)
        except MalformedPayload:
            pass
