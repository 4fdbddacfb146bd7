"""The errors of :mod:`tolerance.hrv`: one root, :class:`HrvError`.

::

    HrvError                        every error raised on purpose by tolerance.hrv
    └── HrvInputError (ValueError)  input an HRV function cannot compute on
        └── ArtifactInputError      RR input artifact detection cannot classify

``HrvInputError`` is also a ``ValueError``, so callers that catch ``ValueError`` keep working.
"""

from __future__ import annotations

__all__ = ["ArtifactInputError", "HrvError", "HrvInputError"]


class HrvError(Exception):
    """Root of the errors raised by :mod:`tolerance.hrv`."""


class HrvInputError(HrvError, ValueError):
    """An HRV function got input it cannot compute on (wrong shape, non-finite, <= 0).

    Attributes
    ----------
    reason : str
        What is wrong, in words.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ArtifactInputError(HrvInputError):
    """RR input that cannot be classified: not 1-D, not finite, or not positive.

    Attributes
    ----------
    reason : str
        What is wrong, in words (the message).
    index : int or None
        0-based position of the first offending value, None for a shape problem.
    value : float or None
        The offending value.
    """

    def __init__(self, message: str, *, index: int | None = None, value: float | None = None) -> None:
        super().__init__(message)
        self.index = index
        self.value = value
