"""In-process server fixtures: the real app (FastAPI + store + sessions) with a fake strap at
the hardware edge, fed real Heart Rate Measurement bytes."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tolerance.api import Settings, create_app
from tolerance.api.session import SourceSpec
from tolerance.sensors import (
    ConnectionEvent,
    ConnectionState,
    HeartRateMeasurement,
    HeartRateSample,
    SensorItem,
    decode_hrm,
    encode_hrm,
)


class PayloadStrap:
    """A strap that sends ``n`` notifications of one RR interval each (as 0x2A37 bytes, decoded
    by the live parser), then stays connected until the session is stopped."""

    def __init__(self, n: int = 40, rr_ms: float = 900.0, source_id: str = "fake:strap", with_rr: bool = True) -> None:
        self.n = n
        self.with_rr = with_rr
        self.rr_raw = round(rr_ms * 1024 / 1000)
        self._source_id = source_id

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
            await asyncio.sleep(0)
        await asyncio.sleep(math.inf)


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(db=tmp_path / "t.sqlite3", port=0)
    app = create_app(settings, lambda: [SourceSpec(PayloadStrap(), "ble", {"device": "fake"})])
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client
