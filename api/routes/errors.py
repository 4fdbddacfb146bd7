"""Refusals shaped as FastAPI's own 422 (``{"detail": [{"loc", "msg", "type"}]}``), so that a
domain check (an unknown scenario, a calibration span) answers in the schema the OpenAPI
document declares for 422, like a field the model refused."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError


def unprocessable(loc: tuple[str, ...], msg: str) -> RequestValidationError:
    return RequestValidationError([{"loc": loc, "msg": msg, "type": "value_error"}])
