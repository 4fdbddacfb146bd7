"""File formats in one place: session export writers and RR-file readers, each a module
registered in :mod:`.registry`."""

from enum import StrEnum
from typing import Any

from .kinds import ExportFormat, RRReader
from .registry import EXPORTS, export_format, read_rr_file, readers
from .rr_series import ExcludedValue, RRFileError, RRSeries

ExportName = StrEnum("ExportName", {name: name for name in EXPORTS})  # type: ignore[misc]
"""The export formats, as the API's ``format`` parameter (its OpenAPI enum)."""
DEFAULT_EXPORT = ExportName("csv")


def export_media_types() -> dict[str, Any]:
    return {fmt.media_type: {} for fmt in EXPORTS.values()}


__all__ = [
    "DEFAULT_EXPORT",
    "EXPORTS",
    "ExcludedValue",
    "ExportFormat",
    "ExportName",
    "RRFileError",
    "RRReader",
    "RRSeries",
    "export_format",
    "export_media_types",
    "read_rr_file",
    "readers",
]
