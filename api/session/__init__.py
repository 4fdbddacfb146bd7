"""Live sessions: a source, ordered stages and ordered sinks (see :mod:`.pipeline`)."""

from .activity import ActivitySignal, ActivityStage, StreamGap
from .clock import SessionClock, SessionState
from .live import LiveSession, NotSimulated, SessionNotLive, UnknownEpisode
from .manager import SessionManager
from .pacer import Pacer, PacerError, PacerState
from .pipeline import Pipeline, default_sinks, default_stages
from .sinks import HubSink, Sink, StoreSink
from .sources import SourceError, SourceSpec, build_sources, parse_source
from .stages import HrvStage, Stage
from .values import Marker, PacerChanged

__all__ = [
    "ActivitySignal",
    "ActivityStage",
    "HrvStage",
    "HubSink",
    "LiveSession",
    "Marker",
    "NotSimulated",
    "Pacer",
    "PacerChanged",
    "PacerError",
    "PacerState",
    "Pipeline",
    "SessionClock",
    "SessionManager",
    "SessionNotLive",
    "SessionState",
    "Sink",
    "SourceError",
    "SourceSpec",
    "Stage",
    "StreamGap",
    "StoreSink",
    "UnknownEpisode",
    "build_sources",
    "default_sinks",
    "default_stages",
    "parse_source",
]
