"""Every HTTP endpoint fuzzed from the OpenAPI document (schemathesis): no 5xx, every response
matches its declared status, content type and schema. In-process, against the real app with a
fake strap; bounded examples so the file runs in well under a minute.

Operations on ``{session_id}`` are tried with the generated id and with the live session's
id (a generated id almost never names a stored session). Found and fixed while writing it:
see the commit that added this file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_fakes import PacedStrap
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from served import in_process
from starlette.testclient import TestClient
from tolerance.api import Settings, create_app
from tolerance.api.session import SourceSpec

_DOC = create_app(Settings(db=Path("unused.sqlite3"))).openapi()
SCHEMA = schemathesis.openapi.from_dict(_DOC)
OPERATIONS = [op.ok() for op in SCHEMA.get_all_operations()]
EXAMPLES = 40
RUN: Counter[str] = Counter()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("fuzz") / "t.sqlite3"
    settings = Settings(db=db)
    app = create_app(settings, lambda: [SourceSpec(PacedStrap(n=100_000, period_s=0.02), "ble", {})])
    with in_process(app, settings.access_token) as c:
        yield c
        for live in list(app.state.tolerance.manager.sessions.values()):
            c.portal.call(live.stop) if live.status == "live" else None  # type: ignore[union-attr]


def _call(client: TestClient, case: Any) -> None:
    kwargs = case.as_transport_kwargs()
    kwargs.pop("cookies", None)
    response = client.request(**kwargs)
    RUN[f"{case.method} {case.operation.path}"] += 1
    assert response.status_code < 500, (case.as_curl_command(), response.text[:300])
    # Some bodies are checked beyond what JSON Schema says (does the scenario exist? does the
    # in-breath take 20-80 % of a breath?): a schema-valid body may get the declared 422.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_every_endpoint_survives_generated_requests(client: TestClient, operation: Any) -> None:
    live_id = next(s["id"] for s in client.get("/api/sessions").json() if s["status"] == "live")
    examples = 10 if operation.method.upper() == "POST" and operation.path == "/api/sessions" else EXAMPLES

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
    )
    def run(case: Any) -> None:
        _call(client, case)
        if "session_id" in (case.path_parameters or {}) and case.method.upper() != "DELETE":
            case.path_parameters = {**case.path_parameters, "session_id": live_id}
            _call(client, case)

    run()


def test_the_fuzzing_ran(client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\nHTTP fuzzing: {sum(RUN.values())} requests over {len(RUN)} operations")  # noqa: T201
    assert len(RUN) == len(OPERATIONS) or not RUN
