"""(b) ``tolerance analyze`` on a 24-hour recording with artifacts, whole process.

The recording: the real 60-minute NN series (tests/data/rr/pyhrv-nni-long-60min.txt), its own
irregular beats (~2 %, spread over the hour) replaced by local medians, tiled to ``hours``
hours, each hour varied (a heart-rate factor per hour, slower at night, every other hour
reversed, 4 ms Gaussian jitter), then about 2 % artifacts injected with a seeded
``numpy.random.Generator``: ectopic (a premature beat, 65-75 % of its interval, with the
compensatory pause: the pair keeps its sum), missed (two intervals merged into one) and extra
(an interval split in two, the first 30-45 % of it). Artifacts come in bursts, as movement
brings them: the day is cut into 10-minute blocks and 40 % of the blocks carry artifacts at 5 %
of their beats, the other blocks none, so clean 5-minute windows exist for the equality check.
Integer ms, one value per line.

Timed (wall clock, whole process including interpreter start-up, imports and writing the
JSON): ``tolerance analyze FILE --window 300 --step 30 --no-progress --out OUT`` against the
reference ``benchmarks/reference_analyze.py`` (neurokit2's ``signal_fixpeaks`` per segment,
then ``nk.hrv_time`` + ``nk.hrv_frequency(normalize=False, interpolation_rate=4)`` over the same
windows as ``tolerance analyze``: it lays them out with ``tolerance.hrv.segments``), alternating
A, B, A, B; the medians are compared.

Equality: the same window grid (start times) in both outputs; windows whose NN intervals are
the same in both (same count, sum, first and last value) and hold no corrected interval in
either; time domain to 1e-9 relative, LF, HF and LF/HF to 1e-6. The fast engine's NN intervals
are recomputed in this process with the same functions ``analyze_rr`` uses (``detect_artifacts``
+ ``correct_artifacts`` per segment, ``tolerance.hrv.segments`` for the layout), untimed.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from _common import (
    BENCH_DIR,
    PYTHON,
    RR_60MIN,
    TOLERANCE,
    Row,
    clean_env,
    fmt_ratio,
    fmt_s,
    interleaved,
    median,
    rel_diff,
    wall_of,
)

TIME_TOL = 1e-9
FREQ_TOL = 1e-6
TIME_KEYS = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50")
FREQ_KEYS = ("HRV_LF", "HRV_HF", "HRV_LFHF")
MIN_RR_MS, MAX_RR_MS = 220.0, 2900.0
"""Injected values stay inside ``tolerance.hrv.timeline``'s plausible range (200-3000 ms), so both
engines get the same input: the reader drops implausible values, the reference does not."""


def _clean_base(rr: np.ndarray) -> np.ndarray:
    """The real series without its own ~2 % irregular beats (each replaced by the median of the
    11 intervals around it, until the detector finds none), so that the injected artifacts are
    the only ones and clean 5-minute windows exist."""
    from tolerance.hrv import ArtifactType, detect_artifacts

    rr = rr.copy()
    for _ in range(10):
        bad = np.flatnonzero(np.asarray([t != ArtifactType.NORMAL for t in detect_artifacts(rr)]))
        if bad.size == 0:
            break
        for i in bad:
            rr[i] = np.median(rr[max(0, i - 5) : i + 6])
    return rr


def make_recording(path: Path, hours: float, seed: int = 2024) -> dict[str, Any]:
    """Write the RR file (integer ms); return what was injected."""
    rng = np.random.default_rng(seed)
    base = _clean_base(np.loadtxt(RR_60MIN, dtype=np.float64))
    parts = []
    total_ms = 0.0
    h = 0
    while total_ms < hours * 3_600_000.0:
        night = 1.15 if (h % 24) < 6 else 1.0
        x = base[::-1] if h % 2 else base
        x = x * night * float(np.exp(rng.normal(0.0, 0.06))) + rng.normal(0.0, 4.0, x.size)
        parts.append(x)
        total_ms += float(x.sum())
        h += 1
    rr = np.concatenate(parts)
    rr = rr[np.cumsum(rr) <= hours * 3_600_000.0]
    rr = np.clip(np.rint(rr), 300, 2000)

    block_beats = int(600_000 / rr.mean())
    active = rng.random(rr.size // block_beats + 1) < 0.4
    out: list[float] = []
    counts = {"ectopic": 0, "missed": 0, "extra": 0}
    i = 0
    while i < rr.size:
        v = rr[i]
        if active[i // block_beats] and i + 1 < rr.size and rng.random() < 0.05:
            kind = ("ectopic", "missed", "extra")[int(rng.integers(3))]
            if (kind == "ectopic" and v * 0.65 < MIN_RR_MS) or (kind == "extra" and v < 2 * MIN_RR_MS):
                kind = "missed"  # keep every value plausible: the reader would drop it
            if kind == "missed" and v + rr[i + 1] > MAX_RR_MS:
                out.append(v)
                i += 1
                continue
            counts[kind] += 1
            if kind == "ectopic":
                short = float(np.rint(v * rng.uniform(0.65, 0.75)))
                out += [short, rr[i + 1] + (v - short)]
                i += 2
                continue
            if kind == "missed":
                out.append(v + rr[i + 1])
                i += 2
                continue
            first = float(np.clip(np.rint(v * rng.uniform(0.30, 0.45)), MIN_RR_MS, v - MIN_RR_MS))
            out += [first, v - first]
            i += 1
            continue
        out.append(v)
        i += 1
    arr = np.asarray(out)
    path.write_text("\n".join(str(int(v)) for v in arr) + "\n", encoding="utf-8")
    return {
        "beats": int(arr.size),
        "hours": float(arr.sum() / 3_600_000.0),
        "artifacts": counts,
        "artifact_share": sum(counts.values()) / arr.size,
        "seed": seed,
    }


def _fast_nn(path: Path, window_s: float, step_s: float) -> tuple[np.ndarray, ...]:
    """The fast engine's NN series, corrected flags, beat times and window bounds, built as
    ``tolerance analyze`` builds them: drop-outs (values above 3000 ms) are segment breaks,
    artifacts are corrected per segment, the windows are ``tolerance.hrv.segments``'."""
    from tolerance.api.formats import read_rr_file
    from tolerance.hrv import correct_artifacts, detect_artifacts
    from tolerance.hrv.segments import assemble_segments, split_segments, window_bounds
    from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS

    series = read_rr_file(str(path))
    rr = series.rr_ms
    drop_outs = [(e.index, e.rr_ms) for e in series.excluded if e.rr_ms > MAX_PLAUSIBLE_RR_MS]
    ranges, gaps = split_segments(rr.size, np.asarray(series.input_index), drop_outs)
    parts = []
    for lo, hi in ranges:
        corr = correct_artifacts(rr[lo:hi], detect_artifacts(rr[lo:hi]))
        parts.append((np.asarray(corr.nn_ms, dtype=np.float64), np.asarray(corr.is_corrected, dtype=bool)))
    nn_series = assemble_segments(parts, gaps)
    nn, t_end = nn_series.nn, nn_series.t_end
    _, a, b = window_bounds(t_end, nn, window_s, step_s, segment=nn_series.segment)
    return nn, nn_series.corrected, t_end, a, b


def compare(
    path: Path, fast_json: Path, ref_json: Path, window_s: float, step_s: float, sample: int = 150
) -> dict[str, Any]:
    """Equality of the two outputs where they are comparable (see the module docstring)."""
    import warnings

    import neurokit2 as nk

    fast_doc = json.loads(fast_json.read_text())
    ref_doc = json.loads(ref_json.read_text())
    fast, ref = fast_doc["windows"], ref_doc["windows"]
    nn, corrected, t_end, a, b = _fast_nn(path, window_s, step_s)
    # The window grid: both processes lay their windows out with tolerance.hrv.segments. The
    # corrected series may end at slightly different times (interpolated intervals against moved
    # peaks), so the last window past the last beat may be in one output only.
    common = min(len(fast), len(ref))
    same_grid = [w["start_s"] for w in fast[:common]] == [w["start_s"] for w in ref[:common]]

    # 1. Artifact detection: the same input positions flagged (neurokit2's "longshort" is
    #    Tolerance's "long" or "short").
    fast_idx = {int(x["index"]) for x in fast_doc["artifacts"]}
    ref_idx = {i for v in ref_doc["artifacts"].values() for i in v}
    kinds_fast = {}
    for x in fast_doc["artifacts"]:
        kinds_fast[x["type"]] = kinds_fast.get(x["type"], 0) + 1

    # 2. Windows of the two processes holding the same NN intervals, clean in both. After the
    #    first corrected beat the two time axes part (Tolerance interpolates intervals, neurokit2
    #    moves peaks), so these are mostly the windows before it.
    ref_by_fp = {}
    for rw in ref:
        if rw["corrected"] == 0 and rw["reason"] is None:
            fp = rw["fingerprint"]
            ref_by_fp[(fp[0], round(fp[1], 6), fp[2], fp[3])] = rw
    worst_proc = dict.fromkeys((*TIME_KEYS, *FREQ_KEYS), 0.0)
    clean_fast = []
    same = 0
    for k, fw in enumerate(fast):
        if fw["corrected_share"] != 0.0 or fw["HRV_LF"] is None:
            continue
        clean_fast.append(k)
        lo, hi = int(a[k]), int(b[k])
        rw = ref_by_fp.get((hi - lo, round(float(nn[lo:hi].sum()), 6), float(nn[lo]), float(nn[hi - 1])))
        if rw is None:
            continue
        same += 1
        for key in worst_proc:
            worst_proc[key] = max(worst_proc[key], rel_diff(fw[key], rw["values"].get(key)))

    # 3. neurokit2 on exactly the fast engine's clean windows (a spread sample), in process.
    picks = clean_fast[:: max(1, len(clean_fast) // sample)][:sample]
    worst_nk = dict.fromkeys((*TIME_KEYS, *FREQ_KEYS), 0.0)
    for k in picks:
        lo, hi = int(a[k]), int(b[k])
        rri = {"RRI": nn[lo:hi], "RRI_Time": t_end[lo:hi]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            td = nk.hrv_time(rri)
            fd = nk.hrv_frequency(rri, normalize=False, interpolation_rate=4)
        for key in worst_nk:
            frame = td if key in td.columns else fd
            worst_nk[key] = max(worst_nk[key], rel_diff(fast[k][key], float(frame[key].iloc[0])))

    def within(w: dict[str, float]) -> bool:
        return all(w[k] <= TIME_TOL for k in TIME_KEYS) and all(w[k] <= FREQ_TOL for k in FREQ_KEYS)

    ok = fast_idx == ref_idx and (same == 0 or within(worst_proc)) and len(picks) > 0 and within(worst_nk)
    return {
        "windows_fast": len(fast),
        "windows_ref": len(ref),
        "same_window_starts": same_grid,
        "clean_windows_fast": len(clean_fast),
        "artifacts_fast": len(fast_idx),
        "artifacts_fast_by_type": kinds_fast,
        "artifacts_ref": len(ref_idx),
        "artifacts_ref_by_type": {k: len(v) for k, v in ref_doc["artifacts"].items()},
        "artifact_positions_identical": fast_idx == ref_idx,
        "same_nn_windows_across_processes": same,
        "max_rel_diff_across_processes": worst_proc,
        "nk_on_fast_windows_sampled": len(picks),
        "max_rel_diff_nk_on_fast_windows": worst_nk,
        "equal": ok,
    }


def run(quick: bool, tmp: Path | None = None) -> list[Row]:
    hours = 2.0 if quick else 24.0
    repeats = 2 if quick else 3
    window_s, step_s = 300.0, 30.0
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tolerance-bench-", dir=tmp) as d:
        d = Path(d)
        rec = d / f"rr-{hours:g}h.txt"
        info = make_recording(rec, hours)
        out_fast, out_ref = d / "fast.json", d / "ref.json"
        env = clean_env()
        fast_cmd = [
            TOLERANCE,
            "analyze",
            str(rec),
            "--window",
            f"{window_s:g}",
            "--step",
            f"{step_s:g}",
            "--spectrum",
            "neurokit2",  # the reference is nk.hrv_frequency: compare with its segment layout
            "--no-progress",
            "--out",
            str(out_fast),
        ]
        ref_cmd = [
            PYTHON,
            str(BENCH_DIR / "reference_analyze.py"),
            str(rec),
            "--window",
            f"{window_s:g}",
            "--step",
            f"{step_s:g}",
            "--out",
            str(out_ref),
        ]
        # One untimed run of each: the page cache holds the interpreter, the packages and the file.
        wall_of(fast_cmd, env=env)
        wall_of(ref_cmd, env=env)
        fast_t, ref_t = interleaved([lambda: wall_of(fast_cmd, env=env), lambda: wall_of(ref_cmd, env=env)], repeats)
        f_med, r_med = median(fast_t), median(ref_t)
        ratio = r_med / f_med
        n_windows = len(json.loads(out_fast.read_text())["windows"])
        details: dict[str, Any] = {
            "recording": info,
            "windows": n_windows,
            "repeats": repeats,
            "fast_wall_s": fast_t,
            "reference_wall_s": ref_t,
            "ratio": ratio,
            "fast_cmd": " ".join(fast_cmd[1:]),
            "reference_cmd": "reference_analyze.py",
        }
        rows.append(
            Row(
                figure=f"(b) `tolerance analyze`, {info['hours']:.0f} h, {info['beats']:,} beats, "
                f"{info['artifact_share']:.1%} artifacts, {n_windows:,} windows (whole process)",
                target="ratio >= 20x",
                measured=fmt_s(f_med),
                reference=f"neurokit2 reference: {fmt_s(r_med)}",
                ratio=fmt_ratio(ratio),
                verdict=("PASS" if ratio >= 20 else "MISS")
                if not quick
                else "n/a (quick: short file, start-up dominates)",
                details=details,
            )
        )
        try:
            cmp = compare(rec, out_fast, out_ref, window_s, step_s)

            def text(w: dict[str, float]) -> str:
                return ", ".join(f"{k.removeprefix('HRV_')} {v:.1e}" for k, v in w.items())

            rows.append(
                Row(
                    figure="(b) analyze = neurokit2 where comparable (no corrected beat in the window)",
                    target="same artifacts; time 1e-9, LF/HF 1e-6 rel.",
                    measured=(
                        f"window starts identical: {'yes' if cmp['same_window_starts'] else 'NO'} "
                        f"({cmp['windows_fast']:,} vs {cmp['windows_ref']:,} windows); "
                        f"artifact positions identical: {'yes' if cmp['artifact_positions_identical'] else 'NO'} "
                        f"({cmp['artifacts_fast']} vs {cmp['artifacts_ref']}); "
                        f"{cmp['same_nn_windows_across_processes']} windows with the same NN in both outputs, "
                        f"max rel diff: {text(cmp['max_rel_diff_across_processes'])}; "
                        f"nk on {cmp['nk_on_fast_windows_sampled']} of the {cmp['clean_windows_fast']} clean "
                        f"windows of analyze, max rel diff: {text(cmp['max_rel_diff_nk_on_fast_windows'])}"
                    ),
                    verdict="PASS" if cmp["equal"] else "MISS",
                    details=cmp,
                )
            )
        except Exception as exc:  # noqa: BLE001
            rows.append(
                Row(
                    "(b) analyze = neurokit2 where comparable (no corrected beat in the window)",
                    "same artifacts; time 1e-9, LF/HF 1e-6 rel.",
                    measured=f"ERROR {type(exc).__name__}: {exc}",
                    verdict="ERROR",
                )
            )
        if not quick:
            # Detail only (one run each): the in-tree slow path, and neurokit2's default iterative fixpeaks.
            extra: dict[str, Any] = {}
            for name, cmd in (
                (
                    "tolerance analyze --engine neurokit",
                    fast_cmd[:-2] + ["--engine", "neurokit", "--out", str(d / "nk.json")],
                ),
                ("reference with iterative=True", ref_cmd + ["--iterative"]),
            ):
                try:
                    extra[name] = wall_of(cmd, env=env)
                except Exception as exc:  # noqa: BLE001
                    extra[name] = f"ERROR {exc}"
            details["single_runs_s"] = extra
            rows[0].notes.append(
                "single runs: " + "; ".join(f"{k} {fmt_s(v) if isinstance(v, float) else v}" for k, v in extra.items())
            )
    return rows


if __name__ == "__main__":
    import sys

    for r in run("--quick" in sys.argv):
        print(r)
