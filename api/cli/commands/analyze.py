"""``tolerance analyze FILE``: HRV of an RR file in sliding windows, as JSON or CSV.

Output (DESIGN.md contract): JSON ``{"windows": [...], "artifacts": [{"index", "type"}],
"parameters": {...}, "excluded": [...]}`` or CSV with one row per window. ``index`` is the
0-based position of the value in the file's RR values; ``excluded`` lists implausible values
left out before the analysis (see :mod:`tolerance.api.rr_files`), each of them a segment
break that no window spans (:mod:`tolerance.hrv.analysis`).

Excluded values with ``--format csv``, which has no room for them in its one table:

* ``--out FILE``: a second CSV beside it, ``FILE`` with its suffix replaced by
  ``.excluded.csv`` (``day.csv`` -> ``day.excluded.csv``), columns ``index,line,rr_ms,reason``,
  one row per excluded value. It is always written, with only its header when nothing was
  excluded, so that a script can always read it and a stale one never remains from an
  earlier run.
* ``--out -`` (stdout): one line per excluded value on stderr,
  ``tolerance analyze: excluded index=50 line=51 rr_ms=40.0 reason=below 200 ms``.

numpy, neurokit2 and tqdm are imported inside :func:`run`, so that the CLI starts fast.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import math
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, TextIO

from ...files import open_private_text
from ..exits import ExitCode
from ..output import open_output

_log = logging.getLogger(__name__)

FILE_RULES: Final = {
    "time_base": (
        "running sum of the NN intervals and of the excluded values above 3000 ms (a drop-out: "
        "real time passed), from the start of the first input value at 0 s; excluded values "
        "below 200 ms are spurious and take no time"
    ),
    "segment_breaks": (
        "every excluded value above 3000 ms (consecutive ones: one break); values below 200 ms "
        "are dropped without a break; artifacts are detected and corrected per segment; no "
        "window holds NN intervals of two segments"
    ),
}
"""What ``analyze_rr``'s generic provenance says about excluded values, made exact for a file."""
MAX_WINDOWS: Final = 1_000_000
"""More windows than this is a mistyped --step, not an analysis (a day at 0.1 s steps is 864,000)."""
PROGRESS_MIN_WINDOWS: Final = 200
"""Show a progress bar only for analyses with at least this many windows."""
EXCLUDED_COLUMNS: Final = ("index", "line", "rr_ms", "reason")
EXCLUDED_SUFFIX: Final = ".excluded.csv"


def _fail(message: str) -> int:
    print(f"tolerance analyze: {message}", file=sys.stderr)  # noqa: T201 - the CLI's voice
    return ExitCode.USAGE


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def run(args: argparse.Namespace) -> int:
    """Read ``args.file``, analyse it, write ``args.format`` to ``args.out``; exit code.

    Several files or a folder: :func:`~tolerance.api.cli.commands.analyze_batch.run_batch`."""
    if isinstance(args.file, list):
        from .analyze_batch import expand_files, run_batch

        files = expand_files(args.file)
        if len(files) != 1 or Path(args.file[0]).is_dir() or getattr(args, "dask", None):
            if not files:
                return _fail(f"no RR files in {', '.join(args.file)}")
            if getattr(args, "baseline", None) is not None or getattr(args, "profile", None) is not None:
                # A batch's table has no room for the window of tolerance: say so, never drop it silently.
                return _fail("--baseline and --profile apply to one file at a time; analyze each file on its own")
            return run_batch(args, files)
        args.file = str(files[0])
    from tolerance.api.formats import RRFileError, read_rr_file
    from tolerance.hrv import HrvInputError, analyze_rr, reference_analyze_rr
    from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS

    try:
        series = read_rr_file(args.file)
    except RRFileError as exc:
        return _fail(str(exc))

    total_s = (
        float(series.rr_ms.sum()) + sum(e.elapsed_ms for e in series.excluded if e.rr_ms > MAX_PLAUSIBLE_RR_MS)
    ) / 1000
    if total_s / args.step > MAX_WINDOWS:
        return _fail(
            f"--step {args.step:g} s gives over {MAX_WINDOWS:,} windows on {total_s:.0f} s of beats; use a larger step"
        )
    excluded = [{"index": e.index, "line": e.line, "rr_ms": e.rr_ms, "reason": e.reason} for e in series.excluded]
    if series.rr_ms.size < 2:
        reasons = sorted({e.reason for e in series.excluded})
        why = f" ({len(series.excluded)} value(s) left out: {'; '.join(reasons)})" if reasons else ""
        if not excluded:
            return _fail(f"{args.file} holds no usable RR intervals{why}")
        # Nothing to analyse, but the excluded values are the researcher's answer: written.
        written = _write_empty(args, excluded, series)
        if written is not None:
            return written
        print(f"tolerance analyze: {args.file} holds no usable RR intervals{why}", file=sys.stderr)  # noqa: T201
        return ExitCode.NO_WINDOW

    spectrum = getattr(args, "spectrum", "welch")
    try:
        spectral = _spectral(args, spectrum)
    except (HrvInputError, ValueError) as exc:
        return _fail(str(exc))
    if args.engine == "neurokit" and spectrum == "kubios":
        # neurokit2's hrv_frequency has one pipeline, its own: it cannot give Kubios' settings.
        return _fail("--spectrum kubios needs --engine fast (neurokit2 computes its own spectrum only)")
    correction = getattr(args, "correction", None)
    if args.engine == "neurokit" and correction not in (None, "neurokit"):
        return _fail("--engine neurokit takes only --correction neurokit (neurokit2's own signal_fixpeaks)")
    options: dict[str, Any] = {}
    if args.engine != "neurokit":
        options["correction"] = correction or "auto"
    engine = reference_analyze_rr if args.engine == "neurokit" else analyze_rr
    show_bar = not args.no_progress and sys.stderr.isatty()
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total >= PROGRESS_MIN_WINDOWS:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="window", file=sys.stderr, leave=False)
        if bar is not None:
            bar.update(done - bar.n)

    try:
        analysis = engine(
            series.rr_ms,
            window_s=args.window,
            step_s=args.step,
            spectral=spectral,
            progress=progress if show_bar else None,
            input_index=series.input_index,
            max_corrected_share=getattr(args, "max_corrected_share", 0.20),
            max_abnormal_share=getattr(args, "max_abnormal_share", 0.10),
            **options,
            # Only implausibly long values are gaps (beats went undetected: real time passed).
            # Implausibly short ones are spurious extra values (some Garmin straps append one
            # of ~50 ms to a notification): dropped, listed, neither a break nor elapsed time,
            # so that such a strap does not cut a day into pieces too short for any window.
            excluded=[(e.index, e.elapsed_ms) for e in series.excluded if e.rr_ms > MAX_PLAUSIBLE_RR_MS],
        )
    except (HrvInputError, ValueError) as exc:
        return _fail(f"{args.file}: {exc}")
    finally:
        if bar is not None:
            bar.close()
    # One window at a time (a month of windows as objects would cost ~30 bytes per beat).
    computed = any(w.values.get("HRV_MeanNN") is not None for w in analysis.windows)
    tolerance_doc = None
    if args.format == "json":
        # A drop-out (an implausibly long value) is a gap no window spans, live and offline alike.
        # The kept value just before each drop-out, by its position among the kept values
        # (input_index increases: a binary search, no per-beat dict).
        import numpy as np
        from tolerance.api.session.offline import file_tolerance
        from tolerance.hrv.arousal import CalibrationRefused

        kept = np.asarray(series.input_index, dtype=np.int64)
        before = np.asarray([e.index - 1 for e in series.excluded if e.rr_ms > MAX_PLAUSIBLE_RR_MS], dtype=np.int64)
        at = np.searchsorted(kept, before)
        found = at < kept.size
        found[found] = kept[at[found]] == before[found]
        gaps = sorted(set(at[found].tolist()))
        baseline, config = None, None
        if args.profile is not None:
            if args.baseline is not None:
                return _fail("give --baseline or --profile, not both")
            from tolerance.api.session.tolerance import baseline_from_dict, config_from_profile
            from tolerance.api.settings import default_db_path
            from tolerance.api.storage import queries, read_only

            with read_only(args.db or default_db_path()) as conn:
                profile = queries.get_profile(conn, args.profile)
            if not profile or not profile.get("baseline"):
                return _fail(f"no profile {args.profile!r} with a baseline in the database (calibrate it first)")
            baseline, config = baseline_from_dict(profile["baseline"]), config_from_profile(profile)
        try:
            tolerance_doc = file_tolerance(
                series.rr_ms, gaps_after=gaps, calibrate_span_s=args.baseline, baseline=baseline, config=config
            )
        except CalibrationRefused as exc:
            return _fail(
                f"{args.file}: the calibration span {args.baseline[0]:g}:{args.baseline[1]:g} s was refused: {exc}"
            )
    try:
        with open_output(args.out) as out:
            if args.format == "csv":
                _write_csv(out, analysis.csv_rows())
            else:
                parameters = dict(analysis.parameters)
                parameters.update(FILE_RULES)
                parameters["input_unit"] = series.unit
                parameters["input_layout"] = series.layout
                parameters["input"] = dict(series.interpretation)
                write_json(
                    out,
                    (w.to_json_dict() for w in analysis.windows),
                    [
                        # A generator: written item by item (a month holds ~1 M artifacts).
                        ("artifacts", ({"index": i, "type": t} for i, t in analysis.artifacts)),
                        ("parameters", parameters),
                        ("tolerance", tolerance_doc),
                        ("excluded", excluded),
                    ],
                )
        if args.format == "csv":
            _write_excluded(args.out, excluded)
    except OSError as exc:
        return _fail(f"cannot write {exc.filename or args.out}: {exc}")
    if not computed:
        # Everything is written; the exit code and this line say that no window gave numbers.
        why = _no_window(analysis, series, args)
        print(f"tolerance analyze: {args.file}: no window was computed: {why}", file=sys.stderr)  # noqa: T201
        return ExitCode.NO_WINDOW
    return ExitCode.OK


KUBIOS_OPTIONS: Final = {
    "detrend": "--detrend",
    "lam": "--lambda",
    "welch_window": "--welch-window",
    "welch_overlap": "--welch-overlap",
    "points_per_hz": "--points-per-hz",
}
"""``--spectrum kubios``'s own settings: argparse name -> option."""


def _spectral(args: argparse.Namespace, spectrum: str) -> Any:
    """The spectral parameters of ``--spectrum`` and its settings; a Kubios setting given with
    another spectrum, or ``--lambda`` with ``--detrend none``, is refused (HrvInputError)."""
    from tolerance.hrv import HrvInputError
    from tolerance.hrv.frequency import spectral_parameters

    given = {k: getattr(args, k, None) for k in KUBIOS_OPTIONS if getattr(args, k, None) is not None}
    rate = getattr(args, "interp_hz", None) or 4.0
    if spectrum != "kubios":
        if given:
            options = ", ".join(KUBIOS_OPTIONS[k] for k in given)
            raise HrvInputError(f"{options}: Kubios settings, only with --spectrum kubios")
        return spectral_parameters(spectrum, rate)
    if given.get("detrend") == "none" and "lam" in given:
        raise HrvInputError("--lambda is the smoothness priors' setting: not with --detrend none")
    settings: dict[str, Any] = {}
    if given.get("detrend") == "none":
        settings["detrend_lambda"] = None
    elif "lam" in given:
        settings["detrend_lambda"] = given["lam"]
    for key, name in (
        ("welch_window", "welch_segment_s"),
        ("welch_overlap", "welch_overlap"),
        ("points_per_hz", "points_per_hz"),
    ):
        if key in given:
            settings[name] = given[key]
    return spectral_parameters("kubios", rate, **settings)


def _no_window(analysis: Any, series: Any, args: argparse.Namespace) -> str:
    """Why an analysis gave no numbers and what would give one (:mod:`.analyze_hints`)."""
    import numpy as np
    from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS

    from .analyze_hints import longest_window_s, no_window_message

    params = analysis.parameters
    gaps = [(e.index, e.rr_ms) for e in series.excluded if e.rr_ms > MAX_PLAUSIBLE_RR_MS]
    index = np.asarray(series.input_index, dtype=np.int64)
    longest = longest_window_s(series.rr_ms, index, gaps, args.step, float(params["min_coverage"]))
    reasons = analysis.windows.reasons if hasattr(analysis.windows, "reasons") else [w.reason for w in analysis.windows]
    return no_window_message(reasons, args.window, longest, params)


def _write_empty(args: argparse.Namespace, excluded: list[dict[str, Any]], series: Any) -> int | None:
    """The output of a file with no usable interval: no window, its excluded values; None when written."""
    from tolerance.hrv.analysis import CSV_COLUMNS

    try:
        with open_output(args.out) as out:
            if args.format == "csv":
                _write_csv(out, [list(CSV_COLUMNS)])
            else:
                parameters = {
                    "input_unit": series.unit,
                    "input_layout": series.layout,
                    "input": dict(series.interpretation),
                }
                write_json(
                    out,
                    [],
                    [("artifacts", []), ("parameters", parameters), ("tolerance", None), ("excluded", excluded)],
                )
        if args.format == "csv":
            _write_excluded(args.out, excluded)
    except OSError as exc:
        return _fail(f"cannot write {exc.filename or args.out}: {exc}")
    return None


def write_json(out: TextIO, windows: Iterable[dict[str, Any]], rest: Iterable[tuple[str, Any]]) -> None:
    """``{"windows": [...], key: value, ...}`` written window by window: the same text as
    ``json.dumps`` of the whole document (its default separators, NaN and inf as null), without
    the document or its text in memory. A value given as an iterator is written as a list,
    item by item."""
    out.write('{"windows": ')
    _write_list(out, iter(windows))
    for key, value in rest:
        out.write(f", {json.dumps(key)}: ")
        if isinstance(value, Iterator):
            _write_list(out, value)
        else:
            out.write(json.dumps(_json_safe(value), allow_nan=False))
    out.write("}\n")


def _write_list(out: TextIO, items: Iterator[Any]) -> None:
    """A JSON list written item by item: the same text as ``json.dumps(list(items))``."""
    out.write("[")
    for n, item in enumerate(items):
        if n:
            out.write(", ")
        out.write(json.dumps(_json_safe(item), allow_nan=False))
    out.write("]")


def _write_csv(out: TextIO, rows: Iterable[list[object]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])


def _csv_text(rows: Iterable[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def excluded_path(out: str) -> Path:
    """Where ``--format csv --out OUT`` writes the excluded values: ``OUT.excluded.csv``
    with OUT's suffix replaced (``day.csv`` -> ``day.excluded.csv``)."""
    path = Path(out)
    return path.with_name(path.stem + EXCLUDED_SUFFIX)


def _write_excluded(out: str, excluded: list[dict[str, Any]]) -> None:
    """The excluded values of a CSV analysis: a second file, or stderr for stdout output."""
    if out == "-":
        for e in excluded:
            print(  # noqa: T201 - the CLI's voice
                f"tolerance analyze: excluded index={e['index']} line={e['line']} "
                f"rr_ms={e['rr_ms']} reason={e['reason']}",
                file=sys.stderr,
            )
        return
    rows: list[list[object]] = [list(EXCLUDED_COLUMNS)]
    rows += [[e[c] for c in EXCLUDED_COLUMNS] for e in excluded]
    with open_private_text(excluded_path(out)) as handle:
        handle.write(_csv_text(rows))
