"""The one interface every heart-rate source implements: BLE straps, simulators, replays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from .samples import SensorItem


@runtime_checkable
class Sensor(Protocol):
    """A source of :data:`SensorItem` values in receive order.

    ``stream()`` returns an async iterator (an async generator in every implementation
    here). Iterating it connects; closing it (``aclose()``, or leaving an
    ``async with contextlib.aclosing(sensor.stream())`` block) disconnects and releases the
    device. A source that can no longer go on ends its stream with a
    :class:`~tolerance.sensors.errors.SensorError` after yielding everything it received.
    """

    @property
    def source_id(self) -> str:
        """A stable id for this source (a BLE address, ``sim:calm:42``, a replay path)."""
        ...

    def stream(self) -> AsyncIterator[SensorItem]: ...
