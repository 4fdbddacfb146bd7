"""`tolerance simulate`, in-process: the per-beat CSV with ground truth, and its errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from tolerance.api.cli import main
from tolerance.api.cli.commands.simulate import COLUMNS


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_simulate_writes_one_row_per_beat_with_ground_truth(tmp_path: Path) -> None:
    out = tmp_path / "calm.csv"
    assert main(["simulate", "calm", "--seed", "3", "--duration", "120", "--out", str(out)]) == 0
    rows = _rows(out.read_text())
    assert tuple(rows[0]) == COLUMNS
    assert 110 <= len(rows) <= 150  # 66 bpm for two minutes
    rr = np.array([float(r["rr_ms"]) for r in rows])
    ticks = rr * 1024 / 1000
    np.testing.assert_array_equal(ticks, np.round(ticks))  # whole 1/1024 s, written exactly
    true_rr = np.array([float(r["true_rr_ms"]) for r in rows])
    assert np.abs(rr - true_rr).max() < 1.0
    assert {r["artifact"] for r in rows} == {"none"}
    assert {r["contact"] for r in rows} == {"1"}
    t = np.array([float(r["t_s"]) for r in rows])
    assert np.all(np.diff(t) > 0) and t[-1] < 120


def test_same_seed_writes_the_same_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (a, b):
        argv = ["simulate", "stress-spike", "--seed", "5", "--duration", "60", "--out", str(path)]
        assert main(argv) == 0
    assert a.read_bytes() == b.read_bytes()


def test_simulate_to_stdout_with_faults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "artifacts", "--seed", "1", "--out", "-"]) == 0
    rows = _rows(capsys.readouterr().out)
    kinds = {r["artifact"] for r in rows}
    assert {"ectopic", "missed", "extra"} <= kinds
    assert "0" in {r["contact"] for r in rows}
    t = np.array([float(r["t_s"]) for r in rows])
    assert np.diff(t).max() > 5  # the drop-out's beats were never delivered


def test_unknown_scenario_exits_2_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.csv"
    assert main(["simulate", "no-such-thing", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'no-such-thing'" in err and "calm" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_bad_scenario_file_exits_2_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[heart]\nhr_bmp = 70\n")
    assert main(["simulate", str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    assert "heart.hr_bmp" in capsys.readouterr().err
