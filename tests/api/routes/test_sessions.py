"""Sessions over REST, in-process: add and end participants, commands refused alike on REST and
the websocket once a session has ended, and an OpenAPI document that describes every answer."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from served import in_process
from starlette.testclient import TestClient


def _live_id(client: TestClient) -> str:
    sessions = client.get("/api/sessions").json()
    return next(s["id"] for s in sessions if s["status"] == "live")


def _wait(client: TestClient, sid: str, key: str, n: int) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        s = client.get(f"/api/sessions/{sid}").json()
        if s["stored"][key] >= n:
            return s
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} {key} stored")


def test_a_simulated_participant_added_while_serving_gets_an_id_and_records(app_client: TestClient) -> None:
    r = app_client.post("/api/sessions", json={"source": "sim:calm", "seed": 3, "speed": 50, "label": "Ana"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "live" and body["source_kind"] == "sim" and body["label"] == "Ana"
    assert body["params"]["scenario"] == "calm" and body["params"]["seed"] == 3
    listed = {s["id"]: s for s in app_client.get("/api/sessions").json()}
    assert body["id"] in listed and len(listed) == 2
    _wait(app_client, body["id"], "beats", 5)


def test_an_unusable_source_is_refused_with_the_reason(app_client: TestClient) -> None:
    for source, words in (
        ("sim:no-such-scenario", "no-such-scenario"),
        ("ftp:x", "sim:SCENARIO"),
        ("replay:x.jsonl", "--replay-dir"),
        ("ble:   ", "name the strap"),
    ):
        r = app_client.post("/api/sessions", json={"source": source})
        assert r.status_code == 422 and words in " ".join(d["msg"] for d in r.json()["detail"]), (source, r.text)
    assert app_client.post("/api/sessions", json={"source": "sim:calm", "extra": 1}).status_code == 422


def test_ending_a_session_keeps_its_rows_and_then_every_command_is_refused_with_409(app_client: TestClient) -> None:
    sid = _live_id(app_client)
    _wait(app_client, sid, "beats", 10)
    r = app_client.delete(f"/api/sessions/{sid}")
    assert r.status_code == 200 and r.json()["status"] == "ended"
    stored = app_client.get(f"/api/sessions/{sid}").json()
    assert stored["status"] == "ended" and stored["status_detail"] == "stopped over the API"
    assert stored["stored"]["beats"] >= 10

    for method, path, body in (
        ("post", "markers", {"text": "late"}),
        ("post", "pacer", {"action": "start", "rate_per_min": 6}),
    ):
        r = getattr(app_client, method)(f"/api/sessions/{sid}/{path}", json=body)
        assert r.status_code == 409 and "ended" in r.json()["detail"], (path, r.text)
    assert app_client.delete(f"/api/sessions/{sid}").status_code == 409
    events = app_client.get(f"/api/sessions/{sid}").json()["stored"]["events"]
    assert events == stored["stored"]["events"], "a refused command stores nothing"

    with app_client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
        hello = json.loads(ws.receive_text())
        assert hello["type"] == "hello" and hello["session"]["status"] == "ended"
        ws.receive_text()  # the pacer frame
        ws.send_text(json.dumps({"v": 1, "type": "marker", "text": "late"}))
        reply = json.loads(ws.receive_text())
        assert reply["type"] == "error" and reply["code"] == "session_ended"


def test_unknown_sessions_are_404_on_every_route(app_client: TestClient) -> None:
    for method, path in (("get", ""), ("delete", ""), ("get", "/beats"), ("get", "/export"), ("get", "/pacer")):
        assert getattr(app_client, method)(f"/api/sessions/nope{path}").status_code == 404, path
    assert app_client.post("/api/sessions/nope/markers", json={"text": ""}).status_code == 404


def test_rest_and_websocket_refuse_the_same_bad_command_with_the_same_reason(app_client: TestClient) -> None:
    sid = _live_id(app_client)
    bad = {"action": "start", "rate_per_min": 20}
    r = app_client.post(f"/api/sessions/{sid}/pacer", json=bad)
    assert r.status_code == 422
    rest_reason = r.json()["detail"][0]["msg"]
    with app_client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
        ws.receive_text(), ws.receive_text()
        ws.send_text(json.dumps({"v": 1, "type": "breathing", **bad}))
        while (reply := json.loads(ws.receive_text()))["type"] != "error":
            pass
    assert reply["code"] == "bad_field" and rest_reason in reply["message"]
    ws_bool = {"v": 1, "type": "breathing", "action": "start", "rate_per_min": True}
    assert app_client.post(f"/api/sessions/{sid}/pacer", json=ws_bool).status_code == 422


def test_the_openapi_document_describes_every_answer(app_client: TestClient) -> None:
    doc = app_client.get("/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ok = next(code for code in op["responses"] if code.startswith("2"))
            content = op["responses"][ok].get("content", {})
            assert content, f"{method.upper()} {path} has no response schema"
            if path.endswith("/export"):
                assert {"text/csv", "application/json", "application/x-ndjson"} <= set(content)
            else:
                assert content["application/json"]["schema"], f"{method.upper()} {path}"
    formats = doc["components"]["schemas"]["ExportName"]["enum"]
    assert set(formats) == {"csv", "json", "replay"}


def test_only_the_pages_own_files_are_served(app_client: TestClient) -> None:
    assert app_client.get("/static/app.js").status_code == 200
    for name in ("__init__.py", "../__init__.py", "package.json"):
        assert app_client.get(f"/static/{name}").status_code == 404, name
    js = app_client.get("/protocol.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert '"UNKNOWN_SESSION": 4404' in js.text and "export const PROTOCOL = Object.freeze(1);" in js.text


def test_a_strap_without_rr_intervals_gets_hr_only_zones_flagged_as_such(tmp_path: Any) -> None:
    from tolerance.api import Settings, create_app
    from tolerance.api.session import SourceSpec

    from ..conftest import PayloadStrap

    settings = Settings(db=tmp_path / "hr.sqlite3", port=0)
    app = create_app(settings, lambda: [SourceSpec(PayloadStrap(n=150, with_rr=False), "ble", {"device": "watch"})])
    with in_process(app, settings.access_token) as client:
        sid = _live_id(client)
        with client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
            hello = json.loads(ws.receive_text())
            # The fake strap sends as fast as the loop allows: the zones may all precede the
            # subscription, and then come in the hello's recent history.
            # The first minute of HR fills the mean and the next one teaches the provisional baseline.
            zones: list[dict[str, Any]] = [z for z in hello["zones"] if z["arousal"] is not None]
            deadline = time.monotonic() + 30
            while len(zones) < 3 and time.monotonic() < deadline:
                f = json.loads(ws.receive_text())
                if f["type"] == "zone" and f["arousal"] is not None:
                    zones.append(f)
        assert len(zones) >= 3 and all(z["hr_only"] for z in zones)
        assert all(z["baseline"] == "provisional" for z in zones)
        stored = client.get(f"/api/sessions/{sid}").json()["stored"]
        assert stored["beats"] == 0, "no RR: no beats, and no HRV figure is made up"


def _baselines_until_calibrated(client: TestClient, sid: str) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    with client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            f = json.loads(ws.receive_text())
            if f["type"] == "baseline":
                got.append(f)
                if f.get("refused") or (f.get("source") == "calibration" and f.get("hr_center_bpm")):
                    return got
    raise AssertionError(f"no calibration in 30 s: {got}")


def test_a_profile_keeps_a_calibration_for_its_next_session_and_its_window(app_client: TestClient) -> None:
    first = app_client.post(
        "/api/sessions",
        json={"source": "sim:calm", "seed": 2, "speed": 100, "profile": "ana", "baseline": [0, 200]},
    ).json()
    got = _baselines_until_calibrated(app_client, first["id"])
    assert got[0]["source"] == "learning", "before the calibration: a provisional window is learnt, and it says so"
    calibrated = got[-1]
    assert 60 < calibrated["hr_center_bpm"] < 72 and 30 < calibrated["rmssd_center_ms"] < 60  # calm: 66 bpm, 36 ms
    profile = app_client.get("/api/profiles/ana").json()
    assert profile["data"]["baseline"]["hr_center_bpm"] == pytest.approx(calibrated["hr_center_bpm"])

    assert app_client.put("/api/profiles/ana", json={"band": {"lower": -1.5, "upper": 0.8}}).status_code == 200
    assert app_client.put("/api/profiles/ana", json={"band": {"lower": 1, "upper": 0}}).status_code == 422
    second = app_client.post("/api/sessions", json={"source": "sim:calm", "seed": 3, "speed": 50, "profile": "ana"})
    sid = second.json()["id"]
    assert second.json()["profile_id"] == "ana"
    with app_client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
        while (f := json.loads(ws.receive_text()))["type"] != "baseline":
            pass
    assert f["source"] == "calibration" and f["hr_center_bpm"] == pytest.approx(calibrated["hr_center_bpm"])
    assert app_client.get("/api/profiles/nobody").status_code == 404


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_resonance_assessment_picks_the_simulators_rate_and_keeps_it_in_the_profile(
    app_client: TestClient, seed: int
) -> None:
    # The simulated heart resonates at 6/min (scenario calm: resonance_per_min = 6) and breathes
    # in step with the guide, which the assessment steps through 6.5 ... 4.5 /min, 2 minutes
    # each; HR is in phase with breathing at the resonance and 45 deg ahead at 4.5/min.
    sid = app_client.post(
        "/api/sessions", json={"source": "sim:calm", "seed": seed, "speed": 200, "profile": f"r{seed}"}
    ).json()["id"]
    steps: list[dict[str, Any]] = []
    with app_client.websocket_connect(f"ws://127.0.0.1:8000/ws/sessions/{sid}") as ws:
        json.loads(ws.receive_text())  # hello: subscribed before the assessment starts
        assert app_client.post(f"/api/sessions/{sid}/resonance", json={}).status_code == 202
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            f = json.loads(ws.receive_text())
            if f["type"] == "resonance":
                steps.append(f)
                if f["state"] != "step":
                    break
    assert [s["rate_per_min"] for s in steps[:-1]] == [6.5, 6.0, 5.5, 5.0, 4.5]
    done = steps[-1]
    assert done["state"] == "done", done
    assert done["chosen_rate_per_min"] == pytest.approx(6.0, abs=0.5)
    assert len(done["rows"]) == 5 and done["criteria_used"][0] == "phase_deg", "phase synchrony first"
    phase = {row["rate_per_min"]: row["phase_deg"] for row in done["rows"]}
    assert phase[6.0] < 25 < phase[4.5], "the participant follows the guide's in-breaths, not only its rate"
    profile = app_client.get(f"/api/profiles/r{seed}").json()["data"]
    assert profile["resonance"]["rate_per_min"] == done["chosen_rate_per_min"]
    pacer = app_client.get(f"/api/sessions/{sid}/pacer").json()
    assert pacer["running"] is False, "the guide stops when the assessment is done"
