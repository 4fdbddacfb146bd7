"""Pure HRV computation: beat timeline, artifacts, time and frequency domain, the live engine
and the offline analysis.

No I/O, no asyncio, nothing else of Tolerance, and at run time nothing but numpy: scipy is
not imported, except by Kubios' spectral settings (:mod:`.kubios`, ``--spectrum kubios``: a
sparse solve and a cubic spline), and only when they run. The scipy functions neurokit2
computes with are re-implemented in numpy and tested equal to scipy's: the quadratic
interpolating spline (:mod:`.spline`, also fitted for thousands of windows at once, which
scipy cannot do), the Hann window and Welch's PSD
(:mod:`.frequency`), the linear detrending of the coherence (:mod:`.coherence`). Importing
``scipy.signal`` alone would add about 0.5 s to every ``tolerance analyze``. neurokit2 is the
reference: imported only by the slow reference path (:func:`reference_analyze_rr`,
``tolerance analyze --engine neurokit``), and by the tests, which check every figure against
it (and the numpy re-implementations against scipy). Figures carry neurokit2's names
(``HRV_RMSSD`` ...) and units (ms, ms², %, Hz); each function's docstring gives its window,
interpolation and method.
"""

from .activity import (
    ActivityChange,
    ActivityClassifier,
    ActivityConfig,
    ActivityEpoch,
    intensity,
    mean_amplitude_deviation,
)
from .analysis import Analysis, AnalysisWindow, analyze_rr, reference_analyze_rr
from .artifacts import (
    ArtifactParameters,
    ArtifactType,
    ClassifiedBeat,
    Correction,
    StreamingArtifactDetector,
    correct_artifacts,
    detect_artifacts,
)
from .coherence import Coherence, coherence
from .ecg import EcgRR, rr_from_ecg
from .engine import BeatUpdate, Engine, EngineConfig, MetricsUpdate, Update, WindowMetrics
from .errors import ArtifactInputError, HrvError, HrvInputError
from .frequency import FrequencyDomain, SpectralParameters, frequency_domain, interpolate_nn
from .frequency_batch import FrequencyDomainWindows, frequency_domain_windows
from .segments import window_bounds
from .time_domain import TimeDomain, TimeDomainWindows, time_domain, time_domain_windows
from .timeline import Beat, BeatTimeline, GapReason, SegmentStart

__all__ = [
    "ActivityChange",
    "ActivityClassifier",
    "ActivityConfig",
    "ActivityEpoch",
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
    "EcgRR",
    "Engine",
    "EngineConfig",
    "FrequencyDomain",
    "FrequencyDomainWindows",
    "GapReason",
    "HrvError",
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
    "intensity",
    "mean_amplitude_deviation",
    "frequency_domain_windows",
    "interpolate_nn",
    "reference_analyze_rr",
    "rr_from_ecg",
    "time_domain",
    "time_domain_windows",
    "window_bounds",
]
