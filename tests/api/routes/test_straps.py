"""Pairing from the page: ``GET /api/straps`` with this machine's real (absent) Bluetooth, and
with a fake scanner in bleak's shape."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from starlette.testclient import TestClient
from tolerance.sensors.ble import HEART_RATE_SERVICE


class _Scanner:
    adverts: list[tuple[Any, Any]] = []

    def __init__(self, detection_callback: Any, **_kw: Any) -> None:
        self._callback = detection_callback

    async def __aenter__(self) -> _Scanner:
        for device, adv in self.adverts:
            self._callback(device, adv)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        return None


def _advert(address: str, name: str | None, rssi: int) -> tuple[Any, Any]:
    return SimpleNamespace(address=address, name=name), SimpleNamespace(
        local_name=name, rssi=rssi, service_uuids=[HEART_RATE_SERVICE]
    )


@pytest.fixture
def faked(app_client: TestClient) -> TestClient:
    """The shared in-process client, its server's scanner swapped for a fake near two straps."""
    scanner = type(
        "S", (_Scanner,), {"adverts": [_advert("AA:01", "Polar H10 1A2B", -80), _advert("AA:02", None, -50)]}
    )
    app_client.app.state.tolerance.scanner = scanner  # type: ignore[attr-defined]
    return app_client


def test_without_an_adapter_the_scan_says_what_to_check(app_client: TestClient) -> None:
    r = app_client.get("/api/straps", params={"timeout": 0.5})
    assert r.status_code == 200  # an answer about this machine, not a server failure
    body = r.json()
    assert body["bluetooth"] is False and body["straps"] == []
    assert "Bluetooth" in body["problem"] and "adapter" in body["problem"] and "Traceback" not in body["problem"]


def test_straps_are_listed_strongest_first_with_their_signal(faked: TestClient) -> None:
    body = faked.get("/api/straps", params={"timeout": 0.5}).json()
    assert [(s["address"], s["rssi"]) for s in body["straps"]] == [("AA:02", -50), ("AA:01", -80)]
    assert body["straps"][1]["name"] == "Polar H10 1A2B" and body["advice"] is None and body["bluetooth"]
    assert faked.get("/api/straps", params={"timeout": 60}).status_code == 422
