"""`tolerance analyze` in-process: JSON/CSV output, exit 2 with one clear line on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tolerance.api.cli import main

RR_DIR = Path(__file__).parents[1] / "data" / "rr"


def test_json_to_stdout_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["analyze", str(RR_DIR / "pyhrv-nni-long-60min.txt"), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 0
    doc = json.loads(out)
    assert {"windows", "artifacts", "parameters"} <= set(doc)
    assert doc["parameters"]["interpolation_rate"] == 4
    assert doc["windows"][0]["start_s"] == 0 and doc["windows"][0]["end_s"] == 300
    assert doc["windows"][1]["start_s"] == 30
    assert all(a["type"] in {"ectopic", "missed", "extra", "long", "short"} for a in doc["artifacts"])


def test_csv_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "out.csv"
    code = main([
        "analyze", str(RR_DIR / "pyhrv-nni-short-5min.txt"), "--window", "60", "--step", "60",
        "--format", "csv", "--out", str(out_path), "--no-progress",
    ])
    assert code == 0
    lines = out_path.read_text().splitlines()
    assert lines[0].startswith("start_s,end_s,n_beats")
    assert len(lines) >= 5


def test_neurokit_engine_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([
        "analyze", str(RR_DIR / "pyhrv-nni-short-5min.txt"), "--window", "120", "--step", "60",
        "--engine", "neurokit", "--no-progress",
    ])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["parameters"]["engine"] == "neurokit"
    assert doc["windows"][0]["HRV_LF"] is not None


def test_implausible_values_are_listed_as_excluded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rr.txt"
    path.write_text("\n".join(["800"] * 50 + ["40"] + ["800"] * 50) + "\n")
    assert main(["analyze", str(path), "--window", "30", "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["excluded"] == [{"index": 50, "line": 51, "rr_ms": 40.0, "reason": "below 200 ms"}]


@pytest.mark.parametrize("text", ["800\nhello\n", "", "800\n-3\n"])
def test_bad_file_exits_2_with_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    assert main(["analyze", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and str(path) in err
    assert "Traceback" not in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["12\n25000\n", "rr_ms\n", "-800\n", "nan\nnan\n", ""])
def test_a_file_without_usable_rr_is_a_clear_error_not_an_empty_result(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rr.txt"
    path.write_text(content)
    assert main(["analyze", str(path), "--no-progress"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.startswith("tolerance analyze:") and str(path) in err
