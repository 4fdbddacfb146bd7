"""`tolerance analyze`'s ``tolerance`` object: population values flagged by default, a
calibration span or a stored profile, refusals with the reason."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tolerance.api.cli import main
from tolerance.api.storage import Store, queries


@pytest.fixture(scope="module")
def spike_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "spike.csv"
    assert main(["simulate", "stress-spike", "--seed", "3", "--out", str(out)]) == 0
    return out


def _tolerance(path: Path, tmp_path: Path, *extra: str) -> dict[str, object]:
    out = tmp_path / "a.json"
    assert main(["analyze", str(path), "--out", str(out), "--no-progress", *extra]) == 0
    doc: dict[str, object] = json.loads(out.read_text())["tolerance"]
    return doc


def test_without_a_baseline_a_provisional_one_is_learnt_and_said(spike_csv: Path, tmp_path: Path) -> None:
    doc = _tolerance(spike_csv, tmp_path)
    assert doc["baseline"]["source"] == "provisional"  # type: ignore[index]
    tiw = doc["time_in_window"]
    assert set(tiw) >= {"within_s", "hyper_s", "hypo_s", "activity_s", "unknown_s", "learning_s", "within_share"}  # type: ignore[arg-type]
    assert tiw["learning_s"] > 30  # type: ignore[index]


def test_the_index_series_is_in_the_output_at_the_tick_cadence(spike_csv: Path, tmp_path: Path) -> None:
    ticks = _tolerance(spike_csv, tmp_path)["ticks"]
    t, a, z = ticks["t"], ticks["arousal"], ticks["zone"]  # type: ignore[index]
    assert len(t) == len(a) == len(z) > 100
    assert all(4.0 <= t1 - t0 < 6.5 for t0, t1 in zip(t, t[1:], strict=False))
    assert z[0] == "warmup" and "learning" in z and "within" in z and "hyper" in z  # the scripted stress event
    assert all(v is None for v, zz in zip(a, z, strict=True) if zz == "warmup")  # no index before a window
    assert max(v for v in a if v is not None) > 2.0


def test_a_calibration_span_finds_the_one_scripted_episode(spike_csv: Path, tmp_path: Path) -> None:
    doc = _tolerance(spike_csv, tmp_path, "--baseline", "0:180")
    assert doc["baseline"]["source"] == "range"  # type: ignore[index]
    (e,) = doc["episodes"]  # type: ignore[misc]
    assert 190 < e["peak_s"] < 250 and e["tau_s"] is not None
    assert set(e) >= {"start_s", "peak_s", "peak", "return_s", "recovery_s", "tau_s", "r2", "area", "breathing",
                      "activity", "reactivation_of", "logistic"}  # fmt: skip


def test_a_span_over_the_stress_event_is_refused_with_the_reason(
    spike_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:  # argparse's own usage error
        main(["analyze", str(spike_csv), "--baseline", "0:100", "--out", str(tmp_path / "x.json")])
    assert exited.value.code == 2 and "180 s" in capsys.readouterr().err
    code = main(["analyze", str(spike_csv), "--baseline", "590:900", "--out", str(tmp_path / "x.json")])
    assert code == 2 and "refused" in capsys.readouterr().err


def test_a_stored_profile_gives_its_baseline_and_window(spike_csv: Path, tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    baseline = {"hr_center_bpm": 66.0, "hr_spread_bpm": 2.0, "ln_rmssd_center": 3.74, "ln_rmssd_spread": 0.15,
                "source": "calibration", "n_windows": 30, "hr_only": False}  # fmt: skip

    async def save() -> None:
        async with Store(db) as store:
            await queries.update_profile(store, "ana", {"baseline": baseline, "band": {"lower": -2.0, "upper": 2.0}})

    asyncio.run(save())
    doc = _tolerance(spike_csv, tmp_path, "--profile", "ana", "--db", str(db))
    assert doc["baseline"]["hr_center_bpm"] == 66.0  # type: ignore[index]
    assert doc["parameters"]["zones"]["band"] == {"lower": -2.0, "upper": 2.0}  # type: ignore[index]
    assert main(["analyze", str(spike_csv), "--profile", "bob", "--db", str(db), "--out", str(tmp_path / "y")]) == 2


def test_a_batch_refuses_a_baseline_rather_than_dropping_it(
    spike_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("a.csv", "b.csv"):
        (folder / name).write_bytes(spike_csv.read_bytes())
    assert main(["analyze", str(folder), "--baseline", "0:180", "--out", str(tmp_path / "x.json")]) == 2
    assert "one file at a time" in capsys.readouterr().err
