"""The room (the trainer's stage): ``GET|POST /api/pacer``, one breathing guide for every live
session, in step; sessions added while it runs join it."""

from __future__ import annotations

import time

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..deps import State
from ..protocol import BreathingCommand, PacerFrame
from ..session import PacerError
from ..session.framing import pacer_frame
from .errors import unprocessable

router = APIRouter(prefix="/api", tags=["room"])


class SharedGuide(BaseModel):
    """The room's shared guide (null: none runs) and how many live sessions follow it."""

    shared: PacerFrame | None
    sessions: int = Field(description="live sessions now")


def _view(state: State) -> SharedGuide:
    shared = state.manager.shared_pacer
    return SharedGuide(
        shared=None if shared is None else pacer_frame(shared, time.time()), sessions=state.manager.live_count()
    )


@router.get("/pacer", response_model=SharedGuide)
async def get_shared_guide(state: State) -> SharedGuide:
    return _view(state)


@router.post("/pacer", response_model=SharedGuide, responses={422: {"description": "A refused rate or ratio"}})
async def set_shared_guide(body: BreathingCommand, state: State) -> SharedGuide:
    """Start (or change) or stop the guide on every live session at once, on one clock."""
    try:
        await state.manager.share_breathing(body.action, body.rate_per_min, body.ratio)
    except PacerError as exc:
        raise unprocessable(("body",), str(exc)) from None
    return _view(state)
