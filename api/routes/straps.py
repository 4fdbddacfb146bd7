"""Pairing from the page: ``GET /api/straps`` scans for straps advertising the Heart Rate
Service (the same scan as ``tolerance scan``); the page then starts a session on the one picked
(``POST /api/sessions`` with ``ble:ADDRESS``)."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from tolerance.sensors import SensorError, scan

from ..deps import State

router = APIRouter(prefix="/api", tags=["straps"])

NOTHING_FOUND: Final = (
    "No strap answered. Most straps advertise only while worn: moisten the electrodes and put the strap on. "
    "Close apps on phones or watches that may be connected to it (a connected strap stops advertising), "
    "move closer, and scan again."
)


class Strap(BaseModel):
    name: str | None
    address: str
    rssi: int | None = Field(description="signal strength, dBm (closer to 0 is stronger); null if unknown")


class StrapScan(BaseModel):
    straps: list[Strap] = Field(description="strongest signal first")
    advice: str | None = Field(description="what to try when none was found")


@router.get(
    "/straps",
    response_model=StrapScan,
    responses={503: {"description": "No usable Bluetooth adapter here (detail: what to check)"}},
)
async def scan_straps(
    state: State, timeout: Annotated[float, Query(ge=0.5, le=30, description="seconds to listen")] = 8.0
) -> StrapScan:
    try:
        found = await scan(timeout, scanner_factory=state.scanner)
    except SensorError as exc:
        raise HTTPException(503, f"{exc}. {exc.advice}".replace("..", ".").strip()) from None
    straps = [Strap(name=s.name, address=s.address, rssi=s.rssi) for s in found]
    return StrapScan(straps=straps, advice=None if straps else NOTHING_FOUND)
