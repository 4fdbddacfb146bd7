"""Polar's own BLE streams (experimental, not wired into :class:`~tolerance.sensors.BleStrap` yet):
the PMD control point and ECG frame codec (:mod:`.pmd`). Pure byte codecs, no bleak."""

from .pmd import (
    ECG_STOP,
    MEASUREMENT_TYPE_ECG,
    PMD_CONTROL_POINT_UUID,
    PMD_DATA_UUID,
    PMD_SERVICE_UUID,
    POLAR_EPOCH_UNIX_S,
    ControlPointResponse,
    EcgFrame,
    MeasurementStopped,
    PmdOpCode,
    PmdSettingType,
    PmdStatus,
    decode_control_point,
    decode_ecg_frame,
    ecg_start_command,
    encode_ecg_frame,
)

__all__ = [
    "ECG_STOP",
    "MEASUREMENT_TYPE_ECG",
    "PMD_CONTROL_POINT_UUID",
    "PMD_DATA_UUID",
    "PMD_SERVICE_UUID",
    "POLAR_EPOCH_UNIX_S",
    "ControlPointResponse",
    "EcgFrame",
    "MeasurementStopped",
    "PmdOpCode",
    "PmdSettingType",
    "PmdStatus",
    "decode_control_point",
    "decode_ecg_frame",
    "ecg_start_command",
    "encode_ecg_frame",
]
