"""``tolerance analyze FILE FILE... | FOLDER``: a whole study on all cores, one tidy table.

Each file is analysed in its own process (:class:`concurrent.futures.ProcessPoolExecutor`, one
worker per core) or on a Dask cluster (``--dask ADDRESS``: ``dask.distributed.Client``'s
executor, the same ``concurrent.futures`` interface). One tqdm bar counts files. The result is
one table, a row per window: ``file`` then the columns of a single analysis' CSV (window
bounds, figures, ``corrected_share``, ``abnormal_share``, ``reason``), as CSV or as JSON
``{"rows": [...], "failures": [{"file", "error"}], "parameters": {...}}``. A file that cannot
be read or gives no window is listed in ``failures`` (and on stderr) without stopping the
batch; the exit code is 0 only when every file gave at least one computed window.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Final

from ..exits import ExitCode

__all__ = ["analyze_file", "expand_files", "run_batch"]

SUFFIXES: Final = (".txt", ".csv", ".tsv", ".rr", ".fit")
"""Files taken from a folder (others, e.g. a README, are left alone)."""


def expand_files(names: list[str]) -> list[Path]:
    """The files named, folders replaced by their RR files (sorted, recursively)."""
    out: list[Path] = []
    for name in names:
        p = Path(name)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            out.append(p)
    return out


def analyze_file(
    path: str,
    window_s: float,
    step_s: float,
    spectrum: str,
    correction: str = "auto",
    max_corrected_share: float = 0.20,
    max_abnormal_share: float = 0.10,
) -> dict[str, Any]:
    """One file's rows (or its error): runs in a worker process or on a Dask worker.

    ``spectrum``: a ``--spectrum`` name (``welch``, ``neurokit2``, ``kubios``) or a method name
    (``cover``, ...), see :func:`tolerance.hrv.frequency.spectral_parameters`; ``correction``: a
    ``--correction`` method (:data:`tolerance.hrv.correction.CORRECTIONS`)."""
    from tolerance.api.formats import RRFileError, read_rr_file
    from tolerance.hrv import HrvInputError, analyze_rr
    from tolerance.hrv.frequency import spectral_parameters
    from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS

    try:
        series = read_rr_file(path)
        if series.rr_ms.size < 2:
            raise RRFileError(path, None, "no usable RR intervals")
        analysis = analyze_rr(
            series.rr_ms,
            window_s=window_s,
            step_s=step_s,
            spectral=spectral_parameters(spectrum),
            input_index=series.input_index,
            excluded=[(e.index, e.elapsed_ms) for e in series.excluded if e.rr_ms > MAX_PLAUSIBLE_RR_MS],
            correction=correction,
            max_corrected_share=max_corrected_share,
            max_abnormal_share=max_abnormal_share,
        )
    except (RRFileError, HrvInputError, ValueError) as exc:
        return {"file": path, "error": str(exc), "rows": [], "beats": 0}
    rows = [{"file": path, **w.to_json_dict()} for w in analysis.windows]
    computed = any(r["HRV_MeanNN"] is not None for r in rows)
    error = None if computed else f"{path}: no window was computed"
    return {
        "file": path,
        "error": error,
        "rows": rows,
        "beats": int(series.rr_ms.size),
        "parameters": analysis.parameters,
        "input": series.interpretation,
    }


def _executor(address: str | None) -> tuple[Executor, Any]:
    if address is None:
        return ProcessPoolExecutor(max_workers=os.cpu_count() or 1), None
    import importlib

    client = importlib.import_module("dask.distributed").Client(address)  # untyped: looked up by name
    executor: Executor = client.get_executor()
    return executor, client


def run_batch(args: argparse.Namespace, files: list[Path]) -> int:
    """Analyse ``files`` in parallel; write the table; exit code (1 when any file failed)."""
    from tqdm import tqdm

    executor, client = _executor(args.dask)
    results: list[dict[str, Any]] = []
    try:
        with tqdm(total=len(files), unit="file", file=sys.stderr, disable=args.no_progress) as bar:
            futures: list[Future[dict[str, Any]]] = [
                executor.submit(
                    analyze_file,
                    str(f),
                    args.window,
                    args.step,
                    args.spectrum,
                    getattr(args, "correction", None) or "auto",
                    getattr(args, "max_corrected_share", 0.20),
                    getattr(args, "max_abnormal_share", 0.10),
                )
                for f in files
            ]
            for fut in as_completed(futures):
                results.append(fut.result())
                bar.update(1)
    finally:
        executor.shutdown()
        if client is not None:
            client.close()
    order = {str(f): k for k, f in enumerate(files)}
    results.sort(key=lambda r: order[r["file"]])
    failures = [{"file": r["file"], "error": r["error"]} for r in results if r["error"]]
    rows = [row for r in results for row in r["rows"]]
    params: dict[str, Any] = next((r["parameters"] for r in results if "parameters" in r), {})
    for f in failures:
        print(f"tolerance analyze: FAILED {f['error']}", file=sys.stderr)  # noqa: T201 - the CLI's voice
    text = _csv(rows) if args.format == "csv" else json.dumps(
        _safe({"rows": rows, "failures": failures, "parameters": params,
               "files": [{"file": r["file"], "beats": r["beats"], "input": r.get("input")} for r in results]}),
        allow_nan=False,
    ) + "\n"  # fmt: skip
    from ..output import open_output

    with open_output(args.out) as out:
        out.write(text)
    return ExitCode.FAILURE if failures else ExitCode.OK


def _safe(value: Any) -> Any:
    import math

    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    return value


def _csv(rows: list[dict[str, Any]]) -> str:
    from tolerance.hrv.analysis import CSV_COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = ["file", *CSV_COLUMNS]
    writer.writerow(columns)
    for row in _rows(rows, columns):
        writer.writerow(row)
    return buffer.getvalue()


def _rows(rows: list[dict[str, Any]], columns: list[str]) -> Iterator[list[object]]:
    for r in rows:
        yield ["" if r.get(c) is None else r.get(c) for c in columns]
