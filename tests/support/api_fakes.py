"""Fakes for the reliability tests: straps that send real 0x2A37 bytes at a pace we choose."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator

from tolerance.sensors import (
    ConnectionEvent,
    ConnectionState,
    HeartRateMeasurement,
    HeartRateSample,
    SensorItem,
    decode_hrm,
    encode_hrm,
)


class PacedStrap:
    """``n`` notifications of one RR each (about ``rr_ms``; none with ``with_rr=False``, as a
    watch sends), one every ``period_s`` of real time (0: as fast as the loop allows), then
    connected until stopped; ``sent`` counts them."""

    def __init__(
        self,
        n: int = 40,
        rr_ms: float = 900.0,
        period_s: float = 0.0,
        source_id: str = "fake:strap",
        with_rr: bool = True,
    ) -> None:
        self.n = n
        self.with_rr = with_rr
        self.rr_raw = round(rr_ms * 1024 / 1000)
        self.period_s = period_s
        self._source_id = source_id
        self.sent = 0

    @property
    def source_id(self) -> str:
        return self._source_id

    async def stream(self) -> AsyncIterator[SensorItem]:
        t = 0.0
        yield ConnectionEvent(self._source_id, t, 1.7e9, ConnectionState.CONNECTED)
        for i in range(self.n):
            rr = self.rr_raw + (7 if i % 2 else -7)
            t += rr / 1024
            hr = round(60000 * 1024 / 1000 / rr)
            payload = encode_hrm(HeartRateMeasurement(hr, (rr,) if self.with_rr else (), True, None))
            m = decode_hrm(payload)
            yield HeartRateSample.from_measurement(
                m, source=self._source_id, t_mono=t, t_utc=1.7e9 + t, payload=payload
            )
            self.sent += 1
            await asyncio.sleep(self.period_s)
        await asyncio.sleep(math.inf)
