"""The daily review: ``GET /api/review?date=YYYY-MM-DD`` (default: today, the server's local day)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from .. import review, summary
from ..deps import State

router = APIRouter(prefix="/api", tags=["review"])


@router.get("/review", response_model=dict[str, Any])
async def daily_review(
    state: State, date: Annotated[dt.date | None, Query(description="YYYY-MM-DD (default: today)")] = None
) -> dict[str, Any]:
    """Time in window, episodes with their curves and notes, re-activations, breathing, nudges,
    and the trend of time in window and of tau over the last 28 days."""
    day = date or dt.date.today()
    return await state.store.read(lambda conn: review.review(conn, day))


@router.get("/summary", response_model=dict[str, Any])
async def own_summary(
    state: State,
    period: Annotated[summary.Period, Query(description="week (7 days) or month (30 days)")] = "week",
    end: Annotated[dt.date | None, Query(description="the last day, YYYY-MM-DD (default: today)")] = None,
) -> dict[str, Any]:
    """A worker's own printable summary: per day and in total, time in window, recoveries and
    times noticed, and the period's notes to choose from. Made on request only; nothing is kept."""
    last = end or dt.date.today()
    return await state.store.read(lambda conn: summary.summary(conn, period, last))
