from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from ..deps import State
from ..storage import SCHEMA_VERSION

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    schema_version: int
    sessions_live: int
    wal_bytes: int = 0
    """The database's write-ahead log now (bytes); past ``wal_limit_bytes`` the status is degraded."""
    wal_limit_bytes: int = 0
    forget_pending: bool = False
    """A forgotten session's copies are still in the file (a reader holds it open); cleared once removed."""
    problems: list[str] = []
    """Why the status is not ok (e.g. the disk is full and sessions record into memory)."""


def tolerance_version() -> str:
    try:
        return version("tolerance-hrv")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


@router.get("/health", response_model=Health, responses={503: {"model": Health, "description": "Degraded"}})
async def health(state: State, response: Response) -> Health:
    """The server answers, how many sessions are live, and whether it can store what they
    record: 503 with ``status: degraded`` and the reasons while the disk is full, or while the
    write-ahead log is past its limit (a reader keeps it from being checkpointed)."""
    problems = []
    if state.store.fault is not None:
        problems.append(f"storage: {state.store.fault}; sessions record into memory until space returns")
    if state.store.deferred:
        problems.append(f"storage: {state.store.deferred} writes wait for space")
    wal = state.store.wal_bytes
    limit = state.store.wal_limit_bytes
    if wal > limit:
        problems.append(
            f"storage: the write-ahead log is {wal / 2**20:.1f} MiB (over {limit / 2**20:.0f} MiB): "
            "a reader holding the database open (a database browser?) keeps it from being checkpointed; close it"
        )
    if problems:
        response.status_code = 503
    return Health(
        status="degraded" if problems else "ok",
        version=tolerance_version(),
        schema_version=SCHEMA_VERSION,
        sessions_live=state.manager.live_count(),
        wal_bytes=wal,
        wal_limit_bytes=state.store.wal_limit_bytes,
        forget_pending=state.store.scrub_pending,
        problems=problems,
    )
