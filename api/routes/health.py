from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import APIRouter

from ..deps import State

router = APIRouter(prefix="/api", tags=["health"])


def tolerance_version() -> str:
    try:
        return version("tolerance-hrv")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


@router.get("/health")
async def health(state: State) -> dict[str, Any]:
    """Liveness: the server answers, the store is open, how many sessions are live."""
    live = sum(1 for s in state.manager.sessions.values() if s.status == "live")
    return {"status": "ok", "version": tolerance_version(), "sessions_live": live}
