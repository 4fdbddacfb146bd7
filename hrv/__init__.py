"""Pure HRV computation: beat timeline, artifacts, time and frequency domain, the live engine.

No I/O, no asyncio, nothing else of Tolerance: numpy, scipy, and neurokit2 as the reference
(imported only by the slow reference path, :func:`reference_analyze_rr`). Figures carry
neurokit2's names (``HRV_RMSSD`` ...) and units (ms, ms², %, Hz); each function's docstring
gives its window, interpolation and method.
"""

from .analysis import Analysis, AnalysisWindow, analyze_rr, reference_analyze_rr, window_bounds
from .artifacts import (
    ArtifactInputError,
    ArtifactParameters,
    ArtifactType,
    Correction,
    correct_artifacts,
    detect_artifacts,
)
from .artifacts_stream import ClassifiedBeat, StreamingArtifactDetector
from .coherence import Coherence, coherence
from .engine import BeatUpdate, Engine, EngineConfig, MetricsUpdate, Update, WindowMetrics
from .frequency import FrequencyDomain, SpectralParameters, frequency_domain, interpolate_nn
from .time_domain import HrvInputError, TimeDomain, TimeDomainWindows, time_domain, time_domain_windows
from .timeline import Beat, BeatTimeline, GapReason, SegmentStart

__all__ = [
    "Analysis",
    "AnalysisWindow",
    "ArtifactInputError",
    "ArtifactParameters",
    "ArtifactType",
    "Beat",
    "BeatTimeline",
    "BeatUpdate",
    "ClassifiedBeat",
    "Coherence",
    "Correction",
    "Engine",
    "EngineConfig",
    "FrequencyDomain",
    "GapReason",
    "HrvInputError",
    "MetricsUpdate",
    "SegmentStart",
    "SpectralParameters",
    "StreamingArtifactDetector",
    "TimeDomain",
    "TimeDomainWindows",
    "Update",
    "WindowMetrics",
    "analyze_rr",
    "coherence",
    "correct_artifacts",
    "detect_artifacts",
    "frequency_domain",
    "interpolate_nn",
    "reference_analyze_rr",
    "time_domain",
    "time_domain_windows",
    "window_bounds",
]
