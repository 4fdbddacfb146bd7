"""Worker profiles: a stored baseline, the window's edges, the resonance rate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..deps import State
from ..storage import queries

router = APIRouter(prefix="/api/profiles", tags=["profiles"])


class Band(BaseModel):
    """The window of tolerance on the arousal index (z-score units; default -1 .. +1)."""

    model_config = ConfigDict(extra="forbid")

    lower: float = Field(ge=-5, le=5)
    upper: float = Field(ge=-5, le=5)

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if not self.lower < self.upper:
            raise ValueError("the window's lower edge must be below its upper edge")
        return self


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    band: Band


class ProfileOut(BaseModel):
    name: str
    created_utc: float
    updated_utc: float
    data: dict[str, Any]


@router.get("", response_model=list[ProfileOut])
async def list_profiles(state: State) -> list[ProfileOut]:
    rows = await state.store.read(queries.list_profiles)
    return [ProfileOut(name=n, created_utc=c, updated_utc=u, data=d) for n, c, u, d in rows]


@router.get("/{name}", response_model=ProfileOut, responses={404: {"description": "No such profile"}})
async def get_profile(name: str, state: State) -> ProfileOut:
    for n, c, u, d in await state.store.read(queries.list_profiles):
        if n == name:
            return ProfileOut(name=n, created_utc=c, updated_utc=u, data=d)
    raise HTTPException(404, f"no profile {name!r}")


@router.put("/{name}", response_model=ProfileOut)
async def set_profile(name: str, body: ProfileIn, state: State) -> ProfileOut:
    """Adjust a profile's window (sessions started from now on use it)."""
    if not 1 <= len(name) <= 64:
        raise HTTPException(422, "a profile name has 1-64 characters")
    await queries.update_profile(state.store, name, {"band": body.band.model_dump()})
    return await get_profile(name, state)
