"""Artifact detection and correction on RR intervals (Lipponen & Tarvainen 2019): a whole
series at once (:mod:`.batch`) or one beat at a time (:mod:`.stream`), with the same rules
(:mod:`.classify`)."""

from ..errors import ArtifactInputError
from .batch import (
    ARTIFACT_CODES,
    Correction,
    correct_artifact_codes,
    correct_artifacts,
    detect_artifact_codes,
    detect_artifacts,
)
from .classify import ArtifactParameters, ArtifactType
from .stream import ClassifiedBeat, StreamingArtifactDetector

__all__ = [
    "ARTIFACT_CODES",
    "ArtifactInputError",
    "ArtifactParameters",
    "ArtifactType",
    "ClassifiedBeat",
    "Correction",
    "StreamingArtifactDetector",
    "correct_artifact_codes",
    "correct_artifacts",
    "detect_artifact_codes",
    "detect_artifacts",
]
