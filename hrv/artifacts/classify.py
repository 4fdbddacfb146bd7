"""The rules shared by batch (:mod:`.batch`) and streaming (:mod:`.stream`) artifact detection
and correction: the classes, the constants of the method, one step of the flow chart of
Lipponen & Tarvainen (2019, Fig. 1) and the interpolation of a corrected interval. The method
is described in :mod:`tolerance.hrv.artifacts.batch`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

__all__ = [
    "DEFAULT_PARAMETERS",
    "DRR_LIMIT",
    "MRR_LIMIT",
    "S22_LIMIT",
    "ArtifactParameters",
    "ArtifactType",
    "classify_at",
    "interpolate_between",
]

DRR_LIMIT: Final = 1.0
"""Normalised dRR above which a beat is examined (paper, Fig. 1)."""
MRR_LIMIT: Final = 3.0
"""Normalised mRR above which a beat is long or short (paper, Fig. 1)."""
S22_LIMIT: Final = 1.0
"""Normalised S22 beyond which a jump is a long or short beat (paper, Fig. 1)."""


class ArtifactType(enum.StrEnum):
    """Class of one RR interval (the interval ending at a beat)."""

    NORMAL = "normal"
    ECTOPIC = "ectopic"
    MISSED = "missed"
    EXTRA = "extra"
    LONG = "long"
    SHORT = "short"


@dataclass(frozen=True, slots=True)
class ArtifactParameters:
    """Constants of the method, as in Lipponen & Tarvainen (2019) and neurokit2's defaults.

    Attributes
    ----------
    alpha : float
        Threshold scale: ``Th = alpha * IQR / 2`` (dimensionless), 5.2.
    c1 : float
        Slope of the ectopic decision boundary in subspace (S11, S12), 0.13.
    c2 : float
        Offset of that boundary (normalised units), 0.17.
    window_width : int
        Beats in the window of the quartiles of each threshold, 91.
    medfilt_order : int
        Beats in the median filter of mRR, 11.
    """

    alpha: float = 5.2
    c1: float = 0.13
    c2: float = 0.17
    window_width: int = 91
    medfilt_order: int = 11

    def __post_init__(self) -> None:
        if not self.alpha > 0:
            raise ValueError(f"alpha must be positive, got {self.alpha}")
        if self.window_width < 1 or self.medfilt_order < 1:
            raise ValueError(
                "window_width and medfilt_order must be at least 1 beat, got "
                f"{self.window_width} and {self.medfilt_order}"
            )


DEFAULT_PARAMETERS: Final = ArtifactParameters()


def _takes_next(i: int, d: list[float]) -> bool:
    return abs(d[i + 1]) < abs(d[i + 2])


def classify_at(
    i: int,
    d: list[float],
    s12: list[float],
    s22: list[float],
    m: list[float],
    rr: list[float],
    med: list[float],
    th2: list[float],
    p: ArtifactParameters,
) -> tuple[list[tuple[int, ArtifactType]], int]:
    """One step of the paper's flow chart started at beat ``i`` (``|dRR[i]| > 1`` or NaN).

    Returns the (index, type) pairs it flags and how many beats the step consumed: 2 when beat
    ``i + 1`` was examined with ``i`` (it is then not a starting point), else 1. Needs ``d`` up
    to ``i + 2``, ``s22``, ``m``, ``med``, ``th2`` up to ``i + 1``, ``rr`` up to ``i + 2``.
    """
    di = d[i]
    if (di > DRR_LIMIT and s12[i] < -p.c1 * di - p.c2) or (di < -DRR_LIMIT and s12[i] > -p.c1 * di + p.c2):
        return [(i, ArtifactType.ECTOPIC)], 1
    if not (abs(di) > DRR_LIMIT or abs(m[i]) > MRR_LIMIT):
        return [], 1
    flagged = []
    examined = (i, i + 1) if _takes_next(i, d) else (i,)
    for j in examined:
        is_long = d[j] > DRR_LIMIT and s22[j] < -S22_LIMIT
        is_short = d[j] < -DRR_LIMIT and s22[j] > S22_LIMIT
        if not (is_long or is_short or abs(m[j]) > MRR_LIMIT):
            continue
        if is_short and abs(rr[j] + rr[j + 1] - med[j]) < th2[j]:
            flagged.append((j, ArtifactType.EXTRA))
        elif is_long and abs(rr[j] / 2 - med[j]) < th2[j]:
            flagged.append((j, ArtifactType.MISSED))
        else:
            flagged.append((j, ArtifactType.LONG if rr[j] > med[j] else ArtifactType.SHORT))
    return flagged, len(examined)


def interpolate_between(
    i: int,
    before: tuple[int, float] | None,
    after: tuple[int, float] | None,
    fallback_ms: float,
) -> float:
    """Value at beat ``i`` on the line through ``before`` and ``after`` ((index, ms) pairs).

    One formula for batch and streaming, so both give bit-identical NN values. With one
    neighbour its value, with none ``fallback_ms``.
    """
    if before is not None and after is not None:
        (a, va), (b, vb) = before, after
        return va + (vb - va) * (i - a) / (b - a)
    if before is not None:
        return before[1]
    if after is not None:
        return after[1]
    return fallback_ms
