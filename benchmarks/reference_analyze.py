"""The neurokit2 reference of ``tolerance analyze``, run as its own process by bench_analyze.

    python benchmarks/reference_analyze.py FILE --window 300 --step 30 --out OUT.json

What it does, and nothing else (so the timing is neurokit2's cost, not Tolerance's):

1. read the RR file (one value per line, ms) with ``numpy.loadtxt``;
2. artifacts: ``nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios",
   iterative=False)`` on ``peaks = [0, cumsum(rr)]`` for the whole recording (``iterative=False``
   is the single detection pass that ``tolerance analyze`` also makes; ``--iterative`` gives
   neurokit2's default, which repeats detection until nothing changes);
3. NN intervals ``diff(clean_peaks)``, laid end to end from 0 s: ``t_end = cumsum(nn) / 1000``;
4. windows ``[k * step, k * step + window]`` holding the NN intervals entirely inside (the
   same rule as ``tolerance.hrv.analysis.window_bounds``, re-implemented here);
5. per window ``nk.hrv_time`` and ``nk.hrv_frequency(normalize=False, interpolation_rate=4)``
   on ``{"RRI": nn, "RRI_Time": t_end}`` (the intervals themselves: DESIGN.md trap 1);
6. JSON out: the artifact indices (input positions) by neurokit2's class; per window its bounds, NN count, whether a corrected NN interval is in it, a
   fingerprint of its NN intervals (for matching windows with the fast engine) and the values.

It differs from ``tolerance analyze --engine neurokit`` in that it adds nothing of Tolerance's:
that command also computes the HF peak with Tolerance's own spectrum per window, rounds
nothing differently, and builds Tolerance's output objects (timed separately as a detail).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings

import neurokit2 as nk
import numpy as np

KEYS = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50", "HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP")


def _value(frame, key: str) -> float | None:
    v = float(frame[key].iloc[0])
    return None if math.isnan(v) else v


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--window", type=float, default=300.0)
    p.add_argument("--step", type=float, default=30.0)
    p.add_argument("--rate", type=float, default=4.0)
    p.add_argument("--iterative", action="store_true")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)

    rr = np.loadtxt(args.file, dtype=np.float64, ndmin=1)
    peaks = np.concatenate([[0.0], np.cumsum(rr)])
    info, clean = nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios", iterative=args.iterative)
    # neurokit2's index k is the interval ending at peak k: input index k - 1.
    artifacts = {kind: sorted(int(k) - 1 for k in info[kind]) for kind in ("ectopic", "missed", "extra", "longshort")}
    clean = np.asarray(clean, dtype=np.float64)
    nn = np.diff(clean)
    # A corrected NN interval has an end that is not one of the input peaks (0.5 ms: neurokit2
    # truncates peaks to whole samples when it moves one).
    pos = np.clip(np.searchsorted(peaks, clean), 1, peaks.size - 1)
    moved = np.minimum(np.abs(peaks[pos] - clean), np.abs(peaks[pos - 1] - clean)) > 0.5
    corrected = moved[1:] | moved[:-1]
    n_corr = np.concatenate([[0], np.cumsum(corrected)])

    t_end = np.cumsum(nn) / 1000.0
    windows = []
    duration = float(t_end[-1]) if t_end.size else 0.0
    if duration >= args.window:
        count = int(math.floor((duration - args.window) / args.step + 1e-9)) + 1
        starts = np.arange(count) * args.step
        t_begin = t_end - nn / 1000.0
        lo = np.searchsorted(t_begin, starts - 1e-9, side="left")
        hi = np.searchsorted(t_end, starts + args.window + 1e-9, side="right")
        for start, a, b in zip(starts, lo, hi, strict=True):
            w = {"start_s": float(start), "n_beats": int(b - a), "corrected": int(n_corr[b] - n_corr[a]),
                 "fingerprint": [int(b - a), float(nn[a:b].sum()) if b > a else 0.0,
                                 float(nn[a]) if b > a else None, float(nn[b - 1]) if b > a else None],
                 "values": {}}
            if b - a >= 3:
                rri = {"RRI": nn[a:b], "RRI_Time": t_end[a:b]}
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    td = nk.hrv_time(rri)
                    fd = nk.hrv_frequency(rri, normalize=False, interpolation_rate=args.rate)
                w["values"] = {k: _value(td if k in td.columns else fd, k) for k in KEYS}
            windows.append(w)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({"windows": windows, "artifacts": artifacts, "n_rr": int(rr.size), "n_nn": int(nn.size),
                   "n_corrected": int(corrected.sum())}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
