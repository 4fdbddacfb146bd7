"""The Polar PMD decoders against frames built by hand from the documented layout.

No capture from a real H10 was available: every payload here is written from the Polar BLE
SDK's description (see the module docstring of ``sensors/polar_pmd.py``), byte by byte.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tolerance.sensors.errors import MalformedPayload
from tolerance.sensors.polar.pmd import (
    ECG_START_H10,
    ECG_STOP,
    PMD_CONTROL_POINT_UUID,
    PMD_DATA_UUID,
    PMD_SERVICE_UUID,
    ControlPointResponse,
    EcgFrame,
    MeasurementStopped,
    PmdOpCode,
    PmdStatus,
    decode_control_point,
    decode_ecg_frame,
    ecg_start_command,
    encode_ecg_frame,
)

# TimeSystemExplained.md's example H10 timestamp (ns since 2000-01-01), little-endian.
TS = 599616023171427290
TS_LE = "da eb c3 9e 98 43 52 08"


def test_uuids_are_polars_pmd_service_control_point_and_data() -> None:
    assert PMD_SERVICE_UUID == "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
    assert PMD_CONTROL_POINT_UUID == "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
    assert PMD_DATA_UUID == "fb005c82-02e7-f387-1cad-8acd2d8df0c8"


def test_start_command_asks_for_ecg_at_130_hz_and_14_bit() -> None:
    # op 2 (start), type 0 (ECG), setting 0 (rate) x1 = 130, setting 1 (resolution) x1 = 14
    assert ECG_START_H10 == bytes.fromhex("02 00  00 01 82 00  01 01 0e 00")
    assert ecg_start_command(130, 14) == ECG_START_H10
    assert ECG_STOP == bytes.fromhex("03 00")


def test_start_command_refuses_values_outside_a_uint16() -> None:
    with pytest.raises(ValueError):
        ecg_start_command(0x10000, 14)


def test_ecg_frame_type_0_decodes_int24_microvolts_and_the_timestamp() -> None:
    payload = bytes.fromhex(
        "00" + TS_LE + "00"  # ECG, timestamp, frame type 0
        "64 00 00"  # 100
        "9c ff ff"  # -100
        "00 00 00"  # 0
        "d2 04 00"  # 1234
        "ff ff 7f"  # 8388607, int24 max
        "00 00 80"  # -8388608, int24 min
    )
    frame = decode_ecg_frame(payload)
    assert frame == EcgFrame(timestamp_ns=TS, samples_uv=(100, -100, 0, 1234, 8388607, -8388608))
    assert encode_ecg_frame(frame) == payload


def test_the_frame_timestamp_is_the_last_samples_and_earlier_ones_step_back_at_130_hz() -> None:
    frame = decode_ecg_frame(bytes.fromhex("00" + TS_LE + "00" + "01 00 00" * 3))
    times = frame.sample_times_ns()
    assert times[-1] == TS
    steps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert all(abs(step - 1e9 / 130) < 1 for step in steps)  # 7692307.7 ns, rounded to whole ns
    assert times[0] == TS - round(2 * 1e9 / 130)


@pytest.mark.parametrize(
    ("hex_payload", "words"),
    [
        ("", "empty"),
        ("00 da eb c3 9e 98", "timestamp truncated: 5 of 8"),
        ("00" + TS_LE, "no frame-type byte"),
        ("00" + TS_LE + "00", "no samples"),
        ("00" + TS_LE + "00 64 00 00 9c", "1 left over"),
        ("00" + TS_LE + "00 64 00 00 9c ff", "2 left over"),
        ("02" + TS_LE + "00 64 00 00", "measurement type 2 is not ECG"),
        ("03" + TS_LE + "00 64 00 00", "measurement type 3 is not ECG"),
        ("00" + TS_LE + "80 64 00 00", "compressed"),
        ("00" + TS_LE + "01 64 00 00", "frame type 1 is not supported"),
    ],
    ids=[
        "empty",
        "truncated-timestamp",
        "no-frame-type",
        "no-samples",
        "partial-sample-1",
        "partial-sample-2",
        "acc",
        "ppi",
        "compressed",
        "frame-type-1",
    ],
)
def test_malformed_ecg_frames_are_refused_with_a_reason(hex_payload: str, words: str) -> None:
    payload = bytes.fromhex(hex_payload)
    with pytest.raises(MalformedPayload) as info:
        decode_ecg_frame(payload)
    assert words in info.value.reason
    assert info.value.payload == payload
    assert info.value.characteristic == "PMD data"


def test_a_successful_start_response_carries_its_parameters() -> None:
    # F0 response, op 2 (start), ECG, status 0, more 0, parameters: factor (5) x1 = 1.0f
    r = decode_control_point(bytes.fromhex("f0 02 00 00 00  05 01 00 00 80 3f"))
    assert r == ControlPointResponse(
        op_code=PmdOpCode.REQUEST_MEASUREMENT_START,
        measurement_type=0,
        status=PmdStatus.SUCCESS,
        more=False,
        parameters=bytes.fromhex("05 01 00 00 80 3f"),
    )
    assert r.ok


def test_a_bare_successful_response_has_no_parameters() -> None:
    r = decode_control_point(bytes.fromhex("f0 03 00 00"))
    assert isinstance(r, ControlPointResponse)
    assert r.ok and r.op_code == PmdOpCode.STOP_MEASUREMENT and not r.more and r.parameters == b""


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (6, PmdStatus.ERROR_ALREADY_IN_STATE),
        (8, PmdStatus.ERROR_INVALID_SAMPLE_RATE),
        (13, PmdStatus.ERROR_DEVICE_IN_CHARGER),
        (14, PmdStatus.ERROR_DISK_FULL),
    ],
)
def test_error_responses_name_the_documented_status(code: int, status: PmdStatus) -> None:
    r = decode_control_point(bytes([0xF0, 0x02, 0x00, code, 0x01, 0xAA]))  # bytes after an error are ignored
    assert isinstance(r, ControlPointResponse)
    assert not r.ok
    assert r.status is status and r.status_name == status.name
    assert not r.more and r.parameters == b""


def test_an_undocumented_status_is_kept_as_a_number_not_refused() -> None:
    r = decode_control_point(bytes.fromhex("f0 02 00 2a"))
    assert isinstance(r, ControlPointResponse)
    assert r.status == 42 and not r.ok and r.status_name == "UNKNOWN_STATUS_42"


def test_the_straps_own_stop_indication_lists_the_stopped_types() -> None:
    assert decode_control_point(bytes.fromhex("01 00")) == MeasurementStopped(measurement_types=(0,))


@pytest.mark.parametrize(
    ("hex_payload", "words"),
    [("", "empty"), ("55 02 00 00", "neither a response"), ("f0 02 00", "at least 4 bytes")],
)
def test_malformed_control_point_indications_are_refused(hex_payload: str, words: str) -> None:
    with pytest.raises(MalformedPayload) as info:
        decode_control_point(bytes.fromhex(hex_payload))
    assert words in info.value.reason
    assert info.value.characteristic == "PMD control point"


@given(st.binary(max_size=64))
def test_arbitrary_bytes_give_a_frame_or_malformed_payload_and_nothing_else(data: bytes) -> None:
    try:
        frame = decode_ecg_frame(data)
    except MalformedPayload:
        return
    assert encode_ecg_frame(frame) == data


@given(st.binary(max_size=32))
def test_arbitrary_control_point_bytes_decode_or_raise_malformed_payload_only(data: bytes) -> None:
    try:
        decode_control_point(data)
    except MalformedPayload:
        pass


@given(
    st.integers(0, 2**64 - 1),
    st.lists(st.integers(-(2**23), 2**23 - 1), min_size=1, max_size=80).map(tuple),
)
def test_encode_then_decode_is_the_identity(ts: int, samples: tuple[int, ...]) -> None:
    frame = EcgFrame(timestamp_ns=ts, samples_uv=samples)
    assert decode_ecg_frame(encode_ecg_frame(frame)) == frame
