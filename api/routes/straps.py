"""Pairing from the page: ``GET /api/straps`` scans for straps advertising the Heart Rate
Service (the same scan as ``tolerance scan``); the page then starts a session on the one picked
(``POST /api/sessions`` with ``ble:ADDRESS``)."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query
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
    """What a scan found. No usable Bluetooth adapter is an answer, not a server failure:
    ``bluetooth`` false with ``problem`` saying what to check."""

    bluetooth: bool = Field(description="false: no usable Bluetooth adapter here")
    straps: list[Strap] = Field(description="strongest signal first")
    advice: str | None = Field(description="what to try when none was found")
    problem: str | None = Field(None, description="why the scan could not run, and what to check")


@router.get("/straps", response_model=StrapScan)
async def scan_straps(
    state: State, timeout: Annotated[float, Query(ge=0.5, le=30, description="seconds to listen")] = 8.0
) -> StrapScan:
    try:
        found = await scan(timeout, scanner_factory=state.scanner)
    except SensorError as exc:
        problem = f"{exc}. {exc.advice}".replace("..", ".").strip()
        return StrapScan(bluetooth=False, straps=[], advice=None, problem=problem)
    straps = [Strap(name=s.name, address=s.address, rssi=s.rssi) for s in found]
    return StrapScan(bluetooth=True, straps=straps, advice=None if straps else NOTHING_FOUND)
