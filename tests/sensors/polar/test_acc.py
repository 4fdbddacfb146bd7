"""The PMD accelerometer codec and the measurement settings, on frames written byte by byte from
Polar's documented layout (``sensors/polar/acc.py``: ``AccData.kt``, ``parseDeltaFramesAll``).

No capture of a real H10 was available: every payload is built by hand here, with the arithmetic
in the comments, so that the decoder is checked against the layout, not against the encoder."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tolerance.sensors.errors import MalformedPayload
from tolerance.sensors.polar import (
    ACC_STOP,
    AccFrame,
    ControlPointResponse,
    PmdSettingType,
    acc_start_command,
    decode_acc_frame,
    decode_control_point,
    decode_settings,
    encode_acc_frame,
    start_factor,
)

TS = 599616023171427290  # TimeSystemExplained.md's example timestamp, ns since 2000-01-01
TS_LE = "da eb c3 9e 98 43 52 08"


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def test_start_command_is_type_2_with_rate_resolution_and_range_as_le16() -> None:
    assert acc_start_command() == h("02 02  00 01 19 00  01 01 10 00  02 01 08 00")
    assert acc_start_command(200, 2) == h("02 02  00 01 c8 00  01 01 10 00  02 01 02 00")
    assert ACC_STOP == h("03 02")
    with pytest.raises(ValueError, match="does not fit"):
        acc_start_command(70_000)


def test_uncompressed_type_1_is_int16_xyz_in_mg() -> None:
    # (1, -2, 1000) then (-1000, 0, 32767)
    frame = decode_acc_frame(h(f"02 {TS_LE} 01  01 00 fe ff e8 03  18 fc 00 00 ff 7f"))
    assert frame == AccFrame(TS, ((1, -2, 1000), (-1000, 0, 32767)), frame_type=1, compressed=False)


def test_uncompressed_type_0_and_2_are_int8_and_int24() -> None:
    assert decode_acc_frame(h(f"02 {TS_LE} 00  ff 01 80")).samples_mg == ((-1, 1, -128),)
    assert decode_acc_frame(h(f"02 {TS_LE} 02  ff ff ff 00 00 80 01 00 00")).samples_mg == ((-1, -(1 << 23), 1),)


def test_delta_compressed_type_1_adds_packed_signed_deltas_to_the_reference() -> None:
    # Reference (1000, 0, -1000); one block: width 3, count 2, deltas (+1, -1, 0), (+3, -4, +2)
    # as 3-bit fields from bit 0 on: 001 111 000 011 100 010 -> 0x14639 -> bytes 39 46 01.
    frame = decode_acc_frame(h(f"02 {TS_LE} 81  e8 03 00 00 18 fc  03 02 39 46 01"))
    assert frame.compressed and frame.frame_type == 1
    assert frame.samples_mg == ((1000, 0, -1000), (1001, -1, -1000), (1004, -5, -998))


def test_a_second_block_continues_from_the_last_sample_and_the_factor_scales() -> None:
    # Reference (10, 20, 30); block 1: width 2, count 1, (1, -1, 0) -> 01 11 00 -> 0b001101 = 0x0d;
    # block 2: width 8, count 1, (-128, 127, 5) -> 80 7f 05.
    payload = h(f"02 {TS_LE} 81  0a 00 14 00 1e 00  02 01 0d  08 01 80 7f 05")
    assert decode_acc_frame(payload).samples_mg == ((10, 20, 30), (11, 19, 30), (-117, 146, 35))
    assert decode_acc_frame(payload, factor=0.5).samples_mg == ((5, 10, 15), (5, 9, 15), (-58, 73, 17))


@pytest.mark.parametrize(
    ("hex_payload", "reason"),
    [
        ("", "empty payload"),
        (f"00 {TS_LE} 01 01 00 02 00 03 00", "measurement type 0 is not accelerometer"),
        ("02 da eb c3", "timestamp truncated"),
        (f"02 {TS_LE}", "no frame-type byte"),
        (f"02 {TS_LE} 01", "no samples"),
        (f"02 {TS_LE} 01 01 00 02 00 03", "left over"),
        (f"02 {TS_LE} 03 01 02 03", "frame type 3 is not supported"),
        (f"02 {TS_LE} 80 01 00 02 00 03 00", "compressed accelerometer frame type 0"),
        (f"02 {TS_LE} 81 01 00 02 00", "6-byte reference"),
        (f"02 {TS_LE} 81 01 00 02 00 03 00 03", "no count byte"),
        (f"02 {TS_LE} 81 01 00 02 00 03 00 03 02 39 46", "need 3 bytes, 2 follow"),
        (f"02 {TS_LE} 81 01 00 02 00 03 00 00 02", "width 0 bits"),
        (f"02 {TS_LE} 81 01 00 02 00 03 00 21 01 00", "width 33 bits"),
    ],
)
def test_malformed_frames_are_refused_with_the_reason(hex_payload: str, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason) as info:
        decode_acc_frame(h(hex_payload))
    assert info.value.payload == h(hex_payload)


xyz = st.tuples(*[st.integers(-32768, 32767)] * 3)


@given(st.lists(xyz, min_size=1, max_size=600), st.integers(0, (1 << 64) - 1), st.booleans())
def test_encode_then_decode_gives_the_frame_back(samples: list[tuple[int, int, int]], ts: int, packed: bool) -> None:
    frame = AccFrame(ts, tuple(samples), frame_type=1, compressed=packed)
    assert decode_acc_frame(encode_acc_frame(frame)) == frame


@given(st.binary(max_size=80))
def test_any_bytes_decode_or_are_refused_never_anything_else(data: bytes) -> None:
    try:
        decode_acc_frame(b"\x02" + data)
    except MalformedPayload:
        pass


def test_settings_decode_and_the_start_reply_factor() -> None:
    params = h("00 02 19 00 32 00  02 01 08 00")
    assert decode_settings(params) == {PmdSettingType.SAMPLE_RATE: (25, 50), PmdSettingType.RANGE: (8,)}
    # The H10's documented reply to an accelerometer start carries no parameters: factor 1.
    reply = decode_control_point(h("f0 02 02 00 00"))
    assert isinstance(reply, ControlPointResponse) and reply.ok
    assert start_factor(reply) == 1.0
    # A reply with a factor setting (type 5, one float32): 0.5 is 00 00 00 3f.
    half = struct.pack("<f", 0.5).hex()
    assert half == "0000003f"
    reply = decode_control_point(h(f"f0 02 02 00 00  05 01 {half}"))
    assert isinstance(reply, ControlPointResponse)
    assert start_factor(reply) == 0.5


@pytest.mark.parametrize(
    ("params", "reason"),
    [("09 01 00 00", "unknown setting type 9"), ("00 02 19 00 32", "announces 2 values"), ("00", "no count byte")],
)
def test_malformed_settings_are_refused(params: str, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        decode_settings(h(params))


def test_a_factor_that_is_not_a_positive_number_is_refused() -> None:
    reply = decode_control_point(h("f0 02 02 00 00 05 01 00 00 c0 7f"))  # NaN
    assert isinstance(reply, ControlPointResponse)
    with pytest.raises(MalformedPayload, match="not a finite positive"):
        start_factor(reply)
