"""Issue 23: markers and notes over REST are rate-limited per session (a script once posted
3,443 markers in 5 s, about 30 GB of events a day); what is refused gets a 429 and a reason,
what is accepted is stored."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from starlette.testclient import TestClient
from tolerance.api.deps import WRITES_BURST, WRITES_PER_S


def test_a_flood_of_markers_is_refused_with_429_and_every_accepted_one_is_stored(
    app_client: TestClient, tmp_path: Path
) -> None:
    sid = app_client.get("/api/sessions").json()[0]["id"]
    started = time.monotonic()
    answers = [app_client.post(f"/api/sessions/{sid}/markers", json={"text": f"m{i}"}) for i in range(100)]
    elapsed = time.monotonic() - started
    accepted = [r.json()["text"] for r in answers if r.status_code == 201]
    refused = [r for r in answers if r.status_code == 429]
    assert len(accepted) + len(refused) == 100
    assert WRITES_BURST <= len(accepted) <= WRITES_BURST + WRITES_PER_S * elapsed + 1
    assert "too many markers and notes" in refused[0].json()["detail"]
    assert app_client.delete(f"/api/sessions/{sid}").status_code == 200
    conn = sqlite3.connect(tmp_path / "t.sqlite3")
    try:
        stored = [r[0] for r in conn.execute("SELECT json_extract(data, '$.text') FROM events WHERE type='marker'")]
    finally:
        conn.close()
    assert stored == accepted
