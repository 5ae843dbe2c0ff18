"""The FastAPI application: its routes, and the extensions the read side and the auditor's
tools add through the `journey.http` entry point group (as `journey.cli` adds commands),
since `journey` never imports them."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import entry_points
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, create_engine
from starlette.exceptions import HTTPException

from journey import events as ev
from journey.http import admin, children, events
from journey.http.context import ApiContext
from journey.http.pool import LedgerPool
from journey.http.problems import (
    PROBLEM,
    PROBLEM_REF,
    PROBLEM_SCHEMA,
    ApiError,
    api_error,
    http_error,
    problem,
    problem_responses,
    validation_error,
)
from journey.logging import configure_logging, without_tracebacks
from journey.principals import Principals
from journey.settings import Settings

log = structlog.get_logger("journey.http")

DESCRIPTION = """The event-sourced ledger of a child's care journey.

Services append events (`POST /v1/children/{la_child_id}/events`, `/v1/events`);
inspectors read the reports and returns, children pseudonymised; auditors replay, verify
and read the access log, saying why in `X-Purpose`. Every request carries a bearer token
from `journey principals add`. Errors are RFC 9457 problem details naming the field and
the rule."""


PRINCIPAL_SECONDS = 2.0  # a revoked token works at most this long after `principals revoke`


def serve_worker(
    settings: Settings,
    listener: socket.socket,
    ledgers: int,
    log_format: str,
    log_level: str,
    built: Any,
    first: bool,
) -> None:
    """One process of `journey serve --workers N` (`journey.cli` starts them): the app on
    uvicorn, accepting on a listening socket of its own (see `cli._serve_processes`).
    The first (`first`) sets `built` (an Event) once its app is built and the tables are
    made; the others, started with it, wait for that before building theirs (at once,
    they would race to make the same table on a new database)."""
    import uvicorn

    configure_logging("console" if log_format == "console" else "json", log_level)
    if not first:
        built.wait()
    config = uvicorn.Config(
        create_app(settings, ledgers=ledgers), log_level="warning", access_log=False
    )
    if first:
        built.set()
    uvicorn.Server(config).run(sockets=[listener])


def create_app(settings: Settings, *, ledgers: int = 8) -> FastAPI:
    without_tracebacks("uvicorn.error", "uvicorn.asgi")
    principals = Principals(
        settings.database_url,
        engine=_principals_engine(settings, ledgers),
        remember_seconds=PRINCIPAL_SECONDS,
    )
    state = ApiContext(settings, LedgerPool(settings, ledgers), principals)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.ledgers.close()
        state.principals.close()

    app = FastAPI(title="journey", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.journey = state
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, _server_error)
    app.include_router(events.router)
    app.include_router(children.router)
    app.include_router(admin.router)
    for extension in entry_points(group="journey.http"):
        extension.load()(app)

    @app.get("/healthz", tags=["operations"], summary="The server is running")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="The server can reach its database",
        responses=problem_responses(503),
    )
    def readyz() -> JSONResponse:
        try:
            with state.ledgers.lend() as ledger:
                head = ledger.store.events.max_notification_id() or 0
        except Exception:  # the store is out of reach: not ready, whatever the reason
            return problem(503, "the database cannot be reached")
        return JSONResponse({"status": "ready", "events": head})

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _principals_engine(settings: Settings, ledgers: int) -> Engine | None:
    """On PostgreSQL, the principals' engine as requests use it: one round trip for a token
    not seen in the last PRINCIPAL_SECONDS (autocommit, no ping before and no rollback
    after: those were two more). A connection the server dropped is retried once
    (`context.authorise`). SQLite keeps the default engine."""
    url = settings.database_url
    if not url.startswith(("postgresql://", "postgres://")):
        return None
    return create_engine(
        "postgresql+psycopg://" + url.split("://", 1)[1],
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
        pool_size=2,
        max_overflow=ledgers,
    )


async def _server_error(_: Any, error: Exception) -> JSONResponse:
    """What an unexpected error says: nothing about the data (the log has the type)."""
    log.error("http_server_error", error=type(error).__name__)
    return problem(500, "the server failed to answer this request; nothing more is said here")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with every event's JSON Schema as components (`Event`)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schema = ev.EVENT_ADAPTER.json_schema(ref_template="#/components/schemas/{model}")
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.pop("$defs", {}))
    components["Event"] = schema
    _document_problems(document)
    app.openapi_schema = document
    return document


def _document_problems(document: dict[str, Any]) -> None:
    """Every error in the document as it is sent, a problem detail (not FastAPI's own 422
    body), and on each operation the refusals that do not depend on the route: 401 and
    403 where a token is needed, 400 where `X-Purpose` is read or a body (FastAPI's answer
    to one that is not even text). The routes name the rest."""
    for item in document["paths"].values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            refusals = [401, 403] if operation.get("security") else []
            purpose = any(p["name"] == "X-Purpose" for p in operation.get("parameters", []))
            if purpose or "requestBody" in operation:
                refusals.append(400)
            for status, answer in problem_responses(*refusals).items():
                responses.setdefault(str(status), answer)
            for status, answer in responses.items():
                if status[:1] in ("4", "5"):
                    answer["content"] = {PROBLEM: {"schema": {"$ref": PROBLEM_REF}}}
    schemas = document["components"]["schemas"]
    schemas["Problem"] = PROBLEM_SCHEMA
    text = json.dumps(document["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'/{unused}"' not in text:
            schemas.pop(unused, None)
