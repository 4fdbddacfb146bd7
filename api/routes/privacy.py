"""Privacy: ``DELETE /api/sessions/{id}/data`` forgets a stored session for good.

Every row of the session, in every table, is deleted and the file rebuilt so that no trace is
left (:mod:`tolerance.api.storage.forget`); the same as ``tolerance forget SESSION``. A live
session is refused (409: stop it first). For the server's own user: the route is behind the
same Host/Origin checks (and, beyond loopback, the access token) as every other.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from ..deps import State
from ..storage import Forgotten, forget_sessions, queries

router = APIRouter(prefix="/api/sessions", tags=["privacy"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such session"},
    409: {"description": "The session is live: stop it first"},
}


class ForgetOut(BaseModel):
    session: str
    rows: dict[str, int]
    """Rows deleted, by table."""
    pending: bool = False
    """True: the rows are deleted, but a program holding the database open (a database browser)
    keeps copies in the file; the server removes them as soon as it closes (``/api/health``)."""
    detail: str = "no trace of the session is left in the database file"


@router.delete("/{session_id}/data", response_model=ForgetOut, responses=_ERRORS)
async def forget_session(session_id: str, state: State) -> ForgetOut:
    """Delete everything stored of a session and leave no trace of it in the database file."""
    live = state.manager.get(session_id)
    if live is not None and live.status == "live":
        raise HTTPException(409, f"session {session_id} is live; stop it first")
    if not await state.store.read(lambda conn: queries.session_exists(conn, session_id)):
        raise HTTPException(404, f"no session with id {session_id!r}")
    result: list[Forgotten] = []
    # No wait for readers here: the writer records live sessions too; it finishes a pending scrub
    # at its next checkpoint once the reader has left.
    await state.store.run_exclusive(lambda conn: result.append(forget_sessions(conn, [session_id])))
    state.manager.sessions.pop(session_id, None)
    if result[0].pending:
        state.store.scrub_pending = True
        return ForgetOut(
            session=session_id,
            rows=result[0].rows,
            pending=True,
            detail="deleted, but a program holding the database open (a database browser?) keeps copies in the "
            "file; they are removed as soon as it closes (GET /api/health: forget_pending)",
        )
    return ForgetOut(session=session_id, rows=result[0].rows)
