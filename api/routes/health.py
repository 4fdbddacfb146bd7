from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from ..deps import State
from ..storage import SCHEMA_VERSION

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    schema_version: int
    sessions_live: int


def tolerance_version() -> str:
    try:
        return version("tolerance-hrv")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


@router.get("/health", response_model=Health)
async def health(state: State) -> Health:
    """Liveness: the server answers, the store is open, how many sessions are live."""
    return Health(
        status="ok",
        version=tolerance_version(),
        schema_version=SCHEMA_VERSION,
        sessions_live=state.manager.live_count(),
    )
