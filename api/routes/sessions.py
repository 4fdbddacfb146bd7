"""Sessions: list, inspect, add while serving, end, beats, export, and their commands.

Commands (markers, breathing, stop) use the websocket's command models
(:mod:`tolerance.api.protocol.commands`) as their bodies and the same carrying-out code, so
they are refused alike: 404 for an unknown session, 409 for one that has ended or failed,
422 for a refused field.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from .. import formats
from .. import review as review_module
from ..deps import WRITES_PER_S, AppState, State
from ..protocol import (
    AssessResonanceCommand,
    BreathingCommand,
    CalibrateCommand,
    EventFrame,
    LiveView,
    MarkerCommand,
    PacerFrame,
    SessionView,
    StressCommand,
)
from ..session import LiveSession, NotSimulated, PacerError, SessionNotLive, SourceError, UnknownEpisode, parse_source
from ..session.commands import carry_out
from ..storage import SessionNotFound, SessionRow, queries, read_only
from .errors import unprocessable

router = APIRouter(prefix="/api/sessions", tags=["sessions"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No session with this id"},
    409: {"description": "The session has ended or failed: it takes no commands"},
}


class NewSession(BaseModel):
    """A participant to add to the running server."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        description="sim:SCENARIO, ble:NAME_OR_ADDRESS, or replay:FILE (inside the server's --replay-dir)",
        examples=["sim:stress-spike"],
        max_length=500,
    )
    label: str | None = Field(None, max_length=100, description="a name to show, e.g. the participant's")
    seed: int | None = Field(None, ge=0, lt=2**63, description="seed of a simulated strap (default: random)")
    speed: float | None = Field(None, gt=0, le=1000, description="simulated/replayed time per real second")
    profile: str | None = Field(None, min_length=1, max_length=64, description="the worker's profile")
    baseline: tuple[float, float] | None = Field(
        None, description="[START, END]: calibrate from this session's beats between these seconds (>= 180 s apart)"
    )


class BeatOut(BaseModel):
    """A stored beat (the CSV export's data dictionary gives the columns)."""

    model_config = ConfigDict(extra="ignore")  # the row's session_id is the route's own

    idx: int
    t_mono: float
    t_utc: float
    rr_ms: float
    rr_raw: int | None
    segment: int
    contact: bool | None
    artifact: str
    nn_ms: list[float]


def _view(row: SessionRow, live: LiveSession | None) -> SessionView:
    if live is None:
        return SessionView(**row.to_json())
    return SessionView(**{**row.to_json(), "status": live.status, "connection": live.connection})


def _not_found(session_id: str) -> HTTPException:
    return HTTPException(404, f"no session with id {session_id!r}")


async def _stored_or_404(state: AppState, session_id: str) -> SessionRow:
    try:
        return await state.store.read(lambda conn: queries.require_session(conn, session_id))
    except SessionNotFound:
        raise _not_found(session_id) from None


async def _live_or_refuse(state: AppState, session_id: str) -> LiveSession:
    live = state.manager.get(session_id)
    if live is None:
        row = await _stored_or_404(state, session_id)
        raise HTTPException(409, str(SessionNotLive(session_id, row.status)))
    if live.status != "live":
        raise HTTPException(409, str(SessionNotLive(session_id, live.status)))
    return live


_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    429: {"description": "Too many markers and notes for this session (a flood would fill the disk)"},
    503: {"description": "The disk is full and the session's buffer holds only markers and notes: not stored"},
}


def _limit_writes(state: AppState, session_id: str) -> None:
    if not state.allow_write(session_id):
        raise HTTPException(
            429, f"too many markers and notes for session {session_id}; at most {WRITES_PER_S:g} a second"
        )


@router.get("", response_model=list[SessionView])
async def list_sessions(state: State) -> list[SessionView]:
    """Every stored session, newest first; live ones carry their live status."""
    rows = await state.store.read(queries.list_sessions)
    return [_view(row, state.manager.get(row.id)) for row in rows]


@router.post("", status_code=201, response_model=SessionView, responses={422: {"description": "Unusable source"}})
async def add_session(body: NewSession, state: State) -> SessionView:
    """Start a session on the running server (a participant joins); answers with its id."""
    if body.baseline is not None and not (0 <= body.baseline[0] and body.baseline[1] - body.baseline[0] >= 180):
        raise unprocessable(("body", "baseline"), "START >= 0 and at least 180 s of seated rest to END")
    try:
        # In a worker thread: a scenario or a replay is a file to read and check.
        spec = await asyncio.to_thread(
            parse_source, body.source, state.settings, seed=body.seed, speed=body.speed, label=body.label
        )
    except SourceError as exc:
        raise unprocessable(("body", "source"), str(exc)) from None
    spec = dataclasses.replace(spec, profile=body.profile, calibrate_span_s=body.baseline)
    live = await state.manager.start(spec)
    return _view(live.row, live)


@router.get("/{session_id}", response_model=LiveView, responses=_ERRORS)
async def get_session(session_id: str, state: State) -> LiveView:
    row = await _stored_or_404(state, session_id)
    counts = await state.store.read(lambda conn: queries.session_counts(conn, session_id))
    live = state.manager.get(session_id)
    if live is not None:
        return live.view().model_copy(update={"stored": counts})
    return LiveView(**row.to_json(), stored=counts)


@router.delete("/{session_id}", response_model=SessionView, responses=_ERRORS)
async def end_session(session_id: str, state: State) -> SessionView:
    """End a live session (its strap is let go; what was recorded stays)."""
    live = await _live_or_refuse(state, session_id)
    await state.manager.stop(session_id, "stopped over the API")
    return _view(live.row, live)


@router.get("/{session_id}/beats", response_model=list[BeatOut], responses=_ERRORS)
async def get_beats(session_id: str, state: State, since: Annotated[int, Query(ge=0)] = 0) -> list[BeatOut]:
    """Stored beats with index >= ``since``."""
    await _stored_or_404(state, session_id)

    def q(conn: Any) -> list[BeatOut]:
        return [
            BeatOut(**{**dataclasses.asdict(b), "nn_ms": list(b.nn_ms)})
            for b in queries.iter_beats(conn, session_id, since)
        ]

    return await state.store.read(q)


@router.get(
    "/{session_id}/export",
    response_class=StreamingResponse,
    responses={200: {"description": "The session as a file", "content": formats.export_media_types()}, **_ERRORS},
)
async def export_session(
    session_id: str, state: State, format: formats.ExportName = formats.DEFAULT_EXPORT
) -> Response:
    """The session as a file, streamed (see :mod:`tolerance.api.formats` for every format)."""
    await _stored_or_404(state, session_id)
    fmt = formats.export_format(format)
    db = state.store.path

    def chunks() -> Any:
        with read_only(db) as conn:
            yield from fmt.write(conn, session_id)

    filename = f"tolerance-{session_id}.{fmt.suffix}"
    return StreamingResponse(
        chunks(), media_type=fmt.media_type, headers={"content-disposition": f'attachment; filename="{filename}"'}
    )


@router.post("/{session_id}/markers", status_code=201, response_model=EventFrame, responses=_WRITE_ERRORS)
async def add_marker(session_id: str, body: MarkerCommand, state: State) -> EventFrame:
    live = await _live_or_refuse(state, session_id)
    _limit_writes(state, session_id)
    try:
        marker = await live.add_marker(body.text, source="api")
    except SessionNotLive as exc:
        raise HTTPException(409, str(exc)) from None
    return EventFrame(
        event="marker", t=live.clock.rel(marker.t_mono), t_utc=marker.t_utc, text=marker.text, source=marker.source
    )


@router.get("/{session_id}/pacer", response_model=PacerFrame, responses=_ERRORS)
async def get_pacer(session_id: str, state: State) -> PacerFrame:
    live = state.manager.get(session_id)
    if live is None:
        await _stored_or_404(state, session_id)
        raise HTTPException(409, f"session {session_id} is not live; it has no breathing guide")
    return live.pacer_frame()  # type: ignore[no-any-return]


@router.post("/{session_id}/pacer", response_model=PacerFrame, responses=_ERRORS)
async def set_pacer(session_id: str, body: BreathingCommand, state: State) -> PacerFrame:
    live = await _live_or_refuse(state, session_id)
    try:
        await carry_out(state.manager, live, body, via="api")
    except PacerError as exc:
        raise unprocessable(("body",), str(exc)) from None
    except SessionNotLive as exc:
        raise HTTPException(409, str(exc)) from None
    return live.pacer_frame()  # type: ignore[no-any-return]


class NoteIn(BaseModel):
    """A short note on an episode (what happened; what I told myself before, during, after)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)


class Accepted(BaseModel):
    status: str
    detail: str


@router.post("/{session_id}/stress", status_code=201, response_model=EventFrame, responses=_ERRORS)
async def trigger_stress(session_id: str, body: StressCommand, state: State) -> EventFrame:
    """A scripted stress event now, on a simulated participant (409 for a real strap)."""
    live = await _live_or_refuse(state, session_id)
    try:
        value = await live.stress(body.intensity, body.rise_s, body.tau_s)
    except (NotSimulated, SessionNotLive) as exc:
        raise HTTPException(409, str(exc)) from None
    return EventFrame(event="stress", t=live.clock.rel(value.t_mono), t_utc=value.t_utc, source="api")


@router.post("/{session_id}/calibration", status_code=202, response_model=Accepted, responses=_ERRORS)
async def start_calibration(session_id: str, body: CalibrateCommand, state: State) -> Accepted:
    """Start a calibration now: sit still, breathe normally; ``baseline`` frames report progress."""
    live = await _live_or_refuse(state, session_id)
    await live.calibrate(body.duration_s)
    return Accepted(status="calibrating", detail=f"sit still and breathe normally for {body.duration_s:g} s")


@router.get("/{session_id}/episodes", response_model=list[dict[str, Any]], responses=_ERRORS)
async def list_episodes(session_id: str, state: State) -> list[dict[str, Any]]:
    """The session's recovery episodes (the review's shape), with their curves and notes."""
    await _stored_or_404(state, session_id)

    def q(conn: Any) -> list[dict[str, Any]]:
        notes: dict[int, list[dict[str, Any]]] = {}
        for e in queries.iter_events(conn, session_id, "note"):
            notes.setdefault(int(e.data["episode"]), []).append({"t_utc": e.t_utc, "text": e.data["text"]})
        return [review_module.episode_view(e, notes.get(e.id, [])) for e in queries.iter_episodes(conn, session_id)]

    return await state.store.read(q)


@router.post(
    "/{session_id}/episodes/{index}/notes", status_code=201, response_model=EventFrame, responses=_WRITE_ERRORS
)
async def add_note(session_id: str, index: int, body: NoteIn, state: State) -> EventFrame:
    """A note on an episode, while the session runs or later."""
    _limit_writes(state, session_id)
    live = state.manager.get(session_id)
    if live is not None and live.status == "live":
        try:
            note = await live.note(index, body.text)
        except UnknownEpisode:
            raise HTTPException(404, f"session {session_id} has no episode {index}") from None
        return EventFrame(event="note", t=live.clock.rel(note.t_mono), t_utc=note.t_utc, text=note.text, episode=index)
    await _stored_or_404(state, session_id)
    if not await state.store.read(lambda conn: queries.episode_exists(conn, session_id, index)):
        raise HTTPException(404, f"session {session_id} has no episode {index}")
    now = time.time()
    await queries.add_event_after(state.store, session_id, "note", now, {"episode": index, "text": body.text})
    return EventFrame(event="note", t=0.0, t_utc=now, text=body.text, episode=index)


@router.post("/{session_id}/resonance", status_code=202, response_model=Accepted, responses=_ERRORS)
async def assess_resonance(session_id: str, body: AssessResonanceCommand, state: State) -> Accepted:
    """Run the resonance-frequency assessment: the guide steps through the rates (``resonance``
    frames report each step, then the per-rate table and the chosen rate)."""
    live = await _live_or_refuse(state, session_id)
    await live.assess_resonance(tuple(body.rates_per_min), body.step_s)
    minutes = len(body.rates_per_min) * body.step_s / 60
    return Accepted(status="assessing", detail=f"follow the guide for about {minutes:.0f} minutes")
