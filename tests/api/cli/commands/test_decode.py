"""`tolerance decode HEX...`, in-process, plus a start-up check in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tolerance.api.cli import main

DATA = json.loads((Path(__file__).parents[3] / "data" / "ble" / "heart_rate_measurement.json").read_text())
KEYS = ["hr", "rr_ms", "rr_raw", "contact", "energy_kj"]


def test_every_reference_payload_prints_the_contract_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decode", *[e["hex"] for e in DATA["payloads"]]]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == "" and len(lines) == len(DATA["payloads"])
    for line, e in zip(lines, DATA["payloads"], strict=True):
        obj = json.loads(line)
        assert list(obj) == KEYS
        assert obj == {
            "hr": e["hr"],
            "rr_ms": e["rr_ms"],
            "rr_raw": e["rr_raw"],
            "contact": e["contact"],
            "energy_kj": e["energy_kj"],
        }
        assert all(isinstance(v, float) for v in obj["rr_ms"])


def test_hex_with_separators_and_prefix_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decode", "10:49:5e:03:96:03", "0x10 48 2c 03"]) == 0
    hrs = [json.loads(x)["hr"] for x in capsys.readouterr().out.splitlines()]
    assert hrs == [73, 72]


@pytest.mark.parametrize("entry", DATA["malformed"][1:], ids=lambda e: e["why"])
def test_malformed_payload_exits_2_with_one_line_after_the_good_ones(
    capsys: pytest.CaptureFixture[str], entry: dict
) -> None:
    assert main(["decode", "063c", entry["hex"], "10482c03"]) == 2
    out, err = capsys.readouterr()
    assert [json.loads(x)["hr"] for x in out.splitlines()] == [60]  # before it: printed; after: not
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"payload 2 ('{entry['hex']}')" in err and "malformed heart-rate payload" in err


def test_empty_payload_is_malformed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decode", ""]) == 2
    assert "empty payload" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "why"), [("zz", "not hexadecimal"), ("063", "odd number of hex digits")])
def test_bad_hex_exits_2_naming_the_payload(capsys: pytest.CaptureFixture[str], text: str, why: str) -> None:
    assert main(["decode", text]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"payload 1 ('{text}'): bad hex" in err and why in err


def test_decode_imports_neither_bleak_nor_numpy_nor_neurokit2() -> None:
    code = (
        "import time, sys; t = time.perf_counter(); import tolerance.api.cli.commands.decode, tolerance.api.cli; "
        "print(time.perf_counter() - t); "
        "print(','.join(m for m in ('bleak', 'numpy', 'neurokit2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    _seconds, heavy = result.stdout.splitlines()
    assert heavy == ""  # start-up time itself is a benchmark figure (benchmarks/bench_startup.py)


def test_decode_runs_end_to_end_as_a_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tolerance.api.cli", "decode", "10495e039603"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0 and json.loads(result.stdout)["rr_raw"] == [862, 918]
