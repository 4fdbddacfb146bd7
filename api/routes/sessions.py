from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field, field_validator

from .. import export, records
from ..deps import State
from ..pacer import PacerError
from ..store import SessionNotFound

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


class MarkerIn(BaseModel):
    text: str = Field("", max_length=500)

    @field_validator("text")
    @classmethod
    def _valid_unicode(cls, v: str) -> str:
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("the text is not valid Unicode") from None
        return v


class BreathingIn(BaseModel):
    action: Literal["start", "stop"]
    rate_per_min: float | None = None
    ratio: tuple[float, float] | None = None


def _not_found(session_id: str) -> HTTPException:
    return HTTPException(404, f"no session with id {session_id!r}")


@router.get("")
async def list_sessions(state: State) -> list[dict[str, Any]]:
    """Every stored session, newest first; live ones carry their live status."""
    rows = await records.list_sessions(state.store)
    out = []
    for row in rows:
        d = row.to_json()
        live = state.manager.sessions.get(row.id)
        if live is not None:
            d["status"] = live.status
            d["connection"] = live.connection
        out.append(d)
    return out


@router.get("/{session_id}")
async def get_session(session_id: str, state: State) -> dict[str, Any]:
    live = state.manager.sessions.get(session_id)
    try:
        row = await records.get_session(state.store, session_id)
    except SessionNotFound:
        raise _not_found(session_id) from None
    counts = await records.session_counts(state.store, session_id)
    if live is not None:
        return {**live.snapshot(), "stored": counts}
    return {**row.to_json(), "stored": counts}


@router.get("/{session_id}/beats")
async def get_beats(session_id: str, state: State, since: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    """Stored beats with index >= ``since`` (see the CSV export for the columns)."""

    def q(conn: Any) -> list[dict[str, Any]] | None:
        if not records.session_exists(conn, session_id):
            return None
        return [b for b in records.read_beats(conn, session_id) if b["idx"] >= since]

    beats = await state.store.read(q)
    if beats is None:
        raise _not_found(session_id)
    return beats


@router.get("/{session_id}/export")
async def export_session(session_id: str, state: State, format: Literal["csv", "json", "replay"] = "csv") -> Response:
    """The session as a file: ``csv`` (beats), ``json`` (notifications, beats, metrics, events),
    or ``replay`` (the raw notification log, for ``tolerance serve --replay``)."""
    try:
        text, media = await state.store.read(lambda conn: export.export_session(conn, session_id, format))
    except SessionNotFound:
        raise _not_found(session_id) from None
    filename = f"tolerance-{session_id}.{'jsonl' if format == 'replay' else format}"
    return Response(text, media_type=media, headers={"content-disposition": f'attachment; filename="{filename}"'})


def _live(state: State, session_id: str) -> Any:
    live = state.manager.sessions.get(session_id)
    if live is None:
        raise HTTPException(404, f"no live session with id {session_id!r}")
    return live


@router.post("/{session_id}/markers", status_code=201)
async def add_marker(session_id: str, body: MarkerIn, state: State) -> dict[str, Any]:
    return await _live(state, session_id).add_marker(body.text, source="api")


@router.get("/{session_id}/pacer")
async def get_pacer(session_id: str, state: State) -> dict[str, Any]:
    return _live(state, session_id).pacer.frame()  # type: ignore[no-any-return]


@router.post("/{session_id}/pacer")
async def set_pacer(session_id: str, body: BreathingIn, state: State) -> dict[str, Any]:
    live = _live(state, session_id)
    try:
        await live.breathing(body.action, body.rate_per_min, body.ratio)
    except PacerError as exc:
        raise HTTPException(422, str(exc)) from None
    return live.pacer.frame()  # type: ignore[no-any-return]
