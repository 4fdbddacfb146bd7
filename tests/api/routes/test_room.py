"""The room's shared guide (``/api/pacer``) and naming a participant (``PATCH /api/sessions/{id}``)."""

from __future__ import annotations

from starlette.testclient import TestClient


def _live(client: TestClient) -> list[str]:
    return [s["id"] for s in client.get("/api/sessions").json() if s["status"] == "live"]


def test_the_shared_guide_reaches_every_session_and_the_ones_added_later_in_step(app_client: TestClient) -> None:
    first = client_add(app_client)
    assert app_client.get("/api/pacer").json()["shared"] is None
    r = app_client.post("/api/pacer", json={"action": "start", "rate_per_min": 5.5})
    assert r.status_code == 200, r.text
    shared = r.json()["shared"]
    assert shared["running"] and shared["rate_per_min"] == 5.5
    for sid in _live(app_client):
        pacer = app_client.get(f"/api/sessions/{sid}/pacer").json()
        assert pacer["running"] and pacer["epoch_utc"] == shared["epoch_utc"], sid
    # A participant who joins now breathes with the room: same rate, same epoch (same phase).
    late = client_add(app_client)
    pacer = app_client.get(f"/api/sessions/{late}/pacer").json()
    assert pacer["running"] and pacer["rate_per_min"] == 5.5 and pacer["epoch_utc"] == shared["epoch_utc"]
    assert pacer["inhale_fraction"] == shared["inhale_fraction"]
    # A new rate keeps the phase continuous for everyone, on one epoch.
    changed = app_client.post("/api/pacer", json={"action": "start", "rate_per_min": 6}).json()["shared"]
    epochs = {app_client.get(f"/api/sessions/{sid}/pacer").json()["epoch_utc"] for sid in (first, late)}
    assert epochs == {changed["epoch_utc"]}
    assert app_client.post("/api/pacer", json={"action": "stop"}).json()["shared"] is None
    assert not any(app_client.get(f"/api/sessions/{sid}/pacer").json()["running"] for sid in _live(app_client))
    after = client_add(app_client)
    assert not app_client.get(f"/api/sessions/{after}/pacer").json()["running"]
    assert app_client.post("/api/pacer", json={"action": "start", "rate_per_min": 30}).status_code == 422


def client_add(client: TestClient, label: str | None = None) -> str:
    r = client.post("/api/sessions", json={"source": "sim:calm", "seed": 1, "label": label})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_participant_is_named_and_renamed_and_the_name_is_the_same_everywhere(app_client: TestClient) -> None:
    sid = client_add(app_client, "Participant 3")
    r = app_client.patch(f"/api/sessions/{sid}", json={"label": "  Kestrel "})
    assert r.status_code == 200 and r.json()["label"] == "Kestrel"
    assert app_client.get(f"/api/sessions/{sid}").json()["label"] == "Kestrel"
    assert {s["id"]: s["label"] for s in app_client.get("/api/sessions").json()}[sid] == "Kestrel"
    with app_client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
        assert ws.receive_json()["session"]["label"] == "Kestrel"
    assert app_client.patch(f"/api/sessions/{sid}", json={"label": "x" * 101}).status_code == 422
    assert app_client.patch("/api/sessions/nope", json={"label": "a"}).status_code == 404
    assert app_client.patch(f"/api/sessions/{sid}", json={"label": ""}).json()["label"] is None
