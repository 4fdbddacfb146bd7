"""The neurokit2 reference of ``tolerance analyze``, run as its own process by bench_analyze.

    python benchmarks/reference_analyze.py FILE --window 300 --step 30 --out OUT.json

What it does, and nothing else (so the timing is neurokit2's cost, not Tolerance's):

1. read the RR file (one value per line, ms) with ``numpy.loadtxt`` and treat implausible
   values as ``tolerance analyze`` does (``tolerance.api.formats`` + ``api/cli/commands/analyze.py``):
   values above ``MAX_PLAUSIBLE_RR_MS`` (3000 ms: drop-outs) are left out and each is a
   segment break that advances time by its value; values below ``MIN_PLAUSIBLE_RR_MS``
   (200 ms: spurious extra values) are dropped, neither a break nor elapsed time;
2. artifacts, per segment: ``nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios",
   iterative=False)`` on ``peaks = [0, cumsum(rr)]`` of the segment (``iterative=False`` is the
   single detection pass that ``tolerance analyze`` also makes; ``--iterative`` gives
   neurokit2's default, which repeats detection until nothing changes);
3. NN intervals ``diff(clean_peaks)`` of each segment, laid end to end on one time axis with
   the drop-outs' time between them (no drop-out: ``t_end = cumsum(nn) / 1000``);
4. the windows of ``tolerance analyze``, by calling the same functions
   (``tolerance.hrv.segments``: ``split_segments``, ``assemble_segments``, ``layout_windows``,
   ``window_reason``): ``[k * step, k * step + window]`` up to the first window reaching the
   last beat (left out when covered less than 80 %), each holding the NN intervals lying
   entirely inside it of the one segment covering the most of it; a window gives numbers
   only when that segment covers >= 80 % of it, it holds >= 2 NN intervals and <= 20 % of
   them were corrected (here: by neurokit2), as in ``tolerance analyze --engine neurokit``;
5. per such window ``nk.hrv_time`` and ``nk.hrv_frequency(normalize=False,
   interpolation_rate=4)`` (the latter for windows >= 120 s, like analyze) on ``{"RRI": nn,
   "RRI_Time": t_end}`` (the intervals themselves: DESIGN.md trap 1);
6. JSON out: the artifact indices (input positions) by neurokit2's class; per window its
   bounds, NN count, covered seconds, segment, corrected NN count, a fingerprint of its NN
   intervals (for matching windows with the fast engine), the reason it has no values (or
   null) and the values.

The window layout is Tolerance's code (a few ms for a whole day; importing ``tolerance.hrv``
adds ~20 ms to neurokit2's ~2 s import). It differs from ``tolerance analyze --engine
neurokit`` in that it adds nothing else of Tolerance's: that command also computes the HF
peak with Tolerance's own spectrum per window and builds Tolerance's output objects (timed
separately as a detail).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings

import neurokit2 as nk
import numpy as np
from tolerance.hrv.analysis import DEFAULT_MAX_CORRECTED_SHARE, MIN_SPECTRAL_WINDOW_S
from tolerance.hrv.segments import (
    DEFAULT_MIN_COVERAGE,
    assemble_segments,
    layout_windows,
    split_segments,
    window_reason,
)
from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS, MIN_PLAUSIBLE_RR_MS

TIME_KEYS = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50")
FREQ_KEYS = ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP")
KINDS = ("ectopic", "missed", "extra", "longshort")


def _value(frame, key: str) -> float | None:
    v = float(frame[key].iloc[0])
    return None if math.isnan(v) else v


def _fixpeaks(rr: np.ndarray, iterative: bool) -> tuple[dict[str, list[int]], np.ndarray, np.ndarray]:
    """neurokit2's artifacts (positions in ``rr``), NN intervals and corrected flags of a segment."""
    peaks = np.concatenate([[0.0], np.cumsum(rr)])
    info, clean = nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios", iterative=iterative)
    # neurokit2's index k is the interval ending at peak k: position k - 1.
    found = {kind: [int(k) - 1 for k in info[kind]] for kind in KINDS}
    clean = np.asarray(clean, dtype=np.float64)
    # A corrected NN interval has an end that is not one of the input peaks (0.5 ms: neurokit2
    # truncates peaks to whole samples when it moves one).
    pos = np.clip(np.searchsorted(peaks, clean), 1, peaks.size - 1)
    moved = np.minimum(np.abs(peaks[pos] - clean), np.abs(peaks[pos - 1] - clean)) > 0.5
    return found, np.diff(clean), moved[1:] | moved[:-1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--window", type=float, default=300.0)
    p.add_argument("--step", type=float, default=30.0)
    p.add_argument("--rate", type=float, default=4.0)
    p.add_argument("--iterative", action="store_true")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)

    values = np.loadtxt(args.file, dtype=np.float64, ndmin=1)
    keep = (values >= MIN_PLAUSIBLE_RR_MS) & (values <= MAX_PLAUSIBLE_RR_MS)
    rr, index = values[keep], np.flatnonzero(keep)
    drop_outs = [(int(i), float(values[i])) for i in np.flatnonzero(values > MAX_PLAUSIBLE_RR_MS)]
    ranges, gaps = split_segments(rr.size, index, drop_outs)

    artifacts: dict[str, list[int]] = {kind: [] for kind in KINDS}
    parts = []
    for lo, hi in ranges:
        found, nn, corrected = _fixpeaks(rr[lo:hi], args.iterative)
        for kind, positions in found.items():
            artifacts[kind] += [int(index[lo + i]) for i in positions]
        parts.append((nn, corrected))
    artifacts = {kind: sorted(v) for kind, v in artifacts.items()}
    series = assemble_segments(parts, gaps)
    nn, t_end = series.nn, series.t_end
    n_corr = np.concatenate([[0], np.cumsum(series.corrected, dtype=np.int64)])
    lay = layout_windows(t_end, nn, series.segment, args.window, args.step, DEFAULT_MIN_COVERAGE)

    windows = []
    for start, a, b, covered, seg in zip(lay.starts, lay.a, lay.b, lay.covered, lay.segment, strict=True):
        n, n_c = int(b - a), int(n_corr[b] - n_corr[a])
        reason = window_reason(
            n, n_c / n if n else None, DEFAULT_MAX_CORRECTED_SHARE, float(covered), args.window, DEFAULT_MIN_COVERAGE
        )
        w = {
            "start_s": float(start),
            "end_s": float(start) + args.window,
            "n_beats": n,
            "covered_s": round(float(covered), 6),
            "segment": int(seg) if seg >= 0 else None,
            "corrected": n_c,
            "reason": reason,
            "fingerprint": [
                n,
                float(nn[a:b].sum()) if n else 0.0,
                float(nn[a]) if n else None,
                float(nn[b - 1]) if n else None,
            ],
            "values": {},
        }
        if reason is None:
            rri = {"RRI": nn[a:b], "RRI_Time": t_end[a:b]}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                td = nk.hrv_time(rri)
                w["values"] = {k: _value(td, k) for k in TIME_KEYS}
                if args.window >= MIN_SPECTRAL_WINDOW_S:
                    fd = nk.hrv_frequency(rri, normalize=False, interpolation_rate=args.rate)
                    w["values"].update({k: _value(fd, k) for k in FREQ_KEYS})
        windows.append(w)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "windows": windows,
                "artifacts": artifacts,
                "n_rr": int(values.size),
                "n_nn": int(nn.size),
                "n_segments": len(ranges),
                "n_corrected": int(series.corrected.sum()),
            },
            fh,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
