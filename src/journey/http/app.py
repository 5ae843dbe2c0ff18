"""The FastAPI application: its routes, and the extensions the read side and the auditor's
tools add through the `journey.http` entry point group (as `journey.cli` adds commands),
since `journey` never imports them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import entry_points
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from journey import events as ev
from journey.http import children, events
from journey.http.context import ApiContext
from journey.http.pool import LedgerPool
from journey.http.problems import ApiError, api_error, http_error, problem, validation_error
from journey.principals import Principals
from journey.settings import Settings

log = structlog.get_logger("journey.http")

DESCRIPTION = """The event-sourced ledger of a child's care journey.

Services append events (`POST /v1/children/{la_child_id}/events`, `/v1/events`);
inspectors read the reports and returns, children pseudonymised; auditors replay, verify
and read the access log, saying why in `X-Purpose`. Every request carries a bearer token
from `journey principals add`. Errors are RFC 9457 problem details naming the field and
the rule."""


def create_app(settings: Settings, *, ledgers: int = 8) -> FastAPI:
    state = ApiContext(settings, LedgerPool(settings, ledgers), Principals(settings.database_url))

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
    for extension in entry_points(group="journey.http"):
        extension.load()(app)

    @app.get("/healthz", tags=["operations"], summary="The server is running")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="The server can reach its database")
    def readyz() -> JSONResponse:
        try:
            with state.ledgers.lend() as ledger:
                head = ledger.store.events.max_notification_id() or 0
        except Exception:  # the store is out of reach: not ready, whatever the reason
            return problem(503, "the database cannot be reached")
        return JSONResponse({"status": "ready", "events": head})

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


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
    app.openapi_schema = document
    return document
