"""The daily review: ``GET /api/review?date=YYYY-MM-DD`` (default: today, the server's local day)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from .. import review
from ..deps import State

router = APIRouter(prefix="/api", tags=["review"])


@router.get("/review", response_model=dict[str, Any])
async def daily_review(
    state: State, date: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")] = None
) -> dict[str, Any]:
    """Time in window, episodes with their curves and notes, re-activations, breathing, nudges,
    and the trend of time in window and of tau over the last 28 days."""
    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise HTTPException(422, f"{date!r} is not a calendar date") from None
    return await state.store.read(lambda conn: review.review(conn, day))
