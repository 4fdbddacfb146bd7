"""Start a Polar strap's PMD streams (accelerometer, ECG) on a connected bleak client.

Called by :class:`~tolerance.sensors.ble.BleStrap` after every connect, so the streams are
started again after each reconnect (the strap stops them when the link drops). Flow, as the
Polar BLE SDK does it (``BlePMDClient``: write only once both characteristics are subscribed)::

    PMD service present? (FB005C80-...; a strap without it is not a Polar H10: nothing to do)
    subscribe the control point (indications) and the data characteristic (notifications)
    for each stream: write the start command (``02 type (setting, 1, value LE16)...``),
                     wait for the control point's answer (``F0 02 type status more params``)
                     success or "already in state": started, with the reply's scale factor
                     (1.0 when it carries none: the H10's documented replies carry none)

A stream that is refused, not answered within the time limit, or answered with nonsense is
left out with the reason (the heart rate goes on without it; the worker's *Moving* marker is
then the activity signal). Default: the accelerometer at 25 Hz, 8 G (the lowest H10 rate is
plenty for movement intensity and costs the least radio time); ECG (130 Hz) only when asked:
streaming both has been reported to drop the link after about 30 s on some stacks (bleakheart
issue 12), which this project has not measured.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import MalformedPayload
from ..polar import (
    MEASUREMENT_TYPE_ACC,
    MEASUREMENT_TYPE_ECG,
    PMD_CONTROL_POINT_UUID,
    PMD_DATA_UUID,
    ControlPointResponse,
    PmdOpCode,
    PmdStatus,
    acc_start_command,
    decode_control_point,
    ecg_start_command,
    pmd_item,
    start_factor,
)
from ..samples import PMD_STREAM, AccelerometerSample, EcgSample, MalformedNotification

_log = logging.getLogger(__name__)

__all__ = ["PmdOptions", "PmdStream", "decode_pmd_notification", "start_pmd"]

ECG_RATE_HZ = 130


@dataclass(frozen=True, slots=True)
class PmdOptions:
    """Which PMD streams to start on a strap that has them."""

    accelerometer: bool = True
    ecg: bool = False
    acc_rate_hz: int = 25
    acc_range_g: int = 8


@dataclass(frozen=True, slots=True)
class PmdStream:
    """A started stream: its measurement type, sample rate and scale factor."""

    measurement_type: int
    rate_hz: float
    factor: float = 1.0


def _has_pmd(client: Any) -> bool:
    try:
        services = client.services
        return services is not None and services.get_characteristic(PMD_CONTROL_POINT_UUID) is not None
    except Exception:  # bleak raises when services were not resolved: no PMD then
        return False


async def _answer(replies: asyncio.Queue[bytes], measurement_type: int) -> ControlPointResponse:
    """The next answer to a start of ``measurement_type`` (other indications are skipped)."""
    while True:
        r = decode_control_point(await replies.get())
        if (
            isinstance(r, ControlPointResponse)
            and r.op_code == PmdOpCode.REQUEST_MEASUREMENT_START
            and r.measurement_type == measurement_type
        ):
            return r


async def start_pmd(
    client: Any,
    options: PmdOptions,
    on_data: Callable[[Any, bytearray], None],
    timeout_s: float = 10.0,
) -> tuple[dict[int, PmdStream], list[str]]:
    """Start the streams ``options`` asks for; returns those started (by measurement type) and
    a line per stream saying what happened (for the device's description and the log)."""
    wanted: list[tuple[str, int, bytes, float]] = []
    if options.accelerometer:
        cmd = acc_start_command(options.acc_rate_hz, options.acc_range_g)
        wanted.append(("accelerometer", MEASUREMENT_TYPE_ACC, cmd, float(options.acc_rate_hz)))
    if options.ecg:
        wanted.append(("ECG", MEASUREMENT_TYPE_ECG, ecg_start_command(), float(ECG_RATE_HZ)))
    if not wanted:
        return {}, []
    if not _has_pmd(client):
        return {}, ["no PMD service (not a Polar H10): heart rate only"]
    replies: asyncio.Queue[bytes] = asyncio.Queue()

    def on_control_point(_sender: Any, data: bytearray) -> None:
        replies.put_nowait(bytes(data))  # a callback of the stack: only enqueue

    started: dict[int, PmdStream] = {}
    notes: list[str] = []
    try:
        async with asyncio.timeout(timeout_s):
            await client.start_notify(PMD_CONTROL_POINT_UUID, on_control_point)
            await client.start_notify(PMD_DATA_UUID, on_data)
    except Exception as exc:
        _log.warning("PMD: subscribing failed: %r", exc)
        return {}, [f"PMD subscription failed ({exc!r}): heart rate only"]
    for name, mtype, command, rate in wanted:
        try:
            async with asyncio.timeout(timeout_s):
                await client.write_gatt_char(PMD_CONTROL_POINT_UUID, command, response=True)
                reply = await _answer(replies, mtype)
            if not (reply.ok or reply.status == PmdStatus.ERROR_ALREADY_IN_STATE):
                notes.append(f"{name} refused by the strap ({reply.status_name})")
                continue
            started[mtype] = PmdStream(mtype, rate, start_factor(reply))
            notes.append(f"{name} {rate:g} Hz")
        except TimeoutError:
            notes.append(f"{name}: no answer within {timeout_s:g} s")
        except MalformedPayload as exc:
            notes.append(f"{name}: the strap's answer is malformed ({exc.reason})")
        except Exception as exc:  # bleak's errors are untyped: keep the heart rate going
            notes.append(f"{name}: start failed ({exc!r})")
    for note in notes:
        _log.info("PMD: %s", note)
    return started, notes


def decode_pmd_notification(
    payload: bytes, streams: dict[int, PmdStream], source: str, t_mono: float, t_utc: float
) -> AccelerometerSample | EcgSample | MalformedNotification:
    """A PMD data notification as a source item, by its measurement type at the rate and factor
    its stream was started with; a frame of a stream not started is malformed."""
    stream = streams.get(payload[0] & 0x3F) if payload else None
    rate, factor = (stream.rate_hz, stream.factor) if stream is not None else (0.0, 1.0)
    item = pmd_item(payload, source=source, t_mono=t_mono, t_utc=t_utc, rate_hz=rate, factor=factor)
    if stream is None and not isinstance(item, MalformedNotification):
        return MalformedNotification(
            source, t_mono, t_utc, payload, "a PMD frame of a stream not started", PMD_STREAM, 0.0
        )
    return item
