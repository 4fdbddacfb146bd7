"""RR series for the artifact tests (tests/hrv/artifacts): recordings, injected artifacts and
neurokit2's first pass as sets of input indices. On the tests' path (pyproject.toml,
``[tool.pytest.ini_options] pythonpath``), so both test files share one copy."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import neurokit2 as nk
import numpy as np
from tolerance.hrv.artifacts import (
    ArtifactType,
    ClassifiedBeat,
    StreamingArtifactDetector,
    correct_artifacts,
    detect_artifacts,
)

RR_DIR: Final = Path(__file__).parents[1] / "data" / "rr"
LONG: Final = "pyhrv-nni-long-60min.txt"
SHORT: Final = "pyhrv-nni-short-5min.txt"
ECG: Final = "pyhrv-bitalino-ecg-derived-rr.txt"
NK_KEYS: Final = ("ectopic", "missed", "extra", "longshort")
T = ArtifactType


def load(name: str) -> np.ndarray:
    return np.loadtxt(RR_DIR / name).astype(np.int64)


def nk_first_pass(rr: np.ndarray, leading_zero: bool = True) -> dict[str, set[int]]:
    """neurokit2's first-pass lists, mapped to input RR indices (peak k ends interval k - 1)."""
    peaks = np.concatenate([[0], np.cumsum(rr)]) if leading_zero else np.cumsum(rr)
    info, _ = nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios", iterative=False)
    shift = 1 if leading_zero else 0
    return {k: {int(i) - shift for i in info[k] if i - shift >= 0} for k in NK_KEYS}


def as_nk_sets(types: np.ndarray) -> dict[str, set[int]]:
    groups = {"ectopic": {T.ECTOPIC}, "missed": {T.MISSED}, "extra": {T.EXTRA}, "longshort": {T.LONG, T.SHORT}}
    return {k: {i for i, t in enumerate(types) if t in g} for k, g in groups.items()}


def stream(rr: np.ndarray, **kwargs: int) -> list[ClassifiedBeat]:
    det = StreamingArtifactDetector(**kwargs)
    out = [b for v in rr for b in det.push(float(v))]
    return out + det.flush()


def stream_types(rr: np.ndarray) -> np.ndarray:
    beats = stream(rr)
    assert [b.index for b in beats] == list(range(len(rr)))
    return np.array([b.type for b in beats], dtype=object)


def rmssd(nn: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.diff(nn) ** 2)))


# Injected artifacts. Sizes are stated, since detection depends on them relative to the local
# variability: ectopic = premature by 30-45 % with a full compensatory pause (typical coupling
# of a premature beat); missed = two intervals merged; extra = one interval split at 20-40 %;
# long = x1.40-1.60 and short = x0.45-0.65 single outliers (a strap's spurious or lost R-wave).
KINDS: Final = ("ectopic", "missed", "extra", "long", "short")
MIN_GAP_BEATS: Final = 8  # artifacts do not touch each other (they do in real bursts)


def inject(rr: np.ndarray, rate: float, rng: np.random.Generator):
    """Series with ``rate`` x len artifacts, and per artifact (kind, output indices it made)."""
    n = rr.size
    slots = np.arange(10, n - 10, MIN_GAP_BEATS)
    pos = rng.choice(slots, size=min(round(rate * n), slots.size), replace=False)
    at = dict(zip(pos.tolist(), rng.choice(KINDS, size=pos.size).tolist(), strict=True))
    out: list[int] = []
    events: list[tuple[str, tuple[int, ...]]] = []
    i = 0
    while i < n:
        kind, j, v = at.get(i), len(out), int(rr[i])
        if kind == "ectopic":
            s = round(v * (1 - rng.uniform(0.30, 0.45)))
            out += [s, int(rr[i + 1]) + v - s]
            events.append((kind, (j, j + 1)))
            i += 2
            continue
        if kind == "missed":
            out.append(v + int(rr[i + 1]))
            events.append((kind, (j,)))
            i += 2
            continue
        if kind == "extra":
            a = round(v * rng.uniform(0.20, 0.40))
            out += [a, v - a]
            events.append((kind, (j, j + 1)))
        elif kind in ("long", "short"):
            lo, hi = (1.40, 1.60) if kind == "long" else (0.45, 0.65)
            out.append(round(v * rng.uniform(lo, hi)))
            events.append((kind, (j,)))
        else:
            out.append(v)
        i += 1
    return np.asarray(out, dtype=np.int64), events


def scores(types: np.ndarray, events) -> tuple[int, int, int, int]:
    """(artifacts found, artifacts, false alarms, untouched beats). An artifact is found when
    any interval it made is flagged; every other flagged interval is a false alarm."""
    flagged = np.array([t is not T.NORMAL for t in types])
    truth = np.zeros(types.size, dtype=bool)
    found = 0
    for _, idx in events:
        truth[list(idx)] = True
        found += bool(flagged[list(idx)].any())
    return found, len(events), int(np.count_nonzero(flagged & ~truth)), int(np.count_nonzero(~truth))


def reference_nn(name: str) -> np.ndarray:
    # The recordings are not free of what the method calls artifacts (83 of the 4,684 intervals
    # of the 60-min one: real ectopics, and some of its large variability), and correcting them
    # alone moves RMSSD by 8 % (60 min) and 6 % (5 min). To measure what correction does to the
    # *injected* artifacts, they are injected into the corrected recording (whole ms).
    rr = load(name)
    return np.round(correct_artifacts(rr, detect_artifacts(rr)).nn_ms).astype(np.int64)


# -- batch detection equals neurokit2's first pass ---------------------------------------------
