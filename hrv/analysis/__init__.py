"""Offline HRV of a whole RR series in sliding windows (``tolerance analyze``): the fast engine
(:mod:`.fast`), the neurokit2 reference engine (:mod:`.reference`, neurokit2 imported on its
call only) and the window assembly both share (:mod:`.windows`)."""

from ..segments import DEFAULT_MIN_COVERAGE, window_bounds
from .fast import analyze_rr
from .reference import reference_analyze_rr
from .windows import (
    CSV_COLUMNS,
    DEFAULT_MAX_CORRECTED_SHARE,
    MIN_SPECTRAL_WINDOW_S,
    MIN_VLF_WINDOW_S,
    Analysis,
    AnalysisWindow,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MAX_CORRECTED_SHARE",
    "DEFAULT_MIN_COVERAGE",
    "MIN_SPECTRAL_WINDOW_S",
    "MIN_VLF_WINDOW_S",
    "Analysis",
    "AnalysisWindow",
    "analyze_rr",
    "reference_analyze_rr",
    "window_bounds",
]
