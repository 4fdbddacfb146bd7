"""Artifact correction methods of ``tolerance analyze --correction`` (one segment at a time).

Each method turns a segment's RR intervals (ms) into a :class:`Corrected`: the NN intervals, one
code per NN interval (0: unchanged, else the :data:`~tolerance.hrv.artifacts.ARTIFACT_CODES`
index of the class that changed it), the **time steps** that lay the NN intervals on the time
axis, and the flagged input intervals for the artifact list.

Methods
-------
``auto`` (default)
    Lipponen & Tarvainen (2019) detection (neurokit2's first pass exactly), then
    :func:`~tolerance.hrv.artifacts.correct_artifact_codes`: extra beats merged, missed beats
    split, ectopic / long / short intervals linearly interpolated (in beat index) between their
    normal neighbours.
``none``
    No correction: NN = RR. The Lipponen & Tarvainen detection still runs and its flags are
    listed as artifacts (detected, not corrected); no window counts a corrected beat.
``very-low`` ... ``very-strong`` (Kubios HRV's threshold levels)
    Kubios HRV's threshold-based correction (Tarvainen et al. 2014, section 2.2; Kubios HRV
    user's guide, "RR interval series options"): each RR interval is compared with a local
    average, the **median** of the RR series around it, and flagged when it differs by more
    than the level's threshold: very low 0.45 s, low 0.35 s, medium 0.25 s, strong 0.15 s,
    very strong 0.05 s (:data:`KUBIOS_THRESHOLDS_S`), thresholds for 60 beats/min, scaled by the
    segment's mean RR in seconds (0.25 s at 0.79 s mean RR: 0.198 s). Flagged intervals are
    replaced by a cubic spline through the unflagged intervals at their beat times (the guide:
    "replaced with interpolated values ... cubic spline interpolation"), the beats keeping
    their times. A heuristic, inferred from one public report (docs/validation.md: the Kubios
    HRV 3.3 report at "medium", whose time column keeps the raw beat times while its RR column
    holds the corrected values, so the corrected beats can be read off it): the scaling and a
    median over :data:`KUBIOS_MEDIAN_BEATS` = 41 beats flag all 11 of Kubios' corrected beats
    and 4 more; without the scaling, or with an 11-beat median, fewer of Kubios' beats are
    found. Kubios' replaced values are 5-32 ms below this spline's: its exact rule is not
    public. A flagged interval is reported ``long`` or ``short`` by the sign of its difference
    from the median.
``neurokit``
    neurokit2's own correction, ``signal_fixpeaks(peaks, method="Kubios", iterative=False)``:
    detection as ``auto``, but peaks are moved (an ectopic beat to the midpoint of its
    neighbours), which rewrites both intervals around it (:func:`neurokit_correction`).

Time (a decision, tested): the time axis is the **beats' own time**, the running sum of the
input intervals, in every method. A merged extra beat and a split missed one keep it by
construction (their NN intervals add up to the RR intervals they replace); an interpolated
interval does not (an interpolated long interval is shorter than the time that passed), so its
time step stays the RR interval it replaces: the beats after it keep their times, windows fall
where the beats were, and a 5-minute window is 5 minutes of recording. The trade-off: for an
interpolated interval the time step and the NN value differ, so ``t_end`` differences are not
the NN intervals there (the spectrum's spline is sampled at the beats' true times, with the
interpolated value), and the sum of a window's NN intervals can differ from its span by the
interpolations' corrections. neurokit2's peak moving keeps the time of every unmoved beat too.

References
----------
* Lipponen, J. A., & Tarvainen, M. P. (2019). J Med Eng Technol, 43(3), 173-181.
* Tarvainen, M. P., Niskanen, J.-P., Lipponen, J. A., Ranta-aho, P. O., & Karjalainen, P. A.
  (2014). Kubios HRV - heart rate variability analysis software. Comput Methods Programs Biomed,
  113(1), 210-220.
* Kubios HRV user's guide (3.x), RR interval series options: artefact correction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from .artifacts import ARTIFACT_CODES, ArtifactType, correct_artifact_codes, detect_artifact_codes
from .errors import HrvInputError

__all__ = [
    "CORRECTIONS",
    "KUBIOS_MEDIAN_BEATS",
    "KUBIOS_THRESHOLDS_S",
    "Corrected",
    "correct_segment",
    "correction_description",
    "kubios_threshold_correction",
    "neurokit_correction",
    "neurokit_sampling_rate",
]

KUBIOS_THRESHOLDS_S: Final = {
    "very-low": 0.45,
    "low": 0.35,
    "medium": 0.25,
    "strong": 0.15,
    "very-strong": 0.05,
}
"""Kubios HRV's threshold levels, s: an RR interval further than this from the local median is
an artifact (Kubios HRV user's guide; Tarvainen et al. 2014)."""
KUBIOS_MEDIAN_BEATS: Final = 41
"""Beats of the local median the threshold levels compare with (inferred, see the module docstring)."""
CORRECTIONS: Final = ("auto", "none", *KUBIOS_THRESHOLDS_S, "neurokit")
"""The ``--correction`` methods."""

_CODE: Final = {t: k for k, t in enumerate(ARTIFACT_CODES)}
_INTERPOLATED: Final = np.array(
    [t in (ArtifactType.ECTOPIC, ArtifactType.LONG, ArtifactType.SHORT) for t in ARTIFACT_CODES], dtype=bool
)


@dataclass(frozen=True, slots=True)
class Corrected:
    """One segment corrected: NN intervals (ms), a code per NN interval (0: unchanged), the time
    step of each NN interval (ms; they add up to the segment's RR intervals), and the flagged
    input intervals (position in the segment, class code)."""

    nn: np.ndarray
    codes: np.ndarray
    steps: np.ndarray
    flagged: np.ndarray
    flagged_codes: np.ndarray


def correction_description(method: str) -> str:
    """What ``method`` does, for the JSON's ``parameters`` (module docstring)."""
    if method == "auto":
        return (
            "Lipponen & Tarvainen 2019 (neurokit2's first pass), per segment: extra merged, missed split, "
            "ectopic/long/short interpolated between normal neighbours; time steps kept"
        )
    if method == "none":
        return "none: NN = RR; Lipponen & Tarvainen artifacts detected and listed, not corrected"
    if method in KUBIOS_THRESHOLDS_S:
        return (
            f"Kubios threshold {method} ({KUBIOS_THRESHOLDS_S[method]:g} s at 60 beats/min, scaled by the mean RR, "
            f"from the median of {KUBIOS_MEDIAN_BEATS} beats), flagged intervals replaced by a cubic spline at "
            "their beat times; time steps kept"
        )
    if method == "neurokit":
        return "neurokit2 signal_fixpeaks(method='Kubios', iterative=False): peaks moved, per segment"
    raise HrvInputError(f"unknown correction {method!r}: one of {', '.join(CORRECTIONS)}")


def correct_segment(rr_ms: np.ndarray, method: str = "auto", nk: Any = None) -> Corrected:
    """Correct one segment's RR intervals (ms) with ``method`` (module docstring).

    ``nk``: the imported neurokit2 module, for ``neurokit`` (imported by the caller, so that this
    module stays numpy-only otherwise)."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    if method in ("auto", "none"):
        codes = detect_artifact_codes(rr)
        flagged = np.flatnonzero(codes)
        if method == "none":
            return Corrected(rr, np.zeros(rr.size, dtype=np.uint8), rr, flagged, codes[flagged])
        nn, corrected = correct_artifact_codes(rr, codes)
        return Corrected(nn, *_codes_and_steps(rr, codes, nn, corrected), flagged, codes[flagged])
    if method in KUBIOS_THRESHOLDS_S:
        return kubios_threshold_correction(rr, KUBIOS_THRESHOLDS_S[method])
    if method == "neurokit":
        if nk is None:
            import importlib

            nk = importlib.import_module("neurokit2")  # the slow path only
        return neurokit_correction(nk, rr)
    raise HrvInputError(f"unknown correction {method!r}: one of {', '.join(CORRECTIONS)}")


def _codes_and_steps(
    rr: np.ndarray, codes: np.ndarray, nn: np.ndarray, corrected: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per NN interval of :func:`correct_artifact_codes`: the class code that changed it, and
    its time step (the NN value, but the replaced RR interval for an interpolated one)."""
    n = rr.size
    counts = np.ones(n, dtype=np.intp)
    merged = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(codes == _CODE[ArtifactType.EXTRA]).tolist():
        if i < n - 1 and not merged[i]:
            merged[i + 1] = True
        if i == n - 1:
            counts[i] = 0
    counts[merged] = 0
    counts[(codes == _CODE[ArtifactType.MISSED]) & ~merged] = 2
    out_codes = np.repeat(np.where(merged, 0, codes).astype(np.uint8), counts)
    out_codes[~corrected] = 0
    if out_codes.size != nn.size:  # cannot happen: the same rules as correct_artifact_codes
        raise HrvInputError("internal: correction counts disagree")
    interp = _INTERPOLATED[np.where(merged, 0, codes)] & ~merged
    if not interp.any():
        return out_codes, nn  # every NN interval is its own time step: no copy
    steps = nn.copy()
    first_out = np.cumsum(counts) - counts
    steps[first_out[interp]] = rr[interp]
    return out_codes, steps


def kubios_threshold_correction(rr_ms: np.ndarray, threshold_s: float) -> Corrected:
    """Kubios HRV's threshold correction of one segment (module docstring).

    An interval ``|rr - median_41| > threshold * mean(rr) / 1 s`` is flagged (``long`` above the median, ``short``
    below) and replaced by the not-a-knot cubic spline through the unflagged intervals at their
    beat times (linear with fewer than 4 of them; unchanged with fewer than 2). Time steps are
    the RR intervals (the beats keep their times)."""
    if not (threshold_s > 0 and math.isfinite(threshold_s)):
        raise HrvInputError("a correction threshold must be a finite number of seconds > 0")
    rr = np.asarray(rr_ms, dtype=np.float64)
    n = rr.size
    half = KUBIOS_MEDIAN_BEATS // 2
    padded = np.pad(rr, half, mode="edge")
    med = np.median(np.lib.stride_tricks.sliding_window_view(padded, KUBIOS_MEDIAN_BEATS), axis=1)[:n]
    diff = rr - med
    bad = np.abs(diff) > threshold_s * float(rr.mean())  # s at 60 beats/min, scaled by mean RR (s)
    codes = np.zeros(n, dtype=np.uint8)
    codes[bad & (diff > 0)] = _CODE[ArtifactType.LONG]
    codes[bad & (diff < 0)] = _CODE[ArtifactType.SHORT]
    nn = rr.copy()
    good = ~bad
    if bad.any() and good.sum() >= 2:
        t = np.cumsum(rr) / 1000.0
        if good.sum() >= 4:
            from scipy.interpolate import CubicSpline

            nn[bad] = CubicSpline(t[good], rr[good], bc_type="not-a-knot")(t[bad])
        else:
            nn[bad] = np.interp(t[bad], t[good], rr[good])
    elif bad.any():
        codes[:] = 0  # nothing to interpolate from: left as it is, and not counted as corrected
    flagged = np.flatnonzero(codes)
    return Corrected(nn, codes, rr, flagged, codes[flagged])


def neurokit_sampling_rate(rr_ms: np.ndarray) -> float:
    """The sampling rate (Hz) at which every beat time of ``rr_ms`` is a whole number of samples.

    neurokit2's ``signal_fixpeaks`` truncates every peak to a whole sample once it moves one
    (``_correct_misaligned``): at 1000 Hz a series in Polar's 1/1024 s units would have all its
    intervals rounded, and every one would count as corrected (issue 24). 1000 Hz when every
    interval is a whole ms (neurokit2's own path, unchanged), 1024 Hz when every interval is a
    whole 1/1024 s (Polar, Garmin), else 10 kHz (rounding under 0.1 ms; the unmoved beats are
    then put back at their exact times by :func:`neurokit_correction`)."""
    for rate in (1000.0, 1024.0):
        x = rr_ms * (rate / 1000.0)
        if np.all(np.abs(x - np.round(x)) < 1e-6):
            return rate
    return 10_000.0


def neurokit_correction(nk: Any, rr_ms: np.ndarray) -> Corrected:
    """neurokit2's peak-moving correction of one segment (module docstring).

    ``peaks = [0, cumsum(rr)]`` in samples at :func:`neurokit_sampling_rate`; neurokit2's
    artifact index ``k`` is input interval ``k - 1``; its ``longshort`` class is reported
    ``long`` or ``short`` by the sign of ``rr - median`` of the 11 intervals around it. A peak
    within half a sample of an input peak is that input peak, at its exact time; the others were
    moved (the intervals on either side of a moved peak are corrected, code ``ectopic`` unless
    neurokit2 classed the beat otherwise)."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    rate = neurokit_sampling_rate(rr)
    peaks_ms = np.concatenate([[0.0], np.cumsum(rr)])
    peaks = peaks_ms * (rate / 1000.0)
    if rate != 1000.0:
        peaks = np.round(peaks)
    info, clean = nk.signal_fixpeaks(peaks, sampling_rate=rate, iterative=False, method="Kubios")
    clean = np.asarray(clean, dtype=np.float64)
    periods = np.concatenate([[rr.mean() if rr.size else 0.0], rr])
    found: dict[int, int] = {}
    for kind in ("ectopic", "missed", "extra", "longshort"):
        for k in info[kind]:
            i = int(k) - 1
            if not 0 <= i < rr.size:
                continue
            if kind == "longshort":
                med = np.median(periods[max(0, i + 1 - 5) : i + 7])
                found[i] = _CODE[ArtifactType.LONG if rr[i] > med else ArtifactType.SHORT]
            else:
                found[i] = _CODE[ArtifactType(kind)]
    pos = np.clip(np.searchsorted(peaks, clean), 1, peaks.size - 1)
    near = np.where(np.abs(peaks[pos] - clean) <= np.abs(peaks[pos - 1] - clean), pos, pos - 1)
    moved = np.abs(peaks[near] - clean) > 0.5
    times = np.where(moved, clean * (1000.0 / rate), peaks_ms[near])
    nn = np.diff(times)
    changed = moved[1:] | moved[:-1]
    codes = np.zeros(nn.size, dtype=np.uint8)
    end_beat = near[1:]  # input interval ending where each NN interval ends (unmoved peaks)
    for j in np.flatnonzero(changed).tolist():
        i = int(end_beat[j]) - 1
        codes[j] = found.get(i, _CODE[ArtifactType.ECTOPIC])
    flagged = np.array(sorted(found), dtype=np.int64)
    flagged_codes = np.array([found[i] for i in flagged.tolist()], dtype=np.uint8)
    return Corrected(nn, codes, nn.copy(), flagged, flagged_codes)
