"""Errors as RFC 9457 problem details (`application/problem+json`), each naming the field
and the rule where there is one, as the CLI does."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from journey.results import Problem

PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Not accepted",
    500: "Server error",
    503: "Not ready",
}
# The problem details as the OpenAPI document describes them (`components/schemas/Problem`).
PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem detail; `problems` names each field and rule broken.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "rule", "message"],
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "rule": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problems a route may answer with, for its `responses` in the OpenAPI document."""
    return {
        status: {
            "description": TITLES[status],
            "content": {PROBLEM: {"schema": {"$ref": PROBLEM_REF}}},
        }
        for status in statuses
    }


def problem(
    status: int,
    detail: str,
    *,
    problems: list[Problem] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    if problems:
        body["problems"] = [p.__dict__ for p in problems]
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


class ApiError(Exception):
    """Raised by a route to answer with a problem."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers


async def api_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return problem(error.status, error.detail, headers=error.headers)


async def http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return problem(error.status_code, str(error.detail), headers=dict(error.headers or {}))


async def validation_error(_: Request, error: Exception) -> JSONResponse:
    """A request that does not parse (a query parameter, a header, a path): which, and why."""
    assert isinstance(error, RequestValidationError)
    problems = [
        Problem(
            ".".join(str(p) for p in detail["loc"]),
            detail["type"],
            str(detail["msg"]).removeprefix("Value error, "),
        )
        for detail in error.errors()
    ]
    return problem(422, "the request is not valid", problems=problems)
