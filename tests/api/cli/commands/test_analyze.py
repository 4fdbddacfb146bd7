"""`tolerance analyze` in-process: JSON/CSV output, exit 2 with one clear line on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tolerance.api.cli import main
from tolerance.api.cli.exits import ExitCode

RR_DIR = Path(__file__).parents[3] / "data" / "rr"


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
    code = main(
        [
            "analyze",
            str(RR_DIR / "pyhrv-nni-short-5min.txt"),
            "--window",
            "60",
            "--step",
            "60",
            "--format",
            "csv",
            "--out",
            str(out_path),
            "--no-progress",
        ]
    )
    assert code == 0
    lines = out_path.read_text().splitlines()
    assert lines[0].startswith("start_s,end_s,n_beats")
    assert len(lines) >= 5


def test_neurokit_engine_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "analyze",
            str(RR_DIR / "pyhrv-nni-short-5min.txt"),
            "--window",
            "120",
            "--step",
            "60",
            "--engine",
            "neurokit",
            "--no-progress",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["parameters"]["engine"] == "neurokit"
    assert doc["windows"][0]["HRV_LF"] is not None


def test_implausible_values_are_listed_as_excluded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rr.txt"
    path.write_text("\n".join(["800"] * 50 + ["40"] + ["800"] * 50) + "\n")
    assert main(["analyze", str(path), "--window", "30", "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["excluded"] == [{"index": 50, "line": 51, "rr_ms": 40.0, "reason": "below 200 ms"}]


@pytest.mark.parametrize("text", ["800\nhello\n", "", "800\n-3\n"])
def test_bad_file_exits_2_with_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
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


@pytest.mark.parametrize("content", ["rr_ms\n", "-800\n", "nan\nnan\n", ""])
def test_a_file_without_usable_rr_is_a_clear_error_not_an_empty_result(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rr.txt"
    path.write_text(content)
    assert main(["analyze", str(path), "--no-progress"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.startswith("tolerance analyze:") and str(path) in err


def test_analyze_reads_the_csv_that_simulate_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = tmp_path / "x.csv"
    assert main(["simulate", "calm", "--seed", "1", "--duration", "120", "--out", str(sim)]) == 0
    capsys.readouterr()
    assert main(["analyze", str(sim), "--window", "60", "--step", "30", "--no-progress"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["parameters"]["input_layout"] == "named-column"
    assert doc["parameters"]["input_unit"] == "ms"
    assert len(doc["windows"]) >= 3
    assert doc["windows"][0]["HRV_RMSSD"] is not None


def test_a_standard_5_minute_recording_gives_one_5_minute_window(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 299.6 s of beats: one window [0, 300] covered >= 80 %, with its real coverage.
    path = RR_DIR / "pyhrv-nni-short-5min.txt"
    assert main(["analyze", str(path), "--window", "300", "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["windows"]) == 1
    window = doc["windows"][0]
    assert (window["start_s"], window["end_s"]) == (0, 300)
    assert 0.8 * 300 <= window["covered_s"] < 300
    assert window["HRV_RMSSD"] is not None and window["HRV_LF"] is not None
    assert doc["parameters"]["min_coverage"] == 0.8


def _file_with_implausible_values(tmp_path: Path) -> Path:
    path = tmp_path / "rr.txt"
    values = ["800"] * 100 + ["25000"] + ["800"] * 100 + ["40"] + ["800"] * 50
    path.write_text("\n".join(values) + "\n")
    return path


def test_csv_to_a_file_writes_the_excluded_values_beside_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "day.csv"
    code = main(
        [
            "analyze",
            str(_file_with_implausible_values(tmp_path)),
            "--window",
            "30",
            "--format",
            "csv",
            "--out",
            str(out_path),
            "--no-progress",
        ]
    )
    assert code == 0
    assert (tmp_path / "day.excluded.csv").read_text().splitlines() == [
        "index,line,rr_ms,reason",
        "100,101,25000.0,above 3000 ms",
        "201,202,40.0,below 200 ms",
    ]
    assert out_path.read_text().startswith("start_s,end_s,n_beats,covered_s,segment,")


def test_csv_to_a_file_without_exclusions_still_writes_the_excluded_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Always written (header only), so that a stale one from an earlier run cannot remain.
    out_path = tmp_path / "out.csv"
    args = ["analyze", str(RR_DIR / "pyhrv-nni-short-5min.txt"), "--window", "60"]
    assert main([*args, "--format", "csv", "--out", str(out_path), "--no-progress"]) == 0
    assert (tmp_path / "out.excluded.csv").read_text() == "index,line,rr_ms,reason\n"


def test_csv_to_stdout_lists_the_excluded_values_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file_with_implausible_values(tmp_path)
    assert main(["analyze", str(path), "--window", "30", "--format", "csv", "--no-progress"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("start_s,end_s,")
    lines = [line for line in err.splitlines() if line.startswith("tolerance analyze: excluded")]
    assert lines == [
        "tolerance analyze: excluded index=100 line=101 rr_ms=25000.0 reason=above 3000 ms",
        "tolerance analyze: excluded index=201 line=202 rr_ms=40.0 reason=below 200 ms",
    ]


def test_a_drop_out_in_the_file_splits_the_windows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 80 s of 800 ms beats, a 25 s drop-out, 80 s, a 40 ms value, 40 s: the drop-out splits
    # the series in two; the spurious 40 ms value is dropped without a break.
    path = _file_with_implausible_values(tmp_path)
    assert main(["analyze", str(path), "--window", "30", "--step", "10", "--no-progress"]) == 0
    windows = json.loads(capsys.readouterr().out)["windows"]
    assert {w["segment"] for w in windows} == {0, 1}
    for w in windows:
        # Beats of one side only: their duration fits in the part of the window it covers.
        assert w["n_beats"] * 0.8 <= w["covered_s"] + 1e-6
    # Time goes on through the drop-out: the second segment's beats span 105-185 s.
    by_start = {w["start_s"]: w for w in windows}
    assert by_start[110]["segment"] == 1 and by_start[110]["covered_s"] == 30
    assert by_start[70]["segment"] == 0 and by_start[70]["HRV_RMSSD"] is None  # 10 s covered


def test_spurious_short_values_are_dropped_without_cutting_the_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A strap that appends a ~50 ms value to some notifications (a Garmin quirk): the values
    # are listed as excluded, but the series stays one piece and time does not advance by them.
    rr = [int(v) for v in (RR_DIR / "pyhrv-nni-long-60min.txt").read_text().split()[:700]]
    with_spurious = []
    for i, v in enumerate(rr):
        with_spurious.append(v)
        if i % 20 == 10:
            with_spurious.append(50)
    clean_path, quirky_path = tmp_path / "clean.txt", tmp_path / "quirky.txt"
    clean_path.write_text("\n".join(map(str, rr)))
    quirky_path.write_text("\n".join(map(str, with_spurious)))
    assert main(["analyze", str(clean_path), "--no-progress"]) == 0
    clean = json.loads(capsys.readouterr().out)
    assert main(["analyze", str(quirky_path), "--no-progress"]) == 0
    quirky = json.loads(capsys.readouterr().out)
    assert len(quirky["excluded"]) == 35
    assert len(quirky["windows"]) == len(clean["windows"])
    assert {w["segment"] for w in quirky["windows"]} == {0}
    for a, b in zip(clean["windows"], quirky["windows"], strict=True):
        assert (a["start_s"], a["HRV_RMSSD"]) == (b["start_s"], b["HRV_RMSSD"])


def test_a_file_giving_no_window_exits_3_with_the_reason_and_writes_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 60 s of beats cannot fill 80 % of a 300 s window: no number, so no exit 0 (issue 24: but
    # the windows, their reasons, the artifacts and the excluded values are all written).
    path = tmp_path / "short.txt"
    path.write_text("\n".join(["800", "810", "790"] * 25) + "\n25000\n" + "\n".join(["800", "810"] * 5) + "\n")
    assert main(["analyze", str(path), "--no-progress"]) == ExitCode.NO_WINDOW == 3
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["windows"] and all(w["reason"] for w in doc["windows"])
    assert doc["excluded"][0]["rr_ms"] == 25000 and "artifacts" in doc and "parameters" in doc
    assert err.count("\n") == 1 and "no window was computed" in err
    assert "--window 70 or shorter would give a window" in err  # 60 s of beats: 60 / 0.8 = 75


def test_a_216_s_recording_names_the_window_that_fits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 24: a 216 s recording and the default 300 s window."""
    rr = 800.0 + 40.0 * np.sin(np.arange(270) / 3.0)  # 270 beats of 800 ms: 216 s
    path = tmp_path / "short.txt"
    path.write_text("\n".join(f"{v:.1f}" for v in rr) + "\n")
    assert main(["analyze", str(path), "--no-progress"]) == 3
    err = capsys.readouterr().err
    assert "--window 270 or shorter would give a window" in err and "--window 210 is covered in full" in err
    assert main(["analyze", str(path), "--no-progress", "--window", "270"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["windows"][0]["HRV_RMSSD"] is not None


def test_no_window_in_csv_still_writes_the_rows_and_the_excluded_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "short.txt"
    path.write_text("\n".join(["800", "810", "790"] * 25) + "\n20\n")
    out = tmp_path / "out.csv"
    assert main(["analyze", str(path), "--no-progress", "--format", "csv", "--out", str(out)]) == 3
    rows = out.read_text().splitlines()
    assert rows[0].startswith("start_s") and len(rows) == 2 and "contiguous beats" in rows[1]
    assert (tmp_path / "out.excluded.csv").read_text().splitlines()[1].startswith("75,76,20")


def test_a_file_of_excluded_values_only_writes_them_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rr.txt"
    path.write_text("12\n25000\n")
    assert main(["analyze", str(path), "--no-progress"]) == 3
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["windows"] == [] and [e["rr_ms"] for e in doc["excluded"]] == [12, 25000]
    assert "no usable RR intervals" in err and "Traceback" not in err


def test_too_many_corrected_beats_names_the_correction_and_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(3)
    rr = 850.0 + rng.normal(0, 15, 400)
    rr[::4] *= rng.choice([0.55, 1.6], rr[::4].size)  # a quarter of the beats are artifacts
    path = tmp_path / "noisy.txt"
    path.write_text("\n".join(f"{v:.0f}" for v in rr) + "\n")
    assert main(["analyze", str(path), "--no-progress"]) == 3
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["windows"] and all(w["reason"] for w in doc["windows"])
    assert "--max-abnormal-share raises it" in err
    assert main(["analyze", str(path), "--no-progress", "--max-abnormal-share", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["parameters"]["max_abnormal_share"] == 1.0 and doc["windows"][0]["HRV_RMSSD"] is not None


def test_the_reading_is_stated_in_the_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rr = np.loadtxt(Path(__file__).parents[3] / "data" / "rr" / "pyhrv-nni-short-5min.txt")
    path = tmp_path / "rr.csv"
    path.write_text("RR Interval (ms),Elapsed (s)\n" + "".join(f"{v:.0f},{k}\n" for k, v in enumerate(rr)))
    assert main(["analyze", str(path), "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "RR Interval (ms)" in doc["parameters"]["input"]["rr_column"]
    assert main(["analyze", str(RR_DIR / "pyhrv-nni-short-5min.txt"), "--no-progress"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert doc["windows"] == plain["windows"]


def _study(tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("pyhrv-nni-short-5min.txt", "pyhrv-nni-long-60min.txt"):
        (folder / name).write_bytes((RR_DIR / name).read_bytes())
    (folder / "no_rr.csv").write_text("time,hr,steps\n0,70,1\n1,71,2\n")
    return folder


def test_a_folder_is_one_table_with_failures_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(_study(tmp_path)), "--no-progress"]) == 1  # one file failed
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    files = {r["file"].rsplit("/", 1)[-1] for r in doc["rows"]}
    assert files == {"pyhrv-nni-short-5min.txt", "pyhrv-nni-long-60min.txt"}
    assert [f["file"].rsplit("/", 1)[-1] for f in doc["failures"]] == ["no_rr.csv"]
    assert "no column that can be RR" in captured.err


def test_batch_rows_equal_single_file_windows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = str(RR_DIR / "pyhrv-nni-short-5min.txt")
    assert main(["analyze", name, name, "--no-progress"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert main(["analyze", name, "--no-progress"]) == 0
    single = json.loads(capsys.readouterr().out)["windows"]
    assert [{k: v for k, v in r.items() if k != "file"} for r in rows[: len(single)]] == single


def test_batch_runs_on_a_dask_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        code = main(["analyze", str(_study(tmp_path)), "--dask", cluster.scheduler_address, "--no-progress"])
    assert code == 1
    doc = json.loads(capsys.readouterr().out)
    assert len({r["file"] for r in doc["rows"]}) == 2 and len(doc["failures"]) == 1


def test_spectrum_kubios_names_its_settings_and_changes_only_the_spectrum(capsys: pytest.CaptureFixture[str]) -> None:
    name = str(RR_DIR / "pyhrv-nni-long-60min.txt")
    assert main(["analyze", name, "--spectrum", "kubios", "--step", "300", "--no-progress"]) == 0
    kubios = json.loads(capsys.readouterr().out)
    assert main(["analyze", name, "--step", "300", "--no-progress"]) == 0
    default = json.loads(capsys.readouterr().out)
    p = kubios["parameters"]
    assert p["welch_segments"] == "kubios" and "Kubios" in p["spectral_method"]
    assert (p["interpolation_method"], p["window"], p["detrend_lambda"], p["welch_segment_s"]) == (
        "cubic",
        "hanning",
        500,
        256,
    )
    assert p["vlf_hz"] == [0, 0.04] and default["parameters"]["welch_segments"] == "cover"
    assert len(kubios["windows"]) == len(default["windows"]) == 12
    for k, d in zip(kubios["windows"], default["windows"], strict=True):
        # Kubios' time domain: MeanNN of the intervals, SDNN and RMSSD of the detrended ones.
        assert (k["HRV_MeanNN"], k["corrected_share"]) == (d["HRV_MeanNN"], d["corrected_share"])
        assert k["HRV_SDNN"] < d["HRV_SDNN"] and k["HRV_RMSSD"] == pytest.approx(d["HRV_RMSSD"], rel=0.02)
        assert k["HRV_LF"] is not None and k["HRV_LF"] != d["HRV_LF"]
        # Kubios reports VLF from 5-minute windows: so does its mode; TP = VLF + LF + HF.
        assert k["HRV_TP"] == pytest.approx(k["HRV_VLF"] + k["HRV_LF"] + k["HRV_HF"], rel=1e-12)
    # Over the hour, HF of the two methods agrees within 10 % (one 256 s segment against three of
    # 150 s per window: window by window they differ by more, the estimators' variance).
    hf_k = np.median([w["HRV_HF"] for w in kubios["windows"]])
    hf_d = np.median([w["HRV_HF"] for w in default["windows"]])
    assert hf_k == pytest.approx(hf_d, rel=0.1)


def test_spectrum_kubios_in_a_batch_is_stated_in_each_files_parameters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = str(RR_DIR / "pyhrv-nni-short-5min.txt")
    assert main(["analyze", name, name, "--spectrum", "kubios", "--no-progress"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert main(["analyze", name, "--spectrum", "kubios", "--no-progress"]) == 0
    single = json.loads(capsys.readouterr().out)
    assert [{k: v for k, v in r.items() if k != "file"} for r in rows[: len(single["windows"])]] == single["windows"]


def test_spectrum_kubios_with_the_neurokit_engine_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    name = str(RR_DIR / "pyhrv-nni-short-5min.txt")
    assert main(["analyze", name, "--spectrum", "kubios", "--engine", "neurokit", "--no-progress"]) == 2
    assert "--engine fast" in capsys.readouterr().err


def test_correction_none_and_a_kubios_level_are_named_in_the_parameters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = str(RR_DIR / "pyhrv-nni-short-5min.txt")
    docs = {}
    for method in ("auto", "none", "medium"):
        assert main(["analyze", name, "--no-progress", "--correction", method]) == 0
        docs[method] = json.loads(capsys.readouterr().out)
        assert docs[method]["parameters"]["correction"] == method
        assert set(docs[method]["windows"][0]["corrected"]) == {"ectopic", "missed", "extra", "long", "short"}
    raw = np.loadtxt(RR_DIR / "pyhrv-nni-short-5min.txt")
    assert docs["none"]["windows"][0]["HRV_RMSSD"] == pytest.approx(np.sqrt(np.mean(np.diff(raw) ** 2)), rel=1e-9)
    assert docs["none"]["windows"][0]["corrected_share"] == 0 and docs["none"]["artifacts"]


def test_neurokit_engine_refuses_another_correction(capsys: pytest.CaptureFixture[str]) -> None:
    name = str(RR_DIR / "pyhrv-nni-short-5min.txt")
    assert main(["analyze", name, "--engine", "neurokit", "--correction", "medium", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--correction neurokit" in err


def test_neurokit_engine_gives_windows_on_polar_1024_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 24: sub-millisecond RR (Polar's 1/1024 s) gave no window with --engine neurokit."""
    rng = np.random.default_rng(11)
    raw = np.round((850 + 30 * np.sin(np.arange(400) / 4) + rng.normal(0, 5, 400)) * 1.024)
    raw[200] = round(raw[200] * 0.6)  # one premature beat, so that neurokit2 moves a peak
    path = tmp_path / "polar.txt"
    path.write_text("\n".join(f"{v / 1.024:.10f}" for v in raw) + "\n")
    assert main(["analyze", str(path), "--engine", "neurokit", "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["parameters"]["neurokit_sampling_rate_hz"] == [1024.0]
    assert doc["windows"][0]["HRV_RMSSD"] is not None and doc["windows"][0]["corrected_share"] < 0.05


def test_offline_baseline_accepts_a_clean_300_s_span(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 24: a clean 0:300 span must calibrate (END - START - 70 s of usable windows)."""
    name = str(RR_DIR / "pyhrv-nni-long-60min.txt")
    out = tmp_path / "a.json"
    assert main(["analyze", name, "--baseline", "0:300", "--out", str(out), "--no-progress"]) == 0
    assert json.loads(out.read_text())["tolerance"]["baseline"]["source"] == "range"


def test_kubios_settings_reproduce_the_31_report_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 24: the report's settings as options; the JSON's parameters name each one."""
    name = str(Path(__file__).parents[3] / "data" / "kubios" / "pgomes92-kubios-3.1-rr.txt")
    args = ["analyze", name, "--spectrum", "kubios", "--detrend", "none", "--welch-window", "300"]
    args += ["--points-per-hz", "300", "--welch-overlap", "0.5", "--interp-hz", "4", "--correction", "none"]
    assert main([*args, "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out)
    p = doc["parameters"]
    assert (p["detrend_lambda"], p["welch_segment_s"], p["points_per_hz"], p["welch_overlap"]) == (None, 300, 300, 0.5)
    assert p["interpolation_rate"] == 4 and p["correction"] == "none" and "none" in p["detrend"]
    (w,) = doc["windows"]
    report = {"HRV_MeanNN": 707.5437, "HRV_SDNN": 92.7945, "HRV_RMSSD": 56.8586, "HRV_LF": 5673.0207}
    for key, value in report.items():
        assert w[key] == pytest.approx(value, rel=0.01), key


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lambda", "300"], "only with --spectrum kubios"),
        (["--spectrum", "kubios", "--detrend", "none", "--lambda", "300"], "not with --detrend none"),
        (["--spectrum", "kubios", "--welch-window", "400", "--points-per-hz", "300"], "points/Hz"),
    ],
)
def test_inconsistent_kubios_settings_are_refused_in_one_line(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(RR_DIR / "pyhrv-nni-short-5min.txt"), *extra, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
