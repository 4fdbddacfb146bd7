"""``serve --device``'s sources carry the H10 stream options (``--ecg``, ``--no-accelerometer``)."""

from __future__ import annotations

from pathlib import Path

from tolerance.api.cli.main import build_parser
from tolerance.api.session import build_sources, parse_source
from tolerance.api.settings import Settings
from tolerance.sensors import BleStrap


def test_a_device_starts_the_accelerometer_by_default_and_ecg_when_asked(tmp_path: Path) -> None:
    (plain,) = build_sources(Settings(db=tmp_path / "t.sqlite3", devices=["Polar H10 1A2B"]))
    assert isinstance(plain.sensor, BleStrap) and plain.params == {"device": "Polar H10 1A2B"}
    (both,) = build_sources(Settings(db=tmp_path / "t.sqlite3", devices=["Polar H10 1A2B"], ecg=True))
    assert both.params == {"device": "Polar H10 1A2B", "accelerometer": True, "ecg": True}
    settings = Settings(db=tmp_path / "t.sqlite3", accelerometer=False)
    assert parse_source("ble:C4:7C", settings).params == {"device": "C4:7C", "accelerometer": False, "ecg": False}


def test_the_flags_parse() -> None:
    args = build_parser().parse_args(["serve", "--device", "x", "--ecg", "--no-accelerometer"])
    assert args.ecg is True and args.no_accelerometer is True
    args = build_parser().parse_args(["serve", "--device", "x"])
    assert args.ecg is False and args.no_accelerometer is False
